-- Store ingest (issue 14): the store's own order label (Shopify "#1001", WooCommerce's
-- number) beside its internal id; when a connection last received a test notification
-- (Shopify's "Send test notification", WooCommerce's ping), the merchant's proof that
-- the setup works; and why an inbound event was rejected. Inbound event statuses gain
-- 'test' and 'rejected' (the column is plain text: no table rebuild).
ALTER TABLE `orders` ADD `name` text;--> statement-breakpoint
ALTER TABLE `store_connections` ADD `last_test_at` integer;--> statement-breakpoint
ALTER TABLE `inbound_events` ADD `reason` text;

-- Seeing what came in (src/stores/store-deliveries.ts, store-reads): when a delivery's last
-- duplicate arrived (why one was rejected is 0019's `reason`), read per connection newest first; and the
-- indexes the /api/v1 store reads page through (orders by placed time, carts and products
-- by creation time). Statuses 'test' and 'rejected' need no change: the column is plain text.
-- A Shopify connection waiting for its signing secret keeps '' in secret_ciphertext.
ALTER TABLE `inbound_events` ADD `redelivered_at` integer;--> statement-breakpoint
CREATE INDEX `inbound_events_connection_idx` ON `inbound_events` (`connection_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `orders_placed_idx` ON `orders` (`workspace_id`,`placed_at`);--> statement-breakpoint
CREATE INDEX `carts_created_idx` ON `carts` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `products_created_idx` ON `products` (`workspace_id`,`created_at`);

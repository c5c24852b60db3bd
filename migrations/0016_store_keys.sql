-- Store objects are keyed by their store connection, not by workspace: two stores in one
-- workspace both have an order #1042 and a SKU "TEE-1", and a contact has one customer id
-- per store (contact_store_ids). A consent change for a customer id no contact has yet is
-- kept (pending_store_consents) and applied when the customer arrives.
--
-- Existing rows take the workspace's connection when that is unambiguous: its only one, or
-- else the only one that ever received an event. Other rows keep no connection: history
-- that still counts (spend, segments) but that no store's webhook updates any more. The
-- same happens when a connection is deleted (ON DELETE SET NULL).
--
-- The keys lead with connection_id (a connection belongs to one workspace, and every query
-- still names the workspace): deleting a connection then finds its rows by index, where a
-- key led by workspace_id would make each foreign key action scan the whole table.
CREATE TABLE `store_keys_backfill` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `store_keys_backfill` (`workspace_id`, `connection_id`)
	SELECT `workspace_id`, MIN(`id`) FROM `store_connections` GROUP BY `workspace_id` HAVING COUNT(*) = 1;
--> statement-breakpoint
INSERT INTO `store_keys_backfill` (`workspace_id`, `connection_id`)
	SELECT `workspace_id`, MIN(`id`) FROM `store_connections`
	WHERE `last_event_at` IS NOT NULL AND `workspace_id` NOT IN (SELECT `workspace_id` FROM `store_keys_backfill`)
	GROUP BY `workspace_id` HAVING COUNT(*) = 1;
--> statement-breakpoint
ALTER TABLE `orders` ADD `connection_id` text REFERENCES `store_connections`(`id`) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `products` ADD `connection_id` text REFERENCES `store_connections`(`id`) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `carts` ADD `connection_id` text REFERENCES `store_connections`(`id`) ON DELETE set null;--> statement-breakpoint
UPDATE `orders` SET `connection_id` = (SELECT `connection_id` FROM `store_keys_backfill` b WHERE b.`workspace_id` = `orders`.`workspace_id`);--> statement-breakpoint
UPDATE `products` SET `connection_id` = (SELECT `connection_id` FROM `store_keys_backfill` b WHERE b.`workspace_id` = `products`.`workspace_id`);--> statement-breakpoint
UPDATE `carts` SET `connection_id` = (SELECT `connection_id` FROM `store_keys_backfill` b WHERE b.`workspace_id` = `carts`.`workspace_id`);--> statement-breakpoint
DROP INDEX `orders_external_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_external_idx` ON `orders` (`connection_id`,`external_id`);--> statement-breakpoint
DROP INDEX `products_sku_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `products_sku_idx` ON `products` (`connection_id`,`sku`);--> statement-breakpoint
DROP INDEX `products_inventory_item_idx`;--> statement-breakpoint
CREATE INDEX `products_inventory_item_idx` ON `products` (`connection_id`,`inventory_item_id`);--> statement-breakpoint
DROP INDEX `carts_external_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `carts_external_idx` ON `carts` (`connection_id`,`external_id`);--> statement-breakpoint
-- The refunds' key gains the connection: a primary key cannot change, so the small table is rebuilt.
CREATE TABLE `order_refunds_keyed` (
	`workspace_id` text NOT NULL,
	`connection_id` text,
	`order_external_id` text NOT NULL,
	`external_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`refunded_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `store_connections`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `order_refunds_keyed` (`workspace_id`, `connection_id`, `order_external_id`, `external_id`, `amount_cents`, `refunded_at`)
	SELECT r.`workspace_id`, b.`connection_id`, r.`order_external_id`, r.`external_id`, r.`amount_cents`, r.`refunded_at`
	FROM `order_refunds` r LEFT JOIN `store_keys_backfill` b ON b.`workspace_id` = r.`workspace_id`;
--> statement-breakpoint
DROP TABLE `order_refunds`;--> statement-breakpoint
ALTER TABLE `order_refunds_keyed` RENAME TO `order_refunds`;--> statement-breakpoint
CREATE UNIQUE INDEX `order_refunds_key_idx` ON `order_refunds` (`connection_id`,`order_external_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `contact_store_ids` (
	`workspace_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`external_id` text NOT NULL,
	`contact_id` text NOT NULL,
	PRIMARY KEY(`connection_id`, `external_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `store_connections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_store_ids_contact_idx` ON `contact_store_ids` (`contact_id`);--> statement-breakpoint
INSERT INTO `contact_store_ids` (`workspace_id`, `connection_id`, `external_id`, `contact_id`)
	SELECT c.`workspace_id`, b.`connection_id`, c.`external_id`, MIN(c.`id`)
	FROM `contacts` c JOIN `store_keys_backfill` b ON b.`workspace_id` = c.`workspace_id`
	WHERE c.`external_id` IS NOT NULL
	GROUP BY b.`connection_id`, c.`external_id`;
--> statement-breakpoint
CREATE TABLE `pending_store_consents` (
	`workspace_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`external_id` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`changed_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`connection_id`, `external_id`, `channel`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `store_connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP TABLE `store_keys_backfill`;

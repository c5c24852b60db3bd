CREATE TABLE `carts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`external_id` text NOT NULL,
	`contact_id` text,
	`status` text NOT NULL,
	`currency` text NOT NULL,
	`value_cents` integer NOT NULL,
	`items` text NOT NULL,
	`recovery_url` text,
	`converted_order_id` text,
	`source_updated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `carts_external_idx` ON `carts` (`workspace_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `carts_contact_idx` ON `carts` (`workspace_id`,`contact_id`,`status`);--> statement-breakpoint
CREATE INDEX `carts_open_idx` ON `carts` (`workspace_id`,`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `consent_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`source` text NOT NULL,
	`changed_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consent_changes_contact_idx` ON `consent_changes` (`workspace_id`,`contact_id`,`changed_at`);--> statement-breakpoint
CREATE TABLE `contact_import_chunks` (
	`import_id` text NOT NULL,
	`chunk_index` integer NOT NULL,
	`workspace_id` text NOT NULL,
	`first_line` integer NOT NULL,
	`csv` text NOT NULL,
	`processed_at` integer,
	PRIMARY KEY(`import_id`, `chunk_index`),
	FOREIGN KEY (`import_id`) REFERENCES `contact_imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `contact_import_rejections` (
	`import_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`line` integer NOT NULL,
	`reason` text NOT NULL,
	`raw` text NOT NULL,
	PRIMARY KEY(`import_id`, `line`),
	FOREIGN KEY (`import_id`) REFERENCES `contact_imports`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `contact_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`file_name` text NOT NULL,
	`status` text NOT NULL,
	`total_chunks` integer NOT NULL,
	`done_chunks` integer DEFAULT 0 NOT NULL,
	`total_rows` integer DEFAULT 0 NOT NULL,
	`imported_rows` integer DEFAULT 0 NOT NULL,
	`rejected_rows` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `contact_imports_workspace_idx` ON `contact_imports` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `inbound_events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`topic` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`status` text NOT NULL,
	`payload` text,
	`deliveries` integer DEFAULT 1 NOT NULL,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`connection_id`) REFERENCES `store_connections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_events_dedupe_idx` ON `inbound_events` (`connection_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `inbound_events_status_idx` ON `inbound_events` (`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_events_workspace_idx` ON `inbound_events` (`workspace_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `order_refunds` (
	`workspace_id` text NOT NULL,
	`order_external_id` text NOT NULL,
	`external_id` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`refunded_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `order_external_id`, `external_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `product_interests` (
	`workspace_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`product_id` text NOT NULL,
	`kind` text NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `contact_id`, `product_id`, `kind`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `product_interests_product_idx` ON `product_interests` (`workspace_id`,`product_id`,`kind`);--> statement-breakpoint
CREATE TABLE `store_connections` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`platform` text NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_event_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `store_connections_workspace_idx` ON `store_connections` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `store_triggers` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`occurrence_key` text NOT NULL,
	`contact_id` text,
	`subject_id` text,
	`data` text NOT NULL,
	`occurred_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `store_triggers_occurrence_idx` ON `store_triggers` (`workspace_id`,`kind`,`occurrence_key`);--> statement-breakpoint
CREATE INDEX `store_triggers_time_idx` ON `store_triggers` (`workspace_id`,`occurred_at`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `email_consent_at` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `email_consent_source` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `sms_consent_at` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `sms_consent_source` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `source_updated_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `email` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `refunded_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `cart_external_id` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `completed_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `shipped_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `source_updated_at` integer;--> statement-breakpoint
ALTER TABLE `products` ADD `inventory_item_id` text;--> statement-breakpoint
ALTER TABLE `products` ADD `parent_external_id` text;--> statement-breakpoint
ALTER TABLE `products` ADD `restocked_at` integer;--> statement-breakpoint
ALTER TABLE `products` ADD `source_updated_at` integer;--> statement-breakpoint
CREATE INDEX `products_external_idx` ON `products` (`workspace_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `products_inventory_item_idx` ON `products` (`workspace_id`,`inventory_item_id`);
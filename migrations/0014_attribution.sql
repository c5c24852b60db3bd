-- Conversions: each order credited to at most one message (src/tracking/attribution.ts).
-- The last message the contact clicked within the workspace's click window or, failing
-- that, opened within its open window. revenue_cents follows the order's refunds.
CREATE TABLE `order_attributions` (
	`order_id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`touch` text NOT NULL,
	`touched_at` integer NOT NULL,
	`revenue_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`ordered_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
CREATE INDEX `order_attributions_source_idx` ON `order_attributions` (`workspace_id`,`source_type`,`source_id`,`ordered_at`);--> statement-breakpoint
CREATE INDEX `order_attributions_delivery_idx` ON `order_attributions` (`delivery_id`);--> statement-breakpoint
-- Attribution windows of the workspace, in milliseconds (default 5 days each).
ALTER TABLE `workspace_settings` ADD `click_window_ms` integer DEFAULT 432000000 NOT NULL;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `open_window_ms` integer DEFAULT 432000000 NOT NULL;

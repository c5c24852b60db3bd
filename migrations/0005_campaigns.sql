CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`content_id` text,
	`segment_id` text,
	`audience_rules` text,
	`sending_filter` text DEFAULT 'subscribed' NOT NULL,
	`scheduled_at` integer,
	`scheduled_local` text,
	`scheduled_time_zone` text,
	`started_at` integer,
	`finished_at` integer,
	`fan_out_cursor` text,
	`fan_out_done` integer DEFAULT false NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`content_id`) REFERENCES `email_contents`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`segment_id`) REFERENCES `segments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaigns_workspace_idx` ON `campaigns` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `campaigns_due_idx` ON `campaigns` (`status`,`scheduled_at`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `requires_opt_in` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `context` text;--> statement-breakpoint
CREATE INDEX `deliveries_stale_idx` ON `deliveries` (`status`,`updated_at`);--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `send_rate_per_second` integer;
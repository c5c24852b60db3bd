ALTER TABLE `campaigns` ADD `paused_at` integer;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `pause_reason` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `store_url` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sender_error` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sender_error_kind` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sender_failing_since` integer;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sender_checked_at` integer;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sender_auth_failures` integer DEFAULT 0 NOT NULL;
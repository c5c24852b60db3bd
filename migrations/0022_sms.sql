-- SMS through Twilio (src/sms): the workspace's Twilio account (the auth token encrypted
-- like the SMTP password), its quiet hours and SMS click window; a contact's own time
-- zone when known; an SMS design's body; short links that stand for a message's links;
-- and what Twilio's status callbacks said of a delivery.
ALTER TABLE `workspace_settings` ADD `twilio_account_sid` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `twilio_auth_token_ciphertext` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sms_from_number` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sms_messaging_service_sid` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sms_help_text` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sms_default_country` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `quiet_hours_start` integer DEFAULT 1260;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `quiet_hours_end` integer DEFAULT 480;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `sms_click_window_ms` integer DEFAULT 432000000 NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `time_zone` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `provider_status` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `provider_error_code` text;--> statement-breakpoint
CREATE TABLE `sms_contents` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `contents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `short_links` (
	`code` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `short_links_delivery_idx` ON `short_links` (`workspace_id`,`delivery_id`);

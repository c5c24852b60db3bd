-- Channel-neutral contents: deliveries and campaigns point at `contents` (name, channel);
-- the email design's body moves to `email_contents`, keyed by the same id. Renaming the old
-- table first makes SQLite rewrite the foreign keys of deliveries and campaigns to follow it,
-- so neither large table is rebuilt.
ALTER TABLE `email_contents` RENAME TO `contents`;--> statement-breakpoint
ALTER TABLE `contents` ADD `channel` text DEFAULT 'email' NOT NULL;--> statement-breakpoint
CREATE TABLE `email_contents` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`subject` text NOT NULL,
	`preheader` text,
	`html` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `contents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `email_contents` (`id`, `workspace_id`, `subject`, `preheader`, `html`) SELECT `id`, `workspace_id`, `subject`, `preheader`, `html` FROM `contents`;--> statement-breakpoint
DROP INDEX `email_contents_workspace_idx`;--> statement-breakpoint
ALTER TABLE `contents` DROP COLUMN `subject`;--> statement-breakpoint
ALTER TABLE `contents` DROP COLUMN `preheader`;--> statement-breakpoint
ALTER TABLE `contents` DROP COLUMN `html`;--> statement-breakpoint
CREATE INDEX `contents_workspace_idx` ON `contents` (`workspace_id`,`channel`,`created_at`);--> statement-breakpoint
-- Suppressions keyed by channel and address (an email, or an E.164 phone for SMS).
CREATE TABLE `suppressions_by_channel` (
	`workspace_id` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`reason` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `channel`, `address`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
INSERT INTO `suppressions_by_channel` (`workspace_id`, `channel`, `address`, `reason`, `detail`, `created_at`) SELECT `workspace_id`, 'email', `email`, `reason`, `detail`, `created_at` FROM `suppressions`;--> statement-breakpoint
DROP TABLE `suppressions`;--> statement-breakpoint
ALTER TABLE `suppressions_by_channel` RENAME TO `suppressions`;--> statement-breakpoint
-- Skip and failure reasons as codes analytics can group, beside the sentence.
ALTER TABLE `deliveries` ADD `reason_code` text;--> statement-breakpoint
-- Triggers are not only the store's: time-based ones (win-back, retention) come next.
ALTER TABLE `store_triggers` RENAME TO `triggers`;--> statement-breakpoint
DROP INDEX `store_triggers_occurrence_idx`;--> statement-breakpoint
DROP INDEX `store_triggers_time_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `triggers_occurrence_idx` ON `triggers` (`workspace_id`,`kind`,`occurrence_key`);--> statement-breakpoint
CREATE INDEX `triggers_time_idx` ON `triggers` (`workspace_id`,`occurred_at`);

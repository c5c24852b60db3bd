CREATE TABLE `queue_heartbeats` (
	`queue` text PRIMARY KEY NOT NULL,
	`sent_at` integer NOT NULL,
	`consumed_sent_at` integer,
	`consumed_at` integer
);
--> statement-breakpoint
ALTER TABLE `contact_imports` ADD `progress_at` integer;--> statement-breakpoint
CREATE INDEX `contact_imports_unfinished_idx` ON `contact_imports` (`status`,`progress_at`);--> statement-breakpoint
UPDATE `contact_imports` SET `progress_at` = coalesce(`finished_at`, `created_at`);

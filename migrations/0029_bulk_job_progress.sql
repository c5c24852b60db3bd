ALTER TABLE `contact_bulk_jobs` ADD `progress_at` integer;--> statement-breakpoint
CREATE INDEX `contact_bulk_jobs_unfinished_idx` ON `contact_bulk_jobs` (`status`,`progress_at`);--> statement-breakpoint
-- A job left running from before counts from its start: if its page was lost, the first tick re-drives it.
UPDATE `contact_bulk_jobs` SET `progress_at` = coalesce(`finished_at`, `created_at`);
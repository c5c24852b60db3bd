ALTER TABLE `workspace_settings` ADD `checklist_hidden_at` integer;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `domain_check` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `domain_checked_at` integer;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `dkim_selector` text;
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `segments_workspace_idx` ON `segments` (`workspace_id`,`created_at`);--> statement-breakpoint
DROP INDEX `contacts_spent_idx`;--> statement-breakpoint
DROP INDEX `contacts_last_order_idx`;--> statement-breakpoint
ALTER TABLE `contacts` ADD `last_opened_at` integer;--> statement-breakpoint
ALTER TABLE `contacts` ADD `last_clicked_at` integer;--> statement-breakpoint
CREATE INDEX `contacts_external_idx` ON `contacts` (`workspace_id`,`external_id`);
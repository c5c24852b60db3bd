-- Flows (src/flows): a flow's current definition and every version it had, so contacts
-- already in a flow finish the version they entered; enrollments unique per flow,
-- contact and trigger occurrence, advanced by the cron in claimed batches.
CREATE TABLE `flows` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`definition` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`enabled_at` integer,
	`trigger_cursor` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `flows_workspace_idx` ON `flows` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `flows_enabled_idx` ON `flows` (`enabled`,`kind`);--> statement-breakpoint
CREATE TABLE `flow_versions` (
	`workspace_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `version`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `flow_enrollments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`version` integer NOT NULL,
	`contact_id` text NOT NULL,
	`occurrence_key` text NOT NULL,
	`context` text,
	`status` text NOT NULL,
	`step_index` integer DEFAULT 0 NOT NULL,
	`next_run_at` integer,
	`claimed_until` integer,
	`reason` text,
	`enrolled_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flow_enrollments_once_idx` ON `flow_enrollments` (`workspace_id`,`flow_id`,`contact_id`,`occurrence_key`);--> statement-breakpoint
CREATE INDEX `flow_enrollments_due_idx` ON `flow_enrollments` (`status`,`next_run_at`);--> statement-breakpoint
CREATE INDEX `flow_enrollments_flow_idx` ON `flow_enrollments` (`workspace_id`,`flow_id`,`status`,`enrolled_at`);--> statement-breakpoint
CREATE INDEX `flow_enrollments_contact_idx` ON `flow_enrollments` (`workspace_id`,`flow_id`,`contact_id`,`enrolled_at`);
--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `smart_sending_hours` integer DEFAULT 16 NOT NULL;

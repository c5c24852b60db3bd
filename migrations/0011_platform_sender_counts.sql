-- How many emails each workspace sent through the platform sender in the current UTC
-- hour and day: one row per workspace, bumped by one conditional upsert per send.
CREATE TABLE `platform_sender_counts` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`hour_start` integer NOT NULL,
	`hour_count` integer NOT NULL,
	`day_start` integer NOT NULL,
	`day_count` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);

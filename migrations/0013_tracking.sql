-- Opens and clicks flushed from the CampaignTracker Durable Objects (src/tracking).
-- Each delivery's first reader open and click (and first machine open, counted apart).
CREATE TABLE `delivery_engagements` (
	`delivery_id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`opened_at` integer,
	`clicked_at` integer,
	`machine_opened_at` integer,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
-- Daily figures per campaign or flow (day = UTC midnight): readers' opens and clicks, uniques, machines' apart.
CREATE TABLE `engagement_daily` (
	`workspace_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`day` integer NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`machine_opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`machine_clicks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `source_type`, `source_id`, `day`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
-- Daily clicks per link of a campaign or flow.
CREATE TABLE `link_clicks_daily` (
	`workspace_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`day` integer NOT NULL,
	`url` text NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`machine_clicks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `source_type`, `source_id`, `day`, `url`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
-- The last flush each tracker wrote: a retried flush that already reached D1 is refused by the key.
CREATE TABLE `tracker_flushes` (
	`tracker` text NOT NULL,
	`seq` integer NOT NULL,
	`flushed_at` integer NOT NULL,
	PRIMARY KEY(`tracker`, `seq`)
);

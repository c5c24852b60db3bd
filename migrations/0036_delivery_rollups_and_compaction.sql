-- Reports from counts instead of scans of deliveries (engagement_counts, campaign_first_hours,
-- kept by triggers), and compacting a finished campaign's deliveries past the retention
-- window (src/deliveries/delivery-retention.ts): an archive row per compacted delivery, the
-- campaign's progress, and a marker the count-down triggers skip while it is set.
CREATE TABLE `campaign_first_hours` (
	`workspace_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`hour` integer NOT NULL,
	`opens` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `campaign_id`, `hour`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `deliveries_compacting` (
	`id` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE `delivery_archive` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`contact_id` text NOT NULL,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `delivery_archive_contact_idx` ON `delivery_archive` (`contact_id`);--> statement-breakpoint
CREATE TABLE `engagement_counts` (
	`workspace_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`unique_opens` integer DEFAULT 0 NOT NULL,
	`unique_clicks` integer DEFAULT 0 NOT NULL,
	`unsubscribes` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `source_type`, `source_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `campaigns` ADD `compaction_cursor` text;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `compacted_at` integer;--> statement-breakpoint
CREATE INDEX `campaigns_to_compact_idx` ON `campaigns` (`finished_at`) WHERE "campaigns"."compacted_at" IS NULL AND "campaigns"."status" IN ('sent', 'cancelled');
--> statement-breakpoint
-- The figures of the engagements there are today.
INSERT INTO `engagement_counts` (`workspace_id`, `source_type`, `source_id`, `unique_opens`, `unique_clicks`, `unsubscribes`)
SELECT d.`workspace_id`, d.`source_type`, d.`source_id`, count(e.`opened_at`), count(e.`clicked_at`), count(e.`unsubscribed_at`)
FROM `delivery_engagements` e JOIN `deliveries` d ON d.`id` = e.`delivery_id`
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `opens`)
SELECT d.`workspace_id`, c.`id`, (e.`opened_at` - c.`started_at`) / 3600000, count(*)
FROM `delivery_engagements` e JOIN `deliveries` d ON d.`id` = e.`delivery_id` AND d.`source_type` = 'campaign' JOIN `campaigns` c ON c.`id` = d.`source_id`
WHERE e.`opened_at` >= c.`started_at` AND e.`opened_at` < c.`started_at` + 48 * 3600000
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `clicks`)
SELECT d.`workspace_id`, c.`id`, (e.`clicked_at` - c.`started_at`) / 3600000, count(*)
FROM `delivery_engagements` e JOIN `deliveries` d ON d.`id` = e.`delivery_id` AND d.`source_type` = 'campaign' JOIN `campaigns` c ON c.`id` = d.`source_id`
WHERE e.`clicked_at` >= c.`started_at` AND e.`clicked_at` < c.`started_at` + 48 * 3600000
GROUP BY 1, 2, 3
ON CONFLICT DO UPDATE SET `clicks` = excluded.`clicks`;
--> statement-breakpoint
-- A delivery's engagement row counts from when it is written. Its source is read from the
-- delivery (the engagement row does not carry it); the chart's hour from the campaign's start.
CREATE TRIGGER `engagements_count_insert` AFTER INSERT ON `delivery_engagements` BEGIN
	INSERT INTO `engagement_counts` (`workspace_id`, `source_type`, `source_id`, `unique_opens`, `unique_clicks`, `unsubscribes`)
	SELECT d.`workspace_id`, d.`source_type`, d.`source_id`, NEW.`opened_at` IS NOT NULL, NEW.`clicked_at` IS NOT NULL, NEW.`unsubscribed_at` IS NOT NULL
	FROM `deliveries` d WHERE d.`id` = NEW.`delivery_id`
	ON CONFLICT DO UPDATE SET `unique_opens` = `unique_opens` + excluded.`unique_opens`, `unique_clicks` = `unique_clicks` + excluded.`unique_clicks`,
		`unsubscribes` = `unsubscribes` + excluded.`unsubscribes`;
	INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `opens`)
	SELECT c.`workspace_id`, c.`id`, (NEW.`opened_at` - c.`started_at`) / 3600000, 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign' AND NEW.`opened_at` >= c.`started_at` AND NEW.`opened_at` < c.`started_at` + 48 * 3600000
	ON CONFLICT DO UPDATE SET `opens` = `opens` + 1;
	INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `clicks`)
	SELECT c.`workspace_id`, c.`id`, (NEW.`clicked_at` - c.`started_at`) / 3600000, 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign' AND NEW.`clicked_at` >= c.`started_at` AND NEW.`clicked_at` < c.`started_at` + 48 * 3600000
	ON CONFLICT DO UPDATE SET `clicks` = `clicks` + 1;
END;
--> statement-breakpoint
-- The old values' counts only go down (UPDATE, never INSERT): their rows exist, having been
-- counted when the values were written.
CREATE TRIGGER `engagements_count_update` AFTER UPDATE OF `opened_at`, `clicked_at`, `unsubscribed_at` ON `delivery_engagements`
WHEN OLD.`opened_at` IS NOT NEW.`opened_at` OR OLD.`clicked_at` IS NOT NEW.`clicked_at` OR OLD.`unsubscribed_at` IS NOT NEW.`unsubscribed_at` BEGIN
	INSERT INTO `engagement_counts` (`workspace_id`, `source_type`, `source_id`, `unique_opens`, `unique_clicks`, `unsubscribes`)
	SELECT d.`workspace_id`, d.`source_type`, d.`source_id`, (NEW.`opened_at` IS NOT NULL) - (OLD.`opened_at` IS NOT NULL),
		(NEW.`clicked_at` IS NOT NULL) - (OLD.`clicked_at` IS NOT NULL), (NEW.`unsubscribed_at` IS NOT NULL) - (OLD.`unsubscribed_at` IS NOT NULL)
	FROM `deliveries` d WHERE d.`id` = NEW.`delivery_id`
	ON CONFLICT DO UPDATE SET `unique_opens` = `unique_opens` + excluded.`unique_opens`, `unique_clicks` = `unique_clicks` + excluded.`unique_clicks`,
		`unsubscribes` = `unsubscribes` + excluded.`unsubscribes`;
	UPDATE `campaign_first_hours` SET `opens` = `opens` - 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE OLD.`opened_at` IS NOT NEW.`opened_at` AND d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign'
		AND `campaign_first_hours`.`workspace_id` = c.`workspace_id` AND `campaign_id` = c.`id` AND `hour` = (OLD.`opened_at` - c.`started_at`) / 3600000
		AND OLD.`opened_at` >= c.`started_at` AND OLD.`opened_at` < c.`started_at` + 48 * 3600000;
	UPDATE `campaign_first_hours` SET `clicks` = `clicks` - 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE OLD.`clicked_at` IS NOT NEW.`clicked_at` AND d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign'
		AND `campaign_first_hours`.`workspace_id` = c.`workspace_id` AND `campaign_id` = c.`id` AND `hour` = (OLD.`clicked_at` - c.`started_at`) / 3600000
		AND OLD.`clicked_at` >= c.`started_at` AND OLD.`clicked_at` < c.`started_at` + 48 * 3600000;
	INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `opens`)
	SELECT c.`workspace_id`, c.`id`, (NEW.`opened_at` - c.`started_at`) / 3600000, 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE OLD.`opened_at` IS NOT NEW.`opened_at` AND d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign'
		AND NEW.`opened_at` >= c.`started_at` AND NEW.`opened_at` < c.`started_at` + 48 * 3600000
	ON CONFLICT DO UPDATE SET `opens` = `opens` + 1;
	INSERT INTO `campaign_first_hours` (`workspace_id`, `campaign_id`, `hour`, `clicks`)
	SELECT c.`workspace_id`, c.`id`, (NEW.`clicked_at` - c.`started_at`) / 3600000, 1
	FROM `deliveries` d JOIN `campaigns` c ON c.`id` = d.`source_id`
	WHERE OLD.`clicked_at` IS NOT NEW.`clicked_at` AND d.`id` = NEW.`delivery_id` AND d.`source_type` = 'campaign'
		AND NEW.`clicked_at` >= c.`started_at` AND NEW.`clicked_at` < c.`started_at` + 48 * 3600000
	ON CONFLICT DO UPDATE SET `clicks` = `clicks` + 1;
END;
--> statement-breakpoint
-- A delivery that goes (a contact erased, a workspace deleted) takes its engagement with it
-- by cascade. BEFORE: the engagement row is still there to say what to count down. A
-- compaction (marked by its row in deliveries_compacting) counts nothing down: a compacted
-- delivery still counts in its campaign's figures.
CREATE TRIGGER `deliveries_engagement_count_delete` BEFORE DELETE ON `deliveries`
WHEN NOT EXISTS (SELECT 1 FROM `deliveries_compacting`) AND EXISTS (SELECT 1 FROM `delivery_engagements` WHERE `delivery_id` = OLD.`id`) BEGIN
	UPDATE `engagement_counts` SET
		`unique_opens` = `unique_opens` - (e.`opened_at` IS NOT NULL),
		`unique_clicks` = `unique_clicks` - (e.`clicked_at` IS NOT NULL),
		`unsubscribes` = `unsubscribes` - (e.`unsubscribed_at` IS NOT NULL)
	FROM `delivery_engagements` e
	WHERE e.`delivery_id` = OLD.`id` AND `engagement_counts`.`workspace_id` = OLD.`workspace_id`
		AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`;
	UPDATE `campaign_first_hours` SET `opens` = `opens` - 1
	FROM `delivery_engagements` e JOIN `campaigns` c ON c.`id` = OLD.`source_id`
	WHERE OLD.`source_type` = 'campaign' AND e.`delivery_id` = OLD.`id`
		AND `campaign_first_hours`.`workspace_id` = c.`workspace_id` AND `campaign_id` = c.`id` AND `hour` = (e.`opened_at` - c.`started_at`) / 3600000
		AND e.`opened_at` >= c.`started_at` AND e.`opened_at` < c.`started_at` + 48 * 3600000;
	UPDATE `campaign_first_hours` SET `clicks` = `clicks` - 1
	FROM `delivery_engagements` e JOIN `campaigns` c ON c.`id` = OLD.`source_id`
	WHERE OLD.`source_type` = 'campaign' AND e.`delivery_id` = OLD.`id`
		AND `campaign_first_hours`.`workspace_id` = c.`workspace_id` AND `campaign_id` = c.`id` AND `hour` = (e.`clicked_at` - c.`started_at`) / 3600000
		AND e.`clicked_at` >= c.`started_at` AND e.`clicked_at` < c.`started_at` + 48 * 3600000;
END;
--> statement-breakpoint
DROP TRIGGER `deliveries_count_delete`;
--> statement-breakpoint
CREATE TRIGGER `deliveries_count_delete` AFTER DELETE ON `deliveries`
WHEN NOT EXISTS (SELECT 1 FROM `deliveries_compacting`) BEGIN
	UPDATE `delivery_counts` SET `n` = `n` - 1
	WHERE `workspace_id` = OLD.`workspace_id` AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`
		AND `status` = OLD.`status` AND `reason_code` = coalesce(OLD.`reason_code`, '');
END;

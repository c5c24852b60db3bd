CREATE TABLE `delivery_daily` (
	`workspace_id` text NOT NULL,
	`day` integer NOT NULL,
	`channel` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`delivered` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`opened` integer DEFAULT 0 NOT NULL,
	`clicked` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `channel`, `source_type`, `source_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- The days there are today.
INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `sent`, `delivered`, `opened`, `clicked`)
SELECT d.`workspace_id`, d.`sent_at` - d.`sent_at` % 86400000, d.`channel`, d.`source_type`, d.`source_id`, count(*),
	sum(d.`channel` = 'email' OR coalesce(d.`provider_status`, '') = 'delivered'), count(e.`opened_at`), count(e.`clicked_at`)
FROM `deliveries` d LEFT JOIN `delivery_engagements` e ON e.`delivery_id` = d.`id`
WHERE d.`status` = 'sent' AND d.`sent_at` IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `failed`)
SELECT `workspace_id`, `queued_at` - `queued_at` % 86400000, `channel`, `source_type`, `source_id`, count(*)
FROM `deliveries` WHERE `status` = 'failed'
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT DO UPDATE SET `failed` = excluded.`failed`;
--> statement-breakpoint
-- A delivery counts while it is sent (on its sent day) or failed (on its queued day).
CREATE TRIGGER `deliveries_daily_insert` AFTER INSERT ON `deliveries`
WHEN (NEW.`status` = 'sent' AND NEW.`sent_at` IS NOT NULL) OR NEW.`status` = 'failed' BEGIN
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `sent`, `delivered`)
	SELECT NEW.`workspace_id`, NEW.`sent_at` - NEW.`sent_at` % 86400000, NEW.`channel`, NEW.`source_type`, NEW.`source_id`, 1,
		NEW.`channel` = 'email' OR coalesce(NEW.`provider_status`, '') = 'delivered'
	WHERE NEW.`status` = 'sent' AND NEW.`sent_at` IS NOT NULL
	ON CONFLICT DO UPDATE SET `sent` = `sent` + 1, `delivered` = `delivered` + excluded.`delivered`;
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `failed`)
	SELECT NEW.`workspace_id`, NEW.`queued_at` - NEW.`queued_at` % 86400000, NEW.`channel`, NEW.`source_type`, NEW.`source_id`, 1
	WHERE NEW.`status` = 'failed'
	ON CONFLICT DO UPDATE SET `failed` = `failed` + 1;
END;
--> statement-breakpoint
-- The old state's counts only go down (UPDATE, never INSERT): its row exists, having been
-- counted when the delivery got there.
CREATE TRIGGER `deliveries_daily_update` AFTER UPDATE OF `status`, `sent_at`, `provider_status` ON `deliveries`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`sent_at` IS NOT NEW.`sent_at` OR OLD.`provider_status` IS NOT NEW.`provider_status` BEGIN
	UPDATE `delivery_daily` SET `sent` = `sent` - 1, `delivered` = `delivered` - (OLD.`channel` = 'email' OR coalesce(OLD.`provider_status`, '') = 'delivered')
	WHERE OLD.`status` = 'sent' AND `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`sent_at` - OLD.`sent_at` % 86400000
		AND `channel` = OLD.`channel` AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`;
	UPDATE `delivery_daily` SET `failed` = `failed` - 1
	WHERE OLD.`status` = 'failed' AND `workspace_id` = OLD.`workspace_id` AND `day` = OLD.`queued_at` - OLD.`queued_at` % 86400000
		AND `channel` = OLD.`channel` AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`;
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `sent`, `delivered`)
	SELECT NEW.`workspace_id`, NEW.`sent_at` - NEW.`sent_at` % 86400000, NEW.`channel`, NEW.`source_type`, NEW.`source_id`, 1,
		NEW.`channel` = 'email' OR coalesce(NEW.`provider_status`, '') = 'delivered'
	WHERE NEW.`status` = 'sent' AND NEW.`sent_at` IS NOT NULL
	ON CONFLICT DO UPDATE SET `sent` = `sent` + 1, `delivered` = `delivered` + excluded.`delivered`;
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `failed`)
	SELECT NEW.`workspace_id`, NEW.`queued_at` - NEW.`queued_at` % 86400000, NEW.`channel`, NEW.`source_type`, NEW.`source_id`, 1
	WHERE NEW.`status` = 'failed'
	ON CONFLICT DO UPDATE SET `failed` = `failed` + 1;
END;
--> statement-breakpoint
-- A reader's first open and first click count on the day their message was sent.
CREATE TRIGGER `engagements_daily_insert` AFTER INSERT ON `delivery_engagements`
WHEN NEW.`opened_at` IS NOT NULL OR NEW.`clicked_at` IS NOT NULL BEGIN
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `opened`, `clicked`)
	SELECT d.`workspace_id`, d.`sent_at` - d.`sent_at` % 86400000, d.`channel`, d.`source_type`, d.`source_id`, NEW.`opened_at` IS NOT NULL, NEW.`clicked_at` IS NOT NULL
	FROM `deliveries` d WHERE d.`id` = NEW.`delivery_id` AND d.`status` = 'sent' AND d.`sent_at` IS NOT NULL
	ON CONFLICT DO UPDATE SET `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`;
END;
--> statement-breakpoint
CREATE TRIGGER `engagements_daily_update` AFTER UPDATE OF `opened_at`, `clicked_at` ON `delivery_engagements`
WHEN (OLD.`opened_at` IS NULL) IS NOT (NEW.`opened_at` IS NULL) OR (OLD.`clicked_at` IS NULL) IS NOT (NEW.`clicked_at` IS NULL) BEGIN
	INSERT INTO `delivery_daily` (`workspace_id`, `day`, `channel`, `source_type`, `source_id`, `opened`, `clicked`)
	SELECT d.`workspace_id`, d.`sent_at` - d.`sent_at` % 86400000, d.`channel`, d.`source_type`, d.`source_id`,
		(NEW.`opened_at` IS NOT NULL) - (OLD.`opened_at` IS NOT NULL), (NEW.`clicked_at` IS NOT NULL) - (OLD.`clicked_at` IS NOT NULL)
	FROM `deliveries` d WHERE d.`id` = NEW.`delivery_id` AND d.`status` = 'sent' AND d.`sent_at` IS NOT NULL
	ON CONFLICT DO UPDATE SET `opened` = `opened` + excluded.`opened`, `clicked` = `clicked` + excluded.`clicked`;
END;

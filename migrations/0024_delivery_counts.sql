CREATE TABLE `delivery_counts` (
	`workspace_id` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`status` text NOT NULL,
	`reason_code` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `source_type`, `source_id`, `status`, `reason_code`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Counts of the deliveries there are today.
INSERT INTO `delivery_counts` (`workspace_id`, `source_type`, `source_id`, `status`, `reason_code`, `n`)
SELECT `workspace_id`, `source_type`, `source_id`, `status`, coalesce(`reason_code`, ''), count(*)
FROM `deliveries` GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
CREATE TRIGGER `deliveries_count_insert` AFTER INSERT ON `deliveries` BEGIN
	INSERT INTO `delivery_counts` (`workspace_id`, `source_type`, `source_id`, `status`, `reason_code`, `n`)
	VALUES (NEW.`workspace_id`, NEW.`source_type`, NEW.`source_id`, NEW.`status`, coalesce(NEW.`reason_code`, ''), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
-- The old count only goes down (UPDATE, never INSERT): its row always exists, having been
-- counted when the delivery was inserted or moved there.
CREATE TRIGGER `deliveries_count_update` AFTER UPDATE OF `status`, `reason_code` ON `deliveries`
WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`reason_code` IS NOT NEW.`reason_code` BEGIN
	UPDATE `delivery_counts` SET `n` = `n` - 1
	WHERE `workspace_id` = OLD.`workspace_id` AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`
		AND `status` = OLD.`status` AND `reason_code` = coalesce(OLD.`reason_code`, '');
	INSERT INTO `delivery_counts` (`workspace_id`, `source_type`, `source_id`, `status`, `reason_code`, `n`)
	VALUES (NEW.`workspace_id`, NEW.`source_type`, NEW.`source_id`, NEW.`status`, coalesce(NEW.`reason_code`, ''), 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
-- UPDATE only: when a workspace is deleted its counts may be gone before its deliveries,
-- and an INSERT here would then point at a workspace that no longer exists.
CREATE TRIGGER `deliveries_count_delete` AFTER DELETE ON `deliveries` BEGIN
	UPDATE `delivery_counts` SET `n` = `n` - 1
	WHERE `workspace_id` = OLD.`workspace_id` AND `source_type` = OLD.`source_type` AND `source_id` = OLD.`source_id`
		AND `status` = OLD.`status` AND `reason_code` = coalesce(OLD.`reason_code`, '');
END;

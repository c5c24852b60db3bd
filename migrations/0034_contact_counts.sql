CREATE TABLE `contact_counts` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `contact_counts` (`workspace_id`, `n`) SELECT `workspace_id`, count(*) FROM `contacts` GROUP BY 1;
--> statement-breakpoint
-- Only a row really inserted counts: an upsert that updates an existing contact fires no INSERT trigger.
CREATE TRIGGER `contacts_count_insert` AFTER INSERT ON `contacts` BEGIN
	INSERT INTO `contact_counts` (`workspace_id`, `n`) VALUES (NEW.`workspace_id`, 1)
	ON CONFLICT DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
-- UPDATE only: when a workspace is deleted its count may be gone before its contacts.
CREATE TRIGGER `contacts_count_delete` AFTER DELETE ON `contacts` BEGIN
	UPDATE `contact_counts` SET `n` = `n` - 1 WHERE `workspace_id` = OLD.`workspace_id`;
END;

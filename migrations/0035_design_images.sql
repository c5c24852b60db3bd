CREATE TABLE `design_images` (
	`workspace_id` text NOT NULL,
	`image_key` text NOT NULL,
	`content_id` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `image_key`, `content_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`content_id`) REFERENCES `contents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `design_images_content_idx` ON `design_images` (`content_id`);--> statement-breakpoint
-- Designs saved before this table: each workspace's images (at most 500) looked for in its designs' HTML.
INSERT OR IGNORE INTO `design_images` (`workspace_id`, `image_key`, `content_id`)
SELECT i.`workspace_id`, i.`key`, e.`id`
FROM `images` i JOIN `email_contents` e ON e.`workspace_id` = i.`workspace_id` AND instr(e.`html`, '/i/' || i.`key`) > 0;

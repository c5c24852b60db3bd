-- Tags compare case-insensitively (`VIP` is `vip`), the first spelling stored kept for display.
-- A contact keeps one row per tag whatever its case; then every contact of a workspace
-- takes the workspace's first spelling, so lists and filters show one tag.
DELETE FROM `contact_tags` WHERE rowid NOT IN (SELECT min(rowid) FROM `contact_tags` GROUP BY `workspace_id`, `contact_id`, lower(`tag`));--> statement-breakpoint
UPDATE `contact_tags` SET `tag` = (SELECT `first`.`tag` FROM `contact_tags` AS `first` WHERE `first`.`workspace_id` = `contact_tags`.`workspace_id` AND lower(`first`.`tag`) = lower(`contact_tags`.`tag`) ORDER BY `first`.rowid LIMIT 1);--> statement-breakpoint
CREATE UNIQUE INDEX `contact_tags_contact_tag_idx` ON `contact_tags` (`workspace_id`,`contact_id`,lower(`tag`));--> statement-breakpoint
DROP INDEX `contact_tags_tag_idx`;--> statement-breakpoint
CREATE INDEX `contact_tags_tag_idx` ON `contact_tags` (`workspace_id`,lower(`tag`));

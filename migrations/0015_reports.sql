-- Reports (src/reports): when a delivery's recipient unsubscribed through its link, so a
-- campaign's or flow's unsubscribes are its own; and deliveries by send time, so the
-- marketing overview counts a window's sent messages from an index range.
ALTER TABLE `delivery_engagements` ADD `unsubscribed_at` integer;--> statement-breakpoint
CREATE INDEX `deliveries_sent_idx` ON `deliveries` (`workspace_id`,`sent_at`);

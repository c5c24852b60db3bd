DROP INDEX `contacts_phone_idx`;--> statement-breakpoint
-- A phone now names one contact per workspace. Where contacts of different emails share a phone (a
-- household), the oldest keeps it and the others keep their email only, so the unique index can be built.
UPDATE `contacts` SET `phone` = NULL WHERE `phone` IS NOT NULL AND EXISTS (SELECT 1 FROM `contacts` AS `older` WHERE `older`.`workspace_id` = `contacts`.`workspace_id` AND `older`.`phone` = `contacts`.`phone` AND `older`.`id` < `contacts`.`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_phone_idx` ON `contacts` (`workspace_id`,`phone`) WHERE "contacts"."phone" IS NOT NULL;

-- CSV imports from real store exports (issue 14): a contact's totals from an export are a
-- baseline taken at the import's time, to which the store's own later orders add; an
-- import remembers the delimiter and line break found in its file, for its chunks; and a
-- reported row is an error (not imported) or a warning (imported without a bad value).
ALTER TABLE `contacts` ADD `imported_spent_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `imported_order_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contacts` ADD `imported_totals_at` integer;--> statement-breakpoint
ALTER TABLE `contact_imports` ADD `delimiter` text DEFAULT ',' NOT NULL;--> statement-breakpoint
ALTER TABLE `contact_imports` ADD `line_break` text DEFAULT 'lf' NOT NULL;--> statement-breakpoint
ALTER TABLE `contact_imports` ADD `warned_rows` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contact_import_rejections` ADD `severity` text DEFAULT 'error' NOT NULL;

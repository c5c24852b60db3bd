ALTER TABLE `workspace_settings` ADD `smtp_host` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `smtp_port` integer;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `smtp_security` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `smtp_username` text;--> statement-breakpoint
ALTER TABLE `workspace_settings` ADD `smtp_password_ciphertext` text;
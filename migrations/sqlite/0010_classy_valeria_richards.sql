CREATE TABLE `mailboxes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`to_address` text NOT NULL,
	`password_file` text,
	`token_command` text,
	`insecure` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`last_checked_at` integer,
	`last_error` text,
	`fetched_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_url_unique` ON `mailboxes` (`url`);
CREATE TABLE `reply_addresses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token` text NOT NULL,
	`case_id` integer NOT NULL,
	`kind` text NOT NULL,
	`address_lower` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reply_addresses_token_unique` ON `reply_addresses` (`token`);--> statement-breakpoint
CREATE UNIQUE INDEX `reply_addresses_live_idx` ON `reply_addresses` (`case_id`,`kind`,`address_lower`) WHERE retired_at IS NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `reply_address_id` integer;
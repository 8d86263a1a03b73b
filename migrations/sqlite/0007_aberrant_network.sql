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
ALTER TABLE `inbound` ADD `opened_via` integer;--> statement-breakpoint
CREATE INDEX `inbound_opened_via_idx` ON `inbound` (`opened_via`,lower(from_addr),`created_at`) WHERE opened_via IS NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `reply_address_id` integer;--> statement-breakpoint
CREATE INDEX `outbox_auto_response_idx` ON `outbox` (`recipient_lower`,`created_at`) WHERE kind = 'auto-response';--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `accept_from` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `block` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `rate_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `save_headers` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `auto_response` text;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `auto_response_if` text;
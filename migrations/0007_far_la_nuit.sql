ALTER TABLE `inbound` ADD `opened_via` integer;--> statement-breakpoint
CREATE INDEX `inbound_opened_via_idx` ON `inbound` (`opened_via`,lower(from_addr),`created_at`) WHERE opened_via IS NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `accept_from` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `block` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `rate_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `save_headers` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `auto_response` text;--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `auto_response_if` text;--> statement-breakpoint
CREATE INDEX `outbox_auto_response_idx` ON `outbox` (`recipient_lower`,`created_at`) WHERE kind = 'auto-response';
DROP INDEX `inbound_fingerprint_idx`;--> statement-breakpoint
DROP INDEX `inbound_decision_idx`;--> statement-breakpoint
CREATE INDEX `inbound_case_fingerprint_idx` ON `inbound` (`case_id`,`fingerprint`);--> statement-breakpoint
DROP INDEX `outbox_message_id_unique`;
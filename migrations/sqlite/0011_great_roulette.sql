CREATE TABLE `portal_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`email_lower` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_sessions_token_hash_unique` ON `portal_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `portal_sessions_expires_idx` ON `portal_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `portal_sign_ins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email_lower` text NOT NULL,
	`ip` text NOT NULL,
	`token_hash` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_sign_ins_token_hash_unique` ON `portal_sign_ins` (`token_hash`);--> statement-breakpoint
CREATE INDEX `portal_sign_ins_email_idx` ON `portal_sign_ins` (`email_lower`,`created_at`);--> statement-breakpoint
CREATE INDEX `portal_sign_ins_ip_idx` ON `portal_sign_ins` (`ip`,`created_at`);--> statement-breakpoint
CREATE TABLE `secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer,
	`comment_id` integer,
	`kind` text NOT NULL,
	`recipient` text NOT NULL,
	`recipient_lower` text NOT NULL,
	`token` text NOT NULL,
	`message_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text,
	`response` text,
	`sent_at` integer,
	`bounced_at` integer,
	`created_at` integer NOT NULL,
	`reply_address_id` integer,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("id", "case_id", "comment_id", "kind", "recipient", "recipient_lower", "token", "message_id", "status", "attempts", "next_attempt_at", "lease_owner", "lease_until", "last_error", "response", "sent_at", "bounced_at", "created_at", "reply_address_id") SELECT "id", "case_id", "comment_id", "kind", "recipient", "recipient_lower", "token", "message_id", "status", "attempts", "next_attempt_at", "lease_owner", "lease_until", "last_error", "response", "sent_at", "bounced_at", "created_at", "reply_address_id" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_token_unique` ON `outbox` (`token`);--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox` (`next_attempt_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_auto_response_idx` ON `outbox` (`recipient_lower`,`created_at`) WHERE kind = 'auto-response';
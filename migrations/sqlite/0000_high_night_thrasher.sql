CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `assignment_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sort_order` integer NOT NULL,
	`owner_id` integer NOT NULL,
	`subject_contains` text,
	`from_domain` text,
	`priority` text,
	`account_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`comment_id` integer NOT NULL,
	`sha256` text NOT NULL,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`content_id` text,
	`inline` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sha256`) REFERENCES `blobs`(`sha256`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_comment_idx` ON `attachments` (`comment_id`);--> statement-breakpoint
CREATE TABLE `blobs` (
	`sha256` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `bounces` (
	`address_lower` text PRIMARY KEY NOT NULL,
	`hard` integer NOT NULL,
	`status` text NOT NULL,
	`diagnostic` text,
	`outbox_id` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`subject` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text NOT NULL,
	`priority` text NOT NULL,
	`origin` text NOT NULL,
	`contact_id` integer,
	`account_id` integer,
	`owner_id` integer,
	`parent_id` integer,
	`division` text,
	`closed_when_created` integer DEFAULT false NOT NULL,
	`address_token` text NOT NULL,
	`thread_root` text NOT NULL,
	`supplied_email` text,
	`supplied_name` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number_unique` ON `cases` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `cases_address_token_unique` ON `cases` (`address_token`);--> statement-breakpoint
CREATE INDEX `cases_status_idx` ON `cases` (`status`);--> statement-breakpoint
CREATE INDEX `cases_contact_idx` ON `cases` (`contact_id`);--> statement-breakpoint
CREATE INDEX `cases_parent_idx` ON `cases` (`parent_id`);--> statement-breakpoint
CREATE INDEX `cases_thread_root_idx` ON `cases` (`thread_root`);--> statement-breakpoint
CREATE TABLE `collaborators` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`email` text NOT NULL,
	`email_lower` text NOT NULL,
	`added_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collaborators_case_email_idx` ON `collaborators` (`case_id`,`email_lower`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`author_email` text NOT NULL,
	`author_name` text,
	`body` text NOT NULL,
	`full_body` text NOT NULL,
	`source` text NOT NULL,
	`internal` integer DEFAULT false NOT NULL,
	`inbound_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `comments_case_idx` ON `comments` (`case_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer,
	`email` text NOT NULL,
	`email_lower` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`username` text,
	`handle` text,
	`external_id` text,
	`division` text,
	`help_admin` integer DEFAULT false NOT NULL,
	`eligible` integer DEFAULT true NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contacts_email_idx` ON `contacts` (`email_lower`);--> statement-breakpoint
CREATE INDEX `contacts_account_idx` ON `contacts` (`account_id`);--> statement-breakpoint
CREATE TABLE `inbound` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` text,
	`mail_from` text,
	`from_addr` text,
	`rcpt` text NOT NULL,
	`subject` text,
	`decision` text NOT NULL,
	`reason` text NOT NULL,
	`smtp_code` integer NOT NULL,
	`case_id` integer,
	`comment_id` integer,
	`fingerprint` text,
	`loop_key` text,
	`size` integer DEFAULT 0 NOT NULL,
	`headers` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inbound_fingerprint_idx` ON `inbound` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `inbound_loop_idx` ON `inbound` (`loop_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `inbound_decision_idx` ON `inbound` (`decision`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
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
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_token_unique` ON `outbox` (`token`);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_message_id_unique` ON `outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_case_idx` ON `outbox` (`case_id`);--> statement-breakpoint
CREATE TABLE `routing_addresses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`address` text NOT NULL,
	`address_lower` text NOT NULL,
	`priority` text NOT NULL,
	`origin` text NOT NULL,
	`owner_id` integer,
	`create_contacts` integer DEFAULT false NOT NULL,
	`notify` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `routing_addresses_address_lower_unique` ON `routing_addresses` (`address_lower`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`email_lower` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_lower_unique` ON `users` (`email_lower`);
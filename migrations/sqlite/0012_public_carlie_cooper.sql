CREATE TABLE `mailbox_messages` (
	`mailbox_id` integer NOT NULL,
	`uid_validity` integer NOT NULL,
	`uid` integer NOT NULL,
	`inbound_id` integer NOT NULL,
	`disposition` text NOT NULL,
	PRIMARY KEY(`mailbox_id`, `uid_validity`, `uid`),
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`inbound_id`) REFERENCES `inbound`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mailbox_messages_inbound_idx` ON `mailbox_messages` (`inbound_id`);
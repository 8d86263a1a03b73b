CREATE TABLE `case_fields` (
	`case_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`case_id`, `key`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `record_types` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`name_lower` text NOT NULL,
	`statuses` text,
	`priorities` text,
	`origins` text,
	`default_priority` text,
	`default_origin` text,
	`fields` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `record_types_name_lower_unique` ON `record_types` (`name_lower`);--> statement-breakpoint
ALTER TABLE `cases` ADD `record_type_id` integer REFERENCES record_types(id);--> statement-breakpoint
ALTER TABLE `routing_addresses` ADD `record_type_id` integer REFERENCES record_types(id);
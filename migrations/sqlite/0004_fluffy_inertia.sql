CREATE TABLE `assets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`serial` text,
	`serial_lower` text,
	`product_id` integer,
	`contact_id` integer,
	`account_id` integer,
	`install_date` text,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assets_serial_lower_unique` ON `assets` (`serial_lower`);--> statement-breakpoint
CREATE INDEX `assets_contact_idx` ON `assets` (`contact_id`);--> statement-breakpoint
CREATE INDEX `assets_account_idx` ON `assets` (`account_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`code` text NOT NULL,
	`code_lower` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_code_lower_unique` ON `products` (`code_lower`);--> statement-breakpoint
ALTER TABLE `cases` ADD `asset_id` integer REFERENCES assets(id);
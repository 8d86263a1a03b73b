ALTER TABLE `comments` ADD `auth` text;--> statement-breakpoint
ALTER TABLE `inbound` ADD `auth` text;
CREATE TABLE `pursuit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pursuit_id` integer NOT NULL,
	`firm_id` text NOT NULL,
	`kind` text NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`correction` integer DEFAULT false NOT NULL,
	`actor` text NOT NULL,
	`role` text NOT NULL,
	`note` text,
	`changes` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`pursuit_id`) REFERENCES `pursuits`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pursuit_events_pursuit_idx` ON `pursuit_events` (`pursuit_id`,`id`);--> statement-breakpoint
CREATE INDEX `pursuit_events_firm_idx` ON `pursuit_events` (`firm_id`,`at`);--> statement-breakpoint
CREATE TABLE `pursuits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`match_id` integer NOT NULL,
	`firm_id` text NOT NULL,
	`stage` text NOT NULL,
	`stage_at` text NOT NULL,
	`assignee` text,
	`bid_amount` real,
	`bid_currency` text,
	`submitted_on` text,
	`contract_value` real,
	`contract_currency` text,
	`awarded_on` text,
	`award_tender_id` integer,
	`award_linked_at` text,
	`reason` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`match_id`) REFERENCES `matches`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`firm_id`) REFERENCES `firms`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`award_tender_id`) REFERENCES `tenders`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pursuits_match_uq` ON `pursuits` (`match_id`);--> statement-breakpoint
CREATE INDEX `pursuits_firm_stage_idx` ON `pursuits` (`firm_id`,`stage`);--> statement-breakpoint
CREATE INDEX `pursuits_award_tender_idx` ON `pursuits` (`award_tender_id`);--> statement-breakpoint
ALTER TABLE `firms` ADD `gpass_designated_on` text;--> statement-breakpoint
ALTER TABLE `firms` ADD `sector` text;
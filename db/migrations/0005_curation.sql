CREATE TABLE `curation_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`match_id` integer,
	`firm_id` text NOT NULL,
	`tender_id` integer NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`role` text NOT NULL,
	`note` text,
	`reason_code` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `curation_actions_match_idx` ON `curation_actions` (`match_id`);--> statement-breakpoint
CREATE INDEX `curation_actions_firm_idx` ON `curation_actions` (`firm_id`,`at`);--> statement-breakpoint
ALTER TABLE `firms` ADD `auto_publish_threshold` real;--> statement-breakpoint
ALTER TABLE `firms` ADD `feed_token_hash` text;--> statement-breakpoint
ALTER TABLE `firms` ADD `feedback` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `matches` ADD `published_at` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `reviewer` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `note` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `reason_code` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `firm_state` text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE `matches` ADD `firm_reason` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `firm_state_at` text;--> statement-breakpoint
ALTER TABLE `matches` ADD `last_change` text;--> statement-breakpoint
CREATE INDEX `matches_state_score_idx` ON `matches` (`state`,`score`);--> statement-breakpoint
CREATE INDEX `matches_firm_state_published_idx` ON `matches` (`firm_id`,`state`,`published_at`);
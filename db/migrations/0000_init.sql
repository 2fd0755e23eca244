CREATE TABLE `tender_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tender_id` integer NOT NULL,
	`version` integer NOT NULL,
	`run_id` integer,
	`changed_at` text NOT NULL,
	`changes` text NOT NULL,
	`content_hash` text NOT NULL,
	FOREIGN KEY (`tender_id`) REFERENCES `tenders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tender_versions_tender_version_uq` ON `tender_versions` (`tender_id`,`version`);--> statement-breakpoint
CREATE TABLE `tenders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`source_id` text NOT NULL,
	`reference` text,
	`title` text NOT NULL,
	`description` text,
	`buyer` text,
	`countries` text DEFAULT '[]' NOT NULL,
	`notice_type` text NOT NULL,
	`notice_type_label` text,
	`procurement_method` text,
	`category` text,
	`unspsc` text DEFAULT '[]' NOT NULL,
	`published_at` text,
	`deadline_at` text,
	`deadline_raw` text,
	`deadline_zone` text,
	`deadline_zone_known` integer,
	`source_status` text,
	`value_amount` real,
	`value_currency` text,
	`language` text,
	`url` text,
	`project_id` text,
	`identifiers` text DEFAULT '{}' NOT NULL,
	`content_hash` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`cluster_id` integer,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenders_source_source_id_uq` ON `tenders` (`source`,`source_id`);--> statement-breakpoint
CREATE INDEX `tenders_deadline_idx` ON `tenders` (`deadline_at`);--> statement-breakpoint
CREATE INDEX `tenders_published_idx` ON `tenders` (`published_at`);--> statement-breakpoint
CREATE INDEX `tenders_updated_idx` ON `tenders` (`updated_at`);--> statement-breakpoint
CREATE INDEX `tenders_cluster_idx` ON `tenders` (`cluster_id`);--> statement-breakpoint
CREATE INDEX `tenders_reference_idx` ON `tenders` (`reference`);--> statement-breakpoint
CREATE TABLE `raw_notices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`source_id` text NOT NULL,
	`payload` text NOT NULL,
	`payload_hash` text NOT NULL,
	`content_type` text NOT NULL,
	`url` text,
	`fetched_at` text NOT NULL,
	`run_id` integer,
	`parser_version` integer,
	`parse_error` text,
	`problems` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `raw_notices_source_id_hash_uq` ON `raw_notices` (`source`,`source_id`,`payload_hash`);--> statement-breakpoint
CREATE INDEX `raw_notices_source_idx` ON `raw_notices` (`source`,`source_id`);--> statement-breakpoint
CREATE TABLE `run_problems` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`source_id` text,
	`url` text,
	`message` text NOT NULL,
	`at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `scrape_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_problems_run_idx` ON `run_problems` (`run_id`);--> statement-breakpoint
CREATE TABLE `scrape_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`status` text NOT NULL,
	`sample` integer DEFAULT false NOT NULL,
	`pages` integer DEFAULT 0 NOT NULL,
	`items_seen` integer DEFAULT 0 NOT NULL,
	`items_new` integer DEFAULT 0 NOT NULL,
	`items_amended` integer DEFAULT 0 NOT NULL,
	`items_unchanged` integer DEFAULT 0 NOT NULL,
	`items_failed` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `scrape_runs_source_started_idx` ON `scrape_runs` (`source`,`started_at`);--> statement-breakpoint
CREATE TABLE `firms` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_ko` text,
	`description` text,
	`gpass_designated` integer DEFAULT false NOT NULL,
	`gpass_expires_at` text,
	`contact_name` text,
	`contact_email` text,
	`profile` text NOT NULL,
	`profile_version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `matches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`firm_id` text NOT NULL,
	`tender_id` integer NOT NULL,
	`score` real NOT NULL,
	`explanation` text NOT NULL,
	`state` text DEFAULT 'proposed' NOT NULL,
	`profile_version` integer NOT NULL,
	`scoring_version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`meta` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`firm_id`) REFERENCES `firms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `matches_firm_tender_uq` ON `matches` (`firm_id`,`tender_id`);--> statement-breakpoint
CREATE INDEX `matches_tender_idx` ON `matches` (`tender_id`);--> statement-breakpoint
CREATE INDEX `matches_firm_score_idx` ON `matches` (`firm_id`,`score`);
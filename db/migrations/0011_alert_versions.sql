CREATE TABLE `alert_versions` (
	`firm_id` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);

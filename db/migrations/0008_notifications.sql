CREATE TABLE `notification_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient_id` integer NOT NULL,
	`firm_id` text NOT NULL,
	`kind` text NOT NULL,
	`period_key` text NOT NULL,
	`status` text NOT NULL,
	`alert_ids` text DEFAULT '[]' NOT NULL,
	`changed_alert_ids` text DEFAULT '[]' NOT NULL,
	`detail` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`last_attempt_at` text,
	`subject` text,
	`message_id` text,
	`error` text,
	`merged_into` integer,
	`created_at` text NOT NULL,
	`sent_at` text,
	FOREIGN KEY (`recipient_id`) REFERENCES `recipients`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_sends_recipient_period_uq` ON `notification_sends` (`recipient_id`,`kind`,`period_key`);--> statement-breakpoint
CREATE INDEX `notification_sends_due_idx` ON `notification_sends` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `notification_sends_firm_idx` ON `notification_sends` (`firm_id`,`id`);--> statement-breakpoint
CREATE TABLE `recipients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`firm_id` text NOT NULL,
	`name` text,
	`email` text NOT NULL,
	`language` text DEFAULT 'ko' NOT NULL,
	`cadence` text DEFAULT 'daily' NOT NULL,
	`send_hour` integer DEFAULT 8 NOT NULL,
	`time_zone` text DEFAULT 'Asia/Seoul' NOT NULL,
	`max_items` integer DEFAULT 20 NOT NULL,
	`digest_event_id` integer DEFAULT 0 NOT NULL,
	`notice_event_id` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`firm_id`) REFERENCES `firms`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recipients_firm_email_uq` ON `recipients` (`firm_id`,`email`);
CREATE TABLE `cluster_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tender_id` integer NOT NULL,
	`other_id` integer NOT NULL,
	`score` real NOT NULL,
	`reasons` text NOT NULL,
	`state` text NOT NULL,
	`actor` text,
	`at` text NOT NULL,
	FOREIGN KEY (`tender_id`) REFERENCES `tenders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`other_id`) REFERENCES `tenders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_links_tender_idx` ON `cluster_links` (`tender_id`);--> statement-breakpoint
CREATE INDEX `cluster_links_other_idx` ON `cluster_links` (`other_id`);--> statement-breakpoint
CREATE TABLE `tender_refs` (
	`tender_id` integer NOT NULL,
	`ref` text NOT NULL,
	FOREIGN KEY (`tender_id`) REFERENCES `tenders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tender_refs_tender_ref_uq` ON `tender_refs` (`tender_id`,`ref`);--> statement-breakpoint
CREATE INDEX `tender_refs_ref_idx` ON `tender_refs` (`ref`);--> statement-breakpoint
ALTER TABLE `tenders` ADD `title_key` text DEFAULT '' NOT NULL;
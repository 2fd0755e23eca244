DROP INDEX `matches_firm_state_published_idx`;--> statement-breakpoint
CREATE INDEX `matches_firm_published_idx` ON `matches` (`firm_id`,`published_at`) WHERE "matches"."state" = 'published';
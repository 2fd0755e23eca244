-- Replaces the triggers of 0012_alert_versions_triggers (same events, same meaning):
-- - the tender lookups say `+state`, so they stay on matches_tender_idx; with `IN (OLD.id,
--   NEW.id)` the planner took the state index and walked every published match for each
--   amended tender (5,000 amendments: 11.7 s instead of 1.1 s);
-- - no UNION (an ephemeral table per updated match): the old firm is bumped only if it differs;
-- - a version is the time of the change in microseconds, or one more than the last if the clock
--   has not moved, so it never comes back (a row deleted, an older copy of the database
--   restored) and a page built at one version can't be taken for a later state.
DROP TRIGGER IF EXISTS `alert_versions_match_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `alert_versions_match_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `alert_versions_match_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `alert_versions_tender_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `alert_versions_tender_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `alert_versions_tender_insert`;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_match_insert` AFTER INSERT ON `matches` WHEN NEW.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) VALUES (NEW.firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_match_update` AFTER UPDATE ON `matches` WHEN OLD.state = 'published' OR NEW.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) VALUES (NEW.firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
  INSERT INTO alert_versions (firm_id, version) SELECT OLD.firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) WHERE OLD.firm_id IS NOT NEW.firm_id
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_match_delete` AFTER DELETE ON `matches` WHEN OLD.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) VALUES (OLD.firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;
--> statement-breakpoint
-- A tender field the listing shows (ALERT_SELECT in src/alerts/service.ts; a test checks the
-- two lists agree) really changed: the firms alerted to that tender. Ingest's "seen again"
-- touch (last_seen_at) and cluster linking don't fire it. `+state` keeps the lookup on
-- matches_tender_idx (the planner could pick the state index and walk every published match).
CREATE TRIGGER `alert_versions_tender_update`
AFTER UPDATE OF `id`, `source`, `reference`, `title`, `buyer`, `countries`, `url`, `deadline_at`, `deadline_zone`, `deadline_zone_known`, `source_status` ON `tenders`
WHEN OLD.id IS NOT NEW.id OR OLD.source IS NOT NEW.source OR OLD.reference IS NOT NEW.reference OR OLD.title IS NOT NEW.title
  OR OLD.buyer IS NOT NEW.buyer OR OLD.countries IS NOT NEW.countries OR OLD.url IS NOT NEW.url OR OLD.deadline_at IS NOT NEW.deadline_at
  OR OLD.deadline_zone IS NOT NEW.deadline_zone OR OLD.deadline_zone_known IS NOT NEW.deadline_zone_known OR OLD.source_status IS NOT NEW.source_status
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE tender_id = NEW.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE OLD.id IS NOT NEW.id AND tender_id = OLD.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;
--> statement-breakpoint
-- A tender deleted, or inserted under an id a published match already names (the listing joins on it).
CREATE TRIGGER `alert_versions_tender_delete` AFTER DELETE ON `tenders`
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE tender_id = OLD.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_tender_insert` AFTER INSERT ON `tenders`
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE tender_id = NEW.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;

-- Keeps alert_versions (db/schema/firms.ts) moving whenever what a firm's alert listing shows
-- could change, whichever connection or process writes: the API serves cached alert pages
-- only while the firm's version is the one they were built at (src/alerts/page-cache.ts).
-- A published match inserted, updated (state, score, note, firm mark, change…) or deleted;
-- deleting a firm deletes its matches through the foreign key, which fires the delete trigger.
CREATE TRIGGER `alert_versions_match_insert` AFTER INSERT ON `matches` WHEN NEW.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) VALUES (NEW.firm_id, 1)
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_match_update` AFTER UPDATE ON `matches` WHEN OLD.state = 'published' OR NEW.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm, 1 FROM (SELECT OLD.firm_id AS firm UNION SELECT NEW.firm_id) WHERE true
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_match_delete` AFTER DELETE ON `matches` WHEN OLD.state = 'published'
BEGIN
  INSERT INTO alert_versions (firm_id, version) VALUES (OLD.firm_id, 1)
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
-- A tender field the listing shows (ALERT_SELECT in src/alerts/service.ts; a test checks the
-- two lists agree) really changed: the firms alerted to that tender. Ingest's "seen again"
-- touch (last_seen_at) and cluster linking don't fire it.
CREATE TRIGGER `alert_versions_tender_update`
AFTER UPDATE OF `id`, `source`, `reference`, `title`, `buyer`, `countries`, `url`, `deadline_at`, `deadline_zone`, `deadline_zone_known`, `source_status` ON `tenders`
WHEN OLD.id IS NOT NEW.id OR OLD.source IS NOT NEW.source OR OLD.reference IS NOT NEW.reference OR OLD.title IS NOT NEW.title
  OR OLD.buyer IS NOT NEW.buyer OR OLD.countries IS NOT NEW.countries OR OLD.url IS NOT NEW.url OR OLD.deadline_at IS NOT NEW.deadline_at
  OR OLD.deadline_zone IS NOT NEW.deadline_zone OR OLD.deadline_zone_known IS NOT NEW.deadline_zone_known OR OLD.source_status IS NOT NEW.source_status
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, 1 FROM matches WHERE tender_id IN (OLD.id, NEW.id) AND state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
-- A tender deleted, or inserted under an id a published match already names (the listing joins on it).
CREATE TRIGGER `alert_versions_tender_delete` AFTER DELETE ON `tenders`
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, 1 FROM matches WHERE tender_id = OLD.id AND state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_tender_insert` AFTER INSERT ON `tenders`
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, 1 FROM matches WHERE tender_id = NEW.id AND state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = version + 1;
END;

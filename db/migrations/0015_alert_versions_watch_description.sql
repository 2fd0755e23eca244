-- Match explanations are stored compactly (src/matching/explanation-codec.ts): a snippet is
-- its start in the tender's field, cut again on read, so the listing now reads the tender's
-- description too. The tender trigger of 0013 watches it as well; otherwise the same.
DROP TRIGGER IF EXISTS `alert_versions_tender_update`;
--> statement-breakpoint
CREATE TRIGGER `alert_versions_tender_update`
AFTER UPDATE OF `id`, `source`, `reference`, `title`, `description`, `buyer`, `countries`, `url`, `deadline_at`, `deadline_zone`, `deadline_zone_known`, `source_status` ON `tenders`
WHEN OLD.id IS NOT NEW.id OR OLD.source IS NOT NEW.source OR OLD.reference IS NOT NEW.reference OR OLD.title IS NOT NEW.title
  OR OLD.description IS NOT NEW.description OR OLD.buyer IS NOT NEW.buyer OR OLD.countries IS NOT NEW.countries OR OLD.url IS NOT NEW.url
  OR OLD.deadline_at IS NOT NEW.deadline_at OR OLD.deadline_zone IS NOT NEW.deadline_zone OR OLD.deadline_zone_known IS NOT NEW.deadline_zone_known
  OR OLD.source_status IS NOT NEW.source_status
BEGIN
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE tender_id = NEW.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
  INSERT INTO alert_versions (firm_id, version) SELECT firm_id, CAST(unixepoch('subsec') * 1000000 AS INTEGER) FROM matches WHERE OLD.id IS NOT NEW.id AND tender_id = OLD.id AND +state = 'published'
    ON CONFLICT (firm_id) DO UPDATE SET version = max(version + 1, excluded.version);
END;

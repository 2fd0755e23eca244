-- Full-text index over tenders, fed by the application with the matcher's own analysis
-- (src/matching/analyzer.ts): each column holds analyzed tokens joined by spaces, so the
-- API's search and the matcher agree on stemming, folding and Korean bigrams.
-- Contentless (the text lives in `tenders`); rowid = tenders.id.
CREATE VIRTUAL TABLE `tenders_fts` USING fts5(
  `title`,
  `body`,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 0'
);

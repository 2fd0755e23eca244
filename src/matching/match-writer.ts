/**
 * Writes a chunk's matches to the `matches` table: new pairs inserted, changed ones updated,
 * unchanged ones left alone (a re-match that finds what is stored writes nothing), and
 * proposed matches of these tenders that the run no longer finds removed. Curated matches
 * (published, rejected) are re-scored but never removed. One transaction per chunk.
 */
import type Database from 'better-sqlite3';
import { explanationBytes, type ScoredChunk } from './match-rows.js';
import { SCORING_VERSION } from './scoring.js';

export interface MatchWriterOptions {
  /** The run's profiles, by index: firm id and profile version. */
  firmIds: readonly string[];
  profileVersions: readonly number[];
  now: string;
  /** Only these firms' matches are in scope (a run for some firms leaves the others' alone). */
  scopeFirmIds?: readonly string[];
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

interface StoredMatch {
  id: number;
  firm_id: string;
  tender_id: number;
  state: string;
}

// Many rows per statement: binding and stepping one statement per match dominates otherwise.
const ROWS_PER_INSERT = 64;
const pairKey = (profile: number, tender: number) => profile * 4_294_967_296 + tender;

export function createMatchWriter(sqlite: Database.Database, o: MatchWriterOptions) {
  const firmIndex = new Map(o.firmIds.map((id, i) => [id, i]));
  const scope = o.scopeFirmIds?.length ? `AND firm_id IN (SELECT value FROM json_each(@firms))` : '';
  const firms = o.scopeFirmIds?.length ? JSON.stringify(o.scopeFirmIds) : null;
  const stored = sqlite.prepare(
    `SELECT id, firm_id, tender_id, state FROM matches WHERE tender_id IN (SELECT value FROM json_each(@tenders)) ${scope}`,
  );
  // The run's clock and scoring version are the same for every row: literals, not parameters.
  // Explanations come as UTF-8 bytes and are stored as the text they are (CAST AS TEXT).
  const now = `'${o.now.replace(/'/g, "''")}'`;
  const values = `(?, ?, ?, CAST(? AS TEXT), 'proposed', ?, ${SCORING_VERSION}, ${now}, ${now})`;
  const insertSql = (rows: number) =>
    `INSERT INTO matches (firm_id, tender_id, score, explanation, state, profile_version, scoring_version, created_at, updated_at)
     VALUES ${Array.from({ length: rows }, () => values).join(', ')}`;
  const insertMany = sqlite.prepare(insertSql(ROWS_PER_INSERT));
  const insertOne = sqlite.prepare(insertSql(1));
  // SQLite compares the stored row with the new one where it reads it: an unchanged match costs
  // one lookup and is not written (nor are its explanation's bytes read into this thread).
  const update = sqlite.prepare(
    `UPDATE matches SET score = @score, explanation = CAST(@explanation AS TEXT), profile_version = @version, scoring_version = ${SCORING_VERSION}, updated_at = ${now}
     WHERE id = @id AND (score IS NOT @score OR explanation IS NOT CAST(@explanation AS TEXT) OR profile_version IS NOT @version OR scoring_version IS NOT ${SCORING_VERSION})`,
  );
  const remove = sqlite.prepare(`DELETE FROM matches WHERE id = ?`);

  const write = (chunk: ScoredChunk): WriteCounts => {
    const counts: WriteCounts = { inserted: 0, updated: 0, unchanged: 0, removed: 0 };
    const existing = new Map<number, StoredMatch>();
    for (const m of stored.all({ tenders: JSON.stringify(chunk.tenderIds), ...(firms ? { firms } : {}) }) as StoredMatch[]) {
      const p = firmIndex.get(m.firm_id);
      // A firm outside the run (deleted since, or not in scope) keeps its rows.
      if (p !== undefined) existing.set(pairKey(p, m.tender_id), m);
    }
    let batch: unknown[] = [];
    // By profile (firm id order): each firm's index entries are written together.
    for (let k = 0; k < chunk.count; k++) {
      const i = chunk.order[k];
      const p = chunk.profile[i];
      const key = pairKey(p, chunk.tender[i]);
      const explanation = explanationBytes(chunk, i);
      const old = existing.get(key);
      if (old) {
        existing.delete(key);
        if (update.run({ score: chunk.score[i], explanation, version: o.profileVersions[p], id: old.id }).changes) counts.updated++;
        else counts.unchanged++;
        continue;
      }
      batch.push(o.firmIds[p], chunk.tender[i], chunk.score[i], explanation, o.profileVersions[p]);
      counts.inserted++;
      if (batch.length === ROWS_PER_INSERT * 5) {
        insertMany.run(batch);
        batch = [];
      }
    }
    for (let j = 0; j < batch.length; j += 5) insertOne.run(batch.slice(j, j + 5));
    // What is left was not found again: proposed matches go, curated ones stay.
    for (const m of existing.values()) if (m.state === 'proposed') counts.removed += remove.run(m.id).changes;
    return counts;
  };
  return { write: (chunk: ScoredChunk) => sqlite.transaction(write).immediate(chunk) };
}

/**
 * Benchmark suites. Each returns figures measured in one run beside its alternative
 * (the floor or the naive method), so ratios are comparable on a shared machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../db/client.js';
import type { RawNotice, SourceDefinition } from '../scrapers/contract.js';
import type { HttpClient } from '../scrapers/http-client.js';
import { runSource } from '../src/ingest/run-source.js';
import { worldbank } from '../scrapers/worldbank.js';
import { createIngestor } from '../src/ingest/ingest.js';
import { createFirm } from '../src/firms/repository.js';
import { createSegmentInferrer, scoringContext } from '../src/matching/engine.js';
import { loadProfiles, rowToFacts, runMatch } from '../src/matching/matcher.js';
import { WEIGHTS } from '../src/matching/scoring.js';
import { buildTenderDoc, type TenderDoc } from '../src/matching/tender-doc.js';
import { statusSql } from '../src/tenders/repository.js';
import { profiles, worldBankRows } from './generate.js';
import { agreement, fts5PerProfile, minisearchPerProfile, naive, restricted, segmentsOf, storedQueries, type MatchSet } from './match-alternatives.js';

export const NOW = new Date('2026-11-21T00:00:00Z');

export interface Figure {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function figure(values: number[]): Figure {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s[s.length - 1], runs: s.length };
}

function tempDb(): { file: string; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpass-bench-'));
  return { file: path.join(dir, 'bench.db'), dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function toRaw(rows: Record<string, unknown>[]): RawNotice[] {
  const fetchedAt = NOW.toISOString();
  return rows.map((r) => ({ sourceId: String(r.id), payload: JSON.stringify(r), contentType: 'application/json', url: null, fetchedAt }));
}

function ingestAll(store: Store, raws: RawNotice[], batch = 1000) {
  const ing = createIngestor(store.sqlite, worldbank, { runId: null, now: () => NOW.toISOString() });
  for (let i = 0; i < raws.length; i += batch) ing.ingestBatch(raws.slice(i, i + batch));
  return ing;
}

/** A World Bank source whose "fetch" yields payloads already in memory: ingest without the network. */
function memorySource(raws: RawNotice[]): SourceDefinition {
  return {
    ...worldbank,
    async *fetch() {
      yield* raws;
    },
  };
}

const noHttp = {} as HttpClient;

/**
 * Suite ingest: parse + normalize + upsert through the scrape path (parsing in a worker while
 * the main thread writes), beside the same in one thread, and plain inserts of the same
 * payloads (the floor).
 */
/**
 * The floor: the same payloads as plain rows of one table in a store of its own, batches of
 * 1,000, no parsing or normalization. `insert` returns the seconds it took.
 */
function createFloor() {
  const db = tempDb();
  const plain = openStore(db.file, { migrate: false });
  plain.sqlite.exec('CREATE TABLE plain (id INTEGER PRIMARY KEY, source_id TEXT UNIQUE, payload TEXT)');
  const row = plain.sqlite.prepare('INSERT INTO plain (source_id, payload) VALUES (?, ?)');
  const batch = plain.sqlite.transaction((raws: RawNotice[]) => raws.forEach((x) => row.run(x.sourceId, x.payload)));
  return {
    insert(raws: RawNotice[]): number {
      const t0 = performance.now();
      for (let i = 0; i < raws.length; i += 1000) batch(raws.slice(i, i + 1000));
      return (performance.now() - t0) / 1000;
    },
    close() {
      plain.close();
      db.cleanup();
    },
  };
}

export async function benchIngest(notices: number, repeats = 3) {
  const raws = toRaw(worldBankRows(notices));
  const rates: number[] = [];
  const oneThread: number[] = [];
  const floor: number[] = [];
  let failed = 0;
  for (let r = 0; r < repeats; r++) {
    const db = tempDb();
    const store = openStore(db.file);
    const t0 = performance.now();
    const run = await runSource({ sqlite: store.sqlite, source: memorySource(raws), http: noHttp, workerParser: 'worldbank', batchSize: 1000 });
    rates.push(notices / ((performance.now() - t0) / 1000));
    failed = run.counts.failed;
    store.close();
    db.cleanup();

    const db1 = tempDb();
    const store1 = openStore(db1.file);
    const t2 = performance.now();
    ingestAll(store1, raws);
    oneThread.push(notices / ((performance.now() - t2) / 1000));
    store1.close();
    db1.cleanup();

    const plain = createFloor();
    floor.push(notices / plain.insert(raws));
    plain.close();
  }
  return { notices, failed, noticesPerS: figure(rates), oneThreadPerS: figure(oneThread), floorPerS: figure(floor) };
}

/**
 * Suite ingest, the volume run: `total` notices into one store, through the scrape path in
 * slices of 50,000 (batches of 1,000), so the rate is seen as the store grows; beside plain
 * inserts of the same payloads into another store (the floor). Payloads are generated a slice at
 * a time (a million in memory at once would be ~1.5 GB).
 */
export async function benchIngestVolume(total: number, slice = 50_000) {
  const db = tempDb();
  const store = openStore(db.file);
  const plain = createFloor();
  try {
    const rates: number[] = [];
    const floorRates: number[] = [];
    let seconds = 0;
    let floorSeconds = 0;
    let failed = 0;
    for (let done = 0; done < total; done += slice) {
      const n = Math.min(slice, total - done);
      const raws = toRaw(worldBankRows(n, 2000 + done, done + 1));
      const t0 = performance.now();
      const run = await runSource({ sqlite: store.sqlite, source: memorySource(raws), http: noHttp, workerParser: 'worldbank', batchSize: 1000 });
      const s = (performance.now() - t0) / 1000;
      seconds += s;
      rates.push(n / s);
      failed += run.counts.failed;
      const f = plain.insert(raws);
      floorSeconds += f;
      floorRates.push(n / f);
    }
    const stored = (store.sqlite.prepare('SELECT count(*) AS n FROM tenders').get() as { n: number }).n;
    return {
      notices: total,
      slice,
      stored,
      failed,
      seconds,
      noticesPerS: total / seconds,
      perSlice: figure(rates),
      firstSlicePerS: rates[0],
      lastSlicePerS: rates[rates.length - 1],
      floorPerS: total / floorSeconds,
      floorPerSlice: figure(floorRates),
      dbMb: fs.statSync(db.file).size / 2 ** 20,
    };
  } finally {
    store.close();
    plain.close();
    db.cleanup();
  }
}

function seedFirms(store: Store, count: number) {
  const list = profiles(count);
  store.sqlite.transaction(() => list.forEach((p, i) => createFirm(store.sqlite, { id: `firm-${i}`, name: `Firm ${i}`, ...p })))();
}

/** Tender documents as the matcher builds them, with their status at the suites' clock. */
function docsOf(store: Store, ids: number[]): TenderDoc[] {
  const one = store.sqlite.prepare(`SELECT t.*, ${statusSql('@now')} AS status FROM tenders t WHERE id = @id`);
  return ids.map((id) => buildTenderDoc(rowToFacts(one.get({ id, now: NOW.toISOString() }))));
}

/** The matches stored in `matches` (what the matcher wrote), as the alternatives report theirs. */
function storedMatches(store: Store, firmIds?: string[], tenderIds?: number[]): MatchSet {
  // Filtered in SQL: at a million tenders the table holds ~66 M matches (more than a Map takes).
  const rows = (firmIds
    ? store.sqlite.prepare(`SELECT firm_id, tender_id, score FROM matches WHERE firm_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(firmIds))
    : tenderIds
      ? store.sqlite.prepare(`SELECT firm_id, tender_id, score FROM matches WHERE tender_id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(tenderIds))
      : store.sqlite.prepare(`SELECT firm_id, tender_id, score FROM matches`).all()) as { firm_id: string; tender_id: number; score: number }[];
  return new Map(rows.map((r) => [`${r.firm_id}:${r.tender_id}`, r.score]));
}

const once = <T>(f: () => T) => {
  let v: T | undefined;
  return () => (v ??= f());
};

export interface IncrementalOptions {
  repeats?: number;
  /** Naive scoring on this many of the tenders (default all), its time extrapolated to all. */
  naiveTenders?: number;
  /** The per-profile alternatives (minisearch, FTS5) on this many profiles (default all), extrapolated. */
  alternativeProfiles?: number;
}

/**
 * Suite match-incremental: new tenders against every profile through `runMatch` (what an ingest
 * runs), the same run again with the matches already stored, and beside them the naive method,
 * minisearch and FTS5 with one query per profile; every match set is compared with naive's.
 */
export function benchIncremental(tenders: number, firms: number, o: IncrementalOptions = {}) {
  const db = tempDb();
  const store = openStore(db.file);
  try {
    seedFirms(store, firms);
    const ids = ingestAll(store, toRaw(worldBankRows(tenders, 99))).changed.map((c) => c.id);
    const runs: number[] = [];
    let matched = 0;
    for (let r = 0; r < (o.repeats ?? 3); r++) {
      store.sqlite.exec('DELETE FROM matches');
      const s = runMatch(store.sqlite, { tenderIds: ids, now: NOW });
      runs.push(s.seconds);
      matched = s.matched;
    }
    // An amended notice re-matched when nothing it matches changed: no row is rewritten.
    const again = runMatch(store.sqlite, { tenderIds: ids, now: NOW });
    const stored = storedMatches(store);

    const profiles = loadProfiles(store.sqlite);
    const infer = createSegmentInferrer();
    const ctx = scoringContext(NOW, infer, WEIGHTS.minScore);
    const docs = docsOf(store, ids);
    for (const d of docs) infer(d);
    const parts = storedQueries(profiles, docs, ctx, infer);

    const naiveDocs = docs.slice(0, Math.min(docs.length, o.naiveTenders ?? docs.length));
    const n = naive(profiles, naiveDocs, scoringContext(NOW, infer));
    const inSample = new Set(naiveDocs.map((d) => d.id));
    // Each method against naive on what both measured: the naive sample's tenders, the method's profiles.
    const versusNaive = (set: MatchSet, firmIds?: Set<string>) =>
      agreement(
        restricted(set, (_, t) => inSample.has(t)),
        restricted(n.matched, (f) => !firmIds || firmIds.has(f)),
      );

    const alt = profiles.slice(0, Math.min(profiles.length, o.alternativeProfiles ?? profiles.length));
    const altFirms = new Set(alt.map((p) => p.firmId));
    const perAlt = profiles.length / alt.length;
    const mini = minisearchPerProfile(alt, docs, ctx, infer);
    const byId = new Map(docs.map((d) => [d.id, d]));
    const fts = fts5PerProfile(store.sqlite, alt, (id) => byId.get(id), ctx, once(() => segmentsOf(docs, infer)));

    const seconds = figure(runs);
    const naiveSeconds = n.seconds * (docs.length / naiveDocs.length);
    const matcher = versusNaive(stored);
    return {
      tenders,
      firms,
      seconds,
      matched,
      rematchSeconds: again.seconds,
      rematchWritten: again.written,
      naiveSeconds,
      naiveTenders: naiveDocs.length,
      speedupVsNaive: naiveSeconds / seconds.median,
      sameMatchSetAsNaive: matcher.sameMatchSet,
      overlapAt10: matcher.overlapAt10,
      selectSeconds: parts.selectSeconds,
      scoreSeconds: parts.scoreSeconds,
      candidatesPerTender: parts.candidatesPerTender,
      alternativeProfiles: alt.length,
      minisearch: {
        seconds: mini.seconds * perAlt,
        candidatesPerTender: mini.candidatesPerTender * perAlt,
        ...versusNaive(mini.matched, altFirms),
      },
      fts5: {
        seconds: fts.seconds * perAlt,
        candidatesPerTender: (fts.candidates / docs.length) * perAlt,
        ...versusNaive(fts.matched, altFirms),
      },
    };
  } finally {
    store.close();
    db.cleanup();
  }
}

export interface FullOptions {
  /** Naive scoring on this many open tenders, extrapolated. */
  naiveTenders?: number;
  /** FTS5 with one query per profile on this many profiles, extrapolated. */
  ftsProfiles?: number;
  /** Above this many tenders: the matcher once, no FTS5 alternative (default LARGE). */
  largeAbove?: number;
}

/** Above this many tenders match-full runs the matcher once, beside naive only. */
const LARGE = 100_000;

/**
 * Suite match-full: every open tender against every profile through `runMatchInWorkers` (what
 * `match --full` runs), in a child process for its peak RSS, then the same re-match with the
 * matches stored. Beside it naive on a sample of tenders and FTS5 per profile on a sample of
 * profiles (both extrapolated), each checked against what the matcher stored.
 */
export function benchFull(tenders: number, firms: number, o: FullOptions = {}) {
  const db = tempDb();
  const store = openStore(db.file);
  try {
    seedFirms(store, firms);
    for (let i = 0; i < tenders; i += 50_000) {
      ingestAll(store, toRaw(worldBankRows(Math.min(50_000, tenders - i), 1000 + i, i + 1)));
    }
    const open = (store.sqlite.prepare(`SELECT t.id FROM tenders t WHERE (t.cluster_id IS NULL OR t.cluster_id = t.id) AND ${statusSql('@now')} = 'open' ORDER BY t.id`).pluck().all({ now: NOW.toISOString() }) as number[]);
    store.close();
    // Above LARGE tenders the run is done once (a second pass over ~66 M stored matches would
    // double a run of many minutes) and without the FTS5 alternative.
    const alternatives = tenders <= (o.largeAbove ?? LARGE);
    const child = spawnSync(process.execPath, [path.resolve('bin/run-ts.js'), 'bench/match-full-child.ts', db.file, NOW.toISOString(), alternatives ? 'twice' : 'once'], {
      encoding: 'utf8',
      maxBuffer: 10 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`match-full child failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as FullChildResult;

    const after = openStore(db.file);
    try {
      const profiles = loadProfiles(after.sqlite);
      const infer = createSegmentInferrer();
      const ctx = scoringContext(NOW, infer, WEIGHTS.minScore);
      const naiveDocs = docsOf(after, open.slice(0, o.naiveTenders ?? 1000));
      const n = naive(profiles, naiveDocs, scoringContext(NOW, infer));
      const matcher = agreement(storedMatches(after, undefined, naiveDocs.map((d) => d.id)), n.matched);
      const naiveFullSeconds = (n.seconds / naiveDocs.length) * open.length;
      const common = {
        tenders,
        open: open.length,
        firms,
        seconds: result.seconds,
        peakRssMb: result.peakRssMb,
        matched: result.matched,
        workers: result.workers,
        scoreSeconds: result.scoreSeconds,
        writeSeconds: result.writeSeconds,
        rematchSeconds: result.rematchSeconds,
        rematchWritten: result.rematchWritten,
        candidatesPerTender: result.candidates / open.length,
        naiveSecondsExtrapolated: naiveFullSeconds,
        naiveSample: naiveDocs.length,
        speedupVsNaive: naiveFullSeconds / result.seconds,
        sameMatchSetAsNaive: matcher.sameMatchSet,
        overlapAt10: matcher.overlapAt10,
      };
      if (!alternatives) {
        // Its candidates' documents (every open tender's, for the code filter) would not fit the runner's heap.
        return { ...common, fts5: null, fts5SkippedAbove: o.largeAbove ?? LARGE };
      }

      // FTS5 per profile on evenly spread profiles; documents are built once, outside the timing.
      const step = Math.max(1, Math.floor(profiles.length / (o.ftsProfiles ?? 20)));
      const sample = profiles.filter((_, i) => i % step === 0).slice(0, o.ftsProfiles ?? 20);
      const inScope = new Set(open);
      const docs = new Map<number, TenderDoc>();
      let building = 0;
      const doc = (id: number) => {
        if (!inScope.has(id)) return undefined;
        let d = docs.get(id);
        if (!d) {
          const t0 = performance.now();
          docs.set(id, (d = docsOf(after, [id])[0]));
          building += performance.now() - t0;
        }
        return d;
      };
      const bySegment = once(() => segmentsOf(open.map((id) => doc(id)!), infer));
      const fts = fts5PerProfile(after.sqlite, sample, doc, ctx, bySegment);
      const ftsSeconds = (fts.seconds - building / 1000) * (profiles.length / sample.length);
      const ftsAgreement = agreement(fts.matched, storedMatches(after, sample.map((p) => p.firmId)));

      return {
        ...common,
        fts5: { seconds: ftsSeconds, profiles: sample.length, candidatesPerTender: (fts.candidates / open.length) * (profiles.length / sample.length), ...ftsAgreement },
      };
    } finally {
      after.close();
    }
  } finally {
    db.cleanup();
  }
}

export interface FullChildResult {
  seconds: number;
  peakRssMb: number;
  matched: number;
  candidates: number;
  workers: number;
  scoreSeconds: number;
  writeSeconds: number;
  rematchSeconds: number | null;
  rematchWritten: number | null;
}

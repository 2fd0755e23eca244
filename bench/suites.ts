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
import { candidates, createSegmentInferrer, indexChunk, scoringContext } from '../src/matching/engine.js';
import { buildProfileIndex, percolate } from '../src/matching/percolator.js';
import { loadProfiles, rowToFacts, runMatch } from '../src/matching/matcher.js';
import { scoreTender, upperBound, WEIGHTS } from '../src/matching/scoring.js';
import { buildTenderDoc } from '../src/matching/tender-doc.js';
import { profiles, worldBankRows } from './generate.js';

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

    const db2 = tempDb();
    const plain = openStore(db2.file, { migrate: false });
    plain.sqlite.exec('CREATE TABLE plain (id INTEGER PRIMARY KEY, source_id TEXT UNIQUE, payload TEXT)');
    const insert = plain.sqlite.prepare('INSERT INTO plain (source_id, payload) VALUES (?, ?)');
    const t1 = performance.now();
    for (let i = 0; i < raws.length; i += 1000) {
      plain.sqlite.transaction(() => raws.slice(i, i + 1000).forEach((x) => insert.run(x.sourceId, x.payload)))();
    }
    floor.push(notices / ((performance.now() - t1) / 1000));
    plain.close();
    db2.cleanup();
  }
  return { notices, failed, noticesPerS: figure(rates), oneThreadPerS: figure(oneThread), floorPerS: figure(floor) };
}

function seedFirms(store: Store, count: number) {
  const list = profiles(count);
  store.sqlite.transaction(() => list.forEach((p, i) => createFirm(store.sqlite, { id: `firm-${i}`, name: `Firm ${i}`, ...p })))();
}

/** Every (profile, tender) pair scored, no candidate selection: the naive method. */
function naive(store: Store, ids: number[]) {
  const compiled = loadProfiles(store.sqlite);
  const infer = createSegmentInferrer();
  const ctx = scoringContext(NOW, infer);
  const one = store.sqlite.prepare(`SELECT t.*, 'open' AS status FROM tenders t WHERE id = ?`);
  const docs = ids.map((id) => buildTenderDoc(rowToFacts(one.get(id))));
  const matched = new Set<string>();
  const t0 = performance.now();
  for (const p of compiled) {
    for (const d of docs) {
      const o = scoreTender(p, d, ctx);
      if (o.kind === 'match' && o.score >= WEIGHTS.minScore) matched.add(`${p.firmId}:${d.id}`);
    }
  }
  return { seconds: (performance.now() - t0) / 1000, matched, pairs: compiled.length * docs.length };
}

/**
 * Candidate selection and scoring timed apart, with candidates per tender: the stored-query
 * index the matcher uses and, as the alternative, one minisearch query per profile over an
 * index of the tenders. Both must find the same match set as the naive method.
 */
function split(store: Store, ids: number[]) {
  const compiled = loadProfiles(store.sqlite);
  const infer = createSegmentInferrer();
  const ctx = scoringContext(NOW, infer, WEIGHTS.minScore);
  const one = store.sqlite.prepare(`SELECT t.*, 'open' AS status FROM tenders t WHERE id = ?`);
  const docs = ids.map((id) => buildTenderDoc(rowToFacts(one.get(id))));
  for (const d of docs) infer(d);
  const t0 = performance.now();
  const index = buildProfileIndex(compiled);
  const found = docs.map((d) => percolate(index, d, infer));
  const t1 = performance.now();
  const matched = new Set<string>();
  docs.forEach((d, i) => {
    for (const [pi, hits] of found[i]) {
      const p = compiled[pi];
      if (upperBound(p, hits, ctx) < WEIGHTS.minScore) continue;
      const o = scoreTender(p, d, ctx, hits);
      if (o.kind === 'match' && o.score >= WEIGHTS.minScore) matched.add(`${p.firmId}:${d.id}`);
    }
  });
  const t2 = performance.now();
  const total = found.reduce((s, f) => s + f.size, 0);
  // The alternative: minisearch over the tenders, one query per profile, then the same scorer.
  const t3 = performance.now();
  const mini = indexChunk(docs, infer);
  const miniMatched = new Set<string>();
  let miniCandidates = 0;
  for (const p of compiled) {
    const list = candidates(mini, p);
    miniCandidates += list.length;
    for (const d of list) {
      const o = scoreTender(p, d, ctx);
      if (o.kind === 'match' && o.score >= WEIGHTS.minScore) miniMatched.add(`${p.firmId}:${d.id}`);
    }
  }
  const t4 = performance.now();
  return {
    selectSeconds: (t1 - t0) / 1000,
    scoreSeconds: (t2 - t1) / 1000,
    candidatesPerTender: total / docs.length,
    minisearchSeconds: (t4 - t3) / 1000,
    minisearchCandidatesPerTender: miniCandidates / docs.length,
    minisearchMatched: miniMatched,
    matched,
  };
}

/** Suite match-incremental: new tenders against every profile, vs naive; match sets compared. */
export function benchIncremental(tenders: number, firms: number, repeats = 3) {
  const db = tempDb();
  const store = openStore(db.file);
  try {
    seedFirms(store, firms);
    const ing = ingestAll(store, toRaw(worldBankRows(tenders, 99)));
    const ids = ing.changed.map((c) => c.id);
    const runs: number[] = [];
    let matched = 0;
    for (let r = 0; r < repeats; r++) {
      store.sqlite.exec('DELETE FROM matches');
      const s = runMatch(store.sqlite, { tenderIds: ids, now: NOW });
      runs.push(s.seconds);
      matched = s.matched;
    }
    const n = naive(store, ids);
    const parts = split(store, ids);
    const sameSet = (a: Set<string>) => a.size === n.matched.size && [...a].every((k) => n.matched.has(k));
    const same = sameSet(parts.matched);
    const seconds = figure(runs);
    return {
      tenders,
      firms,
      seconds,
      matched,
      naiveSeconds: n.seconds,
      speedupVsNaive: n.seconds / seconds.median,
      sameMatchSetAsNaive: same,
      selectSeconds: parts.selectSeconds,
      scoreSeconds: parts.scoreSeconds,
      candidatesPerTender: parts.candidatesPerTender,
      minisearchSeconds: parts.minisearchSeconds,
      minisearchCandidatesPerTender: parts.minisearchCandidatesPerTender,
      minisearchSameMatchSet: sameSet(parts.minisearchMatched),
    };
  } finally {
    store.close();
    db.cleanup();
  }
}

/** Suite match-full: every open tender against every profile, in a child process for its peak RSS. */
export function benchFull(tenders: number, firms: number, naiveSample = 1000) {
  const db = tempDb();
  const store = openStore(db.file);
  try {
    seedFirms(store, firms);
    for (let i = 0; i < tenders; i += 50_000) {
      ingestAll(store, toRaw(worldBankRows(Math.min(50_000, tenders - i), 1000 + i, i + 1)));
    }
    const ids = (store.sqlite.prepare('SELECT id FROM tenders ORDER BY id LIMIT ?').all(naiveSample) as { id: number }[]).map((r) => r.id);
    const n = naive(store, ids);
    store.close();
    const child = spawnSync(process.execPath, [path.resolve('bin/run-ts.js'), 'bench/match-full-child.ts', db.file, NOW.toISOString()], {
      encoding: 'utf8',
      maxBuffer: 10 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`match-full child failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { seconds: number; peakRssMb: number; matched: number; candidates: number };
    const naiveFullSeconds = (n.seconds / ids.length) * tenders;
    return {
      tenders,
      firms,
      seconds: result.seconds,
      peakRssMb: result.peakRssMb,
      matched: result.matched,
      candidatesPerTender: result.candidates / tenders,
      naiveSecondsExtrapolated: naiveFullSeconds,
      naiveSample,
      speedupVsNaive: naiveFullSeconds / result.seconds,
    };
  } finally {
    db.cleanup();
  }
}

/**
 * `gpass-tenders eval`: loads a judged set (shared/eval/README.md format) into a temporary
 * store, ranks every notice for every firm with the matcher and two baselines in the same
 * process, and reports nDCG@10, P@5, Recall@20 (grades 2-3) and MAP per firm and overall.
 *
 * The notices are historic: filters that depend on today's date are off; the profile's own
 * filters (countries, types, categories, values, exclusions) stay on.
 */
import fs from 'node:fs';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { openStore } from '../../../db/client.js';
import type { RawNotice, TenderInput } from '../../../scrapers/contract.js';
import { createIngestor } from '../../ingest/ingest.js';
import { mapNoticeType } from '../../ingest/normalize.js';
import { emptyProfile, type FirmProfile } from '../../firms/profile.js';
import { createSegmentInferrer, scoringContext } from '../engine.js';
import { buildProfileIndex, percolateAndScore } from '../percolator.js';
import { rowToFacts } from '../matcher.js';
import { compileProfile } from '../profile-query.js';
import { buildTenderDoc, type TenderDoc } from '../tender-doc.js';
import { parseJudgedDate } from './dates.js';
import { evaluateRanking, mean, type Grades, type Metrics } from './metrics.js';

const JudgedNotice = Type.Object({
  id: Type.String({ minLength: 1 }),
  source: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  title: Type.String({ minLength: 1 }),
  description: Type.Union([Type.String(), Type.Null()]),
  buyer: Type.Union([Type.String(), Type.Null()]),
  countries: Type.Union([Type.Array(Type.String()), Type.Null()]),
  noticeType: Type.Union([Type.String(), Type.Null()]),
  unspsc: Type.Union([Type.Array(Type.String()), Type.Null()]),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  deadlineAt: Type.Union([Type.String(), Type.Null()]),
  language: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  projectId: Type.Optional(Type.String()),
});

export const JudgedFirm = Type.Object({
  id: Type.String({ minLength: 1 }),
  name: Type.String(),
  nameKo: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  keywords: Type.Array(Type.String()),
  keywordsKo: Type.Optional(Type.Array(Type.String())),
  excludeKeywords: Type.Optional(Type.Array(Type.String())),
  unspsc: Type.Optional(Type.Array(Type.String())),
  countries: Type.Optional(Type.Array(Type.String())),
  minValueUsd: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  maxValueUsd: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
});

type JudgedNoticeT = Static<typeof JudgedNotice>;
export type JudgedFirmT = Static<typeof JudgedFirm>;

export interface EvalInput {
  noticesFile: string;
  firmsFile: string;
  qrelsFile: string;
  k?: number;
}

export interface EvalReport {
  firms: { id: string; name: string; matcher: Metrics; keywords: Metrics; unspsc: Metrics }[];
  overall: { matcher: Metrics; keywords: Metrics; unspsc: Metrics };
  problems: string[];
  notices: number;
}

function toInput(n: JudgedNoticeT, problems: string[]): TenderInput {
  const date = (raw: string | null, field: string) => {
    if (!raw) return null;
    try {
      return parseJudgedDate(raw);
    } catch (err) {
      problems.push(`${n.id}: ${field}: ${(err as Error).message}`);
      return null;
    }
  };
  const published = date(n.publishedAt, 'publishedAt');
  const deadline = date(n.deadlineAt, 'deadlineAt');
  return {
    sourceId: n.id,
    reference: n.reference,
    title: n.title,
    description: n.description,
    buyer: n.buyer,
    countries: (n.countries ?? []).map((c) => c.toUpperCase()).filter((c) => /^[A-Z]{2}$/.test(c)),
    noticeType: mapNoticeType(n.noticeType),
    noticeTypeLabel: n.noticeType,
    procurementMethod: null,
    category: null,
    unspsc: (n.unspsc ?? []).map((c) => c.trim()).filter((c) => /^\d{2,8}$/.test(c)),
    publishedAt: published?.at ?? null,
    deadline: deadline ? { at: deadline.at, raw: deadline.raw, zone: deadline.zone, zoneKnown: deadline.zoneKnown } : null,
    status: null,
    value: null,
    language: n.language,
    url: n.url && /^https?:\/\//.test(n.url) ? n.url : null,
    projectId: n.projectId ?? null,
    identifiers: { source: n.source },
  };
}

export function firmToProfile(f: JudgedFirmT): FirmProfile {
  return {
    ...emptyProfile(),
    keywords: f.keywords,
    keywordsKo: f.keywordsKo ?? [],
    excludeKeywords: f.excludeKeywords ?? [],
    unspsc: (f.unspsc ?? []).filter((c) => /^(\d{2}|\d{4}|\d{6}|\d{8})$/.test(c)),
    countries: f.countries ?? [],
    minValueUsd: f.minValueUsd ?? null,
    maxValueUsd: f.maxValueUsd ?? null,
  };
}

export function readQrels(text: string): Map<string, Grades> {
  const byFirm = new Map<string, Grades>();
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (!t) return;
    const parts = t.split(/\s+/);
    if (parts.length !== 4 || !/^\d+$/.test(parts[3])) throw new Error(`qrels line ${i + 1}: expected "<firm> 0 <notice> <grade>"`);
    const grades = byFirm.get(parts[0]) ?? new Map<string, number>();
    grades.set(parts[2], Number(parts[3]));
    byFirm.set(parts[0], grades);
  });
  return byFirm;
}

const fold = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Baseline `keywords`: any profile keyword in title or description (folded substring), ranked by hits. */
export function keywordBaseline(notices: { id: string; title: string; description: string | null }[], f: JudgedFirmT): string[] {
  const kws = [...f.keywords, ...(f.keywordsKo ?? [])].map(fold).filter(Boolean);
  const scored: { id: string; hits: number; order: number }[] = [];
  notices.forEach((n, order) => {
    const text = fold(`${n.title}\n${n.description ?? ''}`);
    let hits = 0;
    for (const k of kws) {
      let at = text.indexOf(k);
      while (at >= 0) {
        hits++;
        at = text.indexOf(k, at + k.length);
      }
    }
    if (hits > 0) scored.push({ id: n.id, hits, order });
  });
  return scored.sort((a, b) => b.hits - a.hits || a.order - b.order).map((s) => s.id);
}

/** Baseline `unspsc`: codes only, exact or one level (2 digits) up or down, as UNGM's alerts do. */
export function unspscBaseline(notices: { id: string; unspsc: string[] | null }[], f: JudgedFirmT): string[] {
  const codes = (f.unspsc ?? []).filter(Boolean);
  const scored: { id: string; rank: number; order: number }[] = [];
  notices.forEach((n, order) => {
    let best = 0;
    for (const tc0 of n.unspsc ?? []) {
      const tc = tc0.trim();
      for (const pc of codes) {
        if (tc === pc) best = Math.max(best, 2);
        else if ((tc.startsWith(pc) || pc.startsWith(tc)) && Math.abs(tc.length - pc.length) <= 2) best = Math.max(best, 1);
      }
    }
    if (best > 0) scored.push({ id: n.id, rank: best, order });
  });
  return scored.sort((a, b) => b.rank - a.rank || a.order - b.order).map((s) => s.id);
}

export function runEval(input: EvalInput): EvalReport {
  const problems: string[] = [];
  const notices: (JudgedNoticeT)[] = [];
  fs.readFileSync(input.noticesFile, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const obj = JSON.parse(line);
        if (!Value.Check(JudgedNotice, obj)) {
          const first = [...Value.Errors(JudgedNotice, obj)][0];
          problems.push(`notices line ${i + 1}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`);
          return;
        }
        notices.push(obj);
      } catch (err) {
        problems.push(`notices line ${i + 1}: ${(err as Error).message}`);
      }
    });
  const firmsRaw = JSON.parse(fs.readFileSync(input.firmsFile, 'utf8')) as unknown[];
  const firms = firmsRaw.filter((f, i) => {
    if (Value.Check(JudgedFirm, f)) return true;
    problems.push(`firms[${i}]: not a firm profile`);
    return false;
  }) as (JudgedFirmT)[];
  const qrels = readQrels(fs.readFileSync(input.qrelsFile, 'utf8'));

  // Load into a temporary store through the real ingest path.
  const store = openStore(':memory:');
  try {
    const byId = new Map(notices.map((n) => [n.id, n]));
    const ingestor = createIngestor(store.sqlite, {
      id: 'eval',
      parserVersion: 1,
      parse: (raw: RawNotice) => ({ notice: toInput(byId.get(raw.sourceId)!, problems), problems: [] }),
    }, { runId: null, onProblem: (p) => problems.push(`${p.sourceId}: ${p.message}`) });
    const fetchedAt = new Date().toISOString();
    ingestor.ingestBatch(notices.map((n) => ({ sourceId: n.id, payload: JSON.stringify(n), contentType: 'application/json', url: n.url, fetchedAt })));
    const rows = store.sqlite.prepare(`SELECT t.*, 'open' AS status FROM tenders t ORDER BY t.id`).all();
    const docs: TenderDoc[] = rows.map((r) => buildTenderDoc(rowToFacts(r)));
    const noticeIdOf = new Map(rows.map((r) => [(r as { id: number }).id, (r as { source_id: string }).source_id]));
    const inferSegments = createSegmentInferrer();
    const ctx = scoringContext(null, inferSegments);
    const k = input.k ?? 10;
    const report: EvalReport = { firms: [], overall: undefined as never, problems, notices: notices.length };
    for (const f of firms) {
      const grades = qrels.get(f.id) ?? new Map<string, number>();
      const profile = compileProfile(f.id, 1, firmToProfile(f));
      const scored: { id: string; score: number; order: number }[] = [];
      for (const pair of percolateAndScore(buildProfileIndex([profile]), docs, ctx)) {
        if (pair.outcome.kind === 'match') scored.push({ id: noticeIdOf.get(pair.doc.id)!, score: pair.outcome.score, order: pair.doc.id });
      }
      const ranked = scored.sort((a, b) => b.score - a.score || a.order - b.order).map((s) => s.id);
      report.firms.push({
        id: f.id,
        name: f.name,
        matcher: evaluateRanking(ranked, grades, k),
        keywords: evaluateRanking(keywordBaseline(notices, f), grades, k),
        unspsc: evaluateRanking(unspscBaseline(notices, f), grades, k),
      });
    }
    const avg = (pick: (x: EvalReport['firms'][number]) => Metrics): Metrics => ({
      ndcg10: mean(report.firms.map((x) => pick(x).ndcg10)),
      p5: mean(report.firms.map((x) => pick(x).p5)),
      recall20: mean(report.firms.map((x) => pick(x).recall20)),
      map: mean(report.firms.map((x) => pick(x).map)),
    });
    report.overall = { matcher: avg((x) => x.matcher), keywords: avg((x) => x.keywords), unspsc: avg((x) => x.unspsc) };
    return report;
  } finally {
    store.close();
  }
}

const f3 = (x: number) => x.toFixed(3);

export function formatReport(r: EvalReport, k = 10): string[] {
  const lines: string[] = [];
  lines.push(`notices=${r.notices} firms=${r.firms.length} problems=${r.problems.length}`);
  for (const p of r.problems.slice(0, 20)) lines.push(`problem: ${p}`);
  lines.push(`${'firm'.padEnd(10)} ${'method'.padEnd(9)} ndcg@${k}  p@5    recall@20 map`);
  const row = (id: string, method: string, m: Metrics) =>
    `${id.padEnd(10)} ${method.padEnd(9)} ${f3(m.ndcg10)}  ${f3(m.p5)}  ${f3(m.recall20)}     ${f3(m.map)}`;
  for (const f of r.firms) {
    lines.push(row(f.id, 'matcher', f.matcher), row(f.id, 'keywords', f.keywords), row(f.id, 'unspsc', f.unspsc));
  }
  lines.push(row('overall', 'matcher', r.overall.matcher), row('overall', 'keywords', r.overall.keywords), row('overall', 'unspsc', r.overall.unspsc));
  lines.push(`eval ndcg@10=${f3(r.overall.matcher.ndcg10)} keywords=${f3(r.overall.keywords.ndcg10)} unspsc=${f3(r.overall.unspsc.ndcg10)} recall@20=${f3(r.overall.matcher.recall20)}`);
  return lines;
}

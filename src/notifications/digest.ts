/**
 * Builds the emails: data in, `{ subject, text, html, headers }` out. Pure: no I/O, the clock
 * is passed in. A digest lists the new alerts grouped by how soon they close and ranked by
 * score, then the changed alerts, up to the recipient's cap ("and N more" links to the list);
 * then the firm's pipeline updates (stage changes, award notices linked) in the order they
 * happened, up to the same cap of their own ("and N more" links to the pipeline).
 */
import { DateTime } from 'luxon';
import type { toAlert } from '../alerts/service.js';
import type { Pursuit } from '../pipeline/pursuits.js';
import type { Stage } from '../pipeline/stages.js';
import type { Cadence, Language } from './recipients.js';
import { STRINGS, countryNames, formatDate, formatDateTime, formatMoney, formatPeriod, zoneLabel, type ChangeKind, type Group, type Strings } from './templates.js';
import { escapeHtml as esc } from '../html.js';

export type Alert = ReturnType<typeof toAlert>;

/** A `pursuit.stage_changed` or `pursuit.award_linked` event, as recorded (its payload: pursuitEventData in src/pipeline/pursuits.ts). */
export interface PipelineUpdate {
  eventId: number;
  type: 'pursuit.stage_changed' | 'pursuit.award_linked';
  at: string;
  pursuitId: number;
  tender: { id: number; title: string; url: string | null };
  from: Stage | null;
  to: Stage;
  correction: boolean;
  note: string | null;
  reason: string | null;
  bid: Pursuit['bid'];
  contract: Pursuit['contract'];
  awardNotice: Pursuit['awardNotice'];
  actor: { role: string };
}

export interface MailContext {
  recipient: { name: string | null; email: string; language: Language; cadence: Cadence; timeZone: string; maxItems: number };
  firm: { id: string; name: string };
  baseUrl: string;
  unsubscribeUrl: string;
  now: Date;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

interface Item {
  title: string;
  lines: [label: string, value: string][];
  links: [label: string, url: string][];
  change: string | null;
}

const SOON_DAYS = 7;


/** Whole calendar days from today to the deadline's day, both in the recipient's zone. */
export function localDaysLeft(deadlineUtc: string, zone: string, now: Date): number {
  const deadline = DateTime.fromISO(deadlineUtc, { zone: 'utc' }).setZone(zone).startOf('day');
  const today = DateTime.fromJSDate(now).setZone(zone).startOf('day');
  return Math.round(deadline.diff(today, 'days').days);
}

function shortExplanation(a: Alert, s: Strings): string | null {
  const e = (a.explanation ?? {}) as { recommendedBy?: string; text?: { hits?: { keyword: string; field: 'title' | 'description' }[] }; codes?: { relations?: unknown[] } };
  if (e.recommendedBy) return s.explain.recommended;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const h of e.text?.hits ?? []) {
    if (seen.has(h.keyword) || parts.length >= 3) continue;
    seen.add(h.keyword);
    parts.push(s.explain.field(h.keyword, h.field));
  }
  if (e.codes?.relations?.length) parts.push(s.explain.codes);
  return parts.length ? s.explain.matched(parts) : null;
}

function deadlineLines(utc: string | null, sourceZone: string | null, ctx: MailContext, s: Strings): Item['lines'] {
  const { language: lang, timeZone } = ctx.recipient;
  if (!utc) return [[s.deadline, s.noDeadline]];
  const days = localDaysLeft(utc, timeZone, ctx.now);
  const lines: Item['lines'] = [[s.deadline, `${formatDateTime(utc, timeZone, lang)} (${timeZone}) — ${s.daysLeft(days)}`]];
  const zone = sourceZone ? zoneLabel(sourceZone) : null;
  if (zone === timeZone) return lines; // the same clock: once is enough
  lines.push([s.sourceTime, zone ? `${formatDateTime(utc, zone, lang)} (${zone})` : `${formatDateTime(utc, 'utc', lang)} (UTC; ${s.zoneUnknown})`]);
  return lines;
}

function item(a: Alert, ctx: MailContext, s: Strings, change: string | null): Item {
  const t = a.tender;
  const lines: Item['lines'] = [];
  if (t.buyer) lines.push([s.buyer, t.buyer]);
  if (t.countries.length) lines.push([s.countries, countryNames(t.countries, ctx.recipient.language)]);
  lines.push(...deadlineLines(t.deadline?.utc ?? null, t.deadline?.sourceZone ?? null, ctx, s));
  const why = shortExplanation(a, s);
  if (why) lines.push([s.why, why]);
  if (a.note) lines.push([s.note, a.note]);
  return {
    title: t.title,
    lines,
    links: [
      [s.notice, t.url ?? `${ctx.baseUrl}/tenders/${t.id}`],
      [s.alert, alertUrl(ctx, a.id)],
    ],
    change,
  };
}

const alertUrl = (ctx: MailContext, id: number) => `${ctx.baseUrl}/firms/${encodeURIComponent(ctx.firm.id)}/alerts/${id}`;
const listUrl = (ctx: MailContext) => `${ctx.baseUrl}/firms/${encodeURIComponent(ctx.firm.id)}/alerts`;
const pipelineUrl = (ctx: MailContext, pursuitId?: number) => `${ctx.baseUrl}/firms/${encodeURIComponent(ctx.firm.id)}/pipeline${pursuitId === undefined ? '' : `/${pursuitId}`}`;

const stageName = (stage: string, s: Strings) => s.stages[stage as Stage] ?? stage;

/** What happened: `Preparing a bid → Bid submitted`, `Pursuit started: Interested`, `Award notice linked`. */
function pipelineChange(u: PipelineUpdate, s: Strings): string {
  if (u.type === 'pursuit.award_linked') return s.awardLinked;
  const move = u.from === null ? s.pursuitStarted(stageName(u.to, s)) : `${stageName(u.from, s)} → ${stageName(u.to, s)}`;
  return u.correction ? `${move} (${s.correction})` : move;
}

function pipelineItem(u: PipelineUpdate, ctx: MailContext, s: Strings): Item {
  const { language: lang, timeZone } = ctx.recipient;
  const role = u.actor.role === 'admin' ? 'adviser' : u.actor.role;
  const by = role === 'firm' ? ctx.firm.name : role === 'adviser' || role === 'system' ? s.actors[role] : role;
  const lines: Item['lines'] = [
    [s.changedBy, by],
    [s.changedAt, `${formatDateTime(u.at, timeZone, lang)} (${timeZone})`],
  ];
  if (u.note) lines.push([s.pursuitNote, u.note]);
  if (u.reason) lines.push([s.reason, u.reason]);
  if (u.bid) lines.push([s.bidLabel, s.bid(formatMoney(u.bid.amount, u.bid.currency, lang), formatDate(u.bid.submittedOn, lang))]);
  if (u.contract) lines.push([s.contractLabel, s.contract(formatMoney(u.contract.value, u.contract.currency, lang), formatDate(u.contract.awardedOn, lang))]);
  const links: Item['links'] = [
    [s.notice, u.tender.url ?? `${ctx.baseUrl}/tenders/${u.tender.id}`],
    [s.pursuit, pipelineUrl(ctx, u.pursuitId)],
  ];
  const award = u.type === 'pursuit.award_linked' ? u.awardNotice : null;
  if (award) {
    lines.push([s.awardNotice, award.title]);
    links.push([s.awardNotice, award.url ?? `${ctx.baseUrl}/tenders/${award.tenderId}`]);
  }
  return { title: u.tender.title, lines, links, change: pipelineChange(u, s) };
}

function groupOf(a: Alert, ctx: MailContext): Group {
  const utc = a.tender.deadline?.utc;
  if (!utc) return 'undated';
  return localDaysLeft(utc, ctx.recipient.timeZone, ctx.now) <= SOON_DAYS ? 'soon' : 'later';
}

const byRank = (a: Alert, b: Alert) => b.score - a.score || (a.tender.deadline?.utc ?? '9').localeCompare(b.tender.deadline?.utc ?? '9') || a.id - b.id;

function changeText(a: Alert, ctx: MailContext, s: Strings): string {
  const kind = (a.change?.kind ?? 'amended') as ChangeKind;
  const moved = (a.change?.changes as Record<string, { from: unknown; to: unknown }> | undefined)?.deadlineAt;
  const label = s.changeKinds[kind] ?? s.changeKinds.amended;
  if (kind === 'deadline_moved' && moved) return movedText(moved.from, moved.to, ctx, s);
  return label;
}

function movedText(from: unknown, to: unknown, ctx: MailContext, s: Strings): string {
  const fmt = (v: unknown) => (typeof v === 'string' ? `${formatDateTime(v, ctx.recipient.timeZone, ctx.recipient.language)} (${ctx.recipient.timeZone})` : s.noDeadline);
  return s.movedFromTo(fmt(from), fmt(to));
}

interface Section {
  /** Null: no heading (a message about one alert). */
  title: string | null;
  items: Item[];
  /** What the cap left out, behind a link, after the section's items. */
  more?: { count: number; label: string; url: string };
}

function render(ctx: MailContext, subject: string, intro: string, sections: Section[]): RenderedMail {
  const s = STRINGS[ctx.recipient.language];
  const footer = s.footer(ctx.recipient.email, ctx.firm.name, ctx.recipient.cadence);
  const text: string[] = [s.greeting(ctx.recipient.name), '', intro, ''];
  const html: string[] = [
    `<!doctype html><html lang="${ctx.recipient.language}"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>`,
    `<body style="font-family:sans-serif;line-height:1.45;color:#222;max-width:640px">`,
    `<p>${esc(s.greeting(ctx.recipient.name))}</p><p>${esc(intro)}</p>`,
  ];
  for (const sec of sections) {
    if (!sec.items.length) continue;
    if (sec.title) {
      text.push(`== ${sec.title} ==`, '');
      html.push(`<h2 style="font-size:1.1em;border-bottom:1px solid #ccc">${esc(sec.title)}</h2>`);
    }
    for (const it of sec.items) {
      text.push(`* ${it.title}`);
      if (it.change) text.push(`  ${it.change}`);
      for (const [k, v] of it.lines) text.push(`  ${k}: ${v}`);
      for (const [k, u] of it.links) text.push(`  ${k}: ${u}`);
      text.push('');
      html.push(`<div style="margin:0 0 1.2em"><h3 style="font-size:1em;margin:0 0 .3em">${esc(it.title)}</h3>`);
      if (it.change) html.push(`<p style="margin:0;color:#b00"><strong>${esc(it.change)}</strong></p>`);
      html.push(`<table style="border-collapse:collapse">`);
      for (const [k, v] of it.lines) html.push(`<tr><td style="padding:0 1em 0 0;color:#666;vertical-align:top">${esc(k)}</td><td>${esc(v)}</td></tr>`);
      html.push(`</table><p style="margin:.3em 0 0">${it.links.map(([k, u]) => `<a href="${esc(u)}">${esc(k)}</a>`).join(' · ')}</p></div>`);
    }
    if (sec.more && sec.more.count > 0) {
      const { count, label, url } = sec.more;
      text.push(`${s.more(count)}: ${label} ${url}`, '');
      html.push(`<p><a href="${esc(url)}">${esc(s.more(count))} — ${esc(label)}</a></p>`);
    }
  }
  text.push('--', footer, `${s.unsubscribe}: ${ctx.unsubscribeUrl}`);
  html.push(`<hr><p style="font-size:.85em;color:#666">${esc(footer)} <a href="${esc(ctx.unsubscribeUrl)}">${esc(s.unsubscribe)}</a></p></body></html>`);
  return {
    subject,
    text: text.join('\n'),
    html: html.join('\n'),
    headers: {
      'List-Unsubscribe': `<${ctx.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  };
}

/** A digest of new and changed alerts and pipeline updates; null when there is nothing to say (nothing is sent). */
export function buildDigest(ctx: MailContext, d: { periodKey: string; newAlerts: Alert[]; changed: Alert[]; pipeline?: PipelineUpdate[] }): RenderedMail | null {
  const pipeline = d.pipeline ?? [];
  const total = d.newAlerts.length + d.changed.length;
  if (total + pipeline.length === 0) return null;
  const s = STRINGS[ctx.recipient.language];
  let room = Math.max(1, ctx.recipient.maxItems);
  const take = <T>(xs: T[]) => {
    const shown = xs.slice(0, room);
    room -= shown.length;
    return shown;
  };
  const sections: Section[] = [];
  const newSection = s.newSection(d.newAlerts.length);
  for (const g of ['soon', 'later', 'undated'] as const) {
    const alerts = d.newAlerts.filter((a) => groupOf(a, ctx) === g).sort(byRank);
    const items = take(alerts).map((a) => item(a, ctx, s, null));
    sections.push({ title: `${newSection} — ${s.groups[g]}`, items });
  }
  const changed = take([...d.changed].sort(byRank)).map((a) => item(a, ctx, s, changeText(a, ctx, s)));
  sections.push({ title: s.changedSection(d.changed.length), items: changed });
  const shown = sections.reduce((n, sec) => n + sec.items.length, 0);
  // "and N more" follows the last alert section shown (the cap leaves at least one alert in).
  const lastShown = sections.filter((sec) => sec.items.length).at(-1);
  if (lastShown) lastShown.more = { count: total - shown, label: s.allAlerts, url: listUrl(ctx) };
  const pipelineShown = pipeline.slice(0, Math.max(1, ctx.recipient.maxItems));
  sections.push({
    title: s.pipelineSection(pipeline.length),
    items: pipelineShown.map((u) => pipelineItem(u, ctx, s)),
    more: { count: pipeline.length - pipelineShown.length, label: s.allPipeline, url: pipelineUrl(ctx) },
  });
  const titles = [...d.newAlerts, ...d.changed].map((a) => a.tender.title).concat(pipeline.map((u) => u.tender.title));
  const subject = s.digestSubject({
    firm: ctx.firm.name,
    cadence: ctx.recipient.cadence,
    period: formatPeriod(d.periodKey, ctx.recipient.language),
    newCount: d.newAlerts.length,
    changedCount: d.changed.length,
    pipelineCount: pipeline.length,
    title: titles.length === 1 ? titles[0] : null,
  });
  const intro = ctx.recipient.cadence === 'instant' && total === 0 ? s.pipelineIntro(ctx.firm.name) : s.digestIntro(ctx.firm.name, ctx.recipient.cadence);
  return render(ctx, subject, intro, sections);
}

/** "The deadline of this interesting tender is in N days." */
export function buildReminder(ctx: MailContext, alert: Alert, days: number): RenderedMail {
  const s = STRINGS[ctx.recipient.language];
  return render(ctx, s.reminderSubject(days, alert.tender.title), s.reminderIntro(days), [{ title: null, items: [item(alert, ctx, s, null)] }]);
}

/** "The deadline of this interesting tender moved from X to Y." */
export function buildDeadlineMoved(ctx: MailContext, alert: Alert, moved: { from: unknown; to: unknown }): RenderedMail {
  const s = STRINGS[ctx.recipient.language];
  const change = movedText(moved.from, moved.to, ctx, s);
  return render(ctx, s.movedSubject(alert.tender.title), s.movedIntro, [{ title: null, items: [item(alert, ctx, s, change)] }]);
}

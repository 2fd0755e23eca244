/**
 * Per-firm feeds at URLs carrying the firm's revocable feed token: an Atom feed of alerts and
 * an iCalendar feed of the deadlines of alerts marked interested. Only a hash of the token is
 * stored; rotating it revokes the old URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { Feed } from 'feed';
import ical from 'ical-generator';
import { listAlerts } from './service.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new feed token for the firm (shown once); the previous one stops working. */
export function rotateFeedToken(sqlite: Database.Database, firmId: string): string | null {
  const token = `gft_${randomBytes(24).toString('base64url')}`;
  const r = sqlite.prepare(`UPDATE firms SET feed_token_hash = ? WHERE id = ?`).run(hash(token), firmId);
  return r.changes ? token : null;
}

export function revokeFeedToken(sqlite: Database.Database, firmId: string): boolean {
  return sqlite.prepare(`UPDATE firms SET feed_token_hash = NULL WHERE id = ?`).run(firmId).changes > 0;
}

export function firmForFeedToken(sqlite: Database.Database, token: string): { id: string; name: string } | null {
  if (!/^gft_[A-Za-z0-9_-]{32}$/.test(token)) return null;
  return (sqlite.prepare(`SELECT id, name FROM firms WHERE feed_token_hash = ?`).get(hash(token)) as { id: string; name: string } | undefined) ?? null;
}

export function atomFeed(sqlite: Database.Database, firm: { id: string; name: string }, baseUrl: string, selfUrl: string, now = new Date()): string {
  const alerts = listAlerts(sqlite, { firmId: firm.id, sort: 'newest', limit: 100 }, now);
  const feed = new Feed({
    title: `Tender alerts for ${firm.name}`,
    description: 'Overseas tenders matched to this firm by the G-Pass tender service',
    id: `${baseUrl}/firms/${encodeURIComponent(firm.id)}/alerts`,
    link: `${baseUrl}/firms/${encodeURIComponent(firm.id)}/alerts`,
    updated: alerts[0] ? new Date(alerts[0].publishedAt) : now,
    generator: 'gpass-tenders',
    feedLinks: { atom: selfUrl },
    copyright: 'Notice texts belong to their publishers',
  });
  for (const a of alerts) {
    const d = a.tender.deadline;
    const lines = [
      a.tender.buyer ? `Buyer: ${a.tender.buyer}` : null,
      a.tender.countries.length ? `Countries: ${a.tender.countries.join(', ')}` : null,
      d ? `Deadline: ${d.utc} UTC (Seoul ${d.seoul}; ${d.daysLeft} days left)` : 'Deadline: not stated',
      `Score: ${a.score}`,
      a.note ? `Adviser: ${a.note}` : null,
      a.change ? `Changed: ${a.change.kind}` : null,
    ].filter(Boolean);
    feed.addItem({
      title: a.tender.title,
      id: `${baseUrl}/alerts/${a.id}`,
      link: a.tender.url ?? `${baseUrl}/tenders/${a.tender.id}`,
      description: lines.join('\n'),
      date: new Date(a.publishedAt),
    });
  }
  return feed.atom1();
}

export function deadlineCalendar(sqlite: Database.Database, firm: { id: string; name: string }, baseUrl: string, now = new Date()): string {
  const cal = ical({ name: `Tender deadlines: ${firm.name}`, prodId: { company: 'PPS G-Pass', product: 'gpass-tenders', language: 'EN' } });
  for (const a of listAlerts(sqlite, { firmId: firm.id, state: ['interested'], sort: 'deadline', limit: 500 }, now)) {
    const d = a.tender.deadline;
    if (!d) continue;
    const at = new Date(d.utc);
    cal.createEvent({
      id: `alert-${a.id}@gpass-tenders`,
      start: new Date(at.getTime() - 30 * 60_000),
      end: at,
      summary: `Deadline: ${a.tender.title}`.slice(0, 250),
      description: [a.tender.buyer, a.tender.reference, a.change ? `Changed: ${a.change.kind}` : null, a.tender.url].filter(Boolean).join('\n'),
      url: a.tender.url ?? `${baseUrl}/tenders/${a.tender.id}`,
      stamp: now,
    });
  }
  return cal.toString();
}

/**
 * One generic test over every registered source: declarations are complete and sane, and
 * parse() never throws, whatever it is given.
 */
import { randomBytes } from 'node:crypto';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import type { RawNotice } from '../../scrapers/contract.js';
import { SOURCES } from '../../scrapers/registry.js';
import { validateTenderInput } from '../../src/ingest/validate.js';

const CONTENT_TYPES: RawNotice['contentType'][] = ['application/json', 'text/html', 'application/xml', 'text/javascript'];

/** Payloads no parser should choke on: empty, truncated, wrong kind, binary, wrong shapes of each source's envelope. */
const GARBAGE: string[] = [
  '',
  '{',
  '<html>',
  randomBytes(256).toString('latin1'),
  randomBytes(256).toString('utf8'),
  'null',
  '[]',
  '42',
  '"text"',
  '{}',
  '{"row": null, "detail": 7}',
  '{"row": "<tr><td>", "detail": "<table id=\\"oppoverviewtable\\"><tr><td>"}',
  '{"feed": 1, "item": "<item><title>"}',
  '{"item": "<!DOCTYPE x [<!ENTITY a \\"b\\">]><item>&a;</item>"}',
  '{id:"',
  '{pj: eval("1")}',
  '{"ocid": {}, "tender": []}',
  '{"ocid": "ocds-x-1", "tender": {"value": {"amount": "lots"}, "tenderPeriod": {"endDate": 5}, "items": [{"classification": null}]}}',
  '\u0000\uffff\ud800',
  'x'.repeat(100_000),
];

const payloads = GARBAGE.flatMap((payload, i) => CONTENT_TYPES.map((contentType) => ({ i, payload, contentType })));

describe.each(SOURCES.map((s) => [s.id, s] as const))('source %s', (_id, source) => {
  it('has a unique lowercase id', () => {
    expect(source.id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(SOURCES.filter((s) => s.id === source.id)).toHaveLength(1);
    expect(source.name.trim()).not.toBe('');
  });

  it('has a valid cron schedule', () => {
    expect(cron.validate(source.schedule)).toBe(true);
  });

  it('has an http(s) base URL without a trailing slash', () => {
    const url = new URL(source.defaultBaseUrl);
    expect(['http:', 'https:']).toContain(url.protocol);
    expect(source.defaultBaseUrl.endsWith('/')).toBe(false);
  });

  it('is polite: at least 1000 ms between requests, robots.txt declared', () => {
    expect(source.politeness.minIntervalMs).toBeGreaterThanOrEqual(1000);
    expect(typeof source.politeness.robots).toBe('boolean');
  });

  it('has a parser version', () => {
    expect(Number.isInteger(source.parserVersion) && source.parserVersion >= 1).toBe(true);
  });

  it('carries a reason when unsupported', () => {
    if (!source.status.supported) expect(source.status.reason.trim().length).toBeGreaterThan(20);
    else expect(source.status).toEqual({ supported: true });
  });

  it('parse never throws on garbage: no notice with problems, or a notice that validates', () => {
    for (const { i, payload, contentType } of payloads) {
      const raw: RawNotice = { sourceId: `garbage-${i}`, payload, contentType, url: null, fetchedAt: '2026-10-15T00:00:00.000Z' };
      const outcome = source.parse(raw);
      expect(Array.isArray(outcome.problems), `payload ${i}`).toBe(true);
      if (outcome.notice === null) expect(outcome.problems.length, `payload ${i}`).toBeGreaterThan(0);
      else expect(validateTenderInput(outcome.notice), `payload ${i}`).toEqual([]);
    }
  });
});

describe('registry', () => {
  it('keeps worldbank and ungm first', () => {
    expect(SOURCES.slice(0, 2).map((s) => s.id)).toEqual(['worldbank', 'ungm']);
  });
});

/** Schemas of the pipeline routes: the same ones validate, serialize and document. */
import { Type } from 'typebox';
import { FIRM_ID_PATTERN, SECTORS } from '../firms/firm.js';
import { Nullable } from '../schemas.js';
import { STAGES } from './stages.js';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Day = (description: string) => Type.String({ format: 'date', description });
const Currency = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code, e.g. USD, EUR, KRW' });
const Amount = Type.Number({ exclusiveMinimum: 0, maximum: 1e15 });

export const StageSchema = Type.Enum(STAGES, { description: 'interested → preparing → submitted → won | lost | abandoned; no_bid from interested or preparing' });

export const FirmParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }) });
export const AlertParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }), alertId: Id });
export const PursuitParams = Type.Object({ id: Type.String({ pattern: FIRM_ID_PATTERN }), pursuitId: Id });

export const PursuitSchema = Type.Object({
  id: Type.Integer(),
  alertId: Type.Integer(),
  firmId: Type.String(),
  stage: Type.String({ description: 'interested | preparing | submitted | won | lost | abandoned | no_bid' }),
  stageAt: Type.String({ description: 'When the current stage was entered' }),
  assignee: Nullable(Type.String({ description: 'Key id of the adviser following it' })),
  bid: Nullable(Type.Object({ amount: Type.Number(), currency: Type.String(), submittedOn: Type.String() })),
  contract: Nullable(Type.Object({ value: Type.Number(), currency: Type.String(), awardedOn: Type.String() })),
  reason: Nullable(Type.String({ description: 'Why it was lost, abandoned or not bid' })),
  awardNotice: Nullable(Type.Object({ tenderId: Type.Integer(), title: Type.String(), url: Nullable(Type.String()), linkedAt: Type.String() }, { description: "The tender's award notice, linked by reference when ingested" })),
  tender: Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    buyer: Nullable(Type.String()),
    countries: Type.Array(Type.String()),
    source: Type.String(),
    reference: Nullable(Type.String()),
    url: Nullable(Type.String()),
    deadlineAt: Nullable(Type.String()),
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const HistorySchema = Type.Array(
  Type.Object({
    id: Type.Integer(),
    kind: Type.String({ description: 'stage | assign | award_linked' }),
    fromStage: Nullable(Type.String()),
    toStage: Type.String(),
    correction: Type.Boolean(),
    actor: Type.String({ description: 'Key id, or `ingest` for an automatic award link' }),
    role: Type.String(),
    note: Nullable(Type.String()),
    changes: Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() })),
    at: Type.String(),
  }),
);

export const PursuitWithHistory = Type.Object({ ...PursuitSchema.properties, history: HistorySchema });

export const StageChangeBody = Type.Object(
  {
    stage: StageSchema,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Required for lost, abandoned and no_bid' })),
    bidAmount: Type.Optional(Amount),
    bidCurrency: Type.Optional(Currency),
    submittedOn: Type.Optional(Day('Submission date (yyyy-mm-dd); with bidAmount and bidCurrency, required for submitted')),
    contractValue: Type.Optional(Amount),
    contractCurrency: Type.Optional(Currency),
    awardedOn: Type.Optional(Day('Award date (yyyy-mm-dd); with contractValue and contractCurrency, required for won')),
    correction: Type.Optional(Type.Boolean({ description: 'A step back, a move out of a final stage, or a fix of the figures; needs a note, and is logged as such' })),
  },
  {
    additionalProperties: false,
    examples: [
      { stage: 'submitted', bidAmount: 1250000, bidCurrency: 'USD', submittedOn: '2026-11-20', note: 'Joint bid with the Nairobi partner' },
      { stage: 'lost', reason: 'Price: 8% above the winner' },
      { stage: 'preparing', correction: true, note: 'Marked submitted by mistake; the bid goes in next week' },
    ],
  },
);

export const PipelineQuery = Type.Object(
  {
    stage: Type.Optional(StageSchema),
    assignee: Type.Optional(Type.String({ maxLength: 64, description: '`me` (the calling key) or a key id' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);

const ReportFormat = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: a spreadsheet file (also with Accept: text/csv)' }));
const Period = {
  from: Type.Optional(Day('First day (UTC), default: 1 January of this year')),
  to: Type.Optional(Day('Last day (UTC), included; default: today')),
};

export const FirmReportQuery = Type.Object({ ...Period, format: ReportFormat }, { additionalProperties: false });

export const CohortReportQuery = Type.Object(
  {
    ...Period,
    firm: Type.Optional(Type.String({ pattern: FIRM_ID_PATTERN, description: 'One firm (a firm key: its own, the default)' })),
    designationYear: Type.Optional(Type.Integer({ minimum: 1990, maximum: 2100, description: 'Firms designated that year' })),
    sector: Type.Optional(Type.Enum(SECTORS, { description: "The firms' sector" })),
    region: Type.Optional(Type.String({ pattern: '^[A-Za-z-]{2,40}$', description: 'Firms targeting this region (e.g. east-africa) or country (ISO code)' })),
    format: ReportFormat,
  },
  { additionalProperties: false },
);

const MoneySchema = Type.Object({ usd: Type.Number(), krw: Type.Number(), converted: Type.Integer(), notConverted: Type.Integer() });
const FiguresProps = {
  alertsReceived: Type.Integer(),
  interested: Type.Integer(),
  bidsSubmitted: Type.Integer(),
  wins: Type.Integer(),
  losses: Type.Integer(),
  winRate: Nullable(Type.Number({ description: 'wins / (wins + losses)' })),
  bidValue: MoneySchema,
  contractValue: MoneySchema,
  daysAlertToSubmission: Type.Object({ count: Type.Integer(), median: Nullable(Type.Number()), mean: Nullable(Type.Number()) }),
};
const GroupSchema = Type.Object({ key: Type.String(), label: Type.String(), labelKo: Nullable(Type.String()), ...FiguresProps });

export const ReportSchema = Type.Object(
  {
    period: Type.Object({ from: Type.String(), to: Type.String() }),
    scope: Type.Object({ firmIds: Type.Array(Type.String()), designationYear: Nullable(Type.Integer()), sector: Nullable(Type.String()), region: Nullable(Type.String()) }),
    totals: Type.Object(FiguresProps),
    byFirm: Type.Array(GroupSchema),
    byAgency: Type.Array(GroupSchema),
    byCountry: Type.Array(GroupSchema),
    bySector: Type.Array(GroupSchema),
    fx: Type.Object({
      table: Type.String(),
      basis: Type.String(),
      rates: Type.Array(Type.Object({ currency: Type.String(), date: Type.String(), unitsPerUsd: Type.Number(), amounts: Type.Integer() })),
    }),
    dataQuality: Type.Object({
      notConverted: Type.Integer(),
      notConvertedItems: Type.Array(
        Type.Object({ pursuitId: Type.Integer(), alertId: Type.Integer(), firmId: Type.String(), field: Type.String(), amount: Type.Number(), currency: Type.String(), date: Type.String(), reason: Type.String() }),
      ),
      notClassified: Type.Object({ agency: Type.Integer(), country: Type.Integer(), sector: Type.Integer() }),
    }),
  },
  { description: 'See src/pipeline/report.ts for what each figure counts' },
);

/** JSON, or the same report as a spreadsheet. */
export const ReportResponse = {
  description: 'The report (JSON), or as CSV with ?format=csv or Accept: text/csv',
  content: {
    'application/json': { schema: ReportSchema },
    'text/csv': { schema: Type.String({ description: 'UTF-8 with BOM, CRLF; headers in English and Korean' }) },
  },
};

/**
 * Every word of the emails and the unsubscribe page, in Korean and English, chosen per
 * recipient. Dates are shown in the recipient's zone and in the source's, never bare UTC.
 */
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import { DateTime } from 'luxon';
import type { Stage } from '../pipeline/stages.js';
import type { Cadence, Language } from './recipients.js';

const require = createRequire(import.meta.url);
type LocaleData = Parameters<typeof countries.registerLocale>[0];
for (const lang of ['en', 'ko'] as const) countries.registerLocale(require(`i18n-iso-countries/langs/${lang}.json`) as LocaleData);

export type Group = 'soon' | 'later' | 'undated';
export type ChangeKind = 'deadline_moved' | 'amended' | 'cancelled';
/** Who moved a pursuit, as events record it (`actor.role`). */
export type PipelineActor = 'firm' | 'adviser' | 'system';

export interface Strings {
  brand: string;
  digestSubject(a: { firm: string; cadence: Cadence; period: string | null; newCount: number; changedCount: number; pipelineCount: number; title: string | null }): string;
  reminderSubject(days: number, title: string): string;
  movedSubject(title: string): string;
  greeting(name: string | null): string;
  digestIntro(firm: string, cadence: Cadence): string;
  /** An instant email about the pipeline alone. */
  pipelineIntro(firm: string): string;
  newSection(n: number): string;
  groups: Record<Group, string>;
  changedSection(n: number): string;
  changeKinds: Record<ChangeKind, string>;
  pipelineSection(n: number): string;
  stages: Record<Stage, string>;
  pursuitStarted(stage: string): string;
  correction: string;
  awardLinked: string;
  changedBy: string;
  actors: Record<Exclude<PipelineActor, 'firm'>, string>;
  changedAt: string;
  pursuitNote: string;
  reason: string;
  bidLabel: string;
  bid(amount: string, on: string): string;
  contractLabel: string;
  contract(amount: string, on: string): string;
  awardNotice: string;
  pursuit: string;
  allPipeline: string;
  buyer: string;
  countries: string;
  deadline: string;
  sourceTime: string;
  zoneUnknown: string;
  noDeadline: string;
  daysLeft(days: number): string;
  why: string;
  note: string;
  notice: string;
  alert: string;
  more(n: number): string;
  allAlerts: string;
  reminderIntro(days: number): string;
  movedIntro: string;
  movedFromTo(from: string, to: string): string;
  footer(email: string, firm: string, cadence: Cadence): string;
  unsubscribe: string;
  unsubscribedTitle: string;
  unsubscribedBody(email: string, firm: string): string;
  explain: { recommended: string; matched(list: string[]): string; field(keyword: string, field: 'title' | 'description'): string; codes: string };
  cadences: Record<Cadence, string>;
}

const EN: Strings = {
  brand: 'G-Pass tender alerts',
  digestSubject: ({ firm, cadence, period, newCount, changedCount, pipelineCount, title }) => {
    if (cadence === 'instant' && title) return newCount ? `New tender alert: ${title}` : changedCount ? `Tender alert changed: ${title}` : `Pipeline update: ${title}`;
    const counts = [
      newCount ? `${newCount} new` : null,
      changedCount ? `${changedCount} changed` : null,
      pipelineCount ? `${pipelineCount} pipeline update${pipelineCount === 1 ? '' : 's'}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return `${cadence === 'weekly' ? 'Weekly tender' : 'Tender'} alerts for ${firm}: ${counts}${period ? ` (${period})` : ''}`;
  },
  reminderSubject: (days, title) => (days === 0 ? `Deadline today: ${title}` : `Deadline in ${days} day${days === 1 ? '' : 's'}: ${title}`),
  movedSubject: (title) => `Deadline moved: ${title}`,
  greeting: (name) => (name ? `Dear ${name},` : 'Hello,'),
  digestIntro: (firm, cadence) =>
    cadence === 'instant' ? `A tender alert for ${firm}.` : `Tender alerts for ${firm} since the last ${cadence === 'weekly' ? 'weekly' : 'daily'} digest.`,
  pipelineIntro: (firm) => `An update of the bid pipeline of ${firm}.`,
  newSection: (n) => `New alerts (${n})`,
  groups: { soon: 'Closing within 7 days', later: 'Later deadlines', undated: 'No deadline stated' },
  changedSection: (n) => `Changed alerts (${n})`,
  changeKinds: { deadline_moved: 'Deadline moved', amended: 'Amended', cancelled: 'Cancelled' },
  pipelineSection: (n) => `Pipeline updates (${n})`,
  stages: { interested: 'Interested', preparing: 'Preparing a bid', submitted: 'Bid submitted', won: 'Won', lost: 'Lost', abandoned: 'Abandoned', no_bid: 'No bid' },
  pursuitStarted: (stage) => `Pursuit started: ${stage}`,
  correction: 'correction',
  awardLinked: 'Award notice linked',
  changedBy: 'By',
  actors: { adviser: 'G-Pass adviser', system: 'Automatically (award notice matched by reference)' },
  changedAt: 'When',
  pursuitNote: 'Note',
  reason: 'Reason',
  bidLabel: 'Bid',
  bid: (amount, on) => `${amount} (submitted ${on})`,
  contractLabel: 'Contract',
  contract: (amount, on) => `${amount} (awarded ${on})`,
  awardNotice: 'Award notice',
  pursuit: 'Pursuit',
  allPipeline: 'See the pipeline',
  buyer: 'Buyer',
  countries: 'Countries',
  deadline: 'Deadline',
  sourceTime: "Source's time",
  zoneUnknown: 'time zone not stated by the source',
  noDeadline: 'not stated',
  daysLeft: (d) => (d < 0 ? 'closed' : d === 0 ? 'closes today' : d === 1 ? '1 day left' : `${d} days left`),
  why: 'Why',
  note: "Adviser's note",
  notice: 'Notice',
  alert: 'Alert',
  more: (n) => `and ${n} more`,
  allAlerts: 'See all alerts',
  reminderIntro: (d) => `You marked this tender as interesting. Its deadline is ${d === 0 ? 'today' : `in ${d} day${d === 1 ? '' : 's'}`}.`,
  movedIntro: 'The deadline of a tender you marked as interesting has moved.',
  movedFromTo: (from, to) => `Deadline moved from ${from} to ${to}.`,
  footer: (email, firm, cadence) => `You receive this because ${email} is a recipient of the tender alerts of ${firm} (${EN.cadences[cadence]}).`,
  unsubscribe: 'Unsubscribe',
  unsubscribedTitle: 'Unsubscribed',
  unsubscribedBody: (email, firm) => `${email} will no longer receive tender alert emails for ${firm}. An adviser or your firm can turn them back on.`,
  explain: {
    recommended: 'Recommended by your adviser',
    matched: (list) => `Matched ${list.join(', ')}`,
    field: (k, f) => `"${k}" in the ${f}`,
    codes: 'product code (UNSPSC) match',
  },
  cadences: { instant: 'as they come', daily: 'daily digest', weekly: 'weekly digest', off: 'off' },
};

const KO: Strings = {
  brand: 'G-Pass 입찰 알림',
  digestSubject: ({ firm, cadence, period, newCount, changedCount, pipelineCount, title }) => {
    if (cadence === 'instant' && title) {
      return newCount ? `[G-Pass 입찰 알림] 새 알림: ${title}` : changedCount ? `[G-Pass 입찰 알림] 알림 변경: ${title}` : `[G-Pass 입찰 알림] 진행 현황: ${title}`;
    }
    const counts = [newCount ? `신규 ${newCount}건` : null, changedCount ? `변경 ${changedCount}건` : null, pipelineCount ? `진행 현황 ${pipelineCount}건` : null].filter(Boolean).join(', ');
    return `[G-Pass ${cadence === 'weekly' ? '주간 ' : ''}입찰 알림] ${firm}: ${counts}${period ? ` (${period})` : ''}`;
  },
  reminderSubject: (days, title) => `[G-Pass 마감 알림] ${days === 0 ? '오늘 마감' : `마감 ${days}일 전`}: ${title}`,
  movedSubject: (title) => `[G-Pass 마감일 변경] ${title}`,
  greeting: (name) => (name ? `${name} 님, 안녕하세요.` : '안녕하세요.'),
  digestIntro: (firm, cadence) =>
    cadence === 'instant' ? `${firm}의 입찰 알림입니다.` : `지난 ${cadence === 'weekly' ? '주간' : '일간'} 요약 이후 ${firm}의 입찰 알림입니다.`,
  pipelineIntro: (firm) => `${firm}의 입찰 진행 현황이 바뀌었습니다.`,
  newSection: (n) => `신규 알림 (${n}건)`,
  groups: { soon: '7일 이내 마감', later: '마감 여유', undated: '마감일 미기재' },
  changedSection: (n) => `변경된 알림 (${n}건)`,
  changeKinds: { deadline_moved: '마감일 변경', amended: '공고 수정', cancelled: '공고 취소' },
  pipelineSection: (n) => `입찰 진행 현황 (${n}건)`,
  stages: { interested: '관심', preparing: '입찰 준비', submitted: '입찰 제출', won: '낙찰', lost: '낙찰 실패', abandoned: '중도 포기', no_bid: '입찰 불참' },
  pursuitStarted: (stage) => `진행 시작: ${stage}`,
  correction: '정정',
  awardLinked: '낙찰 공고 연결',
  changedBy: '변경',
  actors: { adviser: 'G-Pass 자문관', system: '자동 (참조번호로 낙찰 공고 연결)' },
  changedAt: '일시',
  pursuitNote: '메모',
  reason: '사유',
  bidLabel: '입찰 금액',
  bid: (amount, on) => `${amount} (${on} 제출)`,
  contractLabel: '계약 금액',
  contract: (amount, on) => `${amount} (${on} 낙찰)`,
  awardNotice: '낙찰 공고',
  pursuit: '진행 현황 보기',
  allPipeline: '입찰 진행 현황 전체 보기',
  buyer: '발주처',
  countries: '국가',
  deadline: '마감',
  sourceTime: '현지 시각',
  zoneUnknown: '공고에 시간대 미기재',
  noDeadline: '미기재',
  daysLeft: (d) => (d < 0 ? '마감됨' : d === 0 ? '오늘 마감' : `D-${d} (${d}일 남음)`),
  why: '추천 이유',
  note: '자문관 메모',
  notice: '공고 원문',
  alert: '알림 보기',
  more: (n) => `외 ${n}건`,
  allAlerts: '전체 알림 보기',
  reminderIntro: (d) => `관심 표시하신 입찰의 마감이 ${d === 0 ? '오늘입니다' : `${d}일 남았습니다`}.`,
  movedIntro: '관심 표시하신 입찰의 마감일이 변경되었습니다.',
  movedFromTo: (from, to) => `마감일 변경: ${from} → ${to}`,
  footer: (email, firm, cadence) => `${email} 주소가 ${firm}의 입찰 알림 수신자(${KO.cadences[cadence]})로 등록되어 이 메일을 보내드립니다.`,
  unsubscribe: '수신 거부',
  unsubscribedTitle: '수신 거부 완료',
  unsubscribedBody: (email, firm) => `${email} 주소로 ${firm}의 입찰 알림 메일을 더 이상 보내지 않습니다. 자문관이나 귀사에서 다시 켤 수 있습니다.`,
  explain: {
    recommended: '담당 자문관 추천',
    matched: (list) => `${list.join(', ')} 일치`,
    field: (k, f) => `${f === 'title' ? '제목' : '본문'}의 "${k}"`,
    codes: '품목 코드(UNSPSC) 일치',
  },
  cadences: { instant: '즉시', daily: '일간 요약', weekly: '주간 요약', off: '꺼짐' },
};

export const STRINGS: Record<Language, Strings> = { en: EN, ko: KO };

/** `Wed 2 Dec 2026, 07:30` / `2026년 12월 2일 (수) 07:30`, in the given zone. */
export function formatDateTime(utc: string, zone: string, lang: Language): string {
  const d = DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone).setLocale(lang);
  return lang === 'ko' ? d.toFormat("yyyy'년' M'월' d'일' (ccc) HH:mm") : d.toFormat('ccc d LLL yyyy, HH:mm');
}

/** A calendar date (yyyy-mm-dd) as written: `15 Oct 2026` / `2026년 10월 15일`. */
export function formatDate(isoDate: string, lang: Language): string {
  const d = DateTime.fromISO(isoDate).setLocale(lang);
  return lang === 'ko' ? d.toFormat("yyyy'년' M'월' d'일'") : d.toFormat('d LLL yyyy');
}

/** An amount with its ISO 4217 code, as entered: `USD 480,000`, `KRW 1,250,000,000`. */
export function formatMoney(amount: number, currency: string, lang: Language): string {
  return `${currency} ${amount.toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { maximumFractionDigits: 2 })}`;
}

/** The period in a subject: `22 Nov 2026` / `2026년 11월 22일`, `week 47, 2026` / `2026년 47주차`; null for instant. */
export function formatPeriod(periodKey: string, lang: Language): string | null {
  const daily = /^daily:(\d{4}-\d{2}-\d{2})$/.exec(periodKey);
  if (daily) return formatDate(daily[1], lang);
  const weekly = /^weekly:(\d{4})-W(\d{2})$/.exec(periodKey);
  if (weekly) return lang === 'ko' ? `${weekly[1]}년 ${Number(weekly[2])}주차` : `week ${Number(weekly[2])}, ${weekly[1]}`;
  return null;
}

/** Time-zone label: IANA names as they are, offsets as UTC+hh:mm. */
export const zoneLabel = (zone: string) => (/^[+-]\d{2}:\d{2}$/.test(zone) ? `UTC${zone}` : zone);

export function countryNames(codes: string[], lang: Language): string {
  return codes.map((c) => countries.getName(c, lang) ?? c).join(', ');
}

// 半年交叉检查与书面函告 (ningbo-data-regulation.txt art. 10(四)): every half-year the office checks
// each unit's findings and sends the units with problems a numbered written notice (函告). Pure:
// the half-year and its days, what counts as an overdue finding and as a repeated mistake, the
// notice's number, the office's settings, the notice as an OfficialDocument, the reply's state.
//
// Definitions (the tests compare them with independent queries):
// - A half-year is H1 (01-01…06-30) or H2 (07-01…12-31); the job of the first working day of
//   January (July) checks the half-year just ended.
// - An overdue finding of half-year H: a finding of the unit still open (status open) when the
//   check runs, opened on or before H's last day, that had been open at least `overdueWorkdays`
//   working days on H's last day (core/lights.ts workdaysOpenOn: working days after the opening
//   day, up to and including the last day). Findings opened after H belong to the next check.
// - A repeated mistake of half-year H: a rule for which the unit's records had at least
//   `repeatTimes` findings opened within H (each opening counts, of any record, the same record
//   opened again after a fix included); findings the office accepted as explained (已说明) and
//   findings still held back (pending) do not count, nor do 提示 rules (they are not mistakes).

import { isHint, workdaysOpenOn } from './lights.ts';
import type { WorkdayCalendar } from './calendar.ts';
import { addDays } from './dates.ts';
import type { IsoDate } from './model.ts';
import { documentDate, numberShortName, type IssuingOffice, type OfficialDocument } from './official-document.ts';
import { ruleByCode } from './rules/index.ts';

/** '2026H2': a year and its half. */
export type HalfYear = string;

export const HALF_RE = /^(\d{4})H([12])$/;

/** A half-year as written by users: 2026H2, 2026-H2, 2026下半年, 2026上半年. */
export function parseHalf(value: unknown, field = '半年度'): HalfYear {
  const s = String(value ?? '').trim().toUpperCase().replace('-', '').replace('上半年', 'H1').replace('下半年', 'H2');
  const m = HALF_RE.exec(s);
  if (!m || Number(m[1]) < 2000 || Number(m[1]) > 2100) throw new HalfYearError(`${field}“${String(value ?? '')}”格式不对，应写作 2026H2（2026年下半年）或 2026H1（上半年）`);
  return s;
}

export class HalfYearError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HalfYearError';
  }
}

/** The half-year a day falls in. */
export function halfOf(date: IsoDate): HalfYear {
  return `${date.slice(0, 4)}H${Number(date.slice(5, 7)) <= 6 ? 1 : 2}`;
}

/** The half-year before the one of `date`: the one a check on `date` looks at. */
export function previousHalf(date: IsoDate): HalfYear {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) <= 6 ? `${y - 1}H2` : `${y}H1`;
}

/** First and last day of a half-year. */
export function halfRange(half: HalfYear): { from: IsoDate; to: IsoDate } {
  const [, y, h] = HALF_RE.exec(half)!;
  return h === '1' ? { from: `${y}-01-01`, to: `${y}-06-30` } : { from: `${y}-07-01`, to: `${y}-12-31` };
}

/** 2026H2 → 2026年下半年. */
export function halfText(half: HalfYear): string {
  const [, y, h] = HALF_RE.exec(half)!;
  return `${y}年${h === '1' ? '上' : '下'}半年`;
}

// ---- the office's settings ----

export const NOTICE_SETTINGS_KEY = 'half_year_notices';

export interface NoticeSettings {
  /** A finding open at least this many working days at the half-year's end is overdue. */
  overdueWorkdays: number;
  /** A rule opened this many times for a unit's records in the half-year is a repeated mistake. */
  repeatTimes: number;
  /** The unit replies within this many working days of the notice. */
  replyWorkdays: number;
  /** The number's prefix (柯编函); null: the office's short name + 函 (numberShortName: 柯桥区 → 柯编函). */
  prefix: string | null;
}

export const DEFAULT_NOTICE_SETTINGS: NoticeSettings = { overdueWorkdays: 10, repeatTimes: 3, replyWorkdays: 10, prefix: null };

export const NOTICE_LIMITS = { overdueWorkdays: [1, 120], repeatTimes: [2, 50], replyWorkdays: [1, 60] } as const;

const FIELD_TEXT: Record<keyof typeof NOTICE_LIMITS, string> = { overdueWorkdays: '问题超期时限（工作日）', repeatTimes: '重复出错次数', replyWorkdays: '回复期限（工作日）' };

/** The settings from input (a console form, the stored JSON): every field checked, errors in Chinese by field. */
export function parseNoticeSettings(input: unknown, base: NoticeSettings = DEFAULT_NOTICE_SETTINGS): { settings: NoticeSettings } | { errors: Record<string, string> } {
  const o = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const out: NoticeSettings = { ...base };
  for (const k of Object.keys(NOTICE_LIMITS) as Array<keyof typeof NOTICE_LIMITS>) {
    if (o[k] === undefined) continue;
    const v = typeof o[k] === 'string' ? (o[k] as string).trim() : o[k];
    const n = typeof v === 'number' ? v : /^\d+$/.test(String(v)) ? Number(v) : NaN;
    const [min, max] = NOTICE_LIMITS[k];
    if (!Number.isInteger(n) || n < min || n > max) errors[k] = `${FIELD_TEXT[k]}应为 ${min} 至 ${max} 之间的整数，收到“${String(o[k])}”`;
    else out[k] = n;
  }
  if (o.prefix !== undefined) {
    const p = o.prefix === null ? '' : String(o.prefix).trim();
    if (p === '') out.prefix = null;
    else if (!/^[\u4e00-\u9fa5]{1,8}函$/.test(p)) errors.prefix = `文号前缀应为 1 至 8 个汉字并以“函”结尾（如 柯编函），收到“${p}”`;
    else out.prefix = p;
  }
  return Object.keys(errors).length ? { errors } : { settings: out };
}

/** The number's prefix: the setting, else the office's short name + 函 (core/official-document.ts: 柯桥区 → 柯编函), else 编函. */
export function noticePrefix(s: NoticeSettings, office: IssuingOffice): string {
  return s.prefix || `${numberShortName(office)}函`;
}

/** 柯编函〔2027〕3号. */
export function noticeNumber(prefix: string, year: number, seq: number): string {
  return `${prefix}〔${year}〕${seq}号`;
}

// ---- what a notice lists ----

/** A finding as the cross-check reads it (db/notices.ts). */
export interface CheckFinding {
  id: number;
  unitId: number;
  rule: string;
  status: string;
  openedOn: IsoDate | null;
  subjectKind: string;
  subjectName: string;
  /** Already masked (findings.subject_id_masked). */
  subjectIdMasked: string | null;
}

export interface OverdueItem {
  findingId: number;
  rule: string;
  ruleTitle: string;
  /** 张三（330602***********4）, or the unit's or worker's name. */
  record: string;
  openedOn: IsoDate;
  workdaysOpen: number;
}

export interface RepeatedItem {
  rule: string;
  ruleTitle: string;
  count: number;
}

export interface UnitProblems {
  unitId: number;
  overdue: OverdueItem[];
  repeated: RepeatedItem[];
}

export function ruleTitleOf(code: string): string {
  return ruleByCode(code)?.title ?? code;
}

export function recordText(f: Pick<CheckFinding, 'subjectName' | 'subjectIdMasked'>): string {
  return f.subjectIdMasked ? `${f.subjectName}（${f.subjectIdMasked}）` : f.subjectName;
}

/** The overdue findings of a half-year among `findings` (see the definition at the top), oldest first. */
export function overdueFindings(findings: CheckFinding[], half: HalfYear, limit: number, cal: WorkdayCalendar): OverdueItem[] {
  const { to } = halfRange(half);
  const out: OverdueItem[] = [];
  for (const f of findings) {
    if (f.status !== 'open' || !f.openedOn || f.openedOn > to) continue;
    const n = workdaysOpenOn(f.openedOn, to, cal);
    if (n < limit) continue;
    out.push({ findingId: f.id, rule: f.rule, ruleTitle: ruleTitleOf(f.rule), record: recordText(f), openedOn: f.openedOn, workdaysOpen: n });
  }
  return out.sort((a, b) => (a.openedOn < b.openedOn ? -1 : a.openedOn > b.openedOn ? 1 : a.findingId - b.findingId));
}

/** The repeated mistakes of a half-year among `findings` (see the definition at the top), most frequent first. */
export function repeatedMistakes(findings: CheckFinding[], half: HalfYear, times: number): RepeatedItem[] {
  const { from, to } = halfRange(half);
  const counts = new Map<string, number>();
  for (const f of findings) {
    if (!f.openedOn || f.openedOn < from || f.openedOn > to) continue;
    if (f.status === 'pending' || f.status === 'explained' || isHint(f.rule)) continue;
    counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= times).map(([rule, count]) => ({ rule, ruleTitle: ruleTitleOf(rule), count }))
    .sort((a, b) => b.count - a.count || (a.rule < b.rule ? -1 : 1));
}

/** Per unit, its overdue findings and repeated mistakes; units with neither are left out. */
export function unitProblems(findings: CheckFinding[], half: HalfYear, s: Pick<NoticeSettings, 'overdueWorkdays' | 'repeatTimes'>, cal: WorkdayCalendar): UnitProblems[] {
  const byUnit = new Map<number, CheckFinding[]>();
  for (const f of findings) (byUnit.get(f.unitId) ?? byUnit.set(f.unitId, []).get(f.unitId)!).push(f);
  const out: UnitProblems[] = [];
  for (const [unitId, fs] of [...byUnit].sort((a, b) => a[0] - b[0])) {
    const overdue = overdueFindings(fs, half, s.overdueWorkdays, cal);
    const repeated = repeatedMistakes(fs, half, s.repeatTimes);
    if (overdue.length || repeated.length) out.push({ unitId, overdue, repeated });
  }
  return out;
}

// ---- the notice ----

/** What a notice says, frozen when it is issued (notices.facts). */
export interface NoticeFacts {
  half: HalfYear;
  unitId: number;
  unitName: string;
  officeName: string;
  issuedOn: IsoDate;
  replyDue: IsoDate;
  overdueWorkdays: number;
  repeatTimes: number;
  overdue: OverdueItem[];
  repeated: RepeatedItem[];
}

/** The reply is due `replyWorkdays` working days after the day of issue. */
export function replyDueOn(issuedOn: IsoDate, replyWorkdays: number, cal: WorkdayCalendar): IsoDate {
  return cal.addWorkdays(issuedOn, replyWorkdays);
}

/** The written notice as an OfficialDocument (rendered by commands/official-documents.ts). */
export function noticeDocument(number: string, f: NoticeFacts): OfficialDocument {
  const { from, to } = halfRange(f.half);
  const blocks: OfficialDocument['blocks'] = [
    {
      kind: 'paragraph',
      text: `根据机构编制实名制数据管理关于半年交叉检查的有关规定，我办对${halfText(f.half)}（${documentDate(from)}至${documentDate(to)}）各单位机构编制实名制数据的问题整改情况进行了交叉检查。经检查，你单位存在以下问题，现函告如下：`,
    },
  ];
  let n = 0;
  const cn = ['一', '二', '三'];
  if (f.overdue.length) {
    blocks.push({ kind: 'heading', text: `${cn[n++]}、超期未整改问题（${f.overdue.length}条）` });
    blocks.push({ kind: 'paragraph', text: `以下问题截至${documentDate(to)}已超过${f.overdueWorkdays}个工作日未整改，至今仍未整改：` });
    blocks.push({
      kind: 'table', head: ['序号', '问题', '涉及记录', '发现日期', '已持续工作日'],
      rows: f.overdue.map((o, i) => [String(i + 1), `${o.ruleTitle}（${o.rule}）`, o.record, o.openedOn, String(o.workdaysOpen)]),
    });
  }
  if (f.repeated.length) {
    blocks.push({ kind: 'heading', text: `${cn[n++]}、反复出现的问题（${f.repeated.length}类）` });
    blocks.push({ kind: 'paragraph', text: `以下问题在${halfText(f.half)}内于你单位的数据中反复出现（达${f.repeatTimes}次及以上），请查找原因、规范填报：` });
    blocks.push({ kind: 'table', head: ['序号', '问题', '出现次数'], rows: f.repeated.map((r, i) => [String(i + 1), `${r.ruleTitle}（${r.rule}）`, String(r.count)]) });
  }
  blocks.push({ kind: 'heading', text: `${cn[n++]}、整改要求` });
  blocks.push({
    kind: 'paragraph',
    text: `请你单位高度重视，对照上述问题逐项整改，并于${documentDate(f.replyDue)}前通过三色小程序“书面函告”页面提交整改情况说明。逾期未回复的，将纳入机构编制实名制数据质量考评。`,
  });
  blocks.push({ kind: 'paragraph', plain: true, text: '特此函告。' });
  return {
    title: '关于机构编制实名制数据问题整改的函',
    number,
    addressee: f.unitName,
    blocks,
    signature: { issuer: f.officeName, date: f.issuedOn },
    footnote: '本函由三色系统根据半年交叉检查结果生成，身份证号已脱敏。',
  };
}

// ---- the reply ----

export type NoticeState = 'open' | 'replied' | 'overdue' | 'closed';

export const NOTICE_STATE_TEXT: Record<NoticeState, string> = { open: '未回复', replied: '已回复', overdue: '逾期未回复', closed: '已办结' };

/** reply_state as stored: none (not replied), replied, returned (the office sent it back), closed (办结). */
export function noticeState(n: { replyState: string; replyDue: IsoDate }, today: IsoDate): NoticeState {
  if (n.replyState === 'closed') return 'closed';
  if (n.replyState === 'replied') return 'replied';
  return today > n.replyDue ? 'overdue' : 'open';
}

export const REPLY_MAX = 2000;
export const REPLY_ITEM_MAX = 500;

/** A reply's text and per-item notes, checked: errors in Chinese by field. */
export function parseReply(input: unknown, facts: Pick<NoticeFacts, 'overdue' | 'repeated'>): { text: string; items: Record<string, string> } | { errors: Record<string, string> } {
  const o = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const clean = (s: unknown) => String(s ?? '').replace(/\r\n?/g, '\n').trim();
  const text = clean(o.text);
  const control = (s: string) => /[\u0000-\u0008\u000b-\u001f\u007f]/.test(s);
  if (text.length < 10) errors.text = '整改情况说明至少写 10 个字：说明已整改的问题、未整改的原因和计划';
  else if (text.length > REPLY_MAX) errors.text = `整改情况说明不能超过 ${REPLY_MAX} 字（现有 ${text.length} 字）`;
  else if (control(text)) errors.text = '整改情况说明含有不可见的控制字符，请删除后重新填写';
  const items: Record<string, string> = {};
  const known = new Set([...facts.overdue.map((x) => `f${x.findingId}`), ...facts.repeated.map((x) => `r${x.rule}`)]);
  const raw = o.items && typeof o.items === 'object' ? (o.items as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(raw)) {
    const t = clean(v);
    if (!t) continue;
    if (!known.has(k)) { errors[`items.${k}`] = `逐项说明“${k}”不是本函所列的问题`; continue; }
    if (t.length > REPLY_ITEM_MAX) errors[`items.${k}`] = `第“${itemLabel(k, facts)}”项的说明不能超过 ${REPLY_ITEM_MAX} 字`;
    else if (control(t)) errors[`items.${k}`] = `第“${itemLabel(k, facts)}”项的说明含有不可见的控制字符`;
    else items[k] = t;
  }
  return Object.keys(errors).length ? { errors } : { text, items };
}

function itemLabel(key: string, facts: Pick<NoticeFacts, 'overdue' | 'repeated'>): string {
  const o = facts.overdue.find((x) => `f${x.findingId}` === key);
  if (o) return `${o.ruleTitle}：${o.record}`;
  return facts.repeated.find((x) => `r${x.rule}` === key)?.ruleTitle ?? key;
}

/** The return note of the office (退回): required, one paragraph. */
export function parseReviewNote(v: unknown, required: boolean): string | null | { error: string } {
  const t = String(v ?? '').trim();
  if (!t) return required ? { error: '退回时请写明退回原因' } : null;
  if (t.length > 500) return { error: '审核意见不能超过 500 字' };
  return t;
}

/** The working day after a half-year: the first day its check may run (for the CLI's guard). */
export function halfEndedBy(half: HalfYear, today: IsoDate): boolean {
  return addDays(halfRange(half).to, 1) <= today;
}

// The annual 编制使用决算报表 and the draft 机构编制报告 of a unit (haining-digital-office.txt part 4:
// 两报表、一报告). Pure: db/annual-report.ts streams the versioned history (record_versions) of
// people, quotas and leader posts in (entity, id, version) order; here each record's state is
// replayed to the year's start (before 1 January) and end (before 1 January of the next year, or
// now for a year not yet ended), and every change inside the year is classified:
//
// - a person is 实有 of (unit, 编制类型) when their state says 在编 there (domain.md §7);
// - 入编: a change from not 在编 (待入编, 已出编, 编外, or a new record) to 在编; but a new record
//   of someone already on the quota before the year (入编时间 before 1 January, or not filled,
//   and not made by an approval) is 补录: the system learning of them, not a 入编 of the year;
// - 出编: a change from 在编 to anything else; its reason is the record's 出编原因 (set by an
//   approved 减人出编), else 其他 (an import or an edit that took someone off the quota);
// - 转入 / 转出: a 在编 person moving to another unit or 编制类型 (neither 入编 nor 出编);
// - 核定补录: a quota row whose first version is in the year and was not written by an approval
//   (审批：) or a 核定 document (批准文件：): an office importing its data mid-year records quotas it
//   already had, not quotas added this year (like 补录 of people);
// - 核定增加 / 核定减少: the rises and falls of a quota already recorded, and new quotas made by an
//   approval or a 核定 document.
// So 年末实有 = 年初实有 + 补录 + 入编 − 出编 + 转入 − 转出 and 年末核定 = 年初核定 + 核定补录 + 增加 − 减少,
// row by row; 年初（含补录） = 年初 + 补录 is the start the office knows of, and 年初空编/超编 use it.
// A change counts in the year it was recorded (the version's changed_at), the same clock the
// year's start and end states are read by; changes made by an approval carry the source
// 审批：{申请编号}, counted as 其中经审批.

import { DateInputError } from './dates.ts';
import type { IsoDate } from './model.ts';
import { documentDate, type DocumentBlock, type OfficialDocument } from './official-document.ts';
import { EXIT_REASONS } from './requests.ts';
import { ageOn, dateKind } from './rules/util.ts';
import { AGE_BANDS, ageBand } from './unit-stats.ts';

type Row = Record<string, unknown>;

export type ExitReason = (typeof EXIT_REASONS)[number];

/** A year as the console and the CLI give it: four digits, 2000 … this year. */
export function validYear(value: unknown, thisYear: number, field = 'year'): number {
  const t = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{4}$/.test(t)) throw new DateInputError(field, `${field} 应为四位数字的年份，例如 ${thisYear}；“${String(value ?? '').slice(0, 20)}”不是有效年份`);
  const y = Number(t);
  if (y < 2000 || y > thisYear) throw new DateInputError(field, `${field} 应在 2000 年至 ${thisYear} 年之间（尚未开始的年度没有决算）`, 'range');
  return y;
}

/** The moments bounding a year, as changed_at is stored ('YYYY-MM-DD HH:MM:SS', Asia/Shanghai). */
export function yearBounds(year: number): { start: string; next: string } {
  return { start: `${year}-01-01`, next: `${year + 1}-01-01` };
}

/** One stored version of a record (record_versions), `after` parsed. */
export interface VersionRow {
  entity: 'person' | 'quota' | 'leader_post';
  entityId: number;
  version: number;
  after: Row | null;
  changedAt: string;
  source: string;
}

export interface AnnualUnit {
  id: number;
  name: string;
  parentId: number | null;
  level: string | null;
  nature: string | null;
  category: string | null;
  duties: string | null;
  approvalNo: string | null;
  internalOffices: string | null;
  sector: string;
}

/** The figures of one unit and 编制类型 (or a sum of them). */
export interface AnnualFigures {
  approvedStart: number;
  approvedEnd: number;
  /** quota rows first recorded in the year by an import or edit (not an approval or 核定 document) */
  quotaRecorded: number;
  quotaUp: number;
  quotaDown: number;
  actualStart: number;
  actualEnd: number;
  entered: number;
  enteredApproved: number;
  /** new records of people already 在编 before the year (首次录入系统) */
  recorded: number;
  exits: Record<ExitReason, number>;
  exited: number;
  exitedApproved: number;
  movedIn: number;
  movedOut: number;
  /** Σ per (unit, kind) of max(0, 核定 − 实有) and max(0, 实有 − 核定); at the start 含补录 */
  vacantStart: number;
  vacantEnd: number;
  overStart: number;
  overEnd: number;
}

export interface AnnualRow extends AnnualFigures {
  unitId: number;
  unitName: string;
  depth: number;
  sector: string;
  kind: string;
}

/** A 在编 person at the year's end, for the structure tables. */
export interface YearEndPerson {
  unitId: number;
  kind: string;
  birth: string | null;
  education: string | null;
  leaderLevel: string | null;
}

export interface LeaderPostLine {
  unitId: number;
  kind: string;
  approved: number;
}

export interface AnnualTable {
  year: number;
  /** the last day the figures are as of: 31 December, or today for the current year */
  asOf: IsoDate;
  ended: boolean;
  /** the day of the system's first stored change (its history starts there), null when none */
  historyFrom: IsoDate | null;
  units: AnnualUnit[];
  rows: AnnualRow[];
  /** per sector and kind, then per sector over all kinds (kind '全部') */
  sectorRows: Array<AnnualFigures & { sector: string; kind: string }>;
  /** per kind, then '全部' */
  totalRows: Array<AnnualFigures & { kind: string }>;
  yearEndPeople: YearEndPerson[];
  leaderPosts: LeaderPostLine[];
}

const emptyFigures = (): AnnualFigures => ({
  approvedStart: 0, approvedEnd: 0, quotaRecorded: 0, quotaUp: 0, quotaDown: 0, actualStart: 0, actualEnd: 0, entered: 0, enteredApproved: 0, recorded: 0,
  exits: { 退休: 0, 调出: 0, 辞职: 0, 辞退: 0, 死亡: 0, 其他: 0 }, exited: 0, exitedApproved: 0, movedIn: 0, movedOut: 0,
  vacantStart: 0, vacantEnd: 0, overStart: 0, overEnd: 0,
});

function addFigures(a: AnnualFigures, b: AnnualFigures): void {
  for (const k of Object.keys(a) as Array<keyof AnnualFigures>) {
    if (k === 'exits') for (const r of EXIT_REASONS) a.exits[r] += b.exits[r];
    else (a[k] as number) += b[k] as number;
  }
}

const UNFILLED_KIND = '未填编制类型';

interface PersonKey { unit: number; kind: string }
const onQuota = (s: Row | null): PersonKey | null =>
  s && s.status === '在编' && s.unit_id != null ? { unit: Number(s.unit_id), kind: (s.quota_kind as string) || UNFILLED_KIND } : null;
const sameKey = (a: PersonKey | null, b: PersonKey | null) => (a === null || b === null ? a === b : a.unit === b.unit && a.kind === b.kind);
const viaApproval = (source: string) => source.startsWith('审批：');
/** A quota change made by an approval or a 核定 document (commands/save-unit-approval.ts). */
const viaDecision = (source: string) => viaApproval(source) || source.startsWith('批准文件：');

/**
 * Accumulates the versions of records, one record at a time (all its versions up to the year's
 * end, in version order), into per-(unit, kind) figures. `finish` gives the table.
 */
export class AnnualAccumulator {
  private cells = new Map<string, AnnualFigures>();
  private people: YearEndPerson[] = [];
  private posts: LeaderPostLine[] = [];
  private readonly start: string;
  private readonly next: string;

  constructor(readonly year: number) {
    ({ start: this.start, next: this.next } = yearBounds(year));
  }

  private cell(unit: number, kind: string): AnnualFigures {
    const k = `${unit}\u0001${kind}`;
    let c = this.cells.get(k);
    if (!c) this.cells.set(k, (c = emptyFigures()));
    return c;
  }

  /** One record's versions (ascending). Versions recorded after the year are ignored. */
  addRecord(versions: VersionRow[]): void {
    if (!versions.length) return;
    const entity = versions[0].entity;
    let state: Row | null = null;
    let atStart: Row | null = null;
    let started = false;
    let first = true;
    for (const v of versions) {
      if (v.changedAt >= this.next) break;
      if (!started && v.changedAt >= this.start) {
        atStart = state && { ...state };
        started = true;
      }
      const before: Row | null = state;
      const after: Row | null = v.after === null ? null : { ...(state ?? {}), ...v.after };
      state = after;
      const isFirst = first;
      first = false;
      if (!started) continue;
      if (entity === 'person') this.personChange(before, after, v.source);
      else if (entity === 'quota') {
        const d = Number(after?.approved ?? 0) - Number(before?.approved ?? 0);
        const c = this.cell(Number((after ?? before)!.unit_id), String((after ?? before)!.kind));
        if (isFirst && d > 0 && !viaDecision(v.source)) c.quotaRecorded += d;
        else if (d > 0) c.quotaUp += d;
        else if (d < 0) c.quotaDown -= d;
      }
    }
    if (!started) atStart = state && { ...state };
    if (entity === 'person') {
      const s = onQuota(atStart);
      if (s) this.cell(s.unit, s.kind).actualStart++;
      const e = onQuota(state);
      if (e) {
        this.cell(e.unit, e.kind).actualEnd++;
        this.people.push({ unitId: e.unit, kind: e.kind, birth: ((state!.birth_date as string) || (state!.id_birth as string)) ?? null, education: (state!.education as string) ?? null, leaderLevel: (state!.leader_level as string) ?? null });
      }
    } else if (entity === 'quota') {
      if (atStart) this.cell(Number(atStart.unit_id), String(atStart.kind)).approvedStart += Number(atStart.approved ?? 0);
      if (state) this.cell(Number(state.unit_id), String(state.kind)).approvedEnd += Number(state.approved ?? 0);
    } else if (entity === 'leader_post' && state) {
      this.posts.push({ unitId: Number(state.unit_id), kind: String(state.kind), approved: Number(state.approved ?? 0) });
    }
  }

  private personChange(before: Row | null, after: Row | null, source: string): void {
    const a = onQuota(before);
    const b = onQuota(after);
    if (sameKey(a, b)) return;
    if (!a && b) {
      const c = this.cell(b.unit, b.kind);
      const enteredOn = typeof after?.entered_on === 'string' ? after.entered_on : '';
      if (before === null && !viaApproval(source) && !(enteredOn >= this.start)) c.recorded++;
      else {
        c.entered++;
        if (viaApproval(source)) c.enteredApproved++;
      }
    } else if (a && !b) {
      const c = this.cell(a.unit, a.kind);
      const r = after?.status === '已出编' && (EXIT_REASONS as readonly string[]).includes(String(after.exit_reason)) ? (after.exit_reason as ExitReason) : '其他';
      c.exits[r]++;
      c.exited++;
      if (viaApproval(source)) c.exitedApproved++;
    } else if (a && b) {
      this.cell(a.unit, a.kind).movedOut++;
      this.cell(b.unit, b.kind).movedIn++;
    }
  }

  /** The table over `units` (tree order; figures of units not listed are left out). */
  finish(units: AnnualUnit[], asOf: IsoDate, ended: boolean, historyFrom: IsoDate | null = null): AnnualTable {
    const ordered = treeOrder(units);
    const rows: AnnualRow[] = [];
    const byUnit = new Map<number, Array<[string, AnnualFigures]>>();
    for (const [k, f] of this.cells) {
      const [u, kind] = k.split('\u0001');
      const id = Number(u);
      if (!byUnit.has(id)) byUnit.set(id, []);
      byUnit.get(id)!.push([kind, f]);
    }
    const sectorSums = new Map<string, AnnualFigures>();
    const totals = new Map<string, AnnualFigures>();
    const sumInto = (m: Map<string, AnnualFigures>, k: string, f: AnnualFigures) => {
      if (!m.has(k)) m.set(k, emptyFigures());
      addFigures(m.get(k)!, f);
    };
    for (const { unit, depth } of ordered) {
      const lines = (byUnit.get(unit.id) ?? []).sort((a, b) => kindOrder(a[0]) - kindOrder(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [kind, f] of lines) {
        if (isEmpty(f)) continue;
        f.vacantStart = Math.max(0, startApproved(f) - startActual(f));
        f.overStart = Math.max(0, startActual(f) - startApproved(f));
        f.vacantEnd = Math.max(0, f.approvedEnd - f.actualEnd);
        f.overEnd = Math.max(0, f.actualEnd - f.approvedEnd);
        rows.push({ unitId: unit.id, unitName: unit.name, depth, sector: unit.sector, kind, ...f, exits: { ...f.exits } });
        sumInto(sectorSums, `${unit.sector}\u0001${kind}`, f);
        sumInto(sectorSums, `${unit.sector}\u0001全部`, f);
        sumInto(totals, kind, f);
        sumInto(totals, '全部', f);
      }
    }
    const inScope = new Set(units.map((u) => u.id));
    const sectorRows = [...sectorSums].map(([k, f]) => {
      const [sector, kind] = k.split('\u0001');
      return { sector, kind, ...f };
    }).sort((a, b) => sectorOrder(a.sector) - sectorOrder(b.sector) || kindOrder(a.kind) - kindOrder(b.kind) || (a.kind < b.kind ? -1 : 1));
    const totalRows = [...totals].map(([kind, f]) => ({ kind, ...f })).sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.kind < b.kind ? -1 : 1));
    return {
      year: this.year, asOf, ended, historyFrom, units: ordered.map((o) => o.unit), rows, sectorRows, totalRows,
      yearEndPeople: this.people.filter((p) => inScope.has(p.unitId)),
      leaderPosts: this.posts.filter((p) => inScope.has(p.unitId)),
    };
  }
}

/** 年初（含补录）: the start as the office knows it, with what was first recorded in the year. */
export const startApproved = (f: AnnualFigures) => f.approvedStart + f.quotaRecorded;
export const startActual = (f: AnnualFigures) => f.actualStart + f.recorded;

const isEmpty = (f: AnnualFigures) => !f.quotaRecorded && !f.approvedStart && !f.approvedEnd && !f.actualStart && !f.actualEnd && !f.entered && !f.recorded && !f.exited && !f.movedIn && !f.movedOut && !f.quotaUp && !f.quotaDown;

const KIND_ORDER = ['行政编制', '政法专项编制', '参公事业编制', '事业编制', '工勤编制'];
const kindOrder = (k: string) => (k === '全部' ? 1000 : k === UNFILLED_KIND ? 999 : KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : 500);
const SECTOR_ORDER = ['教育', '卫生', '其他'];
const sectorOrder = (s: string) => (SECTOR_ORDER.includes(s) ? SECTOR_ORDER.indexOf(s) : 99);

/** Units depth first from the roots (a unit whose parent is not listed is a root), siblings by id. */
export function treeOrder(units: AnnualUnit[]): Array<{ unit: AnnualUnit; depth: number }> {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<number | null, AnnualUnit[]>();
  for (const u of units) {
    const p = u.parentId != null && ids.has(u.parentId) && u.parentId !== u.id ? u.parentId : null;
    if (!children.has(p)) children.set(p, []);
    children.get(p)!.push(u);
  }
  for (const list of children.values()) list.sort((a, b) => a.id - b.id);
  const out: Array<{ unit: AnnualUnit; depth: number }> = [];
  const seen = new Set<number>();
  const walk = (u: AnnualUnit, depth: number) => {
    if (seen.has(u.id)) return;
    seen.add(u.id);
    out.push({ unit: u, depth });
    for (const c of children.get(u.id) ?? []) walk(c, depth + 1);
  };
  for (const r of children.get(null) ?? []) walk(r, 0);
  // A cycle leaves units unreached: they come last, as roots.
  for (const u of [...units].sort((a, b) => a.id - b.id)) walk(u, 0);
  return out;
}

// ---- the workbook's columns

/** The 决算表's figure columns: header and value. */
export const FIGURE_COLUMNS: ReadonlyArray<[string, (f: AnnualFigures) => number]> = [
  ['年初核定', (f) => f.approvedStart],
  ['核定补录', (f) => f.quotaRecorded],
  ['年初核定（含补录）', startApproved],
  ['年初实有', (f) => f.actualStart],
  ['人员补录', (f) => f.recorded],
  ['年初实有（含补录）', startActual],
  ['年初空编（含补录）', (f) => f.vacantStart],
  ['年初超编（含补录）', (f) => f.overStart],
  ['核定增加', (f) => f.quotaUp],
  ['核定减少', (f) => f.quotaDown],
  ['年末核定', (f) => f.approvedEnd],
  ['入编', (f) => f.entered],
  ['入编其中经审批', (f) => f.enteredApproved],
  ['出编合计', (f) => f.exited],
  ...EXIT_REASONS.map((r) => [`出编·${r}`, (f: AnnualFigures) => f.exits[r]] as [string, (f: AnnualFigures) => number]),
  ['出编其中经审批', (f) => f.exitedApproved],
  ['转入', (f) => f.movedIn],
  ['转出', (f) => f.movedOut],
  ['年末实有', (f) => f.actualEnd],
  ['年末空编', (f) => f.vacantEnd],
  ['年末超编', (f) => f.overEnd],
];

/** The 说明 lines of the workbook. */
export function annualNotes(t: AnnualTable, scopeName: string, generatedOn: IsoDate): string[] {
  const total = t.totalRows.find((r) => r.kind === '全部') ?? emptyFigures();
  return [
    `${t.year}年度编制使用决算报表（${scopeName}）`,
    t.ended
      ? `统计期间：${t.year}年1月1日至${t.year}年12月31日。年初数为${t.year}年1月1日前的记录状态，年末数为${t.year}年12月31日终了时的记录状态。`
      : `${t.year}年度尚未结束：年末数为截至今天（${generatedOn}）的数字，不是全年决算，年度结束后请重新下载。`,
    `生成日期：${generatedOn}；共 ${t.units.length} 个单位、${t.rows.length} 行（每个单位每种编制类型一行，按机构隶属关系排列，下级单位名称前有缩进）；表后为按系统（教育、卫生、其他）的小计和全部合计。`,
    '实有：在编状态为“在编”的人员，按使用编制类型计。空编 = 核定 − 实有（不足 0 记 0），超编 = 实有 − 核定（不足 0 记 0），均逐单位逐编制类型计算后相加；小计和合计中的空编、超编为各单位之和（毛数）。',
    ...(t.historyFrom ? [`系统从 ${t.historyFrom} 起保存数据及其修改记录；此前的年度没有数字，首次录入的年度以“补录”计入。`] : []),
    '年初（含补录）：年初核定、年初实有是系统在1月1日前已有的记录；年内首次录入系统的核定编制（核定补录）和原在编人员（人员补录）是已有的编制和人员，不是年内的增加，两者相加为“年初（含补录）”，年初空编、超编按含补录的数计算。年中开始使用本系统的单位，请以“年初（含补录）”作为年初数。',
    `净空编（合计核定 − 合计实有）：年初（含补录） ${startApproved(total) - startActual(total)}，年末 ${total.approvedEnd - total.actualEnd}；超编单位与空编单位相互抵消后的净数会掩盖超编，请同时看超编列。`,
    '核定补录：某单位某编制类型的核定编制在年内首次录入系统，且不是经审批或按批准文件（核定文件）录入的；核定增加、核定减少：已有核定编制的调整，以及经审批或按批准文件新核定的编制。入编：从非在编（待入编、已出编、编外）变为在编，或新录入入编时间在本年度的在编人员；人员补录：新录入系统、但入编时间在本年度以前（或未填入编时间）的在编人员，是系统首次记录已在编的人，不是本年度入编（首次导入的年度会有大量补录）；出编：从在编变为其他状态，原因取人员记录的出编原因（经“减人出编”审批的记录），没有原因的（如导入或直接修改）计入“其他”。转入、转出：在编人员调换单位或编制类型。',
    '数据来源：系统保存的每一次修改记录（修改前后的值、时间、来源）。变动按记录修改的时间计入年度；经审批办理的变动（来源为“审批：申请编号”）另计“其中经审批”，其余为导入或小程序修改。',
    '核对关系（每一行都成立）：年末实有 = 年初实有 + 人员补录 + 入编 − 出编合计 + 转入 − 转出；年末核定 = 年初核定 + 核定补录 + 核定增加 − 核定减少。即：年末 = 年初（含补录）+ 年内增加 − 年内减少。',
    '本表为统计报表，不含个人身份信息。',
  ];
}

// ---- the 机构编制报告 draft of one unit

export interface UnitReportInput {
  table: AnnualTable;
  unit: AnnualUnit;
  parentName: string | null;
  /** findings of the unit: opened in the year, resolved in the year, still open at the end */
  findings: { opened: number; resolved: number; openAtEnd: number; topRules: Array<{ rule: string; title: string; n: number }>; hintsOpen: number; topHints: Array<{ rule: string; title: string; n: number }> };
  scores: Array<{ month: string; score: number; rank: number }>;
  office: string;
  today: IsoDate;
}

const sumRows = (rows: AnnualFigures[]): AnnualFigures => {
  const s = emptyFigures();
  for (const r of rows) addFigures(s, r);
  return s;
};

const pct = (n: number, d: number) => (d > 0 ? `${((n / d) * 100).toFixed(1)}%` : '—');

function countBy<T>(list: T[], key: (t: T) => string, order: readonly string[] = []): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const t of list) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return [...m].sort((a, b) => {
    const ia = order.indexOf(a[0]);
    const ib = order.indexOf(b[0]);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 999 : ia) - (ib === -1 ? 999 : ib);
    return b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
  });
}

/** The draft report of one unit as an OfficialDocument (rendered by commands/official-documents.ts). */
export function unitAnnualReport(input: UnitReportInput): OfficialDocument {
  const { table: t, unit: u } = input;
  const rows = t.rows.filter((r) => r.unitId === u.id);
  const all = sumRows(rows);
  const people = t.yearEndPeople.filter((p) => p.unitId === u.id);
  const posts = t.leaderPosts.filter((p) => p.unitId === u.id);
  const endLabel = t.ended ? '年末' : `截至${documentDate(t.asOf)}`;
  const blocks: DocumentBlock[] = [];
  blocks.push({ kind: 'paragraph', plain: true, text: `草稿：本报告由三色系统根据实名制数据自动生成，数字取自系统保存的修改记录，文字供编办和单位核改后使用，正式报送前请核对。${t.ended ? '' : `${t.year}年度尚未结束，文中“年末”数字为截至${documentDate(t.asOf)}的数字。`}` });

  blocks.push({ kind: 'heading', text: '一、单位基本情况' });
  blocks.push({
    kind: 'form', fields: [
      { label: '单位名称', value: u.name },
      { label: '机构规格', value: u.level || '未录入' },
      { label: '机构性质', value: u.nature || '未录入' },
      { label: '机构类别', value: u.category || '未录入' },
      { label: '所属系统', value: u.sector },
      { label: '上级单位', value: input.parentName ?? '无' },
      { label: '设立批准文号', value: u.approvalNo || '未录入' },
      { label: '内设机构', value: u.internalOffices || '未录入', wide: true },
      { label: '主要职责', value: u.duties || '系统中未录入主要职责，请根据“三定”规定补充。', wide: true },
    ],
  });

  blocks.push({ kind: 'heading', text: '二、编制使用情况' });
  const late = all.quotaRecorded > 0 || all.recorded > 0;
  blocks.push({
    kind: 'paragraph',
    text: `${t.year}年初${late ? '（含年内补录）' : ''}，${u.name}核定编制${startApproved(all)}名，实有在编${startActual(all)}名；${endLabel}核定编制${all.approvedEnd}名，实有在编${all.actualEnd}名，空编${all.vacantEnd}名${all.overEnd ? `，超编${all.overEnd}名` : ''}，编制使用率${pct(all.actualEnd, all.approvedEnd)}。${late ? `本单位的${[all.quotaRecorded ? `核定编制${all.quotaRecorded}名` : '', all.recorded ? `在编人员${all.recorded}名` : ''].filter(Boolean).join('、')}是${t.year}年内首次录入系统的原有数（补录），计入年初数，不作为年内增加。` : ''}${all.quotaUp || all.quotaDown ? `年内核定编制增加${all.quotaUp}名、减少${all.quotaDown}名。` : '年内核定编制没有变化。'}`,
  });
  blocks.push({
    kind: 'table', title: '表1 编制使用决算',
    head: ['编制类型', '年初核定（含补录）', '年初实有（含补录）', '核定增加', '核定减少', '年末核定', '年末实有', '年末空编', '年末超编'],
    rows: [...rows, ...(rows.length > 1 ? [{ ...all, kind: '合计' }] : [])].map((r) => [r.kind, ...[startApproved(r), startActual(r), r.quotaUp, r.quotaDown, r.approvedEnd, r.actualEnd, r.vacantEnd, r.overEnd].map(String)]),
  });
  if (!rows.length) blocks.push({ kind: 'paragraph', text: '本单位年内没有核定编制，也没有在编人员。' });

  blocks.push({ kind: 'heading', text: '三、领导职数配备情况' });
  const held = countBy(people.filter((p) => p.leaderLevel && p.leaderLevel !== '非领导'), (p) => p.leaderLevel!);
  const postKinds = [...new Set([...posts.map((p) => p.kind), ...held.map(([k]) => k)])];
  if (postKinds.length) {
    const postRows = postKinds.map((k) => {
      const approved = posts.filter((p) => p.kind === k).reduce((n, p) => n + p.approved, 0);
      const real = held.find(([h]) => h === k)?.[1] ?? 0;
      return [k, String(approved), String(real), String(Math.max(0, approved - real)), String(Math.max(0, real - approved))];
    });
    blocks.push({ kind: 'table', title: '表2 领导职数核定与实配', head: ['职数类型', '核定', '实配', '空缺', '超配'], rows: postRows });
    const overs = postRows.filter((r) => Number(r[4]) > 0).map((r) => `${r[0]}超配${r[4]}名`);
    blocks.push({ kind: 'paragraph', text: overs.length ? `领导职数存在超配：${overs.join('、')}，请说明原因并提出消化计划。` : '领导职数均在核定数以内。' });
  } else blocks.push({ kind: 'paragraph', text: '本单位没有核定领导职数，也没有在编的领导职务人员。' });

  blocks.push({ kind: 'heading', text: `四、在编人员结构（${endLabel}）` });
  if (people.length) {
    const age = countBy(people, (p) => {
      const k = p.birth ? dateKind(p.birth) : 0;
      return ageBand(k === 10 ? ageOn(p.birth!, t.asOf) : k === 7 ? ageOn(`${p.birth}-01`, t.asOf) : null);
    }, AGE_BANDS);
    blocks.push({ kind: 'table', title: '表3 年龄结构', head: ['年龄段', '人数', '占比'], rows: age.map(([k, n]) => [k, String(n), pct(n, people.length)]) });
    const edu = countBy(people, (p) => p.education || '未填');
    blocks.push({ kind: 'table', title: '表4 学历结构', head: ['学历', '人数', '占比'], rows: edu.map(([k, n]) => [k, String(n), pct(n, people.length)]) });
    const kinds = countBy(people, (p) => p.kind, KIND_ORDER);
    blocks.push({ kind: 'table', title: '表5 编制类型', head: ['编制类型', '人数', '占比'], rows: kinds.map(([k, n]) => [k, String(n), pct(n, people.length)]) });
    const most = [...age].sort((a, b) => b[1] - a[1])[0];
    blocks.push({ kind: 'paragraph', text: `${endLabel}在编${people.length}人，${most[0]}的最多（${most[1]}人）；学历以${edu[0][0]}为主（${edu[0][1]}人）。` });
  } else blocks.push({ kind: 'paragraph', text: `${endLabel}本单位没有在编人员。` });

  blocks.push({ kind: 'heading', text: '五、年度人员变动' });
  blocks.push({
    kind: 'table', title: '表6 入编、出编和调整', head: ['编制类型', '入编', '其中经审批', '人员补录', '出编', ...EXIT_REASONS.map((r) => `出编·${r}`), '转入', '转出'],
    rows: [...rows, ...(rows.length > 1 ? [{ ...all, kind: '合计' }] : [])].map((r) => [r.kind, String(r.entered), String(r.enteredApproved), String(r.recorded), String(r.exited), ...EXIT_REASONS.map((x) => String(r.exits[x])), String(r.movedIn), String(r.movedOut)]),
  });
  const reasons = EXIT_REASONS.filter((r) => all.exits[r] > 0).map((r) => `${r}${all.exits[r]}人`);
  blocks.push({
    kind: 'paragraph',
    text: `${t.year}年${t.ended ? '' : '（截至目前）'}本单位入编${all.entered}人（其中经审批${all.enteredApproved}人）${all.recorded ? `，首次录入系统的原在编人员${all.recorded}人` : ''}，出编${all.exited}人${reasons.length ? `（${reasons.join('、')}）` : ''}${all.exited - all.exitedApproved > 0 ? `，其中${all.exited - all.exitedApproved}人未经“减人出编”审批，请补办或说明` : ''}${all.movedIn || all.movedOut ? `；在编人员调换单位或编制类型转入${all.movedIn}人、转出${all.movedOut}人` : ''}。`,
  });

  blocks.push({ kind: 'heading', text: '六、数据质量' });
  const f = input.findings;
  blocks.push({
    kind: 'paragraph',
    text: `${t.year}年系统对本单位发现数据问题${f.opened}个，年内整改${f.resolved}个，${endLabel}尚有${f.openAtEnd}个未整改。${f.topRules.length ? `出现最多的问题：${f.topRules.map((r) => `${r.title}（${r.rule}）${r.n}个`).join('、')}。` : ''}${f.hintsOpen ? `另有提示${f.hintsOpen}条（${f.topHints.map((r) => `${r.title.replace(/（提示）$/, '')}${r.n}条`).join('、')}），只作提醒，不是数据错误，不计入以上问题数。` : ''}`,
  });
  if (input.scores.length) {
    blocks.push({ kind: 'table', title: '表7 月度数据质量评分', head: ['月份', '得分', '排名'], rows: input.scores.map((s) => [s.month, s.score.toFixed(1), String(s.rank)]) });
    const avg = input.scores.reduce((n, s) => n + s.score, 0) / input.scores.length;
    blocks.push({ kind: 'paragraph', text: `年内${input.scores.length}个月有评分，平均${avg.toFixed(1)}分。` });
  } else blocks.push({ kind: 'paragraph', text: '年内没有月度评分记录。' });

  blocks.push({ kind: 'heading', text: '七、下一步工作' });
  const next: string[] = [];
  if (all.overEnd) next.push(`消化超编${all.overEnd}名，超编消化前不新增进人`);
  if (all.vacantEnd) next.push(`空编${all.vacantEnd}名，按需求提出用编计划`);
  if (f.openAtEnd) next.push(`整改尚未完成的${f.openAtEnd}个数据问题`);
  next.push('按月核对实名制数据，做到人编对应、信息准确');
  blocks.push({ kind: 'paragraph', text: `${next.join('；')}。` });

  return {
    title: `${u.name}${t.year}年度机构编制报告（草稿）`,
    blocks,
    signature: { issuer: u.name, date: input.today },
    footnote: `由三色系统根据实名制数据生成，数据截至${documentDate(t.asOf)}；草稿，供核改。`,
  };
}

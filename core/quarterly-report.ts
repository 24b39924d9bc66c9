// The quarterly analysis report (机构编制人员情况分析报告, Ningbo art. 13; Keqiao's quarterly
// 《机构编制信息》): from figures the check already computed (month snapshots of the unit stats,
// check-run summaries, scores, monthly lights, sanctions, decided requests) its content — the
// figures at the quarter's end, their change from the previous quarter, the tables, the chart
// data and the template narrative of sections 一…六. Pure: db/quarterly-report.ts gathers the
// inputs, commands/quarterly-report.ts writes .docx / PDF.

import { DateInputError } from './dates.ts';
import { AGE_BANDS, SATURATION_BANDS, SECTORS, statsOf, statTotal, type Sector, type UnitStats } from './unit-stats.ts';

export interface Quarter {
  /** 'YYYYQn' */
  id: string;
  year: number;
  q: 1 | 2 | 3 | 4;
  /** its three months, 'YYYY-MM', in order */
  months: string[];
  first: string;
  last: string;
  /** e.g. 2026年第三季度 */
  title: string;
}

const Q_NAMES = ['一', '二', '三', '四'];

/** A quarter 'YYYYQn' (2026Q3), checked; throws DateInputError naming the field. */
export function validQuarter(value: unknown, field = '季度'): Quarter {
  const t = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const m = /^(\d{4})Q([1-4])$/.exec(t);
  if (!m || Number(m[1]) < 2000 || Number(m[1]) > 2100) throw new DateInputError(field, `${field} 应为“年份+Q+季度序号”，例如 2026Q3；“${String(value ?? '').slice(0, 20)}”不是有效季度`);
  return quarterOf(Number(m[1]), Number(m[2]) as Quarter['q']);
}

export function quarterOf(year: number, q: Quarter['q']): Quarter {
  const months = [0, 1, 2].map((i) => `${year}-${String((q - 1) * 3 + i + 1).padStart(2, '0')}`);
  return { id: `${year}Q${q}`, year, q, months, first: `${months[0]}-01`, last: months[2], title: `${year}年第${Q_NAMES[q - 1]}季度` };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.q === 1 ? quarterOf(q.year - 1, 4) : quarterOf(q.year, (q.q - 1) as Quarter['q']);
}

/** The quarter a month 'YYYY-MM' falls in. */
export function quarterOfMonth(month: string): Quarter {
  return quarterOf(Number(month.slice(0, 4)), (Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1) as Quarter['q']);
}

/** The figures of one quarter's end: the snapshot of its latest month with one, in all and by sector. */
export interface QuarterSnapshot {
  month: string;
  asOf: string;
  all: UnitStats;
  bySector: Partial<Record<Sector, UnitStats>>;
}

export interface QualityFigures {
  /** the quarter's last check run: open findings by light */
  lastRun: { date: string; yellow: number; red: number } | null;
  /** the quarter's monthly scores */
  scores: { count: number; average: number | null; bands: Record<string, number>; best: Array<{ unit: string; score: number }>; worst: Array<{ unit: string; score: number }> };
  /** units red in a month of the quarter, by month */
  redUnits: Array<{ month: string; units: string[] }>;
  /** suspensions decided for a month of the quarter */
  suspensions: Array<{ unit: string; month: string; months: number | null }>;
}

export interface QuarterlyInputs {
  quarter: Quarter;
  current: QuarterSnapshot | null;
  previous: QuarterSnapshot | null;
  quality: QualityFigures;
  previousQuality: { lastRun: QualityFigures['lastRun'] };
  /** staffing requests decided in the quarter: kind → outcome → count */
  requests: Record<string, Record<string, number>>;
}

/** The 编制 figures of one set of sums. */
export interface StaffingFigures {
  approved: number;
  onQuota: number;
  /** gross 空编: the units' vacancies added up (domain.md §7) */
  vacantGross: number;
  /** net 空编: 核定 − 实有 */
  vacantNet: number;
  over: number;
  overUnits: number;
  units: number;
}

export function staffingFigures(s: UnitStats, kind?: string): StaffingFigures {
  const pick = (dim: 'approved' | 'onQuota' | 'vacant' | 'over' | 'overUnit') => statTotal(s, dim, kind || undefined);
  const total = statsOf(s, 'unitTotal');
  const approved = pick('approved');
  const onQuota = pick('onQuota');
  return {
    approved, onQuota,
    vacantGross: kind ? pick('vacant') : total.vacant ?? 0,
    vacantNet: approved - onQuota,
    over: kind ? pick('over') : total.over ?? 0,
    overUnits: kind ? pick('overUnit') : total.overUnit ?? 0,
    units: total.units ?? 0,
  };
}

export type Cell = string | number;
export interface ReportTable {
  title: string;
  head: string[];
  rows: Cell[][];
}
export interface ReportChart {
  id: string;
  title: string;
  kind: 'bar' | 'pie' | 'line';
  categories: string[];
  series: Array<{ name: string; data: number[] }>;
}
export interface ReportSection {
  /** 一、基本情况 … */
  heading: string;
  key: SectionKey;
  paragraphs: string[];
  tables: ReportTable[];
  charts: ReportChart[];
}
export const SECTION_KEYS = ['basics', 'staffing', 'structure', 'retirement', 'quality', 'advice'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];
export const SECTION_HEADINGS: Record<SectionKey, string> = {
  basics: '一、基本情况', staffing: '二、编制使用', structure: '三、人员结构', retirement: '四、退休预测', quality: '五、数据质量', advice: '六、下步建议',
};

export interface QuarterlyReport {
  quarter: Quarter;
  title: string;
  asOf: string | null;
  sections: ReportSection[];
  /** the figures a narrative may quote (the whitelist an LLM prompt is built from) */
  facts: Record<string, Cell>;
}

export const NO_DATA = '上季度无数据';
const pct = (n: number, d: number) => (d ? `${((n / d) * 100).toFixed(1)}%` : '—');
/** A change in words for the narrative: 增加 3 / 减少 2 / 持平, or 上季度无数据. */
export function changeWords(now: number, before: number | null | undefined): string {
  if (before === null || before === undefined) return NO_DATA;
  const d = now - before;
  return d > 0 ? `增加 ${d}` : d < 0 ? `减少 ${-d}` : '持平';
}

/** The change of a figure from the previous quarter, as text: +12 / -3 / 0, or 上季度无数据. */
export function change(now: number, before: number | null | undefined): string {
  if (before === null || before === undefined) return NO_DATA;
  const d = now - before;
  return d > 0 ? `+${d}` : String(d);
}

const FIGURE_ROWS: Array<[keyof StaffingFigures, string]> = [
  ['approved', '核定编制'], ['onQuota', '实有人数'], ['vacantNet', '空编（净）'], ['vacantGross', '空编（各单位合计）'], ['over', '超编人数'], ['overUnits', '超编单位'],
];

function kindsOf(...ss: Array<UnitStats | undefined>): string[] {
  const out = new Set<string>();
  for (const s of ss) if (s) for (const k of [...Object.keys(statsOf(s, 'approved')), ...Object.keys(statsOf(s, 'onQuota'))]) out.add(k);
  return [...out].sort();
}

const sumOf = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);

/** The retirements of the next five calendar years from the snapshot's month, by year and sector. */
export function retirementsByYear(snap: QuarterSnapshot): { years: number[]; bySector: Record<Sector, number[]>; total: number[] } {
  const y0 = Number(snap.month.slice(0, 4));
  const years = [0, 1, 2, 3, 4].map((i) => y0 + i);
  const count = (s: UnitStats | undefined) => {
    const out = years.map(() => 0);
    if (!s) return out;
    for (const [key, n] of Object.entries(statsOf(s, 'retire'))) {
      const month = key.slice(0, 7);
      if (month < snap.month) continue;
      const i = years.indexOf(Number(month.slice(0, 4)));
      if (i >= 0) out[i] += n;
    }
    return out;
  };
  const bySector = Object.fromEntries(SECTORS.map((s) => [s, count(snap.bySector[s])])) as Record<Sector, number[]>;
  return { years, bySector, total: count(snap.all) };
}

const SCORE_BANDS = ['90分及以上', '80-89分', '60-79分', '60分以下'] as const;
export function scoreBand(score: number): (typeof SCORE_BANDS)[number] {
  return score >= 90 ? SCORE_BANDS[0] : score >= 80 ? SCORE_BANDS[1] : score >= 60 ? SCORE_BANDS[2] : SCORE_BANDS[3];
}
export { SCORE_BANDS };

/** The report's content from the gathered figures, with the template narrative. */
export function buildQuarterlyReport(inp: QuarterlyInputs): QuarterlyReport {
  const { quarter, current: cur, previous: prev } = inp;
  const title = `${quarter.title}机构编制人员情况分析报告`;
  const facts: Record<string, Cell> = { 季度: quarter.title };
  const sections: ReportSection[] = [];
  const section = (key: SectionKey): ReportSection => {
    const s: ReportSection = { heading: SECTION_HEADINGS[key], key, paragraphs: [], tables: [], charts: [] };
    sections.push(s);
    return s;
  };

  // 一、基本情况
  const basics = section('basics');
  const now = cur ? staffingFigures(cur.all) : null;
  const before = prev ? staffingFigures(prev.all) : null;
  if (!cur || !now) {
    basics.paragraphs.push(`${quarter.title}没有数据检查形成的编制数据快照，本报告无法给出季末编制数据。`);
  } else {
    Object.assign(facts, { 数据截至: cur.asOf, 单位数: now.units, 核定编制: now.approved, 实有人数: now.onQuota, 净空编: now.vacantNet, 空编合计: now.vacantGross, 超编人数: now.over, 超编单位: now.overUnits });
    basics.paragraphs.push(
      `截至${cur.asOf}，全县（市、区）纳入实名制管理的单位 ${now.units} 个，核定编制 ${now.approved} 名，实有在编 ${now.onQuota} 人，` +
      `净空编 ${now.vacantNet} 名（空编率 ${pct(now.vacantNet, now.approved)}），各单位空编合计 ${now.vacantGross} 名；超编 ${now.over} 人，涉及超编单位 ${now.overUnits} 个。`,
      before ? `与上季度末（${prev!.asOf}）相比，核定编制${changeWords(now.approved, before.approved)}，实有在编${changeWords(now.onQuota, before.onQuota)}，净空编${changeWords(now.vacantNet, before.vacantNet)}，超编单位${changeWords(now.overUnits, before.overUnits)}。` : `${NO_DATA}，暂不作季度比较。`,
    );
    basics.tables.push({
      title: '表1 季末编制总体情况',
      head: ['项目', '本季度末', '上季度末', '变化'],
      rows: FIGURE_ROWS.map(([k, name]) => [name, now[k], before ? before[k] : NO_DATA, change(now[k], before?.[k])]),
    });
  }

  // 二、编制使用
  const staffing = section('staffing');
  if (cur && now) {
    const kinds = kindsOf(cur.all, prev?.all);
    staffing.tables.push({
      title: '表2 分编制类型编制使用情况',
      head: ['编制类型', '核定', '实有', '净空编', '空编合计', '超编', '超编单位', '实有较上季度'],
      rows: kinds.map((k) => {
        const f = staffingFigures(cur.all, k);
        return [k, f.approved, f.onQuota, f.vacantNet, f.vacantGross, f.over, f.overUnits, change(f.onQuota, prev ? staffingFigures(prev.all, k).onQuota : null)];
      }),
    });
    staffing.tables.push({
      title: '表3 分领域编制使用情况',
      head: ['领域', '单位数', '核定', '实有', '净空编', '超编单位', '实有较上季度'],
      rows: SECTORS.map((sec) => {
        const s = cur.bySector[sec];
        const f = s ? staffingFigures(s) : staffingFigures(new Map());
        const p = prev?.bySector[sec];
        return [sec, f.units, f.approved, f.onQuota, f.vacantNet, f.overUnits, change(f.onQuota, prev ? (p ? staffingFigures(p).onQuota : 0) : null)];
      }),
    });
    const sat = statsOf(cur.all, 'saturation');
    const satPrev = prev ? statsOf(prev.all, 'saturation') : null;
    staffing.tables.push({
      title: '表4 单位编制使用饱和度分布',
      head: ['饱和度', '单位数', '上季度末', '变化'],
      rows: SATURATION_BANDS.map((b) => [b, sat[b] ?? 0, satPrev ? satPrev[b] ?? 0 : NO_DATA, change(sat[b] ?? 0, satPrev ? satPrev[b] ?? 0 : null)]),
    });
    staffing.charts.push({
      id: 'staffing', title: '分编制类型核定与实有', kind: 'bar', categories: kinds,
      series: [{ name: '核定', data: kinds.map((k) => staffingFigures(cur.all, k).approved) }, { name: '实有', data: kinds.map((k) => staffingFigures(cur.all, k).onQuota) }],
    });
    staffing.charts.push({ id: 'saturation', title: '单位编制使用饱和度', kind: 'bar', categories: [...SATURATION_BANDS], series: [{ name: '单位数', data: SATURATION_BANDS.map((b) => sat[b] ?? 0) }] });
    const full = (sat['满编'] ?? 0) + (sat['超编'] ?? 0) + (sat['90%-100%'] ?? 0);
    facts['饱和度90%以上单位'] = full;
    staffing.paragraphs.push(
      `分编制类型看，${kinds.map((k) => { const f = staffingFigures(cur.all, k); return `${k}核定 ${f.approved} 名、实有 ${f.onQuota} 人`; }).join('；')}。`,
      `编制使用饱和度在 90% 以上（含满编、超编）的单位 ${full} 个，其中超编单位 ${sat['超编'] ?? 0} 个；饱和度低于 60% 的单位 ${sat['60%以下'] ?? 0} 个。`,
    );
  } else staffing.paragraphs.push('本季度无编制数据。');

  // 三、人员结构
  const structure = section('structure');
  if (cur) {
    const age = statsOf(cur.all, 'age');
    const edu = statsOf(cur.all, 'education');
    const total = sumOf(age);
    const eduKeys = Object.keys(edu).sort((a, b) => edu[b] - edu[a]);
    structure.tables.push({ title: '表5 在编人员年龄结构', head: ['年龄段', '人数', '占比'], rows: AGE_BANDS.filter((b) => age[b]).map((b) => [b, age[b], pct(age[b], total)]) });
    structure.tables.push({ title: '表6 在编人员学历结构', head: ['学历', '人数', '占比'], rows: eduKeys.map((k) => [k, edu[k], pct(edu[k], sumOf(edu))]) });
    structure.charts.push({ id: 'age', title: '在编人员年龄结构', kind: 'bar', categories: AGE_BANDS.filter((b) => age[b]), series: [{ name: '人数', data: AGE_BANDS.filter((b) => age[b]).map((b) => age[b]) }] });
    const old = (age['51-55岁'] ?? 0) + (age['56岁及以上'] ?? 0);
    const young = age['30岁及以下'] ?? 0;
    facts['51岁及以上人数'] = old;
    facts['30岁及以下人数'] = young;
    structure.paragraphs.push(`季末在编人员${now && total !== now.onQuota ? `（含未填使用编制类型的 ${total - now.onQuota} 人）` : ''}共 ${total} 人，其中30岁及以下 ${young} 人（${pct(young, total)}），51岁及以上 ${old} 人（${pct(old, total)}）。` +
      (eduKeys.length ? `学历以${eduKeys.slice(0, 2).join('、')}为主。` : ''));
  } else structure.paragraphs.push('本季度无人员结构数据。');

  // 四、退休预测
  const retirement = section('retirement');
  if (cur) {
    const r = retirementsByYear(cur);
    retirement.tables.push({
      title: '表7 今后五年退休人数（按年度、领域）',
      head: ['年度', ...SECTORS, '合计'],
      rows: r.years.map((y, i) => [`${y}年${i === 0 ? `（${Number(cur.month.slice(5))}月起）` : ''}`, ...SECTORS.map((s) => r.bySector[s][i]), r.total[i]]),
    });
    retirement.charts.push({ id: 'retire', title: '今后五年退休人数', kind: 'bar', categories: r.years.map(String), series: SECTORS.map((s) => ({ name: s, data: r.bySector[s] })) });
    const five = sumOf(Object.fromEntries(r.total.map((n, i) => [i, n])));
    facts['五年内退休人数'] = five;
    for (const s of SECTORS) facts[`五年内退休_${s}`] = sumOf(Object.fromEntries(r.bySector[s].map((n, i) => [i, n])));
    retirement.paragraphs.push(`${r.years[0]}—${r.years[4]}年预计退休 ${five} 人，其中教育 ${facts['五年内退休_教育']} 人、卫生 ${facts['五年内退休_卫生']} 人、其他 ${facts['五年内退休_其他']} 人，` +
      `退休高峰在${r.years[r.total.indexOf(Math.max(...r.total))]}年（${Math.max(...r.total)} 人）。`);
  } else retirement.paragraphs.push('本季度无退休预测数据。');

  // 五、数据质量
  const quality = section('quality');
  const q = inp.quality;
  const pr = inp.previousQuality.lastRun;
  quality.tables.push({
    title: '表8 季末未整改问题',
    head: ['项目', '本季度末', '上季度末', '变化'],
    rows: q.lastRun
      ? [['黄灯问题', q.lastRun.yellow, pr ? pr.yellow : NO_DATA, change(q.lastRun.yellow, pr?.yellow)], ['红灯问题', q.lastRun.red, pr ? pr.red : NO_DATA, change(q.lastRun.red, pr?.red)]]
      : [['黄灯问题', '本季度无检查', pr ? pr.yellow : NO_DATA, '—'], ['红灯问题', '本季度无检查', pr ? pr.red : NO_DATA, '—']],
  });
  quality.tables.push({ title: '表9 月度评分分布', head: ['分数段', '单位·月次'], rows: SCORE_BANDS.map((b) => [b, q.scores.bands[b] ?? 0]) });
  if (q.scores.count) quality.charts.push({ id: 'scores', title: '本季度月度评分分布', kind: 'pie', categories: [...SCORE_BANDS], series: [{ name: '单位·月次', data: SCORE_BANDS.map((b) => q.scores.bands[b] ?? 0) }] });
  const redCount = new Set(q.redUnits.flatMap((r) => r.units)).size;
  if (q.lastRun) Object.assign(facts, { 季末黄灯问题: q.lastRun.yellow, 季末红灯问题: q.lastRun.red });
  Object.assign(facts, { 评分单位月次: q.scores.count, 季度红灯单位数: redCount, 暂停受理单位数: q.suspensions.length });
  if (q.scores.average !== null) facts['平均得分'] = q.scores.average;
  quality.paragraphs.push(
    q.lastRun ? `季末（${q.lastRun.date}）尚有黄灯问题 ${q.lastRun.yellow} 条、红灯问题 ${q.lastRun.red} 条${pr ? `，较上季度末黄灯${changeWords(q.lastRun.yellow, pr.yellow)}、红灯${changeWords(q.lastRun.red, pr.red)}` : `（${NO_DATA}）`}。` : '本季度未进行数据质量检查。',
    q.scores.count ? `本季度月度评分共 ${q.scores.count} 个单位·月次，平均 ${q.scores.average} 分。${q.scores.best.length ? `红榜单位：${q.scores.best.map((b) => `${b.unit}（${b.score}分）`).join('、')}。` : ''}${q.scores.worst.length ? `黑榜单位：${q.scores.worst.map((b) => `${b.unit}（${b.score}分）`).join('、')}。` : ''}` : '本季度尚无月度评分。',
    `本季度亮红灯的单位 ${redCount} 个${q.suspensions.length ? `，暂停受理机构编制事项的单位 ${q.suspensions.length} 个（${q.suspensions.map((s) => s.unit).join('、')}）` : '，无暂停受理的单位'}。`,
  );
  const reqRows: Cell[][] = Object.entries(inp.requests).sort().map(([kind, by]) => [kind, by['approved'] ?? 0, by['rejected'] ?? 0, sumOf(by)]);
  quality.tables.push({ title: '表10 本季度办结的机构编制事项', head: ['事项', '批准', '不予批准', '合计'], rows: reqRows.length ? reqRows : [['（无）', 0, 0, 0]] });
  const reqTotal = reqRows.reduce((a, r) => a + Number(r[3]), 0);
  facts['办结事项'] = reqTotal;
  quality.paragraphs.push(reqTotal ? `本季度办结机构编制事项 ${reqTotal} 件，其中批准 ${reqRows.reduce((a, r) => a + Number(r[1]), 0)} 件、不予批准 ${reqRows.reduce((a, r) => a + Number(r[2]), 0)} 件。` : '本季度没有办结的机构编制事项。');

  // 六、下步建议
  const advice = section('advice');
  const tips: string[] = [];
  if (now && now.overUnits) tips.push(`督促 ${now.overUnits} 个超编单位制定消化超编计划，超编期间暂停其增人入编事项。`);
  if (cur) {
    const r = retirementsByYear(cur);
    if (r.bySector['教育'].some((n) => n) || r.bySector['卫生'].some((n) => n)) tips.push('结合教育、卫生领域退休高峰，提前统筹空编资源，合理安排用编计划。');
  }
  if (q.lastRun && q.lastRun.red) tips.push(`对季末仍有红灯问题的单位加强督办，限期整改 ${q.lastRun.red} 条红灯问题。`);
  if (q.suspensions.length) tips.push('对暂停受理的单位跟踪整改，整改到位后及时恢复受理。');
  tips.push('继续落实单位专管员每月两次自查，提高实名制数据的完整性、准确性和及时性。');
  advice.paragraphs.push(...tips.map((t, i) => `${i + 1}. ${t}`));

  return { quarter, title, asOf: cur?.asOf ?? null, sections, facts };
}

/** The narrative as one text: each section's heading line then its paragraphs (what a draft holds). */
export function narrativeText(report: QuarterlyReport): string {
  return report.sections.map((s) => [s.heading, ...s.paragraphs].join('\n')).join('\n\n');
}

/**
 * A saved or drafted narrative put back into the sections: the text is split at the headings
 * 一、… 六、; a section whose heading is missing keeps its template paragraphs.
 */
export function withNarrative(report: QuarterlyReport, text: string): QuarterlyReport {
  const parts = new Map<SectionKey, string[]>();
  let currentKey: SectionKey | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const key = SECTION_KEYS.find((k) => line.startsWith(SECTION_HEADINGS[k]) || line.replace(/^#+\s*/, '').startsWith(SECTION_HEADINGS[k]));
    if (key) {
      currentKey = key;
      parts.set(key, []);
      continue;
    }
    if (currentKey && line) parts.get(currentKey)!.push(line);
  }
  return { ...report, sections: report.sections.map((s) => (parts.get(s.key)?.length ? { ...s, paragraphs: parts.get(s.key)! } : s)) };
}

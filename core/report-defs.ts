// The office's monthly analysis reports (月度分析报表), each one definition: its name, its
// Chinese title, and per sheet which rows (units; towns = units of 机构性质 乡镇(街道)机关 with
// their subtree summed; one row per unit and 编制类型; 编制类型 over the area; sectors), a
// filter, a grouping (with a 小计 line per group), the columns (header and value function) and
// the totals lines (合计 = the gross sum of the rows; 合计（净） = netted: Σ核定 − Σ实有).
// buildReport turns a definition and the figures (ReportData: the units' stored stats, their
// 领导职数, the forecast) into sheets of cells; db/reports.ts reads the figures and writes the
// workbook. To add a report: append a ReportDef to REPORTS (README "月度分析报表").

import { sectorOfStats, type Forecast } from './forecast.ts';
import { addStats, quotaKindsOf, SECTORS, statKey, type Sector, type UnitStats } from './unit-stats.ts';

export type Cell = string | number | null;

/** What one row is about: a unit, a town with its subtree, a (unit, 编制类型), a 编制类型 or a sector. */
export interface Subject {
  id: number | null;
  name: string;
  nature: string | null;
  isCanGong: boolean;
  sector: Sector;
  /** Set on rows of one 编制类型 (unitKinds, kinds): the figures read are that kind's. */
  kind: string | null;
  stats: UnitStats;
  /** 核定领导职数 by 职数类型 (leader_posts). */
  leaderPosts: Record<string, number>;
}

export interface ReportUnit {
  id: number;
  name: string;
  parentId: number | null;
  nature: string | null;
  isCanGong: boolean;
  stats: UnitStats;
  leaderPosts: Record<string, number>;
}

export interface ReportData {
  month: string;
  /** Date of the check the figures are from. */
  asOf: string | null;
  units: ReportUnit[];
  /** The 5-year forecast from the month after `month` (5年退休预测表). */
  forecast: Forecast | null;
}

export type TotalLine = 'gross' | 'net';

export interface Column {
  header: string;
  /** A fraction shown as a percentage (0.0%). */
  percent?: boolean;
  value(s: Subject): Cell;
  /** The cell of a 小计/合计 line over rows; default: the sum of the numeric values (blank for text). */
  total?(rows: Subject[], line: TotalLine): Cell;
}

export type RowSource = 'units' | 'towns' | 'unitKinds' | 'kinds' | 'sectors';

export interface SheetDef {
  /** The sheet's Chinese name (≤ 31 characters). */
  title: string;
  rows: RowSource;
  filter?(s: Subject): boolean;
  /** The group a row belongs to: rows are ordered by group and each group gets a 小计 line. */
  group?(s: Subject): string;
  /** Ordering within a group (default: by name). */
  order?(a: Subject, b: Subject): number;
  columns: Column[] | ((data: ReportData) => Column[]);
  totals: TotalLine[];
  /** Rows from the data other than units (5年退休预测表): replaces `rows`. */
  subjects?(data: ReportData): Subject[];
}

export interface ReportDef {
  /** Stable identifier, in URLs and the CLI's --name (the title works too). */
  name: string;
  title: string;
  sheets: SheetDef[];
}

export interface BuiltSheet {
  title: string;
  headers: string[];
  percentColumns: number[];
  rows: Cell[][];
  /** What each row is: data, a group's 小计, or a 合计 line. */
  rowKinds: Array<'data' | 'subtotal' | 'total'>;
}

export interface BuiltReport {
  name: string;
  title: string;
  month: string;
  sheets: BuiltSheet[];
  /** Data rows over all sheets. */
  rows: number;
}

// ---- figures of a subject -------------------------------------------------------------------

const ALL_KINDS = ['行政编制', '政法专项编制', '事业编制', '参公事业编制', '机关工勤编制', '机关事业编制', '专项编制'];
const get = (s: UnitStats, dim: Parameters<typeof statKey>[0], key: string) => s.get(statKey(dim, key)) ?? 0;

/** The kinds a column reads for a subject: the row's own kind, else the column's list. */
const kindsFor = (s: Subject, kinds: readonly string[]) => (s.kind ? [s.kind] : kinds);
export const approvedIn = (s: Subject, kinds: readonly string[]) => kindsFor(s, kinds).reduce((a, k) => a + get(s.stats, 'approved', k), 0);
export const actualIn = (s: Subject, kinds: readonly string[]) => kindsFor(s, kinds).reduce((a, k) => a + get(s.stats, 'onQuota', k), 0);
export const vacantIn = (s: Subject, kinds: readonly string[]) => kindsFor(s, kinds).reduce((a, k) => a + get(s.stats, 'vacant', k), 0);
export const overIn = (s: Subject, kinds: readonly string[]) => kindsFor(s, kinds).reduce((a, k) => a + get(s.stats, 'over', k), 0);
export const inTransitIn = (s: Subject, kinds: readonly string[]) => kindsFor(s, kinds).reduce((a, k) => a + get(s.stats, 'inTransit', k), 0);
const ratio = (a: number, b: number): Cell => (b > 0 ? a / b : null);
const sum = (rows: Subject[], f: (s: Subject) => number) => rows.reduce((a, s) => a + f(s), 0);

/** The columns of a staffing line over some kinds: 核定, 实有, 空编 (gross; net on the 净 line), 超编, 在途, 饱和度, 空编率. */
export function staffingColumns(kinds: readonly string[], prefix = '', opts: { inTransit?: boolean; saturation?: boolean; rate?: boolean } = {}): Column[] {
  const cols: Column[] = [
    { header: `${prefix}核定`, value: (s) => approvedIn(s, kinds) },
    { header: `${prefix}实有`, value: (s) => actualIn(s, kinds) },
    {
      header: `${prefix}空编`, value: (s) => vacantIn(s, kinds),
      total: (rows, line) => (line === 'gross' ? sum(rows, (s) => vacantIn(s, kinds)) : sum(rows, (s) => approvedIn(s, kinds)) - sum(rows, (s) => actualIn(s, kinds))),
    },
    { header: `${prefix}超编`, value: (s) => overIn(s, kinds), total: (rows, line) => (line === 'gross' ? sum(rows, (s) => overIn(s, kinds)) : null) },
  ];
  if (opts.inTransit) cols.push({ header: `${prefix}在途`, value: (s) => inTransitIn(s, kinds) });
  if (opts.saturation) cols.push({ header: `${prefix}饱和度`, percent: true, value: (s) => ratio(actualIn(s, kinds), approvedIn(s, kinds)), total: (rows) => ratio(sum(rows, (s) => actualIn(s, kinds)), sum(rows, (s) => approvedIn(s, kinds))) });
  if (opts.rate) {
    cols.push({
      header: `${prefix}空编率`, percent: true, value: (s) => ratio(vacantIn(s, kinds), approvedIn(s, kinds)),
      total: (rows, line) => ratio(line === 'gross' ? sum(rows, (s) => vacantIn(s, kinds)) : sum(rows, (s) => approvedIn(s, kinds)) - sum(rows, (s) => actualIn(s, kinds)), sum(rows, (s) => approvedIn(s, kinds))),
    });
  }
  return cols;
}

/** 领导职数 of one 职数类型: 核定 (leader_posts), 实配 (在编 people of that 领导职务层次), 空缺, 超配. */
export function leaderColumns(postKind: string, opts: { gapAndExcess?: boolean } = { gapAndExcess: true }): Column[] {
  const approved = (s: Subject) => s.leaderPosts[postKind] ?? 0;
  const held = (s: Subject) => get(s.stats, 'leaderLevel', postKind);
  const cols: Column[] = [
    { header: `${postKind}职数`, value: approved },
    { header: `${postKind}实配`, value: held },
  ];
  if (opts.gapAndExcess) {
    cols.push({ header: `${postKind}空缺`, value: (s) => Math.max(0, approved(s) - held(s)) });
    cols.push({ header: `${postKind}超配`, value: (s) => Math.max(0, held(s) - approved(s)) });
  }
  return cols;
}

const nameCol: Column = { header: '单位名称', value: (s) => s.name };
const idCol: Column = { header: '单位编号', value: (s) => s.id, total: () => null };
const kindCol: Column = { header: '编制类型', value: (s) => s.kind };
const hasAny = (s: Subject, dims: Array<'approved' | 'onQuota'>, kinds: readonly string[]) => dims.some((d) => kinds.some((k) => get(s.stats, d, k) > 0));

const ADMIN_KINDS = ['行政编制', '政法专项编制'];

/** A row of the retirement forecast (a unit or a sector) as a subject: its years and gap in `stats`. */
function forecastSubject(id: number | null, name: string, sector: Sector, byYear: Record<string, number>, gap: { retirements: number; vacantNow: number; vacantAfter: number }): Subject {
  const stats: UnitStats = new Map(Object.entries(byYear).map(([y, n]) => [`year|${y}`, n]));
  stats.set('gap|retirements', gap.retirements).set('gap|vacantNow', gap.vacantNow).set('gap|vacantAfter', gap.vacantAfter);
  return { id, name, nature: null, isCanGong: false, sector, kind: null, stats, leaderPosts: {} };
}

/** Per calendar year of the forecast (partial years say their months), then 退休合计, 现有空编, 期末空编. */
function forecastColumns(d: ReportData): Column[] {
  return [
    ...(d.forecast?.years ?? []).map((y): Column => ({ header: `${y.year}年${y.partial ? `（${y.months}个月）` : ''}`, value: (s) => s.stats.get(`year|${y.year}`) ?? 0 })),
    { header: '退休合计', value: (s) => s.stats.get('gap|retirements') ?? 0 },
    { header: '现有空编', value: (s) => s.stats.get('gap|vacantNow') ?? 0 },
    { header: '期末空编', value: (s) => s.stats.get('gap|vacantAfter') ?? 0 },
  ];
}

// ---- the reports ----------------------------------------------------------------------------

export const REPORTS: ReportDef[] = [
  {
    name: 'admin-quota',
    title: '行政编制分析报表',
    sheets: [{
      title: '行政编制分析',
      rows: 'units',
      filter: (s) => hasAny(s, ['approved', 'onQuota'], ADMIN_KINDS),
      group: (s) => s.nature ?? '未填',
      columns: [idCol, nameCol, { header: '机构性质', value: (s) => s.nature }, ...staffingColumns(ADMIN_KINDS, '', { inTransit: true, saturation: true })],
      totals: ['gross', 'net'],
    }],
  },
  {
    name: 'town-institution-quota',
    title: '镇街道事业编制分析报表',
    sheets: [{
      title: '镇街道事业编制',
      rows: 'towns',
      columns: [idCol, { header: '镇（街道）', value: (s) => s.name }, ...staffingColumns(['事业编制'], '', { inTransit: true, saturation: true, rate: true })],
      totals: ['gross', 'net'],
    }],
  },
  {
    name: 'can-gong-posts',
    title: '参公事业单位编制职数情况分析报表',
    sheets: [{
      title: '参公事业单位编制职数',
      rows: 'units',
      filter: (s) => s.isCanGong,
      columns: [idCol, nameCol, ...staffingColumns(['参公事业编制'], '参公编制'), ...['单位正职', '单位副职', '中层正职', '中层副职'].flatMap((k) => leaderColumns(k, { gapAndExcess: false }))],
      totals: ['gross'],
    }],
  },
  {
    name: 'vacant-units',
    title: '空编单位名单',
    sheets: [{
      title: '空编单位',
      rows: 'unitKinds',
      filter: (s) => vacantIn(s, []) > 0,
      group: (s) => s.kind!,
      order: (a, b) => vacantIn(b, []) - vacantIn(a, []) || a.name.localeCompare(b.name),
      columns: [idCol, nameCol, kindCol, { header: '核定', value: (s) => approvedIn(s, []) }, { header: '实有', value: (s) => actualIn(s, []) }, { header: '空编', value: (s) => vacantIn(s, []) }, { header: '空编率', percent: true, value: (s) => ratio(vacantIn(s, []), approvedIn(s, [])), total: () => null }],
      totals: ['gross'],
    }],
  },
  {
    name: 'over-units',
    title: '超编单位名单',
    sheets: [{
      title: '超编单位',
      rows: 'unitKinds',
      filter: (s) => overIn(s, []) > 0,
      group: (s) => s.kind!,
      order: (a, b) => overIn(b, []) - overIn(a, []) || a.name.localeCompare(b.name),
      columns: [idCol, nameCol, kindCol, { header: '核定', value: (s) => approvedIn(s, []) }, { header: '实有', value: (s) => actualIn(s, []) }, { header: '超编', value: (s) => overIn(s, []) }],
      totals: ['gross'],
    }],
  },
  {
    name: 'city-leader-posts',
    title: '市管领导干部配置情况提示表',
    sheets: [{
      title: '市管领导干部配置',
      rows: 'units',
      filter: (s) => ['单位正职', '单位副职'].some((k) => (s.leaderPosts[k] ?? 0) > 0 || get(s.stats, 'leaderLevel', k) > 0),
      columns: [idCol, nameCol, ...leaderColumns('单位正职'), ...leaderColumns('单位副职')],
      totals: ['gross'],
    }],
  },
  {
    name: 'staffing-prompt',
    title: '编制和人员情况提示表',
    sheets: [
      {
        title: '按编制类型',
        rows: 'kinds',
        columns: [kindCol, ...staffingColumns(ALL_KINDS, '', { rate: true }), { header: '超编单位数', value: (s) => get(s.stats, 'overUnit', s.kind!) }],
        totals: ['gross', 'net'],
      },
      {
        title: '按单位',
        rows: 'units',
        filter: (s) => hasAny(s, ['approved', 'onQuota'], ALL_KINDS),
        columns: [idCol, nameCol, ...staffingColumns(ALL_KINDS, '', { rate: true })],
        totals: ['gross', 'net'],
      },
    ],
  },
  {
    name: 'retirement-5y',
    title: '5年退休预测表',
    sheets: [
      {
        title: '5年退休预测',
        rows: 'units',
        subjects: (d) => (d.forecast?.units ?? []).filter((u) => u.retirements > 0).map((u) => forecastSubject(u.id, u.name, u.sector, u.byYear, u)),
        group: (s) => s.sector,
        order: (a, b) => (b.stats.get('gap|retirements') ?? 0) - (a.stats.get('gap|retirements') ?? 0) || a.name.localeCompare(b.name),
        columns: (d) => [idCol, nameCol, { header: '领域', value: (s) => s.sector }, ...forecastColumns(d)],
        totals: ['gross'],
      },
      {
        title: '按领域',
        rows: 'sectors',
        subjects: (d) => (d.forecast ? SECTORS.map((sector) => forecastSubject(null, sector, sector, Object.fromEntries(d.forecast!.years.map((y) => [String(y.year), y.bySector[sector]])), d.forecast!.bySector[sector])) : []),
        columns: (d) => [{ header: '领域', value: (s) => s.name }, ...forecastColumns(d)],
        totals: ['gross'],
      },
    ],
  },
];

export function reportByName(name: string): ReportDef | undefined {
  return REPORTS.find((r) => r.name === name || r.title === name);
}

// ---- rows and the builder -------------------------------------------------------------------


const subjectOf = (u: ReportUnit, kind: string | null = null): Subject => ({ id: u.id, name: u.name, nature: u.nature, isCanGong: u.isCanGong, sector: sectorOfStats(u.stats), kind, stats: u.stats, leaderPosts: u.leaderPosts });

function addPosts(a: Record<string, number>, b: Record<string, number>) {
  for (const [k, n] of Object.entries(b)) a[k] = (a[k] ?? 0) + n;
}

/** The rows a source yields from the data. */
export function subjectsOf(source: RowSource, data: ReportData): Subject[] {
  const units = data.units;
  if (source === 'units') return units.map((u) => subjectOf(u));
  if (source === 'unitKinds') {
    return units.flatMap((u) => quotaKindsOf(u.stats).map((k) => subjectOf(u, k)));
  }
  if (source === 'towns') {
    const children = new Map<number, ReportUnit[]>();
    for (const u of units) if (u.parentId !== null) (children.get(u.parentId) ?? children.set(u.parentId, []).get(u.parentId)!).push(u);
    return units.filter((u) => u.nature === '乡镇(街道)机关').map((town) => {
      const stats: UnitStats = new Map();
      const posts: Record<string, number> = {};
      const seen = new Set<number>();
      const stack = [town];
      while (stack.length) {
        const u = stack.pop()!;
        if (seen.has(u.id)) continue;
        seen.add(u.id);
        addStats(stats, u.stats);
        addPosts(posts, u.leaderPosts);
        stack.push(...(children.get(u.id) ?? []));
      }
      return { ...subjectOf(town), stats, leaderPosts: posts };
    });
  }
  const area: UnitStats = new Map();
  for (const u of units) addStats(area, u.stats);
  if (source === 'kinds') {
    const present = new Set(quotaKindsOf(area));
    const kinds = [...ALL_KINDS.filter((k) => present.has(k)), ...[...present].filter((k) => !ALL_KINDS.includes(k)).sort()];
    return kinds.map((k) => ({ id: null, name: k, nature: null, isCanGong: false, sector: '其他', kind: k, stats: area, leaderPosts: {} }));
  }
  return SECTORS.map((sector) => {
    const stats: UnitStats = new Map();
    for (const u of units) if (sectorOfStats(u.stats) === sector) addStats(stats, u.stats);
    return { id: null, name: sector, nature: null, isCanGong: false, sector, kind: null, stats, leaderPosts: {} };
  });
}

function totalCells(columns: Column[], rows: Subject[], line: TotalLine, label: string): Cell[] {
  const cells = columns.map((c) => {
    if (c.total) return c.total(rows, line);
    const values = rows.map((s) => c.value(s));
    return values.length && values.every((v) => typeof v === 'number' || v === null) && values.some((v) => typeof v === 'number') ? values.reduce<number>((a, v) => a + (Number(v) || 0), 0) : null;
  });
  // The label goes in the first text column left blank by the totals.
  const at = cells.findIndex((v, i) => v === null && typeof columns[i] !== 'undefined');
  cells[at < 0 ? 0 : at] = label;
  return cells;
}

/** One report's sheets of cells from the figures. */
export function buildReport(def: ReportDef, data: ReportData): BuiltReport {
  const sheets: BuiltSheet[] = [];
  let count = 0;
  for (const sheet of def.sheets) {
    const columns = typeof sheet.columns === 'function' ? sheet.columns(data) : sheet.columns;
    let subjects = sheet.subjects ? sheet.subjects(data) : subjectsOf(sheet.rows, data);
    if (sheet.filter) subjects = subjects.filter(sheet.filter);
    const order = sheet.order ?? ((a: Subject, b: Subject) => a.name.localeCompare(b.name, 'zh-CN') || (a.id ?? 0) - (b.id ?? 0));
    const rows: Cell[][] = [];
    const rowKinds: BuiltSheet['rowKinds'] = [];
    if (sheet.group && sheet.rows !== 'kinds') {
      const groups = new Map<string, Subject[]>();
      for (const s of subjects) {
        const g = sheet.group(s);
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g)!.push(s);
      }
      for (const g of [...groups.keys()].sort((a, b) => a.localeCompare(b, 'zh-CN'))) {
        const members = groups.get(g)!.sort(order);
        for (const s of members) {
          rows.push(columns.map((c) => c.value(s)));
          rowKinds.push('data');
        }
        rows.push(totalCells(columns, members, 'gross', `${g}小计`));
        rowKinds.push('subtotal');
      }
    } else {
      if (sheet.rows !== 'kinds' && sheet.rows !== 'sectors') subjects.sort(order);
      for (const s of subjects) {
        rows.push(columns.map((c) => c.value(s)));
        rowKinds.push('data');
      }
    }
    for (const line of sheet.totals) {
      rows.push(totalCells(columns, subjects, line, line === 'gross' ? (sheet.totals.length > 1 ? '合计（毛）' : '合计') : '合计（净）'));
      rowKinds.push('total');
    }
    count += subjects.length;
    sheets.push({ title: sheet.title, headers: columns.map((c) => c.header), percentColumns: columns.flatMap((c, i) => (c.percent ? [i] : [])), rows, rowKinds });
  }
  return { name: def.name, title: def.title, month: data.month, sheets, rows: count };
}

// The retirement forecast (退休预测) and the 编制缺口 it opens: from each unit's stored
// retirements by month and 编制类型 (core/unit-stats.ts dim `retire`, 'YYYY-MM|编制类型'), the
// 在编 people whose retirement month falls in a window of N years from a month, counted by
// month, by calendar year (the first and last years partial when the window does not start in
// January), by sector (教育/卫生/其他), by 编制类型 and by unit; next to each unit's 空编 today and
// the 空编 the window leaves if nobody enters. Pure: db/forecast.ts reads the stats.
//
// 空编 after the window, per unit and kind: max(0, 核定 − (实有 − 退休)), i.e. today's 空编 plus the
// retirements, except that in a kind where the unit is over its quota the retirements first
// absorb the 超编 (a retirement from an over-staffed unit opens no vacancy until it is full).

import { addMonthsToMonth, monthIndex } from './dates.ts';
import { RETIRE_WINDOW_MONTHS, sectorInStats, splitStatKey, statKey, statsOf, type Sector, type UnitStats } from './unit-stats.ts';

export const MAX_FORECAST_YEARS = RETIRE_WINDOW_MONTHS / 12;

export interface ForecastWindow {
  /** First month, YYYY-MM. */
  from: string;
  /** Last month (inclusive), YYYY-MM. */
  to: string;
  months: string[];
}

/** N years of months from `from`: from … from + 12N − 1. */
export function forecastWindow(from: string, years: number): ForecastWindow {
  const months = Array.from({ length: years * 12 }, (_, i) => addMonthsToMonth(from, i));
  return { from, to: months[months.length - 1], months };
}

/**
 * Why a window cannot be forecast from stats of `asOfMonth` (they hold RETIRE_WINDOW_MONTHS
 * months from it), in Chinese; null when it can.
 */
export function windowRefusal(w: ForecastWindow, asOfMonth: string): string | null {
  const last = addMonthsToMonth(asOfMonth, RETIRE_WINDOW_MONTHS - 1);
  if (monthIndex(w.from) < monthIndex(asOfMonth)) {
    return `预测起始月份不能早于 ${asOfMonth}：退休人数来自最近一次每日检查（${asOfMonth}），保存的是该月起 ${RETIRE_WINDOW_MONTHS} 个月（至 ${last}）的退休人数`;
  }
  if (monthIndex(w.to) > monthIndex(last)) {
    return `预测窗口最远到 ${last}：最近一次每日检查保存的是 ${asOfMonth} 起 ${RETIRE_WINDOW_MONTHS} 个月的退休人数，${w.from} 起 ${w.months.length / 12} 年的窗口到 ${w.to}，超出范围，请缩短年数或提前起始月份`;
  }
  return null;
}

/** One unit as the forecast reads it: its stored stats (dims retire, approved, onQuota, vacant, sector at least). */
export interface ForecastUnitInput {
  id: number;
  name: string;
  stats: UnitStats;
}

export interface ForecastYear {
  year: number;
  /** The window's months in this year (12 except, possibly, the first and last). */
  months: number;
  partial: boolean;
  retirements: number;
  bySector: Record<Sector, number>;
  byQuotaKind: Record<string, number>;
}

export interface GapLine {
  retirements: number;
  /** 空编 today (Σ per unit and kind). */
  vacantNow: number;
  /** 空编 at the window's end if nobody enters (see the file's head). */
  vacantAfter: number;
}

export interface ForecastUnit extends GapLine {
  id: number;
  name: string;
  sector: Sector;
  /** Calendar year → retirements. */
  byYear: Record<string, number>;
  byQuotaKind: Record<string, number>;
}

export interface Forecast {
  from: string;
  to: string;
  months: Array<{ month: string; retirements: number }>;
  years: ForecastYear[];
  total: GapLine;
  bySector: Record<Sector, GapLine>;
  byQuotaKind: Record<string, GapLine>;
  /** Units with a retirement in the window or a 空编 today, most retirements first. */
  units: ForecastUnit[];
}

/** A unit's sector as its stats hold it, 其他 when they hold none. */
export function sectorOfStats(s: UnitStats): Sector {
  return sectorInStats(s) ?? '其他';
}

const emptySectors = (): Record<Sector, number> => ({ 教育: 0, 卫生: 0, 其他: 0 });
const gap = (): GapLine => ({ retirements: 0, vacantNow: 0, vacantAfter: 0 });
const bump = (o: Record<string, number>, k: string, n: number) => void (o[k] = (o[k] ?? 0) + n);

/** The forecast over the given units (already narrowed to a scope, a unit or a sector by the caller). */
export function buildForecast(units: ForecastUnitInput[], w: ForecastWindow): Forecast {
  const inWindow = new Set(w.months);
  const byMonth = new Map(w.months.map((m) => [m, 0]));
  const years: ForecastYear[] = [];
  const yearOf = new Map<number, ForecastYear>();
  for (const m of w.months) {
    const y = Number(m.slice(0, 4));
    if (!yearOf.has(y)) {
      const fy: ForecastYear = { year: y, months: 0, partial: false, retirements: 0, bySector: emptySectors(), byQuotaKind: {} };
      yearOf.set(y, fy);
      years.push(fy);
    }
    yearOf.get(y)!.months++;
  }
  for (const fy of years) fy.partial = fy.months < 12;

  const total = gap();
  const bySector: Record<Sector, GapLine> = { 教育: gap(), 卫生: gap(), 其他: gap() };
  const byQuotaKind: Record<string, GapLine> = {};
  const out: ForecastUnit[] = [];
  for (const u of units) {
    const sector = sectorOfStats(u.stats);
    const fu: ForecastUnit = { id: u.id, name: u.name, sector, ...gap(), byYear: {}, byQuotaKind: {} };
    for (const [k, n] of u.stats) {
      const { dim, key } = splitStatKey(k);
      if (dim !== 'retire') continue;
      const bar = key.indexOf('|');
      const month = key.slice(0, bar);
      const kind = key.slice(bar + 1);
      if (!inWindow.has(month)) continue;
      byMonth.set(month, byMonth.get(month)! + n);
      const fy = yearOf.get(Number(month.slice(0, 4)))!;
      fy.retirements += n;
      fy.bySector[sector] += n;
      bump(fy.byQuotaKind, kind, n);
      fu.retirements += n;
      bump(fu.byYear, String(fy.year), n);
      bump(fu.byQuotaKind, kind, n);
    }
    // The gap, kind by kind (a retirement without a 编制类型 opens no quota).
    const approved = statsOf(u.stats, 'approved');
    const onQuota = statsOf(u.stats, 'onQuota');
    const kinds = new Set([...Object.keys(approved), ...Object.keys(onQuota), ...Object.keys(fu.byQuotaKind)]);
    for (const kind of kinds) {
      const a = approved[kind] ?? 0;
      const n = onQuota[kind] ?? 0;
      const r = fu.byQuotaKind[kind] ?? 0;
      const now = u.stats.get(statKey('vacant', kind)) ?? Math.max(0, a - n);
      const after = kind === '未填' ? 0 : Math.max(0, a - (n - r));
      fu.vacantNow += now;
      fu.vacantAfter += after;
      if (!byQuotaKind[kind]) byQuotaKind[kind] = gap();
      byQuotaKind[kind].retirements += r;
      byQuotaKind[kind].vacantNow += now;
      byQuotaKind[kind].vacantAfter += after;
    }
    for (const line of [total, bySector[sector]]) {
      line.retirements += fu.retirements;
      line.vacantNow += fu.vacantNow;
      line.vacantAfter += fu.vacantAfter;
    }
    if (fu.retirements || fu.vacantNow) out.push(fu);
  }
  for (const [kind, line] of Object.entries(byQuotaKind)) if (!line.retirements && !line.vacantNow && !line.vacantAfter) delete byQuotaKind[kind];
  out.sort((a, b) => b.retirements - a.retirements || b.vacantAfter - a.vacantAfter || a.id - b.id);
  return { from: w.from, to: w.to, months: w.months.map((month) => ({ month, retirements: byMonth.get(month)! })), years, total, bySector, byQuotaKind, units: out };
}

/** The CLI's and the API's JSON: {from, to, years, units} (issue 15), plus the gap lines. */
export function forecastJson(f: Forecast) {
  return {
    from: f.from,
    to: f.to,
    years: f.years.map((y) => ({ year: y.year, retirements: y.retirements, bySector: y.bySector, byQuotaKind: y.byQuotaKind })),
    units: f.units.map((u) => ({ id: u.id, name: u.name, sector: u.sector, retirements: u.retirements, byYear: u.byYear, vacantNow: u.vacantNow, vacantAfter: u.vacantAfter })),
  };
}

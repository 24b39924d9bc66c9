// The robot's answers for the office roles (scope: every unit) when no unit is named: the area's
// staffing by 编制类型 with gross and net 空编 (domain.md §7) and the 超编 units; the retirements
// of the next 5 years by year and by sector; the units by red count. The unit roles' answers
// (one unit, people by name) stay in robot.ts.

import type { Knex } from 'knex';
import { addPerson } from '../core/aggregates.ts';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { ORGAN_NATURES } from '../core/dictionary.ts';
import { openLightsOn } from '../core/lights.ts';
import type { IsoDate, UnitRecord } from '../core/model.ts';
import { personRetirement } from '../core/rules/retirement.ts';
import { areaFigures, quotaFigures, type QuotaLine } from '../core/staffing.ts';
import { render } from '../cards/render.ts';
import { openFindingsByUnitAndDay } from '../db/findings.ts';
import { personRecords } from '../db/people.ts';
import { loadUnits } from '../db/records.ts';
import { loadCalendar } from '../db/settings.ts';

const MAX_UNITS = 10;
const percent = (r: number | null) => (r == null ? '—' : `${(r * 100).toFixed(1)}%`);
/** A net 空编 below zero: the kind is over its quota across the area. */
const netText = (n: number) => (n >= 0 ? String(n) : `净超编 ${-n}`);
const netRate = (n: number, approved: number) => (n >= 0 && approved > 0 ? percent(n / approved) : '—');

/** Every unit with its roster counted (在编 by kind, 在途), as the unit answer counts one. */
async function countedUnits(db: Knex, today: IsoDate): Promise<Map<number, UnitRecord>> {
  const units = await loadUnits(db, today, null, { regionTotals: false });
  for (const p of await personRecords(db)) {
    const u = units.get(p.unitId);
    if (u) addPerson(u.agg, p, u);
  }
  return units;
}

/** One line per unit and 编制类型: the unit of domain.md §7's per-unit 空编 and 超编. */
function unitLines(u: UnitRecord): QuotaLine[] {
  const kinds = [...new Set([...Object.keys(u.quotas), ...Object.keys(u.agg.onQuotaByKind)])];
  return kinds.map((kind) => ({ kind, approved: u.quotas[kind] ?? 0, actual: u.agg.onQuotaByKind[kind] ?? 0, inTransit: u.agg.inTransitByKind[kind] ?? 0 }));
}

export interface AreaQuota {
  kinds: Array<{ kind: string; approved: number; actual: number; inTransit: number; grossVacant: number; grossOver: number; netVacant: string; netVacancyRate: string; overUnits: number }>;
  total: { approved: number; actual: number; inTransit: number; grossVacant: number; grossOver: number; netVacant: string; netVacancyRate: string };
  /** Units over their quota in some kind, most over first. */
  overUnits: Array<{ name: string; over: number; kinds: string }>;
  overUnitCount: number;
}

/** The area's figures (every unit), by kind and in total. */
export async function areaQuota(db: Knex, today: IsoDate): Promise<AreaQuota> {
  const units = await countedUnits(db, today);
  const byKind = new Map<string, QuotaLine[]>();
  const all: QuotaLine[] = [];
  const over: AreaQuota['overUnits'] = [];
  for (const u of units.values()) {
    const lines = unitLines(u);
    for (const l of lines) {
      byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), l]);
      all.push(l);
    }
    const overLines = lines.map(quotaFigures).filter((f) => f.over > 0);
    if (overLines.length) over.push({ name: u.name, over: overLines.reduce((n, f) => n + f.over, 0), kinds: overLines.map((f) => `${f.kind}超 ${f.over}`).join('、') });
  }
  const kinds = [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b, 'zh-CN')).map(([kind, lines]) => {
    const a = areaFigures(lines);
    return { kind, approved: a.approved, actual: a.actual, inTransit: a.inTransit, grossVacant: a.grossVacant, grossOver: a.grossOver, netVacant: netText(a.netVacant), netVacancyRate: netRate(a.netVacant, a.approved), overUnits: a.overUnits };
  });
  const t = areaFigures(all);
  over.sort((a, b) => b.over - a.over || a.name.localeCompare(b.name, 'zh-CN'));
  return {
    kinds,
    total: { approved: t.approved, actual: t.actual, inTransit: t.inTransit, grossVacant: t.grossVacant, grossOver: t.grossOver, netVacant: netText(t.netVacant), netVacancyRate: netRate(t.netVacant, t.approved) },
    overUnits: over,
    overUnitCount: over.length,
  };
}

export async function areaQuotaText(db: Knex, today: IsoDate): Promise<string> {
  const a = await areaQuota(db, today);
  return render('quota-area', { ...a, date: today, overUnits: a.overUnits.slice(0, MAX_UNITS), more: Math.max(0, a.overUnits.length - MAX_UNITS) });
}

/** The sectors of the retirement answer, in their order. */
export const SECTORS = ['党政机关', '学校', '医院和卫生机构', '其他事业单位', '机构性质未填'] as const;
export type Sector = (typeof SECTORS)[number];

const SCHOOL = /学校|中学|小学|幼儿园|学院|职校|职业技术|教学|教研|教育中心/;
const HEALTH = /医院|卫生院|卫生服务中心|卫生服务站|疾病预防|疾控|妇幼保健|急救|血站/;

/**
 * A unit's sector: 党政机关 by its 机构性质 (the organ natures); among the others, 学校 and
 * 医院和卫生机构 are told by the unit's name only (the records have no sector field), the rest
 * are 其他事业单位; a unit without 机构性质 is counted apart.
 */
export function sectorOf(u: Pick<UnitRecord, 'name' | 'nature'>): Sector {
  if (u.nature && ORGAN_NATURES.includes(u.nature)) return '党政机关';
  if (SCHOOL.test(u.name)) return '学校';
  if (HEALTH.test(u.name)) return '医院和卫生机构';
  return u.nature ? '其他事业单位' : '机构性质未填';
}

export interface AreaRetirements {
  from: string;
  to: string;
  years: Array<{ year: string; total: number; bySector: number[] }>;
  sectors: readonly string[];
  totals: number[];
  total: number;
}

/** 在编 people reaching retirement from this month for 60 months, by year and sector. */
export async function areaRetirements(db: Knex, today: IsoDate): Promise<AreaRetirements> {
  const units = await loadUnits(db, today, null, { regionTotals: false });
  const from = monthOf(today);
  const to = addMonthsToMonth(from, 60);
  const counts = new Map<string, number[]>();
  for (const p of await personRecords(db, { status: '在编' })) {
    const u = units.get(p.unitId) ?? null;
    const ret = personRetirement(p, u);
    if (!ret || ret.retirement.month < from || ret.retirement.month >= to) continue;
    const y = ret.retirement.month.slice(0, 4);
    const row = counts.get(y) ?? SECTORS.map(() => 0);
    row[SECTORS.indexOf(u ? sectorOf(u) : '机构性质未填')]++;
    counts.set(y, row);
  }
  const years = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([year, bySector]) => ({ year, total: bySector.reduce((a, b) => a + b, 0), bySector }));
  const totals = SECTORS.map((_, i) => years.reduce((n, y) => n + y.bySector[i], 0));
  return { from, to: addMonthsToMonth(to, -1), years, sectors: SECTORS, totals, total: totals.reduce((a, b) => a + b, 0) };
}

export async function areaRetirementsText(db: Knex, today: IsoDate): Promise<string> {
  const a = await areaRetirements(db, today);
  // Columns only for the sectors that have anyone.
  const shown = a.sectors.map((s, i) => ({ s, i })).filter(({ i }) => a.totals[i] > 0);
  return render('retirement-area', {
    from: a.from, to: a.to, total: a.total, sectors: shown.map(({ s }) => s),
    years: a.years.map((y) => ({ year: y.year, total: y.total, cells: shown.map(({ i }) => y.bySector[i]) })),
    totals: shown.map(({ i }) => a.totals[i]),
  });
}

export interface UnitRedCount {
  unitId: number;
  name: string;
  red: number;
  yellow: number;
}

/** Units with open findings, most red first (then most yellow). */
export async function unitsByRed(db: Knex, today: IsoDate): Promise<UnitRedCount[]> {
  const cal = await loadCalendar(db);
  const lightOf = openLightsOn(today, cal);
  const rows = await openFindingsByUnitAndDay(db);
  const by = new Map<number, UnitRedCount>();
  for (const r of rows) {
    const c = by.get(Number(r.unit_id)) ?? { unitId: Number(r.unit_id), name: r.name, red: 0, yellow: 0 };
    const l = lightOf(r.opened_on, r.rule).light;
    if (l === 'red') c.red += Number(r.n);
    else if (l === 'yellow') c.yellow += Number(r.n);
    else continue; // 提示: not counted
    by.set(c.unitId, c);
  }
  return [...by.values()].sort((a, b) => b.red - a.red || b.yellow - a.yellow || a.name.localeCompare(b.name, 'zh-CN'));
}

export async function unitsByRedText(db: Knex, today: IsoDate): Promise<string> {
  const units = await unitsByRed(db, today);
  const red = units.reduce((n, u) => n + u.red, 0);
  const yellow = units.reduce((n, u) => n + u.yellow, 0);
  return render('todo-units', {
    date: today, unitCount: units.length, redUnits: units.filter((u) => u.red > 0).length, red, yellow,
    units: units.slice(0, MAX_UNITS), more: Math.max(0, units.length - MAX_UNITS),
  });
}

// The 数据大屏's reads, always within a viewer's scope: the office (scope null) reads the stored
// sums (stat_sums, check_runs summaries); a unit's leader or 专管员 the rows of their units summed.
// Every figure is a read of stored stats or a small indexed table, never a scan of the roster;
// a drill-down goes figure → units → one unit's people (by unit_id, filtered with personStatKeys).

import type { Knex } from 'knex';
import { monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import type { UnitScope } from '../core/roles.ts';
import { personMatcher, QUALITY_FAMILIES, qualityFamilyOf, SCORE_BANDS, scoreBand, type QualityFamily } from '../core/dashboard.ts';
import { addStats, personStatKeys, SECTORS, sectorInStats, statKey, type Sector, type StatDim, type UnitStats } from '../core/unit-stats.ts';
import { INSERT_BATCH as BATCH } from './batch.ts';
import { PERSON_COLUMNS, loadUnits, personFromRow } from './records.ts';
import { HINT_RULES } from '../core/lights.ts';
import { readStatsOfUnits, statsAsOf, treeScope, unitsWithStat } from './unit-stats.ts';

type Row = Record<string, any>;

const emptySectors = (): Record<Sector, UnitStats> => ({ 教育: new Map(), 卫生: new Map(), 其他: new Map() });

/**
 * The sums of some dims over a scope, in all (or of one sector) and per sector: the office's
 * from stat_sums in one read, a unit role's from their units' rows.
 */
export async function scopedSums(db: Knex, scope: UnitScope, dims: StatDim[], sector?: Sector, root?: number | null): Promise<{ all: UnitStats; bySector: Record<Sector, UnitStats> }> {
  const bySector = emptySectors();
  // The office's sums, or those of a big subtree (the check keeps them: db/unit-stats.ts treeScope).
  const stored = scope === null ? 'all' : root != null && (await db('stat_sums').where({ scope: treeScope(root) }).first('n')) ? treeScope(root) : null;
  if (stored) {
    let all: UnitStats = new Map();
    const sectorOfScope = new Map<string, Sector>(SECTORS.map((s) => [stored === 'all' ? `sector:${s}` : `${stored}:${s}`, s]));
    const rows = (await db('stat_sums').whereIn('scope', [stored, ...sectorOfScope.keys()]).whereIn('dim', dims).select('scope', 'dim', 'key', 'n')) as Row[];
    for (const r of rows) {
      const target = r.scope === stored ? all : bySector[sectorOfScope.get(r.scope)!];
      target?.set(statKey(r.dim, r.key), Number(r.n));
    }
    if (sector) all = bySector[sector];
    return { all, bySector };
  }
  scope = scope ?? [];
  const all: UnitStats = new Map();
  for (const s of (await readStatsOfUnits(db, scope, [...new Set<StatDim>([...dims, 'sector'])])).values()) {
    const own = sectorInStats(s);
    if (own) addStats(bySector[own], s);
    if (!sector || own === sector) addStats(all, s);
  }
  if (!dims.includes('sector')) for (const s of [all, ...Object.values(bySector)]) for (const x of SECTORS) s.delete(statKey('sector', x));
  return { all, bySector };
}

/**
 * A query narrowed to a scope's units. A big scope (a 教育局 with thousands of schools) is written
 * into the SQL as a list of integers instead of thousands of bound parameters.
 */
function within(q: Knex.QueryBuilder, column: string, scope: UnitScope): Knex.QueryBuilder {
  if (scope === null) return q;
  if (scope.length <= 1000) return q.whereIn(column, scope.length ? scope : [0]);
  const ids = scope.map((id) => Math.trunc(Number(id))).filter((id) => Number.isSafeInteger(id));
  return q.whereRaw(`?? in (${ids.join(',')})`, [column]);
}

/** A scope too big for a list of ids in SQL: read the county's index rows and keep the scope's here. */
const BIG_SCOPE = 1000;
const bigScope = (scope: UnitScope): Set<number> | null => (scope !== null && scope.length > BIG_SCOPE ? new Set(scope) : null);

/** Units by their light on the latest day with lights. */
export async function unitsByLight(db: Knex, scope: UnitScope): Promise<{ date: IsoDate | null; red: number; yellow: number; green: number }> {
  const d = (await db('unit_daily_lights').max({ d: 'date' }).first())?.d as IsoDate | undefined;
  const out = { date: d ?? null, red: 0, yellow: 0, green: 0 };
  if (!d) return out;
  const big = bigScope(scope);
  if (big) {
    for (const r of (await db('unit_daily_lights').where({ date: d }).select('unit_id', 'light')) as Row[]) if (big.has(Number(r.unit_id)) && r.light in out) (out as any)[r.light]++;
    return out;
  }
  const rows = (await within(db('unit_daily_lights').where({ date: d }), 'unit_id', scope).select('light').count({ n: '*' }).groupBy('light')) as Row[];
  for (const r of rows) if (r.light in out) (out as any)[r.light] = Number(r.n);
  return out;
}

/** Open findings by quality family (core/dashboard.ts qualityFamilyOf), counted by rule on the index. */
export async function openFindingsByFamily(db: Knex, scope: UnitScope): Promise<Record<QualityFamily, number>> {
  const out = Object.fromEntries(QUALITY_FAMILIES.map((f) => [f, 0])) as Record<QualityFamily, number>;
  const big = bigScope(scope);
  if (big) {
    for (const r of (await db('findings').where({ status: 'open' }).select('rule', 'unit_id')) as Row[]) if (big.has(Number(r.unit_id))) out[qualityFamilyOf(r.rule)]++;
    return out;
  }
  const rows = (await within(db('findings').where({ status: 'open' }), 'unit_id', scope).select('rule').count({ n: '*' }).groupBy('rule')) as Row[];
  for (const r of rows) out[qualityFamilyOf(r.rule)] += Number(r.n);
  return out;
}

/** The latest month with scores in the scope, and its units by score band. */
export async function scoreDistribution(db: Knex, scope: UnitScope): Promise<{ month: string | null; units: number; bands: Array<{ band: string; units: number }> }> {
  const m = (await within(db('unit_scores'), 'unit_id', scope).max({ m: 'month' }).first())?.m as string | undefined;
  const counts = new Map<string, number>(SCORE_BANDS.map((b) => [b, 0]));
  let units = 0;
  if (m) {
    const rows = (await within(db('unit_scores').where({ month: m }), 'unit_id', scope).select('score')) as Row[];
    for (const r of rows) {
      counts.set(scoreBand(Number(r.score)), counts.get(scoreBand(Number(r.score)))! + 1);
      units++;
    }
  }
  return { month: m ?? null, units, bands: [...counts].map(([band, n]) => ({ band, units: n })) };
}

/**
 * Open red findings on each of the last `days` check dates: the office's from the completed
 * checks' summaries (the latest run of a day), a unit role's from their units' daily lights.
 */
export async function redTrend(db: Knex, scope: UnitScope, days = 30): Promise<Array<{ date: IsoDate; red: number }>> {
  if (scope === null) {
    const rows = (await db('check_runs').where({ outcome: 'ok' }).whereNotNull('summary').orderBy([{ column: 'date', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(days * 4).select('date', 'summary')) as Row[];
    const byDate = new Map<IsoDate, number>();
    for (const r of rows) {
      if (byDate.has(r.date) || byDate.size >= days) continue;
      const red = Number(JSON.parse(r.summary)?.findings?.byLight?.red);
      if (Number.isFinite(red)) byDate.set(r.date, red);
    }
    return [...byDate].map(([date, red]) => ({ date, red })).sort((a, b) => a.date.localeCompare(b.date));
  }
  // The check dates (every check writes every unit's light of its date), not a scan of the scope's rows.
  const dates = ((await db('check_runs').where({ outcome: 'ok' }).distinct('date').orderBy('date', 'desc').limit(days)) as Row[]).map((r) => r.date as IsoDate);
  if (!dates.length) return [];
  const big = bigScope(scope);
  if (big) {
    // Only the units lit red hold red findings: read those from the (date, light) index.
    const red = new Map<IsoDate, number>(dates.map((d) => [d, 0]));
    for (const r of (await db('unit_daily_lights').whereIn('date', dates).where({ light: 'red' }).select('date', 'unit_id', 'red')) as Row[]) if (big.has(Number(r.unit_id))) red.set(r.date, red.get(r.date)! + Number(r.red));
    return [...red].map(([date, n]) => ({ date, red: n })).sort((a, b) => a.date.localeCompare(b.date));
  }
  const rows = (await within(db('unit_daily_lights').whereIn('date', dates), 'unit_id', scope).select('date').sum({ red: 'red' }).groupBy('date')) as Row[];
  return rows.map((r) => ({ date: r.date as IsoDate, red: Number(r.red) })).sort((a, b) => a.date.localeCompare(b.date));
}

export interface DrillUnits {
  total: number;
  units: Array<{ unitId: number; name: string; n: number }>;
}

async function named(db: Knex, rows: Array<{ unitId: number; n: number }>): Promise<DrillUnits['units']> {
  const names = new Map<number, string>();
  const ids = rows.map((r) => r.unitId);
  for (let i = 0; i < ids.length; i += BATCH) for (const r of (await db('units').whereIn('id', ids.slice(i, i + BATCH)).select('id', 'name')) as Row[]) names.set(Number(r.id), r.name);
  return rows.map((r) => ({ unitId: r.unitId, name: names.get(r.unitId) ?? `单位 ${r.unitId}`, n: r.n }));
}

/** The units behind a stat figure, most first, within the scope (and a sector), with how many there are. */
export async function drillStat(db: Knex, dim: StatDim, key: string, scope: UnitScope, sector: Sector | undefined, limit: number): Promise<DrillUnits> {
  const partial = dim === 'retire' && !key.includes('|');
  let rows: Array<{ unitId: number; n: number }>;
  let total: number;
  if (!partial && !sector && (scope === null || scope.length <= 1000)) {
    rows = await unitsWithStat(db, dim, key, scope, limit);
    const c = await within(db('unit_stats').where({ dim, key }).where('n', '>', 0), 'unit_id', scope).count({ n: '*' }).first();
    total = Number(c?.n ?? 0);
  } else {
    // A sector, a year of retirements or a big scope: the figure's rows and the sector's units read
    // from the (dim, key, n) index alone, joined and ranked here (a join in the database reads
    // the table's rows one by one).
    const q = db('unit_stats').where({ dim }).where('n', '>', 0);
    if (partial) q.where('key', 'like', `${key}%`); else q.where({ key });
    const per = new Map<number, number>();
    for (const r of (await q.select('unit_id', 'n')) as Row[]) per.set(Number(r.unit_id), (per.get(Number(r.unit_id)) ?? 0) + Number(r.n));
    const inSector = sector ? new Set(((await db('unit_stats').where({ dim: 'sector', key: sector }).select('unit_id')) as Row[]).map((r) => Number(r.unit_id))) : null;
    const inScope = scope === null ? null : new Set(scope);
    const all = [...per].filter(([id]) => (!inSector || inSector.has(id)) && (!inScope || inScope.has(id)));
    all.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    total = all.length;
    rows = all.slice(0, limit).map(([unitId, n]) => ({ unitId, n }));
  }
  return { total, units: await named(db, rows) };
}

/** The units with a light on the latest day (n: their red, or yellow, findings). */
export async function drillLight(db: Knex, light: 'red' | 'yellow' | 'green', scope: UnitScope, limit: number): Promise<DrillUnits & { date: IsoDate | null }> {
  const d = (await db('unit_daily_lights').max({ d: 'date' }).first())?.d as IsoDate | undefined;
  if (!d) return { date: null, total: 0, units: [] };
  // red, yellow: the index's order (a yellow unit has no red findings).
  const order = light === 'green' ? [{ column: 'unit_id' }] : [{ column: 'red', order: 'desc' }, { column: 'yellow', order: 'desc' }, { column: 'unit_id' }];
  const big = bigScope(scope);
  let rows: Array<{ unitId: number; n: number }>;
  let total: number;
  if (big) {
    // The day's units of that light with their counts, from the (date, light, red, yellow) index.
    const all = ((await db('unit_daily_lights').where({ date: d, light }).select('unit_id', 'red', 'yellow')) as Row[])
      .filter((r) => big.has(Number(r.unit_id)))
      .map((r) => ({ unitId: Number(r.unit_id), n: light === 'green' ? 0 : Number(r[light]) }))
      .sort((x, y) => y.n - x.n || x.unitId - y.unitId);
    total = all.length;
    rows = all.slice(0, limit);
  } else {
    const base = () => within(db('unit_daily_lights').where({ date: d, light }), 'unit_id', scope);
    rows = ((await base().select('unit_id', 'red', 'yellow').orderBy(order).limit(limit)) as Row[])
      .map((r) => ({ unitId: Number(r.unit_id), n: light === 'green' ? 0 : Number(r[light]) }));
    total = Number((await base().count({ n: '*' }).first())?.n ?? 0);
  }
  return { date: d, total, units: await named(db, rows) };
}

/** The units with open findings of a quality family, most first (open findings read from the (status, rule, unit_id) index). */
export async function drillFamily(db: Knex, family: QualityFamily, scope: UnitScope, limit: number): Promise<DrillUnits> {
  const q = db('findings').where({ status: 'open' });
  if (family === 'hint') q.whereIn('rule', HINT_RULES);
  const big = bigScope(scope);
  if (scope !== null && !big) q.whereIn('unit_id', scope.length ? scope : [0]);
  const per = new Map<number, number>();
  for (const r of (await q.select('rule', 'unit_id')) as Row[]) {
    const id = Number(r.unit_id);
    if ((big && !big.has(id)) || qualityFamilyOf(r.rule) !== family) continue;
    per.set(id, (per.get(id) ?? 0) + 1);
  }
  const all = [...per].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  return { total: all.length, units: await named(db, all.slice(0, limit).map(([unitId, n]) => ({ unitId, n }))) };
}

export interface DrillPerson {
  id: number;
  name: string;
  idMasked: string | null;
  status: string | null;
  quotaKind: string | null;
  office: string | null;
  posts: string | null;
}

/** A unit's people behind a stat figure (its people read by unit_id, filtered with personStatKeys). */
export async function drillPeople(db: Knex, unitId: number, dim: StatDim, key: string, limit: number): Promise<{ total: number; people: DrillPerson[] }> {
  const date = (await statsAsOf(db)) ?? new Date().toISOString().slice(0, 10);
  const unit = (await loadUnits(db, date, [unitId])).get(unitId) ?? null;
  const match = personMatcher(dim, key);
  const out: DrillPerson[] = [];
  let total = 0;
  const rows = (await db('people').where({ unit_id: unitId }).whereNot('status', '已出编').orderBy('id').select(PERSON_COLUMNS)) as Row[];
  for (const r of rows) {
    const p = personFromRow(r);
    if (!match(personStatKeys(p, unit, date))) continue;
    total++;
    if (out.length < limit) out.push({ id: p.id, name: p.name, idMasked: p.idFacts.masked ?? null, status: p.status, quotaKind: p.quotaKind, office: p.office, posts: p.posts });
  }
  return { total, people: out };
}

/** A unit's open findings of a quality family, or (light red/yellow) every open finding counted in its light. */
export async function drillFindings(db: Knex, unitId: number, by: { family?: QualityFamily; light?: string }, limit: number): Promise<{ total: number; findings: Array<{ id: number; rule: string; subject: string; idMasked: string | null; openedOn: string; detail: string | null }> }> {
  const q = () => {
    const b = db('findings').where({ status: 'open', unit_id: unitId });
    if (by.family === 'hint') b.whereIn('rule', HINT_RULES);
    else if (by.family || by.light) b.whereNotIn('rule', HINT_RULES);
    return b;
  };
  const rows = ((await q().orderBy([{ column: 'opened_on' }, { column: 'id' }]).select('id', 'rule', 'subject_name', 'subject_id_masked', 'opened_on', 'detail')) as Row[])
    .filter((r) => !by.family || qualityFamilyOf(r.rule) === by.family);
  return {
    total: rows.length,
    findings: rows.slice(0, limit).map((r) => ({ id: Number(r.id), rule: r.rule, subject: r.subject_name, idMasked: r.subject_id_masked ?? null, openedOn: r.opened_on, detail: r.detail ?? null })),
  };
}

/** The month the retirement wave starts from: the stats' check month. */
export function waveStart(asOf: IsoDate | null, today: IsoDate): string {
  return monthOf(asOf ?? today);
}

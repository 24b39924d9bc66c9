// 镇街三色图's reads and writes: the towns (units whose 机构性质 is 乡镇(街道)机关) with the units of
// their subtrees (walked by the database as db/scope.ts subtreeQuery walks one unit's, all towns
// in one recursive query), their figures summed from the stored unit_stats (never the roster), the office's thresholds (settings
// `town-map`) and the uploaded map (town_maps, migration 018).

import type { Knex } from 'knex';
import type { UnitScope } from '../core/roles.ts';
import { DEFAULT_TOWN_THRESHOLDS, TOWN_NATURE, townColour, townRates, type TownColour, type TownFigures, type TownName, type TownThresholds } from '../core/town-map.ts';
import { statKey, statsOf, type UnitStats } from '../core/unit-stats.ts';
import { runReads } from './batch.ts';
import { isSqlite } from './connection.ts';
import { getSetting, putSetting } from './settings.ts';

type Row = Record<string, any>;

export const TOWN_THRESHOLDS_KEY = 'town-map';

export async function loadTownThresholds(db: Knex): Promise<TownThresholds> {
  return { ...DEFAULT_TOWN_THRESHOLDS, ...((await getSetting<Partial<TownThresholds>>(db, TOWN_THRESHOLDS_KEY)) ?? {}) };
}

export async function saveTownThresholds(db: Knex, t: TownThresholds): Promise<void> {
  await putSetting(db, TOWN_THRESHOLDS_KEY, t);
}

/** The towns' organs, by name. */
export async function townOrgans(db: Knex): Promise<TownName[]> {
  const rows = (await db('units').where({ nature: TOWN_NATURE }).orderBy('name').orderBy('id').select('id', 'name', 'region_name')) as Row[];
  return rows.map((r) => ({ id: Number(r.id), name: r.name, regionName: r.region_name ?? null }));
}

/** The figures the map reads of a unit's (or a sum's) stats. */
export function townFigures(s: UnitStats): TownFigures {
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, n) => a + n, 0);
  // 超编单位: a unit is counted once however many kinds it is over in (overUnit counts kinds).
  return { approved: sum(statsOf(s, 'approved')), onQuota: sum(statsOf(s, 'onQuota')), vacant: sum(statsOf(s, 'vacant')), over: sum(statsOf(s, 'over')), overUnits: 0 };
}

export interface TownUnitLine extends TownFigures {
  id: number;
  name: string;
  vacancyRate: number | null;
  saturation: number | null;
}

export interface TownLine extends TownFigures {
  id: number;
  name: string;
  regionName: string | null;
  vacancyRate: number | null;
  saturation: number | null;
  colour: TownColour;
  reason: string;
  units: TownUnitLine[];
}

const DIMS = ['approved', 'onQuota', 'vacant', 'over'] as const;

/**
 * Every town's units: a town's organ and all units below it (as db/scope.ts subtreeQuery walks
 * one unit's), for all towns in one recursive query: rows (town_id, id). UNION stops at a cycle.
 */
function townSubtrees(db: Knex): Knex.QueryBuilder {
  return db.withRecursive('town_sub', ['town_id', 'id'], (q) => {
    q.select('id as town_id', 'id').from('units').where({ nature: TOWN_NATURE })
      .union((r) => r.select('town_sub.town_id', 'units.id').from('units').join('town_sub', 'units.parent_id', 'town_sub.id'));
  });
}

/**
 * Every town (or those in the scope) with its figures and colour; with `unitsOf`, that town's
 * units (those in the scope) with theirs (the others' `units` are empty: a town's list is read
 * when it is opened). One round trip whatever the number of towns: the towns, their sums by
 * dim (added up by the database over the towns' subtrees from unit_stats by its key), and the
 * opened town's units.
 */
export async function listTowns(db: Knex, scope: UnitScope, thresholds: TownThresholds, opts: { unitsOf?: number } = {}): Promise<{ asOf: string | null; towns: TownLine[] }> {
  const visible = (id: number) => scope === null || scope.includes(id);
  const inScope = (q: Knex.QueryBuilder) => (scope === null ? q : q.whereIn('town_sub.id', scope.length ? scope : [0]));
  let towns: TownName[] = [];
  const sums = new Map<number, TownFigures>();
  const unitRows: Row[] = [];
  let asOf: string | null = null;
  const reads: Parameters<typeof runReads>[1] = [
    { query: db('units').where({ nature: TOWN_NATURE }).orderBy('name').orderBy('id').select('id', 'name', 'region_name'), apply: (rows) => {
      towns = rows.map((r) => ({ id: Number(r.id), name: r.name, regionName: r.region_name ?? null })).filter((t) => visible(t.id));
    } },
    // The whole office: each town's sums as the check and the re-checks keep them (stat_sums,
    // scope town:<id>). A unit role: added up by the database over the towns' subtrees in its scope.
    scope === null ? {
      query: db('stat_sums').where('scope', 'like', 'town:%').whereIn('dim', [...DIMS, 'unitTotal']).select('scope', 'dim', 'key', 'n'),
      apply: (rows) => {
        for (const r of rows) {
          const id = Number(String(r.scope).slice(5));
          if (!sums.has(id)) sums.set(id, { approved: 0, onQuota: 0, vacant: 0, over: 0, overUnits: 0 });
          const f = sums.get(id)!;
          if (r.dim === 'unitTotal') { if (r.key === 'anyOverUnit') f.overUnits = Number(r.n); }
          else f[r.dim as (typeof DIMS)[number]] += Number(r.n);
        }
      },
    } : {
      // Per town and dim: the sum, and how many units have a positive figure (for 'over': 超编单位).
      // On MySQL the figures are read through the (dim, key, n) index (it holds unit_id too): a
      // range over 4 dims instead of a look-up of every town unit's rows (10× at 1,000,000 people).
      query: inScope(townSubtrees(db).from(isSqlite(db) ? 'unit_stats as s' : db.raw('?? as ?? force index (??)', ['unit_stats', 's', 'unit_stats_dim_key_n_index'])).join('town_sub', 'town_sub.id', 's.unit_id').whereIn('s.dim', [...DIMS]))
        .groupBy('town_sub.town_id', 's.dim').select('town_sub.town_id', 's.dim').sum({ n: 's.n' }).select(db.raw('count(distinct case when s.n > 0 then s.unit_id end) as units')),
      apply: (rows) => {
        for (const r of rows) {
          const id = Number(r.town_id);
          if (!sums.has(id)) sums.set(id, { approved: 0, onQuota: 0, vacant: 0, over: 0, overUnits: 0 });
          const f = sums.get(id)!;
          f[r.dim as (typeof DIMS)[number]] = Number(r.n);
          if (r.dim === 'over') f.overUnits = Number(r.units);
        }
      },
    },
    { query: db('settings').where({ key: 'unit-stats' }).select('value'), apply: (rows) => { asOf = rows[0] ? (JSON.parse(rows[0].value) as { date: string }).date : null; } },
  ];
  if (opts.unitsOf !== undefined) {
    reads.push({
      query: inScope(db.withRecursive('town_sub', ['id'], (q) => {
        q.select('id').from('units').where({ id: opts.unitsOf!, nature: TOWN_NATURE }).union((r) => r.select('units.id').from('units').join('town_sub', 'units.parent_id', 'town_sub.id'));
      }).from('town_sub').join('units as u', 'u.id', 'town_sub.id').leftJoin('unit_stats as s', (j) => j.on('s.unit_id', 'town_sub.id').onIn('s.dim', [...DIMS])))
        .select('town_sub.id', 'u.name', 's.dim', 's.key', 's.n'),
      apply: (rows) => { unitRows.push(...rows); },
    });
  }
  await runReads(db, reads, true);
  const units = new Map<number, { name: string; s: UnitStats }>();
  for (const r of unitRows) {
    const id = Number(r.id);
    if (!units.has(id)) units.set(id, { name: r.name, s: new Map() });
    if (r.dim) units.get(id)!.s.set(statKey(r.dim, r.key), Number(r.n));
  }
  const lines = towns.map((t): TownLine => {
    const f = sums.get(t.id) ?? { approved: 0, onQuota: 0, vacant: 0, over: 0, overUnits: 0 };
    const list: TownUnitLine[] = t.id === opts.unitsOf
      ? [...units].map(([id, u]) => { const uf = townFigures(u.s); return { id, name: u.name, ...uf, overUnits: uf.over > 0 ? 1 : 0, ...townRates(uf) }; })
        .sort((a, b) => (a.id === t.id ? -1 : b.id === t.id ? 1 : b.over - a.over || b.vacant - a.vacant || a.id - b.id))
      : [];
    return { id: t.id, name: t.name, regionName: t.regionName, ...f, ...townRates(f), ...townColour(f, thresholds), units: list };
  });
  return { asOf, towns: lines };
}

export interface StoredTownMap {
  id: number;
  geojson: string;
  features: number;
  bytes: number;
  fileName: string | null;
  uploadedBy: string;
  uploadedByName: string | null;
  uploadedAt: string;
}

export async function currentTownMap(db: Knex, opts: { withData?: boolean } = { withData: true }): Promise<StoredTownMap | null> {
  const cols = ['m.id', 'm.features', 'm.bytes', 'm.file_name', 'm.uploaded_by', 'm.uploaded_at', 'us.name as uploaded_by_name', ...(opts.withData === false ? [] : ['m.geojson'])];
  const r: Row | undefined = await db('town_maps as m').leftJoin('users as us', 'us.id', 'm.uploaded_by').orderBy('m.id', 'desc').first(cols);
  if (!r) return null;
  return { id: Number(r.id), geojson: r.geojson ?? '', features: Number(r.features), bytes: Number(r.bytes), fileName: r.file_name ?? null, uploadedBy: r.uploaded_by, uploadedByName: r.uploaded_by_name ?? null, uploadedAt: r.uploaded_at };
}

/** Replaces the map (inside the caller's transaction). */
export async function replaceTownMap(trx: Knex, m: { geojson: string; features: number; fileName: string | null; uploadedBy: string; uploadedAt: string }): Promise<number> {
  await trx('town_maps').delete();
  const [id] = await trx('town_maps').insert({ geojson: m.geojson, features: m.features, bytes: Buffer.byteLength(m.geojson, 'utf8'), file_name: m.fileName, uploaded_by: m.uploadedBy, uploaded_at: m.uploadedAt });
  return Number(id);
}

export async function deleteTownMaps(trx: Knex): Promise<number> {
  return Number(await trx('town_maps').delete());
}

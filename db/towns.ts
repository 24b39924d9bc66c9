// 镇街三色图's reads and writes: the towns (units whose 机构性质 is 乡镇(街道)机关), their figures from
// the sums the check and the re-checks keep per town (stat_sums, scope town:<id>: every unit below
// the town's organ, never the roster), an opened town's units (its subtree, walked by the
// database), the office's thresholds (settings `town-map`) and the uploaded map (town_maps,
// migration 018).

import type { Knex } from 'knex';
import type { UnitScope } from '../core/roles.ts';
import { DEFAULT_TOWN_THRESHOLDS, TOWN_NATURE, townColour, townRates, type TownColour, type TownFigures, type TownName, type TownThresholds } from '../core/town-map.ts';
import { statKey, statTotal, type UnitStats } from '../core/unit-stats.ts';
import { runReads } from './batch.ts';
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
  // 超编单位: a unit is counted once however many kinds it is over in (overUnit counts kinds).
  return { approved: statTotal(s, 'approved'), onQuota: statTotal(s, 'onQuota'), vacant: statTotal(s, 'vacant'), over: statTotal(s, 'over'), overUnits: 0 };
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
 * Every town (or those in the scope) with its figures and colour; with `unitsOf`, that town's
 * units (those in the scope) with theirs (the others' `units` are empty: a town's list is read
 * when it is opened). One round trip whatever the number of towns: the towns, their sums by
 * dim (added up by the database over the towns' subtrees from unit_stats by its key), and the
 * opened town's units.
 */
export async function listTowns(db: Knex, scope: UnitScope, thresholds: TownThresholds, opts: { unitsOf?: number } = {}): Promise<{ asOf: string | null; towns: TownLine[] }> {
  const inView = scope === null ? null : new Set(scope);
  const visible = (id: number) => inView === null || inView.has(id);
  const inScope = (q: Knex.QueryBuilder) => (scope === null ? q : q.whereIn('town_sub.id', scope.length ? scope : [0]));
  let towns: TownName[] = [];
  const sums = new Map<number, TownFigures>();
  const unitRows: Row[] = [];
  let asOf: string | null = null;
  const reads: Parameters<typeof runReads>[1] = [
    { query: db('units').where({ nature: TOWN_NATURE }).orderBy('name').orderBy('id').select('id', 'name', 'region_name'), apply: (rows) => {
      towns = rows.map((r) => ({ id: Number(r.id), name: r.name, regionName: r.region_name ?? null })).filter((t) => visible(t.id));
    } },
    // Each town's sums as the check and the re-checks keep them (stat_sums, scope town:<id>). A
    // unit role sees a town only when the town's organ is in its scope, and then every unit below
    // it is too: the same sums serve it.
    {
      query: db('stat_sums').where('scope', 'like', 'town:%').whereIn('dim', [...DIMS, 'unitTotal']).select('scope', 'dim', 'key', 'n'),
      apply: (rows) => {
        for (const r of rows) {
          const id = Number(String(r.scope).slice(5));
          if (!visible(id)) continue;
          if (!sums.has(id)) sums.set(id, { approved: 0, onQuota: 0, vacant: 0, over: 0, overUnits: 0 });
          const f = sums.get(id)!;
          if (r.dim === 'unitTotal') { if (r.key === 'anyOverUnit') f.overUnits = Number(r.n); }
          else f[r.dim as (typeof DIMS)[number]] += Number(r.n);
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

// 镇街三色图's reads and writes: the towns (units whose 机构性质 is 乡镇(街道)机关) with the units of
// their subtrees (db/scope.ts subtreeQuery, all towns' walks in one round trip), their figures
// summed from the stored unit_stats (never the roster), the office's thresholds (settings
// `town-map`) and the uploaded map (town_maps, migration 018).

import type { Knex } from 'knex';
import type { UnitScope } from '../core/roles.ts';
import { DEFAULT_TOWN_THRESHOLDS, TOWN_NATURE, townColour, townRates, type TownColour, type TownFigures, type TownName, type TownThresholds } from '../core/town-map.ts';
import { addStats, statsOf, type UnitStats } from '../core/unit-stats.ts';
import { runReads } from './batch.ts';
import { subtreeQuery } from './scope.ts';
import { getSetting, putSetting } from './settings.ts';
import { readStatsOfUnits, statsAsOf } from './unit-stats.ts';

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
 * Every town (or those in the scope) with its figures and colour, and its units (those in the
 * scope) with theirs. Two round trips whatever the number of towns: the towns and their
 * subtrees, then the units' stored figures.
 */
export async function listTowns(db: Knex, scope: UnitScope, thresholds: TownThresholds): Promise<{ asOf: string | null; towns: TownLine[] }> {
  const towns = (await townOrgans(db)).filter((t) => scope === null || scope.includes(t.id));
  const subtrees = new Map<number, number[]>();
  const names = new Map<number, string>();
  await runReads(db, towns.map((t) => ({
    query: subtreeQuery(db, t.id),
    apply: (rows: Row[]) => { subtrees.set(t.id, rows.map((r) => Number(r.id)).filter((id) => scope === null || scope.includes(id))); },
  })), true);
  const ids = [...new Set([...subtrees.values()].flat())];
  const [stats] = await Promise.all([
    readStatsOfUnits(db, ids, [...DIMS]),
    (async () => {
      for (let i = 0; i < ids.length; i += 500) for (const r of (await db('units').whereIn('id', ids.slice(i, i + 500)).select('id', 'name')) as Row[]) names.set(Number(r.id), r.name);
    })(),
  ]);
  const lines = towns.map((t): TownLine => {
    const sum: UnitStats = new Map();
    const units: TownUnitLine[] = [];
    let overUnits = 0;
    for (const id of subtrees.get(t.id) ?? []) {
      const s = stats.get(id) ?? new Map();
      addStats(sum, s);
      const f = townFigures(s);
      if (f.over > 0) overUnits++;
      units.push({ id, name: names.get(id) ?? '', ...f, overUnits: f.over > 0 ? 1 : 0, ...townRates(f) });
    }
    units.sort((a, b) => (a.id === t.id ? -1 : b.id === t.id ? 1 : b.over - a.over || b.vacant - a.vacant || a.id - b.id));
    const f = { ...townFigures(sum), overUnits };
    return { id: t.id, name: t.name, regionName: t.regionName, ...f, ...townRates(f), ...townColour(f, thresholds), units };
  });
  return { asOf: await statsAsOf(db), towns: lines };
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

// The stored figures of each unit (core/unit-stats.ts) and their sums: written by the daily
// check (only the units whose figures changed, then the sums afresh) and by the re-check of a
// unit (its rows, and the change applied to the sums in the same transaction); read by the
// dashboard, the unit portrait, the town map, the forecast and the reports. Every read is an
// indexed look-up or a sum over a scope's units, never a scan of the roster.

import type { Knex } from 'knex';
import { monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import type { UnitScope } from '../core/roles.ts';
import { addStats, sectorInStats, statKey, statsHash, splitStatKey, type Sector, type SectorMapping, type StatDim, type UnitStats } from '../core/unit-stats.ts';
import { INSERT_BATCH as BATCH } from './batch.ts';
import { getSetting, putSetting } from './settings.ts';

type Row = Record<string, any>;

/** The dim of the row holding a unit's stats hash. */
const HASH_DIM = '#';
const AS_OF = 'unit-stats';

/** The office's mapping of units to sectors (settings `sectors`). */
export async function loadSectorMapping(db: Knex): Promise<SectorMapping> {
  return (await getSetting<SectorMapping>(db, 'sectors')) ?? {};
}

/** The hash of each unit's stored stats (read while the check scans). */
export async function loadStatHashes(db: Knex): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const r of (await db('unit_stats').where({ dim: HASH_DIM }).select('unit_id', 'n')) as Row[]) out.set(Number(r.unit_id), Number(r.n));
  return out;
}

function rowsOf(unitId: number, s: UnitStats): Row[] {
  const rows: Row[] = [];
  for (const [k, n] of s) {
    const { dim, key } = splitStatKey(k);
    rows.push({ unit_id: unitId, dim, key, n });
  }
  rows.push({ unit_id: unitId, dim: HASH_DIM, key: '', n: statsHash(s) });
  return rows;
}

const sectorScope = (sector: string) => `sector:${sector}`;

/** The sums of a unit's subtree (itself and every unit below it), and of its subtree's units of a sector. */
export const treeScope = (unitId: number, sector?: string) => (sector ? `tree:${unitId}:${sector}` : `tree:${unitId}`);
/** Units with at least this many units in their subtree (itself included) keep their subtree's sums (settings `stats.treeMin`). */
export const TREE_MIN = 50;

/** The units above a unit, nearest first (walks parent_id; stops at a cycle). */
async function ancestorsOf(db: Knex, unitId: number): Promise<number[]> {
  const out: number[] = [];
  const seen = new Set([unitId]);
  let id: number | null = unitId;
  while (id != null) {
    const r = (await db('units').where({ id }).first('parent_id')) as Row | undefined;
    id = r?.parent_id == null ? null : Number(r.parent_id);
    if (id == null || seen.has(id)) break;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/** For each unit, the units above it whose subtree holds at least `min` units (they keep subtree sums). */
function bigAncestors(parent: Map<number, number | null>, min: number): Map<number, number[]> {
  const size = new Map<number, number>();
  const chains = new Map<number, number[]>();
  for (const id of parent.keys()) {
    const chain: number[] = [id];
    const seen = new Set([id]);
    for (let p = parent.get(id) ?? null; p != null && !seen.has(p) && parent.has(p); p = parent.get(p) ?? null) { seen.add(p); chain.push(p); }
    chains.set(id, chain);
    for (const a of chain) size.set(a, (size.get(a) ?? 0) + 1);
  }
  const out = new Map<number, number[]>();
  for (const [id, chain] of chains) {
    const big = chain.filter((a) => (size.get(a) ?? 0) >= min);
    if (big.length) out.set(id, big);
  }
  return out;
}


export const townScope = (townId: number) => `town:${townId}`;

function townIn(s: UnitStats): number | null {
  for (const k of s.keys()) if (k.startsWith('town|')) return Number(k.slice(5));
  return null;
}

/** What a town's sums keep: the 镇街三色图's figures, not the whole structure (other sums keep all but `town`). */
const TOWN_DIMS: ReadonlySet<string> = new Set(['approved', 'onQuota', 'inTransit', 'vacant', 'over', 'unitTotal']);

/** Whether a sum keeps a figure: a town's only TOWN_DIMS, the others all but the town a unit is in (their key). */
function keeps(scope: string, k: string): boolean {
  const dim = k.slice(0, k.indexOf('|'));
  return scope.startsWith('town:') ? TOWN_DIMS.has(dim) : dim !== 'town';
}

/** The part of a unit's stats a sum keeps. */
function partFor(scope: string, s: UnitStats): UnitStats {
  const out: UnitStats = new Map();
  for (const [k, n] of s) if (keeps(scope, k)) out.set(k, n);
  return out;
}

/**
 * The sums a unit's stats go into: the whole office and its sector; its town; and each big
 * subtree it is in (`trees`: treeScope of the roots), with that subtree's sector.
 */
function sumScopes(s: UnitStats, trees: string[] = []): string[] {
  const out = ['all'];
  const sector = sectorInStats(s);
  if (sector) out.push(sectorScope(sector));
  const town = townIn(s);
  if (town !== null) out.push(townScope(town));
  for (const t of trees) {
    out.push(t);
    if (sector) out.push(`${t}:${sector}`);
  }
  return out;
}

/**
 * The daily check's write, inside its transaction: the rows of every unit whose stats changed
 * (by hash), none of the units gone, and the sums ('all' and each sector) afresh.
 */
export async function writeAllUnitStats(trx: Knex, stats: Map<number, UnitStats>, stored: Map<number, number>, date: IsoDate, parents: Map<number, number | null>): Promise<{ changed: number }> {
  const changed: number[] = [];
  for (const [id, s] of stats) if (stored.get(id) !== statsHash(s)) changed.push(id);
  const gone = [...stored.keys()].filter((id) => !stats.has(id));
  const dropIds = [...changed, ...gone];
  for (let i = 0; i < dropIds.length; i += BATCH) await trx('unit_stats').whereIn('unit_id', dropIds.slice(i, i + BATCH)).delete();
  let rows: Row[] = [];
  for (const id of changed) {
    rows.push(...rowsOf(id, stats.get(id)!));
    if (rows.length >= BATCH) {
      await trx('unit_stats').insert(rows.slice(0, BATCH));
      rows = rows.slice(BATCH);
    }
  }
  for (let i = 0; i < rows.length; i += BATCH) await trx('unit_stats').insert(rows.slice(i, i + BATCH));

  const sums = new Map<string, UnitStats>([['all', new Map()]]);
  const addTo = (scope: string, s: UnitStats) => {
    let sum = sums.get(scope);
    if (!sum) sums.set(scope, (sum = new Map()));
    for (const [k, n] of s) if (n && keeps(scope, k)) sum.set(k, (sum.get(k) ?? 0) + n);
  };
  // Units with a big subtree (a 教育局 with its schools) keep their subtree's sums, so their leader's dashboard reads sums too.
  const trees = bigAncestors(parents, (await getSetting<number>(trx, 'stats.treeMin')) ?? TREE_MIN);
  for (const [id, s] of stats) {
    for (const scope of sumScopes(s, (trees.get(id) ?? []).map((root) => treeScope(root)))) addTo(scope, s);
  }
  // The sums written as a difference from what is stored: from one day to the next few change.
  const sumRows: Row[] = [];
  for (const [scope, s] of sums) for (const [k, n] of s) sumRows.push({ scope, ...splitStatKey(k), n });
  const storedSums = new Map<string, number>();
  for (const r of (await trx('stat_sums').select('scope', 'dim', 'key', 'n')) as Row[]) storedSums.set(`${r.scope}\u0001${r.dim}\u0001${r.key}`, Number(r.n));
  const inserts: Row[] = [];
  for (const r of sumRows) {
    const id = `${r.scope}\u0001${r.dim}\u0001${r.key}`;
    const was = storedSums.get(id);
    storedSums.delete(id);
    if (was === undefined) inserts.push(r);
    else if (was !== r.n) await trx('stat_sums').where({ scope: r.scope, dim: r.dim, key: r.key }).update({ n: r.n });
  }
  for (const id of storedSums.keys()) {
    const [scope, dim, key] = id.split('\u0001');
    await trx('stat_sums').where({ scope, dim, key }).delete();
  }
  for (let i = 0; i < inserts.length; i += BATCH) await trx('stat_sums').insert(inserts.slice(i, i + BATCH));
  // The month's snapshot: the last check of a month leaves that month's figures.
  const month = monthOf(date);
  await trx('stat_snapshots').where({ month }).delete();
  const snapRows = sumRows.filter((r) => !String(r.scope).startsWith('town:') && !String(r.scope).startsWith('tree:'));
  for (let i = 0; i < snapRows.length; i += BATCH) await trx('stat_snapshots').insert(snapRows.slice(i, i + BATCH).map((r) => ({ ...r, month, as_of: date })));
  await putSetting(trx, AS_OF, { date });
  return { changed: changed.length };
}

/** A unit's stored stats, as the check or a re-check last left them. */
export async function readUnitStats(db: Knex, unitId: number): Promise<UnitStats> {
  return (await readStatsOfUnits(db, [unitId])).get(unitId) ?? new Map();
}

/** The stored stats of several units, by unit. */
export async function readStatsOfUnits(db: Knex, unitIds: number[], dims?: StatDim[]): Promise<Map<number, UnitStats>> {
  const out = new Map<number, UnitStats>();
  for (let i = 0; i < unitIds.length; i += BATCH) {
    const q = db('unit_stats').whereIn('unit_id', unitIds.slice(i, i + BATCH)).whereNot({ dim: HASH_DIM });
    if (dims) q.whereIn('dim', dims);
    for (const r of (await q.select('unit_id', 'dim', 'key', 'n')) as Row[]) {
      const id = Number(r.unit_id);
      if (!out.has(id)) out.set(id, new Map());
      out.get(id)!.set(statKey(r.dim, r.key), Number(r.n));
    }
  }
  return out;
}

/**
 * The re-check's write of one unit, inside its transaction: the unit's rows replaced and the
 * difference added to the sums. Returns false (and writes nothing) when nothing changed.
 */
export async function replaceUnitStats(trx: Knex, unitId: number, next: UnitStats): Promise<boolean> {
  const old = await readUnitStats(trx, unitId);
  if (old.size === next.size && [...next].every(([k, n]) => old.get(k) === n)) return false;
  await trx('unit_stats').where({ unit_id: unitId }).delete();
  const rows = rowsOf(unitId, next);
  for (let i = 0; i < rows.length; i += BATCH) await trx('unit_stats').insert(rows.slice(i, i + BATCH));
  const apply = async (scope: string, s: UnitStats, sign: 1 | -1) => {
    for (const [k, n] of s) {
      const { dim, key } = splitStatKey(k);
      const d = sign * n;
      const hit = await trx('stat_sums').where({ scope, dim, key }).increment('n', d);
      if (!Number(hit)) await trx('stat_sums').insert({ scope, dim, key, n: d });
    }
  };
  // The change into every sum both belong to; a sum only one belongs to (the sector or town
  // moved) loses the old figures or gains the new ones whole.
  const diff = addStats(new Map(next), old, -1);
  const trees: string[] = [];
  for (const a of [unitId, ...(await ancestorsOf(trx, unitId))]) if (await trx('stat_sums').where({ scope: treeScope(a) }).first('n')) trees.push(treeScope(a));
  const before = sumScopes(old, trees);
  const after = sumScopes(next, trees);
  for (const scope of after) {
    if (before.includes(scope)) await apply(scope, partFor(scope, diff), 1);
    else await apply(scope, partFor(scope, next), 1);
  }
  for (const scope of before) if (!after.includes(scope)) await apply(scope, partFor(scope, old), -1);
  await trx('stat_sums').where('n', 0).delete();
  return true;
}

/**
 * The sum of the stats over a scope: every unit (null) from the stored sums, optionally of one
 * sector; a list of unit ids by adding up their rows. `dims` narrows what is read.
 */
export async function sumStats(db: Knex, scope: UnitScope, opts: { sector?: Sector; dims?: StatDim[] } = {}): Promise<UnitStats> {
  const out: UnitStats = new Map();
  if (scope === null) {
    const q = db('stat_sums').where({ scope: opts.sector ? sectorScope(opts.sector) : 'all' });
    if (opts.dims) q.whereIn('dim', opts.dims);
    for (const r of (await q.select('dim', 'key', 'n')) as Row[]) out.set(statKey(r.dim, r.key), Number(r.n));
    return out;
  }
  const ids = opts.sector ? await unitsOfSector(db, scope, opts.sector) : scope;
  for (const s of (await readStatsOfUnits(db, ids, opts.dims)).values()) addStats(out, s);
  return out;
}

async function unitsOfSector(db: Knex, ids: number[], sector: Sector): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db('unit_stats').where({ dim: 'sector', key: sector }).whereIn('unit_id', ids.slice(i, i + BATCH)).select('unit_id');
    for (const r of rows as Row[]) out.push(Number(r.unit_id));
  }
  return out;
}

/**
 * The units behind one figure (a stat's dim and key), most first, within a scope: the first
 * step of every drill-down (a figure → its units → a unit's people).
 */
export async function unitsWithStat(db: Knex, dim: StatDim, key: string, scope: UnitScope, limit = 200): Promise<Array<{ unitId: number; n: number }>> {
  const q = db('unit_stats').where({ dim, key }).where('n', '>', 0);
  if (scope !== null) q.whereIn('unit_id', scope.length ? scope : [0]);
  const rows = (await q.orderBy([{ column: 'n', order: 'desc' }, { column: 'unit_id' }]).limit(limit).select('unit_id', 'n')) as Row[];
  return rows.map((r) => ({ unitId: Number(r.unit_id), n: Number(r.n) }));
}

/** The date of the check the stored stats are from (re-checks since keep them current). */
export async function statsAsOf(db: Knex): Promise<IsoDate | null> {
  return (await getSetting<{ date: IsoDate }>(db, AS_OF))?.date ?? null;
}

/** The sums a month ended with (its last check), or null when no check ran that month. */
export async function monthSnapshot(db: Knex, month: string, opts: { sector?: Sector; dims?: StatDim[] } = {}): Promise<{ asOf: IsoDate; stats: UnitStats } | null> {
  const q = db('stat_snapshots').where({ month, scope: opts.sector ? sectorScope(opts.sector) : 'all' });
  if (opts.dims) q.whereIn('dim', opts.dims);
  const rows = (await q.select('dim', 'key', 'n', 'as_of')) as Row[];
  if (!rows.length) return null;
  const stats: UnitStats = new Map();
  for (const r of rows) stats.set(statKey(r.dim, r.key), Number(r.n));
  return { asOf: rows[0].as_of, stats };
}

/** Every town's stored sums (scope 'town:<id>'), by town id: the 镇街三色图 of the whole office. */
export async function townSums(db: Knex, dims: StatDim[]): Promise<Map<number, UnitStats>> {
  const out = new Map<number, UnitStats>();
  const rows = (await db('stat_sums').where('scope', 'like', 'town:%').whereIn('dim', dims).select('scope', 'dim', 'key', 'n')) as Row[];
  for (const r of rows) {
    const id = Number(String(r.scope).slice(5));
    if (!out.has(id)) out.set(id, new Map());
    out.get(id)!.set(statKey(r.dim, r.key), Number(r.n));
  }
  return out;
}

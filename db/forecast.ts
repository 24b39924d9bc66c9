// The retirement forecast of a scope (core/forecast.ts) from the units' stored stats
// (db/unit-stats.ts): the rows of dims retire, approved, onQuota, vacant and sector of the units
// in scope, read by unit id; never the roster.

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { buildForecast, forecastWindow, MAX_FORECAST_YEARS, windowRefusal, type Forecast } from '../core/forecast.ts';
import type { UnitScope } from '../core/roles.ts';
import { sectorInStats, statKey, type Sector, type StatDim, type UnitStats } from '../core/unit-stats.ts';
import { statsAsOf } from './unit-stats.ts';

/** A forecast that cannot be made as asked: the message says why, in Chinese. */
export class ForecastRefusal extends Error {}

/** The dims the gap needs besides the window's retirements (空编 today is max(0, 核定 − 实有) per kind: derived, not read). */
export const GAP_DIMS: StatDim[] = ['approved', 'onQuota', 'sector'];

/**
 * The stats the forecast reads, by unit: the gap's dims, and of dim retire only the window's
 * months (keys 'YYYY-MM|kind' from `from` up to, not including, `until`: a range on the index).
 * ids null: every unit.
 */
async function windowStats(db: Knex, ids: number[] | null, from: string, until: string): Promise<Map<number, UnitStats>> {
  const out = new Map<number, UnitStats>();
  const add = (rows: Array<{ unit_id: number; dim: StatDim; key: string; n: number }>) => {
    for (const r of rows) {
      const id = Number(r.unit_id);
      if (!out.has(id)) out.set(id, new Map());
      out.get(id)!.set(statKey(r.dim, r.key), Number(r.n));
    }
  };
  const read = async (chunk: number[] | null) => {
    const gap = db('unit_stats').whereIn('dim', GAP_DIMS);
    const retire = db('unit_stats').where('dim', 'retire').where('key', '>=', `${from}|`).where('key', '<', `${until}|`);
    if (chunk) {
      gap.whereIn('unit_id', chunk);
      retire.whereIn('unit_id', chunk);
    }
    add(await gap.select('unit_id', 'dim', 'key', 'n'));
    add(await retire.select('unit_id', 'dim', 'key', 'n'));
  };
  if (ids === null) await read(null);
  else for (let i = 0; i < ids.length; i += 500) await read(ids.slice(i, i + 500));
  return out;
}

export interface ForecastQuery {
  years: number;
  /** YYYY-MM; default: the month of the stored stats. */
  from?: string;
  /** One unit (its own figures). */
  unitId?: number;
  sector?: Sector;
  /** The viewer's units (null: all). */
  scope?: UnitScope;
}

/** The forecast as asked; ForecastRefusal when the stats cannot answer it. */
export async function forecastOf(db: Knex, q: ForecastQuery): Promise<Forecast & { asOf: string }> {
  if (!Number.isInteger(q.years) || q.years < 1 || q.years > MAX_FORECAST_YEARS) throw new ForecastRefusal(`预测年数应为 1 至 ${MAX_FORECAST_YEARS} 之间的整数`);
  const asOf = await statsAsOf(db);
  if (!asOf) throw new ForecastRefusal('还没有退休预测数据：请先运行每日检查（sanse check），检查会保存各单位今后的退休人数');
  const w = forecastWindow(q.from ?? monthOf(asOf), q.years);
  const refusal = windowRefusal(w, monthOf(asOf));
  if (refusal) throw new ForecastRefusal(refusal);
  const scope = q.scope ?? null;
  let ids: number[] | null = null;
  if (q.unitId !== undefined) {
    if (scope !== null && !scope.includes(q.unitId)) throw new ForecastRefusal('无权查看该单位');
    ids = [q.unitId];
  } else if (scope !== null) ids = scope;
  const stats = await windowStats(db, ids, w.from, addMonthsToMonth(w.to, 1));
  const names = new Map<number, string>();
  const nameRows = async (chunk: number[] | null) => {
    const rows = (await (chunk ? db('units').whereIn('id', chunk) : db('units')).select('id', 'name')) as Array<{ id: number; name: string }>;
    for (const r of rows) names.set(Number(r.id), r.name);
  };
  if (ids === null) await nameRows(null);
  else for (let i = 0; i < ids.length; i += 500) await nameRows(ids.slice(i, i + 500));
  const units = [...stats].map(([id, s]) => ({ id, name: names.get(id) ?? String(id), stats: s }))
    .filter((u) => !q.sector || sectorInStats(u.stats) === q.sector);
  return { ...buildForecast(units, w), asOf };
}

// The retirement forecast of a scope (core/forecast.ts) from the units' stored stats
// (db/unit-stats.ts): the rows of dims retire, approved, onQuota, vacant and sector of the units
// in scope, read by unit id; never the roster.

import type { Knex } from 'knex';
import { monthOf } from '../core/dates.ts';
import { buildForecast, forecastWindow, MAX_FORECAST_YEARS, windowRefusal, type Forecast } from '../core/forecast.ts';
import type { UnitScope } from '../core/roles.ts';
import type { Sector, StatDim } from '../core/unit-stats.ts';
import { readStatsOfUnits, statsAsOf } from './unit-stats.ts';

/** A forecast that cannot be made as asked: the message says why, in Chinese. */
export class ForecastRefusal extends Error {}

export const FORECAST_DIMS: StatDim[] = ['retire', 'approved', 'onQuota', 'vacant', 'sector'];

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
  let ids: number[];
  if (q.unitId !== undefined) {
    if (scope !== null && !scope.includes(q.unitId)) throw new ForecastRefusal('无权查看该单位');
    ids = [q.unitId];
  } else if (scope !== null) ids = scope;
  else ids = ((await db('units').select('id')) as Array<{ id: number }>).map((r) => Number(r.id));
  const stats = await readStatsOfUnits(db, ids, FORECAST_DIMS);
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of (await db('units').whereIn('id', ids.slice(i, i + 500)).select('id', 'name')) as Array<{ id: number; name: string }>) names.set(Number(r.id), r.name);
  }
  const units = [...stats].map(([id, s]) => ({ id, name: names.get(id) ?? String(id), stats: s }))
    .filter((u) => !q.sector || u.stats.get(`sector|${q.sector}`));
  return { ...buildForecast(units, w), asOf };
}

// The month close: the first check of a month closes the previous one. Each unit's worst daily
// light of that month, its consecutive red months (core/escalation.ts), and the reminder or
// suspension that follows (db/sanctions.ts), written in the check's transaction.

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { assessMonth, type EscalationPolicy } from '../core/escalation.ts';
import type { IsoDate, Light, UnitRecord } from '../core/model.ts';
import { INSERT_BATCH as BATCH } from './batch.ts';
import { sanctionRow } from './sanctions.ts';

type Row = Record<string, any>;

/** What a month close did. */
export interface MonthClose {
  month: string;
  red: number;
  reminders: number;
  suspensions: number;
}

/**
 * The first check of a month closes the previous one: each unit's worst daily light of that
 * month, its consecutive red months, and the reminder or suspension that follows. Idempotent:
 * a month is closed once.
 */
export async function closeMonthIfDue(trx: Knex, date: IsoDate, units: Map<number, UnitRecord>, policy: EscalationPolicy): Promise<MonthClose | null> {
  const month = addMonthsToMonth(monthOf(date), -1);
  const already = await trx('unit_monthly_status').where({ month }).first();
  if (already) return null;
  const days = await trx('unit_daily_lights').where('date', '>=', `${month}-01`).where('date', '<', `${monthOf(date)}-01`)
    .select('unit_id').max({ red: 'red' }).max({ yellow: 'yellow' }).groupBy('unit_id') as Row[];
  if (!days.length) return null;
  const redDays = new Map<number, number>();
  for (const r of await trx('unit_daily_lights').where('date', '>=', `${month}-01`).where('date', '<', `${monthOf(date)}-01`).where('light', 'red').select('unit_id').count({ n: '*' }).groupBy('unit_id') as Row[]) {
    redDays.set(Number(r.unit_id), Number(r.n));
  }
  const prev = new Map<number, number>();
  for (const r of await trx('unit_monthly_status').where({ month: addMonthsToMonth(month, -1) }).select('unit_id', 'consecutive_red')) prev.set(Number(r.unit_id), Number(r.consecutive_red));

  const statusRows: Row[] = [];
  const sanctionRows: Row[] = [];
  let red = 0;
  for (const d of days) {
    const unitId = Number(d.unit_id);
    const worst: Light = Number(d.red) > 0 ? 'red' : Number(d.yellow) > 0 ? 'yellow' : 'green';
    const a = assessMonth(month, worst, prev.get(unitId) ?? 0, policy);
    if (a.light === 'red') red++;
    statusRows.push({ unit_id: unitId, month, light: a.light, red_days: redDays.get(unitId) ?? 0, consecutive_red: a.consecutiveRed, action: a.action?.kind ?? null });
    if (!a.action) continue;
    sanctionRows.push(sanctionRow(unitId, units.get(unitId)?.name ?? '', month, date, a.consecutiveRed, a.action));
  }
  for (let i = 0; i < statusRows.length; i += BATCH) await trx('unit_monthly_status').insert(statusRows.slice(i, i + BATCH));
  for (let i = 0; i < sanctionRows.length; i += BATCH) await trx('sanctions').insert(sanctionRows.slice(i, i + BATCH));
  return { month, red, reminders: sanctionRows.filter((s) => s.kind === 'reminder').length, suspensions: sanctionRows.filter((s) => s.kind === 'suspension').length };
}

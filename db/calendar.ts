// The office's own working-day overrides (calendar_overrides): a year's rows, one date's row,
// set and removed. Read into the calendar by db/settings.ts loadCalendar.

import type { Knex } from 'knex';
import type { CalendarOverride } from '../core/calendar.ts';
import type { IsoDate } from '../core/model.ts';

type Row = Record<string, any>;
const overrideOf = (r: Row): CalendarOverride => ({ date: r.date, work: Boolean(Number(r.work)), ...(r.note ? { note: r.note } : {}) });

/** The overrides of one year, by date. */
export async function overridesOfYear(db: Knex, year: number): Promise<CalendarOverride[]> {
  const rows = await db('calendar_overrides').where('date', '>=', `${year}-01-01`).andWhere('date', '<=', `${year}-12-31`).orderBy('date');
  return rows.map(overrideOf);
}

/** The overrides of these dates (those that have one). */
export async function overridesOn(db: Knex, dates: IsoDate[]): Promise<CalendarOverride[]> {
  if (!dates.length) return [];
  return (await db('calendar_overrides').whereIn('date', dates).orderBy('date')).map(overrideOf);
}

/** One date's override, written or replaced. */
export async function putOverride(db: Knex, o: CalendarOverride): Promise<void> {
  const row = { work: o.work, note: o.note ?? null };
  const updated = await db('calendar_overrides').where({ date: o.date }).update(row);
  if (!updated) await db('calendar_overrides').insert({ date: o.date, ...row });
}

/** One date's override removed; the package's arrangement applies again. */
export async function deleteOverride(db: Knex, date: IsoDate): Promise<number> {
  return db('calendar_overrides').where({ date }).delete();
}

// A demo county that has been running for a while: after its first check, part of the findings
// are dated back a few working days, so the first screen shows red beside yellow as it would
// in an office that has used sanse for some weeks. Demo data only; never applied to real data.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../../core/calendar.ts';
import type { IsoDate } from '../../core/model.ts';

/**
 * Dates back every other open finding (by id) by 2 to 9 working days; returns how many. The
 * cross-system findings (X-*) stay today's: the demo's 社保 roster is imported the day before.
 */
export async function backdateDemoFindings(db: Knex, today: IsoDate, cal: WorkdayCalendar): Promise<number> {
  const rows = await db('findings').where({ status: 'open', opened_on: today }).whereNot('rule', 'like', 'X-%').select('id');
  let n = 0;
  for (const r of rows) {
    const id = Number(r.id);
    if (id % 2 === 0) continue;
    const back = 2 + (id % 8);
    const day = workdaysBefore(cal, today, back);
    await db('findings').where({ id }).update({ opened_on: day, first_seen_on: day, last_seen_on: today });
    n++;
  }
  return n;
}

function workdaysBefore(cal: WorkdayCalendar, date: IsoDate, n: number): IsoDate {
  let d = date;
  let left = n;
  while (left > 0) {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() - 1);
    d = t.toISOString().slice(0, 10);
    if (cal.isWorkday(d)) left--;
  }
  return d;
}

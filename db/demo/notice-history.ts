// The demo county's last half-year (issue 18, 半年交叉检查与书面函告): so that the office finds 书面函告
// already sent on a first start, a few units carry findings dated in the half-year that ended last
// (previousHalf of today): findings still open, dated back into that half-year far past the office's
// limit (overdue), and earlier findings of one rule opened and fixed there three times (repeated
// mistakes). commands/demo-county.ts then issues the notices through the real cross-check. Demo
// data only; never applied to real data.

import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../../core/calendar.ts';
import { addDays } from '../../core/dates.ts';
import { halfRange, previousHalf, type HalfYear } from '../../core/half-year-notices.ts';
import { isHint } from '../../core/lights.ts';
import type { IsoDate } from '../../core/model.ts';

type Row = Record<string, any>;

export interface PlantedHalfYear {
  half: HalfYear;
  /** The units given problems in the half-year, by id. */
  units: number[];
  /** Open findings dated back into the half-year. */
  overdue: number;
  /** Fixed findings written into the half-year (three per repeated rule). */
  repeated: number;
}

/** The working days of [from, to] on the calendar. */
function workdaysBetween(from: IsoDate, to: IsoDate, cal: WorkdayCalendar): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (cal.isWorkday(d)) out.push(d);
  return out;
}

/**
 * Plants the last ended half-year's problems in `count` units (those with the most open findings
 * of the office's own rules, by id): unit 0, 1, 3 get overdue findings, unit 0, 2, 3 a repeated rule.
 */
export async function plantHalfYearFindings(db: Knex, today: IsoDate, cal: WorkdayCalendar, count = 4): Promise<PlantedHalfYear> {
  const half = previousHalf(today);
  const { from, to } = halfRange(half);
  const days = workdaysBetween(from, to, cal);
  const planted: PlantedHalfYear = { half, units: [], overdue: 0, repeated: 0 };
  if (days.length < 40) return planted;
  const open: Row[] = (await db('findings').where({ status: 'open' }).whereNot('rule', 'like', 'X-%').orderBy('id').select('*'))
    .filter((f: Row) => !isHint(f.rule));
  const byUnit = new Map<number, Row[]>();
  for (const f of open) (byUnit.get(Number(f.unit_id)) ?? byUnit.set(Number(f.unit_id), []).get(Number(f.unit_id))!).push(f);
  const units = [...byUnit].filter(([, fs]) => fs.length >= 3).sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, count);
  for (const [i, [unitId, fs]] of units.entries()) {
    planted.units.push(unitId);
    if (i !== 2) {
      // Two (unit 0: three) findings still open, dated back 15 to 60 working days before the half's end.
      const n = i === 0 ? 3 : 2;
      for (let j = 0; j < n && j < fs.length; j++) {
        const day = days[days.length - 1 - (15 + 20 * j + 3 * i)];
        await db('findings').where({ id: fs[j].id }).update({ opened_on: day, first_seen_on: day });
        planted.overdue++;
      }
    }
    if (i !== 1) {
      // The rule the unit got wrong most: opened and fixed three times within the half-year.
      const rules = new Map<string, Row[]>();
      for (const f of fs) (rules.get(f.rule) ?? rules.set(f.rule, []).get(f.rule)!).push(f);
      const same = [...rules.values()].sort((a, b) => b.length - a.length)[0];
      const rows = [0, 1, 2].map((k) => {
        const f = same[k % same.length];
        const opened = days[10 + 30 * k + i];
        const resolved = days[10 + 30 * k + i + 4];
        const { id: _id, open_key: _key, ...rest } = f;
        return { ...rest, open_key: null, status: 'resolved', first_seen_on: opened, opened_on: opened, last_seen_on: days[10 + 30 * k + i + 3], resolved_on: resolved };
      });
      await db('findings').insert(rows);
      planted.repeated += rows.length;
    }
  }
  return planted;
}

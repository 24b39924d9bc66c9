// The office's entry of the State Council's holiday arrangement into the working-day calendar
// (the console's 工作日历, `sanse calendar set|unset`): days set as 休息日 (work=false) or
// 工作日/调休上班 (work=true) with a note, or their override removed. For 编办管理员 only; every
// date validated before anything is written; all rows and their audit row in one transaction.

import type { Knex } from 'knex';
import type { CalendarOverride } from '../core/calendar.ts';
import { DateInputError, validDay } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { deleteOverride, overridesOn, putOverride } from '../db/calendar.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export interface SetCalendarDaysInput {
  dates: unknown;
  /** true: 工作日（调休上班）; false: 休息日; null: the override removed. */
  work: unknown;
  note?: unknown;
}

export const MAX_CALENDAR_DAYS = 366;
const NOTE_MAX = 200;

/** Returns the dates' overrides after the command (removed dates absent). */
export async function setCalendarDays(db: Knex, actor: { id: string; role: string }, input: SetCalendarDaysInput): Promise<{ dates: IsoDate[]; overrides: CalendarOverride[] }> {
  if (actor.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以调整工作日历');
  const raw = Array.isArray(input.dates) ? input.dates : typeof input.dates === 'string' ? input.dates.split(/[,，\s]+/).filter(Boolean) : null;
  if (!raw || !raw.length) throw new CommandError(400, '请指定要调整的日期（YYYY-MM-DD）', { dates: '未指定日期' });
  if (raw.length > MAX_CALENDAR_DAYS) throw new CommandError(400, `一次最多调整 ${MAX_CALENDAR_DAYS} 天`, { dates: '日期过多' });
  const dates: IsoDate[] = [];
  for (const d of raw) {
    try {
      dates.push(validDay(d, '日期'));
    } catch (e) {
      if (e instanceof DateInputError) throw new CommandError(400, e.message, { dates: e.message });
      throw e;
    }
  }
  const unique = [...new Set(dates)].sort();
  if (input.work !== null && typeof input.work !== 'boolean') throw new CommandError(400, '请指定设为休息日、工作日（调休上班），或取消调整', { work: '应为 true、false 或 null' });
  const work = input.work as boolean | null;
  let note: string | undefined;
  if (input.note !== undefined && input.note !== null && input.note !== '') {
    if (typeof input.note !== 'string') throw new CommandError(400, '说明应为文字', { note: '格式有误' });
    note = input.note.trim();
    if (note.length > NOTE_MAX) throw new CommandError(400, `说明最多 ${NOTE_MAX} 字`, { note: '过长' });
    if (!note) note = undefined;
  }

  return db.transaction(async (trx) => {
    const before = await overridesOn(trx, unique);
    for (const date of unique) {
      if (work === null) await deleteOverride(trx, date);
      else await putOverride(trx, { date, work, ...(note ? { note } : {}) });
    }
    const after = await overridesOn(trx, unique);
    await audit(trx, actor.id, 'calendar_override', 'calendar', null, { dates: unique, before, after });
    return { dates: unique, overrides: after };
  });
}

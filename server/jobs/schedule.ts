// When a job falls due: a schedule names the slot due at a moment (the day's 08:30 on working
// days), from an injected clock, so tests move the clock instead of waiting for it.

import type { Knex } from 'knex';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model.ts';
import { isRhythmDay, rhythmText, type Rhythm } from '../../core/rhythms.ts';
import { getSetting, loadCalendar } from '../../db/settings.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until moved (tests). */
export function fixedClock(at: number | string): Clock & { set(at: number | string): void } {
  const ms = (v: number | string) => (typeof v === 'number' ? v : Date.parse(v));
  let t = ms(at);
  return { now: () => t, set: (v) => void (t = ms(v)) };
}

export interface Slot {
  /** The slot's name within its job, e.g. 2026-12-07 (job daily-check: daily-check@2026-12-07). */
  slot: string;
  /** The due moment (ms since the epoch). */
  at: number;
}

export interface Schedule {
  /** For people: 工作日 08:30（北京时间）. */
  text: string;
  /** The days of the calendar it falls on, and its time of day as the code sets it (an office may change the time). */
  rhythm: Rhythm;
  time: string;
  /** The same schedule for bull's repeatable jobs (it wakes the runner; the slot is decided here). */
  cron: string;
  tz: string;
  /**
   * The latest slot due at or before `now`, looking back at most LOOKBACK_DAYS; null if none.
   * Only the latest: a runner catching up after a stop runs this one, not every missed slot.
   */
  latest(db: Knex, now: number): Promise<Slot | null>;
}

/** A stop longer than this leaves nothing to catch up (a check of a month-old day helps nobody). */
export const LOOKBACK_DAYS = 7;

/** The moment of `date` at `time` in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiMoment(date: IsoDate, time: string): number {
  return Date.parse(`${date}T${time}:00+08:00`);
}

/** An office's change to a job's schedule (the console, `sanse jobs set`): stored in settings under SCHEDULES_KEY. */
export interface ScheduleChange {
  time?: string;
  enabled?: boolean;
}

export const SCHEDULES_KEY = 'job-schedules';

export function validTime(time: string): string {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new RangeError(`bad time ${time}`);
  return time;
}

/**
 * A rhythm of the calendar (core/rhythms.ts) at a time of day, Asia/Shanghai. With `name`, the
 * office's change stored for that job (time, or switched off) is read at each look.
 */
export function rhythmAt(rhythm: Rhythm, time: string, name?: string): Schedule {
  validTime(time);
  const [hh, mm] = time.split(':').map(Number);
  return {
    text: `${rhythmText(rhythm)} ${time}（北京时间）`,
    rhythm,
    time,
    cron: `${mm} ${hh} * * *`,
    tz: 'Asia/Shanghai',
    async latest(db, now) {
      const change = name ? (await getSetting<Record<string, ScheduleChange>>(db, SCHEDULES_KEY))?.[name] : undefined;
      if (change?.enabled === false) return null;
      const at = change?.time ?? time;
      const cal = await loadCalendar(db);
      let day = todayInShanghai(now);
      for (let i = 0; i <= LOOKBACK_DAYS; i++, day = addDays(day, -1)) {
        const moment = shanghaiMoment(day, at);
        if (moment <= now && isRhythmDay(rhythm, cal, day)) return { slot: day, at: moment };
      }
      return null;
    },
  };
}

/** Every working day (the office's calendar, core/calendar.ts) at `time` (HH:MM, Asia/Shanghai). */
export function workdaysAt(time: string, name?: string): Schedule {
  return rhythmAt({ kind: 'workdays' }, time, name);
}

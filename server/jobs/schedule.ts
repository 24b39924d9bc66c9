// When a job falls due: a schedule names the slot due at a moment (the day's 08:30 on working
// days), from an injected clock, so tests move the clock instead of waiting for it.

import type { Knex } from 'knex';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model.ts';
import { loadCalendar } from '../../db/settings.ts';

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

/** Every working day (the office's calendar, core/calendar.ts) at `time` (HH:MM, Asia/Shanghai). */
export function workdaysAt(time: string): Schedule {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new RangeError(`bad time ${time}`);
  const [hh, mm] = time.split(':').map(Number);
  return {
    text: `工作日 ${time}（北京时间）`,
    cron: `${mm} ${hh} * * *`,
    tz: 'Asia/Shanghai',
    async latest(db, now) {
      const cal = await loadCalendar(db);
      let day = todayInShanghai(now);
      for (let i = 0; i <= LOOKBACK_DAYS; i++, day = addDays(day, -1)) {
        const at = shanghaiMoment(day, time);
        if (at <= now && cal.isWorkday(day)) return { slot: day, at };
      }
      return null;
    },
  };
}

// When a job falls due: a schedule names the slot due at a moment (the day's 08:30 on working
// days), from an injected clock, so tests move the clock instead of waiting for it.

import type { Knex } from 'knex';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model.ts';
import { isRhythmDay, samePeriod, nextRhythmDay, rhythmText, type Rhythm } from '../../core/rhythms.ts';
import type { WorkdayCalendar } from '../../core/calendar.ts';
import { getSetting, loadCalendar } from '../../db/settings.ts';
import { JOB_SCHEDULES_KEY } from '../../commands/set-job-schedule.ts';

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
  /** The code's time as a cron line (informative: bull wakes the registry every minute, server/jobs/bull.ts). */
  cron: string;
  tz: string;
  /**
   * The latest slot due at or before `now`, looking back at most lookbackDays(rhythm); null if none.
   * Only the latest: a runner catching up after a stop runs this one, not every missed slot.
   */
  latest(db: Knex, now: number): Promise<Slot | null>;
  /**
   * The next slot due after `now` (its moment later than now), the office's change and the
   * calendar honoured (a holiday moves it on); null when the office switched it off.
   */
  next(db: Knex, now: number): Promise<Slot | null>;
  /** The job whose office change it reads (rhythmAt's `name`); undefined: none. */
  readonly job?: string;
  /** The same schedule reading the office's change of job `name` (the registry binds each job's own). */
  forJob(name: string): Schedule;
  /** The schedule as it stands with the office's change: the time, whether on, and the text (每个工作日 09:00（北京时间）). */
  current(db: Knex): Promise<{ time: string; enabled: boolean; text: string; changed: boolean }>;
}

/** A stop longer than this leaves nothing to catch up (a check of a month-old day helps nobody). */
export const LOOKBACK_DAYS = 7;

/**
 * How far back a start looks for a missed slot: a week for the daily rhythm; a weekly or monthly
 * slot is caught up within its period only (core/rhythms.ts samePeriod: the month close after a
 * stop of ten days; not last week's list, nor a reminder of a month already over).
 */
export function lookbackDays(rhythm: Rhythm): number {
  return rhythm.kind === 'workdays' || rhythm.kind === 'calendar-days' ? LOOKBACK_DAYS : rhythm.kind === 'week-first-workday' ? 14 : 35;
}

/** The moment of `date` at `time` in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiMoment(date: IsoDate, time: string): number {
  return Date.parse(`${date}T${time}:00+08:00`);
}

/** An office's change to a job's schedule (the console, `sanse jobs set`): stored in settings under SCHEDULES_KEY. */
export interface ScheduleChange {
  time?: string;
  enabled?: boolean;
}

/** The settings key of the office's changes (written by commands/set-job-schedule.ts). */
export const SCHEDULES_KEY = JOB_SCHEDULES_KEY;

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
  const textAt = (t: string) => `${rhythmText(rhythm)} ${t}（北京时间）`;
  const changeOf = async (db: Knex): Promise<ScheduleChange | undefined> =>
    name ? (await getSetting<Record<string, ScheduleChange>>(db, SCHEDULES_KEY))?.[name] : undefined;
  /** What a look at the schedule needs: the time as the office set it, the calendar, today; null while switched off. */
  const lookAt = async (db: Knex, now: number): Promise<{ at: string; cal: WorkdayCalendar; today: IsoDate } | null> => {
    const change = await changeOf(db);
    if (change?.enabled === false) return null;
    return { at: change?.time ?? time, cal: await loadCalendar(db), today: todayInShanghai(now) };
  };
  return {
    text: textAt(time),
    job: name,
    forJob: (n) => rhythmAt(rhythm, time, n),
    rhythm,
    time,
    cron: `${mm} ${hh} * * *`,
    tz: 'Asia/Shanghai',
    async latest(db, now) {
      const look = await lookAt(db, now);
      if (!look) return null;
      const { at, cal, today } = look;
      let day = today;
      for (let i = 0, n = lookbackDays(rhythm); i <= n; i++, day = addDays(day, -1)) {
        const moment = shanghaiMoment(day, at);
        if (moment <= now && isRhythmDay(rhythm, cal, day)) return samePeriod(rhythm, day, today) ? { slot: day, at: moment } : null;
      }
      return null;
    },
    async next(db, now) {
      const look = await lookAt(db, now);
      if (!look) return null;
      const { at, cal, today } = look;
      // Today's slot when its moment is still ahead, else the first rhythm day after today.
      const from = shanghaiMoment(today, at) > now ? today : addDays(today, 1);
      const day = nextRhythmDay(rhythm, cal, from);
      return day ? { slot: day, at: shanghaiMoment(day, at) } : null;
    },
    async current(db) {
      const change = await changeOf(db);
      const t = change?.time ?? time;
      return { time: t, enabled: change?.enabled !== false, text: textAt(t), changed: Boolean(change && (change.time !== undefined && change.time !== time || change.enabled === false)) };
    },
  };
}

/** Every working day (the office's calendar, core/calendar.ts) at `time` (HH:MM, Asia/Shanghai). */
export function workdaysAt(time: string, name?: string): Schedule {
  return rhythmAt({ kind: 'workdays' }, time, name);
}

/** A job's schedule reading that job's own office change, whatever name it was made with (null: none). */
export function scheduleOf(job: { name: string; schedule: Schedule | null }): Schedule | null {
  const s = job.schedule;
  return !s || s.job === job.name ? s : s.forJob(job.name);
}

// The record of each run of the daily check (table check_runs): started, then ok or failed with
// its error. A run whose process was killed never says how it ended; it is closed as
// interrupted when its process is seen gone (same host) or when it is older than any check runs.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { nowMoment } from './clock.ts';
import { RUNNER_HOST, runnerGone } from './runner-process.ts';

/** Longer than any check takes (1,000,000 people: under a minute), so an older open run is dead. */
export const STALE_RUN_MS = 60 * 60_000;


/** Closes the runs that can no longer finish; returns how many. */
export async function closeInterruptedRuns(db: Knex, now: number = Date.now()): Promise<number> {
  const open: Array<{ id: number; host: string | null; pid: number | null; started_at: string }> = await db('check_runs').whereNull('finished_at').select('id', 'host', 'pid', 'started_at');
  const staleBefore = nowMoment(now - STALE_RUN_MS);
  const dead = open.filter((r) => r.started_at < staleBefore || runnerGone(r));
  if (!dead.length) return 0;
  return db('check_runs').whereIn('id', dead.map((r) => r.id)).whereNull('finished_at').update({ finished_at: nowMoment(now), outcome: 'interrupted', error: '检查进程中途退出，本次检查未完成，未写入任何结果' });
}

export async function startCheckRun(db: Knex, date: IsoDate): Promise<number> {
  await closeInterruptedRuns(db);
  const [id] = await db('check_runs').insert({ date, started_at: nowMoment(), host: RUNNER_HOST, pid: process.pid });
  return Number(id);
}

export async function finishCheckRun(db: Knex, id: number, summary: unknown): Promise<void> {
  await db('check_runs').where({ id }).update({ finished_at: nowMoment(), outcome: 'ok', summary: JSON.stringify(summary) });
}

export async function failCheckRun(db: Knex, id: number, error: unknown): Promise<void> {
  await db('check_runs').where({ id }).update({ finished_at: nowMoment(), outcome: 'failed', error: String((error as Error)?.message ?? error).slice(0, 2000) });
}

/** A check of `date` that completed (the schedule runs a day's check once). */
export async function checkDoneOn(db: Knex, date: IsoDate): Promise<boolean> {
  return Boolean(await db('check_runs').where({ date, outcome: 'ok' }).first('id'));
}

/** The latest day with a completed check, or null: a scheduled check of an earlier day is superseded by it. */
export async function latestCheckedDate(db: Knex): Promise<IsoDate | null> {
  const r = await db('check_runs').where({ outcome: 'ok' }).max({ d: 'date' }).first();
  return (r?.d as IsoDate | null) ?? null;
}

// The runs of the job registry's slots (table job_runs, server/jobs/): one row per (job, slot),
// unique, so whichever instance inserts it first runs the slot and every other one sees the row.
// States: queued → running → ok | failed. A failed slot may be claimed again (a retry) after a
// pause and a few attempts; a run whose process died is closed as failed the way check_runs are.

import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';
import { RUNNER_HOST, runnerGone } from './runner-process.ts';
import { isDuplicateKey } from './errors.ts';
import type { JobRunState } from '../core/job-views.ts';

export type { JobRunState } from '../core/job-views.ts';

export interface JobRun {
  id: number;
  job: string;
  slot: string;
  state: JobRunState;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  result: unknown;
}

/** Longer than any job takes (the check of 1,000,000 people: under a minute), so an older open run is dead. */
export const STALE_JOB_MS = 60 * 60_000;
/** A failed slot is tried again after this pause, at most MAX_ATTEMPTS times in all. */
export const RETRY_AFTER_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 3;

/** The error of a run closed because its process died: its slot is taken again at once, no pause. */
export const INTERRUPTED = '任务进程中途退出，本次运行未完成';

function toRun(r: Record<string, any>): JobRun {
  let result: unknown = null;
  if (r.result != null) {
    try {
      result = JSON.parse(r.result);
    } catch {
      result = null;
    }
  }
  return {
    id: Number(r.id), job: r.job, slot: r.slot, state: r.state, attempts: Number(r.attempts),
    createdAt: r.created_at, startedAt: r.started_at ?? null, finishedAt: r.finished_at ?? null, error: r.error ?? null, result,
  };
}

export async function getJobRun(db: Knex, id: number): Promise<JobRun | null> {
  const r = await db('job_runs').where({ id }).first();
  return r ? toRun(r) : null;
}

export async function getSlotRun(db: Knex, job: string, slot: string): Promise<JobRun | null> {
  const r = await db('job_runs').where({ job, slot }).first();
  return r ? toRun(r) : null;
}

/**
 * Claims a slot: inserts its row as queued (the unique (job, slot) lets one caller win), or takes
 * back a failed slot for a retry when it is due one (a conditional update, again one winner).
 * `claimed` false: the slot is someone else's (queued, running, done, or failed for good).
 */
export async function claimSlot(db: Knex, job: string, slot: string, now: number = Date.now()): Promise<{ id: number; claimed: boolean }> {
  try {
    const [id] = await db('job_runs').insert({ job, slot, state: 'queued', attempts: 0, created_at: nowMoment(now), host: RUNNER_HOST, pid: process.pid });
    return { id: Number(id), claimed: true };
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
  const row = await getSlotRun(db, job, slot);
  if (!row) throw new Error(`job_runs: ${job}@${slot} vanished`);
  const retry = row.state === 'failed' && row.attempts < MAX_ATTEMPTS && (row.error === INTERRUPTED || (row.finishedAt ?? '') <= nowMoment(now - RETRY_AFTER_MS));
  if (!retry) return { id: row.id, claimed: false };
  const n = await db('job_runs').where({ id: row.id, state: 'failed', attempts: row.attempts })
    .update({ state: 'queued', finished_at: null, error: null, host: RUNNER_HOST, pid: process.pid });
  return { id: row.id, claimed: n === 1 };
}

/**
 * A run asked for by hand (the console, the CLI) of `prefix` (the check's date): the run of that
 * date still queued or running, if any (two clicks, one run); else a new slot `prefix#n`, n = the
 * finished ones + 1. Two callers at once both aim at the same n, and the unique row gives both the same run.
 */
export async function openManualRun(db: Knex, job: string, prefix: string, now: number = Date.now()): Promise<{ id: number; created: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const busy = await db('job_runs').where({ job }).whereIn('state', ['queued', 'running'])
      .andWhere((q) => q.where('slot', prefix).orWhere('slot', 'like', `${prefix}#%`)).orderBy('id').first('id');
    if (busy) return { id: Number(busy.id), created: false };
    // The finished ones only: every manual slot but the last has ended, so a caller that read no
    // busy run just before another's insert aims at that same slot and gets its run.
    const [{ n }] = await db('job_runs').where({ job }).whereIn('state', ['ok', 'failed']).andWhere('slot', 'like', `${prefix}#%`).count({ n: '*' });
    const slot = `${prefix}#${Number(n) + 1}`;
    try {
      const [id] = await db('job_runs').insert({ job, slot, state: 'queued', attempts: 0, created_at: nowMoment(now), host: RUNNER_HOST, pid: process.pid });
      return { id: Number(id), created: true };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
    const other = await getSlotRun(db, job, slot);
    if (other && (other.state === 'queued' || other.state === 'running')) return { id: other.id, created: false };
    // That run finished between our read and insert: look again.
  }
  throw new Error(`job_runs: no manual slot for ${job}@${prefix}`);
}

/** Starts a queued run; false when it is not queued any more (another worker has it, or it was closed). */
export async function startJobRun(db: Knex, id: number, now: number = Date.now()): Promise<boolean> {
  const n = await db('job_runs').where({ id, state: 'queued' })
    .update({ state: 'running', started_at: nowMoment(now), attempts: db.raw('attempts + 1'), host: RUNNER_HOST, pid: process.pid });
  return n === 1;
}

export async function finishJobRun(db: Knex, id: number, result: unknown, now: number = Date.now()): Promise<void> {
  await db('job_runs').where({ id, state: 'running' }).update({ state: 'ok', finished_at: nowMoment(now), result: JSON.stringify(result ?? null) });
}

export async function failJobRun(db: Knex, id: number, error: unknown, now: number = Date.now()): Promise<void> {
  await db('job_runs').where({ id, state: 'running' }).update({ state: 'failed', finished_at: nowMoment(now), error: String((error as Error)?.message ?? error).slice(0, 2000) });
}

/** Closes as failed the runs that can no longer finish (their process is gone, or they are older than any job); returns how many. */
export async function closeInterruptedJobRuns(db: Knex, now: number = Date.now()): Promise<number> {
  const open: Array<{ id: number; host: string | null; pid: number | null; created_at: string; started_at: string | null }> = await db('job_runs')
    .whereIn('state', ['queued', 'running']).select('id', 'host', 'pid', 'created_at', 'started_at');
  const staleBefore = nowMoment(now - STALE_JOB_MS);
  const dead = open.filter((r) => (r.started_at ?? r.created_at) < staleBefore || runnerGone(r));
  if (!dead.length) return 0;
  return db('job_runs').whereIn('id', dead.map((r) => r.id)).whereIn('state', ['queued', 'running'])
    .update({ state: 'failed', finished_at: nowMoment(now), error: INTERRUPTED });
}

/** The latest run of each job named (by id: the one made last), for the lists of jobs. */
export async function lastJobRuns(db: Knex, jobs: string[]): Promise<Map<string, JobRun>> {
  const out = new Map<string, JobRun>();
  if (!jobs.length) return out;
  const ids = db('job_runs').whereIn('job', jobs).groupBy('job').max({ id: 'id' });
  for (const r of await db('job_runs').whereIn('id', ids)) out.set(r.job, toRun(r));
  return out;
}

/** A job's runs, the latest first; `before`: only ids below it (the next page). */
export async function listJobRuns(db: Knex, job: string, o: { limit: number; before?: number | null }): Promise<JobRun[]> {
  const q = db('job_runs').where({ job });
  if (o.before) q.andWhere('id', '<', o.before);
  return (await q.orderBy('id', 'desc').limit(o.limit)).map(toRun);
}

/** How many outbox rows each run wrote, by run id (runs without rows are absent). */
export async function messageCountsOfRuns(db: Knex, runIds: number[]): Promise<Map<number, number>> {
  if (!runIds.length) return new Map();
  const rows = (await db('outbox').whereIn('job_run_id', runIds).select('job_run_id').count({ n: '*' }).groupBy('job_run_id')) as Array<{ job_run_id: number; n: number | string }>;
  return new Map(rows.map((r) => [Number(r.job_run_id), Number(r.n)]));
}

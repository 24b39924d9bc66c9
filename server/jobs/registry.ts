// The job registry: named jobs {name, schedule, run} and the one interface of their two runners
// (in-process timers, server/jobs/in-process.ts; bull repeatable jobs, server/jobs/bull.ts).
// The runners only decide when to look and where a run executes; what runs once is decided
// here and in the database: a slot runs only after its unique job_runs row was claimed.

import type { Knex } from 'knex';
import {
  claimSlot, closeInterruptedJobRuns, failJobRun, finishJobRun, getJobRun, openManualRun, startJobRun, type JobRun,
} from '../../db/job-runs.ts';
import { isLockConflict } from '../../db/errors.ts';
import { asJobRun } from '../../db/outbox.ts';
import { scheduleOf, systemClock, type Clock, type Schedule } from './schedule.ts';

export interface JobContext {
  db: Knex;
  runId: number;
  /** The slot, e.g. 2026-12-07, or 2026-12-07#2 for the second run asked for by hand. */
  slot: string;
  /** The slot without its manual suffix: what the job works on (the check's date). */
  key: string;
  /** Asked for by hand (console, CLI) rather than fallen due. */
  manual: boolean;
}

export interface Job<R = unknown> {
  name: string;
  /** What the office calls it (the console, `sanse jobs`): 每日数据检查. The name when absent. */
  title?: string;
  /** null: runs only when asked for. */
  schedule: Schedule | null;
  /**
   * The work of one slot; what it returns is kept as the run's result (JSON). The outbox rows
   * it enqueues (db/outbox.ts enqueue, in whatever command) are tagged with ctx.runId on their
   * own: the run's record lists them as what it sent.
   */
  run(ctx: JobContext): Promise<R>;
  /** The result of a run in a Chinese sentence for the console and `sanse jobs runs`. */
  summary?(result: R): string;
}

export interface JobRunner {
  readonly mode: 'in-process' | 'redis';
  /** The jobs it runs (the console and `sanse jobs` list them). */
  readonly jobs: Job[];
  /** Closes runs left open by dead processes, runs the latest missed slot of each job, then arms the schedule. */
  start(): Promise<void>;
  /** Disarms the schedule and waits for the runs executing in this process. */
  stop(): Promise<void>;
  /** What the timer or the repeatable job does when it fires: runs each job's latest due slot, if no one has. Returns the ids of the runs it made. */
  tick(): Promise<number[]>;
  /** Queues a run asked for by hand and answers at once; while one of that key is queued or running, that one. */
  enqueue(job: string, key: string): Promise<{ runId: number; created: boolean }>;
  /** A run asked for by hand, executed here, waiting for its end (the CLI). */
  runNow(job: string, key: string): Promise<JobRun>;
  /** Resolves when the runs executing in this process have ended. */
  idle(): Promise<void>;
}

export interface RunnerOptions {
  db: Knex;
  jobs: Job[];
  clock?: Clock;
  log?: (msg: string) => void;
}

export function jobNamed(jobs: Job[], name: string): Job {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`unknown job ${name}`);
  return job;
}

/** How many times a run is taken at once when its transaction lost a lock conflict. */
export const LOCK_CONFLICT_ATTEMPTS = 3;

/** The part both runners share: claiming slots and executing runs, with the runs in flight here. */
export function createExecutor(opts: RunnerOptions) {
  const { db, jobs } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? ((m: string) => console.log(m));
  const inflight = new Set<Promise<unknown>>();

  /** Executes a claimed (queued) run; nothing if it is not queued any more. Never throws: a failure is the run's. */
  async function execute(runId: number): Promise<JobRun | null> {
    const p = (async () => {
      if (!(await startJobRun(db, runId, clock.now()))) return getJobRun(db, runId);
      const row = (await getJobRun(db, runId))!;
      const job = jobNamed(jobs, row.job);
      const key = row.slot.split('#')[0];
      try {
        // A transaction the database gave up over a lock conflict (another instance's job, a user's
        // save) stored nothing: the run is taken again at once, a few times, instead of waiting for
        // the slot's retry. Jobs are idempotent, so a repeat changes nothing already done.
        let result: unknown;
        for (let attempt = 1; ; attempt++) {
          try {
            result = await asJobRun(runId, () => job.run({ db, runId, slot: row.slot, key, manual: row.slot.includes('#') }));
            break;
          } catch (e) {
            if (attempt >= LOCK_CONFLICT_ATTEMPTS || !isLockConflict(e)) throw e;
            log(`任务 ${row.job}@${row.slot} 遇到数据库锁冲突，立即重试（第 ${attempt + 1} 次）`);
          }
        }
        await finishJobRun(db, runId, result, clock.now());
      } catch (e) {
        log(`任务 ${row.job}@${row.slot} 失败：${(e as Error)?.message ?? e}`);
        await failJobRun(db, runId, e, clock.now()).catch(() => {});
      }
      return getJobRun(db, runId);
    })();
    inflight.add(p);
    try {
      return await p;
    } finally {
      inflight.delete(p);
    }
  }

  /** Claims and executes each job's latest due slot; the ids of the runs made here. */
  async function tick(): Promise<number[]> {
    const ran: number[] = [];
    for (const job of jobs) {
      // The job's own office change is read, even when its schedule was made without its name.
      const schedule = scheduleOf(job);
      if (!schedule) continue;
      try {
        const due = await schedule.latest(db, clock.now());
        if (!due) continue;
        const { id, claimed } = await claimSlot(db, job.name, due.slot, clock.now());
        if (!claimed) continue;
        await execute(id);
        ran.push(id);
      } catch (e) {
        log(`任务 ${job.name} 排程检查失败：${(e as Error)?.message ?? e}`);
      }
    }
    return ran;
  }

  return {
    db, jobs, clock, log, execute, tick,
    open: (job: string, key: string) => (jobNamed(jobs, job), openManualRun(db, job, key, clock.now())),
    closeInterrupted: () => closeInterruptedJobRuns(db, clock.now()),
    async runNow(job: string, key: string): Promise<JobRun> {
      jobNamed(jobs, job);
      const { id } = await openManualRun(db, job, key, clock.now());
      const run = await execute(id);
      // Another process's run of that key was under way: wait for its end.
      for (let r = run; ; r = await getJobRun(db, id)) {
        if (r && (r.state === 'ok' || r.state === 'failed')) return r;
        await new Promise((ok) => setTimeout(ok, 200));
      }
    },
    async idle(): Promise<void> {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
  };
}

export type Executor = ReturnType<typeof createExecutor>;

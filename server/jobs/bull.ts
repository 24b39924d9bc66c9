// With REDIS_URL: one bull repeatable job wakes the registry every minute (one worker of all
// instances gets each wake-up) and the registry decides what is due, as the in-process timer
// does: a schedule the office retimed fires at its new time with no cron to change. Runs asked for by hand go through the queue to whichever
// instance is free. The queue may deliver twice (a stalled job, a restart): the job_runs row
// decides, so a slot still runs once.

import Bull from 'bull';
import type { JobRunner, RunnerOptions } from './registry.ts';
import { createExecutor } from './registry.ts';

/**
 * The one wake-up: every minute. It also does what a 10-minute sweep did before: a failed slot
 * is claimed again once RETRY_AFTER_MS (db/job-runs.ts) has passed, and a wake-up lost while no
 * worker ran is made up by the next minute's.
 */
export const WAKE_UP = { id: 'tick', cron: '* * * * *', tz: 'Asia/Shanghai' };

type Message = { kind: 'tick'; job?: string } | { kind: 'run'; runId: number };

export interface BullRunnerOptions extends RunnerOptions {
  redisUrl: string;
  /** Queue name and key prefix (tests use a unique prefix). */
  queueName?: string;
  prefix?: string;
  /** The wake-up's cron (default WAKE_UP.cron, every minute); tests that tick by hand give one that does not fire while they run. */
  wakeUpCron?: string;
}

export function createBullRunner(opts: BullRunnerOptions): JobRunner & { queue: Bull.Queue<Message> } {
  const ex = createExecutor(opts);
  const queue = new Bull<Message>(opts.queueName ?? 'sanse-jobs', opts.redisUrl, {
    prefix: opts.prefix ?? 'bull',
    // A check of a large county blocks the loop a while; a longer lock keeps bull from calling it stalled.
    settings: { lockDuration: 5 * 60_000, maxStalledCount: 1 },
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  queue.on('error', (e) => ex.log(`任务队列错误：${e.message}`));
  let started = false;
  const wake = { ...WAKE_UP, cron: opts.wakeUpCron ?? WAKE_UP.cron };

  async function handle(m: Message): Promise<void> {
    if (m.kind === 'run') await ex.execute(Number(m.runId));
    else await ex.tick();
  }

  return {
    mode: 'redis',
    jobs: opts.jobs,
    queue,
    async start() {
      if (started) return;
      started = true;
      await queue.isReady();
      await ex.closeInterrupted();
      // The repeatable wake-up; any other (the per-job crons and the 10-minute sweep of earlier
      // versions, or the minute's at another zone) goes.
      for (const r of await queue.getRepeatableJobs()) {
        if (String(r.id ?? '') !== wake.id || r.cron !== wake.cron || r.tz !== wake.tz) await queue.removeRepeatableByKey(r.key);
      }
      await queue.add({ kind: 'tick' }, { repeat: { cron: wake.cron, tz: wake.tz }, jobId: wake.id });
      void queue.process(1, async (job) => handle(job.data)).catch((e) => ex.log(`任务队列处理停止：${e.message}`));
      // Until the worker's blocking connection is up, a close would cut it mid-connect (bull then
      // rejects a command nobody waits for); a start that returns has a worker that can stop cleanly.
      // Waited for up to 30 s: on a loaded machine the connection took over 2 s (a 2 s bound let a
      // test's stop cut it: an unhandled "Connection is closed").
      // bull marks the blocking client "initialised" when it creates it, before it has connected: the
      // wait is for every client of the queue (client, subscriber, blocking) to be ready.
      const q = queue as unknown as { bclientInitialized?: boolean; clients: { status: string }[] };
      const allReady = () => q.bclientInitialized && q.clients.length >= 3 && q.clients.every((c) => c.status === 'ready');
      for (let i = 0; i < 1500 && !allReady(); i++) await new Promise((r) => setTimeout(r, 20));
      await ex.tick();
    },
    async stop() {
      await ex.idle();
      await queue.close();
    },
    tick: ex.tick,
    async enqueue(job, key) {
      const { id, created } = await ex.open(job, key);
      if (created) await queue.add({ kind: 'run', runId: id }, { jobId: `run-${id}` });
      return { runId: id, created };
    },
    runNow: ex.runNow,
    idle: ex.idle,
  };
}

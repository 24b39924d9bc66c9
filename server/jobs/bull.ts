// With REDIS_URL: bull repeatable jobs wake the registry at each job's cron (one worker of all
// instances gets each wake-up), and runs asked for by hand go through the queue to whichever
// instance is free. The queue may deliver twice (a stalled job, a restart): the job_runs row
// decides, so a slot still runs once.

import Bull from 'bull';
import type { JobRunner, RunnerOptions } from './registry.ts';
import { createExecutor } from './registry.ts';

/** Every 10 minutes (RETRY_AFTER_MS in db/job-runs.ts). */
const SWEEP = { cron: '*/10 * * * *', tz: 'Asia/Shanghai' };

type Message = { kind: 'tick'; job: string } | { kind: 'run'; runId: number };

export interface BullRunnerOptions extends RunnerOptions {
  redisUrl: string;
  /** Queue name and key prefix (tests use a unique prefix). */
  queueName?: string;
  prefix?: string;
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

  async function handle(m: Message): Promise<void> {
    if (m.kind === 'run') await ex.execute(Number(m.runId));
    else await ex.tick();
  }

  return {
    mode: 'redis',
    queue,
    async start() {
      if (started) return;
      started = true;
      await queue.isReady();
      await ex.closeInterrupted();
      // The repeatable wake-ups: each job's at its time, and a sweep every 10 minutes for the
      // retries of failed slots and a wake-up lost while no worker ran. Those of jobs no longer
      // there (or at another time) go.
      const want = new Map(ex.jobs.filter((j) => j.schedule).map((j) => [`tick-${j.name}`, { cron: j.schedule!.cron, tz: j.schedule!.tz, job: j.name }]));
      want.set('sweep', { ...SWEEP, job: '*' });
      for (const r of await queue.getRepeatableJobs()) {
        const w = want.get(String(r.id ?? ''));
        if (!w || w.cron !== r.cron || w.tz !== r.tz) await queue.removeRepeatableByKey(r.key);
      }
      for (const [id, w] of want) await queue.add({ kind: 'tick', job: w.job }, { repeat: { cron: w.cron, tz: w.tz }, jobId: id });
      void queue.process(1, async (job) => handle(job.data)).catch((e) => ex.log(`任务队列处理停止：${e.message}`));
      // Until the worker's blocking connection is up, a close would cut it mid-connect (bull then
      // rejects a command nobody waits for); a start that returns has a worker that can stop cleanly.
      // Waited for up to 30 s: on a loaded machine the connection took over 2 s (a 2 s bound let a
      // test's stop cut it: an unhandled "Connection is closed").
      for (let i = 0; i < 1500 && !(queue as unknown as { bclientInitialized?: boolean }).bclientInitialized; i++) await new Promise((r) => setTimeout(r, 20));
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

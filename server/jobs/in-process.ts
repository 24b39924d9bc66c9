// The embedded default (no REDIS_URL): a timer in this process wakes the registry once a minute;
// runs asked for by hand execute in this process, in the background.

import type { JobRunner, RunnerOptions } from './registry.ts';
import { createExecutor } from './registry.ts';

/** How often the timer looks for a due slot: the 08:30 check starts within a minute. */
export const TICK_MS = 60_000;

export function createInProcessRunner(opts: RunnerOptions & { tickMs?: number }): JobRunner {
  const ex = createExecutor(opts);
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<unknown> | null = null;
  // One tick at a time: a check longer than the interval is not started again beside itself.
  const tick = async () => {
    if (ticking) return [];
    const p = ex.tick();
    ticking = p;
    try {
      return await p;
    } finally {
      ticking = null;
    }
  };
  return {
    mode: 'in-process',
    jobs: opts.jobs,
    async start() {
      if (timer) return;
      await ex.closeInterrupted();
      timer = setInterval(() => void tick(), opts.tickMs ?? TICK_MS);
      timer.unref();
      await tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ex.idle();
    },
    tick,
    async enqueue(job, key) {
      const { id, created } = await ex.open(job, key);
      if (created) ex.execute(id).catch((e) => opts.log?.(`任务运行记录失败：${(e as Error).message}`));
      return { runId: id, created };
    },
    runNow: ex.runNow,
    idle: ex.idle,
  };
}

// The runner for a configuration: bull with REDIS_URL, in-process timers without.

import { createBullRunner } from './bull.ts';
import { createInProcessRunner } from './in-process.ts';
import type { JobRunner, RunnerOptions } from './registry.ts';

export function createJobRunner(opts: RunnerOptions & { redisUrl?: string | null; redisPrefix?: string }): JobRunner {
  return opts.redisUrl ? createBullRunner({ ...opts, redisUrl: opts.redisUrl, prefix: opts.redisPrefix }) : createInProcessRunner(opts);
}

export type { Job, JobContext, JobRunner } from './registry.ts';

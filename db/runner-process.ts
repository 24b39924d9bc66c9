// Who runs a recorded run (a check, a job): this machine's name and this process, and whether a
// run's process is gone. A run whose process died never says how it ended; the tables that
// record runs (check_runs, job_runs) close such runs with this.

import os from 'node:os';

/** This machine, as stored beside each run (64 characters at most). */
export const RUNNER_HOST = os.hostname().slice(0, 64);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run started on this machine by another process that no longer exists. */
export function runnerGone(run: { host: string | null; pid: number | string | null }): boolean {
  return run.host === RUNNER_HOST && run.pid != null && Number(run.pid) !== process.pid && !alive(Number(run.pid));
}

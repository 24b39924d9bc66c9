// Imports run as jobs: POST /api/import stores the upload and answers at once with the job's id;
// the job reads, validates and writes in slices (db/import.ts pauses between them), so the server
// keeps answering; the console polls GET /api/import/:id for progress and the result. Jobs run
// one at a time (an import is one transaction; two at once would only wait on each other) and
// are kept in memory for an hour after they end: only their owner may read them. A job's id
// begins with its process's tag, so a poll for a job of a process that is gone (killed mid-import)
// is told the import was interrupted, not that the job has expired.

import crypto from 'node:crypto';
import type { ImportProgress, ImportResult } from '../../../db/import.ts';

export type ImportJobState = 'queued' | 'running' | 'done' | 'failed';

export interface ImportJob<R = ImportResult> {
  id: string;
  owner: string;
  fileName: string;
  state: ImportJobState;
  progress: ImportProgress;
  result?: R;
  /** A refusal or failure, in Chinese. */
  error?: string;
  /** The HTTP status the refusal would have had (400, 413). */
  status?: number;
  startedAt: number;
  endedAt?: number;
}

const KEEP_MS = 3600_000;

export class ImportJobs<R = ImportResult> {
  private readonly jobs = new Map<string, ImportJob<R>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** This process's tag: the first 8 hex digits of every job id it gives. */
  private readonly tag = crypto.randomBytes(4).toString('hex');

  /** Queues a job; `run` does the work and reports progress through the callback. */
  start(owner: string, fileName: string, run: (progress: (p: ImportProgress) => void) => Promise<R>, failure: (e: unknown) => { status: number; message: string }): ImportJob<R> {
    this.prune();
    const job: ImportJob<R> = {
      id: this.tag + crypto.randomBytes(8).toString('hex'),
      owner, fileName, state: 'queued',
      progress: { phase: 'read', read: 0, validated: 0, written: 0, total: 0 },
      startedAt: Date.now(),
    };
    this.jobs.set(job.id, job);
    const work = async () => {
      job.state = 'running';
      try {
        job.result = await run((p) => {
          job.progress = p;
        });
        job.state = 'done';
      } catch (e) {
        const f = failure(e);
        job.state = 'failed';
        job.error = f.message;
        job.status = f.status;
      } finally {
        job.endedAt = Date.now();
      }
    };
    this.queue = this.queue.then(work, work);
    return job;
  }

  /** The job, for its owner only. */
  get(id: string, owner: string): ImportJob<R> | null {
    this.prune();
    const job = this.jobs.get(id);
    return job && job.owner === owner ? job : null;
  }

  /** An id this process could have given but did not: a job of an earlier process, which died with it. */
  ofEarlierProcess(id: string): boolean {
    return /^[0-9a-f]{24}$/.test(id) && !id.startsWith(this.tag);
  }

  /** Resolves when every queued job has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    await this.queue.catch(() => {});
  }

  private prune(): void {
    const limit = Date.now() - KEEP_MS;
    for (const [id, job] of this.jobs) if (job.endedAt && job.endedAt < limit) this.jobs.delete(id);
  }
}

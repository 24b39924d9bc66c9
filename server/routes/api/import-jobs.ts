// Imports run as jobs: POST /api/import stores the upload and answers at once with the job's id;
// the job reads, validates and writes in slices (db/import.ts pauses between them), so the server
// keeps answering; the console polls GET /api/import/:id for progress and the result. Jobs run
// one at a time in their process (an import is one transaction; two at once would only wait on
// each other); only their owner may read them.
//
// Several instances (issue 17): each job is also a row of import_jobs (db/import-jobs.ts),
// written by the instance running it — created queued, its progress and a heartbeat every
// BEAT_MS, its end with the result and the error workbook's bytes — so a poll or a download that
// the load balancer sends to another instance is answered from the row. A job whose instance has
// stopped beating (or whose process on this host is gone) is told as interrupted. On SQLite (one
// process; its one writer is held by a running import's transaction) the row is written only when
// the job ends, and a job id of another process that is not stored is one that died with it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Db, isSqlite } from '../../../db/connection.ts';
import type { ImportProgress } from '../../../db/import.ts';
import type { PiiCipher } from '../../../db/pii.ts';
import { sealErrorWorkbook, beatImportJob, createImportJob, endImportJob, type ImportJobKind, type ImportJobState, type ImportJobView, instanceName, purgeImportJobs, readImportJob } from '../../../db/import-jobs.ts';

/** Error workbooks hold the uploaded ID numbers in full: kept an hour, enough to download. */
export const KEEP_ERRORS_MS = 3600_000;
/** How often the running instance writes its jobs' progress and heartbeat (MySQL). */
const BEAT_MS = 2000;
const KEEP_MS = 3600_000;

export interface ImportJob<R> {
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

/** What a poll finds: the job, or that it was interrupted, or nothing (expired, or not the caller's). */
export type ImportJobLookup = { view: ImportJobView } | { interrupted: true } | { missing: true };

export class ImportJobs<R extends { errorFile?: string }> {
  private readonly jobs = new Map<string, ImportJob<R>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** This process's tag: the first 8 hex digits of every job id it gives. */
  private readonly tag = crypto.randomBytes(4).toString('hex');
  private readonly instance = instanceName(this.tag);
  private readonly live: boolean;
  private beat: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();

  /** `present` gives the result as the console shows it (also what is stored). */
  constructor(private readonly db: Db, private readonly pii: PiiCipher, private readonly kind: ImportJobKind, private readonly present: (r: R) => unknown, private readonly log: (e: unknown, what: string) => void) {
    this.live = !isSqlite(db);
  }

  /** Queues a job; `run` does the work and reports progress through the callback. */
  async start(owner: string, fileName: string, run: (progress: (p: ImportProgress) => void) => Promise<R>, failure: (e: unknown) => { status: number; message: string }): Promise<ImportJobView> {
    this.prune();
    const job: ImportJob<R> = {
      id: this.tag + crypto.randomBytes(8).toString('hex'),
      owner, fileName, state: 'queued',
      progress: { phase: 'read', read: 0, validated: 0, written: 0, total: 0 },
      startedAt: Date.now(),
    };
    if (this.live) {
      await purgeImportJobs(this.db).catch((e) => this.log(e, 'import jobs purge failed'));
      await createImportJob(this.db, { id: job.id, kind: this.kind, fileName, owner, instance: this.instance, progress: job.progress, now: job.startedAt });
    }
    this.jobs.set(job.id, job);
    this.startBeating();
    const work = async () => {
      job.state = 'running';
      let errorFile: { name: string; bytes: Buffer; expiresAt: number } | undefined;
      let ended: 'done' | 'failed' = 'failed';
      try {
        job.result = await run((p) => {
          job.progress = p;
        });
        if (job.result.errorFile) {
          const file = job.result.errorFile;
          errorFile = { name: path.basename(file), bytes: sealErrorWorkbook(this.pii, await fs.promises.readFile(file)), expiresAt: Date.now() + KEEP_ERRORS_MS };
          await fs.promises.rm(file, { force: true });
        }
        ended = 'done';
      } catch (e) {
        const f = failure(e);
        ended = 'failed';
        job.error = f.message;
        job.status = f.status;
      }
      await this.beating;
      try {
        await endImportJob(this.db, {
          id: job.id, kind: this.kind, fileName, owner, instance: this.instance, createdAt: job.startedAt,
          state: ended, progress: job.progress, result: job.result === undefined ? undefined : this.present(job.result),
          error: job.error, status: job.status, errorFile,
        });
        if (!this.live) await purgeImportJobs(this.db);
      } catch (e) {
        this.log(e, 'import job end not stored');
      } finally {
        // Said done only once stored: a poll answered from this process must not offer an error
        // workbook that the download (which reads the stored row, on any instance) cannot find yet.
        job.state = ended;
        job.endedAt = Date.now();
      }
    };
    this.queue = this.queue.then(work, work);
    return this.view(job);
  }

  /** The job for its owner: this process's own, else the stored row of whichever instance runs it. */
  async lookup(id: string, owner: string): Promise<ImportJobLookup> {
    this.prune();
    const mine = this.jobs.get(id);
    if (mine) return mine.owner === owner ? { view: this.view(mine) } : { missing: true };
    if (!/^[0-9a-f]{24}$/.test(id)) return { missing: true };
    const stored = await readImportJob(this.db, id);
    if (stored.found) {
      if (stored.owner !== owner || stored.kind !== this.kind) return { missing: true };
      return stored.interrupted ? { interrupted: true } : { view: stored.view };
    }
    // SQLite: a job is stored when it ends; one of another process that is not is one that died with it.
    return !this.live && !id.startsWith(this.tag) ? { interrupted: true } : { missing: true };
  }

  /** Resolves when every queued job has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    await this.queue.catch(() => {});
    await this.beating;
  }

  private view(job: ImportJob<R>): ImportJobView {
    return {
      id: job.id, state: job.state, fileName: job.fileName, progress: job.progress,
      ...(job.error ? { error: job.error, status: job.status } : {}),
      ...(job.result ? { result: this.present(job.result) } : {}),
    };
  }

  private open(): ImportJob<R>[] {
    return [...this.jobs.values()].filter((j) => j.endedAt === undefined);
  }

  /** While a job of this process is queued or running: its progress and heartbeat, every BEAT_MS. */
  private startBeating(): void {
    if (!this.live || this.beat) return;
    this.beat = setInterval(() => {
      const open = this.open();
      if (!open.length) {
        clearInterval(this.beat!);
        this.beat = null;
        return;
      }
      this.beating = this.beating.then(async () => {
        for (const j of open) {
          if (j.endedAt !== undefined) continue;
          await beatImportJob(this.db, j.id, j.state, j.progress).catch((e) => this.log(e, 'import job heartbeat failed'));
        }
      });
    }, BEAT_MS);
    this.beat.unref();
  }

  private prune(): void {
    const limit = Date.now() - KEEP_MS;
    for (const [id, job] of this.jobs) if (job.endedAt && job.endedAt < limit) this.jobs.delete(id);
  }
}

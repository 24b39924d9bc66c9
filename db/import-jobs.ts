// The console's import jobs as stored (migration 028, table import_jobs): the instance running an
// import writes its row (created queued, then its progress and a heartbeat while it runs, then
// its end with the result as the console shows it and, for a file with errors, the error
// workbook's bytes); any instance reads it when a poll or a download lands there. A job still
// queued or running whose instance has not written its heartbeat for STALE_MS, or whose process
// on this host is gone, was interrupted (an import is one transaction: it wrote nothing).
// Rows are purged a day after they begin; error workbooks expire after an hour. An error workbook
// holds the upload's ID numbers in full: its bytes are stored encrypted under the PII key (SM4).

import os from 'node:os';
import type { Db } from './connection.ts';
import type { PiiCipher } from './pii.ts';

export type ImportJobKind = 'people' | 'feed';
export type ImportJobState = 'queued' | 'running' | 'done' | 'failed';

/** A job as the console sees it (GET /api/import/:id, GET /api/feeds/import/:id). */
export interface ImportJobView {
  id: string;
  state: ImportJobState;
  fileName: string;
  progress: unknown;
  error?: string;
  status?: number;
  result?: unknown;
}

/** A running instance that has not beaten for this long is taken as gone. */
export const STALE_MS = 30_000;
/** Rows of ended jobs (and anything left queued or running) are purged after a day. */
export const KEEP_JOBS_MS = 24 * 3600_000;

interface Row {
  id: string; kind: string; file_name: string; owner: string; instance: string; state: string;
  progress: string; result: string | null; error: string | null; status: number | null;
  heartbeat_at: number | string; created_at: number | string; ended_at: number | string | null;
}

/** This process's name in `instance`: host/pid/tag. */
export function instanceName(tag: string): string {
  return `${os.hostname().slice(0, 60)}/${process.pid}/${tag}`;
}

/** True when `instance` names a process on this host that no longer runs. */
function processGone(instance: string): boolean {
  const [host, pidText] = instance.split('/');
  const pid = Number(pidText);
  if (host !== os.hostname().slice(0, 60) || !Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as { code?: string }).code !== 'EPERM';
  }
}

export async function createImportJob(db: Db, j: { id: string; kind: ImportJobKind; fileName: string; owner: string; instance: string; progress: unknown; now?: number }): Promise<void> {
  const now = j.now ?? Date.now();
  await db('import_jobs').insert({
    id: j.id, kind: j.kind, file_name: j.fileName.slice(0, 128), owner: j.owner, instance: j.instance, state: 'queued',
    progress: JSON.stringify(j.progress), heartbeat_at: now, created_at: now,
  });
}

/** The running instance's progress and heartbeat. */
export async function beatImportJob(db: Db, id: string, state: ImportJobState, progress: unknown, now = Date.now()): Promise<void> {
  // Never over a job's end: a beat still in flight when the end is stored must not make it running again.
  await db('import_jobs').where({ id }).whereIn('state', ['queued', 'running']).update({ state, progress: JSON.stringify(progress), heartbeat_at: now });
}

/**
 * The job's end: its result as the console shows it, or its refusal; an error workbook's bytes
 * with their expiry. Written as a whole row when the job was never stored (SQLite: one process;
 * its rows are written only when no import holds the database's one writer).
 */
export async function endImportJob(db: Db, j: {
  id: string; kind: ImportJobKind; fileName: string; owner: string; instance: string; createdAt: number;
  state: 'done' | 'failed'; progress: unknown; result?: unknown; error?: string; status?: number;
  errorFile?: { name: string; bytes: Buffer; expiresAt: number }; now?: number;
}): Promise<void> {
  const now = j.now ?? Date.now();
  const row = {
    state: j.state, progress: JSON.stringify(j.progress), result: j.result === undefined ? null : JSON.stringify(j.result),
    error: j.error ?? null, status: j.status ?? null, heartbeat_at: now, ended_at: now,
    error_file: j.errorFile?.name ?? null, error_bytes: j.errorFile?.bytes ?? null, errors_expire_at: j.errorFile?.expiresAt ?? null,
  };
  await db.transaction(async (trx) => {
    const n = await trx('import_jobs').where({ id: j.id }).update(row);
    if (!n) {
      await trx('import_jobs').insert({
        ...row, id: j.id, kind: j.kind, file_name: j.fileName.slice(0, 128), owner: j.owner, instance: j.instance, created_at: j.createdAt,
      });
    }
  });
}

export type StoredImportJob =
  | { found: false }
  | { found: true; owner: string; kind: ImportJobKind; interrupted: boolean; view: ImportJobView };

/** A stored job; `interrupted` when it never ended and its instance has stopped beating. */
export async function readImportJob(db: Db, id: string, now = Date.now()): Promise<StoredImportJob> {
  const r = (await db('import_jobs').where({ id }).first('id', 'kind', 'file_name', 'owner', 'instance', 'state', 'progress', 'result', 'error', 'status', 'heartbeat_at', 'created_at', 'ended_at')) as Row | undefined;
  if (!r) return { found: false };
  const state = r.state as ImportJobState;
  const open = state === 'queued' || state === 'running';
  const interrupted = open && (Number(r.heartbeat_at) < now - STALE_MS || processGone(r.instance));
  return {
    found: true, owner: r.owner, kind: r.kind as ImportJobKind, interrupted,
    view: {
      id: r.id, state, fileName: r.file_name, progress: JSON.parse(r.progress),
      ...(r.error !== null ? { error: r.error, status: r.status ?? undefined } : {}),
      ...(r.result !== null ? { result: JSON.parse(r.result) } : {}),
    },
  };
}

/** An error workbook's bytes as stored: SM4 under the PII key (PiiCipher.encrypt of their base64). */
export function sealErrorWorkbook(pii: PiiCipher, bytes: Buffer): Buffer {
  return Buffer.from(pii.encrypt(bytes.toString('base64')), 'utf8');
}

/** An error workbook by its served name, while it has not expired (and its key is still known). */
export async function readImportErrorFile(db: Db, pii: PiiCipher, name: string, now = Date.now()): Promise<{ owner: string; fileName: string; bytes: Buffer } | null> {
  const r = (await db('import_jobs').where({ error_file: name }).first('owner', 'file_name', 'error_bytes', 'errors_expire_at')) as
    { owner: string; file_name: string; error_bytes: Buffer | null; errors_expire_at: number | string | null } | undefined;
  if (!r || !r.error_bytes || r.errors_expire_at === null || Number(r.errors_expire_at) <= now) return null;
  let bytes: Buffer;
  try {
    bytes = Buffer.from(pii.decrypt(Buffer.from(r.error_bytes).toString('utf8')), 'base64');
  } catch {
    return null;
  }
  return { owner: r.owner, fileName: r.file_name, bytes };
}

/** Drops expired error workbooks' bytes and the rows of jobs older than a day. */
export async function purgeImportJobs(db: Db, now = Date.now()): Promise<void> {
  await db('import_jobs').where('errors_expire_at', '<=', now).update({ error_bytes: null, errors_expire_at: null });
  await db('import_jobs').where('created_at', '<', now - KEEP_JOBS_MS).delete();
}

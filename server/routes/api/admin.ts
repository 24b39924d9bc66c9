// The office's console actions: import a workbook (POST /api/import, multipart field `file`:
// answered at once with a job id; GET /api/import/:id for its progress and result, from any
// instance: import-jobs.ts), fetch its error workbook (GET /api/import/errors/:name, the importing
// user only, audited; its bytes are kept in the database an hour), and queue the
// daily check now (POST /api/check, polled at GET /api/check/runs/:id).

import crypto from 'node:crypto';
import { audit, shareAuditKey } from '../../../db/audit.ts';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DateInputError, validCheckDate } from '../../../core/dates.ts';
import { IMPORT_LIMITS, importData, ImportRefused, type ImportResult } from '../../../db/import.ts';
import { type Db, isSqlite, openDb } from '../../../db/connection.ts';
import { checkZip } from '../../../db/import-read.ts';
import { ADMIN_ROLES } from '../../../core/roles.ts';
import { getJobRun } from '../../../db/job-runs.ts';
import { DAILY_CHECK } from '../../jobs/daily-check.ts';
import { ApiError, contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';
import { ImportJobs, KEEP_ERRORS_MS } from './import-jobs.ts';
import { purgeImportJobs, readImportErrorFile } from '../../../db/import-jobs.ts';
import type { ImportProgress } from '../../../db/import.ts';
import type { ImportJobView } from '../../../db/import-jobs.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

const MAX_UPLOAD = IMPORT_LIMITS.uploadBytes;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Error workbooks are named by the server: 32 hex digits. Nothing else is ever served. */
const ERROR_NAME = /^[0-9a-f]{32}\.xlsx$/;
/** An answer lists this many errors; the error workbook has them all. */
const ERRORS_SHOWN = 1000;

/** The uploaded file's name as kept (it becomes the source of every version: 导入：name): no path, no odd characters. */
export function safeUploadName(raw: string | undefined): string {
  const base = path.basename(String(raw ?? '').replace(/\\/g, '/')).normalize('NFC');
  const clean = base.replace(/[^\p{L}\p{N}._\-() （）]/gu, '_').replace(/^\.+/, '').slice(-100);
  return clean || 'upload.xlsx';
}


/** A process id from an upload folder's name (upload-<pid>-XXXXXX), or null for older names. */
function uploadPid(name: string): number | null {
  const m = /^upload-(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes error workbooks left on the disk older than `keepMs` (a job stores its workbook in the
 * database and removes the file; one killed between the two leaves it), and upload folders left
 * behind by a process that is gone (a crash mid-import) or older than a day.
 */
export async function sweepImportFiles(workDir: string, errorsDir: string, keepMs = KEEP_ERRORS_MS): Promise<void> {
  const now = Date.now();
  for (const name of await fs.promises.readdir(errorsDir).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{32}\.(xlsx|owner\.json)$/.test(name)) continue;
    const file = path.join(errorsDir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat && stat.mtimeMs < now - keepMs) await fs.promises.rm(file, { force: true });
  }
  for (const name of await fs.promises.readdir(workDir).catch(() => [] as string[])) {
    if (!name.startsWith('upload-')) continue;
    const dir = path.join(workDir, name);
    const pid = uploadPid(name);
    const stat = await fs.promises.stat(dir).catch(() => null);
    if (!stat?.isDirectory()) continue;
    if (pid === null || !isAlive(pid) || stat.mtimeMs < now - 24 * 3600_000) await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** A folder only the server's user can enter, also when it existed before. */
export async function privateDir(dir: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.promises.chmod(dir, 0o700);
}

/** An upload received and checked: the file's kept name, what to import (a folder holding a CSV file, or the workbook) and its error workbook's path. */
export interface ReceivedUpload {
  name: string;
  source: string;
  errorOut: string;
  remove: () => Promise<void>;
}

/**
 * Receives the multipart field `file` of an import (the main workbook or a feed) into a private
 * upload folder: an .xlsx workbook or a .csv file (imported as a folder holding it alone), cut
 * uploads refused whole, a file that is no workbook or a zip bomb refused at once. Anything
 * refused leaves nothing behind.
 */
export async function receiveUpload(req: FastifyRequest, o: {
  workDir: string; errorsDir: string; zipLimits: Parameters<typeof checkZip>[1];
  typeMessage: string; tooLargeMessage: string; csvFolder: (name: string) => string;
}): Promise<ReceivedUpload> {
  if (!req.isMultipart()) throw new ApiError(400, '请以 multipart/form-data 上传文件（字段 file）');
  const part = await req.file();
  if (!part || part.fieldname !== 'file') {
    part?.file.resume();
    throw new ApiError(400, '请选择要导入的文件（字段 file）', { file: '缺少文件' });
  }
  const name = safeUploadName(part.filename);
  const ext = path.extname(name).toLowerCase();
  if (ext !== '.xlsx' && ext !== '.csv') {
    part.file.resume();
    throw new ApiError(400, o.typeMessage, { file: '文件类型不支持' });
  }
  await fs.promises.mkdir(o.workDir, { recursive: true });
  await privateDir(o.errorsDir);
  await sweepImportFiles(o.workDir, o.errorsDir);
  const dir = await fs.promises.mkdtemp(path.join(o.workDir, `upload-${process.pid}-`));
  const remove = () => fs.promises.rm(dir, { recursive: true, force: true });
  try {
    const folder = ext === '.csv' ? path.join(dir, o.csvFolder(name)) : dir;
    await fs.promises.mkdir(folder, { recursive: true, mode: 0o700 });
    const file = path.join(folder, name);
    const tooLarge = () => new ApiError(413, o.tooLargeMessage);
    try {
      await pipeline(part.file, fs.createWriteStream(file, { mode: 0o600 }));
    } catch (e) {
      if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) throw tooLarge();
      throw e;
    }
    // The multipart reader stops at the limit and marks the stream truncated without an error:
    // a cut file is refused whole, never imported.
    if (part.file.truncated) throw tooLarge();
    // A file that is no workbook, or a zip bomb, is refused at once (the central directory is small).
    if (ext === '.xlsx') await checkZip(file, o.zipLimits).catch((e) => {
      throw e instanceof ImportRefused ? new ApiError(400, e.message) : e;
    });
    const errorOut = path.join(o.errorsDir, `${crypto.randomBytes(16).toString('hex')}.xlsx`);
    return { name, source: ext === '.csv' ? folder : file, errorOut, remove };
  } catch (e) {
    await remove();
    throw e;
  }
}

/**
 * Runs an import of a received upload as a job of `jobs`: on SQLite through a connection of its
 * own (an import holds its transaction for a while; the app's reads, sessions and progress polls,
 * go on meanwhile: WAL readers do not wait for the writer); the error workbook, if any, is stored
 * with the job (the importing user's only); the upload is removed whatever happens.
 */
export async function startImportJob<R extends { errorFile?: string }>(jobs: ImportJobs<R>, req: FastifyRequest, db: Db, userId: string, upload: ReceivedUpload,
  run: (db: Db, progress: (p: ImportProgress) => void) => Promise<R>): Promise<ImportJobView> {
  return jobs.start(userId, upload.name, async (progress) => {
    const own = isSqlite(db) ? openDb(`sqlite:${(db.client.config.connection as { filename: string }).filename}`) : null;
    if (own) shareAuditKey(db, own);
    try {
      return await run(own ?? db, progress);
    } finally {
      await own?.destroy();
      await upload.remove();
    }
  }, (e) => {
    if (!(e instanceof ImportRefused)) req.log.error({ err: e }, 'import failed');
    return { status: 400, message: (e as Error).message };
  }).catch(async (e) => {
    // The job could not be stored (the database refused): nothing runs, nothing is left behind.
    await upload.remove();
    throw e;
  });
}

export const INTERRUPTED = '该导入任务已中断：导入期间服务重启过。导入是全有或全无的，本次导入未写入任何数据，请重新导入该文件';
export const NO_SUCH_JOB = '没有该导入任务（可能已过期，或不是您发起的）';

/** A poll's answer: the job, or a 404 saying it was interrupted (it wrote nothing) or is unknown. */
export async function pollImportJob<R extends { errorFile?: string }>(jobs: ImportJobs<R>, id: string, owner: string): Promise<ImportJobView> {
  const found = await jobs.lookup(id, owner);
  // An import is one transaction: one whose process died wrote nothing.
  if ('interrupted' in found) throw new ApiError(404, INTERRUPTED);
  if ('missing' in found) throw new ApiError(404, NO_SUCH_JOB);
  return found.view;
}

function resultView(r: ImportResult) {
  return {
    ok: r.ok,
    errors: r.errors.slice(0, ERRORS_SHOWN),
    errorCount: r.errors.length,
    notices: r.notices,
    counts: r.counts,
    ...(r.errorFile ? { errorFile: `/api/import/errors/${path.basename(r.errorFile)}` } : {}),
  };
}

export const adminRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, pii } = deps;
  const errorsDir = path.join(deps.workDir, 'import-errors');
  const jobs = new ImportJobs<ImportResult>(db, pii, 'people', resultView, (err, what) => app.log.error({ err }, what));
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD, files: 1, fields: 5, parts: 6 } });
  // Leftovers of an earlier run: uploads of a crashed import, expired error workbooks, old jobs.
  await sweepImportFiles(deps.workDir, errorsDir);
  await purgeImportJobs(db);
  app.addHook('onClose', async () => {
    await jobs.idle();
  });

  app.post('/api/import', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以导入数据');
    requireCityLevel(user, '数据导入');
    const upload = await receiveUpload(req, {
      workDir: deps.workDir, errorsDir, zipLimits: IMPORT_LIMITS,
      typeMessage: '只能导入 .xlsx 工作簿或 .csv 文件（CSV 文件名应为工作表名，如“人员.csv”）',
      tooLargeMessage: `文件过大，最大 ${MAX_UPLOAD / 1024 / 1024} MB。请拆分后分批导入`,
      // The folder carries the file's name for the versions' source.
      csvFolder: (name) => name,
    });
    const job = await startImportJob(jobs, req, db, user.id, upload, (into, progress) => importData(into, pii, upload.source, { by: user.id, today: deps.today(), errorOut: upload.errorOut, onProgress: progress, fileName: upload.name, ip: req.ip }));
    return reply.code(202).send(job);
  });

  app.get('/api/import/:id', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES);
    requireCityLevel(user, '数据导入');
    return pollImportJob(jobs, (req.params as { id: string }).id, user.id);
  });

  app.get('/api/import/errors/:name', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES);
    requireCityLevel(user, '数据导入');
    const name = (req.params as { name: string }).name;
    const gone = () => new ApiError(404, '没有该错误说明文件（可能已过期，请重新导入）');
    if (!ERROR_NAME.test(name)) throw gone();
    // Kept with its job in the database, whichever instance ran the import.
    const meta = await readImportErrorFile(db, pii, name);
    if (!meta) throw gone();
    // Only the user who imported may download it (it holds the full ID numbers of the upload).
    if (meta.owner !== user.id) {
      await audit(db, user.id, 'import_errors_refused', 'import', null, { file: name }, { ip: req.ip });
      throw gone();
    }
    // Written before the file leaves: no download without its audit row.
    await audit(db, user.id, 'download_import_errors', 'import', null, { file: name, source: meta.fileName ?? null }, { ip: req.ip });
    return reply
      .header('Content-Type', XLSX)
      .header('Content-Disposition', contentDisposition('导入错误说明.xlsx', 'import-errors.xlsx'))
      .header('Cache-Control', 'no-store')
      .send(meta.bytes);
  });

  // The check is queued (server/jobs/): the answer comes at once with the run's id, the console
  // polls GET /api/check/runs/:id. While a check of that date is queued or running, its run.
  app.post('/api/check', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以立即运行检查');
    requireCityLevel(user, '立即检查');
    const body = (req.body ?? {}) as { date?: unknown };
    const today = deps.today();
    // A real day within the window around today (core/dates.ts CHECK_WINDOW); never wider here:
    // only the command line's --force goes further. Refused before anything is written.
    let date = today;
    if (body.date !== undefined && body.date !== null) {
      try {
        date = validCheckDate(body.date, today);
      } catch (e) {
        if (e instanceof DateInputError) throw new ApiError(400, e.message, { date: e.message });
        throw e;
      }
    }
    const { runId, created } = await deps.jobs.enqueue(DAILY_CHECK, date);
    if (created) await audit(db, user.id, 'check_run', 'job', null, { date, runId }, { ip: req.ip });
    return reply.code(202).send({ runId, date, created });
  });

  app.get('/api/check/runs/:id', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以查看检查进度');
    requireCityLevel(user, '检查进度');
    const id = Number((req.params as { id: string }).id);
    const run = Number.isSafeInteger(id) && id > 0 ? await getJobRun(db, id) : null;
    if (!run || run.job !== DAILY_CHECK) throw new ApiError(404, '没有该检查记录');
    return {
      runId: run.id, date: run.slot.split('#')[0], state: run.state, startedAt: run.startedAt, finishedAt: run.finishedAt,
      ...(run.state === 'ok' ? { summary: run.result } : {}),
      ...(run.state === 'failed' ? { error: run.error } : {}),
    };
  });
};

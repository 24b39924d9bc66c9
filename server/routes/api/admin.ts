// The office's console actions: import a workbook (POST /api/import, multipart field `file`), fetch
// its error workbook (GET /api/import/errors/:name), and run the daily check now (POST /api/check).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { DateInputError, validCheckDate } from '../../../core/dates.ts';
import { importData } from '../../../db/import.ts';
import { ADMIN_ROLES } from '../../../core/roles.ts';
import { dailyCheck } from '../../../commands/daily-check.ts';
import { ApiError, contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';

const MAX_UPLOAD = 20 * 1024 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Error workbooks are named by the server: 32 hex digits. Nothing else is ever served. */
const ERROR_NAME = /^[0-9a-f]{32}\.xlsx$/;

/** The uploaded file's name as kept (it becomes the source of every version: 导入：name): no path, no odd characters. */
export function safeUploadName(raw: string | undefined): string {
  const base = path.basename(String(raw ?? '').replace(/\\/g, '/')).normalize('NFC');
  const clean = base.replace(/[^\p{L}\p{N}._\-() （）]/gu, '_').replace(/^\.+/, '').slice(-100);
  return clean || 'upload.xlsx';
}

/** Error workbooks are kept a day: enough to download, not a pile of personal data. */
const KEEP_ERRORS_MS = 24 * 3600_000;

async function pruneOld(dir: string, olderThanMs: number): Promise<void> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
  const limit = Date.now() - olderThanMs;
  for (const name of names) {
    if (!ERROR_NAME.test(name)) continue;
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat && stat.mtimeMs < limit) await fs.promises.rm(file, { force: true });
  }
}

export const adminRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, pii } = deps;
  const errorsDir = path.join(deps.workDir, 'import-errors');
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD, files: 1, fields: 5, parts: 6 } });

  app.post('/api/import', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以导入数据');
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
      throw new ApiError(400, '只能导入 .xlsx 工作簿或 .csv 文件（CSV 文件名应为工作表名，如“人员.csv”）', { file: '文件类型不支持' });
    }
    await fs.promises.mkdir(deps.workDir, { recursive: true });
    await pruneOld(errorsDir, KEEP_ERRORS_MS);
    const dir = await fs.promises.mkdtemp(path.join(deps.workDir, 'upload-'));
    try {
      // A CSV file is imported as a folder holding it; the folder carries the file's name for the versions' source.
      const folder = ext === '.csv' ? path.join(dir, name) : dir;
      await fs.promises.mkdir(folder, { recursive: true });
      const file = path.join(folder, name);
      try {
        await pipeline(part.file, fs.createWriteStream(file));
      } catch (e) {
        if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) throw new ApiError(413, `文件过大（最大 ${MAX_UPLOAD / 1024 / 1024} MB）`);
        throw e;
      }
      const errorName = `${crypto.randomBytes(16).toString('hex')}.xlsx`;
      let result;
      try {
        result = await importData(db, pii, ext === '.csv' ? folder : file, { by: user.id, today: deps.today(), errorOut: path.join(errorsDir, errorName) });
      } catch (e) {
        throw new ApiError(400, (e as Error).message);
      }
      return {
        ok: result.ok,
        errors: result.errors,
        notices: result.notices,
        counts: result.counts,
        ...(result.errorFile ? { errorFile: `/api/import/errors/${errorName}` } : {}),
      };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/api/import/errors/:name', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES);
    const name = (req.params as { name: string }).name;
    if (!ERROR_NAME.test(name)) throw new ApiError(404, '没有该错误说明文件');
    const file = path.join(errorsDir, name);
    const stat = await fs.promises.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new ApiError(404, '没有该错误说明文件（可能已过期，请重新导入）');
    return reply
      .header('Content-Type', XLSX)
      .header('Content-Disposition', contentDisposition('导入错误说明.xlsx', 'import-errors.xlsx'))
      .header('Cache-Control', 'no-store')
      .send(fs.createReadStream(file));
  });

  app.post('/api/check', async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以立即运行检查');
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
    const summary = await dailyCheck(db, date, deps.config.publicBaseUrl);
    deps.kick();
    return summary;
  });
};

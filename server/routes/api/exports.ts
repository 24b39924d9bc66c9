// The console's data exports and the empty import template: GET /api/export/data (units and
// people in one workbook: ID numbers masked, or with ?fullIds=1 full, for FULL_ID_ROLES only,
// one audit row per export with its count) and GET /api/template (the dictionary's workbook).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { FULL_ID_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { exportWorkbook, writeTemplate } from '../../../db/export.ts';
import { audit } from '../../../db/store.ts';
import { ApiError, contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const exportRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  /** Writes a workbook into the work folder, streams it and removes it once sent. */
  async function sendFile(reply: FastifyReply, write: (file: string) => Promise<unknown>, name: string, fallback: string) {
    await fs.promises.mkdir(deps.workDir, { recursive: true });
    const file = path.join(deps.workDir, `export-${crypto.randomBytes(12).toString('hex')}.xlsx`);
    try {
      await write(file);
    } catch (e) {
      await fs.promises.rm(file, { force: true });
      throw e;
    }
    const stream = fs.createReadStream(file);
    stream.on('close', () => void fs.promises.rm(file, { force: true }));
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(name, fallback)).header('Cache-Control', 'no-store').send(stream);
  }

  app.get('/api/export/data', async (req, reply) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '只有编办用户可以导出机构和人员数据');
    const q = req.query as { fullIds?: string };
    const fullIds = q.fullIds === '1' || q.fullIds === 'true';
    if (fullIds && !FULL_ID_ROLES.has(user.role)) {
      await audit(db, user.id, 'full_id_refused', 'person', null, { role: user.role, via: 'export' }, { ip: req.ip });
      throw new ApiError(403, '您的角色无权导出完整身份证号');
    }
    const today = deps.today();
    // exportWorkbook writes the audit row (with the count) before the file exists.
    const name = `机构和人员${fullIds ? '-完整身份证号' : '-脱敏'}-${today}.xlsx`;
    return sendFile(reply, (file) => exportWorkbook(db, 'all', file, { today, fullIds, pii: deps.pii, by: user.id, via: 'console', unitIds: user.scope ?? undefined, fileName: name, ip: req.ip }),
      name, `data-${today}.xlsx`);
  });

  app.get('/api/template', async (req, reply) => {
    requireRole(userOf(req), OFFICE_ROLES, '只有编办用户可以下载导入模板');
    return sendFile(reply, (file) => writeTemplate(file), '三色导入模板.xlsx', 'sanse-template.xlsx');
  });
};

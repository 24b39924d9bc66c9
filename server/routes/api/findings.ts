// GET /api/findings (the list, in scope, red first then newest) and GET /api/export/findings
// (the same filters as an .xlsx).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyPluginAsync } from 'fastify';
import { exportWorkbook } from '../../../db/export.ts';
import { unitById } from '../../../db/units.ts';
import { FULL_ID_ROLES } from '../../../core/roles.ts';
import { withFixes } from './fixes.ts';
import { ApiError, contentDisposition, findingFilter, isCountyOffice, queryFindings, userOf, withBirthMismatch, type ApiDeps } from './common.ts';

const LIGHT_TEXT = { red: '红灯', yellow: '黄灯', green: '绿灯', hint: '提示' } as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const findingRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/findings', async (req) => {
    const user = userOf(req);
    const f = await findingFilter(db, user, req.query as Record<string, unknown>, { defaultLimit: 500, maxLimit: 5000 });
    return withFixes(await withBirthMismatch(db, await queryFindings(db, f, deps.today()), FULL_ID_ROLES.has(user.role)), user.role);
  });

  app.get('/api/export/findings', async (req, reply) => {
    const user = userOf(req);
    const f = await findingFilter(db, user, req.query as Record<string, unknown>, { defaultLimit: 1, maxLimit: 1_000_000 });
    // The export is limited by unit id (with the units below it): a unit role without a filter gets its own unit.
    const unitId = f.unit ? Number(f.unit.id) : user.scope === null ? null : user.unitId;
    if (isCountyOffice(user) && unitId == null) throw new ApiError(400, '区县编办请先选择本区县的一个单位，再导出其问题清单', { unit: '请选择单位' });
    if (user.scope !== null && unitId == null) throw new ApiError(403, '您的账号未关联单位，无法导出');
    const unitName: string | null = f.unit?.name ?? (unitId == null ? null : ((await unitById(db, unitId, ['name']))?.name ?? null));
    const today = deps.today();
    const file = path.join(deps.workDir, `export-${crypto.randomBytes(12).toString('hex')}.xlsx`);
    await fs.promises.mkdir(deps.workDir, { recursive: true });
    const name = `问题清单-${unitName ?? '全部单位'}-${today}.xlsx`;
    try {
      await exportWorkbook(db, 'findings', file, { unitId: unitId ?? undefined, status: f.status, today, by: user.id, via: 'console', fileName: name, ip: req.ip });
      if (f.rule || f.light) await keepRows(file, f.rule, f.light ? LIGHT_TEXT[f.light] : undefined);
    } catch (e) {
      await fs.promises.rm(file, { force: true });
      throw e;
    }
    const stream = fs.createReadStream(file);
    stream.on('close', () => void fs.promises.rm(file, { force: true }));
    return reply
      .header('Content-Type', XLSX)
      .header('Content-Disposition', contentDisposition(name, `findings-${today}.xlsx`))
      .header('Cache-Control', 'no-store')
      .send(stream);
  });
};

/** The rule and light filters the export itself does not take: rows not matching are dropped. */
async function keepRows(file: string, rule: string | undefined, lightText: string | undefined): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('问题清单');
  if (!ws) return;
  for (let r = ws.rowCount; r >= 2; r--) {
    const row = ws.getRow(r);
    const ok = (!rule || row.getCell(1).value === rule) && (!lightText || row.getCell(8).value === lightText);
    if (!ok) ws.spliceRows(r, 1);
  }
  await wb.xlsx.writeFile(file);
}

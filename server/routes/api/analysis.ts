// The quarterly analysis report and the AI drafts (server/API.md): GET /api/reports/quarterly.docx
// and .pdf?quarter=, GET and PUT /api/analysis/:kind/:period, POST /api/analysis/:kind/:period/draft.
// Office roles read; 编办管理员 and 编办业务人员 draft and save (the commands check both).

import type { FastifyPluginAsync } from 'fastify';
import { draftAnalysis, getAnalysis, saveAnalysis } from '../../../commands/draft-analysis.ts';
import { quarterlyReportFile, type ReportFormat } from '../../../commands/quarterly-report.ts';
import { OFFICE_ROLES } from '../../../core/roles.ts';
import { contentDisposition, requireRole, userOf, type ApiDeps } from './common.ts';
import { audit } from '../../../db/audit.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

export const analysisRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const llm = () => deps.config.llm ?? null;

  for (const format of ['docx', 'pdf'] as ReportFormat[]) {
    app.get(`/api/reports/quarterly.${format}`, async (req, reply) => {
      const user = userOf(req);
      requireRole(user, OFFICE_ROLES, '季度分析报告仅限编办人员查看');
      requireCityLevel(user, '季度分析报告');
      const quarter = (req.query as Record<string, unknown>).quarter;
      const r = await quarterlyReportFile({ db, actor: user.id, quarter, format, llm: llm() });
      await audit(db, user.id, 'export', 'report', null, { kind: 'quarterly', file: r.fileName, quarter: r.report.quarter.id, via: 'console' }, { ip: req.ip });
      return reply.header('Content-Type', r.contentType).header('Content-Disposition', contentDisposition(r.fileName, `quarterly-${r.report.quarter.id}.${format}`))
        .header('Cache-Control', 'no-store').send(r.body);
    });
  }

  app.get('/api/analysis/:kind/:period', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '大模型分析仅限编办人员查看');
    requireCityLevel(user, '大模型分析');
    const { kind, period } = req.params as { kind: string; period: string };
    return { draft: await getAnalysis(db, user.id, kind, period), llmConfigured: Boolean(llm()) };
  });

  app.put('/api/analysis/:kind/:period', async (req) => {
    const user = userOf(req);
    requireCityLevel(user, '大模型分析');
    const { kind, period } = req.params as { kind: string; period: string };
    return { draft: await saveAnalysis(db, { actor: user.id, kind, period, text: (req.body as Record<string, unknown> | null)?.text }) };
  });

  app.post('/api/analysis/:kind/:period/draft', async (req) => {
    const user = userOf(req);
    requireCityLevel(user, '大模型分析');
    const { kind, period } = req.params as { kind: string; period: string };
    const replace = (req.body as Record<string, unknown> | null)?.replace !== false;
    return draftAnalysis(db, { actor: user.id, kind, period, llm: llm(), replace });
  });
};

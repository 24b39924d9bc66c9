// The annual reports (server/API.md): GET /api/reports/annual?year= (the year's figures per unit,
// for the console's 年度报表 page; no year: the latest year with data, defaultAnnualYear), GET /api/reports/annual.xlsx?year= (编制使用决算报表; office
// roles) and GET /api/reports/unit-annual.docx|.xlsx?year=&unit= (a unit's draft 机构编制报告;
// office roles, and unit roles for the units in their scope). The commands check roles and scope.

import type { FastifyPluginAsync } from 'fastify';
import { annualReportFile, annualReportTable, unitAnnualReportFile, type UnitReportFormat } from '../../../commands/annual-report.ts';
import { treeOrder } from '../../../core/annual-report.ts';
import { contentDisposition, userOf, type ApiDeps } from './common.ts';

export const annualRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;
  const q = (req: { query: unknown }) => req.query as Record<string, unknown>;

  app.get('/api/reports/annual', async (req) => {
    const user = userOf(req);
    const t = await annualReportTable({ db, actor: user.id, year: q(req).year, today: deps.today() });
    const byUnit = new Map<number, { approvedEnd: number; actualEnd: number; vacantEnd: number; overEnd: number; entered: number; recorded: number; exited: number }>();
    for (const r of t.rows) {
      const s = byUnit.get(r.unitId) ?? { approvedEnd: 0, actualEnd: 0, vacantEnd: 0, overEnd: 0, entered: 0, recorded: 0, exited: 0 };
      s.recorded += r.recorded;
      s.approvedEnd += r.approvedEnd; s.actualEnd += r.actualEnd; s.vacantEnd += r.vacantEnd; s.overEnd += r.overEnd; s.entered += r.entered; s.exited += r.exited;
      byUnit.set(r.unitId, s);
    }
    const depth = new Map(treeOrder(t.units).map((o) => [o.unit.id, o.depth]));
    const total = t.totalRows.find((r) => r.kind === '全部') ?? null;
    return {
      year: t.year, asOf: t.asOf, ended: t.ended, historyFrom: t.historyFrom,
      total: total && { approvedStart: total.approvedStart, actualStart: total.actualStart, quotaRecorded: total.quotaRecorded, quotaUp: total.quotaUp, quotaDown: total.quotaDown, approvedEnd: total.approvedEnd, actualEnd: total.actualEnd, vacantEnd: total.vacantEnd, overEnd: total.overEnd, entered: total.entered, recorded: total.recorded, exited: total.exited },
      units: t.units.map((u) => ({ id: u.id, name: u.name, sector: u.sector, parentId: u.parentId, depth: depth.get(u.id) ?? null, ...(byUnit.get(u.id) ?? { approvedEnd: 0, actualEnd: 0, vacantEnd: 0, overEnd: 0, entered: 0, recorded: 0, exited: 0 }) })),
    };
  });

  app.get('/api/reports/annual.xlsx', async (req, reply) => {
    const user = userOf(req);
    const r = await annualReportFile({ db, actor: user.id, year: q(req).year, today: deps.today(), via: 'console', ip: req.ip });
    return reply.header('Content-Type', r.contentType).header('Content-Disposition', contentDisposition(r.fileName, `annual-${r.table.year}.xlsx`))
      .header('Cache-Control', 'no-store').send(r.body);
  });

  for (const format of ['docx', 'xlsx'] as UnitReportFormat[]) {
    app.get(`/api/reports/unit-annual.${format}`, async (req, reply) => {
      const user = userOf(req);
      const r = await unitAnnualReportFile({ db, actor: user.id, year: q(req).year, unitId: q(req).unit, today: deps.today(), via: 'console', ip: req.ip, format });
      return reply.header('Content-Type', r.contentType).header('Content-Disposition', contentDisposition(r.fileName, `unit-annual-${r.table.year}-${r.table.units[0].id}.${format}`))
        .header('Cache-Control', 'no-store').send(r.body);
    });
  }
};

// 年度编制使用预算 (server/API.md "Annual budget"): the office's list of a year and its .xlsx (预算报表),
// the opening of a year's round and the 催办; a unit's budget form, its draft, submission and the
// office's review. Thin over commands/open-budget-round.ts, commands/save-budget.ts and
// commands/budget-views.ts.

import type { FastifyPluginAsync } from 'fastify';
import { budgetWorkbook, officeBudgetList, pendingBudgets, unitBudgetView } from '../../../commands/budget-views.ts';
import { openBudgetRound, remindBudgets } from '../../../commands/open-budget-round.ts';
import { reviewBudget, saveBudget } from '../../../commands/save-budget.ts';
import { nowMoment } from '../../../db/clock.ts';
import { audit } from '../../../db/store.ts';
import { ApiError, contentDisposition, unitInScope, userOf, type ApiDeps } from './common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const yearQuery = { type: 'object', properties: { year: { type: 'string', maxLength: 8 } }, additionalProperties: false } as const;
const unitParams = { type: 'object', properties: { unit: { type: 'string', maxLength: 64 } }, required: ['unit'] } as const;
const yearField = { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }] } as const;
const line = {
  type: 'object',
  properties: {
    kind: { type: 'string', maxLength: 32 },
    addRecruit: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    addTransfer: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    addMilitary: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    addOther: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    retire: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    otherOut: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }, { type: 'null' }] },
    retireReason: { type: ['string', 'null'], maxLength: 1000 },
    note: { type: ['string', 'null'], maxLength: 1000 },
  },
  additionalProperties: false,
} as const;
const saveBody = {
  type: 'object',
  properties: { year: yearField, version: { type: ['integer', 'null'] }, lines: { type: 'array', maxItems: 20, items: line } },
  required: ['year', 'lines'],
  additionalProperties: false,
} as const;

/** A year parameter: four digits, absent → undefined; 400 naming the field. */
function yearParam(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v).trim();
  if (!/^\d{4}$/.test(s)) throw new ApiError(400, '预算年度须为四位数年份，例如 2027', { year: '须为四位数年份' });
  return Number(s);
}

export const budgetRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/budgets', { schema: { querystring: yearQuery } }, async (req) => {
    return officeBudgetList(db, userOf(req), { year: yearParam((req.query as { year?: string }).year), today: deps.today() });
  });

  app.get('/api/budgets/export', { schema: { querystring: yearQuery } }, async (req, reply) => {
    const user = userOf(req);
    const list = await officeBudgetList(db, user, { year: yearParam((req.query as { year?: string }).year), today: deps.today() });
    if (!list.round) throw new ApiError(409, '尚未开启任何年度的编制使用预算填报，没有可导出的预算报表');
    const buf = Buffer.from(await budgetWorkbook(list, { by: user.name ?? user.id, at: nowMoment() }).xlsx.writeBuffer());
    await audit(db, user.id, 'budget.export', 'budget', null, { year: list.round.year, units: list.rows.length }, { ip: req.ip });
    const y = list.round.year;
    return reply.header('Content-Type', XLSX).header('Content-Disposition', contentDisposition(`${y}年度编制使用预算报表.xlsx`, `budget-${y}.xlsx`)).header('Cache-Control', 'no-store').send(buf);
  });

  app.post('/api/budgets/rounds', {
    schema: { body: { type: 'object', properties: { year: yearField, dueOn: { type: 'string', maxLength: 32 } }, required: ['year', 'dueOn'], additionalProperties: false } },
  }, async (req) => {
    const b = req.body as { year: unknown; dueOn: unknown };
    const r = await openBudgetRound(db, { actor: userOf(req), year: b.year, dueOn: b.dueOn, today: deps.today(), publicBaseUrl: deps.config.publicBaseUrl });
    deps.kick();
    return r;
  });

  app.post('/api/budgets/remind', {
    schema: { body: { type: 'object', properties: { year: yearField }, additionalProperties: false } },
  }, async (req) => {
    const r = await remindBudgets(db, { date: deps.today(), publicBaseUrl: deps.config.publicBaseUrl, year: yearParam((req.body as { year?: unknown } | undefined)?.year), actor: userOf(req) });
    deps.kick();
    return r;
  });

  app.get('/api/budgets/pending', async (req) => {
    const user = userOf(req);
    return pendingBudgets(db, { role: user.role, unitId: user.unitId ?? null }, deps.today());
  });

  app.get('/api/budgets/units/:unit', { schema: { params: unitParams, querystring: yearQuery } }, async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    return unitBudgetView(db, user, Number(unit.id), { year: yearParam((req.query as { year?: string }).year), today: deps.today() });
  });

  // 保存草稿 (PUT) and 提交 (POST …/submit): the same body.
  for (const [method, url, submit] of [['PUT', '/api/budgets/units/:unit', false], ['POST', '/api/budgets/units/:unit/submit', true]] as const) {
    app.route({
      method, url, schema: { params: unitParams, body: saveBody },
      handler: async (req) => {
        const user = userOf(req);
        const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
        const b = req.body as { year: unknown; lines: unknown; version?: unknown };
        return saveBudget(db, { actor: user, unitId: Number(unit.id), year: b.year, lines: b.lines, version: b.version, submit, today: deps.today() });
      },
    });
  }

  app.post('/api/budgets/units/:unit/review', {
    schema: {
      params: unitParams,
      body: { type: 'object', properties: { year: yearField, action: { type: 'string', maxLength: 16 }, reason: { type: ['string', 'null'], maxLength: 2000 }, version: { type: 'integer' } }, required: ['year', 'action'], additionalProperties: false },
    },
  }, async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const b = req.body as { year: unknown; action: unknown; reason?: unknown; version?: unknown };
    const r = await reviewBudget(db, { actor: user, unitId: Number(unit.id), year: b.year, action: b.action, reason: b.reason, version: b.version, publicBaseUrl: deps.config.publicBaseUrl });
    deps.kick();
    return r;
  });
};

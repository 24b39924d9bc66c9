// 已说明差异 (server/API.md "Explained differences"): GET /api/explanations (the mappings in the
// user's scope, by state: active, due for review, withdrawn, all), POST /api/explanations (mark
// an open cross-system finding as explained, with reason and evidence), POST
// /api/explanations/:id/withdraw and /review, GET /api/explanations/:id/evidence (the uploaded
// file). Marking, withdrawing and reviewing are the office's (commands/explain-difference.ts).

import type { FastifyPluginAsync } from 'fastify';
import { explainDifference, MAX_EVIDENCE_BYTES, reviewExplanation, withdrawExplanation } from '../../../commands/explain-difference.ts';
import { explanationEvidence, listExplanations, type ExplanationFilter } from '../../../db/explanations.ts';
import { ApiError, contentDisposition, inScope, scopeIds, userOf, type ApiDeps } from './common.ts';

const idParam = (req: { params: unknown }): number => {
  const id = Number((req.params as { id?: string }).id);
  if (!Number.isInteger(id) || id < 1) throw new ApiError(404, '没有该已说明差异');
  return id;
};
const bodyOf = (req: { body: unknown }): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
const STATES: readonly string[] = ['active', 'due', 'withdrawn', 'all'];

export const explanationRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/explanations', {
    schema: { querystring: { type: 'object', properties: { state: { type: 'string' } } } },
  }, async (req) => {
    const user = userOf(req);
    const state = (req.query as { state?: string }).state ?? 'active';
    if (!STATES.includes(state)) throw new ApiError(400, 'state 应为 active、due、withdrawn 或 all', { state: '取值无效' });
    const today = deps.today();
    const items = await listExplanations(db, { filter: state as ExplanationFilter, unitIds: scopeIds(user), today });
    const due = (await listExplanations(db, { filter: 'due', unitIds: scopeIds(user), today })).length;
    return { state, today, due, items };
  });

  app.post('/api/explanations', { bodyLimit: MAX_EVIDENCE_BYTES * 2 + 8192 }, async (req, reply) => {
    const user = userOf(req);
    const b = bodyOf(req);
    const findingId = Number(b.findingId);
    if (!Number.isInteger(findingId) || findingId < 1) throw new ApiError(400, '请指明要说明的问题', { findingId: '取值无效' });
    const file = b.evidenceFile && typeof b.evidenceFile === 'object' ? (b.evidenceFile as { name?: unknown; data?: unknown }) : null;
    const r = await explainDifference(db, { actor: user, findingId, reason: b.reason, reasonText: b.reasonText, evidenceNo: b.evidenceNo, evidenceFile: file, today: deps.today() });
    deps.kick();
    return reply.code(201).send(r);
  });

  app.post('/api/explanations/:id/withdraw', async (req) => {
    return withdrawExplanation(db, { actor: userOf(req), id: idParam(req), reason: bodyOf(req).reason });
  });

  app.post('/api/explanations/:id/review', async (req) => {
    return reviewExplanation(db, { actor: userOf(req), id: idParam(req), today: deps.today() });
  });

  app.get('/api/explanations/:id/evidence', async (req, reply) => {
    const user = userOf(req);
    const e = await explanationEvidence(db, idParam(req));
    if (!e) throw new ApiError(404, '没有该已说明差异');
    if (!inScope(user, e.unitId)) throw new ApiError(403, '超出您的数据范围');
    if (!e.data) throw new ApiError(404, '该已说明差异没有上传依据文件');
    return reply.header('Content-Type', 'application/octet-stream').header('Content-Disposition', contentDisposition(e.fileName ?? '依据文件', 'evidence.bin'))
      .header('Cache-Control', 'no-store').header('X-Content-Type-Options', 'nosniff').send(e.data);
  });
};

// Staffing requests (server/API.md "Requests"): list, one with its steps, submit, resubmit,
// 初审, 终审, withdraw, and a unit's 可用 by 编制类型 and 领导职数 for the form. Thin over commands/;
// refusals are answered 409 (the facts forbid it: `reasons`) or 422 (the request is malformed:
// `fields`), with the Chinese sentence in `error`.

import type { FastifyPluginAsync } from 'fastify';
import { isRequestState, requestIdOf } from '../../../core/requests.ts';
import { decideRequest } from '../../../commands/decide-request.ts';
import { listRequests, readView, requestInScope, type RequestDeps } from '../../../commands/request-effects.ts';
import { reviewRequest } from '../../../commands/review-request.ts';
import { resubmitRequest, submitRequest } from '../../../commands/submit-request.ts';
import { withdrawRequest } from '../../../commands/withdraw-request.ts';
import { peopleOnQuota, unitAvailability } from '../../../db/requests.ts';
import { ApiError, unitInScope, userOf, type ApiDeps } from './common.ts';

const idParam = (req: { params: unknown }): number => {
  const id = requestIdOf(String((req.params as { id?: string }).id ?? ''));
  if (id === null) throw new ApiError(404, '没有该申请');
  return id;
};

const bodyOf = (req: { body: unknown }): Record<string, unknown> => {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ApiError(400, '请求内容应为 JSON 对象');
  return b as Record<string, unknown>;
};

export const requestRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const rdeps = (): RequestDeps => ({ db: deps.db, pii: deps.pii, today: deps.today(), publicBaseUrl: deps.config.publicBaseUrl });

  app.get('/api/requests', async (req) => {
    const user = userOf(req);
    const q = req.query as { state?: string; unit?: string };
    if (q.state !== undefined && !isRequestState(q.state)) throw new ApiError(400, 'state 应为 submitted、returned、reviewed、approved、rejected、withdrawn、expired 之一');
    const unitId = q.unit !== undefined ? Number((await unitInScope(deps.db, user, q.unit)).id) : undefined;
    return listRequests(deps.db, user, { state: q.state, unitId });
  });

  app.get('/api/requests/:id', async (req) => {
    const user = userOf(req);
    const id = idParam(req);
    await requestInScope(deps.db, user, id);
    return readView(deps.db, id);
  });

  app.post('/api/requests', async (req, reply) => {
    const r = await submitRequest(rdeps(), { actor: { ...userOf(req), ip: req.ip }, request: bodyOf(req) });
    deps.kick();
    return reply.code(201).send(r);
  });

  app.post('/api/requests/:id/resubmit', async (req) => {
    const b = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const r = await resubmitRequest(rdeps(), { actor: { ...userOf(req), ip: req.ip }, id: idParam(req), request: b.request, comment: typeof b.comment === 'string' ? b.comment : null });
    deps.kick();
    return r;
  });

  app.post('/api/requests/:id/review', async (req) => {
    const b = bodyOf(req);
    const version = typeof b.version === 'number' ? b.version : undefined;
    const r = await reviewRequest(rdeps(), { actor: { ...userOf(req), ip: req.ip }, id: idParam(req), decision: b.decision as 'pass', comment: b.comment, version });
    deps.kick();
    return r;
  });

  app.post('/api/requests/:id/decide', async (req, reply) => {
    const b = bodyOf(req);
    const r = await decideRequest(rdeps(), { actor: { ...userOf(req), ip: req.ip }, id: idParam(req), decision: b.decision as 'approve', comment: b.comment });
    deps.kick();
    if (r.outcome === 'already') return reply.code(409).send({ error: r.message, outcome: r.outcome, request: r.request });
    return { outcome: r.outcome, request: r.request, effect: r.effect, recheck: r.recheck, registrationForm: r.registrationForm };
  });

  app.post('/api/requests/:id/withdraw', async (req) => {
    const b = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    return withdrawRequest(rdeps(), { actor: { ...userOf(req), ip: req.ip }, id: idParam(req), comment: b.comment });
  });

  app.get('/api/units/:unit/availability', async (req) => {
    const user = userOf(req);
    const unit = await unitInScope(deps.db, user, (req.params as { unit: string }).unit);
    const q = req.query as { people?: string };
    const people = q.people === '1' ? { people: await peopleOnQuota(deps.db, Number(unit.id)) } : {};
    return { unit: { id: Number(unit.id), code: unit.code, name: unit.name }, ...(await unitAvailability(deps.db, Number(unit.id), deps.today())), ...people };
  });
};

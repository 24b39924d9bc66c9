// The approval card in the sandbox, through the routes /sandbox uses, on the real database
// (SQLite, or MariaDB with SANSE_TEST_DB=mysql): the buttons and comment box only for a viewer
// whose private data says canDecide; 同意 through /sandbox/press with the comment; the card
// re-rendered from the answer (and the update for the other leader's copy).

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../main/app.ts';
import { startPlatform, type PlatformRuntime } from '../../main/platform.ts';
import { approvalFixture, type ApprovalFixture } from '../bot/approval-fixture.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { startApp, type ApiTestApp } from './helpers.ts';

let a: ApiTestApp;
let runtime: PlatformRuntime;
let app: FastifyInstance;
let fx: ApprovalFixture;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

beforeAll(async () => {
  a = await startApp({ seed: false });
  fx = await approvalFixture(a.t);
  runtime = await startPlatform(a.ctx.config, a.t.db, { receive: true, pii: a.t.pii });
  app = await buildApp(a.ctx, runtime);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  await a?.close();
});

const page = async (c: string, as: string) => (await app.inject({ method: 'GET', url: `/sandbox?c=${encodeURIComponent(c)}&as=${as}` })).body;
const cardOf = (html: string, id: number) => {
  const i = html.indexOf(`data-card="request:${id}"`);
  expect(i).toBeGreaterThan(-1);
  return html.slice(i, html.indexOf('</div></div>', html.indexOf('在小程序中查看', i)));
};

describe(`approval card in the sandbox (${TEST_DB_KIND})`, () => {
  it('shows the buttons to the 分管领导 only; 同意 with a comment through /sandbox/press updates the card for both leaders', async () => {
    const r = await fx.reviewed();
    await runtime.dispatcher.drain({ timeoutMs: 5000 });
    const mine = cardOf(await page('user:lead1', 'lead1'), r.id);
    expect(mine).toContain('待终审');
    expect(mine).toContain('data-testid="approval-form"');
    expect(mine).toContain('name="comment"');
    expect(mine).toContain('value="approve"');
    expect(mine).toContain('value="reject"');
    // Someone else looking at the same card: no buttons (public canDecide false).
    expect(cardOf(await page('user:lead1', 'clerk'), r.id)).not.toContain('approval-form');

    const res = await app.inject({ method: 'POST', url: '/sandbox/press', headers: FORM, payload: new URLSearchParams({ cardId: `request:${r.id}`, actionId: 'approve', comment: '同意，沙箱审批', as: 'lead1', conversation: 'user:lead1' }).toString() });
    expect(res.statusCode).toBe(302);
    expect(decodeURIComponent(res.headers.location as string)).toMatch(/notice=已同意：老周\d+已出编/);
    expect((await a.t.db('staffing_requests').where({ id: r.id }).first('status')).status).toBe('approved');
    expect(await a.t.db('request_steps').where({ request_id: r.id, decision: 'approve' }).select('by', 'comment')).toEqual([{ by: 'lead1', comment: '同意，沙箱审批' }]);

    await runtime.dispatcher.drain({ timeoutMs: 5000 });
    const after = cardOf(await page('user:lead1', 'lead1'), r.id);
    expect(after).toContain('已批准');
    expect(after).toContain('意见：同意，沙箱审批');
    expect(after).not.toContain('approval-form');
    expect(after).toMatch(/data-testid="approval-notice">已同意：/);
    const other = cardOf(await page('user:lead2', 'lead2'), r.id);
    expect(other).toContain('已批准');
    expect(other).not.toContain('approval-form');
    expect(other).not.toContain('approval-notice');

    // Pressed again (a stale page): told who decided, nothing twice.
    const again = await app.inject({ method: 'POST', url: '/sandbox/press', headers: FORM, payload: new URLSearchParams({ cardId: `request:${r.id}`, actionId: 'reject', comment: '', as: 'lead2', conversation: 'user:lead2' }).toString() });
    expect(decodeURIComponent(again.headers.location as string)).toMatch(/notice=该申请已由张主任于.+终审（已批准），无需重复操作/);
    expect(await a.t.db('request_steps').where({ request_id: r.id }).whereIn('decision', ['approve', 'reject'])).toHaveLength(1);
  });
});

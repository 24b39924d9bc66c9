// The approval card on Zheng-Ding (no card callbacks confirmed), on the real database (SQLite, or
// MariaDB with SANSE_TEST_DB=mysql), against the local fake gateway: each 分管领导 gets an
// action_card work notification whose button opens the request in the mini-app; the card's
// update once decided sends nothing (the mini-app shows it), the requester is told 1:1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZhengDingPlatform, type ZhengDingPlatform } from '../../bot/zhengding/adapter.ts';
import { decideRequest } from '../../commands/decide-request.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../db/helpers.ts';
import { approvalFixture, BASE, type ApprovalFixture } from '../bot/approval-fixture.ts';
import { startFakeGateway, type FakeGateway } from './fake-gateway.ts';

let gw: FakeGateway;
let platform: ZhengDingPlatform;
let t: TestDb;
let fx: ApprovalFixture;
const log = { warn: () => {}, info: () => {} };

beforeAll(async () => {
  gw = await startFakeGateway();
  t = await createTestDb();
  fx = await approvalFixture(t);
  platform = createZhengDingPlatform({ apiBase: gw.url, appKey: 'zwdd-key', appSecret: 'zwdd-secret', tenantId: '196729', ip: '59.202.1.2', mac: '00:16:3E:00:00:01' }, log);
});
afterAll(async () => {
  await platform?.stop();
  await gw?.close();
  await t?.close();
});

const param = (r: { params: Array<[string, string]> }, k: string) => r.params.find(([key]) => key === k)?.[1];

describe(`approval card on Zheng-Ding (${TEST_DB_KIND})`, () => {
  it('a work notification to the 分管领导 with an action_card that opens the request in the mini-app; the decided card sends nothing, the requester is told', async () => {
    const r = await fx.reviewed();
    const [create] = await fx.outbox(r.id, 'createCard');
    await platform.deliver(create.delivery, create.dedupKey);
    const calls = gw.to('/message/workNotification');
    expect(calls).toHaveLength(1);
    expect(param(calls[0], 'receiverIds')).toBe('lead1,lead2');
    expect(param(calls[0], 'bizMsgId')).toBe(create.dedupKey);
    const msg = JSON.parse(param(calls[0], 'msg')!);
    expect(msg.msgtype).toBe('action_card');
    expect(msg.action_card).toMatchObject({ title: '减人出编审批', single_title: '在小程序中审批', single_url: `${BASE}/m/#/requests/${r.id}` });
    expect(msg.action_card.markdown).toContain('退休');

    const d = await decideRequest(fx.deps, { actor: { id: 'lead1', role: '分管领导', scope: null }, id: r.id, decision: 'approve', comment: '同意' });
    expect(d.outcome).toBe('decided');
    const [update] = await fx.outbox(r.id, 'updateCard');
    await platform.deliver(update.delivery, update.dedupKey); // resolves: not a failed delivery
    expect(gw.requests).toHaveLength(1);
    const [told] = await fx.outbox(r.id, 'send');
    await platform.deliver(told.delivery, told.dedupKey);
    const last = gw.to('/message/workNotification').at(-1)!;
    expect(param(last, 'receiverIds')).toBe('spec');
    expect(param(last, 'msg')).toContain('同意');
  });
});

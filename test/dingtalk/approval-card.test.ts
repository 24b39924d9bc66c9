// The approval card through the DingTalk adapter, on the real database (SQLite, or MariaDB with
// SANSE_TEST_DB=mysql): created 1:1 for each 分管领导 with private `canDecide` and Stream
// callbacks; 同意 / 不同意 frames over the local Stream gateway answered within the ack with the
// decided card (no update API call inside the callback); duplicates, races, the form shape and
// clickers who may not decide; the update for everyone afterwards through the outbox.

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDingTalkPlatform, type DingTalkPlatform } from '../../bot/dingtalk/adapter.ts';
import { TOPIC_CARD } from '../../bot/dingtalk/stream.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../db/helpers.ts';
import { approvalFixture, BASE, TODAY, type ApprovalFixture } from '../bot/approval-fixture.ts';
import { FakeDingTalk, sleep, waitFor } from './fake-dingtalk.ts';

const CREATE = '/v1.0/card/instances/createAndDeliver';
const CARD = '/v1.0/card/instances';

let fake: FakeDingTalk;
let platform: DingTalkPlatform;
let t: TestDb;
let fx: ApprovalFixture;
let kicks = 0;
const ackSentAt = new Map<string, number>();
const logs: string[] = [];
const log = { info: (m: string) => void logs.push(`info ${m}`), warn: (m: string) => void logs.push(`warn ${m}`) };

beforeAll(async () => {
  fake = await FakeDingTalk.start();
  t = await createTestDb();
  fx = await approvalFixture(t);
  vi.spyOn(console, 'info').mockImplementation(() => {});
  platform = createDingTalkPlatform({
    clientId: fake.clientId, clientSecret: fake.clientSecret, robotCode: 'robot-1', apiBase: fake.base, oapiBase: fake.base,
    cardTemplates: { alert: 'tpl-alert', approval: 'tpl-approval' },
  }, log, { stream: { backoff: { baseMs: 20, capMs: 400, stableAfterMs: 60_000 }, drainMs: 300, random: () => 1 } });
  await platform.start(recordingHandler(t.db, businessHandler(t.db, { today: () => TODAY, kick: () => void kicks++, requests: { pii: t.pii, publicBaseUrl: BASE } }), log));
  await waitFor(() => fake.liveConnections === 1 && !!platform.stream?.isOpen, 'a live stream connection');
  // When the adapter hands each ack to the socket: the fake, in this process, may read it later
  // (on SQLite a re-check running after the ack keeps the event loop busy, see the 300 people test).
  const stream = platform.stream!;
  const send = stream.socketCallBackResponse.bind(stream);
  stream.socketCallBackResponse = (messageId: string, response: unknown) => {
    if (!ackSentAt.has(messageId)) ackSentAt.set(messageId, Date.now());
    return send(messageId, response);
  };
});
afterAll(async () => {
  await platform?.stop();
  await fake?.close();
  await t?.close();
  vi.restoreAllMocks();
});

/** A card callback frame as DingTalk sends it for a click on the 1:1 approval card. */
function click(requestId: number, userId: string, cardPrivateData: object, messageId?: string): string {
  return fake.sendCallback(TOPIC_CARD, {
    outTrackId: `request:${requestId}`, userId, corpId: 'ding-corp', type: 'actionCallback', spaceType: 'IM_ROBOT', spaceId: userId, userIdType: 1,
    content: JSON.stringify({ cardPrivateData }),
  }, messageId);
}

type Answer = { response: { cardData?: { cardParamMap: Record<string, string> }; userPrivateData?: { cardParamMap: Record<string, string> } } };
/** Sends a click and waits for its ack: the answer and how long from frame out to ack in (ms). */
async function answered(requestId: number, userId: string, cardPrivateData: object, timeoutMs = 5000): Promise<{ id: string; answer: Answer; ms: number }> {
  const at = Date.now();
  const id = click(requestId, userId, cardPrivateData);
  await waitFor(() => fake.acksFor(id).length === 1, `ack of ${id}`, timeoutMs);
  const ack = fake.acksFor(id)[0];
  return { id, answer: ack.data as Answer, ms: (ackSentAt.get(id) ?? ack.at) - at };
}

const stateOf = async (id: number) => (await t.db('staffing_requests').where({ id }).first('status')).status;
const finalSteps = async (id: number) => t.db('request_steps').where({ request_id: id }).whereIn('decision', ['approve', 'reject']).select('decision', 'by', 'comment');
const timings: string[] = [];

describe(`approval card on DingTalk (${TEST_DB_KIND})`, () => {
  it('is created 1:1 in each 分管领导\'s robot chat with callbacks over Stream and canDecide in their private data', async () => {
    const r = await fx.reviewed();
    const [create] = await fx.outbox(r.id, 'createCard');
    await platform.deliver(create.delivery, create.dedupKey);
    const calls = fake.calls(CREATE, 'POST');
    expect(calls).toHaveLength(1);
    const body = calls[0].body as Record<string, any>;
    expect(body).toMatchObject({
      cardTemplateId: 'tpl-approval',
      outTrackId: `request:${r.id}`,
      callbackType: 'STREAM',
      openSpaceId: 'dtv1.card//IM_ROBOT.lead1;IM_ROBOT.lead2',
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'robot-1' },
      privateData: { lead1: { cardParamMap: { canDecide: 'true' } }, lead2: { cardParamMap: { canDecide: 'true' } } },
    });
    expect(Object.keys(body.privateData)).toEqual(['lead1', 'lead2']);
    expect(body.cardData.cardParamMap).toMatchObject({ status: 'pending', statusText: '待终审', canDecide: 'false', decidedBy: '', url: `${BASE}/m/#/requests/${r.id}` });
    for (const v of Object.values(body.cardData.cardParamMap)) expect(typeof v).toBe('string');
    // The template to import into DingTalk's card builder names exactly the variables sent.
    const template = JSON.parse(fs.readFileSync(new URL('../../cards/templates/approval.card.json', import.meta.url), 'utf8')) as { variables: Array<{ name: string; data?: string }> };
    const scoped = (s: string) => template.variables.filter((v) => (v.data ?? 'public').split(',').includes(s)).map((v) => v.name).sort();
    expect(scoped('public')).toEqual(Object.keys(body.cardData.cardParamMap).sort());
    expect(scoped('private')).toEqual(['canDecide', 'notice']);
  });

  it('同意 with a comment: the ack carries the approved card, the request is approved once, the effect applied; the update for everyone goes through the outbox', async () => {
    const r = await fx.reviewed();
    const putsBefore = fake.calls(CARD, 'PUT').length;
    const rechecksBefore = Number((await t.db('unit_rechecks').where({ unit_id: fx.unitId }).whereNotNull('finished_at').count({ n: '*' }).first())!.n);
    const { id, answer, ms } = await answered(r.id, 'lead1', { actionIds: ['approve'], params: { comment: '同意，按程序办理' } });
    timings.push(`approve ${ms} ms`);
    expect(ms).toBeLessThan(1500);
    expect(answer.response.cardData?.cardParamMap).toMatchObject({ status: 'approved', statusText: '已批准', decidedBy: '张主任', comment: '同意，按程序办理', canDecide: 'false' });
    expect(answer.response.cardData?.cardParamMap.resultText).toContain('意见：同意，按程序办理');
    expect(answer.response.userPrivateData?.cardParamMap).toEqual({ canDecide: 'false', notice: expect.stringMatching(/^已同意：老周\d+已出编（退休，2026-11-20）$/) });
    // No update API call from inside the callback.
    expect(fake.calls(CARD, 'PUT')).toHaveLength(putsBefore);

    expect(await stateOf(r.id)).toBe('approved');
    expect(await finalSteps(r.id)).toEqual([{ decision: 'approve', by: 'lead1', comment: '同意，按程序办理' }]);
    expect(await t.db('people').where({ id_hash: r.personHash }).first('status', 'exit_reason')).toEqual({ status: '已出编', exit_reason: '退休' });
    // The unit's re-check runs after the answer, not inside it; the outbox is kicked after it too.
    for (let i = 0; Number((await t.db('unit_rechecks').where({ unit_id: fx.unitId }).whereNotNull('finished_at').count({ n: '*' }).first())!.n) <= rechecksBefore; i++) {
      if (i > 200) throw new Error('no re-check after the ack');
      await sleep(50);
    }
    expect(kicks).toBeGreaterThanOrEqual(2);

    // The re-delivered frame (same messageId): the same card answered again, nothing decided twice.
    fake.redeliver(id);
    await waitFor(() => fake.acksFor(id).length === 2, 'second ack', 5000);
    const again = fake.acksFor(id)[1].data as Answer;
    expect(again.response.cardData?.cardParamMap).toMatchObject({ status: 'approved', decidedBy: '张主任' });
    expect(again.response.userPrivateData?.cardParamMap).toEqual({ canDecide: 'false', notice: expect.stringMatching(/^该申请已由张主任于\d{4}-\d\d-\d\d \d\d:\d\d:\d\d终审（已批准），无需重复操作$/) });
    expect(await finalSteps(r.id)).toHaveLength(1);
    expect(await t.db('record_versions').where({ source: `审批：${r.no}` })).toHaveLength(1);

    // Afterwards, through the outbox: one card update (the same data for the clicker's copy and
    // the other leader's, buttons gone for both) and the requester's 1:1 outcome.
    const updates = await fx.outbox(r.id, 'updateCard');
    expect(updates).toHaveLength(1);
    expect((await fx.outbox(r.id, 'send')).map((s) => s.delivery)).toEqual([expect.objectContaining({ target: { kind: 'users', userIds: ['spec'] } })]);
    await platform.deliver(updates[0].delivery, updates[0].dedupKey);
    const put = fake.calls(CARD, 'PUT').at(-1)!.body as Record<string, any>;
    expect(put).toEqual({
      outTrackId: `request:${r.id}`,
      cardData: { cardParamMap: answer.response.cardData!.cardParamMap },
      privateData: { lead1: { cardParamMap: { canDecide: 'false' } }, lead2: { cardParamMap: { canDecide: 'false' } } },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    });
  });

  it('two leaders at once: one decision; the other is told who decided when, on the card', async () => {
    const r = await fx.reviewed();
    const ats = Date.now();
    const a = click(r.id, 'lead1', { actionIds: ['approve'], params: { comment: '同意' } });
    const b = click(r.id, 'lead2', { actionIds: ['reject'], params: { comment: '暂缓' } });
    await waitFor(() => fake.acksFor(a).length === 1 && fake.acksFor(b).length === 1, 'both acks', 5000);
    timings.push(`race ${Math.max(fake.acksFor(a)[0].at, fake.acksFor(b)[0].at) - ats} ms (both answered)`);
    const steps = await finalSteps(r.id);
    expect(steps).toHaveLength(1);
    const [won, lost] = steps[0].by === 'lead1' ? [a, b] : [b, a];
    const wonAns = fake.acksFor(won)[0].data as Answer;
    const lostAns = fake.acksFor(lost)[0].data as Answer;
    const state = await stateOf(r.id);
    expect(state).toBe(steps[0].decision === 'approve' ? 'approved' : 'rejected');
    expect(wonAns.response.userPrivateData?.cardParamMap.notice).toMatch(/^已(不)?同意/);
    const who = steps[0].by === 'lead1' ? '张主任' : '赵主任';
    expect(lostAns.response.userPrivateData?.cardParamMap).toEqual({ canDecide: 'false', notice: expect.stringMatching(new RegExp(`^该申请已由${who}于.+终审（${state === 'approved' ? '已批准' : '未批准'}），无需重复操作$`)) });
    expect(lostAns.response.cardData?.cardParamMap).toEqual(wonAns.response.cardData?.cardParamMap);
    expect(await fx.outbox(r.id, 'updateCard')).toHaveLength(1);
  });

  it('the form component\'s shape (actionIds ["form"], params.form {comment, action}) decides the same way', async () => {
    const r = await fx.reviewed();
    const { answer, ms } = await answered(r.id, 'lead2', { actionIds: ['form'], params: { form: { comment: '表单提交的意见', action: 'approve' } } });
    timings.push(`approve (form) ${ms} ms`);
    expect(answer.response.cardData?.cardParamMap).toMatchObject({ status: 'approved', decidedBy: '赵主任', comment: '表单提交的意见' });
    expect(await finalSteps(r.id)).toEqual([{ decision: 'approve', by: 'lead2', comment: '表单提交的意见' }]);
  });

  it('不同意 with a comment: rejected, nothing changes for the person', async () => {
    const r = await fx.reviewed();
    const { answer, ms } = await answered(r.id, 'lead2', { actionIds: ['reject'], params: { comment: '材料不全，暂不同意' } });
    timings.push(`reject ${ms} ms`);
    expect(answer.response.cardData?.cardParamMap).toMatchObject({ status: 'rejected', decidedBy: '赵主任', comment: '材料不全，暂不同意', canDecide: 'false' });
    expect(answer.response.userPrivateData?.cardParamMap).toEqual({ canDecide: 'false', notice: '已不同意' });
    expect(await stateOf(r.id)).toBe('rejected');
    expect(await t.db('people').where({ id_hash: r.personHash }).first('status')).toEqual({ status: '在编' });
  });

  it('a clicker who is not a 分管领导 is refused on the card, and nothing is decided', async () => {
    const r = await fx.reviewed();
    for (const who of ['clerk', 'spec']) {
      const { answer } = await answered(r.id, who, { actionIds: ['approve'], params: { comment: '我来批' } });
      expect(answer.response.cardData).toBeUndefined();
      expect(answer.response.userPrivateData?.cardParamMap).toEqual({ notice: expect.stringMatching(/分管领导/) });
    }
    const { answer } = await answered(r.id, 'stranger', { actionIds: ['approve'], params: {} });
    expect(answer.response.userPrivateData?.cardParamMap).toEqual({ notice: '您尚未开通“三色”使用权限，请联系本地编办。' });
    expect(await stateOf(r.id)).toBe('reviewed');
    expect(await finalSteps(r.id)).toHaveLength(0);
  });

  it('同意 in a unit of 300 more people: answered well within 2 seconds; the unit\'s re-check (seconds long) runs after the ack', async () => {
    await fx.grow(300);
    const r = await fx.reviewed();
    const done = async () => Number((await t.db('unit_rechecks').where({ unit_id: fx.unitId }).whereNotNull('finished_at').count({ n: '*' }).first())!.n);
    const before = await done();
    const at = Date.now();
    const { answer, ms } = await answered(r.id, 'lead1', { actionIds: ['approve'], params: {} }, 120_000);
    expect(answer.response.cardData?.cardParamMap.status).toBe('approved');
    while ((await done()) <= before) await sleep(50);
    timings.push(`approve in a unit of ${await t.db('people').where({ unit_id: fx.unitId, status: '在编' }).count({ n: '*' }).first().then((x) => x!.n)} people ${ms} ms (its re-check done ${Date.now() - at} ms after the frame)`);
    expect(ms).toBeLessThan(1800);
  }, 180_000);

  it('prints the callback timings', async () => {
    await sleep(10);
    console.log(`approval callback, frame out → ack sent (${TEST_DB_KIND}): ${timings.join('; ')}`);
    expect(timings.length).toBeGreaterThanOrEqual(4);
  });
});

// The dingtalk adapter's deliveries: the real @alicloud/dingtalk clients against the local fake.

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingTalkPlatform, type DingTalkPlatform, type DingTalkPlatformOptions } from '../../bot/dingtalk/adapter.ts';
import { DingTalkOpenApi, splitBase } from '../../bot/dingtalk/openapi.ts';
import { PlatformError, type CardPayload, type Delivery } from '../../bot/platform.ts';
import { FakeDingTalk, type RecordedRequest } from './fake-dingtalk.ts';

const TOKEN = '/v1.0/oauth2/accessToken';
const GROUP = '/v1.0/robot/groupMessages/send';
const OTO = '/v1.0/robot/oToMessages/batchSend';
const CREATE = '/v1.0/card/instances/createAndDeliver';
const CARD = '/v1.0/card/instances';

let fake: FakeDingTalk;
let logs: string[];
const log = { info: (m: string) => void logs.push(`info ${m}`), warn: (m: string) => void logs.push(`warn ${m}`) };
let clock = 1_700_000_000_000;

function makePlatform(options: DingTalkPlatformOptions = {}): DingTalkPlatform {
  return createDingTalkPlatform({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    robotCode: 'robot-1',
    corpId: 'ding-corp',
    apiBase: fake.base,
    oapiBase: fake.base,
    cardTemplates: { alert: 'tpl-alert' },
  }, log, { openapi: { now: () => clock, throttleRetryMs: 1500, timeoutMs: 3000 }, ...options });
}

function only(path: string, method = 'POST'): RecordedRequest {
  const calls = fake.calls(path, method);
  expect(calls).toHaveLength(1);
  return calls[0];
}

function expectApiHeaders(r: RecordedRequest): void {
  expect(r.headers['x-acs-dingtalk-access-token']).toMatch(/^tok-1-/);
  expect(r.headers['content-type']).toContain('application/json');
  expect(r.headers.host).toBe(new URL(fake.base).host);
}

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  const e = await p.then(() => undefined, (err) => err);
  expect(e).toBeInstanceOf(PlatformError);
  return e as PlatformError;
}

const card: CardPayload = {
  template: 'alert',
  cardId: 'unit-digest:A01:2024-05-06',
  data: { unitName: '某某局', red: '2', yellow: '1', status: 'open' },
  fallback: { kind: 'markdown', title: '数据质量提醒', text: '红 2 黄 1', atUserIds: ['staff-001'] },
};

beforeEach(async () => {
  logs = [];
  clock = 1_700_000_000_000;
  fake = await FakeDingTalk.start();
});

afterEach(async () => {
  await fake.close();
});

describe('deliver: paths, headers and bodies', () => {
  it('text to a group → groupMessages/send sampleText, with the @userId text in the body', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'send', target: { kind: 'group', groupId: 'cidGroup001==' }, message: { kind: 'text', content: '请尽快处理', atUserIds: ['staff-001', 'staff-002'] } }, 'k1');
    const r = only(GROUP);
    expectApiHeaders(r);
    expect(r.body).toEqual({
      robotCode: 'robot-1',
      openConversationId: 'cidGroup001==',
      msgKey: 'sampleText',
      msgParam: JSON.stringify({ content: '请尽快处理 @staff-001 @staff-002' }),
    });
  });

  it('markdown to a group → sampleMarkdown {title, text}; a mention already in the text is not repeated', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'send', target: { kind: 'group', groupId: 'cid2' }, message: { kind: 'markdown', title: '督办', text: '### 督办清单\n@staff-001 请处理', atUserIds: ['staff-001'] } }, 'k');
    expect(only(GROUP).body).toEqual({
      robotCode: 'robot-1', openConversationId: 'cid2', msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify({ title: '督办', text: '### 督办清单\n@staff-001 请处理' }),
    });
  });

  it('actionCard: one button → sampleActionCard, three → sampleActionCard3', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'actionCard', title: 'T', text: 'X', buttons: [{ title: '去整改', url: 'https://h/fix' }] } }, 'a');
    await p.deliver({ op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'actionCard', title: 'T', text: 'X', buttons: [{ title: 'A', url: 'https://h/a' }, { title: 'B', url: 'https://h/b' }, { title: 'C', url: 'https://h/c' }] } }, 'b');
    const [one, three] = fake.calls(GROUP);
    expect(one.body).toEqual({ robotCode: 'robot-1', openConversationId: 'c', msgKey: 'sampleActionCard', msgParam: JSON.stringify({ title: 'T', text: 'X', singleTitle: '去整改', singleURL: 'https://h/fix' }) });
    expect(three.body).toEqual({
      robotCode: 'robot-1', openConversationId: 'c', msgKey: 'sampleActionCard3',
      msgParam: JSON.stringify({ title: 'T', text: 'X', actionTitle1: 'A', actionURL1: 'https://h/a', actionTitle2: 'B', actionURL2: 'https://h/b', actionTitle3: 'C', actionURL3: 'https://h/c' }),
    });
  });

  it('to users → oToMessages/batchSend, 20 users per call, no @ text', async () => {
    const p = makePlatform();
    const userIds = Array.from({ length: 25 }, (_, i) => `u${i + 1}`);
    await p.deliver({ op: 'send', target: { kind: 'users', userIds }, message: { kind: 'markdown', title: '提醒', text: '请自查', atUserIds: ['u1'] } }, 'k');
    const calls = fake.calls(OTO);
    expect(calls).toHaveLength(2);
    expectApiHeaders(calls[0]);
    const msgParam = JSON.stringify({ title: '提醒', text: '请自查' });
    expect(calls[0].body).toEqual({ robotCode: 'robot-1', userIds: userIds.slice(0, 20), msgKey: 'sampleMarkdown', msgParam });
    expect(calls[1].body).toEqual({ robotCode: 'robot-1', userIds: userIds.slice(20), msgKey: 'sampleMarkdown', msgParam });
  });

  it('createCard to a group → createAndDeliver with IM_GROUP space and the robot deliver model', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'createCard', target: { kind: 'group', groupId: 'cidGroup001==' }, card }, 'k');
    const r = only(CREATE);
    expectApiHeaders(r);
    expect(r.body).toEqual({
      cardTemplateId: 'tpl-alert',
      outTrackId: 'unit-digest:A01:2024-05-06',
      callbackType: 'STREAM',
      cardData: { cardParamMap: card.data },
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroup001==',
      imGroupOpenDeliverModel: { robotCode: 'robot-1' },
    });
  });

  it('createCard to a group @-mentions the card\'s people through the deliver model', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'createCard', target: { kind: 'group', groupId: 'cidGroup001==' }, card: { ...card, atUsers: [{ userId: 'zgy-1', name: '王专管' }] } }, 'k');
    expect((only(CREATE).body as Record<string, unknown>).imGroupOpenDeliverModel).toEqual({ robotCode: 'robot-1', atUserIds: { 'zgy-1': '王专管' } });
  });

  it('createCard to users → IM_ROBOT spaces and imRobotOpenDeliverModel', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'createCard', target: { kind: 'users', userIds: ['u1', 'u2'] }, card }, 'k');
    expect(only(CREATE).body).toEqual({
      cardTemplateId: 'tpl-alert',
      outTrackId: card.cardId,
      callbackType: 'STREAM',
      cardData: { cardParamMap: card.data },
      openSpaceId: 'dtv1.card//IM_ROBOT.u1;IM_ROBOT.u2',
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'robot-1' },
    });
  });

  it('createCard with an unconfigured template is a non-retryable error, nothing sent', async () => {
    const p = makePlatform();
    const e = await failure(p.deliver({ op: 'createCard', target: { kind: 'group', groupId: 'c' }, card: { ...card, template: 'approval' } }, 'k'));
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('DINGTALK_CARD_TEMPLATE_APPROVAL');
    expect(fake.calls(CREATE)).toHaveLength(0);
  });

  it('createCard attempted again (the first answer lost) updates the card it made instead of posting a second one; creates it when it does not exist', async () => {
    await fake.close();
    fake = await FakeDingTalk.start({ strictCards: true });
    const p = makePlatform();
    const d = { op: 'createCard' as const, target: { kind: 'group' as const, groupId: 'cidGroup001==' }, card };
    await p.deliver(d, 'k', 1);
    await p.deliver(d, 'k', 2); // the platform took the first call: the repeat is an update
    expect(fake.calls(CREATE)).toHaveLength(1);
    expect(fake.calls(CARD, 'PUT')).toHaveLength(1);
    expect(fake.calls(CARD, 'PUT')[0].body).toEqual({ outTrackId: card.cardId, cardData: { cardParamMap: card.data }, cardUpdateOptions: { updateCardDataByKey: true } });
    expect(fake.deliveredCards().get(card.cardId)).toBe(1);

    const other = { ...d, card: { ...card, cardId: 'unit-digest:A02:2024-05-06' } };
    await p.deliver(other, 'k2', 2); // the first call never reached the platform: PUT says cardNotExist, then created
    expect(fake.deliveredCards().get(other.card.cardId)).toBe(1);
    expect(fake.calls(CARD, 'PUT')).toHaveLength(2);
  });

  it('updateCard → PUT /v1.0/card/instances with updateCardDataByKey', async () => {
    const p = makePlatform();
    await p.deliver({ op: 'updateCard', card: { ...card, data: { status: 'green' } } }, 'k');
    const r = only(CARD, 'PUT');
    expectApiHeaders(r);
    expect(r.body).toEqual({ outTrackId: card.cardId, cardData: { cardParamMap: { status: 'green' } }, cardUpdateOptions: { updateCardDataByKey: true } });
  });

  it('reply → POST to the webhook with the robot webhook body and the at-list', async () => {
    const p = makePlatform();
    const url = fake.webhookUrl('s-9');
    await p.deliver({ op: 'reply', webhook: url, message: { kind: 'text', content: '好的', atUserIds: ['staff-001'] } }, 'k');
    await p.deliver({ op: 'reply', webhook: url, message: { kind: 'actionCard', title: 'T', text: 'X', buttons: [{ title: 'A', url: 'https://h/a' }, { title: 'B', url: 'https://h/b' }] } }, 'k2');
    const [text, action] = fake.calls('/robot/sendBySession');
    expect(text.query).toEqual({ session: 's-9' });
    expectApiHeaders(text);
    expect(text.body).toEqual({ msgtype: 'text', text: { content: '好的 @staff-001' }, at: { atUserIds: ['staff-001'], isAtAll: false } });
    expect(action.body).toEqual({ msgtype: 'actionCard', actionCard: { title: 'T', text: 'X', btnOrientation: '0', btns: [{ title: 'A', actionURL: 'https://h/a' }, { title: 'B', actionURL: 'https://h/b' }] } });
  });

  it('a reply webhook that is not DingTalk\'s does not get the token', async () => {
    const p = makePlatform();
    const e = await failure(p.deliver({ op: 'reply', webhook: 'https://evil.example.com/robot/sendBySession?session=x', message: { kind: 'text', content: 'x' } }, 'k'));
    expect(e.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('access token', () => {
  it('is fetched once (one request even for concurrent calls) and reused', async () => {
    const p = makePlatform();
    const d: Delivery = { op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'text', content: 'x' } };
    await Promise.all([p.deliver(d, '1'), p.deliver(d, '2'), p.deliver(d, '3')]);
    await p.deliver({ op: 'updateCard', card }, '4');
    const tokenCall = only(TOKEN);
    expect(tokenCall.body).toEqual({ appKey: fake.clientId, appSecret: fake.clientSecret });
    const tokens = new Set([...fake.calls(GROUP), ...fake.calls(CARD, 'PUT')].map((r) => r.headers['x-acs-dingtalk-access-token']));
    expect(tokens.size).toBe(1);
  });

  it('is renewed 5 minutes before it expires', async () => {
    const p = makePlatform();
    const d: Delivery = { op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'text', content: 'x' } };
    await p.deliver(d, '1');
    clock += (7200 - 301) * 1000;
    await p.deliver(d, '2');
    expect(fake.calls(TOKEN)).toHaveLength(1);
    clock += 2000; // now inside the last 5 minutes
    await p.deliver(d, '3');
    expect(fake.calls(TOKEN)).toHaveLength(2);
    const [a, b, c] = fake.calls(GROUP).map((r) => r.headers['x-acs-dingtalk-access-token']);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('400 InvalidAuthentication drops the cached token and the call is made once more with a new one', async () => {
    const p = makePlatform();
    const d: Delivery = { op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'text', content: 'x' } };
    await p.deliver(d, '1');
    fake.expireTokens(); // the platform revoked it early
    await p.deliver(d, '2');
    expect(fake.calls(TOKEN)).toHaveLength(2);
    const sent = fake.calls(GROUP).map((r) => r.headers['x-acs-dingtalk-access-token']);
    expect(sent).toHaveLength(3);
    expect(sent[1]).toBe(sent[0]); // refused
    expect(sent[2]).not.toBe(sent[0]); // retried with the new token
  });

  it('an invalid token twice in a row is a retryable error (retried once only)', async () => {
    const p = makePlatform();
    fake.fault('tokenExpired', 2, GROUP);
    const e = await failure(p.deliver({ op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'text', content: 'x' } }, 'k'));
    expect(e.retryable).toBe(true);
    expect(e.code).toBe('InvalidAuthentication');
    expect(fake.calls(GROUP)).toHaveLength(2);
    expect(fake.calls(TOKEN)).toHaveLength(2);
  });
});

describe('errors', () => {
  const d: Delivery = { op: 'send', target: { kind: 'group', groupId: 'c' }, message: { kind: 'text', content: 'x' } };

  it('HTTP 5xx → retryable', async () => {
    const p = makePlatform();
    fake.fault('5xx', 1, GROUP);
    const e = await failure(p.deliver(d, 'k'));
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBeUndefined();
    await p.deliver(d, 'k'); // and the next try goes through
    expect(fake.calls(GROUP)).toHaveLength(2);
  });

  it('403 QpsLimitForAppkeyAndApi / QpsLimitForApi → retryable with retryAfterMs', async () => {
    const p = makePlatform();
    fake.fault('qps', 1, CREATE);
    const e1 = await failure(p.deliver({ op: 'createCard', target: { kind: 'group', groupId: 'c' }, card }, 'k'));
    expect(e1).toMatchObject({ retryable: true, retryAfterMs: 1500, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' });
    fake.fault('qpsApi', 1, GROUP);
    const e2 = await failure(p.deliver(d, 'k'));
    expect(e2).toMatchObject({ retryable: true, retryAfterMs: 1500, code: 'Forbidden.AccessDenied.QpsLimitForApi' });
  });

  it('an HTML page instead of JSON → retryable', async () => {
    const p = makePlatform();
    fake.fault('html', 1, CARD);
    const e = await failure(p.deliver({ op: 'updateCard', card }, 'k'));
    expect(e).toMatchObject({ retryable: true, code: 'nonJson' });
  });

  it('another 4xx → not retryable', async () => {
    const p = makePlatform();
    fake.fault('badRequest', 1, OTO);
    const e = await failure(p.deliver({ op: 'send', target: { kind: 'users', userIds: ['u1'] }, message: { kind: 'text', content: 'x' } }, 'k'));
    expect(e).toMatchObject({ retryable: false, code: 'param.invalid' });
  });

  it('an unreachable platform → retryable network error', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const p = createDingTalkPlatform({
      clientId: 'x', clientSecret: 'y', robotCode: 'r', apiBase: `http://127.0.0.1:${port}`, oapiBase: `http://127.0.0.1:${port}`, cardTemplates: {},
    }, log, { openapi: { timeoutMs: 2000 } });
    const e = await failure(p.deliver(d, 'k'));
    expect(e).toMatchObject({ retryable: true, code: 'network' });
  });

  it('token endpoint failures map the same way', async () => {
    const p = makePlatform();
    fake.fault('5xx', 1, TOKEN);
    const e = await failure(p.deliver(d, 'k'));
    expect(e.retryable).toBe(true);
    await p.deliver(d, 'k');
    expect(fake.calls(TOKEN)).toHaveLength(2);
  });
});

describe('legacy oapi calls', () => {
  let api: DingTalkOpenApi;
  beforeAll(() => undefined);
  beforeEach(() => {
    api = new DingTalkOpenApi({ clientId: fake.clientId, clientSecret: fake.clientSecret, apiBase: fake.base, oapiBase: fake.base, log, throttleRetryMs: 700 });
  });
  afterAll(() => undefined);

  it('passes access_token as a query parameter and returns the answer', async () => {
    const res = await api.oapi<{ result: { userid: string } }>('POST', '/topapi/v2/user/getuserinfo', { body: { code: 'abc' } });
    expect(res.result.userid).toBe('user-abc');
    const r = fake.calls('/topapi/v2/user/getuserinfo')[0];
    expect(r.query.access_token).toMatch(/^tok-/);
    expect(r.body).toEqual({ code: 'abc' });
  });

  it('errcode 90018 → retryable with retryAfterMs; 88/40014 → new token, once', async () => {
    fake.fault('oapiThrottle', 1, '/topapi/v2/user/getuserinfo');
    const e = await failure(api.oapi('POST', '/topapi/v2/user/getuserinfo', { body: { code: 'a' } }));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 700, code: '90018' });
    fake.fault('oapiBadToken', 1, '/topapi/v2/user/getuserinfo');
    await api.oapi('POST', '/topapi/v2/user/getuserinfo', { body: { code: 'b' } });
    expect(api.tokenFetches).toBe(2);
  });
});

describe('splitBase', () => {
  it('splits protocol and host[:port]; refuses a path', () => {
    expect(splitBase('https://api.dingtalk.com', 'X')).toEqual({ protocol: 'https', endpoint: 'api.dingtalk.com' });
    expect(splitBase('http://127.0.0.1:8080/', 'X')).toEqual({ protocol: 'http', endpoint: '127.0.0.1:8080' });
    expect(() => splitBase('https://proxy.local/dingtalk', 'X')).toThrow(/路径/);
  });
});

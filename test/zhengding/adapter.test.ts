// The Zheng-Ding platform's deliveries against a local fake gateway: work notifications
// (receivers split by 1000, bizMsgId = dedup key, 重复 = delivered), group messages, cards sent
// as their fallback, the 2048-byte msg limit, replies through the session webhook.

import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { createZhengDingPlatform, renderMsg, type ZhengDingPlatform } from '../../bot/zhengding/adapter.ts';
import { PlatformError, type CardPayload, type OutboundMessage } from '../../bot/platform.ts';
import { contentError, gatewayError, ok, startFakeGateway, type FakeGateway } from './fake-gateway.ts';

const T0 = Date.UTC(2024, 4, 6, 1, 2, 3, 456);
const TS0 = '2024-05-06T09:02:03.000+08:00';
const SECRET = 'zwdd-secret';

let gw: FakeGateway;
let platform: ZhengDingPlatform;
let log: { warn: Mock<(msg: string) => void>; info: Mock<(msg: string) => void> };

beforeEach(async () => {
  gw = await startFakeGateway();
  log = { warn: vi.fn<(msg: string) => void>(), info: vi.fn<(msg: string) => void>() };
  let n = 0;
  platform = createZhengDingPlatform(
    { apiBase: gw.url, appKey: 'zwdd-key', appSecret: SECRET, tenantId: '196729', ip: '59.202.1.2', mac: '00:16:3E:00:00:01' },
    log,
    { now: () => T0, nonce: () => `1714957323000${String(1000 + n++)}` },
  );
});
afterEach(async () => {
  await platform.stop();
  await gw.close();
});

const sig = (text: string) => crypto.createHmac('sha256', SECRET).update(text, 'utf8').digest('base64');
const param = (r: { params: Array<[string, string]> }, k: string) => r.params.find(([key]) => key === k)?.[1];
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

async function rejection(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformError);
    return e as PlatformError;
  }
  throw new Error('expected a rejection');
}

describe('send to users: work notification', () => {
  it('the exact request: path, signed headers, form body; no token needed', async () => {
    const message: OutboundMessage = { kind: 'text', content: '【三色预警】柯桥区财政局：2 条红灯问题，请尽快整改。' };
    await platform.deliver({ op: 'send', target: { kind: 'users', userIds: ['1001', '1002'] }, message }, 'digest:330603001:2024-05-06');
    expect(gw.requests.map((r) => r.path)).toEqual(['/message/workNotification']);
    const r = gw.requests[0];
    const msg = '{"msgtype":"text","text":{"content":"【三色预警】柯桥区财政局：2 条红灯问题，请尽快整改。"}}';
    expect(r.method).toBe('POST');
    expect(r.params).toEqual([
      ['receiverIds', '1001,1002'],
      ['tenantId', '196729'],
      ['bizMsgId', 'digest:330603001:2024-05-06'],
      ['msg', msg],
    ]);
    expect(r.headers['apikey']).toBe('zwdd-key');
    expect(r.headers['x-hmac-auth-version']).toBe('1.0');
    expect(r.headers['x-hmac-auth-timestamp']).toBe(TS0);
    expect(r.headers['x-hmac-auth-nonce']).toBe('17149573230001000');
    expect(r.headers['x-hmac-auth-ip']).toBe('59.202.1.2');
    expect(r.headers['x-hmac-auth-mac']).toBe('00:16:3E:00:00:01');
    expect(r.headers['x-hmac-auth-signature']).toBe(
      sig(`POST\n${TS0}\n17149573230001000\n/message/workNotification\nbizMsgId=digest:330603001:2024-05-06&msg=${msg}&receiverIds=1001,1002&tenantId=196729`),
    );
  });

  it('more than 1000 receivers: split into calls of at most 1000, each with its own bizMsgId', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `u${i}`);
    await platform.deliver({ op: 'send', target: { kind: 'users', userIds: ids }, message: { kind: 'text', content: '周督办清单' } }, 'weekly:2024-19');
    const calls = gw.to('/message/workNotification');
    expect(calls.map((r) => param(r, 'receiverIds')!.split(',').length)).toEqual([1000, 1000, 500]);
    expect(calls.map((r) => param(r, 'bizMsgId'))).toEqual(['weekly:2024-19#1', 'weekly:2024-19#2', 'weekly:2024-19#3']);
    expect(calls.flatMap((r) => param(r, 'receiverIds')!.split(','))).toEqual(ids);
  });

  it('the platform refusing a repeated bizMsgId (重复) counts as delivered', async () => {
    gw.queue('/message/workNotification', contentError('ERR_BIZ_MSG_ID', 'bizMsgId重复'));
    await expect(platform.deliver({ op: 'send', target: { kind: 'users', userIds: ['1001'] }, message: { kind: 'text', content: 'x' } }, 'k1')).resolves.toBeUndefined();
    gw.queue('/message/workNotification', gatewayError('BIZ_ERROR', '消息重复发送'));
    await expect(platform.deliver({ op: 'send', target: { kind: 'users', userIds: ['1001'] }, message: { kind: 'text', content: 'x' } }, 'k1')).resolves.toBeUndefined();
    // A retry after a partial failure: the chunk already sent answers 重复, the rest goes out.
    const ids = Array.from({ length: 1500 }, (_, i) => `u${i}`);
    gw.queue('/message/workNotification', contentError('ERR_BIZ_MSG_ID', 'bizMsgId重复'), ok(true));
    await platform.deliver({ op: 'send', target: { kind: 'users', userIds: ids }, message: { kind: 'text', content: 'x' } }, 'k2');
    expect(gw.to('/message/workNotification').slice(-2).map((r) => param(r, 'bizMsgId'))).toEqual(['k2#1', 'k2#2']);
  });

  it('other failures stay failures: 5xx and throttling retryable, bad parameters not', async () => {
    const d = { op: 'send' as const, target: { kind: 'users' as const, userIds: ['1001'] }, message: { kind: 'text' as const, content: 'x' } };
    gw.queue('/message/workNotification', { status: 503, body: 'busy' });
    expect((await rejection(platform.deliver(d, 'k'))).retryable).toBe(true);
    gw.queue('/message/workNotification', { body: { success: false, Code: 'Throttling', Message: 'Request was denied due to flow control.' } });
    const t = await rejection(platform.deliver(d, 'k'));
    expect(t.retryable).toBe(true);
    expect(t.retryAfterMs).toBeGreaterThan(0);
    gw.queue('/message/workNotification', contentError('100001', '接收人不存在'));
    expect((await rejection(platform.deliver(d, 'k'))).retryable).toBe(false);
  });

  it('msg formats: markdown, action_card with one button, with a button list', async () => {
    const send = (message: OutboundMessage) => platform.deliver({ op: 'send', target: { kind: 'users', userIds: ['1001'] }, message }, crypto.randomUUID());
    await send({ kind: 'markdown', title: '红黑榜', text: '### 五月\n- 红榜：A' });
    await send({ kind: 'actionCard', title: '待审批', text: '增人入编申请', buttons: [{ title: '去审批', url: 'https://h5.example/approve?id=9' }] });
    await send({ kind: 'actionCard', title: '待审批', text: '增人入编申请', buttons: [{ title: '同意', url: 'https://h5/a' }, { title: '驳回', url: 'https://h5/r' }] });
    const msgs = gw.to('/message/workNotification').map((r) => JSON.parse(param(r, 'msg')!));
    expect(msgs).toEqual([
      { msgtype: 'markdown', markdown: { title: '红黑榜', text: '### 五月\n- 红榜：A' } },
      { msgtype: 'action_card', action_card: { title: '待审批', markdown: '增人入编申请', single_title: '去审批', single_url: 'https://h5.example/approve?id=9' } },
      {
        msgtype: 'action_card',
        action_card: { title: '待审批', markdown: '增人入编申请', btn_orientation: '0', btn_json_list: [{ title: '同意', action_url: 'https://h5/a' }, { title: '驳回', action_url: 'https://h5/r' }] },
      },
    ]);
  });
});

describe('msg size limit (2048 bytes)', () => {
  it('a long action card keeps title and button, its text cut politely with ……', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `${i + 1}. 单位${i + 1}：编制数与实有人数不符，请核对。`);
    const message: OutboundMessage = { kind: 'actionCard', title: '每周督办清单', text: lines.join('\n'), buttons: [{ title: '查看全部', url: 'https://sanse.example/m/weekly?w=2024-19' }] };
    await platform.deliver({ op: 'send', target: { kind: 'users', userIds: ['1001'] }, message }, 'weekly');
    const raw = param(gw.requests[0], 'msg')!;
    expect(bytes(raw)).toBeLessThanOrEqual(2048);
    expect(bytes(raw)).toBeGreaterThan(1900); // nearly full: not cut more than needed
    const m = JSON.parse(raw);
    expect(m.action_card.title).toBe('每周督办清单');
    expect(m.action_card.single_title).toBe('查看全部');
    expect(m.action_card.single_url).toBe('https://sanse.example/m/weekly?w=2024-19');
    expect(m.action_card.markdown.endsWith('\n……')).toBe(true); // cut at a line break
    expect(message.text.startsWith(m.action_card.markdown.slice(0, -3))).toBe(true);
  });

  it('long text with quotes, newlines and astral characters: within the limit, no broken character', () => {
    const content = '“引号”"双引号"\\反斜杠\n𠀀𠀁'.repeat(200);
    const raw = renderMsg({ kind: 'text', content });
    expect(bytes(raw)).toBeLessThanOrEqual(2048);
    const m = JSON.parse(raw);
    expect(m.text.content.endsWith('……')).toBe(true);
    expect(m.text.content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(content.startsWith(m.text.content.slice(0, -2))).toBe(true);
  });

  it('a short message is untouched; one that cannot fit at all is refused, not retried', () => {
    expect(renderMsg({ kind: 'text', content: '短' })).toBe('{"msgtype":"text","text":{"content":"短"}}');
    const huge = { kind: 'actionCard' as const, title: 't', text: 'x', buttons: [{ title: 'b', url: 'https://h5/' + 'a'.repeat(3000) }] };
    expect(() => renderMsg(huge)).toThrow(PlatformError);
    try {
      renderMsg(huge);
    } catch (e) {
      expect((e as PlatformError).retryable).toBe(false);
    }
  });
});

describe('group messages and cards', () => {
  const card = (state: string): CardPayload => ({
    template: 'alert',
    cardId: 'unit-digest:330603001:2024-05-06',
    data: { state },
    fallback: { kind: 'actionCard', title: `柯桥区财政局 ${state}`, text: `当前：${state}`, buttons: [{ title: '去整改', url: 'https://h5/fix' }] },
  });

  it('group: POST /chat/sendMsg with the app token, tenantId, chatType 2, chatId, msg', async () => {
    gw.queue('/gettoken.json', ok({ accessToken: 'tok-1', expiresIn: '7200' }));
    await platform.deliver({ op: 'send', target: { kind: 'group', groupId: 'chat-abc' }, message: { kind: 'text', content: '早上好', atUserIds: ['1001'] } }, 'g:1');
    expect(gw.requests.map((r) => r.path)).toEqual(['/gettoken.json', '/chat/sendMsg']);
    const r = gw.requests[1];
    const msg = '{"msgtype":"text","text":{"content":"早上好"},"at":{"atUserIds":["1001"],"isAtAll":false}}';
    expect(r.params).toEqual([
      ['tenantId', '196729'],
      ['chatType', '2'],
      ['chatId', 'chat-abc'],
      ['msg', msg],
      ['access_token', 'tok-1'],
    ]);
    expect(r.headers['x-hmac-auth-signature']).toBe(sig(`POST\n${TS0}\n17149573230001001\n/chat/sendMsg\naccess_token=tok-1&chatId=chat-abc&chatType=2&msg=${msg}&tenantId=196729`));
  });

  it('createCard sends the fallback as a notification with bizMsgId = dedup key; updateCard sends the new state', async () => {
    await platform.deliver({ op: 'createCard', target: { kind: 'users', userIds: ['1001'] }, card: card('红灯') }, 'card:create:1');
    await platform.deliver({ op: 'updateCard', target: { kind: 'users', userIds: ['1001'] }, card: card('绿灯') }, 'card:update:1');
    const calls = gw.to('/message/workNotification');
    expect(calls.map((r) => param(r, 'bizMsgId'))).toEqual(['card:create:1', 'card:update:1']);
    expect(calls.map((r) => JSON.parse(param(r, 'msg')!).action_card.title)).toEqual(['柯桥区财政局 红灯', '柯桥区财政局 绿灯']);
  });

  it('updateCard without a target cannot be shown: a non-retryable error', async () => {
    const e = await rejection(platform.deliver({ op: 'updateCard', card: card('绿灯') }, 'card:update:2'));
    expect(e.retryable).toBe(false);
    expect(gw.requests).toHaveLength(0);
  });
});

describe('reply through the session webhook', () => {
  it('POSTs the message as JSON to the webhook', async () => {
    gw.route('/robot/sendBySession', () => ({ body: { errcode: 0, errmsg: 'ok' } }));
    await platform.deliver({ op: 'reply', webhook: `${gw.url}/robot/sendBySession?session=s1`, message: { kind: 'markdown', title: '帮助', text: '发送“红灯”查看本单位问题' } }, 'r1');
    const r = gw.requests[0];
    expect(r.method).toBe('POST');
    expect(r.query.get('session')).toBe('s1');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual({ msgtype: 'markdown', markdown: { title: '帮助', text: '发送“红灯”查看本单位问题' } });
  });

  it('an expired session (errcode) is not retryable; 5xx is', async () => {
    gw.queue('/robot/sendBySession', { body: { errcode: 300001, errmsg: 'session 已过期' } }, { status: 502, body: 'x' });
    const d = { op: 'reply' as const, webhook: `${gw.url}/robot/sendBySession?session=s1`, message: { kind: 'text' as const, content: 'hi' } };
    expect((await rejection(platform.deliver(d, 'r'))).retryable).toBe(false);
    expect((await rejection(platform.deliver(d, 'r'))).retryable).toBe(true);
  });
});

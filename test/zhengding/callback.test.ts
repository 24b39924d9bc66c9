// The inbound robot-message callback route, driven with fastify's inject.

import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { createZhengDingPlatform, parseCallback, zhengdingCallbackRoutes, type ZhengDingPlatform } from '../../bot/zhengding/adapter.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import type { InboundEvent, InboundHandler } from '../../bot/platform.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { startFakeGateway, type FakeGateway } from './fake-gateway.ts';

const TOKEN = 'cb-secret-1234567890';
const NOW = Date.UTC(2024, 4, 6, 1, 2, 3);

let app: FastifyInstance;
let platform: ZhengDingPlatform;
let log: { warn: Mock<(msg: string) => void>; info: Mock<(msg: string) => void> };

async function build(token: string | undefined) {
  log = { warn: vi.fn<(msg: string) => void>(), info: vi.fn<(msg: string) => void>() };
  platform = createZhengDingPlatform({ apiBase: 'http://127.0.0.1:9', appKey: 'k', appSecret: 's', tenantId: '1', ip: '', mac: '' }, log, { now: () => NOW });
  app = Fastify({ logger: false });
  await app.register(zhengdingCallbackRoutes, { platform, token, log });
  // Another route in the same app keeps fastify's own JSON parsing (the plugin's parser is encapsulated).
  app.post('/other', async (req) => ({ got: req.body }));
  await app.ready();
}

const message = (over: Record<string, unknown> = {}) => ({
  msgtype: 'text',
  text: { content: ' 红灯 ' },
  msgId: 'msg-001',
  senderId: '1001',
  senderNick: '张三',
  conversationId: 'cid-group-1',
  conversationType: '2',
  sessionWebhook: 'https://openplatform.example/robot/sendBySession?session=abc',
  sessionWebhookExpiredTime: NOW + 60_000,
  ...over,
});

const post = (body: unknown, url = `/callbacks/zhengding?token=${TOKEN}`, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });

afterEach(async () => {
  await app?.close();
  await platform?.stop();
});

describe('POST /callbacks/zhengding', () => {
  beforeEach(async () => {
    await build(TOKEN);
  });

  it('good token: the handler gets the event once, the platform gets 200 {success:true}', async () => {
    const handler = vi.fn<InboundHandler>(async () => undefined);
    await platform.start(handler);
    const res = await post(message());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0]).toEqual({
      kind: 'message',
      eventId: 'zwdd:msg-001',
      conversationId: 'cid-group-1',
      conversationType: 'group',
      senderId: '1001',
      senderName: '张三',
      text: '红灯',
      replyWebhook: 'https://openplatform.example/robot/sendBySession?session=abc',
      replyWebhookExpiresAt: NOW + 60_000,
    } satisfies InboundEvent);
  });

  it('the token may come in the X-Callback-Token header instead of the query', async () => {
    const handler = vi.fn<InboundHandler>(async () => undefined);
    await platform.start(handler);
    const res = await post(message(), '/callbacks/zhengding', { 'x-callback-token': TOKEN });
    expect(res.statusCode).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('bad or missing token: 401, handler not called', async () => {
    const handler = vi.fn<InboundHandler>(async () => undefined);
    await platform.start(handler);
    expect((await post(message(), '/callbacks/zhengding?token=wrong')).statusCode).toBe(401);
    expect((await post(message(), '/callbacks/zhengding')).statusCode).toBe(401);
    expect((await post(message(), '/callbacks/zhengding', { 'x-callback-token': TOKEN.slice(0, -1) })).statusCode).toBe(401);
    expect(handler).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalled();
    expect(JSON.stringify(log.warn.mock.calls)).not.toContain(TOKEN.slice(0, -1)); // the wrong token is not logged
  });

  it('malformed bodies: logged and answered 200, never a crash', async () => {
    const handler = vi.fn<InboundHandler>(async () => undefined);
    await platform.start(handler);
    for (const body of ['{"msgtype": "text", ', 'null', '[1,2]', '"just a string"', JSON.stringify({ msgtype: 'text', text: { content: 'no sender' } }), '']) {
      const res = await post(body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ success: true });
    }
    const plain = await app.inject({ method: 'POST', url: `/callbacks/zhengding?token=${TOKEN}`, headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(plain.statusCode).toBe(200);
    expect(handler).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledTimes(7);
    expect(String(log.warn.mock.calls[0][0])).toMatch(/无法解析/);
  });

  it('handler throws (event not recorded): 500 so the platform re-delivers', async () => {
    await platform.start(async () => {
      throw new Error('database is locked');
    });
    const res = await post(message());
    expect(res.statusCode).toBe(500);
    expect(log.warn.mock.calls.some(([m]) => /database is locked/.test(String(m)))).toBe(true);
  });

  it('before start (no handler): 503, the platform retries later', async () => {
    expect((await post(message())).statusCode).toBe(503);
  });

  it('the plugin leaves the app’s JSON parsing alone', async () => {
    const res = await app.inject({ method: 'POST', url: '/other', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' });
    expect(res.json()).toEqual({ got: { a: 1 } });
  });
});

describe('unset ZWDD_CALLBACK_TOKEN', () => {
  it('refuses every callback and says so once at startup', async () => {
    await build(undefined);
    await platform.start(async () => undefined);
    expect(log.warn.mock.calls[0][0]).toMatch(/ZWDD_CALLBACK_TOKEN/);
    expect((await post(message(), '/callbacks/zhengding?token=')).statusCode).toBe(401);
    expect((await post(message(), '/callbacks/zhengding?token=undefined')).statusCode).toBe(401);
  });
});

describe('event ids', () => {
  it('without a message id: a stable hash of the body (key order and session webhook do not matter)', () => {
    const a = { msgtype: 'text', text: { content: 'hi' }, senderId: '1', conversationId: 'c', conversationType: '1', createAt: 1714957323000, sessionWebhook: 'https://x/1', sessionWebhookExpiredTime: 1 };
    const b = { sessionWebhookExpiredTime: 2, sessionWebhook: 'https://x/2', createAt: 1714957323000, conversationType: '1', conversationId: 'c', senderId: '1', text: { content: 'hi' }, msgtype: 'text' };
    const c = { ...a, createAt: 1714957323001 };
    const ea = parseCallback(JSON.stringify(a));
    const eb = parseCallback(JSON.stringify(b));
    const ec = parseCallback(JSON.stringify(c));
    if (!('event' in ea) || !('event' in eb) || !('event' in ec)) throw new Error('parse failed');
    expect(ea.event.eventId).toMatch(/^zwdd:sha256:[0-9a-f]{64}$/);
    expect(eb.event.eventId).toBe(ea.event.eventId);
    expect(ec.event.eventId).not.toBe(ea.event.eventId);
    expect(ea.event.conversationType).toBe('single');
  });
});

describe('with the real recordingHandler', () => {
  let tdb: TestDb;
  let gw: FakeGateway;
  afterEach(async () => {
    await tdb?.close();
    await gw?.close();
  });

  it('a re-delivered message is handled once; the reply goes to the session webhook; both deliveries get 200', async () => {
    tdb = await createTestDb();
    gw = await startFakeGateway();
    gw.route('/robot/sendBySession', () => ({ body: { errcode: 0 } }));
    await build(TOKEN);
    const business = vi.fn<InboundHandler>(async () => ({ reply: { kind: 'text' as const, content: '本单位今日：红灯 2 条' } }));
    await platform.start(recordingHandler(tdb.db, business, log));
    const body = message({ sessionWebhook: `${gw.url}/robot/sendBySession?session=xyz` });
    expect((await post(body)).statusCode).toBe(200);
    expect((await post(body)).statusCode).toBe(200);
    expect(business).toHaveBeenCalledTimes(1);
    expect(await tdb.db('inbound_events').count({ n: '*' }).first()).toMatchObject({ n: 1 });
    await platform.stop(); // waits for the background reply
    expect(gw.to('/robot/sendBySession')).toHaveLength(1);
    expect(JSON.parse(gw.requests[0].body)).toEqual({ msgtype: 'text', text: { content: '本单位今日：红灯 2 条' } });
  });

  it('an expired session webhook: no reply is attempted', async () => {
    tdb = await createTestDb();
    gw = await startFakeGateway();
    await build(TOKEN);
    await platform.start(async () => ({ reply: { kind: 'text' as const, content: 'late' } }));
    const res = await post(message({ msgId: 'm2', sessionWebhook: `${gw.url}/robot/sendBySession`, sessionWebhookExpiredTime: NOW - 1 }));
    expect(res.statusCode).toBe(200);
    await platform.stop();
    expect(gw.requests).toHaveLength(0);
    expect(log.warn.mock.calls.some(([m]) => /已过期/.test(String(m)))).toBe(true);
  });
});

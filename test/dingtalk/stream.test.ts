// The dingtalk adapter's Stream side: the real dingtalk-stream client (through DingTalkStreamClient)
// against the local fake gateway and WebSocket.

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDingTalkPlatform, type DingTalkPlatform, type DingTalkPlatformOptions } from '../../bot/dingtalk/adapter.ts';
import { parseCallback, TOPIC_CARD, TOPIC_ROBOT } from '../../bot/dingtalk/stream.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { PlatformError, type InboundEvent, type InboundHandler } from '../../bot/platform.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { FakeDingTalk, sleep, waitFor } from './fake-dingtalk.ts';

const GATEWAY = '/v1.0/gateway/connections/open';
const WEBHOOK = '/robot/sendBySession';

let fake: FakeDingTalk;
let platform: DingTalkPlatform | undefined;
let logs: string[];
const log = { info: (m: string) => void logs.push(`info ${m}`), warn: (m: string) => void logs.push(`warn ${m}`) };

const fast: DingTalkPlatformOptions = {
  stream: { backoff: { baseMs: 20, capMs: 400, stableAfterMs: 60_000 }, drainMs: 300, connectTimeoutMs: 2000, random: () => 1 },
};

function makePlatform(overrides: { clientSecret?: string } = {}, options: DingTalkPlatformOptions = fast): DingTalkPlatform {
  platform = createDingTalkPlatform({
    clientId: fake.clientId,
    clientSecret: overrides.clientSecret ?? fake.clientSecret,
    robotCode: 'robot-1',
    apiBase: fake.base,
    oapiBase: fake.base,
    cardTemplates: { alert: 'tpl-alert', approval: 'tpl-approval' },
  }, log, options);
  return platform;
}

async function started(handler: InboundHandler, options?: DingTalkPlatformOptions): Promise<DingTalkPlatform> {
  const p = makePlatform({}, options);
  await p.start(handler);
  await waitFor(() => fake.liveConnections === 1 && !!p.stream?.isOpen, 'a live stream connection');
  return p;
}

function robotData(over: Record<string, unknown> = {}) {
  return {
    conversationId: 'cidGroup001==',
    chatbotCorpId: 'ding-corp',
    chatbotUserId: '$:LWCP_v1:$bot',
    msgId: 'msgABC==',
    senderNick: '张三',
    isAdmin: false,
    senderStaffId: 'staff-001',
    sessionWebhookExpiredTime: Date.now() + 3_600_000,
    createAt: Date.now(),
    senderCorpId: 'ding-corp',
    conversationType: '2',
    senderId: '$:LWCP_v1:$sender',
    sessionWebhook: fake.webhookUrl('sess-1'),
    robotCode: 'robot-1',
    msgtype: 'text',
    text: { content: '  查询 A01  ' },
    ...over,
  };
}

beforeEach(async () => {
  logs = [];
  fake = await FakeDingTalk.start();
  // The SDK itself prints "connect success" / socket errors with console.
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(async () => {
  await platform?.stop();
  platform = undefined;
  await fake.close();
  vi.restoreAllMocks();
});

describe('connecting', () => {
  it('opens a ticket on DINGTALK_API_BASE with the documented body, then one WebSocket; answers pings', async () => {
    const p = await started(async () => {});
    const calls = fake.calls(GATEWAY);
    expect(calls).toHaveLength(1);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].headers.accept).toContain('application/json');
    expect(calls[0].headers['content-type']).toContain('application/json');
    expect(calls[0].body).toEqual({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      ua: expect.any(String),
      subscriptions: [
        { type: 'CALLBACK', topic: TOPIC_ROBOT },
        { type: 'CALLBACK', topic: TOPIC_CARD },
      ],
    });
    expect(fake.connectionsOpened).toBe(1);
    expect(p.stream?.isOpen).toBe(true);

    const pingId = fake.ping();
    await waitFor(() => fake.pingAnswers.length === 1, 'ping answer');
    expect(fake.pingAnswers[0]).toMatchObject({ messageId: pingId, code: 200, message: 'OK' });
    expect(fake.pingAnswers[0].data).toEqual({ opaque: expect.any(String) });
  });

  it('refuses to start with a wrong secret and does not retry', async () => {
    const p = makePlatform({ clientSecret: 'wrong' });
    const err = await p.start(async () => {}).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.retryable).toBe(false);
    expect(err.code).toBe('authFailed');
    await sleep(200);
    expect(fake.gatewayCalls).toBe(1);
    expect(fake.liveConnections).toBe(0);
    expect(p.stream).toBeUndefined();
    expect(logs.join('\n')).not.toContain('wrong');
  });

  it('after 3 failed handshakes (gateway 500) connects once: exactly one live socket', async () => {
    fake.failGateway(3, 500);
    const p = makePlatform();
    await p.start(async () => {}); // resolves after the first (failed) attempt; retries go on
    await waitFor(() => fake.liveConnections === 1, 'connection after failures', 5000);
    expect(fake.gatewayCalls).toBe(4);
    await sleep(300);
    expect(fake.gatewayCalls).toBe(4);
    expect(fake.liveConnections).toBe(1);
    expect(fake.maxLiveConnections).toBe(1);
    expect(fake.connectionsOpened).toBe(1);
  });

  it('a refused WebSocket handshake is retried with a fresh ticket', async () => {
    fake.rejectUpgrades(2);
    const p = makePlatform();
    await p.start(async () => {});
    await waitFor(() => fake.liveConnections === 1, 'connection after refused upgrades', 5000);
    expect(fake.gatewayCalls).toBe(3); // one ticket per attempt
    await sleep(200);
    expect(fake.maxLiveConnections).toBe(1);
    expect(fake.connectionsOpened).toBe(1);
  });

  it('a dropped socket reconnects with growing backoff, one gateway call per attempt, never two live sockets', async () => {
    await started(async () => {});
    expect(fake.gatewayCalls).toBe(1);
    fake.failGateway(2, 503);
    const droppedAt = Date.now();
    fake.dropConnections();
    await waitFor(() => fake.connectionsOpened === 2 && fake.liveConnections === 1, 'reconnection', 5000);
    const times = fake.calls(GATEWAY).map((r) => r.at);
    expect(times).toHaveLength(4);
    // random() = 1 → the full delay: 20 ms, then 40, then 80. Only lower bounds: a loaded machine
    // may fire any timer late, so comparing two measured gaps would fail at random.
    const gaps = [times[1] - droppedAt, times[2] - times[1], times[3] - times[2]];
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
    await sleep(300);
    expect(fake.gatewayCalls).toBe(4);
    expect(fake.liveConnections).toBe(1);
    expect(fake.maxLiveConnections).toBe(1);

    // and again: the keep-alive of the dead socket must not disturb the new one
    fake.dropConnections();
    await waitFor(() => fake.connectionsOpened === 3 && fake.liveConnections === 1, 'second reconnection', 5000);
    expect(fake.maxLiveConnections).toBe(1);
  });

  it('SYSTEM disconnect: closes the old socket, then reconnects (never two live)', async () => {
    await started(async () => {});
    fake.disconnect(10_000);
    await waitFor(() => fake.connectionsOpened === 2 && fake.liveConnections === 1, 'reconnection after disconnect', 5000);
    expect(fake.maxLiveConnections).toBe(1);
    expect(fake.gatewayCalls).toBe(2);
  });

  it('a dead connection (no pong) is terminated by the keep-alive and replaced', async () => {
    const p = await started(async () => {}, { stream: { ...fast.stream, heartbeatMs: 100 } });
    // Stop the server from answering pings on this connection: pause its socket.
    const firstOpen = fake.connectionsOpened;
    (p.stream as unknown as { socket: { _socket: { pause(): void } } }).socket._socket.pause();
    await waitFor(() => fake.connectionsOpened === firstOpen + 1 && p.stream!.isOpen, 'replacement connection', 5000);
    await waitFor(() => fake.liveConnections === 1, 'old connection gone', 5000);
  });

  it('after reconnections the keep-alive of dead sockets does not disturb the live one', async () => {
    await started(async () => {}, { stream: { ...fast.stream, heartbeatMs: 25 } });
    for (let n = 2; n <= 3; n++) {
      fake.dropConnections();
      await waitFor(() => fake.connectionsOpened === n && fake.liveConnections === 1, `reconnection ${n}`, 5000);
    }
    await sleep(400); // 16 keep-alive rounds: a healthy connection must survive them
    expect(fake.connectionsOpened).toBe(3);
    expect(fake.liveConnections).toBe(1);
    expect(fake.maxLiveConnections).toBe(1);
  });

  it('stop() closes the socket and stops reconnecting', async () => {
    const p = await started(async () => {});
    await p.stop();
    await waitFor(() => fake.liveConnections === 0, 'closed');
    await sleep(200);
    expect(fake.gatewayCalls).toBe(1);
    platform = undefined;
  });
});

describe('callbacks', () => {
  it('a robot message reaches the handler as an InboundEvent, is acked after the handler resolved, and the reply goes to the sessionWebhook', async () => {
    const order: string[] = [];
    const events: InboundEvent[] = [];
    await started(async (e) => {
      events.push(e);
      await sleep(80);
      order.push('handler resolved');
      return { reply: { kind: 'markdown', title: '查询结果', text: '**A01** 无问题', atUserIds: ['staff-001'] } };
    });
    fake.on('ack', () => order.push('ack'));
    const data = robotData();
    const id = fake.sendCallback(TOPIC_ROBOT, data);
    await waitFor(() => fake.acksFor(id).length === 1, 'ack');
    expect(order).toEqual(['handler resolved', 'ack']);
    expect(events).toEqual([{
      kind: 'message',
      eventId: id,
      conversationId: 'cidGroup001==',
      conversationType: 'group',
      senderId: 'staff-001',
      senderName: '张三',
      text: '查询 A01',
      replyWebhook: fake.webhookUrl('sess-1'),
      replyWebhookExpiresAt: data.sessionWebhookExpiredTime,
    }]);
    const ack = fake.acksFor(id)[0];
    expect(ack.code).toBe(200);
    expect(ack.message).toBe('OK');
    expect(ack.headers).toEqual({ contentType: 'application/json', messageId: id });
    expect(ack.data).toEqual({ response: null });

    await waitFor(() => fake.calls(WEBHOOK).length === 1, 'reply');
    const reply = fake.calls(WEBHOOK)[0];
    expect(reply.method).toBe('POST');
    expect(reply.query).toEqual({ session: 'sess-1' });
    expect(reply.headers['x-acs-dingtalk-access-token']).toMatch(/^tok-/);
    expect(reply.body).toEqual({
      msgtype: 'markdown',
      markdown: { title: '查询结果', text: '**A01** 无问题\n\n@staff-001' },
      at: { atUserIds: ['staff-001'], isAtAll: false },
    });
    const allLogs = logs.join('\n');
    expect(allLogs).not.toContain('张三');
    expect(allLogs).not.toContain('查询');
  });

  it('a 1:1 message maps to conversationType single; an expired sessionWebhook gets no reply', async () => {
    const events: InboundEvent[] = [];
    await started(async (e) => {
      events.push(e);
      return { reply: { kind: 'text', content: '收到' } };
    });
    const id = fake.sendCallback(TOPIC_ROBOT, robotData({ conversationType: '1', sessionWebhookExpiredTime: Date.now() - 1000 }));
    await waitFor(() => fake.acksFor(id).length === 1, 'ack');
    expect(events[0]).toMatchObject({ kind: 'message', conversationType: 'single', text: '查询 A01' });
    await sleep(100);
    expect(fake.calls(WEBHOOK)).toHaveLength(0);
    expect(logs.some((l) => l.includes('过期'))).toBe(true);
  });

  describe('with recordingHandler on a real database', () => {
    let tdb: TestDb;
    beforeEach(async () => { tdb = await createTestDb(); });
    afterEach(async () => { await tdb.close(); });

    it('a re-delivered messageId reaches the business handler once', async () => {
      const business = vi.fn(async () => ({ reply: { kind: 'text' as const, content: '已收到' } }));
      await started(recordingHandler(tdb.db, business, log));
      const id = fake.sendCallback(TOPIC_ROBOT, robotData());
      await waitFor(() => fake.acksFor(id).length === 1, 'first ack');
      fake.redeliver(id);
      await waitFor(() => fake.acksFor(id).length === 2, 'second ack');
      expect(business).toHaveBeenCalledTimes(1);
      const rows = await tdb.db('inbound_events').where({ event_id: id });
      expect(rows).toHaveLength(1);
      expect(rows[0].state).toBe('handled');
      expect(rows[0].payload).not.toContain('sess-1'); // the webhook is not stored
      await sleep(100);
      expect(fake.calls(WEBHOOK)).toHaveLength(1);
    });

    it('a recheck pressed on a unit outside the clicker\'s scope is refused to the clicker on the card (userPrivateData)', async () => {
      const at = '2026-11-23 08:00:00';
      await tdb.db('units').insert([{ id: 1, code: 'U1', name: '甲单位', group_id: 'cidA', created_at: at, updated_at: at }, { id: 2, code: 'U2', name: '乙单位', group_id: 'cidB', created_at: at, updated_at: at }]);
      await tdb.db('users').insert({ id: 'staff-009', name: '王五', role: '单位专管员', unit_id: 2, locked: false, created_at: at, updated_at: at });
      await started(recordingHandler(tdb.db, businessHandler(tdb.db, { today: () => '2026-11-23' }), log));
      const id = fake.sendCallback(TOPIC_CARD, {
        outTrackId: 'unit-digest:1:2026-11-23', userId: 'staff-009', corpId: 'ding-corp', type: 'actionCallback', spaceType: 'IM_GROUP', spaceId: 'cidA', userIdType: 1,
        content: JSON.stringify({ cardPrivateData: { actionIds: ['recheck'], params: { unit: '1' } } }),
      });
      await waitFor(() => fake.acksFor(id).length === 1, 'ack');
      expect(fake.acksFor(id)[0].data).toEqual({ response: { userPrivateData: { cardParamMap: { notice: '超出您的数据范围' } } } });
    });
  });

  it('a card callback reaches the handler as a cardAction and its ack carries cardData', async () => {
    const events: InboundEvent[] = [];
    await started(async (e) => {
      events.push(e);
      return { cardData: { status: 'green', summary: '已整改' } };
    });
    const id = fake.sendCallback(TOPIC_CARD, {
      outTrackId: 'unit-digest:A01:2024-05-06',
      userId: 'staff-009',
      corpId: 'ding-corp',
      type: 'actionCallback',
      spaceType: 'IM_GROUP',
      spaceId: 'cidGroup001==',
      userIdType: 1,
      content: JSON.stringify({ cardPrivateData: { actionIds: ['fix'], params: { finding: 'F-1', count: 3 } } }),
    });
    await waitFor(() => fake.acksFor(id).length === 1, 'ack');
    expect(events).toEqual([{ kind: 'cardAction', eventId: id, cardId: 'unit-digest:A01:2024-05-06', userId: 'staff-009', actionId: 'fix', params: { finding: 'F-1', count: '3' } }]);
    const ack = fake.acksFor(id)[0];
    expect(ack.headers).toEqual({ contentType: 'application/json', messageId: id });
    expect(ack.data).toEqual({ response: { cardData: { cardParamMap: { status: 'green', summary: '已整改' } } } });
  });

  it('malformed or unknown payloads are logged and acked; the process and the connection stay up', async () => {
    const handler = vi.fn(async () => {});
    await started(handler);
    const bad = fake.sendCallback(TOPIC_ROBOT, '{not json');
    const noConv = fake.sendCallback(TOPIC_ROBOT, robotData({ conversationId: undefined }));
    const badCard = fake.sendCallback(TOPIC_CARD, { outTrackId: 'c1', userId: 'u1', content: 'oops' });
    const unknownTopic = fake.sendCallback('/v1.0/something/else', { a: 1 });
    fake.sendRaw('this is not a frame');
    await waitFor(() => [bad, noConv, badCard, unknownTopic].every((id) => fake.acksFor(id).length === 1), 'acks of bad payloads');
    expect(fake.acksFor(bad)[0].data).toEqual({ response: null });
    expect(fake.acksFor(badCard)[0].data).toEqual({ response: {} });
    expect(handler).not.toHaveBeenCalled();
    expect(logs.filter((l) => l.startsWith('warn')).length).toBeGreaterThanOrEqual(5);
    // still alive and serving
    const ok = fake.sendCallback(TOPIC_ROBOT, robotData());
    await waitFor(() => fake.acksFor(ok).length === 1, 'ack after garbage');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(fake.liveConnections).toBe(1);
    expect(fake.connectionsOpened).toBe(1);
  });

  it('a handler that throws (event not recorded) gets no ack; the re-delivery is handled and acked', async () => {
    let calls = 0;
    await started(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('insert into inbound_events values (张三) - SQLITE_BUSY'), { code: 'SQLITE_BUSY' });
    });
    const id = fake.sendCallback(TOPIC_ROBOT, robotData());
    await waitFor(() => calls === 1, 'handler call');
    await sleep(150);
    expect(fake.acksFor(id)).toHaveLength(0);
    expect(logs.join('\n')).toContain('SQLITE_BUSY');
    expect(logs.join('\n')).not.toContain('张三');
    expect(fake.redeliverUnacked()).toEqual([id]);
    await waitFor(() => fake.acksFor(id).length === 1, 'ack of the re-delivery');
    expect(calls).toBe(2);
    expect(fake.liveConnections).toBe(1);
  });
});

describe('parseCallback', () => {
  it('reads rich text, skips other message types, refuses bad conversation types', () => {
    const rich = parseCallback(TOPIC_ROBOT, 'm1', JSON.stringify({ conversationId: 'c', conversationType: '1', senderStaffId: 's', senderNick: 'n', msgtype: 'richText', content: { richText: [{ text: '你好 ' }, { pictureDownloadCode: 'x' }, { text: '世界' }] } }));
    expect(rich).toMatchObject({ event: { text: '你好 世界', conversationType: 'single' } });
    const pic = parseCallback(TOPIC_ROBOT, 'm2', JSON.stringify({ conversationId: 'c', conversationType: '2', msgtype: 'picture', content: { downloadCode: 'x' } }));
    expect(pic).toMatchObject({ event: { text: '', senderId: '', conversationType: 'group' } });
    expect(parseCallback(TOPIC_ROBOT, 'm3', JSON.stringify({ conversationId: 'c', conversationType: '3' }))).toEqual({ reason: expect.any(String) });
    expect(parseCallback(TOPIC_ROBOT, 'm4', '[1,2]')).toEqual({ reason: expect.any(String) });
    expect(parseCallback(TOPIC_CARD, 'm5', JSON.stringify({ outTrackId: 'o', userId: 'u', content: JSON.stringify({}) }))).toEqual({ reason: expect.any(String) });
  });

  it('reads a card button\'s action id and params, and the form component\'s shape (actionIds ["form"], params.form) in its variants', () => {
    const card = (cardPrivateData: object) => parseCallback(TOPIC_CARD, 'm6', JSON.stringify({ outTrackId: 'request:7', userId: 'lead1', content: JSON.stringify({ cardPrivateData }) }));
    expect(card({ actionIds: ['approve'], params: { comment: '同意' } })).toEqual({ event: { kind: 'cardAction', eventId: 'm6', cardId: 'request:7', userId: 'lead1', actionId: 'approve', params: { comment: '同意' } } });
    expect(card({ actionIds: ['form'], params: { form: { comment: '同意', action: 'approve' } } })).toMatchObject({ event: { actionId: 'approve', params: { comment: '同意', action: 'approve' } } });
    expect(card({ actionIds: ['form'], params: { form: JSON.stringify({ comment: '不行', submit: 'reject' }) } })).toMatchObject({ event: { actionId: 'reject', params: { comment: '不行' } } });
    expect(card({ actionIds: ['form', 'reject'], params: { form: { comment: '' } } })).toMatchObject({ event: { actionId: 'reject', params: { comment: '' } } });
    // A form with nothing naming the action stays `form`: answered as an unknown button.
    expect(card({ actionIds: ['form'], params: { form: { comment: 'x' } } })).toMatchObject({ event: { actionId: 'form', params: { comment: 'x' } } });
  });
});

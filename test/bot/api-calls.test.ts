// The platform calls counted against the month's budget (消息额度): every delivery the dispatcher
// makes, through the sandbox and through the DingTalk adapter against the local fake DingTalk,
// per month and kind in api_calls; token calls and calls that never left are not counted.
// Real database (SQLite; MariaDB with SANSE_TEST_DB=mysql).

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDingTalkPlatform } from '../../bot/dingtalk/adapter.ts';
import { createDispatcher } from '../../bot/dispatcher.ts';
import type { ChatPlatform, Delivery } from '../../bot/platform.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { todayInShanghai } from '../../core/dates.ts';
import { countApiCalls, countedPlatform, monthApiCalls } from '../../db/api-calls.ts';
import { enqueue } from '../../db/outbox.ts';
import { FakeDingTalk } from '../dingtalk/fake-dingtalk.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
let t: TestDb;
const month = () => todayInShanghai().slice(0, 7);

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.db('api_calls').del();
  await t.db('outbox').del();
});

async function sendAll(platform: ChatPlatform, rows: Array<[string, Delivery]>) {
  for (const [key, d] of rows) await t.db.transaction((trx) => enqueue(trx, key, d));
  const dispatcher = createDispatcher(t.db, platform, { ratePerSecond: 500, baseBackoffMs: 1, maxBackoffMs: 5, maxAttempts: 3, log: quiet });
  await dispatcher.drain({ settle: true, timeoutMs: 20_000 });
  return dispatcher.counters();
}

async function counts(platform: string) {
  return (await monthApiCalls(t.db, month())).find((c) => c.platform === platform);
}

const card = (cardId: string) => ({ template: 'alert' as const, cardId, data: { light: 'red' }, fallback: { kind: 'markdown' as const, title: '预警', text: '红灯 1' } });

describe('counting the calls per month and kind', () => {
  it('adds up concurrent increments atomically (upsert)', async () => {
    await Promise.all(Array.from({ length: 30 }, () => countApiCalls(t.db, '2026-11', 'dingtalk', [{ kind: 'send-group', n: 1 }, { kind: 'update-card', n: 2 }])));
    const c = (await monthApiCalls(t.db, '2026-11'))[0];
    expect(c).toMatchObject({ platform: 'dingtalk', total: 90, byKind: { 'send-group': 30, 'update-card': 60, 'create-card': 0 } });
    expect(await monthApiCalls(t.db, '2026-12')).toEqual([]);
  });

  it('the sandbox: one call per delivery, by kind; a failed update that reached the platform counts too', async () => {
    const sandbox = createSandboxPlatform(t.db);
    // The card first (rows are sent concurrently: its update must not overtake it).
    const first = await sendAll(sandbox, [['c1', { op: 'createCard', target: { kind: 'group', groupId: 'grp-1' }, card: card('unit-digest:1:2026-11-16') }]]);
    expect(first.sent).toBe(1);
    const c = await sendAll(sandbox, [
      ['g1', { op: 'send', target: { kind: 'group', groupId: 'office-group' }, message: { kind: 'text', content: '一' } }],
      ['g2', { op: 'send', target: { kind: 'group', groupId: 'office-group' }, message: { kind: 'text', content: '二' } }],
      ['u1', { op: 'send', target: { kind: 'users', userIds: ['a', 'b'] }, message: { kind: 'text', content: '三' } }],
      ['c1u', { op: 'updateCard', card: { ...card('unit-digest:1:2026-11-16'), data: { light: 'green' } } }],
      ['nope', { op: 'updateCard', card: card('unit-digest:404:2026-11-16') }],
    ]);
    expect(c).toMatchObject({ sent: 4, dead: 1 });
    expect(await counts('sandbox')).toMatchObject({ total: 6, byKind: { 'send-group': 2, 'send-users': 1, 'create-card': 1, 'update-card': 2, reply: 0 } });
    expect(await countedPlatform(t.db)).toBe('sandbox');
  });

  describe('the DingTalk adapter against the local fake DingTalk', () => {
    let fake: FakeDingTalk;
    beforeEach(async () => {
      fake = await FakeDingTalk.start();
    });
    afterEach(async () => {
      await fake.close();
    });
    const platform = () => createDingTalkPlatform({
      clientId: fake.clientId, clientSecret: fake.clientSecret, robotCode: 'robot-1', corpId: 'ding-corp',
      apiBase: fake.base, oapiBase: fake.base, cardTemplates: { alert: 'tpl-alert' },
    }, { info: () => {}, warn: () => {} }, { openapi: { throttleRetryMs: 5, timeoutMs: 3000 } });

    it('counts every OpenAPI call that reached DingTalk (retries included), not the token calls nor calls that never left', async () => {
      fake.fault('5xx', 1, '/v1.0/robot/groupMessages/send');
      const c = await sendAll(platform(), [
        ['g1', { op: 'send', target: { kind: 'group', groupId: 'cid1' }, message: { kind: 'markdown', title: '清单', text: '本周督办' } }],
        ['u25', { op: 'send', target: { kind: 'users', userIds: Array.from({ length: 25 }, (_, i) => `u${i}`) }, message: { kind: 'text', content: '请自查' } }],
        ['c1', { op: 'createCard', target: { kind: 'group', groupId: 'cid1' }, card: card('unit-digest:1:2026-11-16') }],
        ['c1u', { op: 'updateCard', card: { ...card('unit-digest:1:2026-11-16'), data: { light: 'green' } } }],
        // No template configured for approval cards: refused before any request, not counted.
        ['a1', { op: 'createCard', target: { kind: 'group', groupId: 'cid1' }, card: { ...card('approval:1'), template: 'approval' } }],
      ]);
      expect(c).toMatchObject({ sent: 4, dead: 1, retried: 1 });
      const sends = fake.requests.filter((r) => r.path !== '/v1.0/oauth2/accessToken');
      expect(fake.calls('/v1.0/oauth2/accessToken').length).toBeGreaterThanOrEqual(1);
      // group send: the 503 and the retry; 25 users: two batchSend calls of ≤ 20; the card; its update.
      expect(sends.map((r) => r.path).sort()).toEqual([
        '/v1.0/card/instances', '/v1.0/card/instances/createAndDeliver',
        '/v1.0/robot/groupMessages/send', '/v1.0/robot/groupMessages/send',
        '/v1.0/robot/oToMessages/batchSend', '/v1.0/robot/oToMessages/batchSend',
      ]);
      expect(await counts('dingtalk')).toMatchObject({ total: sends.length, byKind: { 'send-group': 2, 'send-users': 2, 'create-card': 1, 'update-card': 1, reply: 0 } });
    });

    it('a platform that cannot be reached (network error) costs nothing', async () => {
      const p = platform();
      await fake.close();
      const c = await sendAll(p, [['g1', { op: 'send', target: { kind: 'group', groupId: 'cid1' }, message: { kind: 'text', content: '一' } }]]);
      expect(c.dead).toBe(1);
      expect(await counts('dingtalk')).toBeUndefined();
      fake = await FakeDingTalk.start(); // for afterEach
    });
  });
});

describe("each adapter's calls per delivery", () => {
  it('Zheng-Ding: a card is a message, 1,000 receivers a call, the approval card\'s update sends nothing', async () => {
    const { createZhengDingPlatform } = await import('../../bot/zhengding/adapter.ts');
    const z = createZhengDingPlatform({ apiBase: 'http://127.0.0.1:1', appKey: 'k', appSecret: 's', tenantId: 't' }, { warn: () => {} });
    const users = (n: number) => ({ kind: 'users' as const, userIds: Array.from({ length: n }, (_, i) => `u${i}`) });
    expect(z.callsOf!({ op: 'send', target: users(2500), message: { kind: 'text', content: 'x' } })).toEqual([{ kind: 'send-users', n: 3 }]);
    expect(z.callsOf!({ op: 'createCard', target: { kind: 'group', groupId: 'g' }, card: card('c') })).toEqual([{ kind: 'send-group', n: 1 }]);
    expect(z.callsOf!({ op: 'updateCard', card: { ...card('request:1'), template: 'approval' } })).toEqual([]);
    expect(z.callsOf!({ op: 'updateCard', card: card('c'), target: users(3) })).toEqual([{ kind: 'send-users', n: 1 }]);
  });
});

describe('the platform the budget applies to', () => {
  it('is the one with calls in the latest month counted, most calls first', async () => {
    await t.db('api_calls').del();
    expect(await countedPlatform(t.db)).toBeNull();
    await countApiCalls(t.db, '2026-10', 'dingtalk', [{ kind: 'create-card', n: 900 }]);
    await countApiCalls(t.db, '2026-11', 'sandbox', [{ kind: 'create-card', n: 3 }]);
    await countApiCalls(t.db, '2026-11', 'dingtalk', [{ kind: 'create-card', n: 2 }, { kind: 'update-card', n: 2 }]);
    expect(await countedPlatform(t.db)).toBe('dingtalk');
  });
});

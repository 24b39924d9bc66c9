// The dispatcher on the real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql), in both
// running modes: in-process, and Redis (bull on 127.0.0.1:6379, a unique key prefix per test,
// removed afterwards; SANSE_TEST_REDIS_URL to point elsewhere, SANSE_TEST_REDIS=off to skip).

import crypto from 'node:crypto';
import Bull from 'bull';
import { Redis } from 'ioredis';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../bot/dispatcher.ts';
import { enqueue, isoMs } from '../../db/outbox.ts';
import { createRedisTokenBucket, createTokenBucket, type RateLimiter } from '../../bot/rate-limit.ts';
import type { ChatPlatform, Delivery } from '../../bot/platform.ts';
import { openDb, type Db } from '../../db/connection.ts';
import { outboxRoutes } from '../../server/routes/outbox.ts';
import { createRateCappedPlatform } from '../fakes/rate-capped-platform.ts';
import { maxInWindow } from './slots.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const REDIS_URL = process.env.SANSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODES = process.env.SANSE_TEST_REDIS === 'off' ? (['in-process'] as const) : (['in-process', 'redis'] as const);

function card(key: string, i: number): Delivery {
  return {
    op: 'createCard',
    target: { kind: 'group', groupId: `cid-group-${i}` },
    card: {
      template: 'alert',
      cardId: key,
      data: { unitName: `测试单位${i}`, red: '1', yellow: '2' },
      fallback: { kind: 'markdown', title: '数据质量预警', text: `测试单位${i}：红灯 1 项，黄灯 2 项` },
    },
  };
}

async function addRows(db: Db, n: number, prefix = 'unit-digest'): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}:${String(i).padStart(4, '0')}:2026-03-02`);
  await db.transaction(async (trx) => {
    for (const [i, k] of keys.entries()) expect(await enqueue(trx, k, card(k, i))).toBe(true);
  });
  return keys;
}

const row = (db: Db, key: string) => db('outbox').where('dedup_key', key).first();

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe.each(MODES)('dispatcher (%s)', (mode) => {
  let prefix: string;
  let started: Dispatcher[] = [];
  let pools: Db[] = [];

  function make(platform: ChatPlatform, extra: Partial<DispatcherOptions> = {}, db: Db = t.db): Dispatcher {
    const d = createDispatcher(db, platform, {
      redisUrl: mode === 'redis' ? REDIS_URL : null,
      queuePrefix: prefix,
      ratePerSecond: 1000,
      maxAttempts: 6,
      baseBackoffMs: 20,
      maxBackoffMs: 100,
      lockMs: 10_000,
      batch: 50,
      concurrency: 8,
      pollMs: 50,
      ...extra,
    });
    started.push(d);
    return d;
  }

  beforeEach(async () => {
    prefix = `sanse-test-${crypto.randomBytes(4).toString('hex')}`;
    await t.db('outbox').del();
  });

  afterEach(async () => {
    for (const d of started) await d.stop();
    for (const p of pools) await p.destroy();
    started = [];
    pools = [];
    if (mode === 'redis') {
      const q = new Bull('cleanup', REDIS_URL, { prefix });
      const keys = await q.client.keys(`${prefix}:*`);
      if (keys.length) await q.client.del(...keys);
      await q.close();
    }
  });

  it('sends every row once and marks it sent', async () => {
    const keys = await addRows(t.db, 20);
    const platform = createRateCappedPlatform();
    const d = make(platform);
    const done = await d.drain({ timeoutMs: 10_000 });
    expect(done.sent).toBe(20);
    expect([...platform.delivered.keys()].sort()).toEqual(keys);
    expect(platform.duplicates()).toEqual([]);
    const rows = await t.db('outbox').select('state', 'attempts', 'sent_at', 'locked_until');
    for (const r of rows) {
      expect(r.state).toBe('sent');
      expect(Number(r.attempts)).toBe(1);
      expect(r.sent_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(r.locked_until).toBeNull();
    }
    // Nothing is due any more: a second drain calls nobody.
    await d.drain({ timeoutMs: 5000 });
    expect(platform.calls).toHaveLength(20);
  });

  it('sends at once when drained while running (a kick), without waiting for the next poll', async () => {
    const platform = createRateCappedPlatform();
    // The next poll is ten minutes away: only the kick can send these within the drain's minute.
    const d = make(platform, { pollMs: 600_000 });
    await d.start();
    await new Promise((r) => setTimeout(r, 100));
    const keys = await addRows(t.db, 5);
    await d.drain({ timeoutMs: 60_000 });
    expect([...platform.delivered.keys()].sort()).toEqual(keys);
    await d.stop();
    // Stopped: a later drain sends nothing.
    await addRows(t.db, 1, 'late');
    await d.drain({ timeoutMs: 1000 });
    expect(platform.delivered.size).toBe(5);
  });

  it('retries a retryable failure with backoff, then sends', async () => {
    const [key] = await addRows(t.db, 1);
    const platform = createRateCappedPlatform({ script: { [key]: ['5xx', '5xx'] } });
    const d = make(platform, { baseBackoffMs: 200, maxBackoffMs: 1000 });
    const before = Date.now();
    await d.drain({ timeoutMs: 5000 });
    // One failed call: back to pending, one attempt counted, due after the backoff.
    let r = await row(t.db, key);
    expect(r.state).toBe('pending');
    expect(Number(r.attempts)).toBe(1);
    expect(r.last_error).toContain('HTTP 503');
    expect(r.next_attempt_at >= isoMs(before + 100)).toBe(true);
    expect(r.locked_until).toBeNull();

    await d.drain({ settle: true, timeoutMs: 10_000 });
    r = await row(t.db, key);
    expect(r.state).toBe('sent');
    expect(Number(r.attempts)).toBe(3);
    expect(r.last_error).toBeNull();
    const at = platform.calls.filter((c) => c.dedupKey === key).map((c) => c.at);
    expect(at).toHaveLength(3);
    // Exponential with jitter: at least half of 200 ms, then at least half of 400 ms.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(95);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(195);
    expect(platform.delivered.get(key)).toBe(1);
  });

  it('waits at least retryAfterMs after a throttling answer', async () => {
    const [key] = await addRows(t.db, 1);
    const platform = createRateCappedPlatform({ script: { [key]: ['throttle'] }, scriptRetryAfterMs: 600 });
    const d = make(platform, { baseBackoffMs: 10, maxBackoffMs: 20 });
    await d.drain({ settle: true, timeoutMs: 10_000 });
    const at = platform.calls.filter((c) => c.dedupKey === key).map((c) => c.at);
    expect(at).toHaveLength(2);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(590);
    expect((await row(t.db, key)).state).toBe('sent');
  });

  it('declares a row dead at once on a non-retryable error, without personal data in last_error', async () => {
    const [bad, good] = await addRows(t.db, 2);
    const platform = createRateCappedPlatform({
      script: { [bad]: ['fatal'] },
      fatalMessage: '用户 330602199001011234（手机 13800138000）不在群内',
    });
    const d = make(platform);
    const done = await d.drain({ settle: true, timeoutMs: 10_000 });
    expect(done).toMatchObject({ sent: 1, dead: 1, retried: 0 });
    const r = await row(t.db, bad);
    expect(r.state).toBe('dead');
    expect(Number(r.attempts)).toBe(1);
    expect(r.last_error).toContain('InvalidParameter');
    expect(r.last_error).not.toContain('330602199001011234');
    expect(r.last_error).not.toContain('13800138000');
    expect(r.last_error).not.toContain('测试单位');
    expect(platform.calls.filter((c) => c.dedupKey === bad)).toHaveLength(1);
    expect((await row(t.db, good)).state).toBe('sent');
  });

  it('declares a row dead after maxAttempts failures', async () => {
    const [key] = await addRows(t.db, 1);
    const platform = createRateCappedPlatform({ alwaysFail: { [key]: 'retryable' } });
    const d = make(platform, { maxAttempts: 3, baseBackoffMs: 10, maxBackoffMs: 40 });
    await d.drain({ settle: true, timeoutMs: 10_000 });
    const r = await row(t.db, key);
    expect(r.state).toBe('dead');
    expect(Number(r.attempts)).toBe(3);
    expect(r.last_error).toContain('ServiceUnavailable');
    expect(platform.calls).toHaveLength(3);
    expect(platform.delivered.size).toBe(0);
  });

  it('revives a dead row through the resend route, and sends it', async () => {
    const [key, other] = await addRows(t.db, 2);
    const platform = createRateCappedPlatform({ script: { [key]: ['fatal'] } });
    const d = make(platform);
    await d.drain({ settle: true, timeoutMs: 10_000 });

    const app = Fastify();
    let guarded = 0;
    await app.register(outboxRoutes, {
      db: t.db,
      guard: async (req, reply) => {
        guarded++;
        if (req.headers['x-test-user'] !== 'office') return reply.code(401).send({ error: '请先登录' });
        // The session guard's user: the resend command authorises by role.
        req.user = { id: 'office-1', name: '办公室', role: '编办管理员', unitId: null, unitCode: null, scope: null };
      },
    });
    const h = { 'x-test-user': 'office' };
    expect((await app.inject({ method: 'GET', url: '/api/outbox/dead' })).statusCode).toBe(401);

    const dead = (await app.inject({ method: 'GET', url: '/api/outbox/dead', headers: h })).json();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ dedup_key: key, op: 'createCard', target: 'group:cid-group-0', attempts: 1 });
    expect(Object.keys(dead[0]).sort()).toEqual(['attempts', 'created_at', 'dedup_key', 'id', 'last_error', 'op', 'target']);
    expect((await app.inject({ method: 'GET', url: '/api/outbox/stats', headers: h })).json()).toEqual({ pending: 0, sending: 0, sent: 1, dead: 1 });

    const res = await app.inject({ method: 'POST', url: `/api/outbox/${dead[0].id}/resend`, headers: h });
    expect(res.statusCode).toBe(200);
    const r = await row(t.db, key);
    expect(r).toMatchObject({ state: 'pending', last_error: null });
    expect(Number(r.attempts)).toBe(0);

    // Only a dead row can be resent: a second resend, a sent row and an unknown id are 404.
    const again = await app.inject({ method: 'POST', url: `/api/outbox/${dead[0].id}/resend`, headers: h });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toMatch(/没有编号为 \d+ 的发送失败消息/);
    const sentId = (await row(t.db, other)).id;
    expect((await app.inject({ method: 'POST', url: `/api/outbox/${sentId}/resend`, headers: h })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/outbox/99999999/resend', headers: h })).statusCode).toBe(404);
    const badId = await app.inject({ method: 'POST', url: '/api/outbox/abc/resend', headers: h });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error).toContain('消息编号无效');
    expect(guarded).toBeGreaterThanOrEqual(7);
    await app.close();

    await d.drain({ settle: true, timeoutMs: 10_000 });
    expect((await row(t.db, key)).state).toBe('sent');
    expect(platform.delivered.get(key)).toBe(1);
    expect(platform.delivered.get(other)).toBe(1);
  });

  it('reclaims a row left in sending by a crashed dispatcher once its lock has expired', async () => {
    const [stuck, held] = await addRows(t.db, 2);
    // `stuck`: a dispatcher claimed it and died; `held`: a live dispatcher is sending it right now.
    await t.db('outbox').where('dedup_key', stuck).update({ state: 'sending', attempts: 1, locked_until: isoMs(Date.now() - 1000) });
    await t.db('outbox').where('dedup_key', held).update({ state: 'sending', attempts: 1, locked_until: isoMs(Date.now() + 60_000) });
    const platform = createRateCappedPlatform();
    const d = make(platform);
    await d.drain({ timeoutMs: 10_000 });
    const r = await row(t.db, stuck);
    expect(r.state).toBe('sent');
    expect(Number(r.attempts)).toBe(2);
    expect((await row(t.db, held)).state).toBe('sending');
    expect(platform.delivered.has(held)).toBe(false);
    expect(platform.calls).toHaveLength(1);
  });

  it('gives up on a row whose calls keep being interrupted', async () => {
    const [key] = await addRows(t.db, 1);
    await t.db('outbox').where('dedup_key', key).update({ state: 'sending', attempts: 3, locked_until: isoMs(Date.now() - 1000) });
    const platform = createRateCappedPlatform();
    const d = make(platform, { maxAttempts: 3 });
    await d.drain({ timeoutMs: 10_000 });
    const r = await row(t.db, key);
    expect(r.state).toBe('dead');
    expect(r.last_error).toContain('中断');
    expect(platform.calls).toHaveLength(0);
  });

  it(mode === 'redis' ? 'paces two dispatchers through one global rate limiter' : 'paces every call through the rate limiter', async () => {
    // What the limiter decided, not when calls happened to arrive on this shared machine
    // (test/bot/rate-limit.test.ts checks the limiters' arithmetic against an injected clock).
    const rate = 20;
    const n = 50;
    await addRows(t.db, n);
    const platform = createRateCappedPlatform({ latencyMs: [1, 5] });
    const slots: number[] = [];
    let refunds = 0;
    const redis = mode === 'redis' ? new Redis(REDIS_URL) : null;
    const key = `${prefix}:rate-under-test`;
    const limiter = (): RateLimiter => {
      const real: RateLimiter = redis ? createRedisTokenBucket(redis, key, rate) : createTokenBucket({ ratePerSecond: rate });
      return {
        ratePerSecond: rate,
        take: async () => {
          const slot = await real.take();
          slots.push(slot);
          return slot;
        },
        refund: real.refund && (() => (refunds++, real.refund!())),
      };
    };
    const ds = [make(platform, { ratePerSecond: rate, limiter: limiter() })];
    if (mode === 'redis') {
      const second = openDb(t.url);
      pools.push(second);
      ds.push(make(platform, { ratePerSecond: rate, limiter: limiter() }, second));
    }
    try {
      const done = await Promise.all(ds.map((d) => d.drain({ settle: true, timeoutMs: 30_000 })));
      expect(platform.delivered.size).toBe(n);
      expect(platform.duplicates()).toEqual([]);
      if (mode === 'redis') expect(done.every((c) => c.sent > 0)).toBe(true);
    } finally {
      await redis?.del(key);
      redis?.disconnect();
    }
    // Every call went through the limiter (a slot given back was not used for a call)…
    expect(platform.calls.length).toBe(slots.length - refunds);
    // …and the slots it handed out, to one dispatcher or two, hold `rate` in any one second.
    expect(maxInWindow(slots)).toBeLessThanOrEqual(rate + refunds);
  });

  if (mode === 'redis') it('also works with bull\'s own limiter', async () => {
    const keys = await addRows(t.db, 30);
    const platform = createRateCappedPlatform({ failureRate: 0.2, seed: 3 });
    const d = make(platform, { redisLimiter: 'bull', ratePerSecond: 200, limiterWindowMs: 100 });
    await d.drain({ settle: true, timeoutMs: 10_000 });
    expect([...platform.delivered.keys()].sort()).toEqual(keys);
    expect(platform.duplicates()).toEqual([]);
  });

  it('two dispatchers on one database deliver 300 rows exactly once despite failures', async () => {
    const keys = await addRows(t.db, 300);
    const platform = createRateCappedPlatform({ failureRate: 0.2, seed: 7, latencyMs: [1, 8] });
    const second = openDb(t.url);
    pools.push(second);
    const a = make(platform, { maxAttempts: 12, baseBackoffMs: 5, maxBackoffMs: 40, batch: 40 });
    const b = make(platform, { maxAttempts: 12, baseBackoffMs: 5, maxBackoffMs: 40, batch: 40 }, second);
    const [ra, rb] = await Promise.all([a.drain({ settle: true, timeoutMs: 14_000 }), b.drain({ settle: true, timeoutMs: 14_000 })]);
    expect(platform.duplicates()).toEqual([]);
    expect([...platform.delivered.keys()].sort()).toEqual(keys);
    expect(ra.sent + rb.sent).toBe(300);
    expect(ra.sent).toBeGreaterThan(0);
    expect(rb.sent).toBeGreaterThan(0);
    expect(ra.dead + rb.dead).toBe(0);
    // Both read the same due rows: claims were really contested.
    if (mode === 'in-process') expect(ra.conflicts + rb.conflicts).toBeGreaterThan(0);
    expect(platform.tally()['5xx'] + platform.tally().throttled).toBeGreaterThan(20);
    const states = (await t.db('outbox').select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number | string }>;
    expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['sent', 300]]);
  });
});

// The rate limiters judged by what they decide, never by wall-clock spacing on a shared machine:
// the in-process bucket against an injected clock, the Redis bucket by the slots its script hands
// out (on Redis's own clock) to two clients at once.

import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenBucket, createTokenBucket } from '../../bot/rate-limit.ts';
import { maxInWindow } from './slots.ts';

describe('in-process token bucket (injected clock)', () => {
  it('spaces a backlog exactly 1/rate apart: at most `rate` slots in any second', () => {
    let now = 5_000;
    const b = createTokenBucket({ ratePerSecond: 20, now: () => now });
    const slots = Array.from({ length: 100 }, () => b.reserve().slot);
    expect(slots[0]).toBe(5_000);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeCloseTo(50, 6);
    expect(maxInWindow(slots)).toBe(20);
    // Time passes while the backlog drains; new takers queue behind it, not beside it.
    now += 1_000;
    const later = b.reserve();
    expect(later.slot).toBeCloseTo(slots[99] + 50, 6);
    expect(later.waitMs).toBeCloseTo(slots[99] + 50 - now, 6);
  });

  it('after an idle spell gives at most `burst` slots at once, then the rate again', () => {
    let now = 0;
    const b = createTokenBucket({ ratePerSecond: 10, burst: 3, now: () => now });
    b.reserve();
    now = 60_000; // a minute idle: the bucket holds `burst`, not 600
    const slots = Array.from({ length: 13 }, () => b.reserve().slot);
    expect(slots.slice(0, 3)).toEqual([60_000, 60_000, 60_000]);
    expect(maxInWindow(slots)).toBeLessThanOrEqual(10 + 3);
    expect(slots[12] - slots[2]).toBeCloseTo(1_000, 6);
  });

  it('a refunded slot is handed to the next taker, so slots that lead to calls stay within the rate', () => {
    let now = 0;
    const b = createTokenBucket({ ratePerSecond: 20, now: () => now });
    const used: number[] = [];
    for (let i = 0; i < 200; i++) {
      const { slot } = b.reserve();
      now = Math.max(now, slot);
      if (i % 7 === 3) b.refund!(); // a claim lost to another dispatcher: no call made
      else used.push(slot);
    }
    expect(maxInWindow(used)).toBeLessThanOrEqual(21);
  });

  it('take() waits for its slot and answers it', async () => {
    let now = 0;
    const b = createTokenBucket({ ratePerSecond: 1000, now: () => now });
    expect(await b.take()).toBe(0);
    now = 0.2;
    expect(await b.take()).toBeCloseTo(1, 6);
  });
});

const REDIS_URL = process.env.SANSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
describe.skipIf(process.env.SANSE_TEST_REDIS === 'off')('Redis token bucket (slots on Redis\'s clock)', () => {
  let a: Redis;
  let b: Redis;
  const key = `sanse-test:rate:${crypto.randomBytes(4).toString('hex')}`;
  beforeAll(() => {
    a = new Redis(REDIS_URL);
    b = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await a.del(key);
    a.disconnect();
    b.disconnect();
  });

  it('hands two clients taking at once one sequence of slots 1/rate apart', async () => {
    const rate = 20;
    const one = createRedisTokenBucket(a, key, rate);
    const two = createRedisTokenBucket(b, key, rate);
    const got = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).reserve()));
    const slots = got.map((g) => g.slot).sort((x, y) => x - y);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeCloseTo(1000 / rate, 2);
    expect(maxInWindow(slots)).toBe(rate);
    expect(new Set(slots).size).toBe(slots.length);
  });
});

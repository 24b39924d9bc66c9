// An in-process token bucket for outbound calls (the dispatcher's cap when there is no Redis).
//
// Reservation style (like a GCRA): each take() reserves the next token and waits until it is
// due. Tokens refill from the clock, not from when a timer happened to fire, so a late timer
// does not lower the rate; with burst = 1 calls are spaced 1/rate apart, which keeps any
// sliding one-second window at about `ratePerSecond` calls.

export interface TokenBucketOptions {
  ratePerSecond: number;
  /** Tokens that may be spent at once after an idle spell (default 1: no bursts). */
  burst?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** What paces the dispatcher's calls: take() waits for the call's slot and answers it. */
export interface RateLimiter {
  readonly ratePerSecond: number;
  /** Waits until the next slot is due; answers the slot (ms on the limiter's clock). */
  take(): Promise<number>;
  /** Gives back a slot taken for a call that was not made after all (in-process only). */
  refund?(): void;
}

export interface TokenBucket extends RateLimiter {
  /** Reserves the next token: the slot it is due at and how long until then (ms, on the bucket's clock). */
  reserve(): { slot: number; waitMs: number };
  /** Waits until a token is due, and takes it; answers its slot. */
  take(): Promise<number>;
  /** Takes a token if one is available now, without waiting. */
  tryTake(): boolean;
  /** Gives back a token taken for a call that was not made after all. */
  refund(): void;
  /** Milliseconds until the next token is due (0 when one is available now). */
  waitMs(): number;
}

export function createTokenBucket(opts: TokenBucketOptions): TokenBucket {
  const rate = opts.ratePerSecond;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`ratePerSecond must be a positive number (got ${rate})`);
  const burst = Math.max(1, opts.burst ?? 1);
  const now = opts.now ?? (() => performance.now());
  const perMs = rate / 1000;
  // Tokens may go negative: a negative balance is the queue of reservations not yet due.
  let tokens = burst;
  let last = now();

  function refill(): number {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) * perMs);
    last = t;
    return t;
  }

  function reserve(): { slot: number; waitMs: number } {
    const t = refill();
    tokens -= 1;
    const waitMs = tokens >= 0 ? 0 : -tokens / perMs;
    return { slot: t + waitMs, waitMs };
  }

  return {
    ratePerSecond: rate,
    reserve,
    take() {
      const { slot, waitMs } = reserve();
      if (waitMs <= 0) return Promise.resolve(slot);
      return new Promise((resolve) => setTimeout(() => resolve(slot), Math.ceil(waitMs)));
    },
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    refund() {
      refill();
      tokens = Math.min(burst, tokens + 1);
    },
    waitMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / perMs);
    },
  };
}

/** The part of an ioredis client the shared bucket needs (bull's queue.client is one). */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

// GCRA on Redis: the key holds the theoretical time (Redis's clock, ms) of the next call; each
// take reserves the slot 1/rate after the last one and waits for it. One key shared by every
// process makes the cap global, and the even spacing keeps a sliding second at about `rate`
// calls. Slots are kept when a timer fires late (no rate is lost to timer lateness), so a
// process that stalls sends its overdue calls together: keep the rate a few per cent under the
// platform's cap, and let the rare throttling answer be retried like any other.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
redis.call('SET', KEYS[1], string.format('%.3f', tat + interval), 'PX', math.ceil(tat + interval - now) + 1000)
return string.format('%.3f %.3f', tat - now, tat)
`;

/** A token bucket shared through Redis: about ratePerSecond takes per second across all processes. */
export function createRedisTokenBucket(client: RedisEval, key: string, ratePerSecond: number): RateLimiter & { reserve(): Promise<{ slot: number; waitMs: number }> } {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new Error(`ratePerSecond must be a positive number (got ${ratePerSecond})`);
  const interval = 1000 / ratePerSecond;
  async function reserve(): Promise<{ slot: number; waitMs: number }> {
    const [wait, slot] = String(await client.eval(RESERVE, 1, key, interval.toFixed(3))).split(' ').map(Number);
    return { slot, waitMs: wait };
  }
  return {
    ratePerSecond,
    reserve,
    async take() {
      const { slot, waitMs } = await reserve();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, Math.ceil(waitMs)));
      return slot;
    },
  };
}

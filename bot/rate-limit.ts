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

export interface TokenBucket {
  readonly ratePerSecond: number;
  /** Waits until a token is due, and takes it. */
  take(): Promise<void>;
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

  return {
    ratePerSecond: rate,
    take() {
      refill();
      tokens -= 1;
      if (tokens >= 0) return Promise.resolve();
      const wait = -tokens / perMs;
      return new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
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
return string.format('%.3f', tat - now)
`;

/** A token bucket shared through Redis: about ratePerSecond takes per second across all processes. */
export function createRedisTokenBucket(client: RedisEval, key: string, ratePerSecond: number): Pick<TokenBucket, 'ratePerSecond' | 'take'> {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new Error(`ratePerSecond must be a positive number (got ${ratePerSecond})`);
  const interval = 1000 / ratePerSecond;
  return {
    ratePerSecond,
    async take() {
      const wait = Number(await client.eval(RESERVE, 1, key, interval.toFixed(3)));
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
    },
  };
}

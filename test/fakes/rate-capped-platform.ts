// A fake chat platform for the dispatcher's tests and bench: it enforces a rate cap over a
// sliding one-second window (a call over the cap is refused with a retryable throttling error
// carrying retryAfterMs, as DingTalk's QpsLimit answers), fails a share of the admitted calls at
// random (seeded) with a 5xx or a throttling answer, and records every successful delivery by
// dedup key, so that duplicates and losses can be counted.

import { PlatformError, type ChatPlatform, type Delivery } from '../../bot/platform.ts';

export interface RateCappedOptions {
  /** Calls admitted in any sliding 1 s window (default: no cap). */
  capPerSecond?: number;
  /** Share of admitted calls that fail at random, 0…1 (default 0). */
  failureRate?: number;
  /** Of those failures, the share answered as throttling rather than 5xx (default 0.5). */
  throttleShare?: number;
  /** retryAfterMs carried by a random throttling answer (default 100). */
  throttleRetryAfterMs?: number;
  /** Seed of the random failures (default 1). */
  seed?: number;
  /** Simulated call time in ms, uniform in [min, max] (default 0). */
  latencyMs?: [number, number];
  /** Dedup keys that always fail, and how. */
  alwaysFail?: Record<string, 'retryable' | 'fatal'>;
  /** Answers for the first calls of a key, in order (then the call succeeds). */
  script?: Record<string, Array<'5xx' | 'throttle' | 'fatal'>>;
  /** retryAfterMs carried by a scripted throttling answer (default 300). */
  scriptRetryAfterMs?: number;
  /** Text of the non-retryable error (default: an invalid conversation id). */
  fatalMessage?: string;
}

export interface CallRecord {
  at: number;
  dedupKey: string;
  outcome: 'ok' | 'capped' | '5xx' | 'throttled' | 'fatal';
}

export interface RateCappedPlatform extends ChatPlatform {
  /** Successful deliveries per dedup key. */
  readonly delivered: Map<string, number>;
  /** Every call in order. */
  readonly calls: CallRecord[];
  /** Keys delivered more than once. */
  duplicates(): string[];
  /** The most admitted calls (refused by the cap not counted) in any sliding 1 s window. */
  maxInWindow(windowMs?: number): number;
  /** Calls by outcome. */
  tally(): Record<CallRecord['outcome'], number>;
}

/** mulberry32: small, seeded, good enough for fault injection. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRateCappedPlatform(opts: RateCappedOptions = {}): RateCappedPlatform {
  const cap = opts.capPerSecond ?? Infinity;
  const failureRate = opts.failureRate ?? 0;
  const throttleShare = opts.throttleShare ?? 0.5;
  const rnd = seededRandom(opts.seed ?? 1);
  const delivered = new Map<string, number>();
  const calls: CallRecord[] = [];
  /** Times of admitted calls in the last second (a queue: head index instead of shifting). */
  const window: number[] = [];
  let head = 0;
  const now = () => performance.now();

  async function deliver(d: Delivery, dedupKey: string): Promise<void> {
    if (!d || typeof d !== 'object' || !('op' in d)) throw new PlatformError('请求格式错误', false, undefined, 'InvalidParameter');
    const at = now();
    while (head < window.length && window[head] <= at - 1000) head++;
    if (head > 4096) {
      window.splice(0, head);
      head = 0;
    }
    if (window.length - head >= cap) {
      calls.push({ at, dedupKey, outcome: 'capped' });
      const retryAfterMs = Math.max(1, Math.ceil(window[head] + 1000 - at));
      throw new PlatformError('调用频率超过限制', true, retryAfterMs, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
    }
    window.push(at);
    if (opts.latencyMs) {
      const [lo, hi] = opts.latencyMs;
      await new Promise((r) => setTimeout(r, lo + rnd() * (hi - lo)));
    }
    const scripted = opts.script?.[dedupKey]?.shift();
    if (scripted === 'throttle') {
      calls.push({ at, dedupKey, outcome: 'throttled' });
      throw new PlatformError('调用频率超过限制', true, opts.scriptRetryAfterMs ?? 300, 'Forbidden.AccessDenied.QpsLimitForApi');
    }
    const forced = scripted ?? opts.alwaysFail?.[dedupKey];
    if (forced === 'fatal') {
      calls.push({ at, dedupKey, outcome: 'fatal' });
      throw new PlatformError(opts.fatalMessage ?? '无效的会话（openConversationId 不存在）', false, undefined, 'InvalidParameter.openConversationId');
    }
    if (forced === 'retryable' || forced === '5xx') {
      calls.push({ at, dedupKey, outcome: '5xx' });
      throw new PlatformError('服务暂不可用（HTTP 503）', true, undefined, 'ServiceUnavailable');
    }
    if (failureRate > 0 && rnd() < failureRate) {
      if (rnd() < throttleShare) {
        calls.push({ at, dedupKey, outcome: 'throttled' });
        throw new PlatformError('调用频率超过限制', true, opts.throttleRetryAfterMs ?? 100, 'Forbidden.AccessDenied.QpsLimitForApi');
      }
      calls.push({ at, dedupKey, outcome: '5xx' });
      throw new PlatformError('服务暂不可用（HTTP 503）', true, undefined, 'ServiceUnavailable');
    }
    calls.push({ at, dedupKey, outcome: 'ok' });
    delivered.set(dedupKey, (delivered.get(dedupKey) ?? 0) + 1);
  }

  return {
    name: 'sandbox',
    delivered,
    calls,
    deliver,
    async start() {},
    async stop() {},
    duplicates: () => [...delivered].filter(([, n]) => n > 1).map(([k]) => k),
    maxInWindow(windowMs = 1000) {
      const times = calls.filter((c) => c.outcome !== 'capped').map((c) => c.at).sort((x, y) => x - y);
      let best = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= windowMs) j++;
        best = Math.max(best, i - j + 1);
      }
      return best;
    },
    tally() {
      const t = { ok: 0, capped: 0, '5xx': 0, throttled: 0, fatal: 0 };
      for (const c of calls) t[c.outcome]++;
      return t;
    },
  };
}

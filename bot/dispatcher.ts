// The dispatcher: the only code that sends. It takes due outbox rows (db/outbox.ts writes
// them), claims each one in the database, hands it to the platform and records the outcome.
//
// Exactly once per dedup key, across any number of dispatcher processes:
// - the dedup key is unique in the table, so there is one row per key;
// - a row is sent only by the dispatcher whose claim changed it (an atomic conditional UPDATE
//   from pending, or from a 'sending' row whose lock has expired, to 'sending' with a new lock);
// - 'sent' is final: nothing moves a row out of it.
// The one window left is a dispatcher that dies after the platform accepted a call and before
// it recorded 'sent': the lock expires, another dispatcher reclaims the row and calls again.
// Platforms are required to take a repeated call with the same dedup key (ChatPlatform.deliver,
// told the attempt: DingTalk updates a card by its outTrackId on a repeat rather than creating it
// again), and a long call keeps its lock alive, so this stays a crash-only case. A plain group
// message has no key on DingTalk's side: one in flight at a crash can arrive twice.
//
// Two running modes, as in DESIGN.md:
// - in-process (no Redis): one loop polls due rows, a token bucket (bot/rate-limit.ts) paces
//   the calls and a few of them run at once. The cap is per process.
// - Redis: a bull queue; job id = outbox id (a row is never queued twice at once); each process
//   polls due rows into the queue and runs workers, and a worker still claims the row in the
//   database before it sends. The cap is global: by default a token bucket kept in Redis
//   (bot/rate-limit.ts, taken after the claim); or, with redisLimiter 'bull', the queue's own
//   limiter {max, duration}, which measured at 65–80 % of the rate with bursts over it
//   (fixed windows, and rate-limited jobs parked in the delayed set with 10 % slack).
// Set ratePerSecond a few per cent under the platform's documented limit: calls leave evenly
// spaced, but a stalled event loop or network jitter can bunch a few of them.

import Bull from 'bull';
import type { Knex } from 'knex';
import { nowMoment } from '../db/clock.ts';
import { claimOutboxRow, dueOutboxIds, isoMs, outboxBacklog, outboxRowToSend, updateClaimedOutboxRow, type ClaimedRowChange } from '../db/outbox.ts';
import { countApiCalls } from '../db/api-calls.ts';
import { todayInShanghai } from '../core/dates.ts';
import { callsOfDelivery, PlatformError, reachedPlatform, type ApiCallKind, type ChatPlatform, type Delivery } from './platform.ts';
import { createRedisTokenBucket, createTokenBucket, type RateLimiter } from './rate-limit.ts';

export interface DispatcherLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface DispatcherOptions {
  /** redis://… for the bull queue (global rate limit); null or unset: in-process. */
  redisUrl?: string | null;
  /** Platform calls per second (global in Redis mode, per process otherwise). */
  ratePerSecond: number;
  /** Calls made for one row before it is declared dead (default 6). */
  maxAttempts?: number;
  /** First retry delay; doubles with each attempt, with jitter (default 2 s). */
  baseBackoffMs?: number;
  /** Longest retry delay (default 10 min). */
  maxBackoffMs?: number;
  /** How long a claim holds a row; renewed while a call lasts (default 60 s). */
  lockMs?: number;
  /** Rows read per poll (default 200). */
  batch?: number;
  log?: DispatcherLog;
  /** Calls in flight at once per process (default 24). */
  concurrency?: number;
  /** Poll interval when idle (default 1 s). */
  pollMs?: number;
  /** bull queue name and key prefix (tests use a unique prefix). */
  queueName?: string;
  queuePrefix?: string;
  /**
   * How Redis mode caps the rate across processes: 'bucket' (default), a token bucket kept in
   * Redis (GCRA: calls evenly spaced, taken after the claim); or 'bull', the queue's own limiter
   * {max, duration} (fixed windows: bursty, and it reaches only about 65–80 % of the rate).
   */
  redisLimiter?: 'bucket' | 'bull';
  /** The bull limiter window: {max: round(ratePerSecond * window / 1000), duration: window} (default 1000 ms). */
  limiterWindowMs?: number;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
  /**
   * What paces the calls (default: a token bucket at ratePerSecond, in this process or, in Redis
   * mode, shared through Redis). Tests wrap the real one to see the slots it decides.
   */
  limiter?: RateLimiter;
  /** Count the platform calls per month and kind (table api_calls; default true). */
  countCalls?: boolean;
}

export interface DispatcherCounters {
  /** Rows delivered and marked sent. */
  sent: number;
  /** Failed calls put back for a later attempt. */
  retried: number;
  /** Rows declared dead. */
  dead: number;
  /** Claims lost to another dispatcher (or to a row no longer due). */
  conflicts: number;
}

export interface DrainOptions {
  /** Also wait for rows backing off or locked by others, until no row is pending or sending. */
  settle?: boolean;
  /** Give up after this long (default: no limit). */
  timeoutMs?: number;
}

export interface Dispatcher {
  readonly mode: 'in-process' | 'redis';
  /** Runs until stop(): polls, claims, sends. */
  start(): Promise<void>;
  /** Stops polling, lets the calls in flight finish, closes the queue. After stop(), drain() does nothing. */
  stop(): Promise<void>;
  /** Processes until nothing is due (or, with settle, nothing is left to send); returns what this call did. */
  drain(opts?: DrainOptions): Promise<DispatcherCounters>;
  /** Totals since creation. */
  counters(): DispatcherCounters;
}


/** The retry delay after `attempts` calls (1, 2, …): exponential with jitter, at least retryAfterMs. */
export function backoffMs(attempts: number, o: { baseBackoffMs: number; maxBackoffMs: number; retryAfterMs?: number; random: () => number }): number {
  const exp = Math.min(o.maxBackoffMs, o.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + o.random() * (exp / 2);
  const floor = o.retryAfterMs && o.retryAfterMs > 0 ? o.retryAfterMs * (1 + 0.2 * o.random()) : 0;
  return Math.round(Math.max(jittered, floor));
}

/** An error text fit for last_error and logs: short, and without long digit runs (ID or phone numbers). */
export function safeErrorText(e: unknown): string {
  const err = e as { message?: unknown; code?: unknown };
  const code = e instanceof PlatformError && e.code ? `[${e.code}] ` : typeof err?.code === 'string' ? `[${err.code}] ` : '';
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  return (code + msg).replace(/\d{11,}[\dXx]?/g, '***').replace(/\s+/g, ' ').slice(0, 300);
}

type Outcome = 'sent' | 'retry' | 'dead' | 'conflict';

const NOOP_LOG: DispatcherLog = { info() {}, warn() {}, error() {} };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createDispatcher(db: Knex, platform: ChatPlatform, opts: DispatcherOptions): Dispatcher {
  const o = {
    maxAttempts: opts.maxAttempts ?? 6,
    baseBackoffMs: opts.baseBackoffMs ?? 2000,
    maxBackoffMs: opts.maxBackoffMs ?? 600_000,
    lockMs: opts.lockMs ?? 60_000,
    batch: opts.batch ?? 200,
    concurrency: opts.concurrency ?? 24,
    pollMs: opts.pollMs ?? 1000,
    random: opts.random ?? Math.random,
    log: opts.log ?? NOOP_LOG,
  };
  if (!(opts.ratePerSecond > 0)) throw new Error('ratePerSecond must be positive');
  if (o.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  const log = o.log;
  const totals: DispatcherCounters = { sent: 0, retried: 0, dead: 0, conflicts: 0 };
  /** Rows this process is working on (claimed or about to be). */
  const inflight = new Set<number>();

  // ---- the database side, shared by both modes -------------------------------------------

  /** Ids of rows that may be claimed now: stuck claims first, then pending rows by due time. */
  const dueIds = (limit: number): Promise<number[]> => dueOutboxIds(db, limit, isoMs(Date.now()));

  /** Counts of rows still to be sent, and when the next one of them may be claimed. */
  async function outstanding(): Promise<{ count: number; nextMs: number | null }> {
    let count = 0;
    let next: number | null = null;
    for (const r of await outboxBacklog(db)) {
      count += Number(r.n);
      const at = r.state === 'pending' ? r.due : r.lock;
      if (at) {
        const ms = Date.parse(at.endsWith('Z') ? at : `${at}Z`);
        if (!Number.isNaN(ms)) next = next === null ? ms : Math.min(next, ms);
      }
    }
    return { count, nextMs: next };
  }

  /** Retries a bookkeeping write a few times: losing it after a successful call would risk a second call. */
  async function write(what: string, id: number, fn: () => Promise<number>): Promise<number> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (i >= 5) throw e;
        log.warn({ id, err: safeErrorText(e) }, `outbox ${what}: write failed, retrying`);
        await sleep(100 * 2 ** i);
      }
    }
  }

  // ---- the month's call counts (消息额度) --------------------------------------------------
  // Each attempt's platform calls are added up here and written at most once a second (and when
  // a drain ends or the dispatcher stops), one upsert per month and kind: the budget needs the
  // day's figures, not a write per call on the hot path. A crash loses at most a second of counts.
  const unwritten = new Map<string, number>();
  let countTimer: ReturnType<typeof setTimeout> | null = null;
  let countWrites: Promise<void> = Promise.resolve();

  /** Notes the calls of one attempt: a success, or a failure that reached the platform. */
  function countCalls(delivery: Delivery, error: unknown): void {
    if (opts.countCalls === false) return;
    if (error && !reachedPlatform(error)) return;
    const month = todayInShanghai().slice(0, 7);
    for (const c of platform.callsOf ? platform.callsOf(delivery) : callsOfDelivery(delivery)) {
      if (c.n > 0) unwritten.set(`${month}|${c.kind}`, (unwritten.get(`${month}|${c.kind}`) ?? 0) + c.n);
    }
    if (!countTimer && unwritten.size) {
      countTimer = setTimeout(() => void writeCounts(), 1000);
      countTimer.unref?.();
    }
  }

  /** Writes the counts noted so far (serialised; a failed write keeps them for the next). */
  function writeCounts(): Promise<void> {
    if (countTimer) clearTimeout(countTimer);
    countTimer = null;
    countWrites = countWrites.then(async () => {
      if (!unwritten.size) return;
      const batch = [...unwritten];
      unwritten.clear();
      const byMonth = new Map<string, Array<{ kind: ApiCallKind; n: number }>>();
      for (const [key, n] of batch) {
        const [month, kind] = key.split('|');
        byMonth.set(month, [...(byMonth.get(month) ?? []), { kind: kind as ApiCallKind, n }]);
      }
      try {
        for (const [month, calls] of byMonth) await countApiCalls(db, month, platform.name, calls);
      } catch (e) {
        for (const [key, n] of batch) unwritten.set(key, (unwritten.get(key) ?? 0) + n);
        log.warn({ err: safeErrorText(e) }, 'outbox: call counts not written, kept for the next write');
      }
    });
    return countWrites;
  }

  /** Claims one row, sends it, records the outcome. */
  async function processRow(id: number, beforeCall?: () => Promise<void>): Promise<Outcome> {
    const now = Date.now();
    let lock = isoMs(now + o.lockMs);
    const nowText = isoMs(now);
    // The claim: only the dispatcher whose UPDATE changed the row goes on. attempts counts the
    // calls started, so a claim that a crash interrupted still counts.
    if (!(await claimOutboxRow(db, id, nowText, lock))) {
      totals.conflicts++;
      return 'conflict';
    }
    const row = await outboxRowToSend(db, id);
    if (!row) return 'conflict';
    const attempts = Number(row.attempts);
    /** Changes the row while this claim holds it (the lock as it is at the time of the call). */
    const mine = (change: ClaimedRowChange) => updateClaimedOutboxRow(db, id, lock, change);

    const fail = async (reason: string, retryable: boolean, retryAfterMs?: number): Promise<Outcome> => {
      if (retryable && attempts < o.maxAttempts) {
        const delay = backoffMs(attempts, { ...o, retryAfterMs, random: o.random });
        const n = await write('retry', id, () => mine({ state: 'pending', next_attempt_at: isoMs(Date.now() + delay), locked_until: null, last_error: reason }));
        if (Number(n) !== 1) log.warn({ id, dedupKey: row.dedup_key }, 'outbox: lock lost before recording a retry');
        totals.retried++;
        log.debug?.({ id, dedupKey: row.dedup_key, attempts, delay, err: reason }, 'outbox: call failed, will retry');
        return 'retry';
      }
      const n = await write('dead', id, () => mine({ state: 'dead', locked_until: null, last_error: reason }));
      if (Number(n) !== 1) log.warn({ id, dedupKey: row.dedup_key }, 'outbox: lock lost before recording a dead row');
      totals.dead++;
      log.warn({ id, dedupKey: row.dedup_key, attempts, err: reason }, 'outbox: row is dead');
      return 'dead';
    };

    if (attempts > o.maxAttempts) return fail('发送多次中断（发送进程在调用期间退出），不再重试', false);
    let delivery: Delivery;
    try {
      delivery = JSON.parse(row.payload) as Delivery;
    } catch {
      return fail('消息内容无法解析（payload 不是合法的 JSON）', false);
    }

    // Keep the claim alive while the call (and the wait for a slot before it) lasts, so nobody
    // reclaims a row being sent.
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(() => {
      const next = isoMs(Date.now() + o.lockMs);
      renewing = mine({ locked_until: next }).then(
        (n) => {
          if (Number(n) === 1) lock = next;
          else log.warn({ id, dedupKey: row.dedup_key }, 'outbox: lock lost during a call');
        },
        (e) => log.warn({ id, err: safeErrorText(e) }, 'outbox: lock renewal failed'),
      );
    }, Math.max(1000, Math.floor(o.lockMs / 3)));
    // The shared rate limit (Redis mode) is taken after the claim, so a lost claim costs no slot.
    if (beforeCall) {
      try {
        await beforeCall();
      } catch (e) {
        clearInterval(renew);
        await renewing;
        // No call was made: hand the row back as it was.
        await write('release', id, () => mine({ state: 'pending', attempts: attempts - 1, locked_until: null }));
        throw e;
      }
    }
    let error: unknown = null;
    try {
      await platform.deliver(delivery, String(row.dedup_key), attempts);
    } catch (e) {
      error = e ?? new Error('unknown error');
    } finally {
      clearInterval(renew);
      await renewing;
    }
    countCalls(delivery, error);

    if (error) {
      const reason = safeErrorText(error);
      // Anything but a PlatformError (a network failure inside an adapter, say) is taken as transient.
      if (error instanceof PlatformError) return fail(reason, error.retryable, error.retryAfterMs);
      return fail(reason, true);
    }
    const n = await write('sent', id, () => mine({ state: 'sent', sent_at: nowMoment(), locked_until: null, last_error: null }));
    if (Number(n) !== 1) log.warn({ id, dedupKey: row.dedup_key }, 'outbox: lock lost before recording sent');
    totals.sent++;
    return 'sent';
  }

  async function run(id: number, beforeCall?: () => Promise<void>): Promise<Outcome> {
    inflight.add(id);
    try {
      return await processRow(id, beforeCall);
    } catch (e) {
      log.error({ id, err: safeErrorText(e) }, 'outbox: processing failed');
      return 'conflict';
    } finally {
      inflight.delete(id);
    }
  }

  // ---- drain loop, shared ---------------------------------------------------------------

  const snapshot = (): DispatcherCounters => ({ ...totals });
  const delta = (a: DispatcherCounters): DispatcherCounters => ({
    sent: totals.sent - a.sent, retried: totals.retried - a.retried, dead: totals.dead - a.dead, conflicts: totals.conflicts - a.conflicts,
  });

  /**
   * Waits for the engine to work off due rows. `step` does one round of work and says whether it
   * found any; the loop ends when a round finds nothing and nothing is in flight here.
   */
  async function drainWith(step: () => Promise<boolean>, halted: () => boolean, d: DrainOptions = {}): Promise<DispatcherCounters> {
    const before = snapshot();
    const deadline = d.timeoutMs ? Date.now() + d.timeoutMs : Infinity;
    for (;;) {
      if (halted()) break;
      if (Date.now() > deadline) throw new Error(`outbox drain timed out after ${d.timeoutMs} ms`);
      const found = await step();
      if (found || inflight.size > 0) continue;
      if (!d.settle) break;
      const left = await outstanding();
      if (left.count === 0) break;
      const wait = left.nextMs === null ? o.pollMs : Math.min(o.pollMs, Math.max(5, left.nextMs - Date.now() + 2));
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
    }
    await writeCounts();
    return delta(before);
  }

  return opts.redisUrl ? redisMode(opts.redisUrl) : inProcessMode();

  // ---- in-process mode ------------------------------------------------------------------

  function inProcessMode(): Dispatcher {
    const bucket: RateLimiter = opts.limiter ?? createTokenBucket({ ratePerSecond: opts.ratePerSecond });
    let running: Promise<void> | null = null;
    let pumping: Promise<void> | null = null;
    let stopping = false;
    let wake: (() => void) | null = null;

    // Calls in flight are bounded by `concurrency` slots.
    let slots = o.concurrency;
    const slotWaiters: Array<() => void> = [];
    const idleWaiters: Array<() => void> = [];
    const acquire = () => (slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((r) => slotWaiters.push(r)));
    const release = () => {
      const next = slotWaiters.shift();
      if (next) next();
      else slots++;
      if (inflight.size === 0) for (const w of idleWaiters.splice(0)) w();
    };
    const idle = () => (inflight.size === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r)));

    // Due ids read ahead: the next batch is read while the last ones of this batch go out, so
    // the calls never wait for a poll.
    const queued: number[] = [];
    const queuedSet = new Set<number>();
    let fetching: Promise<number> | null = null;
    function refill(): Promise<number> {
      fetching ??= dueIds(o.batch + queued.length + inflight.size)
        .then((ids) => {
          let added = 0;
          for (const id of ids) {
            if (queuedSet.has(id) || inflight.has(id)) continue;
            queued.push(id);
            queuedSet.add(id);
            added++;
          }
          return added;
        })
        .catch((e) => {
          log.error({ err: safeErrorText(e) }, 'outbox: poll failed');
          return -1;
        })
        .finally(() => {
          fetching = null;
        });
      return fetching;
    }

    const pause = (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(() => {
          wake = null;
          r();
        }, ms);
        wake = () => {
          clearTimeout(t);
          wake = null;
          r();
        };
      });

    /** Sends due rows; with untilIdle, returns once nothing is due and nothing is in flight. */
    async function pump(untilIdle: boolean, deadline = Infinity): Promise<void> {
      while (!stopping && Date.now() <= deadline) {
        if (queued.length < o.batch / 2) {
          const more = refill();
          if (queued.length === 0) {
            const added = await more;
            if (added <= 0) {
              if (untilIdle) {
                if (inflight.size === 0 && added === 0) return;
                await (inflight.size > 0 ? idle() : pause(o.pollMs));
              } else {
                await pause(o.pollMs);
              }
              continue;
            }
          }
        }
        const id = queued.shift()!;
        queuedSet.delete(id);
        if (inflight.has(id)) continue;
        await acquire();
        await bucket.take();
        if (inflight.has(id) || stopping) {
          bucket.refund?.();
          release();
          continue;
        }
        void run(id)
          .then((r) => {
            if (r === 'conflict') bucket.refund?.();
          })
          .finally(release);
      }
    }

    function pumpOnce(untilIdle: boolean, deadline?: number): Promise<void> {
      pumping ??= pump(untilIdle, deadline).finally(() => {
        pumping = null;
      });
      return pumping;
    }

    return {
      mode: 'in-process',
      async start() {
        if (running) return;
        stopping = false;
        await pumping;
        running = pumpOnce(false);
        log.info({ ratePerSecond: opts.ratePerSecond, concurrency: o.concurrency }, 'outbox dispatcher started (in-process)');
      },
      async stop() {
        stopping = true;
        wake?.();
        await running;
        await pumping;
        running = null;
        await fetching;
        await idle();
        queued.length = 0;
        queuedSet.clear();
        await writeCounts();
      },
      async drain(d) {
        const deadline = d?.timeoutMs ? Date.now() + d.timeoutMs : undefined;
        return drainWith(async () => {
          if (!running) {
            await pumpOnce(true, deadline);
            return false;
          }
          // start() is pumping already: wake it (a kick after new rows) and wait until it has nothing due.
          if (stopping) return false;
          wake?.();
          await sleep(20);
          return queued.length > 0 || inflight.size > 0 || (await dueIds(1)).length > 0;
        }, () => stopping, d);
      },
      counters: snapshot,
    };
  }

  // ---- Redis mode (bull) ----------------------------------------------------------------

  function redisMode(redisUrl: string): Dispatcher {
    const windowMs = opts.limiterWindowMs ?? 1000;
    const max = Math.max(1, Math.round((opts.ratePerSecond * windowMs) / 1000));
    const useBull = opts.redisLimiter === 'bull';
    const queueName = opts.queueName ?? 'sanse-outbox';
    const prefix = opts.queuePrefix ?? 'bull';
    const queue = new Bull<{ id: number }>(queueName, redisUrl, {
      prefix,
      ...(useBull ? { limiter: { max, duration: windowMs } } : {}),
      settings: { lockDuration: Math.max(30_000, o.lockMs), stalledInterval: 30_000, maxStalledCount: 1, drainDelay: 1 },
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
    });
    queue.on('error', (e) => log.error({ err: safeErrorText(e) }, 'outbox queue error'));
    const shared = useBull ? null : (opts.limiter ?? createRedisTokenBucket(queue.client, `${prefix}:${queueName}:rate`, opts.ratePerSecond));
    const beforeCall = shared ? async () => void (await shared.take()) : undefined;
    let processing = false;
    let polling: Promise<void> | null = null;
    let stopping = false;
    let wake: (() => void) | null = null;
    /** Keep about this many jobs in the queue: enough to keep the workers busy, few enough to stay cheap. */
    const highWater = Math.max(o.batch, Math.ceil(opts.ratePerSecond * 2));

    /**
     * Rows this process put into the queue lately. Adding a queued row again is a no-op (same job
     * id) but still a round trip, so they are skipped for a while; the process that runs a job
     * forgets its row, so a row put back for a retry is queued again when it falls due.
     */
    const queuedAt = new Map<number, number>();
    const REQUEUE_AFTER_MS = 10_000;

    function ensureWorkers(): void {
      if (processing) return;
      processing = true;
      void queue.process(o.concurrency, async (job) => {
        const id = Number(job.data.id);
        try {
          await run(id, beforeCall);
        } finally {
          queuedAt.delete(id);
        }
      }).catch((e) => log.error({ err: safeErrorText(e) }, 'outbox queue worker stopped'));
    }

    /** Moves due rows into the queue; returns how many due rows there were. */
    async function feed(): Promise<number> {
      const ids = (await dueIds(highWater)).filter((id) => !inflight.has(id));
      if (ids.length === 0) return 0;
      const now = Date.now();
      for (const [id, at] of queuedAt) if (now - at > REQUEUE_AFTER_MS) queuedAt.delete(id);
      const counts = await queue.getJobCounts();
      const room = highWater - (counts.waiting + counts.delayed + counts.active);
      const fresh = ids.filter((id) => !queuedAt.has(id)).slice(0, Math.max(0, room));
      if (fresh.length > 0) {
        for (const id of fresh) queuedAt.set(id, now);
        await queue.addBulk(fresh.map((id) => ({ data: { id }, opts: { jobId: String(id) } })));
      }
      return ids.length;
    }

    async function loop(): Promise<void> {
      while (!stopping) {
        let due = 0;
        try {
          due = await feed();
        } catch (e) {
          log.error({ err: safeErrorText(e) }, 'outbox: poll failed');
        }
        if (stopping) break;
        // While there is a backlog, top the queue up often; when idle, poll slowly.
        const wait = due > 0 ? Math.min(o.pollMs, 100) : o.pollMs;
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = null;
      }
    }

    return {
      mode: 'redis',
      async start() {
        if (polling) return;
        stopping = false;
        await queue.isReady();
        ensureWorkers();
        polling = loop();
        log.info({ ratePerSecond: opts.ratePerSecond, limiter: useBull ? { max, duration: windowMs } : 'redis token bucket', concurrency: o.concurrency }, 'outbox dispatcher started (redis)');
      },
      async stop() {
        stopping = true;
        wake?.();
        await polling;
        polling = null;
        await queue.close();
        await writeCounts();
      },
      async drain(d) {
        if (stopping) return delta(snapshot());
        await queue.isReady();
        ensureWorkers();
        return drainWith(async () => {
          const due = await feed();
          if (due > 0 || inflight.size > 0) await sleep(50);
          return due > 0;
        }, () => stopping, d);
      },
      counters: snapshot,
    };
  }
}

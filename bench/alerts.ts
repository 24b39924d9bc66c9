// bench:alerts — the morning push: one alert card per unit, through the dispatcher, against a
// platform that caps the rate and fails a share of calls.
//
//   npm run bench:alerts [-- --units 10000 --cap 200 --db sqlite|mysql --redis --dispatchers 2
//                            --rate 194 --failure 0.1 --latency 5-40 --concurrency 24 --seed 1
//                            --limiter bucket|bull --window 1000 --per-second]
//
// Prints the use of the cap (calls the platform admitted per second / cap), deliveries per
// second, total time, lost (enqueued, neither delivered nor dead), duplicated (delivered more
// than once) and dead. Targets: ≥ 90 % of the cap, 0 lost, 0 duplicated.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Bull from 'bull';
import { createDispatcher, type Dispatcher } from '../bot/dispatcher.ts';
import { enqueue } from '../db/outbox.ts';
import type { Delivery } from '../bot/platform.ts';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../db/connection.ts';
import { createRateCappedPlatform, seededRandom } from '../test/fakes/rate-capped-platform.ts';

const { values: a } = parseArgs({
  options: {
    units: { type: 'string', default: '10000' },
    cap: { type: 'string', default: '200' },
    db: { type: 'string', default: 'sqlite' },
    redis: { type: 'boolean', default: false },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    dispatchers: { type: 'string' },
    rate: { type: 'string' },
    failure: { type: 'string', default: '0.1' },
    latency: { type: 'string', default: '5-40' },
    concurrency: { type: 'string' },
    window: { type: 'string' },
    limiter: { type: 'string', default: 'bucket' },
    seed: { type: 'string', default: '1' },
    'per-second': { type: 'boolean', default: false },
    mysql: { type: 'string', default: process.env.SANSE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306' },
  },
});

const units = Number(a.units);
const cap = Number(a.cap);
const dbKind = a.db === 'mysql' ? 'mysql' : 'sqlite';
const redisUrl = a.redis ? a['redis-url']! : null;
const dispatchers = Number(a.dispatchers ?? (redisUrl ? 2 : 1));
// The dispatcher is configured a little under the platform's cap: calls leave on schedule, but
// timers fire late now and then, and a late call bunched with the next one must not cross the cap.
const rate = Number(a.rate ?? Math.floor(cap * 0.97));
const failure = Number(a.failure);
const [latLo, latHi] = a.latency!.split('-').map(Number);
const seed = Number(a.seed);

const UNIT_KINDS = ['党政机关', '事业单位', '群团机关', '参公单位'];
const RULES = [
  ['P-RT-01', '退休人员未及时出编'], ['P-ID-02', '身份证号码与出生日期不一致'], ['U-QT-03', '实有人数超出核定编制'],
  ['U-LD-01', '领导职数超配'], ['P-ED-04', '学历信息缺失'], ['P-PS-02', '岗位类别与编制类型不符'],
  ['U-OR-05', '内设机构数量超过核定'], ['P-NM-01', '姓名含有非法字符'],
];

/** A unit digest card as the daily check writes it: realistic size (about 2–4 KB of JSON). */
function digest(i: number, rnd: () => number, date: string): { key: string; delivery: Delivery } {
  const code = `33060${String(200000 + i)}`;
  const name = `绍兴市越城区第${i + 1}${UNIT_KINDS[i % 4]}`;
  const n = 3 + Math.floor(rnd() * 10);
  const lines: string[] = [];
  let red = 0;
  for (let k = 0; k < n; k++) {
    const [rule, title] = RULES[Math.floor(rnd() * RULES.length)];
    const isRed = rnd() < 0.4;
    if (isRed) red++;
    lines.push(`- ${isRed ? '🔴' : '🟡'} ${title}（${rule}）：张*${k}，${isRed ? '已超过 3 个工作日未整改' : '新发现，请于 3 个工作日内整改'}`);
  }
  const text = `**${name}** ${date} 数据质量预警\n\n红灯 ${red} 项，黄灯 ${n - red} 项：\n\n${lines.join('\n')}\n\n请专管员点击下方按钮，在小程序中逐项核实并整改。`;
  const url = `https://sanse.example.gov.cn/m/unit/${code}/findings?date=${date}`;
  const cardId = `unit-digest:${code}:${date}`;
  const delivery: Delivery = {
    op: 'createCard',
    target: { kind: 'group', groupId: `cid${crypto.createHash('sha1').update(code).digest('base64url')}` },
    card: {
      template: 'alert',
      cardId,
      data: { unitName: name, unitCode: code, date, red: String(red), yellow: String(n - red), findings: text, detailUrl: url, atUserIds: JSON.stringify([`manager${i}`]) },
      fallback: { kind: 'actionCard', title: `${name} 数据质量预警`, text, buttons: [{ title: '查看并整改', url }] },
    },
  };
  return { key: cardId, delivery };
}

async function freshDb(): Promise<{ url: string; drop: () => Promise<void> }> {
  const tag = crypto.randomBytes(4).toString('hex');
  if (dbKind === 'mysql') {
    const name = `sanse_bench_${tag}`;
    const url = `${a.mysql}/${name}`;
    await ensureMysqlDatabase(url);
    return {
      url,
      drop: async () => {
        const admin = openDb(`${a.mysql}/mysql`);
        await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-'));
  return { url: `sqlite:${path.join(dir, 'bench.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Queues the digests through db/outbox.ts enqueue(), 500 to a transaction as the daily check does. */
async function fill(db: Db): Promise<{ keys: string[]; bytes: number }> {
  const rnd = seededRandom(seed + 7);
  const date = '2026-03-02';
  const keys: string[] = [];
  let bytes = 0;
  for (let start = 0; start < units; start += 500) {
    await db.transaction(async (trx) => {
      for (let i = start; i < Math.min(units, start + 500); i++) {
        const { key, delivery } = digest(i, rnd, date);
        bytes += Buffer.byteLength(JSON.stringify(delivery));
        keys.push(key);
        if (!(await enqueue(trx, key, delivery))) throw new Error(`duplicate dedup key ${key}`);
      }
    });
  }
  return { keys, bytes };
}

async function main(): Promise<void> {
  const target = await freshDb();
  const setup = openDb(target.url);
  await migrate(setup);
  const { keys, bytes } = await fill(setup);
  const platform = createRateCappedPlatform({ capPerSecond: cap, failureRate: failure, throttleShare: 0.5, seed, latencyMs: [latLo, latHi] });
  const prefix = `sanse-bench-${crypto.randomBytes(4).toString('hex')}`;
  const pools: Db[] = [];
  const ds: Dispatcher[] = [];
  for (let i = 0; i < dispatchers; i++) {
    const db = openDb(target.url);
    pools.push(db);
    ds.push(createDispatcher(db, platform, {
      redisUrl,
      // Without Redis each process has its own bucket: split the rate between them.
      ratePerSecond: redisUrl ? rate : rate / dispatchers,
      maxAttempts: 6,
      baseBackoffMs: 100,
      maxBackoffMs: 2000,
      lockMs: 30_000,
      batch: 200,
      concurrency: a.concurrency ? Number(a.concurrency) : undefined,
      pollMs: 200,
      queuePrefix: prefix,
      limiterWindowMs: a.window ? Number(a.window) : undefined,
      redisLimiter: a.limiter === 'bull' ? 'bull' : 'bucket',
      log: { info() {}, debug() {}, warn: (o, m) => console.warn('warn', m, o), error: (o, m) => console.error('error', m, o) },
    }));
  }

  console.log(`bench:alerts — ${units} unit digests (${(bytes / units / 1024).toFixed(1)} KB each), ${dbKind}, ${redisUrl ? `redis (bull queue, ${a.limiter === 'bull' ? 'bull limiter' : 'Redis token bucket'}, ${dispatchers} dispatchers)` : `in-process (${dispatchers} dispatcher${dispatchers > 1 ? 's' : ''})`}`);
  console.log(`platform cap ${cap}/s, ${Math.round(failure * 100)} % random failures (5xx or throttling), latency ${latLo}–${latHi} ms; dispatcher rate ${rate}/s`);
  const t0 = performance.now();
  try {
    await Promise.all(ds.map((d) => d.drain({ settle: true, timeoutMs: Math.max(120_000, (units / cap) * 3000) })));
  } finally {
    const secs = (performance.now() - t0) / 1000;
    for (const d of ds) await d.stop();
    const states = Object.fromEntries(((await setup('outbox').select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number }>).map((r) => [r.state, Number(r.n)]));
    const deadKeys = new Set<string>(await setup('outbox').where('state', 'dead').pluck('dedup_key'));
    const lost = keys.filter((k) => !platform.delivered.has(k) && !deadKeys.has(k)).length;
    const dup = platform.duplicates().length;
    const t = platform.tally();
    const admitted = t.ok + t['5xx'] + t.throttled + t.fatal;
    const deliveredRate = t.ok / secs;
    console.log(`total time           ${secs.toFixed(1)} s`);
    console.log(`achieved rate        ${(admitted / secs).toFixed(1)} calls/s admitted = ${((100 * admitted) / secs / cap).toFixed(1)} % of the cap (max in any 1 s window: ${platform.maxInWindow()})`);
    console.log(`deliveries           ${deliveredRate.toFixed(1)} /s = ${((100 * deliveredRate) / cap).toFixed(1)} % of the cap (at most ${Math.round((1 - failure) * 100)} % when ${Math.round(failure * 100)} % of calls fail)`);
    console.log(`calls                ok ${t.ok}, 5xx ${t['5xx']}, throttled at random ${t.throttled}, refused over the cap ${t.capped}`);
    console.log(`rows                 ${JSON.stringify(states)}`);
    console.log(`lost ${lost}, duplicated ${dup}, dead ${deadKeys.size}`);
    if (a['per-second']) {
      const first = platform.calls[0]?.at ?? t0;
      const h: number[] = [];
      for (const c of platform.calls) if (c.outcome !== 'capped') h[Math.floor((c.at - first) / 1000)] = (h[Math.floor((c.at - first) / 1000)] ?? 0) + 1;
      console.log(`calls per second     ${Array.from(h, (x) => x ?? 0).join(' ')}`);
      const capped = platform.calls.filter((c) => c.outcome === 'capped').map((c) => ((c.at - first) / 1000).toFixed(2));
      if (capped.length) console.log(`refused at (s)       ${capped.slice(0, 40).join(' ')}${capped.length > 40 ? ' …' : ''}`);
    }
    const ok = (100 * admitted) / secs / cap >= 90 && lost === 0 && dup === 0;
    console.log(ok ? 'targets met (≥ 90 % of the cap, 0 lost, 0 duplicated)' : 'TARGETS NOT MET');
    for (const p of pools) await p.destroy();
    await setup.destroy();
    await target.drop();
    if (redisUrl) {
      const q = new Bull('sanse-outbox', redisUrl, { prefix });
      await q.obliterate({ force: true });
      const keysLeft = await q.client.keys(`${prefix}:*`);
      if (keysLeft.length) await q.client.del(...keysLeft);
      await q.close();
    }
    process.exitCode = ok ? 0 : 1;
  }
}

await main();

// npm run bench:check -- --people N [--db mysql|sqlite] [--reuse] [--date D] [--samples N] (--help)
//
// Generates N people (about 15 per unit) with the demo's share of defects, times the first full
// check (findings opened) and a second one on the next working day (steady state), and in the
// same run a plain streamed scan of the people table (every column, rows discarded); prints both,
// their ratio, peak memory, and p50/p95 of a single-person re-check.


import os from 'node:os';
import { parseArgs } from 'node:util';
import { createCalendar } from '../core/calendar.ts';
import { checkEnv, recheck, runCheck } from '../db/check.ts';
import { migrate } from '../db/connection.ts';
import { createPiiCipher } from '../db/pii.ts';
import { scanTable } from '../db/scan.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { openBenchDb, pct } from './bench-db.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, db: { type: 'string' }, reuse: { type: 'boolean' }, date: { type: 'string' }, samples: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log([
    'npm run bench:check -- [--people N] [--db mysql|sqlite] [--reuse] [--date YYYY-MM-DD] [--samples N]',
    '  --people   people to generate (default 100000, about 15 per unit)',
    '  --db       sqlite (default) or mysql (127.0.0.1:3306)',
    '  --reuse    reuse the database an earlier run generated for the same N',
    '  --date     the first check\'s date (default 2026-11-23); the steady check runs on the next working day',
    '  --samples  single-person re-checks timed (default 300)',
    'Prints the first and steady check times, a plain scan, peak memory, re-check p50/p95, and',
    'byLight {yellow, red, hint}: open findings by light, 提示 (S3 rules) counted apart.',
  ].join('\n'));
  process.exit(0);
}
const N = Number(values.people ?? 100_000);
const kind = (values.db ?? 'sqlite') as 'mysql' | 'sqlite';
const DATE = values.date ?? '2026-11-23';
const SAMPLES = Number(values.samples ?? 300);
const cal = createCalendar();
const NEXT = cal.addWorkdays(DATE, 1);
const KEY = '0123456789abcdef0123456789abcdef';

const mb = (n: number) => Math.round(n / 1048576);
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T; rss: number; heap: number }> {
  if (global.gc) global.gc();
  peakRss = 0;
  peakHeap = 0;
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const m = process.memoryUsage();
  const out = { ms, value, rss: Math.max(peakRss, m.rss), heap: Math.max(peakHeap, m.heapUsed) };
  console.log(`${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(8)} s   peak RSS ${mb(out.rss)} MB, heap ${mb(out.heap)} MB`);
  return out;
}


async function main() {
  console.log(`bench:check  people=${N}  db=${kind}  date=${DATE} → ${NEXT}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, fresh, where } = await openBenchDb(kind, N, !!values.reuse);
  const pii = createPiiCipher(KEY);
  await migrate(db);
  if (fresh) {
    const units = Math.max(1, Math.round(N / 15));
    await timed(`generate + load ${N} people`, async () => {
      const county = generateCounty({ units, people: N, seed: 7, today: DATE });
      const ids = await bulkLoadUnits(db, county);
      return bulkLoadPeople(db, pii, county, ids, (n) => { if (n % 100_000 === 0) process.stdout.write(`  … ${n}\n`); });
    });
    if (kind === 'mysql') await db.raw('ANALYZE TABLE people, workers, units, findings');
  } else {
    console.log(`reusing ${where}`);
    await db('findings').delete();
    await db('unit_daily_lights').delete();
    await db('unit_monthly_status').delete();
    await db('sanctions').delete();
    await db('check_runs').delete();
  }

  const first = await timed('first check (findings opened)', () => runCheck(db, DATE));
  const scan = await timed('plain scan of people (all columns)', () => scanTable(db, 'people', '*', () => {}));
  const steady = await timed('steady-state check (next workday)', () => runCheck(db, NEXT));

  const hashes = (await db('people').select('id_hash').whereNotNull('id_hash').orderByRaw(kind === 'mysql' ? 'RAND()' : 'RANDOM()').limit(SAMPLES)).map((r) => r.id_hash as string);
  const times: number[] = [];
  for (const h of hashes) {
    const t0 = performance.now();
    await recheck(db, { personHash: h }, NEXT, await checkEnv(db, NEXT));
    times.push(performance.now() - t0);
  }
  clearInterval(sampler);

  const f = first.value.findings;
  const result = {
    people: N, db: kind, units: first.value.units, workers: first.value.workers,
    firstCheckS: +(first.ms / 1000).toFixed(2), opened: f.opened, open: f.open, byLight: steady.value.findings.byLight,
    scanS: +(scan.ms / 1000).toFixed(2), steadyCheckS: +(steady.ms / 1000).toFixed(2), kept: steady.value.findings.kept,
    steadyOverScan: +(steady.ms / scan.ms).toFixed(2), firstOverScan: +(first.ms / scan.ms).toFixed(2),
    checkPeakRssMB: mb(Math.max(first.rss, steady.rss)), checkPeakHeapMB: mb(Math.max(first.heap, steady.heap)),
    recheckP50ms: +pct(times, 50).toFixed(1), recheckP95ms: +pct(times, 95).toFixed(1), recheckSamples: times.length,
  };
  console.log(`\nsteady check / plain scan = ${result.steadyOverScan}×   (first check / scan = ${result.firstOverScan}×)`);
  console.log(`re-check of one person: p50 ${result.recheckP50ms} ms, p95 ${result.recheckP95ms} ms over ${times.length} people`);
  console.log(`findings open: ${f.open} (${Object.keys(f.byRule).length} rules fired)`);
  console.log(`phases of the first check (ms): ${JSON.stringify(first.value.phases)}`);
  console.log(`phases of the steady check (ms): ${JSON.stringify(steady.value.phases)}`);
  console.log(JSON.stringify(result));
  await db.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});



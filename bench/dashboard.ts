// npm run bench:dashboard -- [--people N] [--db mysql|sqlite] [--reuse] [--samples N] [--date D] (--help)
//
// The 数据大屏's requests at scale: builds the county bench/check.ts builds (or, with --reuse, the
// database an earlier bench:check or bench:dashboard left for the same N: `sanse_bench_N`),
// runs the daily check once when no figures are stored yet, then calls every dashboard endpoint
// N times through the real fastify app (buildApp, fastify inject, a logged-in session), as the
// office (编办业务人员: every unit, the stored sums) and as a 单位领导 (the unit with the most
// units below it), and prints p50/p95 per endpoint and whether each is under the 300 ms target.
//
// ENDPOINTS is the one list of what is measured: the unit portrait and the town map add theirs.

import os from 'node:os';
import { parseArgs } from 'node:util';
import { runCheck } from '../db/check.ts';
import { migrate } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { createPiiCipher } from '../db/pii.ts';
import { subtreeIds } from '../db/scope.ts';
import { statsAsOf } from '../db/unit-stats.ts';
import { buildApp } from '../main/app.ts';
import { loadConfig } from '../server/config.ts';
import type { AppContext } from '../server/context.ts';
import { openBenchDb, pct } from './bench-db.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, db: { type: 'string' }, reuse: { type: 'boolean' }, samples: { type: 'string' }, date: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log([
    'npm run bench:dashboard -- [--people N] [--db mysql|sqlite] [--reuse] [--samples N] [--date YYYY-MM-DD]',
    '  --people   people of the county (default 1000000, about 15 per unit)',
    '  --db       mysql (default, 127.0.0.1:3306, database sanse_bench_N) or sqlite',
    '  --reuse    reuse the database an earlier bench:check / bench:dashboard made for the same N',
    '  --samples  calls per endpoint and role (default 50)',
    '  --date     the check\'s date when one runs (default 2026-11-23)',
    'Prints p50/p95 per endpoint, as the office and as a 单位领导; the target is p95 < 300 ms.',
  ].join('\n'));
  process.exit(0);
}
const N = Number(values.people ?? 1_000_000);
const kind = (values.db ?? 'mysql') as 'mysql' | 'sqlite';
const SAMPLES = Number(values.samples ?? 50);
const DATE = values.date ?? '2026-11-23';
const TARGET_MS = 300;
const KEY = '0123456789abcdef0123456789abcdef';

/** What the endpoints' urls may use: the unit a drill-down opens, the year after the figures. */
interface Ctx {
  unitOf: Record<'office' | 'unit', number>;
  nextYear: string;
  /** The town with the most units (for the 镇街三色图 with a town opened). */
  town: number;
}

/** Every endpoint measured, in the order printed. Add the portrait's and the town map's here. */
export const ENDPOINTS: Array<{ name: string; url: (c: Ctx, role: 'office' | 'unit') => string }> = [
  { name: 'quotas', url: () => '/api/dashboard/quotas' },
  { name: 'quotas 教育', url: () => `/api/dashboard/quotas?sector=${encodeURIComponent('教育')}` },
  { name: 'structure', url: () => '/api/dashboard/structure' },
  { name: 'structure 卫生', url: () => `/api/dashboard/structure?sector=${encodeURIComponent('卫生')}` },
  { name: 'quality', url: () => '/api/dashboard/quality' },
  { name: 'retirements', url: () => '/api/dashboard/retirements?years=5' },
  { name: 'drill 事业编制 实有', url: () => `/api/dashboard/drill?dim=onQuota&key=${encodeURIComponent('事业编制')}` },
  { name: 'drill 56岁及以上 教育', url: () => `/api/dashboard/drill?dim=age&key=${encodeURIComponent('56岁及以上')}&sector=${encodeURIComponent('教育')}` },
  { name: 'drill retire next year', url: (c) => `/api/dashboard/drill?dim=retire&key=${c.nextYear}` },
  { name: 'drill light yellow', url: () => '/api/dashboard/drill?dim=light&key=yellow' },
  { name: 'drill family accuracy', url: () => '/api/dashboard/drill?dim=family&key=accuracy' },
  { name: 'drill/people 在编', url: (c, r) => `/api/dashboard/drill/people?unit=${c.unitOf[r]}&dim=status&key=${encodeURIComponent('在编')}` },
  { name: 'drill/people accuracy', url: (c, r) => `/api/dashboard/drill/people?unit=${c.unitOf[r]}&dim=family&key=accuracy` },
  { name: 'portrait (busiest unit)', url: (c, r) => `/api/units/${c.unitOf[r]}/portrait` },
  { name: 'towns', url: () => '/api/towns' },
  { name: 'towns, one opened', url: (c) => `/api/towns?town=${c.town}` },
];


async function main() {
  console.log(`bench:dashboard  people=${N}  db=${kind}  samples=${SAMPLES}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, fresh, where } = await openBenchDb(kind, N, !!values.reuse);
  const pii = createPiiCipher(KEY);
  await migrate(db);
  if (fresh) {
    const t0 = performance.now();
    const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: DATE });
    const ids = await bulkLoadUnits(db, county);
    await bulkLoadPeople(db, pii, county, ids, (n) => { if (n % 100_000 === 0) process.stdout.write(`  … ${n}\n`); });
    if (kind === 'mysql') await db.raw('ANALYZE TABLE people, workers, units, findings');
    console.log(`generated and loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${where}`);
  }
  // A check when no figures are stored yet, or they are from before the check kept big subtrees' sums.
  if (!(await statsAsOf(db)) || !(await db('stat_sums').where('scope', 'like', 'tree:%').first('n'))) {
    const date = (await statsAsOf(db)) ?? DATE;
    const t0 = performance.now();
    await runCheck(db, date);
    console.log(`check of ${date} (figures stored) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (kind === 'mysql') await db.raw('ANALYZE TABLE findings, unit_stats, stat_sums, unit_daily_lights, unit_scores');
  const asOf = (await statsAsOf(db))!;

  // The two users: the office's, and the 单位领导 of the unit with the most units directly below it.
  const top = (await db('units').whereNotNull('parent_id').select('parent_id').count({ n: '*' }).groupBy('parent_id').orderBy('n', 'desc').first()) as Record<string, any>;
  const leaderUnit = Number(top.parent_id);
  const scope = await subtreeIds(db, leaderUnit);
  await db('users').whereIn('id', ['bench-dash-office', 'bench-dash-leader']).delete();
  await db('users').insert([
    { id: 'bench-dash-office', name: '大屏测试业务', role: '编办业务人员', unit_code: null, unit_id: null, created_at: '2026-11-23 08:00:00', updated_at: '2026-11-23 08:00:00' },
    { id: 'bench-dash-leader', name: '大屏测试领导', role: '单位领导', unit_code: null, unit_id: leaderUnit, created_at: '2026-11-23 08:00:00', updated_at: '2026-11-23 08:00:00' },
  ]);
  const busiest = async (ids: number[] | null) => {
    const q = db('unit_stats').where({ dim: 'status', key: '在编' });
    if (ids) q.whereIn('unit_id', ids);
    return Number(((await q.orderBy('n', 'desc').first('unit_id')) as Record<string, any>).unit_id);
  };
  const town = Number((await db('units as u').join('units as c', 'c.parent_id', 'u.id').where('u.nature', '乡镇(街道)机关').groupBy('u.id').orderByRaw('count(*) desc').first('u.id'))?.id ?? 0);
  const ctx: Ctx = { unitOf: { office: await busiest(null), unit: await busiest(scope) }, nextYear: String(Number(asOf.slice(0, 4)) + 1), town };
  console.log(`figures as of ${asOf}; 单位领导 of unit ${leaderUnit} (${scope.length} units in scope)`);

  process.env.LOG_LEVEL ??= 'silent';
  const config = loadConfig({ PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: '3000' });
  const appCtx: AppContext = { config, db, pii, close: async () => {} };
  const app = await buildApp(appCtx);
  await app.ready();
  const cookies: Record<'office' | 'unit', string> = { office: '', unit: '' };
  let ip = 10;
  for (const [role, id] of [['office', 'bench-dash-office'], ['unit', 'bench-dash-leader']] as const) {
    const res = await app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: id }, remoteAddress: `127.0.0.${ip++}` });
    if (res.statusCode !== 200) throw new Error(`login ${id}: ${res.statusCode} ${res.body}`);
    const c = res.cookies.find((x) => x.name === 'sanse_sid')!;
    cookies[role] = `sanse_sid=${c.value}`;
  }

  const rows: Array<{ endpoint: string; role: string; p50: number; p95: number; ok: boolean }> = [];
  console.log(`\n${'endpoint'.padEnd(26)} ${'role'.padEnd(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
  for (const e of ENDPOINTS) {
    for (const role of ['office', 'unit'] as const) {
      const url = e.url(ctx, role);
      const times: number[] = [];
      for (let i = 0; i < SAMPLES + 3; i++) {
        const t0 = performance.now();
        const res = await app.inject({ method: 'GET', url, headers: { cookie: cookies[role] } });
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`${url} as ${role}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        if (i >= 3) times.push(ms); // the first calls warm the caches
      }
      const r = { endpoint: e.name, role, p50: +pct(times, 50).toFixed(1), p95: +pct(times, 95).toFixed(1), ok: pct(times, 95) < TARGET_MS };
      rows.push(r);
      console.log(`${e.name.padEnd(26)} ${role.padEnd(8)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)}${r.ok ? '' : '   over 300 ms'}`);
    }
  }
  const slow = rows.filter((r) => !r.ok);
  console.log(slow.length ? `\n${slow.length} endpoint(s) over ${TARGET_MS} ms at p95` : `\nevery endpoint under ${TARGET_MS} ms at p95`);
  console.log(JSON.stringify({ people: N, db: kind, samples: SAMPLES, asOf, scopeUnits: scope.length, rows }));
  await app.close();
  await db.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Times GET /api/units/:id/portrait's reads and shaping (unitPortrait) and the towns' figures
// (listTowns) on a generated county on MariaDB (or SQLite): the largest units and a spread of
// others, p50/p95 per kind. Run: node --import tsx bench/portrait.ts --people 1000000 [--db sqlite]
// [--reuse]. (package.json has no script for it: the dashboard's bench:dashboard times the same
// endpoints.)

import os from 'node:os';
import { parseArgs } from 'node:util';
import { runCheck } from '../db/check.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { createPiiCipher } from '../db/pii.ts';
import { DEFAULT_TOWN_THRESHOLDS } from '../core/town-map.ts';
import { listTowns } from '../db/towns.ts';
import { unitPortrait } from '../server/routes/api/portrait.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '1000000' }, db: { type: 'string', default: 'mysql' }, reuse: { type: 'boolean', default: false } } });
const N = Number(values.people);
const DATE = '2026-11-23';
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function main() {
  const url = values.db === 'mysql' ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_portrait_${N}` : `sqlite:${os.tmpdir()}/sanse-bench-portrait-${N}.db`;
  if (values.db === 'mysql') await ensureMysqlDatabase(url);
  const db = openDb(url);
  const pii = createPiiCipher('5a6e5365c0ffee00112233445566778a');
  const fresh = !values.reuse || !(await db.schema.hasTable('people')) || Number((await db('people').count({ n: '*' }).first())?.n) !== N;
  await migrate(db);
  if (fresh) {
    const t0 = performance.now();
    const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: DATE });
    const ids = await bulkLoadUnits(db, county);
    await bulkLoadPeople(db, pii, county, ids);
    console.log(`loaded ${N} people in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const t1 = performance.now();
    await runCheck(db, DATE);
    console.log(`check in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  const big = (await db('people').where({ status: '在编' }).select('unit_id').count({ n: '*' }).groupBy('unit_id').orderBy('n', 'desc').limit(10)).map((r: any) => Number(r.unit_id));
  const all = (await db('units').select('id').orderBy('id')).map((r: any) => Number(r.id));
  const spread = Array.from({ length: 30 }, (_, i) => all[Math.floor((i * all.length) / 30)]);
  for (const [label, ids] of [['largest 10 units', big], ['30 units across the county', spread]] as const) {
    const ms: number[] = [];
    for (let round = 0; round < 3; round++) for (const id of ids) {
      const t = performance.now();
      await unitPortrait({ db, pii, today: DATE }, { role: '编办业务人员' }, id);
      ms.push(performance.now() - t);
    }
    console.log(`portrait, ${label.padEnd(28)} p50 ${pct(ms, 50).toFixed(1)} ms  p95 ${pct(ms, 95).toFixed(1)} ms  max ${Math.max(...ms).toFixed(1)} ms  (n=${ms.length})`);
  }
  const tm: number[] = [];
  for (let i = 0; i < 10; i++) { const t = performance.now(); await listTowns(db, null, DEFAULT_TOWN_THRESHOLDS); tm.push(performance.now() - t); }
  console.log(`towns (every town and its units)            p50 ${pct(tm, 50).toFixed(1)} ms  p95 ${pct(tm, 95).toFixed(1)} ms`);
  await db.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });

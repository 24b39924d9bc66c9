// node --import tsx bench/forecast-reports.ts [--people N] [--db mysql|sqlite] [--keep]
//
// The retirement forecast and the monthly reports on a generated county after its first check:
// p50/p95 of GET /api/forecast's query (whole county, one sector, one unit's subtree) and the time
// to build every report of a month. Its own database (sanse_bench_forecast_N), dropped at the end
// unless --keep.

import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { REPORTS } from '../core/report-defs.ts';
import { runCheck } from '../db/check.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { forecastOf } from '../db/forecast.ts';
import { createPiiCipher } from '../db/pii.ts';
import { generateReport, loadReportData } from '../db/reports.ts';
import { subtreeIds } from '../db/scope.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, db: { type: 'string', default: 'mysql' }, keep: { type: 'boolean' } } });
const N = Number(values.people);
const DATE = '2026-11-23';
const url = values.db === 'mysql' ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_forecast_${N}` : `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-fb-')), 'b.db')}`;
if (values.db === 'mysql') await ensureMysqlDatabase(url);
const db = openDb(url);
await migrate(db);
const pii = createPiiCipher('00112233445566778899aabbccddeeff');
let t0 = performance.now();
const county = generateCounty({ units: Math.round(N / 15), people: N, seed: 1, today: DATE });
const ids = await bulkLoadUnits(db, county);
await bulkLoadPeople(db, pii, county, ids);
console.log(`loaded ${N} people, ${ids.length} units in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
t0 = performance.now();
await runCheck(db, DATE);
console.log(`first check ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
async function time(label: string, fn: () => Promise<unknown>, n = 30) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  console.log(`${label.padEnd(36)} p50 ${pct(ms, 0.5).toFixed(1)} ms  p95 ${pct(ms, 0.95).toFixed(1)} ms`);
}
const parent = Number((await db('units').whereNotNull('parent_id').first('parent_id'))!.parent_id);
const scope = await subtreeIds(db, parent);
await time('forecast 5y, whole county', () => forecastOf(db, { years: 5 }));
await time('forecast 5y, sector 教育', () => forecastOf(db, { years: 5, sector: '教育' }));
await time(`forecast 5y, a subtree (${scope.length} units)`, () => forecastOf(db, { years: 5, scope }));
t0 = performance.now();
const data = await loadReportData(db, '2026-11');
const loaded = performance.now() - t0;
for (const def of REPORTS) {
  const s = performance.now();
  const { report, bytes } = await generateReport(db, def, '2026-11', data);
  console.log(`report ${def.title.padEnd(20)} ${report.rows} rows, ${bytes.length} bytes, ${(performance.now() - s).toFixed(0)} ms`);
}
console.log(`report figures loaded in ${loaded.toFixed(0)} ms`);
await db.destroy();
if (values.db === 'mysql' && !values.keep) {
  const admin = openDb(url.replace(/\/[^/]+$/, '/mysql'));
  await admin.raw(`DROP DATABASE IF EXISTS \`sanse_bench_forecast_${N}\``);
  await admin.destroy();
}

// 市县贯通 at a county's size: a generated county bulk-loaded into its own database, then its
// monthly snapshot exported (signed), imported on the same database as the city's copy, imported
// again (no change), and the steady daily check timed without a snapshot and with one (X-RG-01
// compares every unit and person, and stays silent: the copies agree); then one re-check of a unit
// with and without the snapshot. Run: node --import tsx bench/snapshot.ts --people 100000 [--db sqlite] [--reuse]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportSnapshot, importSnapshot, snapshotKeygen, trustCounty } from '../commands/snapshots.ts';
import { recheck, runCheck } from '../db/check.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { createPiiCipher } from '../db/pii.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';
import { pct } from './bench-db.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, db: { type: 'string', default: 'mysql' }, reuse: { type: 'boolean', default: false } } });
const N = Number(values.people);
const DATE = '2026-11-23';
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

async function main() {
  const url = values.db === 'mysql' ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_snapshot_${N}` : `sqlite:${os.tmpdir()}/sanse-bench-snapshot-${N}.db`;
  if (values.db === 'mysql') await ensureMysqlDatabase(url);
  else if (!values.reuse) for (const f of ['', '-wal', '-shm']) fs.rmSync(`${url.slice('sqlite:'.length)}${f}`, { force: true });
  const db = openDb(url);
  const pii = createPiiCipher('5a6e5365c0ffee00112233445566778a');
  const fresh = !values.reuse || !(await db.schema.hasTable('people')) || Number((await db('people').count({ n: '*' }).first())?.n) !== N;
  if (fresh && values.db === 'mysql') {
    await db.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1');
  }
  await migrate(db);
  if (fresh) {
    await db('county_snapshots').delete();
    const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: DATE });
    const ids = await bulkLoadUnits(db, county);
    await bulkLoadPeople(db, pii, county, ids);
    await runCheck(db, DATE);
  }
  await db('county_snapshots').delete();
  await db('county_snapshot_versions').delete();
  const region = String((await db('units').whereNotNull('region_code').first('region_code'))!.region_code);
  const checks = async (label: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) ms.push((await timed(() => runCheck(db, DATE)))[1]);
    console.log(`steady check ${label.padEnd(26)} ${ms.map(s).join(' / ')}`);
    return ms;
  };
  const unit = Number(((await db('people').select('unit_id').count({ n: '*' }).groupBy('unit_id').orderBy('n', 'desc').first()) as Record<string, unknown>).unit_id);
  const rechecks = async (label: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) ms.push((await timed(() => recheck(db, { unitId: unit }, DATE)))[1]);
    console.log(`re-check of the largest unit ${label.padEnd(12)} p50 ${pct(ms, 50).toFixed(1)} ms  p95 ${pct(ms, 95).toFixed(1)} ms`);
  };
  await checks('without a snapshot');
  await rechecks('without');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-snap-'));
  snapshotKeygen(dir);
  const file = path.join(dir, 'county.json.gz');
  const [ex, exMs] = await timed(() => exportSnapshot(db, { month: '2026-11', out: file, keyFile: path.join(dir, 'snapshot-signing.key'), region }));
  console.log(`export ${ex.units} units, ${ex.people} people: ${s(exMs)}, file ${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB`);
  await trustCounty(db, { id: 'bench' }, region, fs.readFileSync(path.join(dir, 'snapshot-signing.pub'), 'utf8'));
  const bytes = fs.readFileSync(file);
  const [, imMs] = await timed(() => importSnapshot(db, { id: 'bench' }, bytes));
  const [again, againMs] = await timed(() => importSnapshot(db, { id: 'bench' }, bytes));
  console.log(`import: ${s(imMs)}; the same file again: ${s(againMs)} (${again.message})`);
  await checks('with the snapshot (X-RG-01)');
  await rechecks('with');
  const open = Number((await db('findings').where({ rule: 'X-RG-01', status: 'open' }).count({ n: '*' }).first())!.n);
  console.log(`X-RG-01 open findings (copies agree): ${open}`);
  fs.rmSync(dir, { recursive: true, force: true });
  await db.destroy();
}

main().catch((e) => { console.error(e); process.exit(1); });

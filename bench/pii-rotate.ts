// npm run bench:pii-rotate -- [--people N] [--db mysql|sqlite] [--reuse] [--batch N] (--help)
//
// A full `sanse pii rotate` (commands/rotate-pii-key.ts) on a generated county: N people and
// their 编外 workers (the demo's generator), a 社保 row and a 工资统发 row (one month) for every
// person with a number, carrying the person's ciphertext and hash (re-encrypted), and a county
// snapshot naming every person by hash (the hash-only pass). The database is MariaDB
// `sanse_bench_pii_rotate_N` on 127.0.0.1:3306 (BENCH_MYSQL to change) or the SQLite file
// sanse-bench-pii-rotate-N.db in the temp folder; with --reuse a loaded one is kept, and each run
// rotates from the key its numbers are under to the other of two fixed keys. Prints each step's
// rows, seconds and rows/s, and the whole rotation's.

import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { rotatePiiKey } from '../commands/rotate-pii-key.ts';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { createPiiCipher, storedKeyId } from '../db/pii.ts';
import { rotationInProgress } from '../db/pii-rotation.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, db: { type: 'string' }, reuse: { type: 'boolean' }, batch: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log([
    'npm run bench:pii-rotate -- [--people N] [--db mysql|sqlite] [--reuse] [--batch N]',
    '  --people   people to generate (default 100000, about 15 per unit)',
    '  --db       sqlite (default) or mysql (127.0.0.1:3306, database sanse_bench_pii_rotate_N)',
    '  --reuse    keep the database an earlier run loaded for the same N (rotates it back)',
    '  --batch    rows per batch (default: the command\'s)',
    'Prints rows, seconds and rows/s of each step of the rotation and of the whole.',
  ].join('\n'));
  process.exit(0);
}
const N = Number(values.people ?? 100_000);
const kind = (values.db ?? 'sqlite') as 'mysql' | 'sqlite';
const BATCH = values.batch === undefined ? undefined : Number(values.batch);
const DATE = '2026-11-23';
const KEYS = ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'];
const AT = '2026-11-20 10:00:00';

async function openRotateDb(): Promise<{ db: Db; where: string }> {
  if (kind === 'mysql') {
    const url = `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_pii_rotate_${N}`;
    await ensureMysqlDatabase(url);
    return { db: openDb(url), where: url };
  }
  const file = `${os.tmpdir()}/sanse-bench-pii-rotate-${N}.db`;
  if (!values.reuse) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  return { db: openDb(`sqlite:${file}`), where: file };
}

const count = async (db: Db, t: string) => Number((await db(t).count({ n: '*' }).first())?.n ?? 0);

async function load(db: Db): Promise<void> {
  const t0 = performance.now();
  if (kind === 'mysql') {
    await db.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1');
  }
  await migrate(db);
  const pii = createPiiCipher(KEYS[0]);
  const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: DATE });
  const ids = await bulkLoadUnits(db, county);
  await bulkLoadPeople(db, pii, county, ids, (n) => { if (n % 200_000 === 0) console.log(`  … ${n}`); });
  const month = DATE.slice(0, 7);
  const [si] = await db('feed_imports').insert({ kind: '社保', month, file_name: 'bench-si.xlsx', rows: 0, by: 'bench', at: AT });
  await db.raw(`INSERT INTO feed_social_insurance (import_id, month, row_no, id_hash, id_masked, id_enc, id_valid, name, unit_id, status)
    SELECT ?, ?, p.id, p.id_hash, p.id_masked, p.id_enc, 1, p.name, p.unit_id, '参保' FROM people p WHERE p.id_hash IS NOT NULL`, [si, month]);
  const [py] = await db('feed_imports').insert({ kind: '工资统发', month, file_name: 'bench-payroll.xlsx', rows: 0, by: 'bench', at: AT });
  await db.raw(`INSERT INTO feed_payroll (import_id, month, row_no, id_hash, id_masked, id_enc, id_valid, name, unit_id, amount, paid)
    SELECT ?, ?, p.id, p.id_hash, p.id_masked, p.id_enc, 1, p.name, p.unit_id, 8000, 1 FROM people p WHERE p.id_hash IS NOT NULL`, [py, month]);
  const [sid] = await db('county_snapshots').insert({ region_code: '330604', month: '2026-10', sha256: 'a'.repeat(64), units: 0, people: N, created_at: '2026-11-01T00:00:00+08:00', imported_by: 'bench', imported_at: AT });
  await db.raw('INSERT INTO county_snapshot_people (snapshot_id, id_hash, id_masked, name) SELECT ?, p.id_hash, p.id_masked, p.name FROM people p WHERE p.id_hash IS NOT NULL', [sid]);
  if (kind === 'mysql') await db.raw('ANALYZE TABLE people, workers, feed_social_insurance, feed_payroll, county_snapshot_people');
  console.log(`generate + load: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Padded to 28 columns, a CJK character taking two. */
const pad = (s: string) => s + ' '.repeat(Math.max(1, 28 - [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));

async function main() {
  console.log(`bench:pii-rotate  people=${N}  db=${kind}  batch=${BATCH ?? 'default'}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, where } = await openRotateDb();
  await migrate(db);
  if (!values.reuse || (await count(db, 'people')) !== N) await load(db);
  else console.log(`reusing ${where}`);
  const ids = KEYS.map((k) => createPiiCipher(k).keyId);
  // From the key the numbers are under (or the one an unfinished rotation comes from) to the other.
  const pending = await rotationInProgress(db);
  const sample = await db('people').whereNotNull('id_enc').orderBy('id', 'desc').first('id_enc');
  const from = pending ? ids.indexOf(pending.from) : ids.indexOf(storedKeyId(String(sample.id_enc)) ?? '');
  if (from < 0) throw new Error('the bench database holds numbers under neither bench key');
  const pii = createPiiCipher(KEYS[1 - from], KEYS[from]);
  const tables = ['people', 'workers', 'feed_social_insurance', 'feed_payroll', 'county_snapshot_people'];
  const sizes = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(db, t)])));
  console.log(`rows: ${JSON.stringify(sizes)}; rotating ${ids[from]} → ${ids[1 - from]}`);

  // Steps timed from their progress lines: "第 i/n 步 title：待处理 N 行" … "  title：已处理 x / N 行".
  const steps: Array<{ title: string; rows: number; t0: number; t1: number }> = [];
  const t0 = performance.now();
  const r = await rotatePiiKey(db, pii, {
    actor: 'bench',
    batchSize: BATCH,
    progress(line) {
      const now = performance.now();
      const start = /^第 \d+\/\d+ 步 (.+)：待处理 ([\d,]+) 行/.exec(line);
      if (start) steps.push({ title: start[1], rows: Number(start[2].replaceAll(',', '')), t0: now, t1: now });
      else if (/：已处理 /.test(line) && steps.length) steps[steps.length - 1].t1 = now;
    },
  });
  const ms = performance.now() - t0;
  console.log(`\n${pad('step')}${'rows'.padStart(10)} ${'s'.padStart(8)} ${'rows/s'.padStart(9)}`);
  for (const s of steps) {
    const sec = (s.t1 - s.t0) / 1000;
    console.log(`${pad(s.title)}${String(s.rows).padStart(10)} ${sec.toFixed(2).padStart(8)} ${String(Math.round(s.rows / sec)).padStart(9)}`);
  }
  const rows = steps.reduce((a, s) => a + s.rows, 0);
  console.log(`${pad('whole rotation')}${String(rows).padStart(10)} ${(ms / 1000).toFixed(2).padStart(8)} ${String(Math.round(rows / (ms / 1000))).padStart(9)}`);
  console.log(JSON.stringify({
    people: N, db: kind, batch: BATCH ?? null, rows, seconds: +(ms / 1000).toFixed(2), rowsPerS: Math.round(rows / (ms / 1000)),
    steps: Object.fromEntries(steps.map((s) => [s.title, { rows: s.rows, s: +((s.t1 - s.t0) / 1000).toFixed(2), rowsPerS: Math.round(s.rows / ((s.t1 - s.t0) / 1000)) }])),
    rewritten: r.rows, unmapped: r.unmapped,
  }));
  await db.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The backup benchmark's own database (MariaDB `sanse_bench_backup_N`, or the SQLite file
// `sanse-bench-backup-N.db` in the temp folder), so that other benchmarks running at the same
// time never empty it; generated like bench:check's (bench-db.ts's loaders), reused with --reuse.

import fs from 'node:fs';
import os from 'node:os';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../db/connection.ts';
import { createPiiCipher } from '../db/pii.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

export const BENCH_PII_KEY = '0123456789abcdef0123456789abcdef';

export function benchBackupUrl(kind: 'mysql' | 'sqlite', n: number): string {
  return kind === 'mysql'
    ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_backup_${n}`
    : `sqlite:${os.tmpdir()}/sanse-bench-backup-${n}.db`;
}

/** Opens (and when needed generates) the backup benchmark's database of N people. */
export async function openBackupBenchDb(kind: 'mysql' | 'sqlite', n: number, reuse: boolean, log: (s: string) => void = console.log): Promise<{ db: Db; url: string; generatedMs: number | null }> {
  const url = benchBackupUrl(kind, n);
  if (kind === 'mysql') await ensureMysqlDatabase(url);
  else if (!reuse) { const f = url.slice('sqlite:'.length); for (const x of [f, `${f}-wal`, `${f}-shm`]) fs.rmSync(x, { force: true }); }
  let db = openDb(url);
  const has = reuse && (await db.schema.hasTable('people')) && Number((await db('people').count({ n: '*' }).first())?.n) === n;
  if (has) return { db, url, generatedMs: null };
  if (kind === 'mysql') {
    await db.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1');
  } else {
    await db.destroy();
    const f = url.slice('sqlite:'.length);
    for (const x of [f, `${f}-wal`, `${f}-shm`]) fs.rmSync(x, { force: true });
    db = openDb(url);
  }
  const t0 = performance.now();
  await migrate(db);
  const county = generateCounty({ units: Math.max(1, Math.round(n / 15)), people: n, seed: 7, today: '2026-11-23' });
  const ids = await bulkLoadUnits(db, county);
  await bulkLoadPeople(db, createPiiCipher(BENCH_PII_KEY), county, ids, (k) => { if (k % 100_000 === 0) log(`  … ${k}`); });
  return { db, url, generatedMs: performance.now() - t0 };
}

// `node --import tsx bench/backup-db.ts N mysql|sqlite`: generate only.
if (process.argv[1]?.endsWith('backup-db.ts')) {
  const n = Number(process.argv[2] ?? 100_000);
  const kind = (process.argv[3] ?? 'sqlite') as 'mysql' | 'sqlite';
  openBackupBenchDb(kind, n, true).then(async ({ db, url, generatedMs }) => {
    console.log(`${url}: ${generatedMs == null ? 'reused' : `generated in ${(generatedMs / 1000).toFixed(1)} s`}`);
    await db.destroy();
  }).catch((e) => { console.error(e); process.exit(1); });
}

// What the benchmarks share: the generated county's database (MariaDB `sanse_bench_N` on
// 127.0.0.1:3306, or a SQLite file in the temp folder), reused when asked and holding the same
// number of people, else emptied; and the percentile they print.

import fs from 'node:fs';
import os from 'node:os';
import { ensureMysqlDatabase, openDb, type Db } from '../db/connection.ts';

/** The bench database for N people; `fresh` when it was emptied (load the county again). */
export async function openBenchDb(kind: 'mysql' | 'sqlite', n: number, reuse: boolean): Promise<{ db: Db; fresh: boolean; where: string }> {
  if (kind === 'mysql') {
    const url = `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_${n}`;
    await ensureMysqlDatabase(url);
    const db = openDb(url);
    const has = reuse && (await db.schema.hasTable('people')) && Number((await db('people').count({ n: '*' }).first())?.n) === n;
    if (!has) {
      await db.raw('SET FOREIGN_KEY_CHECKS = 0');
      for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
      await db.raw('SET FOREIGN_KEY_CHECKS = 1');
    }
    return { db, fresh: !has, where: url };
  }
  const file = `${os.tmpdir()}/sanse-bench-${n}.db`;
  const has = reuse && fs.existsSync(file);
  if (!has) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  return { db: openDb(`sqlite:${file}`), fresh: !has, where: file };
}

/** The p-th percentile (0–100) of a list of timings. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

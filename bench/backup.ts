// npm run bench:backup -- [--people N] [--db sqlite|mysql] [--reuse] [--binlog]
//
// Times, on a generated county of N people (bench/backup-db.ts: its own database, reused with
// --reuse): a full backup (time, raw and stored size), an incremental after a day's worth of
// edits (1,000 people changed), a restore of the chain into an empty database, and the restore
// drill (restore + checksums of every table on both sides). On MariaDB the server at
// BENCH_MYSQL (default 127.0.0.1:3306) decides: without its binary log the incremental is a full
// dump (said in its notes).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restoreDrill, runBackup, type BackupSettings } from '../commands/backup.ts';
import { restoreBackup } from '../commands/restore.ts';
import { openDb } from '../db/connection.ts';
import { createPiiCipher } from '../db/pii.ts';
import { BENCH_PII_KEY, openBackupBenchDb } from './backup-db.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, db: { type: 'string' }, reuse: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('npm run bench:backup -- [--people N] [--db sqlite|mysql] [--reuse]\n  prints full backup, incremental, restore and drill times and sizes, and one JSON line');
  process.exit(0);
}
const N = Number(values.people ?? 100_000);
const kind = (values.db ?? 'sqlite') as 'mysql' | 'sqlite';
const pii = createPiiCipher(BENCH_PII_KEY);
const mb = (n: number) => (n / 1048576).toFixed(1);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(8)} s`);
  return { ms, value };
}

async function main() {
  console.log(`bench:backup  people=${N}  db=${kind}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, url, generatedMs } = await openBackupBenchDb(kind, N, !!values.reuse);
  console.log(generatedMs == null ? `reusing ${url}` : `generated ${url} in ${(generatedMs / 1000).toFixed(1)} s`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-backups-'));
  const settings: BackupSettings = { databaseUrl: url, backupDir: dir, keepDays: 92 };
  const out: Record<string, unknown> = { people: N, db: kind };
  try {
    if (kind === 'sqlite') out.fileMB = Number(mb(fs.statSync(url.slice('sqlite:'.length)).size));
    const full = await timed('full backup', () => runBackup({ settings, pii, kind: 'full', db }));
    console.log(`  raw ${mb(full.value.manifest.rawBytes)} MB → stored ${mb(full.value.manifest.storedBytes)} MB (gzip + SM4)`);
    Object.assign(out, { fullMs: Math.round(full.ms), fullRawMB: Number(mb(full.value.manifest.rawBytes)), fullStoredMB: Number(mb(full.value.manifest.storedBytes)) });
    // A day's edits: 1,000 people change their name.
    const ids = (await db('people').select('id').orderBy('id').limit(1000).offset(Math.floor(N / 3))).map((r) => Number(r.id));
    await db.transaction(async (trx) => {
      for (const id of ids) await trx('people').where({ id }).update({ name: `改${crypto.randomBytes(2).toString('hex')}` });
    });
    const inc = await timed('incremental backup (1,000 people edited)', () => runBackup({ settings, pii, kind: 'incremental', db }));
    for (const n of inc.value.notes) console.log(`  ${n}`);
    console.log(`  ${inc.value.manifest.kind}: raw ${mb(inc.value.manifest.rawBytes)} MB → stored ${mb(inc.value.manifest.storedBytes)} MB${inc.value.manifest.sqlite?.changedPages != null ? `, ${inc.value.manifest.sqlite.changedPages} pages changed of ${inc.value.manifest.sqlite.pageCount}` : ''}`);
    Object.assign(out, { incMs: Math.round(inc.ms), incKind: inc.value.manifest.kind, incStoredMB: Number(mb(inc.value.manifest.storedBytes)) });
    // Restore the chain into an empty database.
    const target = kind === 'sqlite' ? `sqlite:${path.join(dir, 'restored.db')}` : `${url}_restored`;
    const dropTarget = async () => {
      const admin = openDb(url);
      await admin.raw(`DROP DATABASE IF EXISTS \`${new URL(target).pathname.slice(1)}\``);
      await admin.destroy();
    };
    if (kind === 'mysql') await dropTarget();
    const restore = await timed('restore (full + incremental)', () => restoreBackup({ backupDir: dir, pii, to: inc.value.manifest.id, targetUrl: target }));
    out.restoreMs = Math.round(restore.ms);
    if (kind === 'mysql') await dropTarget();
    const drill = await timed('drill (restore + checksums of every table)', () => restoreDrill({ settings, pii, db }));
    console.log(`  restore ${(drill.value.restoreMs / 1000).toFixed(2)} s; ${drill.value.tables.length} tables, ${drill.value.ok ? 'all equal' : drill.value.tables.filter((t) => !t.same).map((t) => t.table).join(', ') + ' differ'}`);
    Object.assign(out, { drillMs: Math.round(drill.ms), drillRestoreMs: Math.round(drill.value.restoreMs), drillOk: drill.value.ok });
    console.log(JSON.stringify(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Backups on the test database's engine (SQLite, or MariaDB with SANSE_TEST_DB=mysql: the shared
// server has no binary log, so incrementals fall back to full dumps), and the binary-log path on
// a private MariaDB started here with log_bin on: backup → wipe → restore equal table by table,
// restore to the middle of a chain (by id and by time), a flipped byte and a wrong key refused,
// a backup killed midway, retention, the jobs' days, and the CLI.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyRetention, backupHealth, listBackups, restoreDrill, restoreInto, planRestore, runBackup, validKeepDays, type BackupSettings,
} from '../../commands/backup.ts';
import { restoreBackup } from '../../commands/restore.ts';
import { createCalendar } from '../../core/calendar.ts';
import { isRhythmDay, type Rhythm } from '../../core/rhythms.ts';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../../db/connection.ts';
import { listManifests, type BackupManifest } from '../../db/backup-files.ts';
import { tableChecksums, type TableSum } from '../../db/backup-verify.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createPiiCipher } from '../../db/pii.ts';
import { putSetting } from '../../db/settings.ts';
import { BACKUP_FULL, BACKUP_INCREMENTAL, backupJobs } from '../../server/jobs/backups.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { runSanse, SANSE_BIN } from '../sanse-cli.ts';
import { MYSQL_BASE, TEST_DB_KIND } from './helpers.ts';

const KEY = '00112233445566778899aabbccddeeff';
const pii = createPiiCipher(KEY);

/** A database of the test engine, its URL, a fresh BACKUP_DIR, and how to wipe it (the disk lost). */
async function freshDb(base = MYSQL_BASE, kind = TEST_DB_KIND): Promise<{ db: Db; url: string; dir: string; wipe(): Promise<void>; close(): Promise<void>; scratchUrl(tag: string): string }> {
  const tag = crypto.randomBytes(4).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-backup-test-'));
  const dbs: string[] = [];
  let url: string;
  if (kind === 'mysql') {
    url = `${base}/sanse_test_bk_${tag}`;
    dbs.push(url);
    await ensureMysqlDatabase(url);
  } else url = `sqlite:${path.join(dir, 'live', 'sanse.db')}`;
  const db = openDb(url);
  await migrate(db);
  const dropMysql = async (u: string) => {
    const admin = openDb(`${base}/mysql`);
    await admin.raw(`DROP DATABASE IF EXISTS \`${new URL(u).pathname.slice(1)}\``);
    await admin.destroy();
  };
  return {
    db, url, dir,
    scratchUrl: (t) => {
      if (kind === 'sqlite') return `sqlite:${path.join(dir, `restored-${t}.db`)}`;
      const u = `${base}/sanse_test_bk_${tag}_${t}`;
      dbs.push(u);
      return u;
    },
    async wipe() {
      if (kind === 'mysql') await dropMysql(url);
      else fs.rmSync(path.join(dir, 'live'), { recursive: true, force: true });
    },
    async close() {
      await db.destroy().catch(() => {});
      if (kind === 'mysql') for (const u of dbs) await dropMysql(u);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sumsOf(url: string): Promise<Record<string, TableSum>> {
  const db = openDb(url);
  try {
    return await tableChecksums(db);
  } finally {
    await db.destroy();
  }
}

/** Writes between backups: a setting, a changed person, a deleted worker. */
async function write(db: Db, n: number): Promise<void> {
  await putSetting(db, `test.backup.${n}`, { n });
  const p = await db('people').orderBy('id').offset(n).first('id');
  await db('people').where({ id: p.id }).update({ name: `改名${n}` });
  const w = await db('workers').orderBy('id').first('id');
  if (w) await db('workers').where({ id: w.id }).delete();
}

describe(`backups on ${TEST_DB_KIND}`, () => {
  let t: Awaited<ReturnType<typeof freshDb>>;
  let settings: BackupSettings;
  beforeAll(async () => {
    t = await freshDb();
    await seedDemo(t.db, pii, { units: 20, people: 300, seed: 5, today: '2026-11-23' });
    settings = { databaseUrl: t.url, backupDir: path.join(t.dir, 'backups'), keepDays: 92 };
  }, 120_000);
  afterAll(async () => t?.close());

  it('backup → wipe → restore gives every table back, row counts and checksums equal', async () => {
    const before = await tableChecksums(t.db);
    expect(before.people.rows).toBe(300);
    const r = await runBackup({ settings, pii, kind: 'full', db: t.db });
    expect(r.manifest.kind).toBe('full');
    expect(r.manifest.keyId).toBe(pii.keyId);
    expect(r.manifest.rowCounts.people).toBe(300);
    // The stored file is neither the database nor its plain text.
    const stored = fs.readFileSync(path.join(settings.backupDir, `${r.manifest.id}.bak`));
    expect(stored.subarray(0, 8).toString()).toBe('SANSEBK1');
    expect(stored.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(stored.includes(Buffer.from('CREATE TABLE'))).toBe(false);
    await t.db.destroy();
    await t.wipe();
    const r2 = await restoreBackup({ backupDir: settings.backupDir, pii, to: r.manifest.id, targetUrl: t.url });
    expect(r2.chain.map((m) => m.id)).toEqual([r.manifest.id]);
    t.db = openDb(t.url);
    expect(await tableChecksums(t.db)).toEqual(before);
    // Not into a database that has tables.
    await expect(restoreBackup({ backupDir: settings.backupDir, pii, to: r.manifest.id, targetUrl: t.url })).rejects.toThrow(/不是空库/);
  }, 120_000);

  it('full + incrementals with writes between: a restore to the middle one equals the state then; the drill passes', async () => {
    const full = await runBackup({ settings, pii, kind: 'full', db: t.db });
    await write(t.db, 1);
    const mid = await runBackup({ settings, pii, kind: 'incremental', db: t.db });
    const atMid = await tableChecksums(t.db);
    await write(t.db, 2);
    const last = await runBackup({ settings, pii, kind: 'incremental', db: t.db });
    const atLast = await tableChecksums(t.db);
    if (TEST_DB_KIND === 'sqlite') {
      expect([mid.manifest.kind, last.manifest.kind]).toEqual(['incremental', 'incremental']);
      expect(mid.manifest.chain).toBe(full.manifest.id);
      expect(mid.manifest.sqlite!.changedPages).toBeGreaterThan(0);
      expect(mid.manifest.sqlite!.changedPages).toBeLessThan(full.manifest.sqlite!.pageCount / 2);
    } else {
      // The shared server has no binary log: said in Chinese, and a full dump taken instead.
      expect(mid.manifest.kind).toBe('full');
      expect(mid.notes.join()).toMatch(/未开启二进制日志/);
      expect(mid.manifest.mysql!.fallback).toMatch(/log_bin=OFF/);
    }
    const toMid = t.scratchUrl('mid');
    const r = await restoreBackup({ backupDir: settings.backupDir, pii, to: mid.manifest.id, targetUrl: toMid });
    expect(r.chain.at(-1)!.id).toBe(mid.manifest.id);
    expect(await sumsOf(toMid)).toEqual(atMid);
    expect(atMid).not.toEqual(atLast);
    const toLast = t.scratchUrl('last');
    await restoreBackup({ backupDir: settings.backupDir, pii, to: last.manifest.id, targetUrl: toLast });
    expect(await sumsOf(toLast)).toEqual(atLast);
    // By time: the last backup at or before it (no binary log here).
    const toTime = t.scratchUrl('time');
    const midTime = new Date(Date.parse(mid.manifest.snapshotAt) + 1).toISOString().replace(/\.\d+Z$/, 'Z');
    const plan = planRestore(listBackups(settings), new Date(Date.parse(mid.manifest.snapshotAt)).toISOString());
    expect(plan.chain.at(-1)!.id).toBe(mid.manifest.id);
    expect(midTime).toBeTruthy();
    await restoreInto({ backupDir: settings.backupDir, pii, chain: plan.chain, targetUrl: toTime });
    expect(await sumsOf(toTime)).toEqual(atMid);
    const drill = await restoreDrill({ settings, pii, db: t.db });
    expect(drill.ok).toBe(true);
    expect(drill.tables.find((x) => x.table === 'people')!.restored!.rows).toBe(300);
    // A write after the backup shows in the drill as a difference.
    await putSetting(t.db, 'test.backup.after', 1);
    const drill2 = await restoreDrill({ settings, pii, db: t.db });
    expect(drill2.ok).toBe(false);
    expect(drill2.tables.filter((x) => !x.same).map((x) => x.table)).toEqual(['settings']);
  }, 180_000);

  it('a flipped byte is refused by the checksum, another key by its id, before anything is written', async () => {
    const r = await runBackup({ settings, pii, kind: 'full', db: t.db });
    const other = createPiiCipher('ffeeddccbbaa99887766554433221100');
    const target = t.scratchUrl('wrongkey');
    await expect(restoreBackup({ backupDir: settings.backupDir, pii: other, to: r.manifest.id, targetUrl: target })).rejects.toThrow(/另一密钥/);
    const file = path.join(settings.backupDir, `${r.manifest.id}.bak`);
    const bytes = fs.readFileSync(file);
    const keep = Buffer.from(bytes);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const target2 = t.scratchUrl('flipped');
    await expect(restoreBackup({ backupDir: settings.backupDir, pii, to: r.manifest.id, targetUrl: target2 })).rejects.toThrow(/校验和不符/);
    expect(await sumsOf(target2).then((s) => Object.keys(s).length)).toBe(0);
    fs.writeFileSync(file, keep);
  }, 120_000);

  it('retention deletes exactly the chains whose newest backup is past the window and that a newer full replaced', async () => {
    const dir = path.join(t.dir, 'retention');
    const s = { ...settings, backupDir: dir };
    const day = (n: number) => new Date(Date.parse('2026-01-01T18:00:00Z') + n * 86_400_000);
    const at = (n: number) => () => day(n);
    const a = await runBackup({ settings: s, pii, kind: 'full', db: t.db, now: at(0) });
    const a1 = await runBackup({ settings: s, pii, kind: 'incremental', db: t.db, now: at(1) });
    const b = await runBackup({ settings: s, pii, kind: 'full', db: t.db, now: at(15) });
    const b1 = await runBackup({ settings: s, pii, kind: 'incremental', db: t.db, now: at(40) });
    expect(listManifests(dir)).toHaveLength(4);
    if (TEST_DB_KIND === 'sqlite') {
      // Day 93: chain a's newest (day 1) is 92 days old, not past the window yet.
      expect(applyRetention(dir, 92, day(93))).toEqual([]);
      // Day 94: chain a goes (both its backups); chain b stays.
      const gone = applyRetention(dir, 92, day(94)).map((m) => m.id).sort();
      expect(gone).toEqual([a.manifest.id, a1.manifest.id].sort());
    } else {
      // Without the binary log the day-1 "incremental" is a full of its own chain: day 93 deletes
      // the day-0 chain only, day 94 the day-1 one.
      expect(a1.manifest.kind).toBe('full');
      expect(applyRetention(dir, 92, day(93)).map((m) => m.id)).toEqual([a.manifest.id]);
      expect(applyRetention(dir, 92, day(94)).map((m) => m.id)).toEqual([a1.manifest.id]);
    }
    expect(listManifests(dir).map((m) => m.id).sort()).toEqual([b.manifest.id, b1.manifest.id].sort());
    // The last chain stays however old: no newer full replaced it.
    applyRetention(dir, 92, day(900));
    expect(listManifests(dir).map((m) => m.id).sort()).toEqual(TEST_DB_KIND === 'sqlite' ? [b.manifest.id, b1.manifest.id].sort() : [b1.manifest.id]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(a.manifest.id.slice(0, 15)))).toEqual([]);
    expect(() => validKeepDays('60')).toThrow(/不能少于 90 天/);
    expect(validKeepDays(undefined)).toBe(92);
  }, 180_000);

  it('the jobs fall due on calendar days: the full on the 1st and 16th at 02:00, the incremental every day at 02:30 but not after a full that day', async () => {
    const cal = createCalendar();
    const full: Rhythm = { kind: 'month-dates', days: [1, 16] };
    expect(['2026-12-01', '2026-12-16', '2027-01-01', '2026-10-01'].every((d) => isRhythmDay(full, cal, d))).toBe(true);
    expect(['2026-12-02', '2026-12-15', '2026-12-31'].some((d) => isRhythmDay(full, cal, d))).toBe(false);
    // 2026-10-01 is a holiday and 2026-12-06 a Sunday: backups run anyway.
    expect(isRhythmDay({ kind: 'calendar-days' }, cal, '2026-12-06')).toBe(true);
    const dir = path.join(t.dir, 'jobs');
    const jobs = backupJobs({ settings: { ...settings, backupDir: dir }, pii, log: () => {} });
    const f = jobs.find((j) => j.name === BACKUP_FULL)!;
    const inc = jobs.find((j) => j.name === BACKUP_INCREMENTAL)!;
    expect(await f.schedule!.latest(t.db, Date.parse('2026-12-16T02:05:00+08:00'))).toEqual({ slot: '2026-12-16', at: Date.parse('2026-12-16T02:00:00+08:00') });
    expect((await f.schedule!.latest(t.db, Date.parse('2026-12-15T23:00:00+08:00')))!.slot).toBe('2026-12-01');
    expect((await f.schedule!.latest(t.db, Date.parse('2026-12-16T01:59:00+08:00')))!.slot).toBe('2026-12-01');
    expect((await f.schedule!.next(t.db, Date.parse('2026-12-16T02:05:00+08:00')))!.slot).toBe('2027-01-01');
    expect((await inc.schedule!.latest(t.db, Date.parse('2026-12-06T02:31:00+08:00')))!.slot).toBe('2026-12-06');
    expect((await inc.schedule!.latest(t.db, Date.parse('2026-12-06T02:29:00+08:00')))!.slot).toBe('2026-12-05');
    expect(fixedClock('2026-12-06T00:00:00Z').now()).toBeGreaterThan(0);
    // A full that Beijing day: the incremental of the day is skipped.
    const r = (await f.run({ db: t.db, runId: 1, slot: 'x', key: 'x', manual: false })) as { id: string };
    const today = new Date(Date.parse(listManifests(dir).find((m) => m.id === r.id)!.startedAt) + 8 * 3600_000).toISOString().slice(0, 10);
    const skipped = (await inc.run({ db: t.db, runId: 2, slot: today, key: today, manual: false })) as { skipped?: string };
    expect(skipped.skipped).toMatch(/已做全量备份/);
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const ran = (await inc.run({ db: t.db, runId: 3, slot: yesterday, key: yesterday, manual: false })) as { id?: string };
    expect(ran.id).toBeTruthy();
  }, 180_000);

  it('backupHealth says what is missing', async () => {
    const h = await backupHealth(t.db, { databaseUrl: t.url, backupDir: path.join(t.dir, 'none') });
    expect(h.latestFull).toBeNull();
    expect(h.problems.join()).toMatch(/没有全量备份/);
    const h2 = await backupHealth(t.db, { databaseUrl: t.url, backupDir: settings.backupDir });
    expect(h2.latestFull).not.toBeNull();
    if (TEST_DB_KIND === 'mysql') {
      expect(h2.binlogOn).toBe(false);
      expect(h2.problems.join()).toMatch(/log_bin=OFF/);
    } else expect(h2.problems).toEqual([]);
  });

  describe('the CLI', () => {
    let env: NodeJS.ProcessEnv;
    let dir: string;
    beforeAll(() => {
      dir = path.join(t.dir, 'cli');
      env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, BACKUP_DIR: dir, PLATFORM: 'sandbox' };
    });

    it('a backup killed midway (SIGKILL) leaves no listed backup; the next one removes its leftovers and succeeds', async () => {
      const child: ChildProcess = spawn(process.execPath, [SANSE_BIN, 'backup', 'now', '--full'], { env: { ...env, SANSE_BACKUP_TEST_PAUSE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise<void>((resolve, reject) => {
        let err = '';
        child.stderr!.on('data', (c) => { err += c; if (err.includes('SANSE_BACKUP_PAUSED')) resolve(); });
        child.on('exit', () => reject(new Error(`exited before the pause: ${err}`)));
      });
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(fs.readdirSync(dir).some((f) => f.endsWith('.part'))).toBe(true);
      const list = await runSanse(env, 'backup', 'list', '--json');
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([]);
      const now = await runSanse(env, 'backup', 'now');
      expect(now.code).toBe(0);
      expect(now.stdout).toMatch(/已清除上次中断的备份留下的 \d+ 个未完成文件/);
      expect(now.stdout).toMatch(/全量备份完成/);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part') || f.startsWith('.scratch'))).toEqual([]);
      const list2 = JSON.parse((await runSanse(env, 'backup', 'list', '--json')).stdout) as BackupManifest[];
      expect(list2).toHaveLength(1);
    }, 180_000);

    it('sanse backup now / list / drill and sanse restore', async () => {
      const inc = await runSanse(env, 'backup', 'now', '--incremental');
      expect(inc.code).toBe(0);
      expect(inc.stdout).toMatch(TEST_DB_KIND === 'sqlite' ? /增量备份完成/ : /未开启二进制日志/);
      const list = await runSanse(env, 'backup', 'list');
      expect(list.stdout).toMatch(/编号\t类型\t所属全量备份/);
      expect(list.stdout).toMatch(/全量/);
      const drill = await runSanse(env, 'backup', 'drill');
      expect(drill.stderr).toBe('');
      expect(drill.code).toBe(0);
      expect(drill.stdout).toMatch(/people\t300\t300\t[0-9a-f]{16}\t[0-9a-f]{16}\t一致/);
      expect(drill.stdout).toMatch(/演练通过/);
      const last = (JSON.parse((await runSanse(env, 'backup', 'list', '--json')).stdout) as BackupManifest[]).at(-1)!;
      const target = t.scratchUrl('cli');
      const r = await runSanse(env, 'restore', '--to', last.id, '--target', target);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/已恢复到/);
      expect(await sumsOf(target)).toEqual(await tableChecksums(t.db));
      const again = await runSanse(env, 'restore', '--to', last.id, '--target', target);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/目标数据库不是空库/);
      const bad = await runSanse({ ...env, PII_KEY: 'ffeeddccbbaa99887766554433221100' }, 'restore', '--to', last.id, '--target', t.scratchUrl('cli2'));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/另一密钥/);
      const keep = await runSanse({ ...env, BACKUP_KEEP_DAYS: '30' }, 'backup', 'list');
      expect(keep.stderr).toMatch(/BACKUP_KEEP_DAYS 不能少于 90 天/);
    }, 240_000);
  });
});

/** A private MariaDB with the binary log on, in a temp folder; null when mariadbd cannot start here. */
async function startBinlogServer(): Promise<{ base: string; stop(): Promise<void> } | null> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-binlog-'));
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${tmp}/data`, '--auth-root-authentication-method=normal', '--user=root', '--skip-test-db'], { encoding: 'utf8' });
  if (install.status !== 0) return null;
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
  const child = spawn('/usr/sbin/mariadbd', [
    '--no-defaults', `--datadir=${tmp}/data`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${tmp}/s.sock`, `--pid-file=${tmp}/pid`,
    `--log-bin=${tmp}/data/binlog`, '--server-id=1', '--user=root', '--innodb-buffer-pool-size=64M', '--skip-name-resolve',
  ], { stdio: 'ignore' });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.on('exit', r)));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  const base = `mysql://root@127.0.0.1:${port}`;
  const listening = () => new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  });
  for (let i = 0; i < 60; i++) {
    if (child.exitCode !== null) break;
    if (!(await listening())) { await new Promise((r) => setTimeout(r, 500)); continue; }
    const admin = openDb(`${base}/mysql`);
    try {
      await admin.raw('SELECT 1');
      await admin.destroy();
      return { base, stop };
    } catch {
      await admin.destroy();
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await stop();
  return null;
}

describe('MariaDB with the binary log on (a private server started here)', () => {
  let server: Awaited<ReturnType<typeof startBinlogServer>>;
  let t: Awaited<ReturnType<typeof freshDb>>;
  let settings: BackupSettings;
  beforeAll(async () => {
    server = await startBinlogServer();
    if (!server) {
      console.warn('mariadbd could not start here (mariadb-install-db, /usr/sbin/mariadbd): the binary-log backup tests are skipped');
      return;
    }
    t = await freshDb(server.base, 'mysql');
    await seedDemo(t.db, pii, { units: 20, people: 300, seed: 5, today: '2026-11-23' });
    settings = { databaseUrl: t.url, backupDir: path.join(t.dir, 'backups'), keepDays: 92 };
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('full dump with its log position, incrementals from the binary log; restore by id and to a moment between them', async (ctx) => {
    if (!server) return ctx.skip();
    const full = await runBackup({ settings, pii, kind: 'full', db: t.db });
    expect(full.manifest.mysql!.binlogOn).toBe(true);
    expect(full.manifest.mysql!.nextPosition!.file).toMatch(/^binlog\.\d+$/);
    await write(t.db, 1);
    const mid = await runBackup({ settings, pii, kind: 'incremental', db: t.db });
    expect(mid.manifest.kind).toBe('incremental');
    expect(mid.manifest.base).toBe(full.manifest.id);
    expect(mid.manifest.mysql!.binlogFiles!.length).toBeGreaterThan(0);
    const atMid = await tableChecksums(t.db);
    // A moment between the middle backup and the next writes (the binary log counts whole seconds).
    await new Promise((r) => setTimeout(r, 1100));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    await write(t.db, 2);
    const atWrite2 = await tableChecksums(t.db);
    await new Promise((r) => setTimeout(r, 1100));
    const between2 = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    await write(t.db, 3);
    const last = await runBackup({ settings, pii, kind: 'incremental', db: t.db });
    const atLast = await tableChecksums(t.db);
    // Another database on the server is not in the backups.
    const other = openDb(`${server!.base}/mysql`);
    await other.raw('CREATE DATABASE IF NOT EXISTS sanse_other');
    await other.raw('CREATE TABLE IF NOT EXISTS sanse_other.t (id int primary key)');
    await other.destroy();

    const byId = t.scratchUrl('mid');
    await restoreBackup({ backupDir: settings.backupDir, pii, to: mid.manifest.id, targetUrl: byId });
    expect(await sumsOf(byId)).toEqual(atMid);
    const toLast = t.scratchUrl('last');
    await restoreBackup({ backupDir: settings.backupDir, pii, to: last.manifest.id, targetUrl: toLast });
    expect(await sumsOf(toLast)).toEqual(atLast);
    // To a moment: the full, then the binary log up to it (not only the last backup before it).
    const toBetween = t.scratchUrl('between');
    const r = await restoreBackup({ backupDir: settings.backupDir, pii, to: between.toISOString(), targetUrl: toBetween });
    expect(r.stopAt).toBe(between.toISOString());
    expect(await sumsOf(toBetween)).toEqual(atMid);
    const toBetween2 = t.scratchUrl('between2');
    await restoreBackup({ backupDir: settings.backupDir, pii, to: between2.toISOString(), targetUrl: toBetween2 });
    expect(await sumsOf(toBetween2)).toEqual(atWrite2);

    // backup → wipe → restore (latest) equal table by table; then the drill.
    await t.db.destroy();
    await t.wipe();
    await restoreBackup({ backupDir: settings.backupDir, pii, to: last.manifest.id, targetUrl: t.url });
    t.db = openDb(t.url);
    expect(await tableChecksums(t.db)).toEqual(atLast);
    const drill = await restoreDrill({ settings, pii, db: t.db });
    expect(drill.ok).toBe(true);
    const h = await backupHealth(t.db, { databaseUrl: t.url, backupDir: settings.backupDir });
    expect(h.binlogOn).toBe(true);
    expect(h.latestIncremental!.id).toBe(last.manifest.id);
    expect(h.problems).toEqual([]);
  }, 300_000);
});

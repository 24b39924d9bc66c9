// Backups (宁波机构编制实名制数据管理办法第十八条：全量数据半个月备份，增量数据每日备份，至少保存3个月): take one, list
// them, keep them for the retention window, and the restore drill. The engines' work is in
// db/backup-sqlite.ts and db/backup-mysql.ts; the encrypted container and the catalogue (one
// manifest per backup in BACKUP_DIR) in db/backup-files.ts.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { ensureMysqlDatabase, isSqlite, openDb, parseDatabaseUrl } from '../db/connection.ts';
import {
  backupKey, deleteBackup, listManifests, lockBackupDir, newBackupId, removeLeftovers, writeManifest, type BackupKind, type BackupManifest,
} from '../db/backup-files.ts';
import { backupSqlite, restoreSqlite } from '../db/backup-sqlite.ts';
import { BinlogGapError, binlogIncrement, binlogStatus, dumpMysql, mysqlTarget, restoreMysql } from '../db/backup-mysql.ts';
import { compareChecksums, tableChecksums, type TableComparison } from '../db/backup-verify.ts';
import type { PiiCipher } from '../db/pii.ts';

/** The least retention the regulation allows (至少保存3个月). */
export const MIN_KEEP_DAYS = 90;
export const DEFAULT_KEEP_DAYS = 92;

export interface BackupSettings {
  databaseUrl: string;
  backupDir: string;
  keepDays: number;
}

/** The backup settings of a configuration; null when its backup jobs are off (the sandbox without BACKUP_DIR). */
export function backupSettings(config: { databaseUrl: string; backupDir: string; backupKeepDays: number; backupJobs: boolean }): BackupSettings | null {
  return config.backupJobs ? { databaseUrl: config.databaseUrl, backupDir: config.backupDir, keepDays: config.backupKeepDays } : null;
}

/** BACKUP_DIR's default: `backups/` beside the SQLite file, or `./backups` for MySQL. */
export function defaultBackupDir(databaseUrl: string): string {
  const t = parseDatabaseUrl(databaseUrl);
  return t.file && t.file !== ':memory:' ? path.join(path.dirname(path.resolve(t.file)), 'backups') : path.resolve('backups');
}

/** BACKUP_KEEP_DAYS: a whole number of days, at least 90. */
export function validKeepDays(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_KEEP_DAYS;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`BACKUP_KEEP_DAYS 应为整数天数（收到 ${text}）`);
  if (n < MIN_KEEP_DAYS) throw new Error(`BACKUP_KEEP_DAYS 不能少于 ${MIN_KEEP_DAYS} 天（宁波市机构编制实名制数据管理办法第十八条：备份数据至少保存3个月），收到 ${n}`);
  return n;
}

function engineOf(url: string): 'sqlite' | 'mysql' {
  return parseDatabaseUrl(url).client === 'better-sqlite3' ? 'sqlite' : 'mysql';
}

export interface BackupResult {
  manifest: BackupManifest;
  /** Chinese notes for the operator (a fallback to a full backup, leftovers removed). */
  notes: string[];
  /** Backups deleted by the retention rule. */
  expired: BackupManifest[];
}

/** The backups of a chain, oldest first. */
export function chainOf(all: BackupManifest[], chain: string): BackupManifest[] {
  return all.filter((m) => m.chain === chain);
}

/**
 * Takes a backup. `incremental` continues the latest chain; without a chain (or on MariaDB
 * without the binary log) it takes a full backup and says why in `notes`.
 */
export async function runBackup(opts: { settings: BackupSettings; pii: PiiCipher; kind: BackupKind; db?: Knex; now?: () => Date }): Promise<BackupResult> {
  const { settings } = opts;
  const now = opts.now ?? (() => new Date());
  const dir = path.resolve(settings.backupDir);
  const unlock = lockBackupDir(dir);
  const notes: string[] = [];
  const engine = engineOf(settings.databaseUrl);
  const ownDb = !opts.db && engine === 'mysql';
  const db = opts.db ?? (engine === 'mysql' ? openDb(settings.databaseUrl) : null);
  try {
    const left = removeLeftovers(dir);
    if (left.length) notes.push(`已清除上次中断的备份留下的 ${left.length} 个未完成文件`);
    const key = backupKey(opts.pii);
    const all = listManifests(dir).filter((m) => m.engine === engine);
    const latest = all[all.length - 1] ?? null;
    let kind = opts.kind;
    if (kind === 'incremental' && !latest) {
      notes.push('还没有全量备份，本次改为全量备份');
      kind = 'full';
    }
    if (kind === 'incremental' && latest && latest.keyId !== key.keyId) {
      notes.push(`上一次备份使用另一密钥（${latest.keyId}），本次改为全量备份`);
      kind = 'full';
    }
    let fallback: string | undefined;
    if (kind === 'incremental' && engine === 'mysql') {
      const st = await binlogStatus(db!);
      if (!st.on) {
        fallback = '数据库服务器未开启二进制日志（log_bin=OFF），无法做增量备份，本次改为全量备份。请在服务器配置中开启 log_bin';
        notes.push(fallback);
        kind = 'full';
      } else if (!latest!.mysql?.nextPosition) {
        notes.push('上一次备份没有记录二进制日志位置（当时未开启二进制日志），本次改为全量备份');
        kind = 'full';
      }
    }
    const startedAt = now();
    const id = newBackupId(kind, startedAt);
    const base = kind === 'incremental' ? latest : null;
    const common = { id, kind, engine, keyId: key.keyId, chain: base ? base.chain : id, base: base ? base.id : null, startedAt: startedAt.toISOString() };
    let part: Awaited<ReturnType<typeof backupSqlite>> | Awaited<ReturnType<typeof dumpMysql>>;
    let source: string;
    if (engine === 'sqlite') {
      const file = path.resolve(parseDatabaseUrl(settings.databaseUrl).file!);
      if (!fs.existsSync(file)) throw new Error(`数据库文件 ${file} 不存在`);
      source = file;
      part = await backupSqlite({ file, dir, id, key, base });
    } else {
      source = mysqlTarget(settings.databaseUrl).database;
      try {
        part = base
          ? await binlogIncrement({ url: settings.databaseUrl, db: db!, dir, id, key, from: base.mysql!.nextPosition! })
          : await dumpMysql({ url: settings.databaseUrl, db: db!, dir, id, key });
      } catch (e) {
        if (!(e instanceof BinlogGapError)) throw e;
        notes.push(`${e.message}，本次改为全量备份`);
        const fid = newBackupId('full', startedAt);
        const full = await dumpMysql({ url: settings.databaseUrl, db: db!, dir, id: fid, key });
        return finish({ ...common, id: fid, kind: 'full', chain: fid, base: null }, source, full);
      }
      if (fallback && 'mysql' in part && part.mysql) part.mysql.fallback = fallback;
    }
    return finish(common, source, part);

    function finish(c: typeof common, src: string, p: typeof part): BackupResult {
      const manifest: BackupManifest = {
        format: 1, ...c, source: src, finishedAt: now().toISOString(),
        ...p,
      } as BackupManifest;
      writeManifest(dir, manifest);
      const expired = applyRetention(dir, settings.keepDays, now());
      return { manifest, notes, expired };
    }
  } finally {
    unlock();
    if (ownDb) await db!.destroy();
  }
}

/**
 * Retention: a chain (a full and its incrementals) is deleted only when the newest backup in it
 * is older than `keepDays` and a newer full exists. Returns the backups deleted.
 */
export function applyRetention(dir: string, keepDays: number, now: Date): BackupManifest[] {
  const all = listManifests(dir);
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const fulls = all.filter((m) => m.kind === 'full');
  const gone: BackupManifest[] = [];
  for (const full of fulls) {
    const chain = chainOf(all, full.id);
    const newest = Math.max(...chain.map((m) => Date.parse(m.finishedAt)));
    const newerFull = fulls.some((f) => f.engine === full.engine && f.snapshotAt > full.snapshotAt);
    if (newest < cutoff && newerFull) {
      for (const m of [...chain].reverse()) deleteBackup(dir, m);
      gone.push(...chain);
    }
  }
  return gone;
}

export function listBackups(settings: Pick<BackupSettings, 'backupDir'>): BackupManifest[] {
  return listManifests(path.resolve(settings.backupDir));
}

/**
 * The backups a restore to `to` replays: a backup id (its chain up to it), or a moment (the last
 * backup at or before it; on MariaDB with the binary log, the full before it and its chain's
 * binary log up to the moment, `stopAt`).
 */
export function planRestore(all: BackupManifest[], to: string): { chain: BackupManifest[]; stopAt?: Date } {
  const byId = all.find((m) => m.id === to);
  if (byId) return { chain: chainOf(all, byId.chain).filter((m) => m.snapshotAt <= byId.snapshotAt) };
  const at = parseMoment(to);
  if (!at) throw new RestoreRefusal(`--to 应为备份编号（sanse backup list 可查）或时间（如 2026-12-06 14:30，北京时间），收到 ${to}`);
  const iso = at.toISOString();
  const before = all.filter((m) => m.snapshotAt <= iso);
  if (!before.length) throw new RestoreRefusal(`没有 ${to} 或更早的备份`);
  const last = before[before.length - 1];
  const chain = chainOf(all, last.chain);
  if (last.engine === 'mysql' && chain[0].mysql?.binlogOn) {
    // The full before the moment, every incremental up to the first one taken after it, replayed up to the moment.
    const out = chain.filter((m) => m.snapshotAt <= iso);
    const after = chain.find((m) => m.snapshotAt > iso);
    if (after) out.push(after);
    return { chain: out, stopAt: at };
  }
  return { chain: chain.filter((m) => m.snapshotAt <= last.snapshotAt) };
}

export class RestoreRefusal extends Error {}

/** 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]' in Beijing time, or an ISO moment with its zone. */
export function parseMoment(text: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text.trim());
  if (m) {
    const d = new Date(`${m[1]}T${m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '23:59:59'}+08:00`);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(text.trim())) {
    const d = new Date(text.trim());
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** Whether a database (by URL) is empty: no SQLite file or one without tables; a MariaDB database without tables. */
export async function isEmptyDatabase(url: string): Promise<boolean> {
  const t = parseDatabaseUrl(url);
  if (t.client === 'better-sqlite3') {
    if (!fs.existsSync(t.file!) || fs.statSync(t.file!).size === 0) return true;
    const db = openDb(url);
    try {
      return (await db.raw("SELECT count(*) AS n FROM sqlite_master WHERE type IN ('table', 'view')"))[0].n === 0;
    } finally {
      await db.destroy();
    }
  }
  await ensureMysqlDatabase(t.url);
  const db = openDb(t.url);
  try {
    return (await db.raw('SHOW TABLES'))[0].length === 0;
  } finally {
    await db.destroy();
  }
}

/** Restores a planned chain into the empty database `targetUrl` (refused in Chinese if it is not empty). */
export async function restoreInto(opts: { backupDir: string; pii: PiiCipher; chain: BackupManifest[]; stopAt?: Date; targetUrl: string }): Promise<void> {
  const dir = path.resolve(opts.backupDir);
  const key = backupKey(opts.pii);
  const engine = opts.chain[0].engine;
  if (engineOf(opts.targetUrl) !== engine) throw new RestoreRefusal(`备份来自 ${engine === 'sqlite' ? 'SQLite' : 'MySQL/MariaDB'}，目标数据库类型不同，无法恢复`);
  if (!(await isEmptyDatabase(opts.targetUrl))) throw new RestoreRefusal('目标数据库不是空库（已有数据表），拒绝恢复：请指定一个空数据库（--target），以免覆盖现有数据');
  if (engine === 'sqlite') {
    const file = parseDatabaseUrl(opts.targetUrl).file!;
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    await restoreSqlite({ dir, chain: opts.chain, key, target: file });
  } else {
    await restoreMysql({ dir, chain: opts.chain, key, targetUrl: parseDatabaseUrl(opts.targetUrl).url, stopAt: opts.stopAt });
  }
}

export interface DrillResult {
  backup: BackupManifest;
  chain: string[];
  restoreMs: number;
  tables: TableComparison[];
  /**
   * The job runs (job_runs ids) queued or running in the backup: they end after its snapshot
   * (the backup's own run, when the job registry took it), so they are left out of job_runs'
   * comparison on both sides.
   */
  openRuns: number[];
  ok: boolean;
}

/**
 * The restore drill: restores the latest chain into a scratch database (a temporary SQLite file,
 * or a MariaDB database `sanse_drill_…` dropped after) and compares each table's row count and
 * checksum with the live database. A table written to after the latest backup differs: run the
 * drill right after a backup for a clean comparison. The job runs open in the backup (the
 * backup job's own run among them: it ends after the snapshot) are left out of job_runs' sums.
 */
export async function restoreDrill(opts: { settings: BackupSettings; pii: PiiCipher; db: Knex }): Promise<DrillResult> {
  const all = listBackups(opts.settings).filter((m) => m.engine === engineOf(opts.settings.databaseUrl));
  if (!all.length) throw new RestoreRefusal('还没有备份，无法演练恢复：请先运行 sanse backup now');
  const latest = all[all.length - 1];
  const chain = chainOf(all, latest.chain).filter((m) => m.snapshotAt <= latest.snapshotAt);
  let scratchUrl: string;
  let drop: () => Promise<void>;
  if (isSqlite(opts.db)) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-drill-'));
    scratchUrl = `sqlite:${path.join(tmp, 'drill.db')}`;
    drop = async () => fs.rmSync(tmp, { recursive: true, force: true });
  } else {
    const u = new URL(parseDatabaseUrl(opts.settings.databaseUrl).url);
    const name = `sanse_drill_${crypto.randomBytes(4).toString('hex')}`;
    u.pathname = `/${name}`;
    scratchUrl = u.toString();
    drop = async () => {
      const admin = openDb(scratchUrl);
      try { await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await admin.destroy(); }
    };
  }
  try {
    const t0 = performance.now();
    await restoreInto({ backupDir: opts.settings.backupDir, pii: opts.pii, chain, targetUrl: scratchUrl });
    const restoreMs = performance.now() - t0;
    const scratch = openDb(scratchUrl);
    try {
      const openRuns = (await scratch.schema.hasTable('job_runs'))
        ? ((await scratch('job_runs').whereIn('state', ['queued', 'running']).orderBy('id').pluck('id')) as Array<number | string>).map(Number)
        : [];
      const leaveOut = { job_runs: openRuns };
      const [live, restored] = [await tableChecksums(opts.db, leaveOut), await tableChecksums(scratch, leaveOut)];
      const tables = compareChecksums(live, restored);
      return { backup: latest, chain: chain.map((m) => m.id), restoreMs, tables, openRuns, ok: tables.every((t) => t.same) };
    } finally {
      await scratch.destroy();
    }
  } finally {
    await drop();
  }
}

export interface BackupHealth {
  latestFull: BackupManifest | null;
  latestIncremental: BackupManifest | null;
  /** MariaDB: whether the server writes the binary log (null on SQLite). */
  binlogOn: boolean | null;
  problems: string[];
}

/** For `sanse doctor`: are backups recent, and can the daily one be incremental. */
export async function backupHealth(db: Knex, config: { databaseUrl: string; backupDir: string; backupKeepDays?: number }, now: Date = new Date()): Promise<BackupHealth> {
  const problems: string[] = [];
  const engine = engineOf(config.databaseUrl);
  const all = listManifests(path.resolve(config.backupDir)).filter((m) => m.engine === engine);
  const latestFull = [...all].reverse().find((m) => m.kind === 'full') ?? null;
  const latestIncremental = [...all].reverse().find((m) => m.kind === 'incremental') ?? null;
  const latest = all[all.length - 1] ?? null;
  const age = (m: BackupManifest) => (now.getTime() - Date.parse(m.finishedAt)) / 86_400_000;
  if (!latestFull) problems.push(`备份目录 ${config.backupDir} 中没有全量备份：请运行 sanse backup now --full，并确认计划任务 backup-full 已启用`);
  else if (age(latestFull) > 16) problems.push(`最近一次全量备份已是 ${Math.floor(age(latestFull))} 天前（${latestFull.id}），应每半个月一次`);
  if (latest && age(latest) > 1.5) problems.push(`最近一次备份已是 ${Math.floor(age(latest))} 天前（${latest.id}），应每天一次`);
  let binlogOn: boolean | null = null;
  if (engine === 'mysql') {
    binlogOn = (await binlogStatus(db)).on;
    if (!binlogOn) problems.push('数据库服务器未开启二进制日志（log_bin=OFF）：每日增量备份只能改为全量备份，也无法恢复到任意时间点。请在 MariaDB 配置中设置 log_bin 和 server_id');
  }
  return { latestFull, latestIncremental, binlogOn, problems };
}

// Backups of a MySQL/MariaDB database with the server's own tools, never a hand-written dump.
//
// Full: `mariadb-dump --single-transaction` (one consistent snapshot without locking the
// tables), with routines, triggers, hex blobs and, when the binary log is on, the log position
// of the snapshot (`--master-data=2`), streamed through gzip and SM4 into the container.
// Incremental: the binary log since the previous backup. The server is asked to start a new log
// file (FLUSH BINARY LOGS); the files from the recorded position up to the new one are fetched
// whole as the server wrote them (`mariadb-binlog --read-from-remote-server --raw`) and stored.
// A restore loads the dump, then replays those files through `mariadb-binlog` for this database
// only (`--database`), renamed to the target (`--rewrite-db`), up to `--stop-datetime` if asked.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { Knex } from 'knex';
import { openContainer, writeContainer, type BackupKey, type BackupManifest } from './backup-files.ts';

export interface MysqlTarget {
  database: string;
  /** Connection options for the command-line tools (the password goes through MYSQL_PWD). */
  args: string[];
  env: NodeJS.ProcessEnv;
}

export function mysqlTarget(url: string): MysqlTarget {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const database = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`数据库名不合法：${database}`);
  const socket = u.searchParams.get('socket');
  const args = socket ? [`--socket=${socket}`] : [`--host=${u.hostname}`, `--port=${u.port || 3306}`, '--protocol=TCP'];
  args.push(`--user=${decodeURIComponent(u.username) || 'root'}`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.MYSQL_PWD = decodeURIComponent(u.password);
  else delete env.MYSQL_PWD;
  return { database, args, env };
}

/** Whether the server writes a binary log, and its current file and position. */
export async function binlogStatus(db: Knex): Promise<{ on: boolean; file: string | null; position: number | null }> {
  const [[v]] = await db.raw('SELECT @@log_bin AS on_');
  if (!Number(v.on_)) return { on: false, file: null, position: null };
  const [rows] = await db.raw('SHOW MASTER STATUS');
  return { on: true, file: rows[0]?.File ?? null, position: rows[0] ? Number(rows[0].Position) : null };
}

/** Rows per table, counted in one consistent snapshot. */
export async function mysqlRowCounts(db: Knex): Promise<Record<string, number>> {
  return db.transaction(async (trx) => {
    // InnoDB's default REPEATABLE READ: every count reads the snapshot of the first.
    const tables = (await trx.raw('SHOW FULL TABLES WHERE Table_type = \'BASE TABLE\''))[0].map((r: Record<string, string>) => Object.values(r)[0]).sort();
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number((await trx.raw(`SELECT count(*) AS n FROM \`${t}\``))[0][0].n);
    return out;
  });
}

function waitExit(child: ChildProcess, what: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`无法运行 ${what}：${e.message}`)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} 失败（${signal ?? `退出码 ${code}`}）：${stderr().trim().slice(-800)}`))));
  });
}

function collect(child: ChildProcess): () => string {
  let err = '';
  child.stderr?.on('data', (c) => { err += c; if (err.length > 20000) err = err.slice(-10000); });
  return () => err;
}

/** A full dump into the container `dir/id.bak`. */
export async function dumpMysql(opts: { url: string; db: Knex; dir: string; id: string; key: BackupKey }): Promise<Pick<BackupManifest, 'rawBytes' | 'storedBytes' | 'sha256' | 'rowCounts' | 'mysql' | 'snapshotAt'>> {
  const t = mysqlTarget(opts.url);
  const status = await binlogStatus(opts.db);
  const rowCounts = await mysqlRowCounts(opts.db);
  const snapshotAt = new Date().toISOString();
  const args = [
    ...t.args, '--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob',
    '--default-character-set=utf8mb4', '--no-tablespaces', '--skip-comments', '--add-drop-table',
    // With the binary log: the snapshot's position, and a new log file started at the snapshot
    // (under a brief global read lock), so the next incremental holds only what came after.
    ...(status.on ? ['--master-data=2', '--flush-logs'] : []),
    t.database,
  ];
  // --skip-comments drops the header comments but --master-data=2 still writes its commented CHANGE MASTER line.
  const child = spawn('mariadb-dump', args, { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const err = collect(child);
  const exited = waitExit(child, 'mariadb-dump', err);
  let head = '';
  const peek = new Transform({
    transform(chunk: Buffer, _e, cb) {
      if (head.length < 65536) head += chunk.toString('utf8');
      cb(null, chunk);
    },
  });
  const file = path.join(opts.dir, `${opts.id}.bak`);
  let written;
  try {
    [written] = await Promise.all([writeContainer(child.stdout!.pipe(peek), file, opts.key), exited]);
  } catch (e) {
    child.kill('SIGKILL');
    fs.rmSync(file, { force: true });
    throw e;
  }
  let nextPosition: { file: string; position: number } | null = null;
  if (status.on) {
    const m = /CHANGE MASTER TO MASTER_LOG_FILE='([^']+)', MASTER_LOG_POS=(\d+)/.exec(head);
    if (!m) { fs.rmSync(file, { force: true }); throw new Error('mariadb-dump 未输出二进制日志位置（--master-data），无法作为增量备份的起点'); }
    nextPosition = { file: m[1], position: Number(m[2]) };
  }
  return { ...written, rowCounts, snapshotAt, mysql: { binlogOn: status.on, nextPosition } };
}

/** The binary log since `from` into the container `dir/id.bak`: the files as the server wrote them, framed. */
export async function binlogIncrement(opts: { url: string; db: Knex; dir: string; id: string; key: BackupKey; from: { file: string; position: number } }): Promise<Pick<BackupManifest, 'rawBytes' | 'storedBytes' | 'sha256' | 'rowCounts' | 'mysql' | 'snapshotAt'>> {
  const t = mysqlTarget(opts.url);
  await opts.db.raw('FLUSH BINARY LOGS');
  const snapshotAt = new Date().toISOString();
  const status = await binlogStatus(opts.db);
  const logs: string[] = (await opts.db.raw('SHOW BINARY LOGS'))[0].map((r: { Log_name: string }) => r.Log_name);
  const start = logs.indexOf(opts.from.file);
  const end = logs.indexOf(status.file!);
  if (start < 0) throw new BinlogGapError(`二进制日志 ${opts.from.file} 已被服务器清除，无法接续增量备份`);
  const files = logs.slice(start, end);
  const scratch = path.join(opts.dir, `.scratch-${opts.id}`);
  fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
  try {
    const child = spawn('mariadb-binlog', [...t.args, '--read-from-remote-server', '--raw', `--result-file=${scratch}/`, ...files], { env: t.env, stdio: ['ignore', 'ignore', 'pipe'] });
    await waitExit(child, 'mariadb-binlog', collect(child));
    async function* frames() {
      for (const name of files) {
        const f = path.join(scratch, name);
        const size = fs.statSync(f).size;
        const head = Buffer.alloc(2 + Buffer.byteLength(name) + 8);
        head.writeUInt16BE(Buffer.byteLength(name), 0);
        head.write(name, 2);
        head.writeBigUInt64BE(BigInt(size), 2 + Buffer.byteLength(name));
        yield head;
        for await (const c of fs.createReadStream(f)) yield c as Buffer;
      }
    }
    const written = await writeContainer(Readable.from(frames()), path.join(opts.dir, `${opts.id}.bak`), opts.key);
    return {
      ...written, rowCounts: {}, snapshotAt,
      mysql: { binlogOn: true, nextPosition: { file: status.file!, position: 4 }, binlogFiles: files, startPosition: opts.from.position },
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

export class BinlogGapError extends Error {}

/** Unframes an incremental's binary log files into `dir`; returns their paths in order. */
async function unframe(stream: Readable, dir: string): Promise<string[]> {
  const out: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let fd: number | null = null;
  let left = 0n;
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    for (;;) {
      if (fd !== null) {
        const n = Number(left < BigInt(pending.length) ? left : BigInt(pending.length));
        fs.writeSync(fd, pending, 0, n);
        pending = pending.subarray(n);
        left -= BigInt(n);
        if (left === 0n) { fs.closeSync(fd); fd = null; continue; }
        break;
      }
      if (pending.length < 2) break;
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len + 8) break;
      const name = pending.subarray(2, 2 + len).toString();
      if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`增量备份中的日志文件名不合法：${name}`);
      left = pending.readBigUInt64BE(2 + len);
      pending = pending.subarray(2 + len + 8);
      const f = path.join(dir, name);
      out.push(f);
      fd = fs.openSync(f, 'w', 0o600);
      if (left === 0n) { fs.closeSync(fd); fd = null; }
    }
  }
  if (fd !== null || pending.length) throw new Error('增量备份的二进制日志数据不完整');
  return out;
}

/** Feeds a stream into the `mariadb` client connected to `url`'s database. */
async function intoClient(url: string, input: Readable, extra: string[] = []): Promise<void> {
  const t = mysqlTarget(url);
  const child = spawn('mariadb', [...t.args, '--default-character-set=utf8mb4', ...extra, t.database], { env: t.env, stdio: ['pipe', 'ignore', 'pipe'] });
  const err = collect(child);
  const exited = waitExit(child, 'mariadb', err);
  input.on('error', (e) => child.stdin!.destroy(e));
  child.stdin!.on('error', () => {});
  input.pipe(child.stdin!);
  await exited;
}

/**
 * Restores a chain into the (empty) database of `targetUrl`: the full dump, then each
 * incremental's binary log (this database only, renamed to the target), up to `stopAt` if given.
 */
export async function restoreMysql(opts: { dir: string; chain: BackupManifest[]; key: BackupKey; targetUrl: string; stopAt?: Date }): Promise<void> {
  const { dir, chain, key } = opts;
  const target = mysqlTarget(opts.targetUrl);
  await intoClient(opts.targetUrl, await openContainer(dir, chain[0], key));
  const source = chain[0].source;
  for (const m of chain.slice(1)) {
    const scratch = path.join(dir, `.scratch-restore-${m.id}`);
    fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
    try {
      const files = await unframe(await openContainer(dir, m, key), scratch);
      if (!files.length) continue;
      const args = [
        `--database=${source}`, `--rewrite-db=${source}->${target.database}`, `--start-position=${m.mysql!.startPosition ?? 4}`,
        ...(opts.stopAt ? [`--stop-datetime=${beijing(opts.stopAt)}`] : []),
        ...files,
      ];
      // --stop-datetime is read in the tool's local time: Beijing time is given, with TZ set to it.
      const child = spawn('mariadb-binlog', args, { env: { ...process.env, TZ: 'Asia/Shanghai' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = waitExit(child, 'mariadb-binlog', collect(child));
      await Promise.all([intoClient(opts.targetUrl, child.stdout!, ['--binary-mode']), exited]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** 'YYYY-MM-DD HH:MM:SS' in Beijing time. */
function beijing(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

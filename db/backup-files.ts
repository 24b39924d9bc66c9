// The backup catalogue in BACKUP_DIR: one encrypted container per backup (`ID.bak`) and its
// manifest beside it (`ID.json`), which is the catalogue: after the database's disk is lost,
// BACKUP_DIR and the PII key are enough to restore.
//
// A container is: the magic `SANSEBK1`, the key id (16 ASCII hex digits), a random 16-byte IV,
// then the payload gzip-compressed and encrypted with SM4-CTR under HMAC-SM3(PII key,
// 'sanse:backup') (its first 16 bytes). It is written streaming (never whole in memory) to
// `ID.bak.part`, renamed when complete, and the manifest (with the SHA-256 of the stored bytes)
// is written last the same way: a backup killed midway leaves only `.part` files, which are
// never listed and are removed by the next run.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { PiiCipher } from './pii.ts';

const MAGIC = Buffer.from('SANSEBK1');
const HEADER = MAGIC.length + 16 + 16;

export type BackupKind = 'full' | 'incremental';
export type BackupEngine = 'sqlite' | 'mysql';

export interface BackupManifest {
  format: 1;
  id: string;
  kind: BackupKind;
  /** The id of the full backup this one belongs to (a full's chain is its own id). */
  chain: string;
  /** The backup this incremental applies on (null for a full). */
  base: string | null;
  engine: BackupEngine;
  /** The database it was taken from (file or database name, no password). */
  source: string;
  /** Moments, ISO 8601 UTC. `snapshotAt`: when the copy's state was taken (the backup restores to it). */
  startedAt: string;
  snapshotAt: string;
  finishedAt: string;
  /** Bytes before compression and stored (encrypted) bytes. */
  rawBytes: number;
  storedBytes: number;
  /** SHA-256 (hex) of the stored file `ID.bak`, checked before any restore. */
  sha256: string;
  /** The PII key's id (never the key). */
  keyId: string;
  /** Rows per table at the snapshot (SQLite: exact; MariaDB: counted in a consistent snapshot just before the dump). */
  rowCounts: Record<string, number>;
  /** Engine details: SQLite page size and count, hash of the whole image; MariaDB binary log positions. */
  sqlite?: { pageSize: number; pageCount: number; imageSha256: string; changedPages?: number };
  mysql?: {
    binlogOn: boolean;
    /** Where the next incremental starts reading (after this backup). */
    nextPosition: { file: string; position: number } | null;
    /** An incremental: the binary log files it holds, the first read from `startPosition`. */
    binlogFiles?: string[];
    startPosition?: number;
    /** Took a full dump because the binary log is off (asked for an incremental). */
    fallback?: string;
  };
  /** The name of the extra file beside it (SQLite page hashes), if any. */
  extra?: string;
  extraSha256?: string;
}

export interface BackupKey {
  key: Buffer;
  keyId: string;
}

/** The backup key of a PII cipher: HMAC-SM3(PII key, 'sanse:backup'), first 16 bytes (SM4 is 128-bit). */
export function backupKey(pii: PiiCipher): BackupKey {
  return { key: pii.deriveKey('sanse:backup').subarray(0, 16), keyId: pii.keyId };
}

export class BackupFileError extends Error {}

/** A stream that hashes what passes and counts bytes. */
function tap(hash: crypto.Hash): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      t.bytes += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** Test hook: pause the writer after its first chunk (SANSE_BACKUP_TEST_PAUSE=1) so a test can kill the process midway. */
function testPause(): Transform | null {
  if (process.env.SANSE_BACKUP_TEST_PAUSE !== '1') return null;
  let paused = false;
  return new Transform({
    transform(chunk, _enc, cb) {
      if (paused) return cb(null, chunk);
      paused = true;
      this.push(chunk);
      process.stderr.write('SANSE_BACKUP_PAUSED\n');
      setTimeout(() => cb(), 60_000);
    },
  });
}

/**
 * Writes `source` compressed and encrypted to `file` (through `file.part`, renamed at the end).
 * Returns the raw and stored sizes and the SHA-256 of the stored bytes.
 */
export async function writeContainer(source: Readable, file: string, key: BackupKey): Promise<{ rawBytes: number; storedBytes: number; sha256: string }> {
  const part = `${file}.part`;
  const iv = crypto.randomBytes(16);
  const header = Buffer.concat([MAGIC, Buffer.from(key.keyId, 'ascii'), iv]);
  const stored = crypto.createHash('sha256');
  const raw = tap(crypto.createHash('sha256'));
  const out = tap(stored);
  const cipher = crypto.createCipheriv('sm4-ctr', key.key, iv);
  const pause = testPause();
  const stages: (Readable | Writable | Transform)[] = [source, raw, zlib.createGzip({ level: 6 }), cipher];
  // The header goes first, then the ciphertext: one writer through the tap.
  const fileOut = fs.createWriteStream(part, { mode: 0o600 });
  out.pipe(fileOut);
  out.write(header);
  const done = new Promise<void>((resolve, reject) => {
    fileOut.on('finish', resolve);
    fileOut.on('error', reject);
  });
  await pipeline([...stages, ...(pause ? [pause] : []), out] as any);
  await done;
  const fd = fs.openSync(part, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(part, file);
  return { rawBytes: raw.bytes, storedBytes: out.bytes, sha256: stored.digest('hex') };
}

/** The SHA-256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), new Transform({ transform(c, _e, cb) { h.update(c); cb(); } }));
  return h.digest('hex');
}

/**
 * Opens a container for reading, after checking its stored bytes against the manifest's SHA-256
 * and its key id against the key: a flipped byte or another key is refused before anything is read.
 */
export async function openContainer(dir: string, m: BackupManifest, key: BackupKey): Promise<Readable> {
  const file = path.join(dir, `${m.id}.bak`);
  if (!fs.existsSync(file)) throw new BackupFileError(`备份文件 ${m.id}.bak 不存在`);
  const sum = await sha256File(file);
  if (sum !== m.sha256) throw new BackupFileError(`备份 ${m.id} 的校验和不符（文件已损坏或被改动），拒绝恢复`);
  const fd = fs.openSync(file, 'r');
  const header = Buffer.alloc(HEADER);
  fs.readSync(fd, header, 0, HEADER, 0);
  fs.closeSync(fd);
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupFileError(`${m.id}.bak 不是 sanse 备份文件`);
  const fileKeyId = header.subarray(MAGIC.length, MAGIC.length + 16).toString('ascii');
  if (fileKeyId !== key.keyId || m.keyId !== key.keyId) {
    throw new BackupFileError(`备份 ${m.id} 由另一密钥加密（密钥编号 ${fileKeyId}），当前 PII_KEY 的密钥编号为 ${key.keyId}：请使用备份时的身份证号加密密钥`);
  }
  const iv = header.subarray(MAGIC.length + 16, HEADER);
  const decipher = crypto.createDecipheriv('sm4-ctr', key.key, iv);
  const gunzip = zlib.createGunzip();
  const src = fs.createReadStream(file, { start: HEADER });
  src.on('error', (e) => gunzip.destroy(e));
  decipher.on('error', (e) => gunzip.destroy(e));
  src.pipe(decipher).pipe(gunzip);
  return gunzip;
}

/** Writes a manifest (through .part, renamed): the backup is listed from this moment. */
export function writeManifest(dir: string, m: BackupManifest): void {
  const file = path.join(dir, `${m.id}.json`);
  fs.writeFileSync(`${file}.part`, JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.part`, file);
}

/** Every complete backup in `dir` (its manifest and its container both present), oldest first. */
export function listManifests(dir: string): BackupManifest[] {
  if (!fs.existsSync(dir)) return [];
  const out: BackupManifest[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const m = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as BackupManifest;
      if (m.format === 1 && m.id && fs.existsSync(path.join(dir, `${m.id}.bak`))) out.push(m);
    } catch {
      // not a manifest of ours
    }
  }
  return out.sort((a, b) => a.snapshotAt.localeCompare(b.snapshotAt) || a.id.localeCompare(b.id));
}

/** Removes what killed runs left (`*.part`, scratch folders); returns the names removed. */
export function removeLeftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const gone: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.part') || name.startsWith('.scratch-')) {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      gone.push(name);
    }
  }
  return gone;
}

/** Deletes a backup's files (manifest first: it stops being listed before its data goes). */
export function deleteBackup(dir: string, m: BackupManifest): void {
  fs.rmSync(path.join(dir, `${m.id}.json`), { force: true });
  fs.rmSync(path.join(dir, `${m.id}.bak`), { force: true });
  if (m.extra) fs.rmSync(path.join(dir, m.extra), { force: true });
}

/**
 * One backup at a time per BACKUP_DIR: a lock file holding the pid. A lock whose process is gone
 * (killed) is taken over.
 */
export function lockBackupDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      let alive = false;
      try {
        if (pid && pid !== process.pid) { process.kill(pid, 0); alive = true; }
      } catch {
        alive = false;
      }
      if (alive) throw new BackupFileError(`另一个备份或恢复正在进行（进程 ${pid}），请稍后再试`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new BackupFileError('无法锁定备份目录');
}

/** A new backup's id: its start in UTC to the millisecond, and its kind. */
export function newBackupId(kind: BackupKind, at: Date = new Date()): string {
  return `${at.toISOString().replace(/[-:]/g, '').replace('.', '')}-${kind}`;
}

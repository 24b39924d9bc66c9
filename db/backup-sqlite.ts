// Backups of the embedded SQLite database.
//
// Full: SQLite's online backup API (better-sqlite3's `backup`) copies the live file, while the
// server keeps writing, into a consistent image; the image is stored in an encrypted container.
// Incremental: SQLite has no incremental backup of its own. We take the same online image and
// store only the pages that differ from the previous backup of the chain (a page-level delta
// against a list of per-page hashes kept beside each backup). A restore replays the full image
// and the deltas in order, and checks the result against the SHA-256 of the image recorded at
// backup time.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';

// better-sqlite3 ships no types; knex loads it the same way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Database: any = createRequire(import.meta.url)('better-sqlite3');
import { openContainer, sha256File, writeContainer, type BackupKey, type BackupManifest } from './backup-files.ts';

const HASH_BYTES = 16;

/** A consistent copy of the live SQLite file `file` at `dest` (online backup API, in one step). */
export async function sqliteSnapshot(file: string, dest: string): Promise<{ pageSize: number; pageCount: number }> {
  const src = new Database(file, { readonly: true, fileMustExist: true });
  try {
    src.pragma('busy_timeout = 10000');
    // One step copying every page: a write by another connection between steps would restart it.
    await src.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    src.close();
  }
  const copy = new Database(dest, { readonly: true });
  try {
    const pageSize = Number(copy.pragma('page_size', { simple: true }));
    const pageCount = Number(copy.pragma('page_count', { simple: true }));
    return { pageSize, pageCount };
  } finally {
    copy.close();
  }
}

/** Rows per table of a SQLite file (read only). */
export function sqliteRowCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = Number(db.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get());
    return out;
  } finally {
    db.close();
  }
}

/** The hash of each page of an image (16 bytes each, in page order) and the SHA-256 of the whole image. */
export function pageHashes(file: string, pageSize: number): { hashes: Buffer; imageSha256: string } {
  const size = fs.statSync(file).size;
  const pages = Math.ceil(size / pageSize);
  const hashes = Buffer.alloc(pages * HASH_BYTES);
  const whole = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const batch = 256;
  const buf = Buffer.alloc(pageSize * batch);
  try {
    for (let p = 0; p < pages; p += batch) {
      const n = fs.readSync(fd, buf, 0, buf.length, p * pageSize);
      whole.update(buf.subarray(0, n));
      for (let i = 0; i * pageSize < n; i++) {
        crypto.createHash('sha256').update(buf.subarray(i * pageSize, Math.min(n, (i + 1) * pageSize))).digest().copy(hashes, (p + i) * HASH_BYTES, 0, HASH_BYTES);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hashes, imageSha256: whole.digest('hex') };
}

/** The pages of `image` whose hash differs from `baseHashes` (or beyond it): [u32 page][page bytes] records, streamed. */
function deltaStream(image: string, pageSize: number, hashes: Buffer, baseHashes: Buffer): { stream: Readable; changed: () => number } {
  let changed = 0;
  const pages = hashes.length / HASH_BYTES;
  async function* gen() {
    const fd = fs.openSync(image, 'r');
    try {
      for (let p = 0; p < pages; p++) {
        const h = hashes.subarray(p * HASH_BYTES, (p + 1) * HASH_BYTES);
        if ((p + 1) * HASH_BYTES <= baseHashes.length && h.equals(baseHashes.subarray(p * HASH_BYTES, (p + 1) * HASH_BYTES))) continue;
        const rec = Buffer.alloc(4 + pageSize);
        rec.writeUInt32BE(p, 0);
        fs.readSync(fd, rec, 4, pageSize, p * pageSize);
        changed++;
        yield rec;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return { stream: Readable.from(gen()), changed: () => changed };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/**
 * Takes a SQLite backup of `file` into `dir`: a full image, or (with `base`, the latest backup of
 * the chain) the pages changed since. Returns the manifest's engine part and what to store.
 */
export async function backupSqlite(opts: { file: string; dir: string; id: string; key: BackupKey; base: BackupManifest | null }): Promise<Pick<BackupManifest, 'rawBytes' | 'storedBytes' | 'sha256' | 'rowCounts' | 'sqlite' | 'extra' | 'extraSha256' | 'snapshotAt'>> {
  const { file, dir, id, key, base } = opts;
  const scratch = path.join(dir, `.scratch-${id}`);
  fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
  try {
    const image = path.join(scratch, 'image.db');
    const snapshotAt = new Date().toISOString();
    const { pageSize } = await sqliteSnapshot(file, image);
    const { hashes, imageSha256 } = pageHashes(image, pageSize);
    const pageCount = hashes.length / HASH_BYTES;
    const rowCounts = sqliteRowCounts(image);
    let written: { rawBytes: number; storedBytes: number; sha256: string };
    let changedPages: number | undefined;
    if (!base) {
      written = await writeContainer(fs.createReadStream(image), path.join(dir, `${id}.bak`), key);
    } else {
      if (!base.sqlite || base.sqlite.pageSize !== pageSize) throw new Error(`上一次备份 ${base.id} 的页大小与当前数据库不同，请做一次全量备份`);
      if (!base.extraSha256) throw new Error(`上一次备份 ${base.id} 没有页校验清单，请做一次全量备份`);
      const baseHashes = await readAll(await openContainer(dir, { ...base, id: `${base.id}.pages`, sha256: base.extraSha256 }, key));
      const delta = deltaStream(image, pageSize, hashes, baseHashes);
      written = await writeContainer(delta.stream, path.join(dir, `${id}.bak`), key);
      changedPages = delta.changed();
    }
    // The page hashes of this state, for the next incremental (encrypted like the rest).
    const extra = `${id}.pages.bak`;
    const pagesWritten = await writeContainer(Readable.from([hashes]), path.join(dir, extra), key);
    return {
      ...written, rowCounts, snapshotAt, extra, extraSha256: pagesWritten.sha256,
      sqlite: { pageSize, pageCount, imageSha256, changedPages },
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Applies a delta container's records onto the open image file. */
async function applyDelta(stream: Readable, fd: number, pageSize: number): Promise<void> {
  const rec = 4 + pageSize;
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let off = 0;
    while (pending.length - off >= rec) {
      const page = pending.readUInt32BE(off);
      fs.writeSync(fd, pending, off + 4, pageSize, page * pageSize);
      off += rec;
    }
    pending = pending.subarray(off);
  }
  if (pending.length) throw new Error('增量备份的页数据不完整');
}

/**
 * Restores a chain (a full, then its incrementals in order) into the SQLite file `target`
 * (through `target.part`); checks the result against the image hash recorded by the last one.
 */
export async function restoreSqlite(opts: { dir: string; chain: BackupManifest[]; key: BackupKey; target: string }): Promise<void> {
  const { dir, chain, key, target } = opts;
  const part = `${target}.part`;
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  try {
    const full = await openContainer(dir, chain[0], key);
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(part, { mode: 0o600 });
      full.on('error', reject);
      out.on('error', reject);
      out.on('finish', resolve);
      full.pipe(out);
    });
    for (const m of chain.slice(1)) {
      const fd = fs.openSync(part, 'r+');
      try {
        await applyDelta(await openContainer(dir, m, key), fd, m.sqlite!.pageSize);
        fs.ftruncateSync(fd, m.sqlite!.pageCount * m.sqlite!.pageSize);
      } finally {
        fs.closeSync(fd);
      }
    }
    const last = chain[chain.length - 1];
    const sum = await sha256File(part);
    if (sum !== last.sqlite!.imageSha256) throw new Error(`恢复出的数据库与备份 ${last.id} 记录的校验和不符，已中止`);
    fs.renameSync(part, target);
  } finally {
    fs.rmSync(part, { force: true });
  }
}

// A fresh, migrated database for one test file: SQLite in a temp file by default, or a new
// MariaDB database on 127.0.0.1:3306 when SANSE_TEST_DB=mysql (dropped afterwards).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../../db/connection.ts';
import { registerAuditKey } from '../../db/audit.ts';
import { createPiiCipher, type PiiCipher } from '../../db/pii.ts';

export const TEST_DB_KIND: 'mysql' | 'sqlite' = process.env.SANSE_TEST_DB === 'mysql' ? 'mysql' : 'sqlite';
export const MYSQL_BASE = process.env.SANSE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDb {
  db: Db;
  pii: PiiCipher;
  url: string;
  close(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const tag = crypto.randomBytes(4).toString('hex');
  let url: string;
  let cleanup: () => Promise<void>;
  if (TEST_DB_KIND === 'mysql') {
    const name = `sanse_test_${tag}`;
    url = `${MYSQL_BASE}/${name}`;
    await ensureMysqlDatabase(url);
    cleanup = async () => {
      const admin = openDb(`${MYSQL_BASE}/mysql`);
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-test-'));
    url = `sqlite:${path.join(dir, 'test.db')}`;
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const db = openDb(url);
  await migrate(db);
  const pii = createPiiCipher(crypto.randomBytes(16).toString('hex'));
  registerAuditKey(db, pii);
  return {
    db, pii, url,
    async close() {
      await db.destroy();
      await cleanup();
    },
  };
}

/**
 * Removes the feeds the demo county imports (by 'demo'): for tests of a first import of a feed
 * (they read the versions and rows their own files make), and for tests of other subjects whose
 * small county the feeds' planted differences would turn red. `findings`: also the findings of
 * the feed rules (X-SI, X-PY, X-OR) a check has already made of them, as if no feed had come.
 */
export async function dropDemoFeeds(db: Db, opts: { findings?: boolean } = {}): Promise<void> {
  const ids = (await db('feed_imports').where({ by: 'demo' }).select('id')).map((r) => Number(r.id));
  for (const table of ['feed_social_insurance', 'feed_payroll', 'feed_appointments']) await db(table).whereIn('import_id', ids).delete();
  await db('feed_imports').whereIn('id', ids).delete();
  if (opts.findings) await db('findings').where((q) => q.where('rule', 'like', 'X-SI-%').orWhere('rule', 'like', 'X-PY-%').orWhere('rule', 'like', 'X-OR-%')).delete();
}

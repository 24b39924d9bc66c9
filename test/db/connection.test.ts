// The connection: reads batched into one round trip on MySQL (db/batch.ts), the same answers on
// SQLite; and on MariaDB, the same database reached through its Unix socket.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll, writeAll } from '../../db/batch.ts';
import { openDb } from '../../db/connection.ts';
import { nowMoment } from '../../db/clock.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from './helpers.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  const at = nowMoment();
  await t.db('users').insert([
    { id: 'u1', name: '甲', role: '查询用户', unit_code: null, unit_id: null, mobile: null, locked: false, created_at: at, updated_at: at },
    { id: 'u2', name: '乙', role: '查询用户', unit_code: null, unit_id: null, mobile: null, locked: true, created_at: at, updated_at: at },
  ]);
});
afterAll(async () => {
  await t?.close();
});

describe(`batched reads and writes (${TEST_DB_KIND})`, () => {
  it('answers each query in order, in one round trip on MySQL', async () => {
    const sent: string[] = [];
    const onQuery = (q: { sql: string }) => sent.push(q.sql);
    t.db.on('query', onQuery);
    const [all, locked, none, count] = await readAll(t.db, [
      t.db('users').select('id', 'name').orderBy('id'),
      t.db('users').where({ locked: true }).select('id'),
      t.db('users').where({ id: 'nobody' }).select('id'),
      t.db('users').count({ n: '*' }),
    ]);
    t.db.removeListener('query', onQuery);
    expect(all).toEqual([{ id: 'u1', name: '甲' }, { id: 'u2', name: '乙' }]);
    expect(locked).toEqual([{ id: 'u2' }]);
    expect(none).toEqual([]);
    expect(Number(count[0].n)).toBe(2);
    expect(sent).toHaveLength(TEST_DB_KIND === 'mysql' ? 1 : 4);
    // Values are bound, not spliced: a quote in a value stays a value.
    const [odd] = await readAll(t.db, [t.db('users').where({ name: "甲'; DROP TABLE users; --" }).select('id'), t.db('users').select('id').limit(1)]);
    expect(odd).toEqual([]);
    expect(Number((await t.db('users').count({ n: '*' }).first())?.n)).toBe(2);
  });

  it('writes in order inside a transaction, and rolls back together', async () => {
    await t.db.transaction(async (trx) => {
      await writeAll(trx, [trx('users').where({ id: 'u1' }).update({ name: '甲一' }), trx('users').where({ id: 'u1' }).update({ name: '甲二' })]);
    });
    expect((await t.db('users').where({ id: 'u1' }).first('name')).name).toBe('甲二');
    await expect(t.db.transaction(async (trx) => {
      await writeAll(trx, [trx('users').where({ id: 'u2' }).update({ name: '乙一' })]);
      throw new Error('rollback');
    })).rejects.toThrow('rollback');
    expect((await t.db('users').where({ id: 'u2' }).first('name')).name).toBe('乙');
  });
});

describe.runIf(TEST_DB_KIND === 'mysql')('MySQL through its Unix socket', () => {
  it('reaches the same database with ?socket=', async () => {
    const [[row]] = (await t.db.raw('select @@socket as s')) as unknown as [[{ s: string }]];
    const u = new URL(t.url);
    const viaSocket = openDb(`mysql://${u.username || 'root'}@localhost${u.pathname}?socket=${encodeURIComponent(row.s)}`);
    try {
      expect(viaSocket.client.config.connection.socketPath).toBe(row.s);
      const names = await viaSocket('users').orderBy('id').pluck('name');
      expect(names).toHaveLength(2);
    } finally {
      await viaSocket.destroy();
    }
  });
});

describe('prepared statements kept on a SQLite connection', () => {
  it('prepares a text once, re-prepares after a schema change by itself, and never hands out a statement being iterated', async () => {
    const { createRequire } = await import('node:module');
    const Database = createRequire(import.meta.url)('better-sqlite3');
    const { reusePreparedStatements } = await import('../../db/connection.ts');
    const conn = new Database(':memory:');
    let prepared = 0;
    const real = conn.prepare.bind(conn);
    conn.prepare = (sql: string) => { prepared++; return real(sql); };
    reusePreparedStatements(conn);
    conn.exec('create table t (x integer)');
    conn.prepare('insert into t (x) values (?)').run(1);
    conn.prepare('insert into t (x) values (?)').run(2);
    expect(prepared).toBe(1);
    expect(conn.prepare('select * from t order by x').all()).toEqual([{ x: 1 }, { x: 2 }]);
    conn.exec('alter table t add column y integer default 5');
    expect(conn.prepare('select * from t order by x').all()).toEqual([{ x: 1, y: 5 }, { x: 2, y: 5 }]);
    expect(prepared).toBe(2);
    const it1 = conn.prepare('select x from t order by x').iterate();
    expect(it1.next().value).toEqual({ x: 1 });
    // The kept statement is busy: a second one is prepared, and both give their rows.
    expect(conn.prepare('select x from t order by x').all()).toEqual([{ x: 1 }, { x: 2 }]);
    expect(it1.next().value).toEqual({ x: 2 });
    expect(prepared).toBe(4);
    it1.return();
    conn.close();
  });

  it('is what openDb does on SQLite: the same statement object for the same query', async () => {
    if (TEST_DB_KIND !== 'sqlite') return;
    const db = openDb('sqlite::memory:');
    try {
      const conn: any = await db.client.acquireConnection();
      try {
        expect(conn.prepare('select 1 as a')).toBe(conn.prepare('select 1 as a'));
      } finally {
        await db.client.releaseConnection(conn);
      }
      expect(await db.raw('select 2 as b')).toEqual([{ b: 2 }]);
      expect(await db.raw('select 2 as b')).toEqual([{ b: 2 }]);
    } finally {
      await db.destroy();
    }
  });
});

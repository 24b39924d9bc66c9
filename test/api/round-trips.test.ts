// How many times the server goes to the database for the mini-app's busiest calls. On MySQL each
// trip is a network write and a wait, and they were most of the server's CPU under load
// (bench:api): a save with its re-check takes 9, reading a person 3. A change that adds a query
// per row, or splits a batch, fails here. On SQLite (no network) the statements are counted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { TEST_DB_KIND } from '../db/helpers.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let person: { id: number; politics: string | null };
let s: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  const p = await a.t.db('people as p').join('users as u', 'u.unit_id', 'p.unit_id').where('u.role', '单位专管员').whereNot('p.status', '已出编').orderBy('p.id').first('p.id', 'p.politics', 'u.id as uid');
  person = { id: Number(p.id), politics: p.politics };
  s = await login(a.app, p.uid);
});
afterAll(async () => {
  await a?.close();
});

/** The queries knex sends while `f` runs (one event per round trip; a batch is one). */
async function trips(f: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const on = (q: { sql: string }) => sent.push(q.sql.slice(0, 80));
  a.t.db.client.on('query', on);
  try {
    await f();
  } finally {
    a.t.db.client.removeListener('query', on);
  }
  return sent;
}

describe(`round trips to the database (${TEST_DB_KIND})`, () => {
  it('reads a person in 4 (its audit row one of them) and saves a change with its re-check in 9', async () => {
    let version = 0;
    const read = await trips(async () => {
      const res = await a.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: s.read });
      expect(res.statusCode).toBe(200);
      version = res.json().version;
    });
    const politics = person.politics === '中共党员' ? '群众' : '中共党员';
    const save = await trips(async () => {
      const res = await a.app.inject({ method: 'PUT', url: `/api/people/${person.id}`, headers: s.write, payload: { changes: { politics }, reason: '核对政治面貌', version } });
      expect(res.statusCode).toBe(200);
      expect(res.json().version).toBe(version + 1);
    });
    if (TEST_DB_KIND === 'mysql') {
      // session + scope, person, (unit, cross, record, findings, version), and the view's audit
      // row (issue 17: every view of a person's record is recorded)
      expect(read, read.join('\n')).toHaveLength(4);
      expect(read.filter((q) => q.startsWith('insert into `audit_log`'))).toHaveLength(1);
      // session + scope, person, BEGIN, row + version, update + version row, COMMIT,
      // re-check's subject, re-check's facts, the answer's person + findings
      expect(save.length, save.join('\n')).toBeLessThanOrEqual(9);
    } else {
      // 26: issue 18 added the record's first and last version (首录/最后修改) to the read's batch.
      expect(read.length, read.join('\n')).toBeLessThanOrEqual(26);
      // SQLite runs each statement alone (in process, no network): the re-check's batch also reads
      // the feeds' state, the 已说明 mappings, the counties' latest snapshots and, the demo having
      // feeds, the person's and the unit's facts from each feed (issue 16): one trip on MariaDB.
      // 52: issue 18's answer also carries the record's provenance and its unit's 内设机构 (for the suggestions), in the same batch.
      expect(save.length, save.join('\n')).toBeLessThanOrEqual(52);
    }
  });
});

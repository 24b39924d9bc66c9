// Migration 004: a database written with the old mask (`330681********5267`) and P-ID-08 details
// carrying the number's birth date gets the one mask everywhere (`330681***********7`), in the
// mask columns and in every text that quoted one, and loses idBirth; twice changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskId } from '../../core/idnumber.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { up } from '../../db/migrations/004_id_mask.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { createTestDb, type TestDb } from './helpers.ts';

type Row = Record<string, any>;
const D0 = '2026-11-23';
const oldMask = (id: string) => (id.length <= 10 ? id.slice(0, 2) + '*'.repeat(id.length - 4) + id.slice(-2) : id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4));
const OLD_FORM = /\d{6}\*{8}[0-9X]{4}/;

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 12, people: 150, seed: 3, today: D0 });
  await dailyCheck(t.db, D0, 'http://127.0.0.1:3000');
  // Back to how the old code wrote it.
  for (const table of ['people', 'workers']) {
    for (const r of await t.db(table).whereNotNull('id_enc').select('id', 'id_enc')) {
      await t.db(table).where({ id: r.id }).update({ id_masked: oldMask(t.pii.decrypt(r.id_enc)) });
    }
  }
  for (const f of await t.db('findings').where({ subject_kind: 'person' }).select('id', 'entity_id', 'rule', 'detail')) {
    const p = await t.db('people').where({ id: f.entity_id }).first('id_masked', 'id_birth');
    const detail = f.rule === 'P-ID-08' ? JSON.stringify({ ...JSON.parse(f.detail), idBirth: p.id_birth }) : f.detail;
    await t.db('findings').where({ id: f.id }).update({ subject_id_masked: p.id_masked, detail });
  }
  const p = await t.db('people').whereNotNull('id_enc').first();
  await t.db('record_versions').insert({ entity: 'person', entity_id: p.id, version: 99, changed_by: 'system', changed_at: '2026-11-23 08:00:00', source: '测试', before: JSON.stringify({ id_masked: '110105********002X' }), after: JSON.stringify({ id_masked: p.id_masked }) });
  await t.db('sandbox_messages').insert({ conversation: 'user:x', payload: JSON.stringify({ kind: 'message', message: { kind: 'markdown', title: 't', text: `张三（${p.id_masked}）｜李四（110105********002X）` } }), at: '2026-11-23 08:00:00' });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('migration 004_id_mask', () => {
  it('recomputes every stored mask and rewrites the texts that quote old ones', async () => {
    const pid08 = await t.db('findings').where({ rule: 'P-ID-08' }).first('detail');
    expect(pid08, 'the demo has a P-ID-08 finding').toBeTruthy();
    expect(JSON.parse(pid08.detail).idBirth).toBeTruthy();
    expect(OLD_FORM.test(JSON.stringify(await t.db('people').select('id_masked')))).toBe(true);

    await up(t.db);

    for (const table of ['people', 'workers']) {
      for (const r of await t.db(table).whereNotNull('id_enc').select('id_enc', 'id_masked')) expect(r.id_masked).toBe(maskId(t.pii.decrypt(r.id_enc)));
    }
    for (const f of await t.db('findings as f').join('people as p', 'p.id', 'f.entity_id').where('f.subject_kind', 'person').select('f.subject_id_masked', 'p.id_masked', 'f.rule', 'f.detail')) {
      expect(f.subject_id_masked).toBe(f.id_masked);
      if (f.rule === 'P-ID-08') expect(JSON.parse(f.detail)).not.toHaveProperty('idBirth');
    }
    for (const [table, column] of [['record_versions', 'after'], ['record_versions', 'before'], ['sandbox_messages', 'payload'], ['outbox', 'payload'], ['cards', 'data'], ['findings', 'detail']]) {
      const text = JSON.stringify(await t.db(table).select(column));
      expect(OLD_FORM.test(text), `${table}.${column}`).toBe(false);
    }
    const msg = JSON.parse((await t.db('sandbox_messages').where({ conversation: 'user:x' }).first()).payload).message.text;
    expect(msg).toContain('李四（110105***********X）');
    const v = await t.db('record_versions').where({ version: 99 }).first();
    expect(JSON.parse(v.before).id_masked).toBe('110105***********X');
  });

  it('changes nothing when run again', async () => {
    const snapshot = async () => JSON.stringify([await t.db('people').orderBy('id').select('id_masked'), await t.db('findings').orderBy('id').select('subject_id_masked', 'detail'), await t.db('sandbox_messages').orderBy('id').select('payload')]);
    const before = await snapshot();
    await up(t.db);
    expect(await snapshot()).toBe(before);
  });
});

// Issue 18: the 登记表's full ID number (registration_forms.id_enc, id_hash) follows a key
// rotation (`sanse pii rotate`) like every other stored number: after it the new key alone reads
// it, the old key alone reads nothing, and its hash is the new key's.

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatePiiKey } from '../../commands/rotate-pii-key.ts';
import { createPiiCipher } from '../../db/pii.ts';
import { idRow } from '../../db/store.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const AT = '2026-01-01 00:00:00';
const ID = '110105195001010014';
let t: TestDb;
const oldKey = crypto.randomBytes(16).toString('hex');
const newKey = crypto.randomBytes(16).toString('hex');

beforeAll(async () => {
  t = await createTestDb();
  const old = createPiiCipher(oldKey);
  const [unitId] = (await t.db('units').insert({ code: '11330603MB0000022X', name: '轮换局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  const row = idRow(ID, old, '2026-11-23');
  const [personId] = (await t.db('people').insert({ unit_id: unitId, name: '甲', status: '已出编', ...row, created_at: AT, updated_at: AT })).map(Number);
  await t.db('registration_forms').insert({
    year: 2026, seq: 1, number: '编登〔2026〕1号', request_id: 1, kind: '出编', unit_id: unitId, person_id: personId, person_name: '甲',
    id_enc: row.id_enc, id_hash: row.id_hash, id_masked: row.id_masked, facts: '{}', approved_on: '2026-11-23', issued_at: AT, issued_by: 'lead',
  });
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('a 登记表 under a PII key rotation', () => {
  it('is re-encrypted and re-hashed with the people', async () => {
    const r = await rotatePiiKey(t.db, createPiiCipher(newKey, oldKey), { actor: 'cli:test' });
    expect(r.rows.registration_forms).toBe(1);
    const form = await t.db('registration_forms').first();
    const fresh = createPiiCipher(newKey);
    expect(fresh.decrypt(form.id_enc)).toBe(ID);
    expect(() => createPiiCipher(oldKey).decrypt(form.id_enc)).toThrow();
    expect(form.id_hash).toBe(fresh.hash(ID));
    expect(form.id_hash).toBe((await t.db('people').first()).id_hash);
  });
});

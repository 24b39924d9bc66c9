// `sanse pii rotate` (commands/rotate-pii-key.ts) on the demo county with its feeds, a confirmed
// feed link and a county snapshot: after the rotation every ID number decrypts to the same value
// under the new key alone, the old key alone decrypts nothing, look-ups by hash find every person,
// the feed matches and the check's findings are unchanged. A person saved between two batches is
// right; a rotation stopped midway (the daily check skips meanwhile) and run again completes.

import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatePiiKey } from '../../commands/rotate-pii-key.ts';
import { savePerson } from '../../commands/save-person.ts';
import { confirmFeedCandidate } from '../../commands/feed-links.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { unlinkedFeedRows } from '../../db/feeds.ts';
import { personWithUnitCode } from '../../db/people.ts';
import { createPiiCipher, type PiiCipher } from '../../db/pii.ts';
import { AUDIT_PREVIOUS_KEYS, readRotation, rotationInProgress } from '../../db/pii-rotation.ts';
import { getSetting } from '../../db/settings.ts';
import { personVersionQuery, saveDataSet } from '../../db/store.ts';
import { inputOf } from '../../core/person-fields.ts';
import { dailyCheckJob } from '../../server/jobs/daily-check.ts';
import { createTestDb, type TestDb } from './helpers.ts';

type Row = Record<string, any>;
const TODAY = '2026-11-23';
const ENC_TABLES = ['people', 'workers', 'staffing_requests', 'feed_social_insurance', 'feed_payroll', 'feed_appointments'];
const OFFICE = { id: 'office', role: '编办管理员', scope: null } as const;

let t: TestDb;
let oldKey: string;
let newKey: string;
let rotating: PiiCipher;
const plainBefore = new Map<string, string>();
let findingsBefore: string[] = [];
let matchesBefore: string[] = [];
let snapshotKnown = '';
let snapshotPlain = '';
let renamedFrom = '';

async function numbers(pii: PiiCipher): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const table of ENC_TABLES) for (const r of await t.db(table).whereNotNull('id_enc').select('id', 'id_enc') as Row[]) out.set(`${table}:${r.id}`, pii.decrypt(r.id_enc));
  return out;
}

async function openFindings(): Promise<string[]> {
  return ((await t.db('findings').where({ status: 'open' }).select('rule', 'unit_id', 'subject_name', 'qualifier')) as Row[])
    .map((r) => `${r.rule}|${r.unit_id}|${r.subject_name}|${r.qualifier ?? ''}`).sort();
}

/** Every join by hash the rules make: feed rows, workers, requests, links and snapshot people to people. */
async function matches(): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['feed_social_insurance', 'feed_payroll', 'feed_appointments', 'workers', 'feed_links', 'feed_contracts', 'county_snapshot_people']) {
    for (const r of await t.db(`${table} as f`).join('people as p', 'p.id_hash', 'f.id_hash').select('f.id as f', 'p.id as p') as Row[]) out.push(`${table}|${r.f}|${r.p}`);
  }
  for (const r of await t.db('staffing_requests as f').join('people as p', 'p.id_hash', 'f.person_id_hash').select('f.id as f', 'p.id as p') as Row[]) out.push(`req|${r.f}|${r.p}`);
  return out.sort();
}

beforeAll(async () => {
  t = await createTestDb();
  oldKey = crypto.randomBytes(16).toString('hex');
  newKey = crypto.randomBytes(16).toString('hex');
  // The instance as it was before the rotation: values written without a key id (as before ids existed) …
  const before = createPiiCipher(oldKey);
  const legacy: PiiCipher = { ...before, encrypt: (p) => before.encrypt(p).split(':')[1] };
  await seedDemo(t.db, legacy, { units: 40, people: 600, seed: 11, today: TODAY });
  // … a candidate confirmed (feed_links, a feed row matched through it), and a county's snapshot.
  const pending = [...await unlinkedFeedRows(t.db, '社保'), ...await unlinkedFeedRows(t.db, '工资统发'), ...await unlinkedFeedRows(t.db, '组织部任免')].find((e) => e.candidates.length);
  expect(pending, 'the demo plants candidates').toBeTruthy();
  await confirmFeedCandidate(t.db, { actor: OFFICE, kind: pending!.kind, sourceKey: pending!.sourceKey, personId: pending!.candidates[0].personId, today: TODAY });
  const person = await t.db('people').whereNotNull('id_hash').orderBy('id').first('id_hash', 'name', 'id_enc');
  snapshotKnown = person.id_hash;
  snapshotPlain = before.decrypt(person.id_enc);
  const [sid] = await t.db('county_snapshots').insert({ region_code: '330604', month: '2026-10', sha256: 'a'.repeat(64), units: 0, people: 2, created_at: '2026-11-01T00:00:00+08:00', imported_by: 'x', imported_at: '2026-11-01 00:00:00' });
  await t.db('county_snapshot_people').insert([
    { snapshot_id: Number(sid), id_hash: person.id_hash, id_masked: '330603********0000', name: person.name },
    { snapshot_id: Number(sid), id_hash: 'c'.repeat(64), id_masked: '330604********1111', name: '县里独有' },
  ]);
  await runCheck(t.db, TODAY);
  for (const [k, v] of await numbers(before)) plainBefore.set(k, v);
  findingsBefore = await openFindings();
  matchesBefore = await matches();
  rotating = createPiiCipher(newKey, oldKey);
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('sanse pii rotate', () => {
  it('refuses without PII_KEY_PREVIOUS, and with a previous key that reads nothing, before writing anything', async () => {
    await expect(rotatePiiKey(t.db, createPiiCipher(newKey), { actor: 'cli:test' })).rejects.toThrow(/PII_KEY_PREVIOUS/);
    await expect(rotatePiiKey(t.db, createPiiCipher(newKey, crypto.randomBytes(16).toString('hex')), { actor: 'cli:test' })).rejects.toThrow(/无法解密已保存的身份证号/);
    expect(await readRotation(t.db)).toBeNull();
  });

  it('stopped midway, the check skips with a note; a person saved between batches is right; run again, it completes', async () => {
    let saved = 0;
    let imported = 0;
    const lines: string[] = [];
    const stop = new Error('killed');
    const last = await t.db('people').whereNotNull('id_enc').orderBy('id', 'desc').first('id', 'name');
    renamedFrom = last.name;
    await expect(rotatePiiKey(t.db, rotating, {
      actor: 'cli:test', batchSize: 100, progress: (l) => lines.push(l),
      async afterBatch(n) {
        if (n === 2) {
          // An instance (PII_KEY=new, PII_KEY_PREVIOUS=old) saves a person the rotation has not reached.
          const row = (await personWithUnitCode(t.db, Number(last.id)))!;
          const version = Number((await personVersionQuery(t.db, Number(last.id)).first()).v);
          const r = await savePerson(t.db, rotating, { actor: OFFICE, row, changes: { 姓名: '改名测试' }, reason: '测试', version, today: TODAY });
          expect(r.changed).toBe(true);
          saved++;
        }
        if (n === 3) {
          // An import of a number whose row is not rotated yet finds that row by the previous key's hash: no second row.
          const before = Number((await t.db('people').count({ n: '*' }).first())!.n);
          const row = await t.db('people as p').join('units as u', 'u.id', 'p.unit_id').where('p.id', '<', last.id).whereNot('p.id_enc', 'like', `${rotating.keyId}:%`).orderBy('p.id', 'desc').first('p.*', 'u.code as unit_code');
          const r = await t.db.transaction((trx) => saveDataSet(trx, rotating, { people: [{ ...inputOf(row, row.unit_code, rotating.decrypt(row.id_enc)), unitId: Number(row.unit_id) }] }, { by: 'tester', source: '测试', today: TODAY }));
          expect(r.people.created).toBe(0);
          expect(Number((await t.db('people').count({ n: '*' }).first())!.n)).toBe(before);
          imported++;
        }
        if (n === 4) throw stop;
      },
    })).rejects.toBe(stop);
    expect(saved).toBe(1);
    expect(imported).toBe(1);
    expect(lines[0]).toMatch(/开始轮换身份证号密钥/);
    expect(lines.some((l) => /实名制人员：已处理 200 \/ \d+ 行/.test(l))).toBe(true);
    const state = await rotationInProgress(t.db);
    expect(state?.to).toBe(rotating.keyId);
    const skipped = await dailyCheckJob({ publicBaseUrl: 'http://x', log: () => {} }).run({ db: t.db, runId: 0, slot: TODAY, key: TODAY, manual: true }) as { skipped?: string };
    expect(skipped.skipped).toMatch(/身份证号密钥正在轮换.*本次检查跳过/);
    // Half rotated: both kinds of values are read.
    expect(await numbers(rotating)).toEqual(plainBefore);

    const again: string[] = [];
    // Between a batch's read and its write, an instance saves one of its rows (under the new key): the batch leaves that row as written.
    let written: { id: number; idEnc: string } | null = null;
    const r = await rotatePiiKey(t.db, rotating, {
      actor: 'cli:test', batchSize: 100, progress: (l) => again.push(l),
      async afterRead(table, ids) {
        if (written || table !== 'people') return;
        const row = await t.db('people').where({ id: ids[0] }).first('id', 'id_enc');
        expect(row.id_enc.startsWith(`${rotating.keyId}:`)).toBe(false);
        const plain = rotating.decrypt(row.id_enc);
        written = { id: Number(row.id), idEnc: rotating.encrypt(plain) };
        await t.db('people').where({ id: row.id }).update({ id_enc: written.idEnc, id_hash: rotating.hash(plain) });
      },
    });
    expect(written).toBeTruthy();
    expect((await t.db('people').where({ id: written!.id }).first('id_enc')).id_enc).toBe(written!.idEnc);
    expect(again[0]).toMatch(/继续上次未完成的密钥轮换/);
    expect(again.at(-1)).toMatch(/密钥轮换完成/);
    // Hashes whose number this instance never had: the county's own person, and the demo's contracts of unregistered 编外 (W-07).
    expect(r.unmapped.county_snapshot_people).toBe(1);
    expect(Object.keys(r.unmapped).sort()).toEqual(['county_snapshot_people', 'feed_contracts']);
    expect(await rotationInProgress(t.db)).toBeNull();
    const p = await t.db('people').where({ id: last.id }).first();
    expect(p.name).toBe('改名测试');
    expect(createPiiCipher(newKey).decrypt(p.id_enc)).toBe(plainBefore.get(`people:${last.id}`));
    expect(p.id_hash).toBe(createPiiCipher(newKey).hash(plainBefore.get(`people:${last.id}`)!));
    // A second run has nothing to do.
    expect((await rotatePiiKey(t.db, rotating, { actor: 'cli:test' })).alreadyDone).toBe(true);
  }, 120_000);

  it('every number decrypts to the same value under the new key alone, and under the old key alone to nothing', async () => {
    const only = createPiiCipher(newKey);
    expect(await numbers(only)).toEqual(plainBefore);
    const old = createPiiCipher(oldKey);
    for (const table of ENC_TABLES) {
      for (const r of await t.db(table).whereNotNull('id_enc').select('id_enc') as Row[]) {
        expect(r.id_enc.startsWith(`${only.keyId}:`)).toBe(true);
        expect(() => old.decrypt(r.id_enc)).toThrow();
      }
    }
  });

  it('look-ups by hash find every person, the joins are the same, and the check finds what it found', async () => {
    const only = createPiiCipher(newKey);
    for (const [k, plain] of plainBefore) {
      const [table, id] = k.split(':');
      if (table !== 'people') continue;
      const found = await t.db('people').where({ id_hash: only.hash(plain) }).pluck('id');
      expect(found.map(Number)).toContain(Number(id));
    }
    expect(await matches()).toEqual(matchesBefore);
    expect(Number((await t.db('county_snapshot_people').where({ id_hash: only.hash(snapshotPlain) }).count({ n: '*' }).first())!.n)).toBe(1);
    expect(await t.db('county_snapshot_people').where({ id_hash: snapshotKnown }).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(0);
    expect(Number((await t.db('county_snapshot_people').where({ id_hash: 'c'.repeat(64) }).count({ n: '*' }).first())!.n)).toBe(1);
    const s = await runCheck(t.db, TODAY);
    expect(s.findings.opened).toBe(0);
    expect(s.findings.resolved).toBe(0);
    // The saved person's new name is the only change the findings carry.
    expect((await openFindings()).map((x) => x.replaceAll('改名测试', renamedFrom))).toEqual(findingsBefore);
    expect((await openFindings()).length).toBe(findingsBefore.length);
  });

  it('keeps the previous audit key under the new key, empties the hash map, and audits the rotation', async () => {
    const only = createPiiCipher(newKey);
    const list = JSON.parse(only.decrypt((await getSetting<string>(t.db, AUDIT_PREVIOUS_KEYS))!));
    const old = createPiiCipher(oldKey);
    expect(list).toEqual([{ keyId: old.keyId, keyHex: old.deriveKey('sanse:audit-chain').toString('hex') }]);
    expect(Number((await t.db('pii_rotation_hashes').count({ n: '*' }).first())!.n)).toBe(0);
    expect((await t.db('audit_log').whereIn('action', ['pii_rotate_start', 'pii_rotate_finish']).orderBy('id').pluck('action'))).toEqual(['pii_rotate_start', 'pii_rotate_finish']);
  });
});

// 市县贯通: a county's signed snapshot imported on the city's instance. Idempotent (the same file
// twice changes no table), refused when unsigned, tampered, of an unknown county or not a real
// month; a different file of the same county and month replaces the earlier one. X-RG-01 is
// silent while the copies agree and fires on planted differences; P-ID-11 works across counties.
// The county's instance is played by the same database exporting the county's units (--region):
// the same PII_KEY, so the same ID hashes (README 市县贯通).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSnapshot, importSnapshot, snapshotKeygen, trustCounty } from '../../commands/snapshots.ts';
import { CommandError } from '../../commands/errors.ts';
import { recheck, runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { isSqlite } from '../../db/connection.ts';
import { addSecondCounty, type SecondCounty } from '../fixtures/second-county.ts';
import { createTestDb, type TestDb } from './helpers.ts';

type Row = Record<string, any>;
const D0 = '2026-11-23';
let t: TestDb;
let dir: string;
let county: SecondCounty;
const admin = { id: 'city-admin' };

async function tableCounts(): Promise<Record<string, number>> {
  const names: string[] = isSqlite(t.db)
    ? (await t.db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")).map((r: Row) => r.name)
    : (await t.db.raw('show tables'))[0].map((r: Row) => Object.values(r)[0] as string);
  const out: Record<string, number> = {};
  for (const n of names.sort()) out[n] = Number((await t.db(n).count({ n: '*' }).first())!.n);
  return out;
}

const xrg = async () => (await t.db('findings').where({ rule: 'X-RG-01', status: 'open' }).orderBy('id').select('unit_id', 'qualifier', 'subject_name', 'detail')) as Row[];

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CommandError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 400, seed: 5, today: D0 });
  county = await addSecondCounty(t.db, { units: 3 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-snap-'));
  snapshotKeygen(path.join(dir, 'keys'));
  await trustCounty(t.db, admin, county.region, fs.readFileSync(path.join(dir, 'keys', 'snapshot-signing.pub'), 'utf8'));
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const keyFile = () => path.join(dir, 'keys', 'snapshot-signing.key');
const exportTo = (name: string, month = '2026-11') => exportSnapshot(t.db, { month, out: path.join(dir, name), keyFile: keyFile(), region: county.region });

describe('county snapshots', () => {
  it('exports the county\'s units and people, signed, with masked IDs and hashes only', async () => {
    const r = await exportTo('a.json.gz');
    expect(r.units).toBe(3);
    const f = JSON.parse(zlib.gunzipSync(fs.readFileSync(r.file)).toString('utf8'));
    expect(typeof f.signature).toBe('string');
    const body = JSON.parse(f.body);
    expect(body.manifest).toMatchObject({ region: '330604', month: '2026-11', counts: { units: 3, people: body.people.length } });
    expect(body.people.length).toBe(Number((await t.db('people').whereIn('unit_id', county.unitIds).count({ n: '*' }).first())!.n));
    // No ID number in clear: none of the originals' numbers (the copies carry the same people) is in the file.
    const numbers = (await t.db('people').whereIn('unit_id', [...county.copyOf.keys()]).whereNotNull('id_enc').pluck('id_enc')).map((e: string) => t.pii.decrypt(e));
    expect(numbers.length).toBeGreaterThan(5);
    for (const n of numbers) expect(f.body).not.toContain(n);
    expect(body.people.every((p: Row) => p.idMasked === null || p.idMasked.includes('*'))).toBe(true);
  });

  it('imports once; the same file again changes no table', async () => {
    const bytes = fs.readFileSync(path.join(dir, 'a.json.gz'));
    const first = await importSnapshot(t.db, admin, bytes);
    expect(first).toMatchObject({ changed: true, version: 1, region: '330604', month: '2026-11' });
    const before = await tableCounts();
    const again = await importSnapshot(t.db, admin, bytes);
    expect(again.changed).toBe(false);
    expect(again.message).toContain('已导入，无变化');
    expect(await tableCounts()).toEqual(before);
  });

  it('stays silent while the city\'s copy agrees with the county\'s', async () => {
    await runCheck(t.db, D0);
    expect(await xrg()).toEqual([]);
  });

  it('fires X-RG-01 on planted differences, and is green again once they agree', async () => {
    const [u1, u2] = county.unitIds;
    const people: Row[] = await t.db('people').where({ unit_id: u1, status: '在编' }).orderBy('id').limit(2);
    // The city's copy: a status changed, a person gone (so only in the county's copy), a 核定 changed.
    await t.db('people').where({ id: people[0].id }).update({ status: '待入编' });
    const gone = { ...people[1] };
    await t.db('people').where({ id: people[1].id }).delete();
    const q: Row = await t.db('quotas').where({ unit_id: u2 }).orderBy('id').first();
    await t.db('quotas').where({ id: q.id }).update({ approved: Number(q.approved) + 3 });
    // The instant re-check of one unit runs the same predicate over the same facts (read for that unit only).
    await recheck(t.db, { unitId: u1 }, D0);
    expect((await xrg()).map((h) => `${h.unit_id}|${h.qualifier}`).sort()).toEqual([`${u1}|county:${gone.id_masked}:${gone.name}`, `${u1}|person:${people[0].id}`].sort());
    await runCheck(t.db, D0);
    const hits = await xrg();
    const keys = hits.map((h) => `${h.unit_id}|${h.qualifier}`);
    expect(keys).toContain(`${u1}|person:${people[0].id}`);
    expect(keys).toContain(`${u1}|county:${gone.id_masked}:${gone.name}`);
    expect(keys).toContain(`${u2}|quota:${q.kind}`);
    expect(hits).toHaveLength(3);
    expect(JSON.parse(hits.find((h) => h.qualifier === `person:${people[0].id}`)!.detail).differences).toEqual(['人员状态：市级待入编，县级在编']);
    // No ID hash in any qualifier.
    expect(hits.every((h) => !/[0-9a-f]{64}/.test(h.qualifier))).toBe(true);
    // Put back: the copies agree again and the findings resolve.
    await t.db('people').where({ id: people[0].id }).update({ status: '在编' });
    await t.db('people').insert(gone);
    await t.db('quotas').where({ id: q.id }).update({ approved: q.approved });
    await runCheck(t.db, D0);
    expect(await xrg()).toEqual([]);
  });

  it('replaces an earlier file of the same county and month, keeping its versions', async () => {
    const [u1] = county.unitIds;
    const p: Row = await t.db('people').where({ unit_id: u1 }).orderBy('id').first();
    await t.db('people').where({ id: p.id }).update({ quota_kind: p.quota_kind === '事业编制' ? '行政编制' : '事业编制' });
    await exportTo('b.json.gz');
    const r = await importSnapshot(t.db, admin, fs.readFileSync(path.join(dir, 'b.json.gz')));
    expect(r).toMatchObject({ changed: true, replaced: true, version: 2 });
    expect(await t.db('county_snapshots').where({ region_code: '330604', month: '2026-11' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect((await t.db('county_snapshot_versions').where({ region_code: '330604' }).orderBy('version').pluck('version')).map(Number)).toEqual([1, 2]);
    const snap: Row = await t.db('county_snapshots').where({ region_code: '330604' }).first();
    expect(Number((await t.db('county_snapshot_people').where({ snapshot_id: snap.id }).count({ n: '*' }).first())!.n)).toBe(Number(snap.people));
    // The re-check of the unit sees the newest snapshot: both copies now agree.
    await runCheck(t.db, D0);
    expect(await xrg()).toEqual([]);
  });

  it('refuses an unsigned, tampered, unknown county\'s or not-a-month snapshot, in Chinese', async () => {
    const good = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'a.json.gz'))).toString('utf8'));
    const before = await tableCounts();
    expect(await refusal(importSnapshot(t.db, admin, Buffer.from(JSON.stringify({ ...good, signature: '' }))))).toContain('未签名');
    const body = JSON.parse(good.body);
    body.people[0].status = body.people[0].status === '在编' ? '已出编' : '在编';
    expect(await refusal(importSnapshot(t.db, admin, zlib.gzipSync(JSON.stringify({ ...good, body: JSON.stringify(body) }))))).toContain('签名校验失败');
    // Another county's key: 330681 is not registered.
    const other = await exportSnapshot(t.db, { month: '2026-11', out: path.join(dir, 'c.json.gz'), keyFile: keyFile(), region: '330681' });
    expect(await refusal(importSnapshot(t.db, admin, fs.readFileSync(other.file)))).toContain('公钥尚未登记');
    expect(await refusal(exportTo('d.json.gz', '2026-13'))).toContain('不是有效的月份');
    // Signed by the county's own key, but not a real month: refused too.
    const odd = JSON.parse(good.body);
    odd.manifest.month = '2026-13';
    const oddBody = JSON.stringify(odd);
    const signature = crypto.sign(null, Buffer.from(oddBody), crypto.createPrivateKey(fs.readFileSync(keyFile()))).toString('base64');
    expect(await refusal(importSnapshot(t.db, admin, zlib.gzipSync(JSON.stringify({ ...good, body: oddBody, signature }))))).toContain('“2026-13”不是有效的月份');
    expect(await refusal(importSnapshot(t.db, admin, Buffer.from('not a snapshot')))).toMatch(/[\u4e00-\u9fff]/);
    expect(await tableCounts()).toEqual(before);
  });

  it('stays silent for a whole county whose units share a credit code (U-IN-06), matched by name too', async () => {
    const dup = (await t.db('units').where({ region_code: '330603' }).whereNot('code', '').select('code').count({ n: '*' }).groupBy('code').havingRaw('count(*) > 1').first()) as Row | undefined;
    expect(dup, 'the demo county has a shared credit code').toBeTruthy();
    const keys = path.join(dir, 'keys-a');
    snapshotKeygen(keys);
    await trustCounty(t.db, admin, '330603', fs.readFileSync(path.join(keys, 'snapshot-signing.pub'), 'utf8'));
    const r = await exportSnapshot(t.db, { month: '2026-11', out: path.join(dir, 'keqiao.json.gz'), keyFile: path.join(keys, 'snapshot-signing.key'), region: '330603' });
    await importSnapshot(t.db, admin, fs.readFileSync(r.file));
    await runCheck(t.db, D0);
    expect(await xrg()).toEqual([]);
    // …and a re-check of each unit of the shared code agrees.
    for (const u of await t.db('units').where({ code: dup!.code }).select('id')) await recheck(t.db, { unitId: Number(u.id) }, D0);
    expect(await xrg()).toEqual([]);
  });

  it('fires P-ID-11 on both counties\' rows of one person 在编 in each', async () => {
    expect(county.shared).toBeTruthy();
    await runCheck(t.db, D0);
    const rows: Row[] = await t.db('findings').where({ rule: 'P-ID-11', status: 'open', scope: 'person' }).whereIn('entity_id', [county.shared!.personA, county.shared!.personB]).select('entity_id');
    expect(rows.map((r) => Number(r.entity_id)).sort((a, b) => a - b)).toEqual([county.shared!.personA, county.shared!.personB].sort((a, b) => a - b));
  });
});

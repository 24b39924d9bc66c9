// The audit chain (db/audit.ts) on SQLite and MariaDB: rows signed as written and chained by the
// sealer; verify names exactly the row that was edited, deleted, moved or forged; a purge after the
// retention period moves the anchor and verify still passes; two sealers on two connection pools
// at once keep one chain; rows signed under the key before a PII key rotation still verify; rows
// written before signing began (an upgraded deployment) are signed once at the upgrade and said so,
// while an unsigned row written after it stays broken.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUDIT_KEY_LABEL, PREVIOUS_AUDIT_KEYS, audit, isBusy, maskIdsInDetail, auditKeepDays, purgeAuditLog, registerAuditKey, sealAuditChain, verifyAuditChain, verifyText,
} from '../../db/audit.ts';
import { openDb } from '../../db/connection.ts';
import { AUDIT_RETENTION } from '../../server/jobs/audit-retention.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import { createPiiCipher } from '../../db/pii.ts';
import { putSetting } from '../../db/settings.ts';
import { recordLegacyAuditRows } from '../../db/migrations/030_audit_legacy_rows.ts';
import { TEST_DB_KIND, createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
type Row = Record<string, any>;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db('audit_log').delete();
  await t.db('settings').where({ key: PREVIOUS_AUDIT_KEYS }).delete();
  await t.db('audit_chain').where({ id: 1 }).update({ head_seq: 0, head_mac: '', anchor_seq: 0, anchor_mac: '', anchor_at: null, legacy_until_id: 0 });
  registerAuditKey(t.db, t.pii);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Writes n rows (some in a transaction, as commands do) and returns their ids in order. */
async function write(n: number, from = 1): Promise<number[]> {
  for (let i = from; i < from + n; i++) {
    if (i % 2) await audit(t.db, `user-${i}`, 'view_person', 'person', i, { via: 'api', 说明: `第${i}次` }, { unitId: 100 + i, ip: '10.0.0.' + i });
    else await t.db.transaction((trx) => audit(trx, `user-${i}`, 'export', null, null, { file: `导出${i}.xlsx`, rows: i }));
  }
  return (await t.db('audit_log').orderBy('id').select('id')).map((r: Row) => Number(r.id));
}

/** Rows as a version before signing wrote them: no unit, address, key or MAC. */
async function writeOld(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await t.db('audit_log').insert({ at: `2026-03-0${i} 09:00:00`, actor: `old-${i}`, action: 'export', entity: null, entity_id: null, detail: JSON.stringify({ file: `旧导出${i}.xlsx`, rows: i }) });
  }
}

const byId = async (id: number): Promise<Row> => (await t.db('audit_log').where({ id }).first()) as Row;

describe('the audit chain', () => {
  it('signs each row as written and chains them in id order', async () => {
    const ids = await write(5);
    const first = await byId(ids[0]);
    expect(first.row_mac).toMatch(/^[0-9a-f]{64}$/);
    expect(first.key_id).toBe(t.pii.keyId);
    expect(first.seq).toBeNull();
    expect(Number(first.unit_id)).toBe(101);
    expect(first.ip).toBe('10.0.0.1');
    const s = await sealAuditChain(t.db);
    expect(s).toEqual({ sealed: 5, suspect: 0, legacy: 0, head: 5 });
    const rows: Row[] = await t.db('audit_log').orderBy('id');
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: true, rows: 5, unsealed: 0, head: 5, broken: null, problems: 0 });
    expect(verifyText(v)).toContain('审计日志完整：共 5 行');
    // Sealing again changes nothing; later rows continue the chain.
    expect((await sealAuditChain(t.db)).sealed).toBe(0);
    await write(2, 6);
    expect(await sealAuditChain(t.db)).toMatchObject({ sealed: 2, head: 7 });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('masks an ID number a detail happens to hold (a file name, a typed reason), and nothing else', async () => {
    await audit(t.db, 'user-1', 'import', null, null, { file: '花名册330621197710273015.xlsx', reason: '身份证号 33062119771027301x 有误' });
    const r = await t.db('audit_log').orderBy('id', 'desc').first();
    expect(JSON.parse(r.detail)).toEqual({ file: '花名册330621***********5.xlsx', reason: '身份证号 330621***********X 有误' });
    // A unit's credit code, a hash, a count and a time are left as they are.
    const kept = JSON.stringify({ unitCode: '913306001234567890', sha: 'a3306211977102730150b', rows: 330621, at: '2026-12-06 09:00:00' });
    expect(maskIdsInDetail(kept)).toBe(kept);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('names the row whose content was edited', async () => {
    const ids = await write(5);
    await sealAuditChain(t.db);
    await t.db('audit_log').where({ id: ids[2] }).update({ detail: JSON.stringify({ file: '别的.xlsx', rows: 3 }) });
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(false);
    expect(v.broken).toMatchObject({ id: ids[2], seq: 3, action: 'view_person', problem: '内容被修改' });
    expect(v.problems).toBe(1);
    expect(verifyText(v)).toContain(`第 ${ids[2]} 行`);
  });

  it('names the row after a deleted one', async () => {
    const ids = await write(5);
    await sealAuditChain(t.db);
    await t.db('audit_log').where({ id: ids[2] }).delete();
    const v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: ids[3], seq: 4, problem: '缺少前一行（被删除）' });
  });

  it('notices the last rows deleted', async () => {
    const ids = await write(4);
    await sealAuditChain(t.db);
    await t.db('audit_log').where({ id: ids[3] }).delete();
    const v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: null, seq: 4, problem: '末尾的行缺失（被删除）' });
  });

  it('names the first of two rows swapped', async () => {
    const ids = await write(5);
    await sealAuditChain(t.db);
    // Rows 2 and 3 exchange their places in the chain (their seq and chain_mac).
    const [a, b] = [await byId(ids[1]), await byId(ids[2])];
    await t.db('audit_log').where({ id: a.id }).update({ seq: -1 });
    await t.db('audit_log').where({ id: b.id }).update({ seq: a.seq, chain_mac: a.chain_mac });
    await t.db('audit_log').where({ id: a.id }).update({ seq: b.seq, chain_mac: b.chain_mac });
    const v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: ids[2], seq: 2, problem: '顺序被调换' });
  });

  it('names a forged row, chained or not, and an unsigned one', async () => {
    const ids = await write(3);
    await sealAuditChain(t.db);
    const forged = { at: '2026-12-01 09:00:00', actor: 'demo-admin', action: 'login', entity: null, entity_id: null, detail: null, key_id: t.pii.keyId, row_mac: 'ab'.repeat(32) };
    // Forged into the chain with a made-up chain_mac.
    const [id1] = await t.db('audit_log').insert({ ...forged, seq: 4, chain_mac: 'cd'.repeat(32) });
    await t.db('audit_chain').where({ id: 1 }).update({ head_seq: 4, head_mac: 'cd'.repeat(32) });
    let v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: Number(id1), seq: 4, problem: '内容被修改' });
    await t.db('audit_log').where({ id: id1 }).delete();
    await t.db('audit_chain').where({ id: 1 }).update({ head_seq: 3, head_mac: (await byId(ids[2])).chain_mac });
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    // Forged as a new row: still named after the sealer chained it.
    const [id2] = await t.db('audit_log').insert(forged);
    v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: Number(id2), seq: null, problem: '内容被修改' });
    expect(await sealAuditChain(t.db)).toMatchObject({ sealed: 1, suspect: 1 });
    v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: Number(id2), seq: 4, problem: '内容被修改' });
    // A row written by a process without the key.
    await t.db('audit_log').where({ id: id2 }).delete();
    await t.db('audit_chain').where({ id: 1 }).update({ head_seq: 3, head_mac: (await byId(ids[2])).chain_mac });
    const other = openDb(t.url);
    try {
      await audit(other, 'system', 'check_run', null, null, { date: '2026-12-01' });
    } finally {
      await other.destroy();
    }
    const unsigned: Row = await t.db('audit_log').orderBy('id', 'desc').first();
    expect(unsigned.row_mac).toBeNull();
    v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: Number(unsigned.id), seq: null, problem: '未签名' });
  });

  it('purges rows past the retention period, moves the anchor, and still verifies', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 200 * 86_400_000);
    const old = await write(3);
    vi.useRealTimers();
    await write(2, 4);
    await sealAuditChain(t.db);
    const last = await byId(old[2]);
    // As the registry runs it (server/jobs/audit-retention.ts), one of the office's jobs.
    const job = officeJobs({ pii: t.pii, publicBaseUrl: 'http://x', log: () => {}, auditKeepDays: 183 }).find((j) => j.name === AUDIT_RETENTION)!;
    expect(job.schedule?.text).toBe('每个工作日 02:30（北京时间）');
    const r = (await job.run({ db: t.db, runId: 0, slot: '2026-12-07', key: '2026-12-07', manual: true })) as Awaited<ReturnType<typeof purgeAuditLog>>;
    expect(r.deleted).toBe(3);
    const chain: Row = await t.db('audit_chain').where({ id: 1 }).first();
    expect(Number(chain.anchor_seq)).toBe(3);
    expect(chain.anchor_mac).toBe(last.chain_mac);
    expect(chain.anchor_at).toBe(last.at);
    const rows: Row[] = await t.db('audit_log').orderBy('seq');
    expect(rows.map((x) => x.action)).toEqual(['export', 'view_person', 'audit_purge']);
    expect(JSON.parse(rows[2].detail)).toMatchObject({ deleted: 3, keepDays: 183, anchorSeq: 3 });
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: true, rows: 3, anchor: { seq: 3 } });
    expect(verifyText(v)).toContain('起点为第 3 号之后');
    // Nothing more to purge.
    expect((await purgeAuditLog(t.db, { keepDays: 183 })).deleted).toBe(0);
    // Deleting the oldest remaining row and moving the anchor past it by hand is noticed.
    const first = rows[0];
    await t.db('audit_log').where({ id: first.id }).delete();
    await t.db('audit_chain').where({ id: 1 }).update({ anchor_seq: first.seq, anchor_mac: first.chain_mac });
    expect((await verifyAuditChain(t.db)).broken).toMatchObject({ problem: '起点与清理记录不符' });
  });

  it('refuses a retention under 180 days', async () => {
    await expect(purgeAuditLog(t.db, { keepDays: 90 })).rejects.toThrow('审计日志至少保存 180 天');
    expect(() => auditKeepDays({ AUDIT_KEEP_DAYS: '179' })).toThrow('AUDIT_KEEP_DAYS 不能少于 180 天');
    expect(() => auditKeepDays({ AUDIT_KEEP_DAYS: '半年' })).toThrow('AUDIT_KEEP_DAYS 取值无效');
    expect(auditKeepDays({})).toBe(183);
    expect(auditKeepDays({ AUDIT_KEEP_DAYS: '365' })).toBe(365);
  });

  // On MariaDB two pools as two instances would have them. On SQLite two pools in one process
  // would block each other (better-sqlite3 waits for a lock synchronously): there the same pool
  // writes and seals from two callers at once, and separate processes wait on the file's lock.
  it('two sealers at once keep one chain', async () => {
    const other = TEST_DB_KIND === 'mysql' ? openDb(t.url) : t.db;
    registerAuditKey(other, t.pii);
    try {
      await write(40);
      // Both pools write and seal at once, in small batches so their transactions interleave.
      const writer = async (db: typeof other, who: string) => {
        for (let i = 0; i < 30; i++) await audit(db, who, 'view_person', 'person', i, { i });
      };
      const sealer = async (db: typeof other) => {
        let n = 0;
        for (let i = 0; i < 8; i++) n += (await sealAuditChain(db, { batch: 7 })).sealed;
        return n;
      };
      const [, , a, b] = await Promise.all([writer(t.db, 'a'), writer(other, 'b'), sealer(t.db), sealer(other)]);
      const rest = (await sealAuditChain(other)).sealed;
      expect(a + b + rest).toBe(100);
      const seqs = (await t.db('audit_log').orderBy('seq').select('seq')).map((r: Row) => Number(r.seq));
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 100, head: 100 });
    } finally {
      if (other !== t.db) await other.destroy();
    }
  });

  it.runIf(TEST_DB_KIND === 'sqlite')('the background sealer gives up at once while another connection holds SQLite\'s write lock', async () => {
    await write(2);
    const other = openDb(t.url);
    const trx = await other.transaction();
    try {
      await trx('settings').insert({ key: 'audit-test-lock', value: '1' });
      const e = await sealAuditChain(t.db, { noWait: true }).then(() => null, (err: unknown) => err);
      expect(isBusy(e)).toBe(true);
    } finally {
      await trx.rollback();
      await other.destroy();
    }
    // The connection waits for locks again, and the rows are chained next time.
    expect((await t.db.raw('pragma busy_timeout'))[0].timeout).toBe(5000);
    expect(await sealAuditChain(t.db, { noWait: true })).toMatchObject({ sealed: 2, head: 2 });
  });

  it('verifies rows signed under the key before a PII key rotation', async () => {
    await write(3);
    await sealAuditChain(t.db);
    await write(2, 4); // signed under the old key, not yet chained
    const next = createPiiCipher('0123456789abcdef0123456789abcdef');
    expect(next.keyId).not.toBe(t.pii.keyId);
    registerAuditKey(t.db, next);
    await write(2, 6);
    // Without the old key the old rows cannot be checked.
    expect((await verifyAuditChain(t.db)).broken).toMatchObject({ seq: 1, problem: '密钥未知' });
    await putSetting(t.db, PREVIOUS_AUDIT_KEYS, next.encrypt(JSON.stringify([{ keyId: t.pii.keyId, keyHex: t.pii.deriveKey(AUDIT_KEY_LABEL).toString('hex') }])));
    expect(await sealAuditChain(t.db)).toMatchObject({ sealed: 4, suspect: 0, head: 7 });
    const keys = (await t.db('audit_log').orderBy('seq').select('key_id')).map((r: Row) => r.key_id);
    expect(keys).toEqual([...Array(5).fill(t.pii.keyId), next.keyId, next.keyId]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 7 });
  });

  it('signs the rows written before the upgrade once, when first chained, and says so', async () => {
    await writeOld(3);
    // Migration 030 as an upgrade runs it: rolled back, then run again over the old rows.
    await t.db.migrate.down({ name: '030_audit_legacy_rows' });
    await t.db.migrate.latest();
    const chain: Row = await t.db('audit_chain').where({ id: 1 }).first();
    const old: Row[] = await t.db('audit_log').orderBy('id');
    expect(Number(chain.legacy_until_id)).toBe(Number(old[2].id));
    registerAuditKey(t.db, t.pii);
    await write(2, 4);
    expect(await sealAuditChain(t.db)).toEqual({ sealed: 5, suspect: 0, legacy: 3, head: 5 });
    const rows: Row[] = await t.db('audit_log').orderBy('seq');
    expect(rows.map((r) => Boolean(r.signed_at_upgrade))).toEqual([true, true, true, false, false]);
    expect(rows[0].row_mac).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].key_id).toBe(t.pii.keyId);
    let v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: true, rows: 5, legacy: 3, broken: null });
    expect(verifyText(v)).toBe('审计日志完整：共 5 行（其中 3 行为升级前的记录，升级时补签），链头第 5 号。');

    // A row without row_mac written after the upgrade is 未签名, even with legacy_until_id moved past it.
    const other = openDb(t.url);
    try {
      await audit(other, 'system', 'check_run', null, null, { date: '2026-12-01' });
    } finally {
      await other.destroy();
    }
    const late: Row = await t.db('audit_log').orderBy('id', 'desc').first();
    await t.db('audit_chain').where({ id: 1 }).update({ legacy_until_id: late.id });
    expect(await sealAuditChain(t.db)).toMatchObject({ sealed: 1, suspect: 1, legacy: 0 });
    v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: false, legacy: 3, problems: 1 });
    expect(v.broken).toMatchObject({ id: Number(late.id), seq: 6, problem: '未签名' });
    // Marking it as signed at the upgrade by hand does not help.
    await t.db('audit_log').where({ id: late.id }).update({ signed_at_upgrade: true });
    expect((await verifyAuditChain(t.db)).broken).toMatchObject({ id: Number(late.id), problem: '升级时补签的标记不符' });
  });

  it('after the upgrade, an edited old row is named, and only the rows before the first signed one are old', async () => {
    await writeOld(2);
    await write(1, 3);
    await writeOld(1); // unsigned after a signed row: not from before signing began
    const ids = (await t.db('audit_log').orderBy('id').select('id')).map((r: Row) => Number(r.id));
    expect(await recordLegacyAuditRows(t.db)).toBe(ids[1]);
    expect(await sealAuditChain(t.db)).toMatchObject({ sealed: 4, suspect: 1, legacy: 2 });
    let v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ legacy: 2, problems: 1 });
    expect(v.broken).toMatchObject({ id: ids[3], problem: '未签名' });
    await t.db('audit_log').where({ id: ids[3] }).delete();
    await t.db('audit_chain').where({ id: 1 }).update({ head_seq: 3, head_mac: (await byId(ids[2])).chain_mac });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, legacy: 2 });
    await t.db('audit_log').where({ id: ids[0] }).update({ detail: JSON.stringify({ file: '改过.xlsx', rows: 1 }) });
    v = await verifyAuditChain(t.db);
    expect(v.broken).toMatchObject({ id: ids[0], seq: 1, problem: '内容被修改' });
  });
});

// sanse locks / sanse unlock as an office's script runs them: the lock list with the reason, the
// unlock by a 编办管理员 with a note (refused for others and without a note), audited.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLock } from '../db/user-locks.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const AT = '2026-01-01 00:00:00';
let t: TestDb;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  const [unitId] = (await t.db('units').insert({ code: 'CODE1', name: '脚本局', created_at: AT, updated_at: AT })).map(Number);
  const user = (id: string, name: string, role: string, unit: number | null) => ({ id, name, role, unit_id: unit, unit_code: unit ? 'CODE1' : null, mobile: null, locked: false, created_at: AT, updated_at: AT });
  await t.db('users').insert([user('adm', '王管理', '编办管理员', null), user('biz', '赵业务', '编办业务人员', null), user('zgy', '钱专管', '单位专管员', unitId)]);
  await t.db.transaction((trx) => insertLock(trx, { userId: 'zgy', kind: 'self-check', month: '2026-11', unitId, selfChecks: 0, required: 2, at: '2026-12-01 09:00:00' }));
});
afterAll(async () => {
  await t?.close();
});

describe('sanse locks and unlock', () => {
  it('lists the locks with their reason', async () => {
    const r = await sanse('locks', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ user: { id: 'zgy', name: '钱专管' }, unit: { name: '脚本局' }, month: '2026-11', reason: '本单位 2026年11月 自查 0 次，少于规定的 2 次', active: true }]);
    const text = await sanse('locks');
    expect(text.stdout).toContain('锁定中  钱专管（zgy）  脚本局  2026年11月  本单位 2026年11月 自查 0 次，少于规定的 2 次');
  });

  it('unlocks only as a 编办管理员 and with a note', async () => {
    const other = await sanse('unlock', 'zgy', '--note', '已补', '--as', 'biz');
    expect([other.code, other.stderr.trim()]).toEqual([2, '只有编办管理员可以解锁账号']);
    const noNote = await sanse('unlock', 'zgy', '--as', 'adm');
    expect([noNote.code, noNote.stderr.trim()]).toEqual([2, '请填写解锁说明']);
    const ok = await sanse('unlock', 'zgy', '--note', '已补做自查', '--as', 'adm');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('已解锁 钱专管（zgy）：2026-11 自查不足的锁定');
    expect(Number((await t.db('users').where({ id: 'zgy' }).first()).locked)).toBe(0);
    expect(await t.db('audit_log').where({ action: 'user_unlock', actor: 'adm' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    expect(JSON.parse((await sanse('locks', '--json')).stdout)[0]).toMatchObject({ active: false, unlockedBy: 'adm', note: '已补做自查' });
    expect(JSON.parse((await sanse('locks', '--active', '--json')).stdout)).toEqual([]);
  });
});

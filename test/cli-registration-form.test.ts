// Issue 18: `sanse requests decide --approve` of a 减人出编 issues its 《人员出编登记表》 (the CLI goes
// through the same decideRequest as the card and the app) and says the form's number; a repeat issues none.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../core/dates.ts';
import { createPiiCipher } from '../db/pii.ts';
import { idRow } from '../db/store.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const AT = '2026-01-01 00:00:00';
const ID = '110105195001010014';
let t: TestDb;
let env: NodeJS.ProcessEnv;
let dir: string;
let unitId: number;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-regform-'));
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  const pii = createPiiCipher(KEY);
  [unitId] = (await t.db('units').insert({ code: '11330603MB0000019X', name: '命令行局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  await t.db('quotas').insert({ unit_id: unitId, kind: '事业编制', approved: 3 });
  await t.db('people').insert({ unit_id: unitId, name: '出编甲', gender: '男', status: '在编', quota_kind: '事业编制', ...idRow(ID, pii, '2026-11-23'), created_at: AT, updated_at: AT });
  await t.db('users').insert([
    { id: 'clerk', name: '业务科', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead', name: '分管领导甲', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse requests decide and the 登记表', () => {
  it('approving a 减人出编 prints the 登记表 it issued; a second decision issues none', async () => {
    const file = path.join(dir, 'exit.json');
    fs.writeFileSync(file, JSON.stringify({ 申请类型: '减人出编', 单位ID: unitId, 身份证号: ID, 出编原因: '退休', 出编日期: '2026-11-20', 申请理由: '到龄退休' }));
    const s = await sanse('requests', 'submit', '--file', file, '--as', 'clerk', '--json');
    expect(s.code, s.stderr).toBe(0);
    const { no } = JSON.parse(s.stdout);
    expect((await sanse('requests', 'review', no, '--pass', '--as', 'clerk')).code).toBe(0);
    const d = await sanse('requests', 'decide', no, '--approve', '--comment', '同意出编', '--as', 'lead');
    expect(d.code, d.stderr).toBe(0);
    const form = await t.db('registration_forms').first();
    expect(form).toMatchObject({ kind: '出编', unit_id: unitId, person_name: '出编甲', issued_by: 'lead', number: `编登〔${Number(todayInShanghai().slice(0, 4))}〕1号` });
    expect(d.stdout).toContain(`已签发登记表 ${form.number}`);
    expect(d.stdout).not.toContain(ID);
    const again = await sanse('requests', 'decide', no, '--approve', '--as', 'lead');
    expect(again.code).not.toBe(0);
    expect(await t.db('registration_forms').count({ n: '*' }).first()).toMatchObject({ n: 1 });
  }, 120_000);
});

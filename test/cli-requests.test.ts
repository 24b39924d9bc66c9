// sanse requests submit / review / decide / list as an office's script runs them.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const AT = '2026-01-01 00:00:00';
const CODE = '11330603MB0000009X';
let t: TestDb;
let env: NodeJS.ProcessEnv;
let dir: string;
const sanse = (...args: string[]) => runSanse(env, ...args);
const file = (name: string, v: unknown) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, JSON.stringify(v));
  return p;
};

beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-requests-'));
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  createPiiCipher(KEY);
  const [unitId] = (await t.db('units').insert({ code: CODE, name: '脚本局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  await t.db('quotas').insert({ unit_id: unitId, kind: '事业编制', approved: 3 });
  await t.db('users').insert([
    { id: 'spec', name: '专管员', role: '单位专管员', unit_id: unitId, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead', name: '分管领导甲', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse requests', () => {
  it('submits, reviews, decides and lists; refuses in Chinese with a non-zero exit', async () => {
    const over = await sanse('requests', 'submit', '--file', file('over.json', { 申请类型: '用编计划', 统一社会信用代码: CODE, 编制类型: '事业编制', 数量: 4, 申请理由: '扩编' }), '--as', 'spec', '--json');
    expect(over.code).not.toBe(0);
    expect(over.stderr).toContain('事业编制可用编制不足：核定 3，实有 0，在途 0，可用 3，申请 4 名');

    const s = await sanse('requests', 'submit', '--file', file('plan.json', { 申请类型: '用编计划', 统一社会信用代码: CODE, 编制类型: '事业编制', 数量: 2, 申请理由: '新增职能' }), '--as', 'spec', '--json');
    expect(s.code, s.stderr).toBe(0);
    const { id, no, state } = JSON.parse(s.stdout);
    expect(state).toBe('submitted');

    const wrongRole = await sanse('requests', 'review', no, '--pass', '--as', 'spec');
    expect(wrongRole.code).not.toBe(0);
    expect(wrongRole.stderr).toContain('初审通过须由编办业务人员、编办管理员办理');

    expect((await sanse('requests', 'review', no, '--pass', '--comment', '符合条件', '--as', 'clerk')).code).toBe(0);
    const d = await sanse('requests', 'decide', String(id), '--approve', '--as', 'lead');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('已批准');
    const again = await sanse('requests', 'decide', String(id), '--approve', '--as', 'lead');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('该申请已由分管领导甲于');

    const list = await sanse('requests', 'list', '--state', 'approved', '--json');
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout);
    expect(rows).toEqual([{
      id, no, kind: '用编计划', unit: '脚本局', unitId: expect.any(Number), state: 'approved', summary: expect.stringContaining('事业编制 2 名'),
      steps: [
        { step: '提交', by: 'spec', decision: 'submit', comment: null, at: expect.any(String) },
        { step: '初审', by: 'clerk', decision: 'pass', comment: '符合条件', at: expect.any(String) },
        { step: '终审', by: 'lead', decision: 'approve', comment: null, at: expect.any(String) },
      ],
    }]);
    const bad = await sanse('requests', 'list', '--state', 'done');
    expect(bad.code).toBe(2);
  }, 120_000);
});

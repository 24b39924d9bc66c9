// sanse score and sanse ranking publish as an office's script runs them: the JSON shape of every
// unit best first, the month validated, a refusal in Chinese with a non-zero exit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPiiCipher } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const AT = '2026-01-01 00:00:00';
let t: TestDb;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);
const ids: number[] = [];

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
  createPiiCipher(KEY);
  for (const [code, name, group] of [['11330603MB0000001X', '一局', 'g1'], ['11330603MB0000002X', '二局', 'g2'], ['11330603MB0000003X', '三局', null]] as const) {
    const [id] = await t.db('units').insert({ code, name, group_id: group, created_at: AT, updated_at: AT });
    ids.push(Number(id));
  }
  await t.db('users').insert([
    { id: 'clerk', name: '业务科', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'spec', name: '专管员', role: '单位专管员', unit_id: ids[0], created_at: AT, updated_at: AT },
  ]);
  // 二局: an S2 accuracy finding open since 2026-10-12 (red the whole of October from 10-16: 11 working days).
  await t.db('findings').insert({ fingerprint: 'P-ID-09|1', open_key: 'P-ID-09|1', rule: 'P-ID-09', scope: 'person', entity_id: 1, unit_id: ids[1], status: 'open', opened_on: '2026-10-12', subject_kind: 'person', subject_name: '某人' });
  for (const id of [ids[0], ids[1]]) for (const d of ['2026-10-10', '2026-10-20']) await t.db('self_checks').insert({ unit_id: id, user_id: 'spec', at: `${d} 09:00:00`, findings: 0 });
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('sanse score', () => {
  it('prints every unit best first as [{unitId, unit, name, score, rank, deductions}]', async () => {
    const r = await sanse('score', '--month', '2026-10', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { unitId: ids[0], unit: '11330603MB0000001X', name: '一局', score: 100, rank: 1, deductions: { completeness: 0, accuracy: 0, timeliness: 0, selfCheck: 0 } },
      { unitId: ids[1], unit: '11330603MB0000002X', name: '二局', score: 96.8, rank: 2, deductions: { completeness: 0, accuracy: 1, timeliness: 2.2, selfCheck: 0 } },
      { unitId: ids[2], unit: '11330603MB0000003X', name: '三局', score: 90, rank: 3, deductions: { completeness: 0, accuracy: 0, timeliness: 0, selfCheck: 10 } },
    ]);
    const again = await sanse('score', '--month', '2026-10');
    expect(again.stdout).toContain('此前已评分（重新评分请加 --force）');
    expect(again.stdout).toContain('红黑榜待发布');
  });

  it('refuses a bad month in Chinese, naming the option', async () => {
    const bad = await sanse('score', '--month', '2026-13', '--json');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--month 应为 YYYY-MM');
    expect((await sanse('score')).stderr).toContain('请用 --month YYYY-MM 指定评分月份');
    const future = await sanse('score', '--month', '2099-01');
    expect(future.code).not.toBe(0);
    expect(future.stderr).toContain('2099-01 尚未开始');
  });

  it('ranking publish: office staff only, once', async () => {
    const refused = await sanse('ranking', 'publish', '--month', '2026-10', '--as', 'spec');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('只有编办管理员和编办业务人员可以发布红黑榜');
    const p = await sanse('ranking', 'publish', '--month', '2026-10', '--as', 'clerk', '--json');
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ month: '2026-10', published: true, groups: 2, state: 'published', publishedBy: 'clerk' });
    const twice = await sanse('ranking', 'publish', '--month', '2026-10', '--as', 'clerk');
    expect(twice.stdout).toContain('未重复发送');
    expect(await t.db('outbox').count({ n: '*' }).first()).toMatchObject({ n: 2 });
  });
});

// sanse audit review as an office's script runs it: a month's 排查 with the flagged user and the
// rule, once (the second run shows the first result and sends nothing); a month not yet ended and
// a bad month are refused in Chinese.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSetting } from '../db/settings.ts';
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
  await t.db('users').insert([{ id: 'biz', name: '赵业务', role: '编办业务人员', unit_id: null, unit_code: null, mobile: null, locked: false, created_at: AT, updated_at: AT }]);
  await putSetting(t.db, 'office', { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' });
  // 21 exports on working days of June 2025 (over 20); a second user with 3.
  const rows = Array.from({ length: 21 }, (_, i) => ({ at: `2025-06-${String(3 + (i % 3)).padStart(2, '0')} 10:${String(i).padStart(2, '0')}:00`, actor: 'biz', action: 'export', detail: JSON.stringify({ rows: 1 }) }));
  rows.push(...Array.from({ length: 3 }, () => ({ at: '2025-06-04 11:00:00', actor: 'other', action: 'export', detail: JSON.stringify({ rows: 1 }) })));
  await t.db('audit_log').insert(rows);
});
afterAll(async () => {
  await t?.close();
});

describe('sanse audit review', () => {
  it('reviews a month once, naming the unusual user and the rule', async () => {
    const r = await sanse('audit', 'review', '--month', '2025-06', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ month: '2025-06', created: true, sent: true, users: 2 });
    expect(out.flagged.map((f: { actor: string }) => f.actor)).toEqual(['biz']);
    const again = await sanse('audit', 'review', '--month', '2025-06');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('已于');
    expect(again.stdout).toContain('赵业务（biz）：导出次数 21 次，超过阈值 20');
    expect(again.stdout).toContain('判定规则');
    expect(await t.db('outbox').where({ dedup_key: 'audit-review:2025-06' }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('refuses a month not yet ended and a bad month in Chinese', async () => {
    const now = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const open = await sanse('audit', 'review', '--month', now);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('尚未结束');
    const bad = await sanse('audit', 'review', '--month', '2025-13');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('不是有效年月');
  });
});

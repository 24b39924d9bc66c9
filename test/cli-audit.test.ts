// sanse audit verify / list as an operator runs them: a command that writes an audit row leaves it
// chained; verify says the trail is whole (exit 0), then names the row edited behind its back
// (exit 1, the same in --json); list shows the rows with their Chinese labels.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
let t: TestDb;
let env: NodeJS.ProcessEnv;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await t?.close();
});

describe('sanse audit', () => {
  it('verifies a whole trail, then names the row edited and exits 1', async () => {
    expect((await sanse('rules', 'set', 'P-ID-01', '--disable')).code).toBe(0);
    expect((await sanse('rules', 'set', 'P-ID-01', '--enable')).code).toBe(0);
    // The command sealed its own row on the way out.
    const rows = await t.db('audit_log').orderBy('id');
    expect(rows.map((r) => [r.action, Number(r.seq)])).toEqual([['rules_set', 1], ['rules_set', 2]]);

    const ok = await sanse('audit', 'verify');
    expect([ok.code, ok.stdout.trim()]).toEqual([0, '审计日志完整：共 2 行，链头第 2 号。']);

    const list = await sanse('audit', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('修改规则设置 rule');
    const json = JSON.parse((await sanse('audit', 'list', '--action', 'rules_set', '--json')).stdout);
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({ action: 'rules_set', seq: 2, detail: { rule: 'P-ID-01', after: { enabled: true } } });

    await t.db('audit_log').where({ id: rows[0].id }).update({ actor: 'someone-else' });
    const bad = await sanse('audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(new RegExp(`^审计日志不完整：第 ${rows[0].id} 行（链序号 1，.+，rules_set）内容被修改。共发现 1 处问题。$`));
    const j = await sanse('audit', 'verify', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, broken: { id: Number(rows[0].id), seq: 1, problem: '内容被修改' } });

    const usage = await sanse('audit', 'frobnicate');
    expect(usage.code).toBe(2);
    expect(await sanse('audit', 'list', '--since', '2026-13-01').then((r) => r.code)).toBe(2);
  });
});

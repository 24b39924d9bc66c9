// sanse snapshot between two real instances (child processes, two databases sharing one PII_KEY):
// the county's instance makes a key pair and exports its month; the city's registers the key and
// imports the file; the same file again changes nothing; the city's check is silent on X-RG-01
// while both hold the same county, and fires once the city's copy differs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
const D0 = '2026-11-23';
let county: TestDb;
let city: TestDb;
let dir: string;
const envOf = (t: TestDb, extra: Record<string, string> = {}) => ({ ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent', ...extra });

beforeAll(async () => {
  [county, city] = await Promise.all([createTestDb(), createTestDb()]);
  const pii = createPiiCipher(KEY);
  // The same county in both: the city's copy of it, as the city's office keeps it.
  for (const t of [county, city]) await seedDemo(t.db, pii, { units: 20, people: 200, seed: 9, today: D0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-snap-'));
}, 180_000);
afterAll(async () => {
  await county?.close();
  await city?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse snapshot', () => {
  it('goes from a county\'s instance to the city\'s, signed and idempotent, and X-RG-01 compares', async () => {
    const keys = path.join(dir, 'keys');
    const kg = await runSanse(envOf(county), 'snapshot', 'keygen', '--out', keys);
    expect(kg.code, kg.stderr).toBe(0);
    expect(fs.statSync(path.join(keys, 'snapshot-signing.key')).mode & 0o077).toBe(0);
    const file = path.join(dir, '柯桥区-2026-11.json.gz');
    const noKey = await runSanse(envOf(county), 'snapshot', 'export', '--month', '2026-11', '--out', file);
    expect([noKey.code, noKey.stderr]).toEqual([2, expect.stringContaining('未设置 SNAPSHOT_SIGNING_KEY')]);
    const ex = await runSanse(envOf(county, { SNAPSHOT_SIGNING_KEY: path.join(keys, 'snapshot-signing.key') }), 'snapshot', 'export', '--month', '2026-11', '--out', file, '--json');
    expect(ex.code, ex.stderr).toBe(0);
    expect(JSON.parse(ex.stdout)).toMatchObject({ region: '330603', month: '2026-11', units: 20 });

    const unknown = await runSanse(envOf(city), 'snapshot', 'import', file);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('公钥尚未登记')]);
    const trust = await runSanse(envOf(city), 'snapshot', 'trust', '--region', '330603', '--key', path.join(keys, 'snapshot-signing.pub'));
    expect(trust.code, trust.stderr).toBe(0);
    expect(await city.db('audit_log').where({ action: 'snapshot_trust' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    const first = await runSanse(envOf(city), 'snapshot', 'import', file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/区县 330603 2026-11 快照（单位 20 个，人员 \d+ 名）已导入/);
    const again = await runSanse(envOf(city), 'snapshot', 'import', file);
    expect(again.stdout.trim()).toMatch(/已导入，无变化$/);
    const list = JSON.parse((await runSanse(envOf(city), 'snapshot', 'list', '--json')).stdout);
    expect(list.snapshots).toHaveLength(1);
    expect(list.versions).toHaveLength(1);

    const check = async () => JSON.parse((await runSanse(envOf(city), 'check', '--date', D0, '--force', '--json')).stdout).findings.byRule['X-RG-01'] ?? 0;
    expect(await check()).toBe(0);
    // The city's copy loses a person 在编 and changes a unit's 核定.
    const p = await city.db('people').where({ status: '在编' }).orderBy('id').first();
    await city.db('people').where({ id: p.id }).delete();
    const q = await city.db('quotas').orderBy('id').first();
    await city.db('quotas').where({ id: q.id }).update({ approved: Number(q.approved) + 1 });
    expect(await check()).toBe(2);
  }, 180_000);
});

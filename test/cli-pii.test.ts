// sanse pii keygen / rotate / status as an operator runs them on the embedded default (SQLite with
// its key file beside the database): the rotation refuses without the previous key, runs in
// batches with Chinese progress, replaces the key file (the old key kept beside it), and the
// instance then reads every number with the key file alone.

import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher, piiKeyFile } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';

const OLD = crypto.randomBytes(16).toString('hex');
let t: TestDb;
let keyFile: string;
const base = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' };
  delete env.PII_KEY;
  delete env.PII_KEY_PREVIOUS;
  return env;
};

beforeAll(async () => {
  t = await createTestDb();
  keyFile = piiKeyFile(t.url.slice('sqlite:'.length));
  fs.writeFileSync(keyFile, OLD + '\n', { mode: 0o600 });
  await seedDemo(t.db, createPiiCipher(OLD), { units: 8, people: 60, seed: 5, today: '2026-11-23' });
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('sanse pii', () => {
  it('keygen prints a new 32-hex key; rotate refuses without PII_KEY_PREVIOUS, rotates with it, and the key file follows', async () => {
    const kg = await runSanse(base(), 'pii', 'keygen');
    expect(kg.code).toBe(0);
    const NEW = kg.stdout.trim();
    expect(NEW).toMatch(/^[0-9a-f]{32}$/);
    expect(NEW).not.toBe(OLD);

    const refused = await runSanse({ ...base(), PII_KEY: NEW }, 'pii', 'rotate');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/未设置 PII_KEY_PREVIOUS/);

    const r = await runSanse({ ...base(), PII_KEY: NEW, PII_KEY_PREVIOUS: OLD }, 'pii', 'rotate', '--batch', '25');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/开始轮换身份证号密钥/);
    expect(r.stdout).toMatch(/实名制人员：已处理 25 \/ \d+ 行/);
    expect(r.stdout).toMatch(/密钥轮换完成/);
    expect(r.stdout).toMatch(/删除 PII_KEY_PREVIOUS/);
    const oldId = createPiiCipher(OLD).keyId;
    expect(fs.readFileSync(keyFile, 'utf8').trim()).toBe(NEW);
    expect(fs.readFileSync(`${keyFile}.${oldId}`, 'utf8').trim()).toBe(OLD);

    // The instance started again without PII_KEY: the key file's new key reads every number.
    const s = await runSanse(base(), 'pii', 'status', '--json');
    expect(s.code, s.stderr).toBe(0);
    const status = JSON.parse(s.stdout);
    expect(status).toMatchObject({ keyId: createPiiCipher(NEW).keyId, previousKeyId: null, rotation: { from: oldId, to: createPiiCipher(NEW).keyId } });
    expect(status.rotation.finishedAt).toBeTruthy();
    const p = await t.db('people').whereNotNull('id_enc').orderBy('id').first('id_enc');
    const plain = createPiiCipher(NEW).decrypt(p.id_enc);
    const re = await runSanse(base(), 'recheck', '--person', plain, '--json');
    expect(re.code, re.stderr).toBe(0);
    expect(JSON.parse(re.stdout).subject.idMasked).toMatch(/\*/);
    const again = await runSanse({ ...base(), PII_KEY: NEW, PII_KEY_PREVIOUS: OLD }, 'pii', 'rotate');
    expect(again.stdout).toMatch(/已经完成，无需再次运行/);
  }, 120_000);
});

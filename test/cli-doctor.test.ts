// sanse doctor as an operator runs it (a child process): a good production configuration, all on
// local fakes (the DingTalk fake of test/dingtalk, the local Redis, a backup folder with recent
// manifests, https PUBLIC_BASE_URL), exits 0; each broken item exits 1 with its Chinese message.
// The disk-space and audit-chain checks, whose failure a test cannot cause from outside, are
// checked as functions with their inputs given.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuditChain, checkBackups } from '../commands/doctor.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher, piiKeyFile } from '../db/pii.ts';
import { PII_ROTATION } from '../db/pii-rotation.ts';
import { putSetting } from '../db/settings.ts';
import { FakeDingTalk } from './dingtalk/fake-dingtalk.ts';
import { createTestDb, MYSQL_BASE, type TestDb } from './db/helpers.ts';
import { runSanse } from './sanse-cli.ts';
import type { BackupManifest } from '../db/backup-files.ts';

const KEY = crypto.randomBytes(16).toString('hex');
const DAY = 86_400_000;
let t: TestDb;
let fake: FakeDingTalk;
let dir: string;
let backups: string;

function manifest(folder: string, name: string, kind: 'full' | 'incremental', daysAgo: number): void {
  fs.mkdirSync(folder, { recursive: true });
  const at = new Date(Date.now() - daysAgo * DAY).toISOString();
  // a manifest as commands/backup.ts writes it, beside its (here empty) backup file
  const m: BackupManifest = {
    format: 1, id: name, kind, chain: name, base: null, engine: 'sqlite', source: 'test.db', startedAt: at, snapshotAt: at, finishedAt: at,
    rawBytes: 4096, storedBytes: 1024, sha256: '0'.repeat(64), keyId: 'k', rowCounts: {},
  };
  fs.writeFileSync(path.join(folder, `${name}.bak`), '');
  fs.writeFileSync(path.join(folder, `${name}.json`), JSON.stringify(m));
}

function good(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: t.url, PII_KEY: KEY, PLATFORM: 'dingtalk',
    DINGTALK_CLIENT_ID: fake.clientId, DINGTALK_CLIENT_SECRET: fake.clientSecret, DINGTALK_ROBOT_CODE: fake.clientId,
    DINGTALK_API_BASE: fake.base, DINGTALK_OAPI_BASE: fake.base, REDIS_URL: 'redis://127.0.0.1:6379/15',
    PUBLIC_BASE_URL: 'https://sanse.example.gov.cn', SESSION_SECRET: 's'.repeat(48), BACKUP_DIR: backups,
  };
  delete env.PII_KEY_PREVIOUS;
  return env;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, createPiiCipher(KEY), { units: 5, people: 30, seed: 3, today: '2026-11-23', feeds: false });
  fake = await FakeDingTalk.start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-doctor-'));
  backups = path.join(dir, 'backups');
  manifest(backups, 'full-1', 'full', 3);
  manifest(backups, 'inc-1', 'incremental', 0.5);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('sanse doctor', () => {
  it('a good configuration: exit 0, every check passes (only SQLite noted), the audit chain verified, --json lists them', async () => {
    const r = await runSanse(good(), 'doctor');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/配置检查通过/);
    expect(r.stdout).toMatch(/钉钉凭据有效/);
    const j = await runSanse(good(), 'doctor', '--json');
    expect(j.code).toBe(0);
    const checks = JSON.parse(j.stdout) as Array<{ name: string; ok: boolean; level: string; message: string }>;
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks.filter((c) => c.level === 'warning').map((c) => c.name).sort()).toEqual(['数据库类型']);
    expect(checks.find((c) => c.name === '审计日志链')?.message).toMatch(/审计日志完整/);
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['数据库', 'Redis', '聊天平台', 'PUBLIC_BASE_URL', 'PII_KEY', 'SESSION_SECRET', '全量备份', '增量备份', '备份磁盘空间']));
  }, 60_000);

  const cases: Array<[string, (e: NodeJS.ProcessEnv) => void, RegExp]> = [
    ['no PUBLIC_BASE_URL', (e) => { delete e.PUBLIC_BASE_URL; }, /未设置 PUBLIC_BASE_URL/],
    ['PUBLIC_BASE_URL not https', (e) => { e.PUBLIC_BASE_URL = 'http://sanse.example.gov.cn'; }, /PUBLIC_BASE_URL 须为 https 地址/],
    ['PUBLIC_BASE_URL on this machine', (e) => { e.PUBLIC_BASE_URL = 'https://127.0.0.1:3000'; }, /PUBLIC_BASE_URL 指向本机/],
    ['the platform refuses the secret', (e) => { e.DINGTALK_CLIENT_SECRET = 'wrong'; }, /钉钉拒绝了凭据或无法访问/],
    ['no credentials: the sandbox', (e) => { e.PLATFORM = 'sandbox'; delete e.DINGTALK_CLIENT_ID; }, /当前为本地沙箱平台/],
    ['a credential missing', (e) => { delete e.DINGTALK_CLIENT_SECRET; }, /钉钉凭据不全：未设置 DINGTALK_CLIENT_SECRET/],
    ['Redis unreachable', (e) => { e.REDIS_URL = 'redis://127.0.0.1:1'; }, /无法连接 Redis/],
    ['no PII_KEY', (e) => { delete e.PII_KEY; }, /未设置 PII_KEY/],
    ['another PII_KEY', (e) => { e.PII_KEY = crypto.randomBytes(16).toString('hex'); }, /无法解密已保存的身份证号/],
    ['no SESSION_SECRET', (e) => { delete e.SESSION_SECRET; }, /未设置 SESSION_SECRET/],
    ['a short SESSION_SECRET', (e) => { e.SESSION_SECRET = 'short'; }, /SESSION_SECRET 太短/],
    ['no backup folder', (e) => { e.BACKUP_DIR = path.join(dir, 'none'); }, /备份目录 .* 不存在/],
    ['the database unreachable', (e) => { e.DATABASE_URL = 'mysql://root@127.0.0.1:1/sanse'; }, /无法连接数据库/],
    ['the database not migrated', (e) => { e.DATABASE_URL = `sqlite:${path.join(dir, 'empty.db')}`; }, /数据库结构未升级/],
  ];
  for (const [what, change, message] of cases) {
    it(`${what}: exit 1 with its message`, async () => {
      const env = good();
      change(env);
      const r = await runSanse(env, 'doctor');
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(message);
      expect(r.stdout).toMatch(/共 \d+ 项问题/);
    }, 60_000);
  }

  it('backups too old: a full older than 16 days, an incremental older than 2 days', async () => {
    const old = path.join(dir, 'old-backups');
    manifest(old, 'full', 'full', 20);
    manifest(old, 'inc', 'incremental', 3);
    const r = await runSanse({ ...good(), BACKUP_DIR: old }, 'doctor');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/最近一次全量备份在 \d{4}-\d{2}-\d{2} \d{2}:\d{2}，已超过 16 天/);
    expect(r.stdout).toMatch(/最近一次增量备份在 .*已超过 2 天/);
  }, 60_000);

  it.skipIf(!!process.env.SANSE_TEST_DB && process.env.SANSE_TEST_DB !== 'sqlite')('the embedded default without PII_KEY: the key file beside the database is the key in use (a warning, no keygen)', async () => {
    const file = piiKeyFile(t.url.replace(/^sqlite:/, ''));
    fs.writeFileSync(file, KEY + '\n', { mode: 0o600 });
    try {
      const env = good();
      delete env.PII_KEY;
      const r = await runSanse(env, 'doctor');
      expect(r.stdout).toMatch(/! 提醒  PII_KEY：未设置 PII_KEY：正在使用数据库旁的密钥文件 .*\.pii-key 中的密钥/);
      expect(r.stdout).toMatch(/生产环境请把 PII_KEY 设置为这把现用密钥（该文件的内容，不要新生成）/);
      expect(r.stdout).toMatch(/PII_KEY_PREVIOUS=现用密钥后运行 sanse pii rotate/);
      expect(r.stdout).not.toMatch(/keygen/);
      expect(r.stdout).not.toMatch(/PII_KEY 有误/);
      expect(r.stdout).toMatch(/✓ 正常  审计日志链/);
      expect(r.code, r.stdout).toBe(0);
      // A key file that is not the key in use: said, exit 1.
      fs.writeFileSync(file, crypto.randomBytes(16).toString('hex') + '\n');
      const bad = await runSanse(env, 'doctor');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/密钥文件 .* 中的密钥（密钥编号 [0-9a-f]+）无法解密已保存的身份证号/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 60_000);

  it('no PII_KEY on a database with ID numbers: set the key in use, never keygen', async () => {
    const env = good();
    delete env.PII_KEY;
    const r = await runSanse(env, 'doctor');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/数据库中已有加密的身份证号，请把 PII_KEY 设置为加密它们的现用密钥/);
    expect(r.stdout).toMatch(/sanse pii rotate/);
    expect(r.stdout).not.toMatch(/keygen/);
  }, 60_000);

  it('without REDIS_URL: sessions are in the database; rate limits and the queues are per process', async () => {
    const env = good();
    delete env.REDIS_URL;
    const r = await runSanse(env, 'doctor');
    const line = r.stdout.split('\n').find((l) => l.includes('Redis：')) ?? '';
    expect(line).toMatch(/! 提醒  Redis：未设置 REDIS_URL：登录会话在数据库中/);
    expect(line).toMatch(/登录限流计数、平台发送限速和任务队列都在本进程内/);
    expect(line).not.toMatch(/会话[^在]*都在本进程内/);
  }, 60_000);

  it('sanse pii status: a key that cannot decrypt the stored rows says so and exits 1', async () => {
    const good1 = await runSanse(good(), 'pii', 'status');
    expect(good1.code, good1.stderr).toBe(0);
    expect(good1.stdout).toMatch(/当前密钥编号 [0-9a-f]{16}/);
    const r = await runSanse({ ...good(), PII_KEY: crypto.randomBytes(16).toString('hex') }, 'pii', 'status');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/当前密钥（编号 [0-9a-f]{16}）无法解密已保存的身份证号（人员编号 \d+）/);
  }, 60_000);

  it('PII_KEY_PREVIOUS left over after a finished rotation', async () => {
    const prev = crypto.randomBytes(16).toString('hex');
    await putSetting(t.db, PII_ROTATION, { from: createPiiCipher(prev).keyId, to: createPiiCipher(KEY).keyId, by: 't', startedAt: '2026-12-01 09:00:00', finishedAt: '2026-12-01 09:05:00', step: 13, lastId: 0, rows: {}, unmapped: {} });
    try {
      const r = await runSanse({ ...good(), PII_KEY_PREVIOUS: prev }, 'doctor');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/密钥轮换已于 2026-12-01 09:05:00 完成，但仍设置了 PII_KEY_PREVIOUS/);
    } finally {
      await t.db('settings').where({ key: PII_ROTATION }).delete();
    }
  }, 60_000);

  it('MariaDB without the binary log: incrementals impossible', async () => {
    const name = `sanse_test_doctor_${crypto.randomBytes(3).toString('hex')}`;
    const url = `${MYSQL_BASE}/${name}`;
    await ensureMysqlDatabase(url);
    const db = openDb(url);
    try {
      await migrate(db);
      const [rows] = await db.raw("show variables like 'log_bin'");
      const r = await runSanse({ ...good(), DATABASE_URL: url }, 'doctor');
      if (String(rows[0].Value).toUpperCase() === 'ON') expect(r.stdout).toMatch(/二进制日志已开启/);
      else {
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/MariaDB 未开启二进制日志（log_bin=OFF）/);
      }
      expect(r.stdout).not.toMatch(/内嵌 SQLite/);
    } finally {
      await db.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await db.destroy();
    }
  }, 60_000);

  it('too little room for the next backup, and a broken audit chain', async () => {
    const health = async () => ({ lastFull: new Date(), lastIncremental: new Date(), largestBytes: 4 * 1024 ** 3 });
    const tight = await checkBackups(backups, health, new Date(), () => 5 * 1024 ** 3);
    expect(tight.find((c) => c.name === '备份磁盘空间')).toMatchObject({ ok: false, level: 'error', message: expect.stringMatching(/只剩 5\.0 GB，少于 8\.0 GB/) });
    const roomy = await checkBackups(backups, health, new Date(), () => 9 * 1024 ** 3);
    expect(roomy.every((c) => c.ok)).toBe(true);
    const pii = createPiiCipher(KEY);
    expect(await checkAuditChain(t.db, pii, async () => ({ ok: false, brokenAt: 42 }))).toMatchObject({ ok: false, message: expect.stringMatching(/审计日志链在第 42 条断开/) });
    expect(await checkAuditChain(t.db, pii, async () => ({ ok: true }))).toMatchObject({ ok: true, level: 'ok' });
  });
});

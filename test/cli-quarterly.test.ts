// sanse report quarterly as the office runs it: the real CLI writes the .docx and the PDF (format
// by extension), with the model's draft when LLM_* points at the local fake; a bad quarter or
// extension is refused in Chinese with a non-zero exit; a missing chromium is named in Chinese.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../db/check.ts';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher } from '../db/pii.ts';
import { createTestDb, type TestDb } from './db/helpers.ts';
import { startFakeLlm, type FakeLlm } from './fakes/llm.ts';
import { runSanse } from './sanse-cli.ts';

const KEY = '00112233445566778899aabbccddeeff';
let t: TestDb;
let env: NodeJS.ProcessEnv;
let dir: string;
let fake: FakeLlm;
const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(async () => {
  t = await createTestDb();
  fake = await startFakeLlm();
  fake.reply = () => '一、基本情况\n大模型起草的基本情况。\n六、下步建议\n大模型起草的建议。';
  env = { ...process.env, DATABASE_URL: t.url, PII_KEY: KEY, LOG_LEVEL: 'silent', LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'office-model', LLM_API_KEY: 'k' };
  await seedDemo(t.db, createPiiCipher(KEY), { units: 20, people: 300, seed: 5, today: '2026-09-30' });
  await runCheck(t.db, '2026-09-30');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-q-'));
}, 180_000);
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await fake?.close();
  await t?.close();
});

describe('sanse report quarterly', () => {
  it('writes the Word file with the model draft, then the PDF', async () => {
    const out = path.join(dir, 'q3.docx');
    const r = await sanse('report', 'quarterly', '--quarter', '2026Q3', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ quarter: '2026Q3', format: 'docx', asOf: '2026-09-30', narrative: 'llm' });
    expect(fake.requests.map((q) => q.body.model)).toEqual(['office-model']);
    const xml = await (await JSZip.loadAsync(fs.readFileSync(out))).file('word/document.xml')!.async('string');
    expect(xml).toContain('大模型起草的基本情况。');
    expect(xml).toContain('二、编制使用');
    const pdf = path.join(dir, 'q3.pdf');
    const p = await sanse('report', 'quarterly', '--quarter', '2026q3', '--out', pdf);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('已生成 2026年第三季度机构编制人员情况分析报告（PDF');
    expect(fake.requests).toHaveLength(1); // the stored draft is used again
    expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toContain('大模型起草的建议。');
  }, 120_000);

  it('refuses a bad quarter and a bad file name in Chinese', async () => {
    const bad = await sanse('report', 'quarterly', '--quarter', '2026Q5', '--out', path.join(dir, 'x.pdf'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--quarter 应为“年份+Q+季度序号”，例如 2026Q3');
    const ext = await sanse('report', 'quarterly', '--quarter', '2026Q3', '--out', path.join(dir, 'x.xlsx'));
    expect(ext.code).toBe(2);
    expect(ext.stderr).toContain('扩展名为 .docx（Word）或 .pdf');
  });

  it('names a missing chromium in Chinese', async () => {
    const r = await runSanse({ ...env, CHROMIUM_PATH: '/nonexistent/chromium' }, 'report', 'quarterly', '--quarter', '2026Q3', '--out', path.join(dir, 'y.pdf'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('未找到 chromium（/nonexistent/chromium）');
    expect(fs.existsSync(path.join(dir, 'y.pdf'))).toBe(false);
  });
});

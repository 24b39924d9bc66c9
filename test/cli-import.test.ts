// `sanse import` within the same bounds as the console: the XFD workbook that ran the server out
// of heap is refused in Chinese, naming sheet, row and column, and nothing is written.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeXfdWorkbook } from './fixtures/import-files.ts';
import { runSanse } from './sanse-cli.ts';

let dir: string;
let env: NodeJS.ProcessEnv;

const sanse = (...args: string[]) => runSanse(env, ...args);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-cli-import-'));
  env = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'sanse.db')}`, PII_KEY: '00112233445566778899aabbccddeeff' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('refuses the XFD workbook in Chinese and writes nothing', async () => {
  const file = path.join(dir, 'xfd.xlsx');
  await writeXfdWorkbook(file);
  const r = await sanse('import', file);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/工作表“人员”第1行第XFD列有内容，超出了该表允许的列数/);
  expect(r.stderr).not.toMatch(/out of bounds|heap/i);
  expect(fs.existsSync(path.join(dir, 'xfd.错误.xlsx'))).toBe(false);
}, 60_000);

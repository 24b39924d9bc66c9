// The console's 外部数据 tab in a real browser (Chromium through playwright-core): a small 社保
// workbook uploaded for a month, its version listed, the row without an ID number shown with its
// candidate, confirmed, and the link listed (and withdrawn). Screenshots:
// test-output/screenshots/feeds-console.png and feeds-console-confirmed.png.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { dropDemoFeeds } from '../db/helpers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;
const COUNTY = { units: 20, people: 300, seed: 4, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('the console\'s 外部数据 tab (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let dir: string;
  let person: Row;
  let unit: Row;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await page.setViewportSize({ width: 1280, height: 900 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-feeds-browser-'));
    const db = s.ctx.db;
    // The feeds this suite puts in are the first: the demo county's own are removed, with their findings.
    await dropDemoFeeds(db, { findings: true });
    const people: Row[] = await db('people').whereNotNull('birth_key').whereNot({ status: '已出编' }).whereNotNull('id_hash').orderBy('id');
    person = people.find((p) => people.filter((q) => q.birth_key === p.birth_key && q.name === p.name).length === 1)!;
    unit = await db('units').where({ id: person.unit_id }).first();
  }, 180_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a 社保 workbook, lists its version, and confirms a candidate', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('社保');
    ws.addRow(['身份证号', '姓名', '参保单位', '出生日期', '参保状态', '起始月份']);
    ws.addRow([null, person.name, unit.name, person.birth_key, '参保', '2010-09']);
    ws.addRow([null, '查无此人', '不存在的单位', '1970-01-01', '暂停', null]);
    const file = path.join(dir, '社保2026年10月.xlsx');
    await wb.xlsx.writeFile(file);

    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/feeds');
    await page.locator('[data-testid="feeds-upload"]').waitFor();
    expect(await page.locator('[data-testid="console-feeds"]').getAttribute('class')).toContain('primary');
    await page.locator('[data-testid="feeds-month"]').fill('2026-10');
    await page.locator('[data-testid="feeds-file"]').setInputFiles(file);
    await page.locator('[data-testid="feeds-submit"]').click();
    await page.locator('[data-testid="feeds-result"], [data-testid="feeds-failed"]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="feeds-failed"]').count(), await page.locator('[data-testid="feeds-upload"]').textContent() ?? '').toBe(0);
    expect(await page.locator('[data-testid="feeds-result"]').getAttribute('data-ok'), await page.locator('[data-testid="feeds-result"]').textContent() ?? '').toBe('true');
    expect(await page.locator('[data-testid="feeds-result"]').textContent()).toContain('有 1 行的参保单位未能对应到机构：不存在的单位（1行）');
    const version = page.locator('[data-testid="feed-version"][data-month="2026-10"]');
    await version.waitFor();
    expect(await version.textContent()).toContain('当前版本');
    expect(await version.textContent()).toContain('社保2026年10月.xlsx');
    expect(await page.locator('[data-testid="feeds-unmatched"]').textContent()).toContain('不存在的单位');
    const entry = page.locator(`[data-testid="feed-entry"][data-name="${person.name}"]`);
    await entry.waitFor();
    expect(await entry.locator('[data-testid="feed-candidate"]').first().textContent()).toContain('姓名相同');
    expect(await entry.textContent()).toContain(person.id_masked);
    // Proposed, not linked.
    expect(await s.ctx.db('feed_social_insurance').whereNotNull('id_hash').first()).toBeUndefined();
    await phone.shot('feeds-console', true);

    await entry.locator('[data-testid="confirm-candidate"]').first().click();
    await page.locator('[data-testid="feed-decision"]').first().waitFor();
    expect(await page.locator('[data-testid="feed-decision"]').first().textContent()).toContain(`${person.name}，${unit.name}`);
    expect(await page.locator(`[data-testid="feed-entry"][data-name="${person.name}"]`).count()).toBe(0);
    expect(await s.ctx.db('feed_social_insurance').where({ name: person.name }).first()).toMatchObject({ id_hash: person.id_hash });
    await phone.shot('feeds-console-confirmed', true);

    await page.locator('[data-testid="withdraw-decision"]').first().click();
    await page.locator('[data-testid="feed-decision"][data-withdrawn="true"]').waitFor();
    await page.locator(`[data-testid="feed-entry"][data-name="${person.name}"]`).waitFor();
    expect(await s.ctx.db('feed_social_insurance').where({ name: person.name }).first()).toMatchObject({ id_hash: null });
    expect(phone.pageErrors).toEqual([]);
  }, 120_000);
});

// The console's 年度报表 in a real browser (Chromium through playwright-core), on the demo county:
// the year picker (this year: the note that the figures are as of today), 下载决算报表 (.xlsx read
// back), a unit's 下载报告 (.docx), a bad year in the address shown as a Chinese error, and the
// unit portrait's link to the unit's draft report for the unit's own 专管员. Screenshots in
// test-output/screenshots/ (annual-*.png).

import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Download, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 20, people: 300, seed: 6, today: '2026-11-30' };
const POLL = { timeout: 20_000, interval: 100 };
const YEAR = String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear());
const bytes = async (d: Download) => Buffer.concat(await (await d.createReadStream()).toArray());

describe.skipIf(!HAVE_CHROMIUM)('年度报表 in the console (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const world = sandboxWithPhone(COUNTY);
  beforeAll(() => {
    ({ s, phone, page } = world);
  });

  it('the office picks the year, downloads the 决算报表 and a unit report', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await sandboxLogin(page, s.url, 'demo-admin');
    // no year in the address: the latest year with data; the demo county was loaded today, so this year
    await openMiniApp(page, s.url, '/console/annual');
    const historyFrom = String((await s.ctx.db('record_versions').min({ m: 'changed_at' }).first())!.m).slice(0, 10);
    const opened = historyFrom < `${YEAR}-01-01` ? String(Number(YEAR) - 1) : YEAR;
    await expect.poll(() => page.locator('[data-testid="annual-summary"]').textContent(), POLL).toContain(`${opened}年度编制使用决算报表`);
    expect(await page.locator('[data-testid="annual-year"]').inputValue()).toBe(opened);
    expect(await page.locator('[data-testid="annual-history"]').textContent()).toContain(`系统从 ${historyFrom} 起保存数据`);
    await openMiniApp(page, s.url, `/console/annual?year=${YEAR}`);
    await expect.poll(() => page.locator('[data-testid="annual-unit"]').count(), POLL).toBe(Number((await s.ctx.db('units').count({ n: '*' }).first())!.n));
    expect(await page.locator('[data-testid="annual-not-ended"]').textContent()).toContain(`${YEAR}年度尚未结束`);
    const onQuota = Number((await s.ctx.db('people').where({ status: '在编' }).count({ n: '*' }).first())!.n);
    expect(Number(await page.locator('[data-testid="annual-actual"]').textContent())).toBe(onQuota);
    await phone.shot('annual-01-console', true);

    const [xlsx] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-testid="annual-download"]').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await bytes(xlsx)) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '决算表']);

    const first = page.locator('[data-testid="annual-unit"]').first();
    const unitId = Number(await first.getAttribute('data-unit-id'));
    const unit = await s.ctx.db('units').where({ id: unitId }).first('name');
    const [docx] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), first.locator('[data-testid="annual-unit-docx"]').click()]);
    const xml = await (await JSZip.loadAsync(await bytes(docx))).file('word/document.xml')!.async('string');
    expect(xml).toContain(`${unit.name}${YEAR}年度机构编制报告（草稿）`);
    expect(await s.ctx.db('audit_log').whereIn('action', ['annual_report_export', 'unit_report_export']).count({ n: '*' }).first().then((r) => Number(r!.n))).toBe(2);

    // the picker: the year before
    await page.locator('[data-testid="annual-year"]').selectOption(String(Number(YEAR) - 1));
    await expect.poll(() => page.locator('[data-testid="annual-summary"]').textContent(), POLL).toContain(`${Number(YEAR) - 1}年度编制使用决算报表`);
    expect(await page.locator('[data-testid="annual-not-ended"]').count()).toBe(0);
    if (historyFrom >= `${YEAR}-01-01`) expect(await page.locator('[data-testid="annual-history"]').textContent()).toContain(`${Number(YEAR) - 1}年度在此之前，没有数字`);
    // a year typed into the address that cannot be
    await openMiniApp(page, s.url, '/console/annual?year=20x6');
    await expect.poll(() => page.locator('.notice.error, [data-testid="error"]').first().textContent().catch(() => ''), POLL).toContain('年度 应为四位数字的年份');
    await phone.shot('annual-02-bad-year');
    expect(phone.pageErrors).toEqual([]);
  }, 180_000);

  it('a unit specialist finds the draft report on the unit portrait', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const spec = await s.ctx.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
    await sandboxLogin(page, s.url, spec.id);
    await openMiniApp(page, s.url, `/portrait/${spec.unit_id}`);
    const link = page.locator('[data-testid="portrait-annual-report"]');
    await expect.poll(() => link.count(), POLL).toBe(1);
    expect(await link.textContent()).toContain(`${Number(YEAR) - 1}年度报告草稿`);
    await phone.shot('annual-03-portrait');
    const res = await page.request.get(`${s.url}${await link.getAttribute('href')}`);
    expect(res.status()).toBe(200);
  }, 120_000);
});

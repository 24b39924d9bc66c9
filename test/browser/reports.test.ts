// The console's 报表 tab in a real browser (Chromium through playwright-core): the monthly
// reports listed with a download each (the file opened with exceljs), 生成 storing the month's,
// the retirement forecast with its years selector and sector filter, the sector mapping editor.
// Screenshot: test-output/screenshots/reports-console.png.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('the console\'s 报表 tab (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 180_000);

  it('lists the reports, downloads one, generates the month, shows the forecast and the sector mapping', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/reports');
    await page.locator('[data-testid="report-line"]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="console-reports"]').getAttribute('class')).toContain('primary');
    expect(await page.locator('[data-testid="report-line"]').count()).toBe(8);

    const line = page.locator('[data-testid="report-line"][data-name="admin-quota"]');
    const [download] = await Promise.all([page.waitForEvent('download'), line.locator('[data-testid="report-current"]').click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-report-')), 'r.xlsx');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/行政编制分析报表-\d{4}-\d{2}\.xlsx|admin-quota/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets[0].name).toBe('行政编制分析');
    expect(wb.worksheets[0].getRow(1).getCell(4).value).toBe('核定');

    await page.locator('[data-testid="reports-generate"]').click();
    await page.locator('[data-testid="reports-note"]').waitFor();
    expect(await page.locator('[data-testid="reports-note"]').textContent()).toContain('张报表');

    await page.locator('[data-testid="forecast-year"]').first().waitFor();
    expect(await page.locator('[data-testid="forecast-summary"]').textContent()).toMatch(/2026-11 至 2031-10.*退休 \d+ 人/);
    expect(await page.locator('[data-testid="forecast-year"]').count()).toBe(6);
    await page.locator('[data-testid="forecast-years"]').selectOption('3');
    await page.locator('[data-testid="forecast-summary"]').filter({ hasText: '至 2029-10' }).waitFor();
    expect(await page.locator('[data-testid="forecast-year"]').count()).toBe(4);
    // Waited for from before the change: a fast answer would otherwise come before the wait began.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/forecast') && r.url().includes('sector=')),
      page.locator('[data-testid="forecast-sector"]').selectOption('教育'),
    ]);

    expect(await page.locator('[data-testid="sector-unit"]').count()).toBeGreaterThan(0);
    const select = page.locator('[data-testid="sector-select"]').first();
    const was = await select.inputValue();
    await select.selectOption(was === '教育' ? '卫生' : '教育');
    await page.locator('[data-testid="sectors-save"]').click();
    await page.locator('[data-testid="sectors-note"]').waitFor();
    expect(await page.locator('[data-testid="sectors-note"]').textContent()).toContain('下一次每日检查后生效');
    expect(phone.pageErrors).toEqual([]);
    await phone.shot('reports-console', true);
  }, 120_000);
});

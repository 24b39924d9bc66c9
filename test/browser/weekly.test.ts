// The console's 每周督办 tab in a real browser (Chromium through playwright-core): the list by
// region with its counts, a unit's line leading to the unit's console page, 立即发送 asking for a
// confirmation and then saying where it went. Screenshot: test-output/screenshots/weekly-console.png.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('the console\'s 每周督办 tab (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 180_000);

  it('shows the list by region, links each unit, sends after a confirmation', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/weekly?date=2026-11-23');
    await page.locator('[data-testid="weekly-line"]').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="console-weekly"]').getAttribute('class')).toContain('primary');
    const regions = await page.locator('[data-testid="weekly-region"]').count();
    expect(regions).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="weekly-counts"]').textContent()).toMatch(/\d+ 个单位：红灯/);
    expect(await page.locator('[data-testid="weekly-status"]').textContent()).toContain('尚未发送');
    expect(await page.locator('[data-testid="weekly-limit"]').isVisible()).toBe(true);
    await phone.shot('weekly-console', true);

    const first = page.locator('[data-testid="weekly-line"] a').first();
    const unitId = await page.locator('[data-testid="weekly-line"]').first().getAttribute('data-unit-id');
    expect(await first.getAttribute('href')).toBe(`#/console/unit/${unitId}`);

    await page.locator('[data-testid="weekly-send"]').click();
    await page.locator('[data-testid="weekly-confirm"]').waitFor();
    expect(await page.locator('[data-testid="weekly-confirm"]').textContent()).toContain('每周只发送一次');
    await page.locator('[data-testid="weekly-confirm-send"]').click();
    await page.locator('[data-testid="weekly-notice"]').waitFor();
    expect(await page.locator('[data-testid="weekly-notice"]').textContent()).toContain('已发送');
    await page.locator('[data-testid="weekly-status"]').filter({ hasText: '已于' }).waitFor();
    await phone.shot('weekly-console-sent');

    await first.click();
    await page.waitForURL(new RegExp(`#/console/unit/${unitId}$`));
  }, 120_000);
});

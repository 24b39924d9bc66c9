// The console's 市县贯通 tab in a real browser (Chromium through playwright-core, 390×844): the
// city's 编办管理员 registers a county's public key, uploads that county's signed snapshot (the
// county's units here are a second county built in the database, exported as its own instance
// would), sees it listed, uploads the same file again (已导入，无变化). A county's office has no
// such tab. Screenshots in test-output/screenshots/ (snapshots-*.png).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSnapshot, snapshotKeygen } from '../../commands/snapshots.ts';
import { addOfficeUser, addSecondCounty } from '../fixtures/second-county.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 30, people: 400, seed: 3, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('the 市县贯通 tab (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let dir: string;
  let file: string;
  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-snap-ui-'));
    await addSecondCounty(s.ctx.db, { units: 2 });
    await addOfficeUser(s.ctx.db, 'county-office', '编办管理员', '330603');
    snapshotKeygen(dir);
    file = path.join(dir, '上虞区-2026-11.json.gz');
    await exportSnapshot(s.ctx.db, { month: '2026-11', out: file, keyFile: path.join(dir, 'snapshot-signing.key'), region: '330604' });
  });
  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('registers a county\'s key, imports its snapshot once, lists it; a second upload changes nothing', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/snapshots');
    await page.locator('[data-testid="snapshots"]').waitFor();
    expect(await page.locator('[data-testid="snapshot-none"]').count()).toBe(1);
    // Unknown county first: refused in Chinese.
    await page.locator('[data-testid="snapshot-file"]').setInputFiles(file);
    await expect.poll(() => page.locator('[data-testid="snapshot-msg"]').textContent(), POLL).toContain('公钥尚未登记');
    await page.locator('[data-testid="key-region"]').fill('330604');
    await page.locator('[data-testid="key-text"]').fill(fs.readFileSync(path.join(dir, 'snapshot-signing.pub'), 'utf8'));
    await page.locator('[data-testid="key-submit"]').click();
    await expect.poll(() => page.locator('[data-testid="snapshot-msg"]').textContent(), POLL).toContain('已登记区县 330604 的公钥');
    await page.locator('[data-testid="snapshot-file"]').setInputFiles(file);
    await expect.poll(() => page.locator('[data-testid="snapshot-msg"]').textContent(), POLL).toMatch(/330604 2026-11 快照.*已导入$/);
    await expect.poll(() => page.locator('[data-testid="snapshot-row"]').count(), POLL).toBe(1);
    expect(await page.locator('[data-testid="snapshot-row"]').textContent()).toContain('第 1 版');
    await phone.shot('snapshots-01-imported', true);
    const before = await s.ctx.db('county_snapshot_people').count({ n: '*' }).first();
    await page.locator('[data-testid="snapshot-file"]').setInputFiles(file);
    await expect.poll(() => page.locator('[data-testid="snapshot-msg"]').textContent(), POLL).toContain('已导入，无变化');
    expect(await s.ctx.db('county_snapshot_people').count({ n: '*' }).first()).toEqual(before);
    expect(await page.locator('[data-testid="snapshot-row"]').textContent()).toContain('第 1 版');
    await phone.shot('snapshots-02-again');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);

  it('shows no 市县贯通 tab to a county\'s office, and refuses the page', async () => {
    await sandboxLogin(page, s.url, 'county-office');
    await openMiniApp(page, s.url, '/console/snapshots');
    await page.locator('.consolenav').waitFor();
    expect(await page.locator('[data-testid="console-snapshots"]').count()).toBe(0);
    await expect.poll(() => page.locator('.notice.error').first().textContent(), POLL).toContain('区县');
    await phone.shot('snapshots-03-county-office');
    // Its console home works on its county: no refusal there.
    await openMiniApp(page, s.url, '/console');
    await page.locator('.consolenav').waitFor();
    await page.waitForTimeout(1500);
    await phone.shot('snapshots-04-county-home', true);
    expect(await page.locator('.notice.error').count()).toBe(0);
    expect(phone.pageErrors).toEqual([]);
  }, 60_000);
});

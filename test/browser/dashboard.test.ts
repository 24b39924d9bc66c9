// The 数据大屏 in a real browser (Chromium through playwright-core) on the demo county: the
// console's big screen at 1920×1080 as 编办业务人员 with the county's figures, a figure drilled to
// its units, a unit to its people, and on to the unit's portrait (#/portrait/<id>); the phone
// layout at #/dashboard as 分管领导 and as a 单位领导 (their units' figures only). Screenshots in
// test-output/screenshots/ (dashboard-*.png).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subtreeIds } from '../../db/scope.ts';
import type { RunningSanse } from './app.ts';
import { CHROMIUM, HAVE_CHROMIUM, openMiniApp, sandboxLogin, SHOTS, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 40, people: 600, seed: 3, today: '2026-11-23' };
const POLL = { timeout: 20_000, interval: 100 };
const num = (s: string | null) => Number(String(s ?? '').replace(/[^\d-]/g, ''));

describe.skipIf(!HAVE_CHROMIUM)('数据大屏 (Chromium: 1920×1080 console, 390×844 phone)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let screen: BrowserContext;
  let big: Page;
  let profile: string;
  const errors: string[] = [];
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone } = world);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-'));
    screen = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    });
    screen.setDefaultTimeout(15_000);
    big = screen.pages()[0] ?? (await screen.newPage());
    big.on('pageerror', (e) => errors.push(String(e)));
  }, 180_000);
  afterAll(async () => {
    await screen?.close().catch(() => {});
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('shows the county on the big screen and drills from a figure to units, people and the portrait', async () => {
    await sandboxLogin(big, s.url, 'demo-staff-01');
    await openMiniApp(big, s.url, '/console/dashboard');
    const quotas = big.locator('[data-testid="panel-quotas"]');
    await expect.poll(() => quotas.locator('[data-testid="fig"]').count(), POLL).toBeGreaterThan(8);
    const approved = Number((await db()('quotas').sum({ n: 'approved' }).first())!.n);
    const onQuota = Number((await db()('people').where({ status: '在编' }).whereNotNull('quota_kind').count({ n: '*' }).first())!.n);
    expect(num(await quotas.locator('[data-testid="fig"][data-dim="unitTotal"][data-key="approved"] .n').first().textContent())).toBe(approved);
    expect(num(await quotas.locator('[data-testid="fig"][data-dim="status"][data-key="在编"] .n').first().textContent())).toBe(onQuota);
    expect(await big.locator('[data-testid="as-of"]').textContent()).toContain('数据截至 2026-11-23');
    expect(await big.locator('[data-testid="vacancy-note"]').textContent()).toContain('净空编 = 核定数 − 实有数');
    for (const p of ['panel-saturation', 'panel-structure', 'panel-quality', 'panel-retirements']) {
      await expect.poll(() => big.locator(`[data-testid="${p}"] [data-testid="chart"] svg`).count(), POLL).toBeGreaterThan(0);
    }
    // Charts drew bars and slices (SVG paths), and the quality panel counts every unit once.
    await expect.poll(() => big.locator('[data-testid="chart"] svg path').count(), POLL).toBeGreaterThan(50);
    const units = Number((await db()('units').count({ n: '*' }).first())!.n);
    const lightFigs = big.locator('[data-testid="panel-quality"] [data-testid="fig"][data-dim="light"] .n');
    expect((await lightFigs.allTextContents()).reduce((a, t) => a + num(t), 0)).toBe(units);
    await big.waitForTimeout(300);
    await big.screenshot({ path: path.join(SHOTS, 'dashboard-01-screen.png') });

    // A chart's bar: 事业编制 实有 → its units (clicked on the chart itself).
    const kind = '事业编制';
    const want = (await db()('people').where({ status: '在编', quota_kind: kind }).select('unit_id').count({ n: '*' }).groupBy('unit_id').orderBy([{ column: 'n', order: 'desc' }, { column: 'unit_id' }])) as Array<{ unit_id: number; n: number }>;
    await quotas.locator(`[data-testid="fig"][data-dim="onQuota"][data-key="${kind}"]`).click();
    const drill = big.locator('[data-testid="drill"]');
    await expect.poll(() => drill.locator('[data-testid="drill-unit"]').count(), POLL).toBe(want.length);
    expect(await drill.locator('[data-testid="drill-total"]').textContent()).toContain(`共 ${want.length} 个单位`);
    await big.screenshot({ path: path.join(SHOTS, 'dashboard-02-drill-units.png') });
    const first = drill.locator('[data-testid="drill-unit"]').first();
    const unitId = Number(await first.getAttribute('data-unit-id'));
    expect(unitId).toBe(Number(want[0].unit_id));
    await first.click();
    await expect.poll(() => drill.locator('[data-testid="drill-people"] tbody tr').count(), POLL).toBe(Number(want[0].n));
    const names = (await db()('people').where({ unit_id: unitId, status: '在编', quota_kind: kind }).orderBy('id').select('name')).map((r: { name: string }) => r.name);
    expect(await drill.locator('[data-testid="drill-people"] tbody tr td:first-child').allTextContents()).toEqual(names);
    // ID numbers masked.
    for (const t of await drill.locator('[data-testid="drill-people"] tbody tr td:nth-child(2)').allTextContents()) expect(t === '' || t.includes('*')).toBe(true);
    await big.screenshot({ path: path.join(SHOTS, 'dashboard-03-drill-people.png') });
    await drill.locator('[data-testid="portrait-link"]').click();
    await expect.poll(() => big.evaluate(() => location.hash), POLL).toBe(`#/portrait/${unitId}`);

    // A chart element clicked with the mouse drills too (the 饱和度 pie).
    await openMiniApp(big, s.url, '/console/dashboard');
    const slice = big.locator('[data-testid="panel-saturation"] [data-testid="chart"] svg path[fill]:not([fill="none"])').first();
    await expect.poll(() => slice.count(), POLL).toBeGreaterThan(0);
    await slice.click({ force: true });
    await expect.poll(() => big.locator('[data-testid="drill"] [data-testid="drill-total"]').count(), POLL).toBe(1);
    expect(await big.locator('[data-testid="drill"] h2').textContent()).toContain('饱和度');
    expect(errors).toEqual([]);
  }, 120_000);

  it('gives the 分管领导 the phone layout from the start page, and a 单位领导 only their units', async () => {
    const page = phone.page;
    await sandboxLogin(page, s.url, 'demo-leader');
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="dashboard-link"]').click();
    await expect.poll(() => page.locator('[data-testid="panel-quotas"] [data-testid="fig"]').count(), POLL).toBeGreaterThan(8);
    await expect.poll(() => page.locator('[data-testid="panel-retirements"] [data-testid="chart"] svg').count(), POLL).toBeGreaterThan(0);
    const approved = Number((await db()('quotas').sum({ n: 'approved' }).first())!.n);
    expect(num(await page.locator('[data-testid="fig"][data-dim="unitTotal"][data-key="approved"] .n').first().textContent())).toBe(approved);
    await page.waitForTimeout(300);
    await phone.shot('dashboard-04-phone');
    await phone.shot('dashboard-05-phone-full', true);

    const leader = (await db()('users').where({ role: '单位领导' }).whereNotNull('unit_id').orderBy('id').first())!;
    const scope = await subtreeIds(db(), Number(leader.unit_id));
    const mine = Number((await db()('quotas').whereIn('unit_id', scope).sum({ n: 'approved' }).first())!.n ?? 0);
    await sandboxLogin(page, s.url, leader.id);
    await openMiniApp(page, s.url, '/dashboard');
    await expect.poll(() => page.locator('[data-testid="as-of"]').textContent(), POLL).toContain('本单位及下属单位');
    expect(num(await page.locator('[data-testid="fig"][data-dim="unitTotal"][data-key="approved"] .n').first().textContent())).toBe(mine);
    await page.locator('[data-testid="panel-quality"] [data-testid="fig"][data-dim="light"][data-key="green"]').click();
    await expect.poll(() => page.locator('[data-testid="drill-unit"]').count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="drill"] [data-testid="drill-total"]').count(), POLL).toBe(1);
    for (const id of await page.locator('[data-testid="drill-unit"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-unit-id'))))) expect(scope).toContain(id);
    await phone.shot('dashboard-06-unit-leader-drill');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);
});

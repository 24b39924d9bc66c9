// 一单位一画像 and 镇街三色图 in a real browser (Chromium through playwright-core) on the demo
// county: a unit's 专管员 opens #/portrait/<id> on a phone (390×844), sees the figures the tables
// hold and taps a finding to reach its fix form; the office opens the same page on the console
// at 1440 wide; #/towns as a tile grid, a town's units leading to a portrait, then as a map after
// uploading a small GeoJSON made up here (clearly test data: squares near 120°E 30°N, not real
// boundaries). Screenshots in test-output/screenshots/ (portrait-*.png, towns-*.png).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOWN_NATURE } from '../../core/town-map.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 60, people: 900, seed: 4, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };
type Row = Record<string, any>;

describe.skipIf(!HAVE_CHROMIUM)('一单位一画像 and 镇街三色图 (Chromium, phone and console)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;
  let unitId: number;
  let specialist: string;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    // A unit with a 专管员 and open findings on its people (their fix is the person's form).
    const rows = (await db()('findings as f').join('users as us', 'us.unit_id', 'f.unit_id').where({ 'f.status': 'open', 'f.scope': 'person', 'us.role': '单位专管员', 'us.locked': false })
      .select('f.unit_id', 'us.id as user_id').count({ n: '*' }).groupBy('f.unit_id', 'us.id').orderBy('n', 'desc')) as Row[];
    unitId = Number(rows[0].unit_id);
    specialist = rows[0].user_id;
  }, 180_000);

  it('shows a unit its portrait on a phone, with real figures, and a finding leads to its fix form', async () => {
    await sandboxLogin(page, s.url, specialist);
    await openMiniApp(page, s.url, `/portrait/${unitId}`);
    await page.locator('[data-testid="portrait-quotas"]').waitFor();
    const onQuota = Number((await db()('people').where({ unit_id: unitId, status: '在编' }).whereNotNull('quota_kind').count({ n: '*' }).first())!.n);
    const approved = Number((await db()('quotas').where({ unit_id: unitId }).sum({ n: 'approved' }).first())!.n ?? 0);
    expect(await page.locator('[data-testid="kpi-onquota"]').textContent()).toBe(String(onQuota));
    expect(await page.locator('[data-testid="kpi-approved"]').textContent()).toBe(String(approved));
    const unit = (await db()('units').where({ id: unitId }).first()) as Row;
    expect(await page.locator('[data-testid="portrait-unit"] h2').textContent()).toBe(unit.name);
    const open = Number((await db()('findings').where({ unit_id: unitId, status: 'open' }).count({ n: '*' }).first())!.n);
    await expect.poll(() => page.locator('[data-testid="portrait-findings"] [data-testid="finding"]').count(), POLL).toBe(open);
    const leaders = Number((await db()('people').where({ unit_id: unitId, status: '在编' }).whereIn('leader_level', ['单位正职', '单位副职', '中层正职', '中层副职']).count({ n: '*' }).first())!.n);
    expect(await page.locator('[data-testid="leader"]').count()).toBe(leaders);
    // The charts are drawn (ECharts loaded on demand, SVG).
    await expect.poll(() => page.locator('[data-testid="structure-age"] svg').count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="retire-chart"] svg').count(), POLL).toBe(1);
    expect(Number(await page.locator('[data-testid="structure-age"]').getAttribute('data-total'))).toBe(Number((await db()('people').where({ unit_id: unitId, status: '在编' }).count({ n: '*' }).first())!.n));
    await phone.shot('portrait-01-phone-top');
    await page.locator('[data-testid="portrait-structure"]').scrollIntoViewIfNeeded();
    await phone.shot('portrait-02-phone-structure');
    await page.locator('[data-testid="portrait-findings"]').scrollIntoViewIfNeeded();
    await phone.shot('portrait-03-phone-findings');
    await phone.shot('portrait-04-phone-full', true);

    const first = page.locator('[data-testid="portrait-findings"] a[data-testid="finding"]').first();
    const href = await first.getAttribute('href');
    expect(href).toMatch(/^#\/(person|unit|worker|requests)\//);
    await first.click();
    await expect.poll(() => page.evaluate(() => location.hash), POLL).toBe(href);
    if (href!.startsWith('#/person/')) await page.locator('[data-testid="save"]').waitFor();
    await phone.shot('portrait-05-fix-form');
    expect(phone.pageErrors).toEqual([]);
  });

  it('refuses a unit another unit\'s portrait, in Chinese', async () => {
    const other = (await db()('units').whereNot({ id: unitId }).whereNotIn('id', db()('units').where({ parent_id: unitId }).select('id')).orderBy('id', 'desc').first()) as Row;
    await openMiniApp(page, s.url, `/portrait/${other.id}`);
    await expect.poll(() => page.locator('[data-testid="error"]').textContent(), POLL).toMatch(/[\u4e00-\u9fff]/);
  });

  it('shows the office the same page on the console at 1440 wide', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await page.setViewportSize({ width: 1440, height: 900 });
    await openMiniApp(page, s.url, `/portrait/${unitId}`);
    await page.locator('[data-testid="portrait-quotas"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="score-chart"], [data-testid="portrait-scores"] .muted').count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="structure-education"] svg').count(), POLL).toBeGreaterThan(0);
    // Wide: the cards sit side by side.
    const a = await page.locator('[data-testid="portrait-leaders"]').boundingBox();
    const b = await page.locator('[data-testid="portrait-offices"]').boundingBox();
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
    expect(await page.locator('[data-testid="portrait-record"]').getAttribute('href')).toBe(`#/console/unit/${unitId}`);
    await phone.shot('portrait-06-console', true);
    // The unit page links to the portrait.
    await openMiniApp(page, s.url, `/console/unit/${unitId}`);
    expect(await page.locator('[data-testid="unit-portrait-link"]').getAttribute('href')).toBe(`#/portrait/${unitId}`);
  });

  it('shows the towns as tiles, a town\'s units lead to their portraits; after an upload, as a map', async () => {
    const towns = (await db()('units').where({ nature: TOWN_NATURE }).orderBy('id').select('id', 'name', 'region_name')) as Row[];
    expect(towns.length).toBeGreaterThanOrEqual(3);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openMiniApp(page, s.url, '/towns');
    await expect.poll(() => page.locator('[data-testid="town-tile"]').count(), POLL).toBe(towns.length);
    await phone.shot('towns-01-tiles-console', true);
    const tile = page.locator(`[data-testid="town-tile"][data-town="${towns[0].id}"]`);
    await tile.click();
    await page.locator('[data-testid="town-units"]').waitFor();
    const link = page.locator('[data-testid="town-unit-link"]').first();
    const target = await link.getAttribute('href');
    expect(target).toBe(`#/portrait/${towns[0].id}`);
    await phone.shot('towns-02-town-units', true);
    await link.click();
    await page.locator('[data-testid="portrait-quotas"]').waitFor();

    // A made-up map of three demo towns: three squares side by side (test data, not real boundaries).
    const square = (i: number) => [[[120 + i * 0.2, 30], [120.18 + i * 0.2, 30], [120.18 + i * 0.2, 30.18], [120 + i * 0.2, 30.18], [120 + i * 0.2, 30]]];
    const geo = { type: 'FeatureCollection', features: towns.slice(0, 3).map((t, i) => ({ type: 'Feature', properties: { name: t.region_name || t.name }, geometry: { type: 'Polygon', coordinates: square(i) } })) };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-geo-')), 'test-towns.geojson');
    fs.writeFileSync(file, JSON.stringify(geo));
    await openMiniApp(page, s.url, '/towns');
    await page.locator('[data-testid="map-file"]').setInputFiles(file);
    await expect.poll(() => page.locator('[data-testid="map-msg"]').textContent(), POLL).toContain('已上传 3 个镇街的边界');
    await expect.poll(() => page.locator('[data-testid="town-map-chart"] svg path').count(), POLL).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid="town-tile"]').count()).toBe(towns.length - 3);
    await phone.shot('towns-03-map-console', true);
    // An unknown town is refused with its name.
    const bad = path.join(path.dirname(file), 'bad.geojson');
    fs.writeFileSync(bad, JSON.stringify({ ...geo, features: [...geo.features, { type: 'Feature', properties: { name: '测试虚构镇' }, geometry: { type: 'Polygon', coordinates: square(5) } }] }));
    await page.locator('[data-testid="map-file"]').setInputFiles(bad);
    await expect.poll(() => page.locator('[data-testid="map-msg"]').textContent(), POLL).toContain('测试虚构镇');
    // The phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await openMiniApp(page, s.url, '/towns');
    await expect.poll(() => page.locator('[data-testid="town-map-chart"] svg path').count(), POLL).toBeGreaterThanOrEqual(3);
    await phone.shot('towns-04-map-phone', true);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    expect(phone.pageErrors).toEqual([]);
  });
});

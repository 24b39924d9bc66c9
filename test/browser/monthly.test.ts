// 月度核账 in a real browser (Chromium): a 单位专管员 on a phone sees 本月核账待确认 on 待整改, opens
// the unit's 核账清单 (编制, problems by family with the cross-system ones, 社保/工资统发), confirms
// with a note (a second, explicit confirmation while red findings are open), and U-PR-02 turns
// green; the office on a desktop sees the unit 已确认 with who and when, filters, and sends 催办 once.
// Screenshots 40-monthly-todo.png, 41-monthly-checklist.png, 42-monthly-red-confirm.png,
// 43-monthly-confirmed.png, 44-console-monthly.png.

import type { Page } from 'playwright-core';
import { dropDemoFeeds } from '../db/helpers.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { recheckRecord } from '../../commands/daily-check.ts';
import { openMonthlyConfirmation } from '../../commands/open-monthly-confirmation.ts';
import { addDays, addMonthsToMonth, monthOf, todayInShanghai } from '../../core/dates.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;
const COUNTY = { units: 12, people: 120, seed: 4, today: '2026-11-23' };
/** The server's business day (the real one). */
const T = todayInShanghai();
const M = addMonthsToMonth(monthOf(T), -1);

describe.skipIf(!HAVE_CHROMIUM)('月度核账 (Chromium: a phone for the unit, a desktop for the office)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let specialist: Row;
  let unitId: number;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    // The feeds this suite puts in are the first: the demo county's own are removed, with their findings.
    await dropDemoFeeds(db(), { findings: true });
    await openMonthlyConfirmation(db(), { date: T, month: M, publicBaseUrl: s.url });
    // A specialist whose unit has open findings; its month overdue since yesterday, so U-PR-02 is open.
    const specialists: Row[] = await db()('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id');
    for (const u of specialists) {
      if (await db()('findings').where({ unit_id: u.unit_id, status: 'open' }).whereNot('rule', 'U-QT-02').first('id')) { specialist = u; break; }
    }
    unitId = Number(specialist.unit_id);
    await db()('monthly_reports').where({ unit_id: unitId, month: M }).update({ due_on: addDays(T, -1), confirmed_on: null });
    await recheckRecord(db(), { unitId }, T);
    const [imp] = await db()('feed_imports').insert({ kind: '社保', month: M, file_name: 'si.xlsx', rows: 2, by: 'demo-admin', at: `${T} 08:00:00` });
    await db()('feed_social_insurance').insert([1, 2].map((n) => ({ import_id: imp, month: M, row_no: n, name: `参保${n}`, unit_id: unitId, status: n === 1 ? '参保' : '退休', id_valid: false })));
  }, 60_000);

  it('the specialist reviews the 核账清单 and confirms; U-PR-02 turns green', async () => {
    expect(await db()('findings').where({ unit_id: unitId, rule: 'U-PR-02', status: 'open', qualifier: M }).first()).toBeTruthy();
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, '/todo');
    const pending = page.locator('[data-testid="monthly-pending"]');
    await pending.first().waitFor();
    expect(await pending.first().textContent()).toMatch(/本月核账待确认：.+已逾期核对确认/);
    await page.locator('[data-testid="loading"]').waitFor({ state: 'detached' });
    await phone.shot('40-monthly-todo');
    // The U-PR-02 card on 待整改 leads to the same page.
    const uPr02 = page.locator('[data-testid="finding"][data-rule="U-PR-02"]');
    await uPr02.first().waitFor();
    expect(await uPr02.first().getAttribute('href')).toMatch(new RegExp(`^#/monthly/${unitId}\\?finding=\\d+$`));
    expect(await uPr02.first().locator('[data-testid="fix-label"]').textContent()).toBe('去确认本月核账 ›');
    await uPr02.first().click();
    await page.locator('[data-testid="monthly-state"]').waitFor();
    expect(await page.locator('[data-testid="monthly-state"]').getAttribute('data-state')).toBe('overdue');
    expect(await page.locator('[data-testid="feed-社保"]').textContent()).toMatch(/^社保（\d{4}年\d+月）：2 人（参保 1，退休 1）；实名制在编 \d+ 人$/);
    expect(await page.locator('[data-testid="feed-工资统发"]').textContent()).toBe('工资统发：未导入');
    const open = await db()('findings').where({ unit_id: unitId, status: 'open' }).count({ n: '*' }).first();
    expect(await page.locator('[data-testid="monthly-findings"] [data-testid="finding"]').count()).toBe(Number(open!.n));
    await phone.shot('41-monthly-checklist', true);

    await page.locator('[data-testid="monthly-confirm"]').click();
    await page.locator('[data-testid="monthly-note"]').fill('已核对，退休人员已报减员');
    await page.locator('[data-testid="monthly-submit"]').click();
    // Red findings open: asked again, explicitly.
    await page.locator('[data-testid="monthly-red-warning"]').waitFor();
    expect(await page.locator('[data-testid="monthly-red-warning"]').textContent()).toMatch(/本单位还有 \d+ 个红灯问题未整改/);
    await phone.shot('42-monthly-red-confirm');
    await page.locator('[data-testid="monthly-confirm-red"]').click();
    await page.locator('[data-testid="monthly-done"]').waitFor();
    await expect.poll(async () => page.locator('[data-testid="monthly-state"]').getAttribute('data-state')).toBe('confirmed');
    expect(await page.locator('[data-testid="monthly-state"]').textContent()).toContain(`已确认：${specialist.name} 于 ${T}`);
    expect(await page.locator('[data-testid="monthly-confirm"]').count()).toBe(0);
    await phone.shot('43-monthly-confirmed');
    const row = await db()('monthly_reports').where({ unit_id: unitId, month: M }).first();
    expect(row).toMatchObject({ confirmed_on: T, confirmed_by: specialist.id, note: '已核对，退休人员已报减员' });
    expect(await db()('findings').where({ unit_id: unitId, rule: 'U-PR-02', status: 'open' }).first()).toBeUndefined();
    // 待整改 no longer lists the month.
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="loading"]').waitFor({ state: 'detached' });
    await page.locator('[data-testid="count-red"]').waitFor();
    expect(await page.locator(`[data-testid="monthly-pending"][href="#/monthly/${unitId}"]`).count()).toBe(0);
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);

  it('the office sees who confirmed, filters, and sends 催办 once a day', async () => {
    const admin: Row = await db()('users').where({ role: '编办管理员' }).orderBy('id').first();
    await page.setViewportSize({ width: 1280, height: 800 });
    await sandboxLogin(page, s.url, admin.id);
    await openMiniApp(page, s.url, `/console/monthly?month=${M}`);
    const row = page.locator(`[data-testid="monthly-row-${unitId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('confirmed');
    expect(await row.textContent()).toContain(specialist.name);
    const rows: Row[] = await db()('monthly_reports').where({ month: M });
    expect(await page.locator('[data-testid="count-units"]').textContent()).toBe(String(rows.length));
    expect(await page.locator('[data-testid="count-confirmed"]').textContent()).toBe(String(rows.filter((r) => r.confirmed_on).length));
    await page.locator('[data-testid="monthly-remind"]').click();
    await page.locator('[data-testid="monthly-notice"]').waitFor();
    expect(await page.locator('[data-testid="monthly-notice"]').textContent()).toMatch(/^已向 \d+ 个未确认单位发送催办提醒/);
    await page.locator('[data-testid="monthly-remind"]').click();
    await expect.poll(async () => page.locator('[data-testid="monthly-notice"]').textContent()).toMatch(/今天已催办过/);
    await page.locator('[data-testid="monthly-filter"]').selectOption('unconfirmed');
    await expect.poll(async () => page.locator('[data-testid="monthly-rows"] tbody tr').count()).toBe(rows.filter((r) => !r.confirmed_on).length);
    await page.locator('[data-testid="monthly-filter"]').selectOption('');
    await row.waitFor();
    await phone.shot('44-console-monthly');
    // The due day: refused in Chinese out of range, then 次月10日.
    await page.locator('[data-testid="monthly-setting-edit"]').click();
    await page.locator('[data-testid="monthly-setting-kind"]').selectOption('day');
    await page.locator('[data-testid="monthly-setting-day"]').fill('31');
    await page.locator('[data-testid="monthly-setting-save"]').click();
    expect(await page.locator('[data-testid="monthly-setting-error"]').textContent()).toBe('截止日须为 1 到 28 之间的整数（次月几日）');
    await page.locator('[data-testid="monthly-setting-day"]').fill('10');
    await page.locator('[data-testid="monthly-setting-save"]').click();
    await page.locator('[data-testid="monthly-setting"]').waitFor({ state: 'detached' });
    await expect.poll(async () => page.locator('[data-testid="monthly-office"] .notice.info').textContent()).toContain('截止日为次月10日（遇节假日顺延）');
    expect(phone.pageErrors).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
  }, 90_000);
});

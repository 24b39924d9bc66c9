// 年度编制使用预算 in a real browser (Chromium): the office has opened next year's round; a
// 单位专管员 on a phone sees the unit's 核定/实有/空编 and forecast retirements per 编制类型, enters
// too many additions (the limit turns red and 提交审核 waits), reloads before saving (nothing typed
// is lost), saves the draft (kept as entered), corrects it and submits; the office on a desktop sees
// the unit 已提交 and approves it in the console; the phone then shows the budget locked.
// 待整改 lists the budget to fill and leads to the form. Screenshots 60-budget-form.png, 61-budget-error.png, 62-budget-submitted.png,
// 63-console-budget.png, 64-budget-approved.png.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBudgetRound } from '../../commands/open-budget-round.ts';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;
const COUNTY = { units: 12, people: 120, seed: 4, today: '2026-11-23' };
const T = todayInShanghai();
const YEAR = Number(T.slice(0, 4)) + 1;

describe.skipIf(!HAVE_CHROMIUM)('年度编制使用预算 (Chromium: a phone for the unit, a desktop for the office)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let specialist: Row;
  let unitId: number;
  let kind: string;
  let limit: number;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await openBudgetRound(db(), { actor: { id: 'demo-admin', role: '编办管理员' }, year: YEAR, dueOn: addDays(T, 14), today: T, publicBaseUrl: s.url });
    const specialists: Row[] = await db()('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id');
    for (const u of specialists) {
      const q: Row | undefined = await db()('quotas').where({ unit_id: u.unit_id }).where('approved', '>', 0).orderBy('approved', 'desc').first();
      if (!q) continue;
      const actual = Number((await db()('people').where({ unit_id: u.unit_id, status: '在编', quota_kind: q.kind }).count({ n: '*' }).first())!.n);
      if (Number(q.approved) - actual < 1) continue;
      specialist = u;
      unitId = Number(u.unit_id);
      kind = q.kind;
      break;
    }
    expect(specialist).toBeTruthy();
  }, 60_000);

  it('the specialist fills the form on the phone, is told what is wrong, saves a draft and submits', async () => {
    await sandboxLogin(page, s.url, specialist.id);
    // 待整改 leads to the form.
    await openMiniApp(page, s.url, '/todo');
    const pending = page.locator('[data-testid="budget-pending"]');
    await pending.waitFor();
    expect(await pending.textContent()).toMatch(new RegExp(`^${YEAR}年度编制使用预算未填，请于\\d+月\\d+日前填报提交 ›$`));
    await pending.click();
    const state = page.locator('[data-testid="budget-state"]');
    await state.waitFor();
    expect(page.url()).toContain(`#/annual-budget/${unitId}?year=${YEAR}`);
    expect(await state.getAttribute('data-state')).toBe('none');
    const figures = await page.locator(`[data-testid="budget-figures-${kind}"]`).textContent();
    const q: Row = await db()('quotas').where({ unit_id: unitId, kind }).first();
    expect(figures).toContain(`${q.approved}核定`);
    const limitText = (await page.locator(`[data-testid="budget-limit-${kind}"]`).textContent())!;
    limit = Number(/可补充 (\d+) 人/.exec(limitText)![1]);
    expect(limit).toBeGreaterThan(0);
    await phone.shot('60-budget-form');

    // Full-width digits of a Chinese IME are taken as the digits they are.
    await page.locator(`[data-testid="budget-${kind}-addTransfer"]`).fill('１');
    expect(await page.locator(`[data-testid="budget-${kind}-addTransfer"]`).inputValue()).toBe('1');
    await page.locator(`[data-testid="budget-${kind}-addTransfer"]`).fill('0');
    await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).fill(String(limit + 1));
    await page.locator(`[data-testid="budget-${kind}-note"]`).fill('计划公开招考');
    expect(await page.locator(`[data-testid="budget-limit-${kind}"]`).textContent()).toContain('超出核定，不能提交');
    // 提交审核 waits until it is corrected: no confirm dialog over a page that says it cannot be submitted.
    expect(await page.locator('[data-testid="budget-submit"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="budget-submit-blocked"]').textContent()).toContain(`${kind}的计划补充超出核定，改正后才能提交`);
    await page.locator('[data-testid="budget-submit"]').click({ force: true });
    expect(await page.locator('[data-testid="budget-confirm"]').count()).toBe(0);
    await phone.shot('61-budget-error');
    expect(await db()('budgets').where({ unit_id: unitId, year: YEAR }).first()).toBeUndefined();

    // A reload before saving loses nothing typed (person/draft.ts, the session's storage).
    await page.reload();
    await state.waitFor();
    await page.locator('[data-testid="budget-draft-restored"]').waitFor();
    expect(await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).inputValue()).toBe(String(limit + 1));
    expect(await page.locator(`[data-testid="budget-${kind}-note"]`).inputValue()).toBe('计划公开招考');
    const draftKey = `sanse:draft:budget:${unitId}:${YEAR}`;
    expect(await page.evaluate((k) => sessionStorage.getItem(k), draftKey)).toContain('计划公开招考');

    // The login times out: the save is refused (401), the user logs in again and finds the entries back.
    await page.context().clearCookies();
    await page.locator('[data-testid="budget-save"]').click();
    await expect.poll(async () => page.locator('[data-testid="budget-save"]').count()).toBe(0);
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, `/annual-budget/${unitId}?year=${YEAR}`);
    await page.locator('[data-testid="budget-draft-restored"]').waitFor();
    expect(await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).inputValue()).toBe(String(limit + 1));
    expect(await page.locator(`[data-testid="budget-${kind}-note"]`).inputValue()).toBe('计划公开招考');

    // The draft keeps what was entered, even beyond the limit; the kept copy in the browser is then dropped.
    await page.locator('[data-testid="budget-save"]').click();
    await expect.poll(async () => state.getAttribute('data-state')).toBe('draft');
    expect(await page.evaluate((k) => sessionStorage.getItem(k), draftKey)).toBeNull();
    expect(await page.locator('[data-testid="budget-draft-restored"]').count()).toBe(0);
    expect(await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).inputValue()).toBe(String(limit + 1));
    expect(await page.locator(`[data-testid="budget-${kind}-note"]`).inputValue()).toBe('计划公开招考');
    expect(JSON.parse((await db()('budgets').where({ unit_id: unitId, year: YEAR }).first()).lines).find((l: Row) => l.kind === kind).addRecruit).toBe(limit + 1);

    // A changed 退休 figure (with its reason) where the unit has people to retire.
    const nums = (await page.locator(`[data-testid="budget-figures-${kind}"]`).textContent())!;
    const actual = Number(/(\d+)实有/.exec(nums)![1]);
    const forecast = Number(/(\d+)明年退休/.exec(nums)![1]);
    const changedRetire = actual > forecast;
    if (changedRetire) {
      await page.locator(`[data-testid="budget-${kind}-retire"]`).fill(String(forecast + 1));
      await page.locator(`[data-testid="budget-${kind}-retireReason"]`).fill('1人提前退休');
    }
    await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).fill(String(limit));
    await page.locator('[data-testid="budget-submit"]').click();
    await page.locator('[data-testid="budget-confirm-submit"]').click();
    await expect.poll(async () => state.getAttribute('data-state')).toBe('submitted');
    expect(await page.locator('[data-testid="budget-save"]').count()).toBe(0);
    expect(await page.evaluate((k) => sessionStorage.getItem(k), draftKey)).toBeNull();
    // Read-only now: no request to explain a change nobody can make here.
    expect(await page.getByText('请说明原因').count()).toBe(0);
    if (changedRetire) expect(await page.locator(`[data-testid="budget-kind-${kind}"]`).textContent()).toContain('1人提前退休');
    expect(await page.locator('[data-testid="budget-readonly"]').textContent()).toContain('联系编办');
    await page.evaluate(() => window.scrollTo(0, 0));
    await phone.shot('62-budget-submitted', true);
    expect((await db()('budgets').where({ unit_id: unitId, year: YEAR }).first()).state).toBe('submitted');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);

  it('the office approves in the console; the phone shows the budget locked', async () => {
    const admin: Row = await db()('users').where({ role: '编办管理员' }).orderBy('id').first();
    await page.setViewportSize({ width: 1280, height: 800 });
    await sandboxLogin(page, s.url, admin.id);
    await openMiniApp(page, s.url, '/console/annual-budget');
    const row = page.locator(`[data-testid="budget-row-${unitId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('submitted');
    expect(await row.textContent()).toContain(specialist.name);
    const units = Number((await db()('units').count({ n: '*' }).first())!.n);
    expect(await page.locator('[data-testid="count-units"]').textContent()).toBe(String(units));
    expect(await page.locator('[data-testid="count-submitted"]').textContent()).toBe('1');
    expect(await page.locator('[data-testid="budget-total"]').textContent()).toContain(String(limit));
    expect(await page.locator('[data-testid="budget-export"]').getAttribute('href')).toBe(`/api/budgets/export?year=${YEAR}`);
    await page.locator(`[data-testid="budget-approve-${unitId}"]`).click();
    await expect.poll(async () => row.getAttribute('data-state')).toBe('approved');
    expect(await page.locator('[data-testid="budget-office-notice"]').textContent()).toContain('已审核通过');
    await phone.shot('63-console-budget');
    expect((await db()('budgets').where({ unit_id: unitId, year: YEAR }).first()).state).toBe('approved');
    expect(phone.pageErrors).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, `/annual-budget/${unitId}?year=${YEAR}`);
    const state = page.locator('[data-testid="budget-state"]');
    await state.waitFor();
    expect(await state.getAttribute('data-state')).toBe('approved');
    expect(await state.textContent()).toContain('预算已锁定');
    expect(await page.locator(`input[data-testid="budget-${kind}-addRecruit"]`).count()).toBe(0);
    expect(await page.locator('[data-testid="budget-history"]').textContent()).toContain('审核通过');
    await phone.shot('64-budget-approved', true);
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);
});

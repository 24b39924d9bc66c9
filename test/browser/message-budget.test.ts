// The console's 消息额度 panel in a real browser (Chromium through playwright-core, 390×844): the
// demo county's sandbox calls of this month by kind, the budget, the share, the projection and
// the state; the 编办管理员 changes the budget and the state follows. Screenshots in
// test-output/screenshots/ (budget-*.png).

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { countApiCalls, monthApiCalls } from '../../db/api-calls.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('the 消息额度 panel (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(() => void ({ s, phone, page } = world));

  it('shows the month\'s calls by kind, the share of 5,000, the projection and the state; the admin raises the budget', async () => {
    const month = todayInShanghai().slice(0, 7);
    // The demo's alert cards went out through the sandbox and were counted.
    await expect.poll(async () => (await monthApiCalls(s.ctx.db, month)).find((c) => c.platform === 'sandbox')?.byKind['create-card'] ?? 0, POLL).toBeGreaterThan(10);
    // …and everything the start sent (alerts, the weekly list, the month close's messages) has been counted: the count stands still.
    const total = async () => (await monthApiCalls(s.ctx.db, month)).find((c) => c.platform === 'sandbox')?.total ?? 0;
    let last = -1;
    await expect.poll(async () => { const now = await total(); const still = now === last; last = now; return still; }, { timeout: 60_000, interval: 2_000 }).toBe(true);
    // As if the month had been busy: 4,000 more cards and 300 updates.
    await countApiCalls(s.ctx.db, month, 'sandbox', [{ kind: 'create-card', n: 4000 }, { kind: 'update-card', n: 300 }]);
    const used = (await monthApiCalls(s.ctx.db, month)).find((c) => c.platform === 'sandbox')!.total;

    const admin = (await s.ctx.db('users').where({ role: '编办管理员', locked: false }).first('id')).id as string;
    await sandboxLogin(page, s.url, admin);
    await openMiniApp(page, s.url, '/console/budget');
    await page.locator('[data-testid="message-budget"]').waitFor();
    const card = page.locator('[data-testid="budget-sandbox"]');
    expect((await card.locator('[data-testid="budget-used"]').textContent())!.replace(/,/g, '')).toBe(String(used));
    expect(await card.locator('[data-testid="budget-limit"]').textContent()).toBe('5,000');
    expect(await card.locator('[data-testid="budget-pct"]').textContent()).toBe(`${Math.round((used / 5000) * 1000) / 10}%`);
    expect(await card.locator('[data-testid="budget-state"]').textContent()).toMatch(/已用 80% 以上|额度不足/);
    expect((await card.locator('[data-testid="kind-update-card"]').textContent())!.replace(/,/g, '')).toBe('300');
    await expect.poll(() => page.locator('text=额度不足时系统怎么做').count(), POLL).toBe(1);
    await phone.shot('budget-01-panel', true);

    // The admin sets 50,000 (a paid edition): the state goes back to 正常.
    await page.locator('[data-testid="budget-input-sandbox"]').fill('50000');
    await page.locator('[data-testid="budget-form"] button[type=submit]').click();
    await expect.poll(() => card.locator('[data-testid="budget-limit"]').textContent(), POLL).toBe('50,000');
    expect(await card.locator('[data-testid="budget-state"]').textContent()).toBe('正常');
    await phone.shot('budget-02-raised');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);
});

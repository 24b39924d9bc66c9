// A locked specialist in a real browser (Chromium, phone-sized): after the month close locks the
// account, opening the mini-app shows the locked page with why (本单位 2026年11月 自查 N 次，少于
// 规定的 2 次) and who unlocks, not a generic error; 重新打开 and a new login land there again;
// after the 编办管理员's unlock on the console's 账号锁定 (note required) the same login opens the 自查 page it was going to. Screenshots 30-self-check-locked.png, 31-console-locks.png.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertLock } from '../../db/user-locks.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;
const COUNTY = { units: 12, people: 120, seed: 4, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('a locked specialist opens the mini-app (Chromium, phone-sized)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let specialist: Row;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    specialist = await db()('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id').first();
  }, 180_000);

  it('sees the locked page with the reason and who unlocks, and again after a new login', async () => {
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="loading"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="locked-page"]').count()).toBe(0);

    // The month close's write (commands/lock-self-checks.ts): the lock row and users.locked.
    await db().transaction((trx) => insertLock(trx, { userId: specialist.id, kind: 'self-check', month: '2026-11', unitId: Number(specialist.unit_id), selfChecks: 1, required: 2, at: '2026-12-01 09:00:00' }));
    await openMiniApp(page, s.url, '/self-check');
    const reason = page.locator('[data-testid="locked-reason"]');
    await reason.waitFor();
    expect(await reason.textContent()).toMatch(/^您的账号已被锁定：本单位 2026年11月 自查 1 次，少于规定的 2 次。请联系编办管理员.+解锁。$/);
    expect(await page.locator('[data-testid="error"]').count()).toBe(0);
    await phone.shot('30-self-check-locked');

    // 重新打开: the session ended, so the login page; logging in again is refused the same way.
    await page.locator('[data-testid="locked-retry"]').click();
    await page.locator(`[data-testid="login-user-${specialist.id}"]`).click();
    await reason.waitFor();
    expect(await reason.textContent()).toContain('少于规定的 2 次');

    // The 编办管理员 unlocks on the console's 账号锁定 tab, with a note.
    const admin: Row = await db()('users').where({ role: '编办管理员' }).orderBy('id').first();
    await sandboxLogin(page, s.url, admin.id);
    await openMiniApp(page, s.url, '/console/locks');
    await page.locator(`[data-testid="lock-${specialist.id}"]`).waitFor();
    await page.locator(`[data-testid="unlock-${specialist.id}"]`).click();
    await page.locator('[data-testid="unlock-submit"]').click();
    expect(await page.locator('[data-testid="unlock-error"]').textContent()).toBe('请填写解锁说明');
    await page.locator('[data-testid="unlock-note"]').fill('单位已说明情况，12月补做自查');
    await page.locator('[data-testid="unlock-submit"]').click();
    await page.locator('[data-testid="locks-history"]').waitFor();
    expect(await page.locator('[data-testid="locks-history"]').textContent()).toContain('单位已说明情况，12月补做自查');
    await phone.shot('31-console-locks');
    expect(await db()('audit_log').where({ action: 'user_unlock', actor: admin.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });

    await page.request.post(`${s.url}/auth/logout`);
    await openMiniApp(page, s.url, '/self-check');
    await page.locator(`[data-testid="login-user-${specialist.id}"]`).click();
    // Back where the user was going: the 自查 page.
    await expect.poll(() => new URL(page.url()).hash, { timeout: 15_000 }).toBe('#/self-check');
    await page.locator('[data-testid="loading"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="locked-page"]').count()).toBe(0);
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);
});

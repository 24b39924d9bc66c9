// A login that times out while a 单位专管员 edits an 编外人员 on a phone loses nothing: the save
// refused (401 登录已超时) keeps the edits and the reason as a draft, the login page says the
// change is not saved, `next` is the form (never the login page wrapped twice), and after logging
// in again the form shows the draft (已恢复您上次未保存的修改，请确认后保存) and saves it with the reason.
// The timeout: the session row's last_seen_at moved back 31 minutes (no waiting).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { type RunningSanse, startSandboxInTemp } from './app.ts';
import { HAVE_CHROMIUM, launchPhone, sandboxLogin, openMiniApp, type Phone } from './phone.ts';

describe.skipIf(!HAVE_CHROMIUM)('a timed-out save keeps the draft (Chromium, phone)', () => {
  let s: RunningSanse;
  let phone: Phone;

  beforeAll(async () => {
    s = await startSandboxInTemp({ units: 8, people: 60, seed: 5, today: '2026-11-23' });
    phone = await launchPhone();
  }, 180_000);

  afterAll(async () => {
    await phone?.close();
    await s?.close();
  });

  it('edit, time out, save → login page says so → log in → back on the form with the draft → saved with the reason', async () => {
    const db = s.ctx.db;
    const worker = await db('workers').orderBy('id').first('id', 'unit_id');
    expect(worker, 'the county has 编外人员').toBeTruthy();
    const specialist = (await db('users').where({ role: '单位专管员', unit_id: worker.unit_id }).orderBy('id').first('id')).id as string;
    const { page } = phone;
    await sandboxLogin(page, s.url, specialist);
    await openMiniApp(page, s.url, `/worker/${worker.id}`);
    const input = page.locator('[data-testid="worker-form"] [data-field="具体工作岗位"] input');
    await input.waitFor();
    const newValue = '后勤保障服务（草稿测试）';
    await input.fill(newValue);
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="reason"]').fill('按劳动合同更正岗位');
    await phone.shot('90-draft-before-timeout');

    // The user waited: the session's last request 31 minutes ago.
    await db('sessions').where({ user_id: specialist }).update({ last_seen_at: nowMoment(Date.now() - 31 * 60_000) });
    const refused = page.waitForResponse((r) => r.url().includes(`/api/workers/${worker.id}`) && r.request().method() === 'PUT');
    await page.locator('[data-testid="confirm-save"]').click();
    expect((await refused).status()).toBe(401);

    await page.waitForFunction(() => location.hash.startsWith('#/login'));
    const notice = page.locator('[data-testid="session-notice"]');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('登录已超时，您的修改尚未保存，重新登录后将回到原页面');
    // Wait for both of the app's redirects to settle, then: next is the form, wrapped once.
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => location.hash)).toBe(`#/login?next=${encodeURIComponent(`/worker/${worker.id}`)}`);
    await page.locator(`[data-testid="login-user-${specialist}"]`).waitFor();
    await phone.shot('91-draft-login-notice');

    // Log in again through the sandbox chooser: back on the form, the draft restored.
    await page.locator(`[data-testid="login-user-${specialist}"]`).click();
    await page.waitForFunction((id) => location.hash === `#/worker/${id}`, worker.id);
    const restored = page.locator('[data-testid="draft-restored"]');
    await restored.waitFor();
    expect(await restored.textContent()).toContain('已恢复您上次未保存的修改，请确认后保存');
    expect(await input.inputValue()).toBe(newValue);
    await phone.shot('92-draft-restored');

    await page.locator('[data-testid="save"]').click();
    expect(await page.locator('[data-testid="reason"]').inputValue()).toBe('按劳动合同更正岗位');
    const saved = page.waitForResponse((r) => r.url().includes(`/api/workers/${worker.id}`) && r.request().method() === 'PUT');
    await page.locator('[data-testid="confirm-save"]').click();
    expect((await saved).status()).toBe(200);
    await page.locator('[data-testid="saved"]').waitFor();
    await phone.shot('93-draft-saved');
    const row = await db('workers').where({ id: worker.id }).first();
    expect(JSON.stringify(row)).toContain(newValue);
    // The draft is gone: opened again, the form shows no notice.
    await openMiniApp(page, s.url, `/worker/${worker.id}`);
    await input.waitFor();
    expect(await restored.count()).toBe(0);
    expect(phone.pageErrors).toEqual([]);
  }, 120_000);
});

// The whole loop in a real browser (Chromium through playwright-core, phone-sized): the sandbox
// work group with the morning's alert card → 去整改 → the mini-app → sandbox login as the unit's
// 单位专管员 → 待整改 → the person's form → fix the flagged field → save with a reason → resolved
// on the spot → the card in the group updated by the dispatcher. Also the refusals (a locked and
// an unknown user at login, a record outside the user's scope), with screenshots of the main
// pages in test-output/screenshots/.
//
// The app runs in this process on 127.0.0.1 (a free port), SQLite in a temp folder, PLATFORM
// sandbox, started as `sanse serve` starts it (test/browser/app.ts). The mini-app is built once
// if miniapp/dist is missing. Chromium: CHROMIUM_PATH or /usr/bin/chromium (never downloaded);
// without it the test fails under CI=true and is skipped otherwise.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subtreeIds } from '../../db/scope.ts';
import { type RunningSanse, startSandboxInTemp } from './app.ts';
import { CHROMIUM, HAVE_CHROMIUM, launchPhone, ON_CI, openMiniApp, sandboxLogin, type Phone } from './phone.ts';

type Row = Record<string, any>;

// A small county; seed 2 has units whose only open finding is a 民族 written as “汉”.
const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };

/** The value that fixes a P-ID-14 finding, by the field it names and the value stored. */
const FIX: Record<string, (v: string) => string> = {
  民族: () => '汉族',
  政治面貌: () => '中共党员',
  学历: (v) => (v === '研究生' ? '硕士研究生' : '大学本科'),
};
const COLUMN: Record<string, string> = { 民族: 'ethnicity', 政治面貌: 'politics', 学历: 'education' };

/** Waits until `ok()` holds (outside a test, where expect.poll is not available). */
async function until(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (!HAVE_CHROMIUM && ON_CI) {
  describe('browser loop', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium not found at ${CHROMIUM}: install the distribution's package (apt-get install chromium) in .ci/run, or set CHROMIUM_PATH. The browser test does not download a browser.`);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)('browser loop (Chromium, phone-sized)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  /** The finding the loop fixes: person, unit, card, the unit's specialist, the fix. */
  let target: { personId: number; unitId: number; unitCode: string; cardId: string; conversation: string; cardSize: number; specialist: string; field: string; fix: string };

  const db = () => s.ctx.db;
  const shot = (name: string, fullPage = false) => phone.shot(name, fullPage);
  const POLL = { timeout: 15_000, interval: 100 };
  /** Whether an element is wholly inside the viewport and its first line not covered (by the sticky header). */
  const inView = (el: ReturnType<Page['locator']>) => el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + 12, r.top + 12);
    return r.top >= 0 && r.bottom <= window.innerHeight && !!top && e.contains(top);
  });
  /** Waits until the page's URL hash passes `ok` (hash routes change without a load). */
  const waitHash = (ok: (hash: string) => boolean) => expect.poll(() => ok(new URL(page.url()).hash), POLL).toBe(true);
  const open = (hashPath: string) => openMiniApp(page, s.url, hashPath);

  beforeAll(async () => {
    s = await startSandboxInTemp(COUNTY);
    // The morning's cards and messages reach the sandbox groups through the dispatcher (about 20 a second).
    const queued = async () => Number((await db()('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' }).first())?.n ?? 0);
    await until(async () => (await queued()) === 0, 60_000, 'the dispatcher to deliver the morning\'s cards to the sandbox');

    // The finding to fix, chosen in the database: a P-ID-14 of a person in a unit with a credit
    // code, an alert card in its work group and its own specialist; 民族 first, then the card with
    // the fewest findings (one: the card turns green), then a person with nothing else open.
    const rows: Row[] = await db()('findings as f').join('units as u', 'u.id', 'f.unit_id')
      .where({ 'f.rule': 'P-ID-14', 'f.status': 'open', 'f.scope': 'person' }).whereNot('u.code', '').whereNotNull('u.group_id')
      .select('f.entity_id', 'f.unit_id', 'f.qualifier', 'u.code');
    const options: Array<typeof target & { score: number }> = [];
    for (const r of rows) {
      const card: Row | undefined = await db()('cards').where('card_id', 'like', `unit-digest:${r.unit_id}:%`).orderBy('card_id', 'desc').first();
      const zgy: Row | undefined = await db()('users').where({ role: '单位专管员', unit_id: r.unit_id }).orderBy('id').first();
      if (!card || !zgy || !card.target?.startsWith('group:') || !FIX[r.qualifier]) continue;
      const person: Row = await db()('people').where({ id: r.entity_id }).first();
      const others = await db()('findings').where({ status: 'open', scope: 'person', entity_id: r.entity_id }).count({ n: '*' }).first();
      const cardSize = (JSON.parse(card.data).findingIds as number[]).length;
      options.push({
        personId: Number(r.entity_id), unitId: Number(r.unit_id), unitCode: r.code, cardId: card.card_id, conversation: card.target, cardSize,
        specialist: zgy.id, field: r.qualifier, fix: FIX[r.qualifier](person[COLUMN[r.qualifier]] ?? ''),
        score: (r.qualifier === '民族' ? 0 : 1000) + cardSize * 10 + Number(others?.n ?? 1),
      });
    }
    options.sort((a, b) => a.score - b.score);
    expect(options.length, 'a P-ID-14 finding in a unit with a card, a group and a specialist').toBeGreaterThan(0);
    const { score: _score, ...pick } = options[0];
    target = pick;

    phone = await launchPhone();
    page = phone.page;
  }, 180_000);

  afterAll(async () => {
    await phone?.close();
    await s?.close();
  });

  /** Logs this browser in as `userId` through the sandbox login route, unless it already is. */
  async function loggedInAs(userId: string): Promise<void> {
    const me = await page.request.get(`${s.url}/api/me`);
    if (me.ok() && (await me.json()).id === userId) return;
    await sandboxLogin(page, s.url, userId);
  }

  it('fixes a finding from the alert card: sandbox → 去整改 → login → 待整改 → form → save → resolved → card updated', async () => {
    const t = target;
    // The sandbox with the groups' cards, then the unit's work group with its card.
    await page.goto(`${s.url}/sandbox`);
    await expect.poll(() => page.locator('.msg').count(), POLL).toBeGreaterThan(0);
    await shot('01-sandbox');
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
    const card = page.locator(`[data-card="${t.cardId}"]`);
    await card.scrollIntoViewIfNeeded();
    const cardBefore = await card.locator('.bubble.card').getAttribute('class');
    expect(cardBefore).toMatch(/\b(red|yellow)\b/);
    await shot('02-sandbox-card');

    // 去整改 → the mini-app at the unit's list; not logged in yet: the sandbox chooser.
    const button = card.locator('a.primary');
    expect((await button.textContent())?.trim()).toBe('去整改');
    expect(await button.getAttribute('href')).toBe(`${s.url}/m/#/todo?unit=${t.unitId}`);
    await button.click();
    await waitHash((h) => h.startsWith('#/login'));
    await page.locator(`[data-testid="login-user-${t.specialist}"]`).click();

    // Back at the list of the unit; the finding of the person.
    await waitHash((h) => h.startsWith('#/todo') && h.includes(`unit=${t.unitId}`));
    await page.locator('[data-testid="unit-filter"]').waitFor();
    const finding = page.locator(`a[data-testid="finding"][data-rule="P-ID-14"][href^="#/person/${t.personId}?finding="]`).first();
    await finding.waitFor();
    await shot('03-todo', true);
    await finding.click();

    // The form: the flagged field, changed; the outlook says it fixes the finding.
    await waitHash((h) => h.startsWith(`#/person/${t.personId}?finding=`));
    await page.locator('[data-testid="person-form"]').waitFor();
    await expect.poll(() => page.locator(`[data-testid="field-flag-${t.field}"]`).count(), POLL).toBe(1);
    // The field to fix is in view without scrolling, its hint not under the save bar.
    await expect.poll(() => inView(page.locator(`[data-testid="field-flag-${t.field}"]`)), POLL).toBe(true);
    await shot('04-form');
    await page.locator(`select[data-testid="field-${t.field}"]`).selectOption(t.fix);
    await expect.poll(() => page.locator('[data-testid="change-count"]').textContent(), POLL).toContain('已修改 1 项');
    await expect.poll(() => page.locator('[data-testid="outlook-item"][data-rule="P-ID-14"]').first().getAttribute('data-outlook'), POLL).toBe('fixed');
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="save-dialog"]').waitFor();
    await page.locator('[data-testid="reason"]').fill('按户籍信息更正');
    await page.locator('[data-testid="confirm-save"]').click();

    // Resolved on the spot, and in the database.
    await page.locator('[data-testid="resolved"][data-rule="P-ID-14"]').waitFor();
    expect(await page.locator('[data-testid="saved"]').textContent()).toContain('已整改，亮绿灯');
    await shot('05-resolved');
    const stored: Row = await db()('people').where({ id: t.personId }).first();
    expect(stored[COLUMN[t.field]]).toBe(t.fix);
    const f: Row = await db()('findings').where({ rule: 'P-ID-14', qualifier: t.field, scope: 'person', entity_id: t.personId }).orderBy('id', 'desc').first();
    expect(f.status).toBe('resolved');

    // The card in the group, updated in place by the dispatcher: poll, reloading the page.
    const vars = JSON.parse((await db()('cards').where({ card_id: t.cardId }).first()).data).vars as Record<string, string>;
    expect(vars.progress).toMatch(/^已(全部整改|整改 \d+\/\d+)$/);
    if (t.cardSize === 1) expect(vars).toMatchObject({ light: 'green', progress: '已全部整改' });
    const deadline = Date.now() + 15_000;
    let text = '';
    let cls = '';
    for (;;) {
      await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
      const bubble = page.locator(`[data-card="${t.cardId}"] .bubble.card`);
      text = (await bubble.textContent()) ?? '';
      cls = (await bubble.getAttribute('class')) ?? '';
      if (text.includes(vars.progress) && cls.split(/\s+/).includes(vars.light)) break;
      if (Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    expect(text).toMatch(/已全部整改|已整改/);
    expect(text).toContain(vars.progress);
    expect(cls.split(/\s+/)).toContain(vars.light);
    await page.locator(`[data-card="${t.cardId}"]`).scrollIntoViewIfNeeded();
    await shot('06-sandbox-card-updated');
  }, 60_000);

  it('shows the history of the change and, to the office, the console', async () => {
    const t = target;
    await loggedInAs(t.specialist);
    await open(`/person/${t.personId}/history`);
    const latest = page.locator('[data-testid="version"]').first();
    await latest.waitFor();
    expect(await latest.locator('[data-testid="version-source"]').textContent()).toBe('小程序修改');
    expect(await latest.locator('[data-testid="version-reason"]').textContent()).toContain('按户籍信息更正');
    expect(await latest.locator(`[data-testid="version-change"][data-field="${t.field}"]`).textContent()).toContain(t.fix);
    await shot('07-history', true);

    await loggedInAs('demo-admin');
    await open('/console');
    await page.locator('[data-testid="unit-row"]').first().waitFor();
    await shot('08-console');
    // 立即检查: queued, the page follows the run until its summary (in Chinese).
    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid="run-check"]').click();
    const summary = page.locator('[data-testid="check-summary"]');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.textContent()).toMatch(/检查完成（\d{4}-\d{2}-\d{2}，用时/);
    expect(await page.locator('[data-testid="check-progress"]').count()).toBe(0);
    expect(await page.locator('[data-testid="check-error"]').count()).toBe(0);
    expect(await db()('job_runs').where({ job: 'daily-check', state: 'ok' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  }, 60_000);

  it('refuses a record outside the scope: the 403 message, no form', async () => {
    const t = target;
    await loggedInAs(t.specialist);
    const scope = await subtreeIds(db(), t.unitId);
    const other: Row = await db()('people').whereNotIn('unit_id', scope).orderBy('id').first('id');
    expect(other).toBeTruthy();
    await open(`/person/${other.id}`);
    const error = page.locator('[data-testid="error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('超出您的数据范围');
    expect(await page.locator('[data-testid="person-form"]').count()).toBe(0);
    expect(await page.locator('[data-testid="save"]').count()).toBe(0);
    await shot('09-out-of-scope');
  }, 30_000);


  it('follows an old link with a credit code when it names one unit, else asks which unit', async () => {
    const t = target;
    await loggedInAs('demo-admin');
    await open(`/todo?unit=${encodeURIComponent(t.unitCode)}`);
    await page.locator('[data-testid="unit-filter"]').waitFor();
    // Another unit given the same code (U-IN-06): the page lists both, by name, to choose from.
    const other: Row = await db()('units').whereNot({ id: t.unitId }).whereNot('code', '').orderBy('id').first('id', 'code');
    await db()('units').where({ id: other.id }).update({ code: t.unitCode });
    try {
      await open(`/todo?unit=${encodeURIComponent(t.unitCode)}`);
      const choice = page.locator('[data-testid="unit-choice"]');
      await choice.waitFor();
      expect(await choice.textContent()).toContain('对应多个单位，请选择');
      expect(await choice.locator('[data-testid="unit-candidate"]').count()).toBe(2);
      await shot('12-todo-choose-unit');
      await choice.locator(`[data-testid="unit-candidate"][data-unit-id="${t.unitId}"]`).click();
      await waitHash((h) => h === `#/todo?unit=${t.unitId}`);
      await page.locator('[data-testid="unit-filter"]').waitFor();
    } finally {
      await db()('units').where({ id: other.id }).update({ code: other.code });
    }
  }, 30_000);

  it('refuses a locked user and a user not on the 用户 sheet at login, in Chinese', async () => {
    const t = target;
    const locked: Row = await db()('users').where({ role: '单位专管员' }).whereNot({ id: t.specialist }).orderBy('id', 'desc').first('id', 'name');
    await db()('users').where({ id: locked.id }).update({ locked: 1 });
    // The chooser lists the users of the sheet; one more that is not on it, to press.
    const ghost = { id: 'demo-not-on-sheet', name: '未开通用户', role: '单位专管员', unitName: '演示单位' };
    await page.route('**/auth/sandbox/users', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: [...(await res.json()), ghost] });
    });
    await phone.browser.clearCookies();
    try {
      await open('/login');
      await page.locator(`[data-testid="login-user-${locked.id}"]`).click();
      // A locked account gets the locked page (why, who unlocks), not the login page's error.
      const reason = page.locator('[data-testid="locked-reason"]');
      await reason.waitFor();
      expect(await reason.textContent()).toMatch(/^您的账号已被锁定：账号已由编办停用。请联系编办管理员.+解锁。$/);
      await expect.poll(() => inView(reason), POLL).toBe(true);
      await shot('10-login-locked');
      await page.locator('[data-testid="locked-retry"]').click();

      const error = page.locator('[data-testid="login-error"]');
      await page.locator(`[data-testid="login-user-${ghost.id}"]`).click();
      await expect.poll(() => error.textContent(), POLL).toContain('您尚未开通“三色”使用权限，请联系本地编办。');
      await expect.poll(() => inView(error), POLL).toBe(true);
      await shot('11-login-unknown');
      // Still on the login page, without a session.
      expect(new URL(page.url()).hash).toMatch(/^#\/login/);
      expect((await page.request.get(`${s.url}/api/me`)).status()).toBe(401);
    } finally {
      await page.unroute('**/auth/sandbox/users');
      await db()('users').where({ id: locked.id }).update({ locked: 0 });
    }
  }, 30_000);

  it('threw no script errors in the pages', () => {
    expect(phone.pageErrors).toEqual([]);
  });
});

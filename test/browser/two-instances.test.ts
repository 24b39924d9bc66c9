// The loop of loop.test.ts in a real browser against two `sanse serve` processes behind one
// round-robin proxy (test/two-instances.ts: one MariaDB database, one Redis): the alert card in
// /sandbox → 去整改 → the sandbox chooser → 待整改 → the person's form → save → resolved → the card
// updated, while the proxy sends the browser's requests to A and B in turn (no sticky sessions).
// Then the session times out (idle) and the app says 登录已超时，请重新登录 on its login page.
// Screenshots in test-output/screenshots/two-instances-*.png.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { startTwoInstances, type TwoInstances } from '../two-instances.ts';
import { ensureMiniappBuilt } from './app.ts';
import { CHROMIUM, HAVE_CHROMIUM, launchPhone, ON_CI, type Phone } from './phone.ts';

type Row = Record<string, any>;

const FIX: Record<string, (v: string) => string> = {
  民族: () => '汉族',
  政治面貌: () => '中共党员',
  学历: (v) => (v === '研究生' ? '硕士研究生' : '大学本科'),
};
const COLUMN: Record<string, string> = { 民族: 'ethnicity', 政治面貌: 'politics', 学历: 'education' };

if (!HAVE_CHROMIUM && ON_CI) {
  describe('two instances in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium not found at ${CHROMIUM}: install the distribution's package or set CHROMIUM_PATH.`);
    });
  });
}

describe.skipIf(!HAVE_CHROMIUM)('two instances behind one address, in a browser (Chromium, phone-sized)', () => {
  let two: TwoInstances;
  let phone: Phone;
  let page: Page;
  let target: { personId: number; unitId: number; cardId: string; conversation: string; cardSize: number; specialist: string; field: string; fix: string };
  /** Which instance answered each of the browser's requests to the app. */
  const served: string[] = [];

  const db = () => two.ctx.db;
  const shot = (name: string, fullPage = false) => phone.shot(`two-instances-${name}`, fullPage);
  const POLL = { timeout: 20_000, interval: 100 };
  const waitHash = (ok: (hash: string) => boolean) => expect.poll(() => ok(new URL(page.url()).hash), POLL).toBe(true);

  beforeAll(async () => {
    process.env.LOG_LEVEL ??= 'warn';
    ensureMiniappBuilt();
    // seed 2: units whose only open finding is a 民族 written as “汉” (as loop.test.ts).
    two = await startTwoInstances({ name: 'browser', county: { units: 40, people: 600, seed: 2 } });
    await two.settled();

    const rows: Row[] = await db()('findings as f').join('units as u', 'u.id', 'f.unit_id')
      .where({ 'f.rule': 'P-ID-14', 'f.status': 'open', 'f.scope': 'person' }).whereNot('u.code', '').whereNotNull('u.group_id')
      .select('f.entity_id', 'f.unit_id', 'f.qualifier');
    const options: Array<typeof target & { score: number }> = [];
    for (const r of rows) {
      const card: Row | undefined = await db()('cards').where('card_id', 'like', `unit-digest:${r.unit_id}:%`).orderBy('card_id', 'desc').first();
      const zgy: Row | undefined = await db()('users').where({ role: '单位专管员', unit_id: r.unit_id, locked: 0 }).orderBy('id').first();
      if (!card || !zgy || !card.target?.startsWith('group:') || !FIX[r.qualifier]) continue;
      const person: Row = await db()('people').where({ id: r.entity_id }).first();
      const others = await db()('findings').where({ status: 'open', scope: 'person', entity_id: r.entity_id }).count({ n: '*' }).first();
      const cardSize = (JSON.parse(card.data).findingIds as number[]).length;
      options.push({
        personId: Number(r.entity_id), unitId: Number(r.unit_id), cardId: card.card_id, conversation: card.target, cardSize,
        specialist: zgy.id, field: r.qualifier, fix: FIX[r.qualifier]!(person[COLUMN[r.qualifier]!] ?? ''),
        score: (r.qualifier === '民族' ? 0 : 1000) + cardSize * 10 + Number(others?.n ?? 1),
      });
    }
    options.sort((a, b) => a.score - b.score);
    expect(options.length, 'a P-ID-14 finding in a unit with a card, a group and an unlocked specialist').toBeGreaterThan(0);
    const { score: _score, ...pick } = options[0]!;
    target = pick;

    phone = await launchPhone();
    page = phone.page;
    page.on('response', (r) => {
      const which = r.headers()['x-sanse-instance'];
      if (which && (r.url().includes('/api/') || r.url().includes('/auth/'))) served.push(which);
    });
  }, 300_000);

  afterAll(async () => {
    await phone?.close();
    await two?.close();
  }, 60_000);

  it('fixes a finding from the alert card through the proxy, the requests alternating between A and B', async () => {
    const t = target;
    await page.goto(`${two.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
    const card = page.locator(`[data-card="${t.cardId}"]`);
    await card.scrollIntoViewIfNeeded();
    expect(await card.locator('.bubble.card').getAttribute('class')).toMatch(/\b(red|yellow)\b/);
    await shot('01-sandbox-card');

    // 去整改 → the mini-app (the card's link is the proxy's address: PUBLIC_BASE_URL) → the chooser.
    const button = card.locator('a.primary');
    expect(await button.getAttribute('href')).toBe(`${two.url}/m/#/todo?unit=${t.unitId}`);
    await button.click();
    await waitHash((h) => h.startsWith('#/login'));
    await page.locator(`[data-testid="login-user-${t.specialist}"]`).waitFor();
    await shot('02-login-chooser');
    await page.locator(`[data-testid="login-user-${t.specialist}"]`).click();

    await waitHash((h) => h.startsWith('#/todo') && h.includes(`unit=${t.unitId}`));
    const finding = page.locator(`a[data-testid="finding"][data-rule="P-ID-14"][href^="#/person/${t.personId}?finding="]`).first();
    await finding.waitFor();
    await shot('03-todo', true);
    await finding.click();

    await waitHash((h) => h.startsWith(`#/person/${t.personId}?finding=`));
    await page.locator('[data-testid="person-form"]').waitFor();
    await expect.poll(() => page.locator(`[data-testid="field-flag-${t.field}"]`).count(), POLL).toBe(1);
    await page.locator(`select[data-testid="field-${t.field}"]`).selectOption(t.fix);
    await expect.poll(() => page.locator('[data-testid="change-count"]').textContent(), POLL).toContain('已修改 1 项');
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="save-dialog"]').waitFor();
    await page.locator('[data-testid="reason"]').fill('按户籍信息更正');
    await page.locator('[data-testid="confirm-save"]').click();

    await page.locator('[data-testid="resolved"][data-rule="P-ID-14"]').waitFor();
    expect(await page.locator('[data-testid="saved"]').textContent()).toContain('已整改，亮绿灯');
    await shot('04-resolved');
    const stored: Row = await db()('people').where({ id: t.personId }).first();
    expect(stored[COLUMN[t.field]!]).toBe(t.fix);
    const f: Row = await db()('findings').where({ rule: 'P-ID-14', qualifier: t.field, scope: 'person', entity_id: t.personId }).orderBy('id', 'desc').first();
    expect(f.status).toBe('resolved');

    // The card in the group, updated by whichever instance's dispatcher took the row.
    const vars = JSON.parse((await db()('cards').where({ card_id: t.cardId }).first()).data).vars as Record<string, string>;
    expect(vars.progress).toMatch(/^已(全部整改|整改 \d+\/\d+)$/);
    const deadline = Date.now() + 20_000;
    let text = '';
    let cls = '';
    for (;;) {
      await page.goto(`${two.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
      const bubble = page.locator(`[data-card="${t.cardId}"] .bubble.card`);
      text = (await bubble.textContent()) ?? '';
      cls = (await bubble.getAttribute('class')) ?? '';
      if (text.includes(vars.progress!) && cls.split(/\s+/).includes(vars.light!)) break;
      if (Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    expect(text).toContain(vars.progress);
    expect(cls.split(/\s+/)).toContain(vars.light);
    await page.locator(`[data-card="${t.cardId}"]`).scrollIntoViewIfNeeded();
    await shot('05-sandbox-card-updated');

    // The one session was used on both instances: the app's calls were answered by A and by B.
    expect(served.filter((x) => x === 'A').length, served.join('')).toBeGreaterThan(3);
    expect(served.filter((x) => x === 'B').length, served.join('')).toBeGreaterThan(3);
    expect(phone.pageErrors).toEqual([]);
  }, 120_000);

  it('after 31 idle minutes the app says 登录已超时，请重新登录 on its login page', async () => {
    const t = target;
    const me = await page.request.get(`${two.url}/api/me`);
    expect((await me.json()).id).toBe(t.specialist);
    // The clock moved on: the session's last request 31 minutes ago (as every instance reads it).
    await db()('sessions').where({ user_id: t.specialist }).update({ last_seen_at: nowMoment(Date.now() - 31 * 60_000) });
    await page.goto('about:blank');
    await page.goto(`${two.url}/m/#/todo?unit=${t.unitId}`);
    await waitHash((h) => h.startsWith('#/login'));
    const notice = page.locator('[data-testid="session-notice"]');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('登录已超时，请重新登录');
    await page.locator(`[data-testid="login-user-${t.specialist}"]`).waitFor();
    await shot('06-timed-out');
  }, 60_000);
});

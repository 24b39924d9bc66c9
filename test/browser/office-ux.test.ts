// What the office, leaders and demo users see, in a real browser (Chromium through playwright-core,
// 390×844): the sandbox login chooser's order (the card's people first, then the office), /sandbox
// on a phone (the group list reachable, the input inside the screen), the person form marking
// every field a finding concerns and bringing the opened finding's field into view, and a unit
// leader's read-only form saying why. Screenshots in test-output/screenshots/ (ux-*.png).
// Started like test/browser/loop.test.ts (the app in this process, SQLite in a temp folder).

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OFFICE_ROLES } from '../../core/roles.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;

const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('what the office, leaders and demo users see (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;
  const shot = (name: string, fullPage = false) => phone.shot(name, fullPage);
  /** Wholly inside the viewport (and not covered at its top-left). */
  const inView = (el: ReturnType<Page['locator']>) => el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + 8, r.top + 8);
    return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && !!top && (e.contains(top) || top.contains(e));
  });
  const loginAs = (userId: string) => sandboxLogin(page, s.url, userId);
  const open = (hashPath: string) => openMiniApp(page, s.url, hashPath);

  const world = sandboxWithPhone(COUNTY);
  beforeAll(() => void ({ s, phone, page } = world));

  it('the login chooser puts the people of the card first, then the office accounts', async () => {
    const users: Row[] = await db()('users').select('id', 'role', 'unit_id');
    const unit = users.find((u) => u.role === '单位专管员' && users.some((l) => l.role === '单位领导' && l.unit_id === u.unit_id))!.unit_id;
    const ofUnit = users.filter((u) => u.unit_id === unit);
    const office = users.filter((u) => OFFICE_ROLES.has(u.role));
    const order = async () => (await page.locator('[data-testid^="login-user-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('login-user-'.length))));

    // From a card's 去整改 (next = the card's list of its unit).
    await page.context().clearCookies();
    await open(`/login?next=${encodeURIComponent(`/todo?unit=${unit}`)}`);
    await page.locator('[data-testid^="login-user-"]').first().waitFor();
    const fromCard = await order();
    expect(new Set(fromCard.slice(0, ofUnit.length))).toEqual(new Set(ofUnit.map((u) => u.id)));
    expect(users.find((u) => u.id === fromCard[0])!.role).toBe('单位专管员');
    expect(new Set(fromCard.slice(ofUnit.length, ofUnit.length + office.length))).toEqual(new Set(office.map((u) => u.id)));
    expect(await page.locator('[data-testid="user-group"]').first().textContent()).toBe('卡片上提醒的本单位人员');
    expect(await inView(page.locator(`[data-testid="login-user-${fromCard[0]}"]`))).toBe(true);
    await shot('ux-01-login-from-card');

    // Opened directly: the office accounts at the top.
    await open('/login');
    await page.locator('[data-testid^="login-user-"]').first().waitFor();
    const plain = await order();
    expect(new Set(plain.slice(0, office.length))).toEqual(new Set(office.map((u) => u.id)));
    expect(users.find((u) => u.id === plain[0])!.role).toBe('编办管理员');
    await shot('ux-02-login');
  }, 60_000);

  it('/sandbox works on a phone: the group list is reachable and the input is inside the screen', async () => {
    await page.goto(`${s.url}/sandbox`);
    const groups = page.locator('nav a');
    await expect.poll(() => groups.count(), POLL).toBeGreaterThan(1);
    // The first group is open and the list folded: its toggle is on screen, and opens the list.
    const toggle = page.locator('[data-testid="groups-toggle"]');
    expect(await inView(toggle)).toBe(true);
    const input = page.locator('form.say input[type=text]');
    const send = page.locator('form.say button[type=submit]');
    const speaker = page.locator('form.say select');
    for (const el of [input, send, speaker]) expect(await inView(el), await el.evaluate((e) => e.outerHTML.slice(0, 60))).toBe(true);
    await shot('ux-03-sandbox-phone');
    await toggle.click();
    const second = groups.nth(1);
    expect(await inView(second)).toBe(true);
    await shot('ux-04-sandbox-phone-groups');
    const href = await second.getAttribute('href');
    await second.click();
    await expect.poll(() => page.url(), POLL).toContain(href!);
    for (const el of [input, send, speaker]) expect(await inView(el)).toBe(true);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Speaking as the first user offered (the group's specialist) reaches the robot.
    await input.fill('帮助');
    await send.click();
    await expect.poll(() => page.locator('.msg.user').count(), POLL).toBeGreaterThan(0);
  }, 60_000);

  it('a leader reads one card of red items in their 1:1 chat; the office asks the robot for the county', async () => {
    const card: Row | undefined = await db()('cards').where('card_id', 'like', 'leader-digest:%').orderBy('card_id').first();
    expect(card, 'a leader\'s card of the seeded day').toBeTruthy();
    const leaderId = String(card!.card_id).split(':')[1];
    await expect.poll(async () => Number((await db()('sandbox_messages').where({ conversation: `user:${leaderId}` }).count({ n: '*' }).first())?.n ?? 0), POLL).toBe(1);
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(`user:${leaderId}`)}`);
    const shown = page.locator(`[data-card="${card!.card_id}"]`);
    await shown.waitFor();
    expect(await shown.textContent()).toContain('红灯问题督办');
    // A leader fixes nothing: no 重新检查, one button to the list of their unit and the units below it.
    expect(await shown.locator('button', { hasText: '重新检查' }).count()).toBe(0);
    expect(await shown.locator('a.primary').getAttribute('href')).toMatch(/\/m\/#\/todo\?unit=\d+$/);
    await shot('ux-08-sandbox-leader-card');
    // The office: 编制 without a unit answers for the county.
    const office: Row = await db()('users').where({ role: '编办业务人员' }).first('id');
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(`user:${office.id}`)}&as=${encodeURIComponent(office.id)}`);
    await page.locator('form.say input[type=text]').fill('编制');
    await page.locator('form.say button[type=submit]').click();
    await expect.poll(() => page.locator('.msg').last().textContent(), POLL).toContain('全部单位编制情况');
    await shot('ux-09-sandbox-office-quota');
    await page.locator('form.say input[type=text]').fill('待整改');
    await page.locator('form.say button[type=submit]').click();
    await expect.poll(() => page.locator('.msg').last().textContent(), POLL).toContain('全部单位待整改情况');
    await shot('ux-10-sandbox-office-todo');
  }, 60_000);

  /** A person with open findings about at least two different fields, and their unit's users. */
  async function personWithSeveralFindings(): Promise<{ personId: number; findings: Row[]; specialist: string; leader: string }> {
    const rows: Row[] = await db()('findings').where({ status: 'open', scope: 'person' }).select('id', 'entity_id', 'rule', 'unit_id').orderBy('id');
    const byPerson = new Map<number, Row[]>();
    for (const r of rows) byPerson.set(Number(r.entity_id), [...(byPerson.get(Number(r.entity_id)) ?? []), r]);
    for (const [personId, findings] of byPerson) {
      const rules = new Set(findings.map((f) => f.rule));
      if (rules.size < 2 || [...rules].some((r) => r === 'P-ID-14' || r === 'P-TM-07' || r === 'P-TM-01')) continue;
      const specialist: Row | undefined = await db()('users').where({ role: '单位专管员', unit_id: findings[0].unit_id }).first('id');
      const leader: Row | undefined = await db()('users').where({ role: '单位领导', unit_id: findings[0].unit_id }).first('id');
      if (specialist && leader) return { personId, findings, specialist: specialist.id, leader: leader.id };
    }
    throw new Error('no person with two findings and a unit with both roles');
  }

  it('the form marks every field a finding concerns and brings the opened finding\'s field into view', async () => {
    const t = await personWithSeveralFindings();
    await loginAs(t.specialist);
    await open('/todo');
    const list = await page.request.get(`${s.url}/api/people/${t.personId}`);
    const findings: Row[] = (await list.json()).findings;
    // The last finding in the list, so its field is not simply the first one of the form.
    const chosen = findings[findings.length - 1];
    await open(`/person/${t.personId}?finding=${chosen.id}`);
    await page.locator('[data-testid="person-form"]').waitFor();
    const focused = page.locator('.field.focused');
    await expect.poll(() => focused.count(), POLL).toBe(1);
    expect(await inView(focused.locator('label'))).toBe(true);
    const field = await focused.getAttribute('data-field');
    expect(await focused.locator('[data-testid^="field-flag-"]').textContent()).toContain(chosen.title);
    // Each finding's title stands beside at least one field.
    const flags = (await page.locator('[data-testid^="field-flag-"]').allTextContents()).join('\n');
    for (const f of findings) expect(flags, f.rule).toContain(f.title);
    expect(await page.locator('.field.flagged').count()).toBeGreaterThanOrEqual(2);
    // The cursor is in it, ready to correct.
    expect(await page.evaluate(() => (document.activeElement?.closest('[data-field]') as HTMLElement | null)?.dataset.field ?? null)).toBe(field);
    await shot('ux-05-form-focused');
    // 问题详情: each finding's facts in Chinese.
    await page.locator('[data-testid="outlook"] summary', { hasText: '问题详情' }).click();
    const details = await page.locator('[data-testid="finding-detail"]').allTextContents();
    for (const d of details) expect(d).not.toMatch(/[A-Za-z]+：/);
    await page.locator('[data-testid="outlook"]').scrollIntoViewIfNeeded();
    await shot('ux-06-form-details');
  }, 60_000);

  it('a unit leader\'s read-only form says why, and whom to ask', async () => {
    const t = await personWithSeveralFindings();
    await loginAs(t.leader);
    await open(`/person/${t.personId}`);
    await page.locator('[data-testid="person-form"]').waitFor();
    const why = page.locator('[data-testid="read-only-top"]');
    await why.waitFor();
    expect(await why.textContent()).toMatch(/单位领导可以查看.*不能修改.*单位专管员/);
    const names: string[] = await db()('users').where({ role: '单位专管员', unit_id: (await db()('people').where({ id: t.personId }).first('unit_id')).unit_id, locked: false }).orderBy('id').pluck('name');
    expect(await why.textContent()).toContain(`单位专管员（${names.join('、')}）`);
    expect(await page.locator('[data-testid="save"]').count()).toBe(0);
    expect(await page.locator('[data-testid="person-form"] input:not([disabled])').count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('ux-07-leader-read-only');
    expect(phone.pageErrors).toEqual([]);
  }, 60_000);
});

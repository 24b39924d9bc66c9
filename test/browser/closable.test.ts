// Every finding closable, in a real browser (Chromium through playwright-core, phone-sized): a
// 编外人员 finding followed from 待整改 to the 编外人员 form, fixed and saved with a reason, the
// card updated; a unit finding only the office can fix (U-IN-11): the unit's specialist lands on
// the page that says whom to ask, the office fixes it on the console's unit page with the
// document, and the unit's card turns green. Screenshots in test-output/screenshots/.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSanse, ensureMiniappBuilt, startSanse } from './app.ts';

type Row = Record<string, any>;

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = path.join(REPO, 'test-output/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };
/** W-rules fixed by choosing a value in the form: the field and the value. */
const WORKER_FIX: Record<string, { field: string; value: string; column: string }> = {
  'W-02': { field: '用工方式', value: '劳动合同', column: 'employment' },
  'W-03': { field: '岗位分类', value: '普通辅助类', column: 'post_class' },
};

describe.skipIf(!HAVE_CHROMIUM)('every finding closable (Chromium, phone-sized)', () => {
  let s: RunningSanse;
  let tmp: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const POLL = { timeout: 15_000, interval: 100 };
  const db = () => s.ctx.db;
  const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  const waitHash = (ok: (hash: string) => boolean) => expect.poll(() => ok(new URL(page.url()).hash), POLL).toBe(true);
  async function open(hashPath: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${s.url}/m/#${hashPath}`);
  }
  async function loggedInAs(userId: string): Promise<void> {
    const me = await page.request.get(`${s.url}/api/me`);
    if (me.ok() && (await me.json()).id === userId) return;
    const res = await page.request.post(`${s.url}/auth/sandbox/login`, { data: { userId } });
    expect(res.status(), await res.text()).toBe(200);
  }
  /** The card's variables once the dispatcher has delivered its update (the sandbox shows them). */
  async function cardVars(cardId: string): Promise<Record<string, string>> {
    return JSON.parse((await db()('cards').where({ card_id: cardId }).first()).data).vars;
  }
  async function sandboxCard(conversation: string, cardId: string, want: (cls: string[], text: string) => boolean): Promise<{ cls: string[]; text: string }> {
    const end = Date.now() + 15_000;
    for (;;) {
      await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(conversation)}`);
      const bubble = page.locator(`[data-card="${cardId}"] .bubble.card`);
      const text = (await bubble.textContent()) ?? '';
      const cls = ((await bubble.getAttribute('class')) ?? '').split(/\s+/);
      if (want(cls, text) || Date.now() > end) {
        await page.locator(`[data-card="${cardId}"]`).scrollIntoViewIfNeeded();
        return { cls, text };
      }
      await page.waitForTimeout(500);
    }
  }
  /** Open findings of a card, by rule. */
  async function cardFindings(card: Row): Promise<Row[]> {
    return db()('findings').whereIn('id', JSON.parse(card.data).findingIds as number[]).select('id', 'rule', 'scope', 'entity_id', 'status', 'unit_id');
  }

  beforeAll(async () => {
    process.env.LOG_LEVEL ??= 'warn';
    fs.mkdirSync(SHOTS, { recursive: true });
    ensureMiniappBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-closable-'));
    s = await startSanse({ databaseUrl: `sqlite:${path.join(tmp, 'sanse.db')}`, county: COUNTY, removeDir: tmp });
    const end = Date.now() + 60_000;
    while (Number((await db()('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' }).first())?.n ?? 0) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    });
    browser.setDefaultTimeout(15_000);
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await s?.close();
  });

  it('a 编外 finding: 待整改 → the 编外人员 form → save with a reason → resolved → the card updated', async () => {
    // The smallest card of a unit with a specialist listing a W-02 or W-03.
    let pick: { card: Row; f: Row; zgy: string; size: number } | null = null;
    for (const card of await db()('cards').where('card_id', 'like', 'unit-digest:%').select('*') as Row[]) {
      const fs2 = await cardFindings(card);
      const f = fs2.find((x) => WORKER_FIX[x.rule] && x.scope === 'worker');
      const zgy = f && (await db()('users').where({ role: '单位专管员', unit_id: f.unit_id }).first());
      if (f && zgy && card.target?.startsWith('group:') && (!pick || fs2.length < pick.size)) pick = { card, f, zgy: zgy.id, size: fs2.length };
    }
    expect(pick, 'a card with a W-02 or W-03 finding').toBeTruthy();
    const { card, f, zgy } = pick!;
    const fix = WORKER_FIX[f.rule];
    const before = await cardVars(card.card_id);

    await loggedInAs(zgy);
    await open(`/todo?unit=${f.unit_id}`);
    const item = page.locator(`a[data-testid="finding"][data-finding-id="${f.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('href')).toBe(`#/worker/${f.entity_id}?finding=${f.id}&field=${encodeURIComponent(fix.field)}`);
    expect(await item.locator('[data-testid="fix-label"]').textContent()).toContain('去修改编外人员信息');
    await item.scrollIntoViewIfNeeded();
    await shot('20-todo-worker-item');
    await item.click();

    await waitHash((h) => h.startsWith(`#/worker/${f.entity_id}`));
    const box = page.locator(`[data-testid="worker-form"] [data-field="${fix.field}"]`);
    await box.waitFor();
    await expect.poll(() => box.getAttribute('class'), POLL).toContain('flagged');
    await shot('21-worker-form');
    await box.locator('select').selectOption(fix.value);
    await expect.poll(() => page.locator('[data-testid="change-count"]').textContent(), POLL).toContain('已修改 1 项');
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="confirm-save"]').click();
    // A reason is required before anything is sent.
    expect(await page.locator('[data-testid="reason-error"]').textContent()).toContain('请填写修改原因');
    await page.locator('[data-testid="reason"]').fill('按劳动合同更正');
    await page.locator('[data-testid="confirm-save"]').click();
    await page.locator('[data-testid="resolved-count"]').waitFor();
    await shot('22-worker-saved');

    expect((await db()('workers').where({ id: f.entity_id }).first())[fix.column]).toBe(fix.value);
    expect((await db()('findings').where({ id: f.id }).first()).status).toBe('resolved');
    expect(await db()('record_versions').where({ entity: 'worker', entity_id: f.entity_id, reason: '按劳动合同更正' }).first()).toBeTruthy();
    const after = await cardVars(card.card_id);
    expect(Number(after.resolved)).toBe(Number(before.resolved) + 1);
    const seen = await sandboxCard(card.target, card.card_id, (_c, text) => text.includes(after.progress));
    expect(seen.text).toContain(after.progress);
    await shot('23-worker-card-updated');
  }, 90_000);

  it('a unit finding only the office fixes: the unit is told whom to ask; the office fixes it in the console with the document; the card turns green', async () => {
    // A card whose only findings are U-IN-11 (隶属关系缺失), of a unit with a specialist.
    let pick: { card: Row; f: Row; zgy: string } | null = null;
    for (const card of await db()('cards').where('card_id', 'like', 'unit-digest:%').select('*') as Row[]) {
      const fs2 = await cardFindings(card);
      if (!fs2.length || fs2.some((x) => x.rule !== 'U-IN-11') || !card.target?.startsWith('group:')) continue;
      const zgy = await db()('users').where({ role: '单位专管员', unit_id: fs2[0].unit_id }).first();
      if (zgy) { pick = { card, f: fs2[0], zgy: zgy.id }; break; }
    }
    expect(pick, 'a card listing only U-IN-11').toBeTruthy();
    const { card, f, zgy } = pick!;
    const unit: Row = await db()('units').where({ id: f.unit_id }).first();
    // A parent: a unit whose code no other unit shares, that is not this unit.
    const parent: Row = (await db()('units').whereNot({ id: unit.id }).whereNot('code', '').whereNull('parent_code').select('id', 'code'))
      .find((u: Row) => u) as Row;

    // The unit's specialist: the item says it is the office's, and the page says whom to ask.
    await loggedInAs(zgy);
    await open(`/todo?unit=${unit.id}`);
    const item = page.locator(`a[data-testid="finding"][data-finding-id="${f.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('href')).toBe(`#/contact?unit=${unit.id}&finding=${f.id}`);
    expect(await item.locator('[data-testid="fix-label"]').textContent()).toContain('（编办）');
    await item.click();
    const contact = page.locator('[data-testid="contact-office"]');
    await contact.waitFor();
    expect(await contact.textContent()).toContain('请联系编办业务科室');
    await shot('24-unit-contact-office', true);
    // The unit's own record: the approval fields are shown read-only.
    await contact.locator('[data-testid="to-unit"]').click();
    await page.locator('[data-testid="unit-form"]').waitFor();
    expect(await page.locator('[data-testid="approval-readonly"]').textContent()).toContain('由编办修改');
    await shot('25-unit-record', true);

    // The office: the finding's link is the console's unit page, with the field to fix.
    await loggedInAs('demo-admin');
    const list = await (await page.request.get(`${s.url}/api/findings?status=open&unit=${unit.id}`)).json();
    const href = list.find((x: Row) => x.id === Number(f.id)).fix.href as string;
    expect(href).toBe(`#/console/unit/${unit.id}?finding=${f.id}&field=${encodeURIComponent('上级机构代码')}`);
    await open(href.slice(1));
    const field = page.locator(`[data-testid="approval-form"] [data-field="上级机构代码"]`);
    await field.waitFor();
    await expect.poll(() => field.getAttribute('class'), POLL).toContain('flagged');
    await field.locator('input').fill(parent.code);
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="reason"]').fill('按机构设置批复明确主管部门');
    // Without the document: refused, naming 批准文号.
    await page.locator('[data-testid="confirm-save"]').click();
    await expect.poll(() => page.locator('[data-testid="save-error"], [data-testid="reason-error"]').first().textContent(), POLL).toContain('文号');
    if (!(await page.locator('[data-testid="save-dialog"]').count())) await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="doc-no"]').fill('绍柯编〔2026〕40号');
    await page.locator('[data-testid="doc-date"]').fill('2026-11-20');
    await shot('26-console-approval-dialog');
    if (!(await page.locator('[data-testid="reason"]').inputValue())) await page.locator('[data-testid="reason"]').fill('按机构设置批复明确主管部门');
    await page.locator('[data-testid="confirm-save"]').click();
    await page.locator('[data-testid="resolved-count"]').waitFor();
    await shot('27-console-approval-saved');

    expect((await db()('units').where({ id: unit.id }).first())).toMatchObject({ parent_code: parent.code, approval_no: '绍柯编〔2026〕40号' });
    expect((await db()('findings').where({ id: f.id }).first()).status).toBe('resolved');
    expect(await db()('approval_documents').where({ unit_id: unit.id, doc_no: '绍柯编〔2026〕40号' }).first()).toBeTruthy();
    expect(await cardVars(card.card_id)).toMatchObject({ light: 'green', progress: '已全部整改' });
    const seen = await sandboxCard(card.target, card.card_id, (cls) => cls.includes('green'));
    expect(seen.cls).toContain('green');
    expect(seen.text).toContain('已全部整改');
    await shot('28-unit-card-green');
  }, 90_000);

  it('threw no script errors in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});

// A staffing request end to end in a real browser (Chromium through playwright-core, phone-sized):
// a 退休未出编 finding in the unit's 待整改 → its 办理减人出编 link → the prefilled form (the
// person named, 退休, today, 可用 shown before typing) → submitted → the office's console passes
// 初审 (a return without a comment refused first) → the 分管领导 approves on the request page in
// the mini-app → the person has left the quota, the finding is resolved and the unit's group card
// (sandbox) no longer lists it. Screenshots req-01… in test-output/screenshots/.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;

// Without the demo's feeds: this suite's units and cards are those of a county before issue 16.
const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23', feeds: false };
const RETIRED = ['P-RT-01', 'P-RT-03'];

describe.skipIf(!HAVE_CHROMIUM)('a 减人出编 request from a finding to a green card (Chromium, phone-sized)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;
  const POLL = { timeout: 15_000, interval: 100 };
  const shot = (name: string, fullPage = false) => phone.shot(name, fullPage);
  const waitHash = (ok: (hash: string) => boolean) => expect.poll(() => ok(decodeURIComponent(new URL(page.url()).hash)), POLL).toBe(true);
  const login = (userId: string) => sandboxLogin(page, s.url, userId);
  const open = (hashPath: string) => openMiniApp(page, s.url, hashPath);
  const cardFindings = async (card: Row): Promise<Row[]> =>
    db()('findings').whereIn('id', JSON.parse(card.data).findingIds as number[]).select('id', 'rule', 'scope', 'entity_id', 'status', 'unit_id');
  const cardVars = async (cardId: string): Promise<Record<string, string>> => JSON.parse((await db()('cards').where({ card_id: cardId }).first()).data).vars;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    const end = Date.now() + 60_000;
    while (Number((await db()('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' }).first())?.n ?? 0) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  }, 180_000);

  it('退休未出编 → 减人出编 prefilled → 初审 in the console → 终审 in the mini-app → resolved, the card no longer lists it', async () => {
    // The group card with a 退休未出编 finding of a unit with a specialist, fewest other findings first.
    let pick: { card: Row; f: Row; zgy: string; others: number } | null = null;
    for (const card of (await db()('cards').where('card_id', 'like', 'unit-digest:%').select('*')) as Row[]) {
      if (!card.target?.startsWith('group:')) continue;
      const list = await cardFindings(card);
      const f = list.find((x) => RETIRED.includes(x.rule) && x.scope === 'person' && x.status === 'open');
      if (!f) continue;
      const zgy = await db()('users').where({ role: '单位专管员', unit_id: f.unit_id }).first();
      const others = list.filter((x) => x.entity_id !== f.entity_id || x.scope !== 'person').length;
      if (zgy && (!pick || others < pick.others)) pick = { card, f, zgy: zgy.id, others };
    }
    expect(pick, 'a group card with a 退休未出编 finding').toBeTruthy();
    const { card, f, zgy } = pick!;
    const person: Row = await db()('people').where({ id: f.entity_id }).first();
    expect(person.status).toBe('在编');
    const before = await cardVars(card.card_id);

    // 1. The unit's specialist: 待整改 → the finding's 办理减人出编.
    await login(zgy);
    await open(`/todo?unit=${f.unit_id}`);
    const item = page.locator(`a[data-testid="finding"][data-finding-id="${f.id}"]`);
    await item.waitFor();
    expect(await item.getAttribute('href')).toBe(`#/requests/new?kind=${encodeURIComponent('减人出编')}&unit=${f.unit_id}&person=${f.entity_id}&finding=${f.id}`);
    expect(await item.locator('[data-testid="fix-label"]').textContent()).toContain('办理减人出编');
    await item.scrollIntoViewIfNeeded();
    await shot('req-01-todo-finding');
    await item.click();

    // 2. The form, prefilled: the person named, 退休 (the finding is 退休未出编), today; 可用 shown before typing.
    await waitHash((h) => h.startsWith('#/requests/new'));
    await page.locator('[data-testid="avail-quota"]').first().waitFor();
    await expect.poll(() => page.locator('[data-testid="person-name"]').textContent(), POLL).toBe(person.name);
    await expect.poll(() => page.locator('[data-testid="req-出编原因"]').inputValue(), POLL).toBe('退休');
    expect(await page.locator('[data-testid="req-出编日期"]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await page.locator('[data-testid="for-finding"]').textContent()).toContain(person.name);
    // A 减人出编 is never frozen, even for a full unit.
    expect(await page.locator('[data-testid="frozen"]').count()).toBe(0);
    await shot('req-02-form-prefilled', true);
    // A bad date is said in Chinese before anything is sent; the draft keeps what was typed across a reload.
    await page.locator('[data-testid="req-出编日期"]').fill('2026-02-30');
    await page.locator('[data-testid="req-申请理由"]').fill('已达退休年龄，办理退休出编');
    await expect.poll(() => page.locator('[data-testid="req-error-出编日期"]').textContent(), POLL).toMatch(/出编日期/);
    await page.reload();
    await page.locator('[data-testid="draft-restored"]').waitFor();
    expect(await page.locator('[data-testid="req-申请理由"]').inputValue()).toBe('已达退休年龄，办理退休出编');
    await shot('req-03-form-draft-error', true);
    const today = (await page.evaluate(() => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)));
    await page.locator('[data-testid="req-出编日期"]').fill(today);
    await page.locator('[data-testid="submit-request"]').click();

    // 3. Submitted: the request's page says what happens next.
    await waitHash((h) => /^#\/requests\/\d+/.test(h));
    const id = Number(/#\/requests\/(\d+)/.exec(new URL(page.url()).hash)![1]);
    await page.locator('[data-testid="request-done"]').waitFor();
    expect(await page.locator('[data-testid="request-state"]').getAttribute('data-state')).toBe('submitted');
    expect(await page.locator('[data-testid="state-sentence"]').textContent()).toBe('已提交，等待编办初审');
    await shot('req-04-submitted', true);
    const row: Row = await db()('staffing_requests').where({ id }).first();
    expect(row).toMatchObject({ kind: '减人出编', status: 'submitted', person_id: person.id, unit_id: f.unit_id });
    expect(JSON.parse(row.payload)).toMatchObject({ exitReason: '退休', exitDate: today, reason: '已达退休年龄，办理退休出编' });
    // The draft is gone once submitted.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sanse:draft:request:')))).toEqual([]);

    // 4. The office: the console's 编制审批, waiting for 初审 first; a return needs a comment; pass.
    await login('demo-staff-01');
    await open('/console');
    await expect.poll(() => page.locator('[data-testid="pending-count"]').textContent(), POLL).not.toBe('0');
    await shot('req-05-console-home');
    await page.locator('[data-testid="pending-requests"]').click();
    const q = page.locator(`[data-testid="queue-item"][data-request-id="${id}"]`);
    await q.waitFor();
    await q.locator('[data-testid="review-return"]').click();
    expect(await q.locator('[data-testid="action-error"]').textContent()).toContain('须填写意见');
    await q.locator('[data-testid="review-comment"]').fill('材料齐全，同意报送');
    await shot('req-06-console-queue');
    await q.locator('[data-testid="review-pass"]').click();
    await page.locator('[data-testid="queue-note"]').waitFor();
    await expect.poll(async () => (await db()('staffing_requests').where({ id }).first()).status, POLL).toBe('reviewed');
    await shot('req-07-console-passed');

    // 5. The 分管领导: his console home says 待终审 N 件; his 编制审批 tab lists it first under 待终审 with 同意/不同意.
    await login('demo-leader');
    await open('/console');
    const waitingForLeader = Number((await db()('staffing_requests').where({ status: 'reviewed' }).count({ n: '*' }).first())?.n);
    expect(waitingForLeader).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="pending-count"]').textContent(), POLL).toBe(String(waitingForLeader));
    expect(await page.locator('[data-testid="pending-requests"]').textContent()).toContain(`待终审 ${waitingForLeader} 件`);
    await shot('req-07a-leader-console-home');
    await page.locator('[data-testid="pending-requests"]').click();
    // The title shows (0) until the queue's answer is in: wait for the count, not the first paint.
    await expect.poll(() => page.locator('[data-testid="queue-title"]').textContent(), POLL).toBe(`待终审（${waitingForLeader}）`);
    const lq = page.locator(`[data-testid="queue-item"][data-request-id="${id}"]`);
    await lq.locator('[data-testid="decide-approve"]').waitFor();
    expect(await lq.locator('[data-testid="decide-reject"]').textContent()).toBe('不同意');
    await shot('req-07b-leader-queue', true);

    // He opens the request (the Zheng-Ding card's button) and approves with a comment.
    await open(`/requests/${id}`);
    await page.locator('[data-testid="decide-box"]').waitFor();
    expect(await page.locator('[data-testid="state-sentence"]').textContent()).toBe('编办初审已通过，等待分管领导终审');
    expect(await page.locator('[data-testid="step-comment"]').first().textContent()).toContain('材料齐全');
    await page.locator('[data-testid="decide-comment"]').fill('同意');
    await shot('req-08-leader-request', true);
    // While the decision is on its way: 正在提交…, both buttons disabled (the answer held back 1.5 s).
    const decideUrl = `${s.url}/api/requests/${id}/decide`;
    await page.route(decideUrl, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.locator('[data-testid="decide-approve"]').click();
    await expect.poll(() => page.locator('[data-testid="decide-approve"]').textContent(), POLL).toBe('正在提交…');
    expect(await page.locator('[data-testid="decide-approve"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="decide-reject"]').isDisabled()).toBe(true);
    await shot('req-08a-leader-sending');
    await expect.poll(() => page.locator('[data-testid="request-state"]').getAttribute('data-state'), POLL).toBe('approved');
    expect(await page.locator('[data-testid="decide-box"]').count()).toBe(0);
    await page.unroute(decideUrl);
    expect((await page.locator('[data-testid="step"]').allTextContents()).join('|')).toMatch(/终审.*同意/);
    await shot('req-09-leader-approved', true);

    // A second tap (another leader, a re-delivered card): 409 with who decided, nothing written twice.
    const me = await (await page.request.get(`${s.url}/api/me`)).json();
    const again = await page.request.post(`${s.url}/api/requests/${id}/decide`, { data: { decision: 'approve' }, headers: { 'x-csrf-token': me.csrfToken } });
    expect(again.status()).toBe(409);
    expect((await again.json()).error).toMatch(/^该申请已由.+终审（已批准），无需重复操作$/);

    // 6. The effect: the person has left the quota, the finding resolved, the unit's card no longer lists it.
    expect(await db()('people').where({ id: person.id }).first()).toMatchObject({ status: '已出编', exit_reason: '退休' });
    expect((await db()('findings').where({ id: f.id }).first()).status).toBe('resolved');
    await expect.poll(async () => Number((await cardVars(card.card_id)).resolved), POLL).toBeGreaterThan(Number(before.resolved));
    const vars = await cardVars(card.card_id);
    const remaining = (await cardFindings(await db()('cards').where({ card_id: card.card_id }).first())).filter((x) => x.status === 'open');
    if (remaining.length === 0) expect(vars).toMatchObject({ light: 'green' });
    // The sandbox group shows the updated card (the dispatcher delivers it).
    const end = Date.now() + 15_000;
    let text = '';
    for (;;) {
      await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(card.target)}`);
      const bubble = page.locator(`[data-card="${card.card_id}"] .bubble.card`);
      text = (await bubble.textContent()) ?? '';
      const cls = (await bubble.getAttribute('class')) ?? '';
      const done = remaining.length === 0 ? cls.split(/\s+/).includes('green') : text.includes(vars.progress);
      if (done || Date.now() > end) {
        await page.locator(`[data-card="${card.card_id}"]`).scrollIntoViewIfNeeded();
        if (remaining.length === 0) expect(cls.split(/\s+/)).toContain('green');
        break;
      }
      await page.waitForTimeout(500);
    }
    expect(text).not.toContain(`${person.name}`);
    await shot('req-10-card-updated');

    // 7. The unit sees its request approved in 申请.
    await login(zgy);
    await open('/requests');
    const mine = page.locator(`[data-testid="request-item"][data-request-id="${id}"]`);
    await mine.waitFor();
    expect(await mine.getAttribute('data-state')).toBe('approved');
    await shot('req-11-unit-requests');
    expect(phone.pageErrors).toEqual([]);
  }, 180_000);

  it('用编计划: 可用 shown first, 满编 said plainly, the server\'s refusal shown as it comes, a returned request corrected and sent again', async () => {
    const quotaUnits = async () => (await db()('quotas as q').join('units as u', 'u.id', 'q.unit_id').join('users as z', function () { this.on('z.unit_id', '=', 'u.id').andOnVal('z.role', '=', '单位专管员'); })
      .select('u.id as unitId', 'q.kind', 'q.approved', 'z.id as zgy')) as Row[];
    await login('demo-admin');
    const red = new Set(((await (await page.request.get(`${s.url}/api/units`)).json()) as Row[]).filter((u) => Number(u.red) > 0).map((u) => Number(u.id)));
    const actual = async (unitId: number, kind: string) => Number((await db()('people').where({ unit_id: unitId, status: '在编', quota_kind: kind }).count({ n: '*' }).first())?.n ?? 0);
    let green: Row | null = null;
    let redUnit: Row | null = null;
    for (const u of await quotaUnits()) {
      const free = Number(u.approved) - (await actual(u.unitId, u.kind));
      if (free >= 2 && !red.has(Number(u.unitId)) && !green) green = { ...u, free };
      if (free >= 1 && red.has(Number(u.unitId)) && !redUnit) redUnit = { ...u, free };
    }
    expect(green, 'a green unit with 2 free quotas').toBeTruthy();
    expect(redUnit, 'a unit with red findings and a free quota').toBeTruthy();

    // A green unit: too many asked is said before sending; then sent.
    await login(green!.zgy);
    await open('/requests');
    await page.locator('[data-testid="new-request"]').click();
    await page.locator('[data-testid="kind-chooser"]').waitFor();
    await shot('req-12-kind-chooser');
    await page.locator('[data-testid="kind-用编计划"]').click();
    const avail = page.locator(`[data-testid="avail-quota"][data-kind="${green!.kind}"]`);
    await avail.waitFor();
    expect(await avail.textContent()).toContain(`${green!.kind}可用 ${green!.free} 名`);
    await page.locator('[data-testid="req-编制类型"]').selectOption(green!.kind);
    await page.locator('[data-testid="req-数量"]').fill(String(green!.free + 1));
    await page.locator('[data-testid="submit-request"]').click();
    await expect.poll(() => page.locator('[data-testid="req-error-数量"]').textContent(), POLL).toContain('超出可用数');
    expect(await page.locator('[data-testid="req-error-申请理由"]').textContent()).toBe('请填写申请理由');
    await shot('req-13-plan-errors', true);
    await page.locator('[data-testid="req-数量"]').fill(String(green!.free));
    await page.locator('[data-testid="req-申请理由"]').fill('补充临床科室人员');
    await page.locator('[data-testid="submit-request"]').click();
    await waitHash((h) => /^#\/requests\/\d+/.test(h));
    const id = Number(/#\/requests\/(\d+)/.exec(new URL(page.url()).hash)![1]);

    // The office returns it with a comment (in the request page this time).
    await login('demo-staff-02');
    await open(`/requests/${id}`);
    await page.locator('[data-testid="review-box"]').waitFor();
    await page.locator('[data-testid="review-comment"]').fill(`请改为申请 ${green!.free - 1} 名`);
    await page.locator('[data-testid="review-return"]').click();
    await expect.poll(() => page.locator('[data-testid="request-state"]').getAttribute('data-state'), POLL).toBe('returned');

    // The unit corrects and sends it again.
    await login(green!.zgy);
    await open(`/requests/${id}`);
    await page.locator('[data-testid="edit-request"]').waitFor();
    expect(await page.locator('[data-testid="state-sentence"]').textContent()).toContain('请按意见修改后重新提交');
    await shot('req-14-returned', true);
    await page.locator('[data-testid="edit-request"]').click();
    await page.locator('[data-testid="returned-note"]').waitFor();
    expect(await page.locator('[data-testid="returned-note"]').textContent()).toContain(`请改为申请 ${green!.free - 1} 名`);
    expect(await page.locator('[data-testid="req-数量"]').inputValue()).toBe(String(green!.free));
    await page.locator('[data-testid="req-数量"]').fill(String(green!.free - 1));
    await shot('req-15-resubmit-form', true);
    await page.locator('[data-testid="submit-request"]').click();
    await waitHash((h) => h === `#/requests/${id}?sent=1`);
    await expect.poll(() => page.locator('[data-testid="request-state"]').getAttribute('data-state'), POLL).toBe('submitted');
    expect(await db()('staffing_requests').where({ id }).first()).toMatchObject({ status: 'submitted', count: green!.free - 1 });
    expect((await page.locator('[data-testid="step"]').allTextContents()).join('|')).toContain('重新提交');

    // Two clerks at once: the page is open, someone else passes it first; the click is told who did, and the page reloads.
    await login('demo-staff-02');
    await open(`/requests/${id}`);
    await page.locator('[data-testid="review-box"]').waitFor();
    // The other clerk, on another phone (another address: the login limiter counts per address).
    const other = { remoteAddress: '10.20.30.40' };
    const li = await s.app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId: 'demo-staff-03' }, ...other });
    expect(li.statusCode, li.body).toBe(200);
    const cookie = li.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = (await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie }, ...other })).json().csrfToken;
    const first = await s.app.inject({ method: 'POST', url: `/api/requests/${id}/review`, headers: { cookie, 'x-csrf-token': csrf }, payload: { decision: 'pass' }, ...other });
    expect(first.statusCode, first.body).toBe(200);
    await page.locator('[data-testid="review-pass"]').click();
    await expect.poll(() => page.locator('[data-testid="request-done"]').textContent(), POLL).toMatch(/^该申请已由.+初审/);
    expect(await page.locator('[data-testid="request-done"]').getAttribute('class')).toContain('warn');
    await expect.poll(() => page.locator('[data-testid="request-state"]').getAttribute('data-state'), POLL).toBe('reviewed');
    expect(await page.locator('[data-testid="review-box"]').count()).toBe(0);
    await shot('req-16a-already-reviewed');

    // 满编: said plainly before anything is typed, and the form cannot be sent (the office may file for the unit too).
    const full = green!;
    await db()('quotas').where({ unit_id: full.unitId }).update({ approved: db().raw('(select count(*) from people p where p.unit_id = quotas.unit_id and p.status = ? and p.quota_kind = quotas.kind)', ['在编']) });
    await db()('staffing_requests').where({ id }).update({ status: 'withdrawn' });
    await open(`/requests/new?kind=${encodeURIComponent('用编计划')}&unit=${full.unitId}`);
    const frozen = page.locator('[data-testid="frozen"]');
    await frozen.waitFor();
    expect(await frozen.textContent()).toMatch(new RegExp(`^本单位.*${full.kind}已满编.*，暂不能申请用编`));
    expect(await frozen.textContent()).toContain('暂不能申请用编');
    expect(await page.locator('[data-testid="submit-request"]').isDisabled()).toBe(true);
    await shot('req-17-full-frozen', true);
    // A unit with red findings: the form allows it, the server refuses, its reason shown as it comes, nothing typed lost.
    await login(redUnit!.zgy);
    await open(`/requests/new?kind=${encodeURIComponent('用编计划')}&unit=${redUnit!.unitId}`);
    await page.locator('[data-testid="avail-quota"]').first().waitFor();
    await page.locator('[data-testid="req-编制类型"]').selectOption(redUnit!.kind);
    await page.locator('[data-testid="req-申请理由"]').fill('补充人员');
    await page.locator('[data-testid="submit-request"]').click();
    const refusal = page.locator('[data-testid="refusal"]').first();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/尚有 \d+ 个红灯问题未整改，整改后方可办理机构编制事项/);
    expect(await page.locator('[data-testid="req-申请理由"]').inputValue()).toBe('补充人员');
    await shot('req-16-server-refusal');

    expect(phone.pageErrors).toEqual([]);
  }, 120_000);
});

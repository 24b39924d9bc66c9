// 书面函告 in a real browser (Chromium): the demo county's 2026H2 cross-checked; the unit's
// 单位专管员 on a phone opens the notice from its list (masked IDs only), replies with a per-item
// note; the office on a desktop sees it 已回复 (an overdue one in red), reads the reply and closes
// it. The notice's PDF is fetched and its first page rendered with pdftoppm.
// Screenshots 90-notices-phone-list.png, 91-notice-phone.png, 92-notice-phone-replied.png,
// 93-console-notices.png, 94-console-notice-review.png, 95-notice-pdf-1.png.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { listNotices, runHalfYearNotices } from '../../commands/half-year-notices.ts';
import { todayInShanghai } from '../../core/dates.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, SHOTS, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

type Row = Record<string, any>;
const COUNTY = { units: 12, people: 120, seed: 4, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('书面函告 (Chromium: a phone for the unit, a desktop for the office)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let notice: Row;
  let other: Row;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    const r = await runHalfYearNotices(db(), { date: '2027-01-04', half: '2026H2', publicBaseUrl: s.url });
    expect(r.issued.length).toBeGreaterThan(1);
    // A notice with overdue items whose unit has a 单位专管员; another notice made overdue for the office's view.
    notice = await db()('notices as n').join('users as u', 'u.unit_id', 'n.unit_id').where('u.role', '单位专管员').where('n.half', '2026H2').where('n.overdue_count', '>', 0).orderBy('n.id').first('n.*', 'u.id as user_id');
    other = await db()('notices').where({ half: '2026H2' }).whereNot('id', notice.id).orderBy('id').first();
    await db()('notices').where({ id: other.id }).update({ reply_due: '2026-12-01' });
  }, 60_000);

  it('the unit reads its notice on a phone and replies', async () => {
    await sandboxLogin(page, s.url, notice.user_id);
    await openMiniApp(page, s.url, '/notices');
    await page.locator(`[data-testid="notice-${notice.id}"]`).waitFor();
    await phone.shot('90-notices-phone-list');
    // 待整改 shows the notice awaiting a reply, leading to it.
    await openMiniApp(page, s.url, '/todo');
    const banner = page.locator(`[data-testid="notice-pending"][href="#/notices/${notice.id}"]`);
    await banner.waitFor();
    expect(await banner.textContent()).toContain(notice.number);
    await banner.click();
    await page.locator('[data-testid="notice-number"]').waitFor();
    expect(await page.locator('[data-testid="notice-number"]').textContent()).toBe(notice.number);
    const facts = JSON.parse(notice.facts);
    const body = (await page.locator('main').textContent())!;
    expect(body).not.toMatch(/\d{17}[\dX]/);
    for (const o of facts.overdue) expect(body).toContain(o.record);
    await phone.shot('91-notice-phone', true);
    // Too short: the reason in Chinese, nothing stored.
    await page.locator('[data-testid="notice-reply-input"]').fill('已改');
    await page.locator('[data-testid="notice-submit"]').click();
    await page.locator('[data-testid="notice-error"]').waitFor();
    expect(await page.locator('[data-testid="notice-error"]').textContent()).toContain('至少写 10 个字');
    expect((await db()('notices').where({ id: notice.id }).first()).reply_state).toBe('none');
    const first = `f${facts.overdue[0].findingId}`;
    await page.locator(`[data-testid="notice-item-${first}"]`).fill('已重新核对并修改该项');
    await page.locator('[data-testid="notice-reply-input"]').fill('我单位已对函告所列问题逐项整改，剩余问题月底前完成。');
    await page.locator('[data-testid="notice-submit"]').click();
    await page.locator('[data-testid="notice-done"]').waitFor();
    await page.locator('[data-testid="notice-reply-text"]').waitFor();
    expect(await page.locator('[data-testid="notice-state"]').first().getAttribute('data-state')).toBe('replied');
    await phone.shot('92-notice-phone-replied', true);
    const row = await db()('notices').where({ id: notice.id }).first();
    expect(row).toMatchObject({ reply_state: 'replied', replied_by: notice.user_id });
    expect(JSON.parse(row.reply_items)).toEqual({ [first]: '已重新核对并修改该项' });
  });

  it('the office sees the reply, the overdue notice in red, and closes the reply', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/notices');
    await page.locator(`[data-testid="notice-row-${notice.id}"]`).waitFor();
    expect(await page.locator(`[data-testid="notice-row-${notice.id}"]`).getAttribute('data-state')).toBe('replied');
    expect(await page.locator(`[data-testid="notice-row-${other.id}"]`).getAttribute('data-state')).toBe('overdue');
    expect(await page.locator(`[data-testid="notice-row-${other.id}"] [data-testid="notice-state"]`).textContent()).toBe('逾期未回复');
    // The made-overdue one, beside the demo county's own 2026H1 notices past their deadline on the server's day.
    const counts = (await listNotices(db(), { id: 'demo-admin', role: '编办管理员', scope: null }, { today: todayInShanghai() })).counts;
    expect(counts.overdue).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid="count-overdue"]').textContent()).toBe(String(counts.overdue));
    // 立即检查 names the half-year it checks (the one ended last) and says why the current one cannot be.
    expect(await page.locator('[data-testid="notices-run"]').textContent()).toBe('立即检查2026年上半年');
    expect(await page.locator('[data-testid="notices-check"]').textContent()).toContain('2026年下半年到2026年12月31日才结束');
    await page.locator('[data-testid="notices-run"]').click();
    await page.locator('[data-testid="notices-message"]').waitFor();
    const said = (await page.locator('[data-testid="notices-message"]').textContent())!;
    expect(said).toContain('已检查2026年上半年');
    expect(said).toContain('此前均已发出，本次未重发');
    expect(said).not.toContain('H1');
    await phone.shot('93-console-notices', true);
    await page.locator(`[data-testid="notice-open-${notice.id}"]`).click();
    await page.locator('[data-testid="notice-reply-text"]').waitFor();
    expect(await page.locator('[data-testid="notice-reply-text"]').textContent()).toBe('我单位已对函告所列问题逐项整改，剩余问题月底前完成。');
    await phone.shot('94-console-notice-review');
    await page.locator('[data-testid="notice-close"]').click();
    await page.locator('[data-testid="notice-dialog"] [data-testid="notice-state"][data-state="closed"]').waitFor();
    expect((await db()('notices').where({ id: notice.id }).first()).reply_state).toBe('closed');
    await page.locator('[data-testid="notice-dialog-close"]').click();
    await page.locator(`[data-testid="notice-row-${notice.id}"][data-state="closed"]`).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
  });

  it('the PDF: its first page rendered', async () => {
    const res = await page.request.get(`${s.url}/api/notices/${notice.id}/file?format=pdf`);
    expect(res.status()).toBe(200);
    const pdf = path.join(SHOTS, '95-notice.pdf');
    fs.writeFileSync(pdf, await res.body());
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    expect(text).toContain(notice.number);
    expect(text).not.toMatch(/\d{17}[\dX]/);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(SHOTS, '95-notice-pdf-1')]);
    expect(fs.existsSync(path.join(SHOTS, '95-notice-pdf-1.png'))).toBe(true);
  });
});

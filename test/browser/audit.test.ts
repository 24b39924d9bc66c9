// The 数据安全管理员 in a real browser (Chromium, a phone): logs in through the sandbox's chooser,
// lands on 审计日志 (the only tab it has), filters by who and by time, sees the edit (修改记录)
// among the rows, opens 月度排查 and follows a flagged user to the list filtered to that user and
// month. Screenshots in test-output/screenshots/ (audit-*.png).

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewAuditMonth } from '../../commands/audit-review.ts';
import { AUDIT_KEY_LABEL, rowMac } from '../../db/audit.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 10, people: 100, seed: 4, today: '2026-11-23' };
const POLL = { timeout: 30_000, interval: 200 };

describe.skipIf(!HAVE_CHROMIUM)('审计日志 and 月度排查 (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let staffName: string;
  const rows = () => page.locator('[data-testid="audit-row"]');

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    const db = s.ctx.db;
    staffName = (await db('users').where({ id: 'demo-staff-01' }).first()).name;
    const person = await db('people').orderBy('id').first();
    // Rows dated back, signed as audit() signs them (the integrity line checks them).
    const key = s.ctx.pii.deriveKey(AUDIT_KEY_LABEL);
    const put = (actor: string, action: string, at: string, detail: unknown, ip: string | null = '10.2.3.4') => {
      const row = { at, actor, action, entity: action === 'view_full_id' ? 'person' : null, entity_id: action === 'view_full_id' ? Number(person.id) : null, unit_id: action === 'view_full_id' ? Number(person.unit_id) : null, ip, detail: JSON.stringify(detail) };
      return db('audit_log').insert({ ...row, key_id: s.ctx.pii.keyId, row_mac: rowMac(key, row) });
    };
    // October 2025: demo-staff-01 views 55 full numbers (over 50), demo-admin exports twice.
    for (let i = 0; i < 55; i++) await put('demo-staff-01', 'view_full_id', `2025-10-${String(8 + (i % 3)).padStart(2, '0')} 10:${String(i).padStart(2, '0')}:00`, { via: 'api' });
    await put('demo-admin', 'export', '2025-10-09 15:00:00', { file: '机构和人员.xlsx', rows: 120 });
    await put('demo-admin', 'export', '2025-10-10 15:00:00', { file: '机构和人员.xlsx', rows: 120 });
    await db('record_versions').insert({
      entity: 'person', entity_id: person.id, version: 50, before: JSON.stringify({ office: '办公室' }), after: JSON.stringify({ office: '综合科' }),
      changed_by: 'demo-staff-01', changed_at: '2025-10-09 11:00:00', source: '小程序修改', reason: '处室调整',
    });
    await reviewAuditMonth({ db, month: '2025-10', actor: 'system', publicBaseUrl: s.url });
  }, 180_000);

  afterAll(async () => {
    expect(phone?.pageErrors ?? []).toEqual([]);
  });

  it('logs in through the chooser and lands on 审计日志, with no other tab', async () => {
    await openMiniApp(page, s.url, '/login');
    await page.locator('[data-testid="login-user-demo-security"]').click();
    await page.getByTestId('audit').waitFor(POLL);
    expect(page.url()).toContain('#/console/audit');
    expect(await page.locator('nav.tabs a').allTextContents()).toEqual(['审计日志', '退出']);
    expect(await page.locator('.consolenav a').allTextContents()).toEqual(['审计日志', '月度排查']);
    await expect.poll(() => page.getByTestId('audit-integrity').textContent(), POLL).toContain('完整 ✓');
    expect(await page.getByTestId('audit-integrity').textContent()).toMatch(/已校验 \d+ 行/);
    // Details in Chinese: no raw JSON, no English key on the first page.
    const details = await page.locator('[data-testid="audit-detail"]').allTextContents();
    expect(details.join('\n')).not.toMatch(/[{}\[\]]|door|outcome|versions/);
    await phone.shot('audit-integrity-ok');
  });

  it('sends any other address of this role to its page (no 403, no 返回待整改)', async () => {
    for (const hash of ['#/todo', '#/console/jobs', '#/person/1/history', '#/no-such-page']) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await expect.poll(() => page.url(), POLL).toContain('#/console/audit');
      await page.getByTestId('audit').waitFor(POLL);
    }
    expect(await page.locator('[data-testid="retry"]').count()).toBe(0);
    expect(await page.getByText('返回待整改').count()).toBe(0);
  });

  it('picks a unit by its name', async () => {
    const unit = await s.ctx.db('units').orderBy('id').first();
    await page.getByTestId('audit-unit').fill(String(unit.name).slice(0, 4));
    await page.getByTestId('audit-unit-search').click();
    const choice = page.locator(`[data-testid="audit-unit-choice"][data-unit="${unit.id}"]`);
    await choice.waitFor(POLL);
    await phone.shot('audit-unit-picker');
    await choice.click();
    expect(await page.getByTestId('audit-unit-picked').textContent()).toContain(unit.name);
    await page.getByTestId('audit-search').click();
    await expect.poll(() => page.url(), POLL).toContain(`unit=${unit.id}`);
    await page.getByTestId('audit-count').waitFor(POLL);
    expect(await page.locator('[data-testid="error"]').count()).toBe(0);
    await page.getByTestId('audit-unit-clear').click();
  });

  it('filters by who and time, the edit among the rows', async () => {
    await page.evaluate(() => { location.hash = '#/console/audit'; });
    await page.getByTestId('audit-who').fill(staffName);
    await page.getByTestId('audit-from').fill('2025-10-09');
    await page.getByTestId('audit-to').fill('2025-10-09');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => page.getByTestId('audit-count').textContent(), POLL).toContain('共 19 条');
    expect(await rows().evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-actor')))])).toEqual(['demo-staff-01']);
    const edit = page.locator('[data-testid="audit-row"][data-kind="version"]');
    expect(await edit.count()).toBe(1);
    expect(await edit.textContent()).toContain('所在处室：办公室 → 综合科');
    expect(await edit.locator('a').count()).toBe(0);
    expect(await page.getByTestId('audit-export').getAttribute('href')).toBe(`/api/audit/export?who=${encodeURIComponent(staffName)}&from=2025-10-09&to=2025-10-09`);
    await phone.shot('audit-list');
    // A bad date range is refused in Chinese.
    await page.getByTestId('audit-from').fill('2025-10-20');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => page.locator('.notice.error').first().textContent(), POLL).toContain('晚于结束日期');
  });

  it('opens 月度排查 and follows the flagged user to that user\'s month', async () => {
    await page.getByTestId('console-audit-reviews').click();
    const review = page.locator('[data-testid="audit-review"][data-month="2025-10"]');
    await review.waitFor(POLL);
    expect(await review.getByTestId('audit-review-flagged').textContent()).toBe('1 人异常');
    const flagged = review.locator('[data-testid="audit-flagged"]');
    expect(await flagged.evaluateAll((els) => els.map((e) => e.getAttribute('data-actor')))).toEqual(['demo-staff-01']);
    expect(await flagged.textContent()).toContain('查看完整身份证号 55 次，超过阈值 50');
    await phone.shot('audit-reviews', true);
    await flagged.getByTestId('audit-flagged-link').click();
    await expect.poll(() => page.getByTestId('audit-count').textContent(), POLL).toContain('共 56 条');
    expect(page.url()).toContain('who=demo-staff-01&from=2025-10-01&to=2025-10-31');
  });

  it('立即排查 on the 月度排查 tab', async () => {
    await page.getByTestId('console-audit-reviews').click();
    await page.getByTestId('audit-review-month').fill('2025-09');
    await page.getByTestId('audit-review-run').click();
    await expect.poll(() => page.getByTestId('audit-review-result').textContent(), POLL).toContain('2025年9月已排查');
    await page.locator('[data-testid="audit-review"][data-month="2025-09"]').waitFor(POLL);
    await phone.shot('audit-review-now');
  });

  it('shows a row edited behind the app\'s back: the status line ✗ names it, the row is marked', async () => {
    const db = s.ctx.db;
    const victim = await db('audit_log').where({ actor: 'demo-staff-01', action: 'view_full_id' }).orderBy('id').first();
    await db('audit_log').where({ id: victim.id }).update({ ip: '10.66.66.66' });
    const day = String(victim.at).slice(0, 10);
    await page.evaluate((h) => { location.hash = h; }, `#/console/audit?who=demo-staff-01&what=view_full_id&from=${day}&to=${day}`);
    await page.getByTestId('audit-integrity-recheck').click();
    const line = page.getByTestId('audit-integrity');
    await expect.poll(() => line.getAttribute('data-ok'), POLL).toBe('false');
    const text = (await line.textContent()) ?? '';
    expect(text).toContain(`✗ 第 ${victim.id} 行`);
    expect(text).toContain('查看完整身份证号');
    expect(text).toContain('内容被修改');
    expect(text).toContain('请按应急预案处理');
    await page.getByTestId('audit-rows').waitFor(POLL);
    await expect.poll(() => page.locator('[data-testid="audit-row"][data-broken="1"]').count(), POLL).toBe(1);
    expect(await page.locator('[data-testid="audit-row"][data-broken="1"]').textContent()).toContain('10.66.66.66');
    await phone.shot('audit-integrity-broken');
    await db('audit_log').where({ id: victim.id }).update({ ip: victim.ip });
  });
});

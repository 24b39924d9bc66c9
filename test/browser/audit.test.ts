// The 数据安全管理员 in a real browser (Chromium, a phone): logs in through the sandbox's chooser,
// lands on 审计日志 (the only tab it has), filters by who and by time, sees the edit (修改记录)
// among the rows, opens 月度排查 and follows a flagged user to the list filtered to that user and
// month. Screenshots in test-output/screenshots/ (audit-*.png).

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewAuditMonth } from '../../commands/audit-review.ts';
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
    const put = (actor: string, action: string, at: string, detail: unknown, ip: string | null = '10.2.3.4') =>
      db('audit_log').insert({ actor, action, at, entity: action === 'view_full_id' ? 'person' : null, entity_id: action === 'view_full_id' ? person.id : null, unit_id: action === 'view_full_id' ? person.unit_id : null, ip, detail: JSON.stringify(detail) });
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
  });

  it('filters by who and time, the edit among the rows', async () => {
    await page.getByTestId('audit-who').fill(staffName);
    await page.getByTestId('audit-from').fill('2025-10-09');
    await page.getByTestId('audit-to').fill('2025-10-09');
    await page.getByTestId('audit-search').click();
    await expect.poll(() => page.getByTestId('audit-count').textContent(), POLL).toContain('共 19 条');
    expect(await rows().evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-actor')))])).toEqual(['demo-staff-01']);
    const edit = page.locator('[data-testid="audit-row"][data-kind="version"]');
    expect(await edit.count()).toBe(1);
    expect(await edit.textContent()).toContain('所在处室');
    expect(await edit.locator('[data-testid="audit-history"]').getAttribute('href')).toMatch(/^#\/person\/\d+\/history$/);
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
});

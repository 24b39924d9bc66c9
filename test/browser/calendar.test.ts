// The console's 工作日历 in a real browser (Chromium, a phone): the 编办管理员 sees the yellow notice
// that 2027 is not yet known, enters 2027-01-01 as 休息日 with a note and a make-up Saturday as 调休
// 上班, sees them listed, removes one; the notice goes once 2027 is entered. 编办业务人员 sees the
// notice but no 工作日历 form.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageWarning, createCalendar } from '../../core/calendar.ts';
import { todayInShanghai } from '../../core/dates.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 10, people: 100, seed: 4, today: '2026-11-23' };
const POLL = { timeout: 30_000, interval: 200 };
// The notice is reckoned from the real today (the API's): shown while 2027 is within 60 days.
const WARNING = coverageWarning(createCalendar(), todayInShanghai());

describe.skipIf(!HAVE_CHROMIUM)('工作日历 in the console (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let shots: string;
  const open = (hashPath: string) => openMiniApp(page, s.url, hashPath);
  const overrides = () => page.locator('[data-testid="calendar-override"]');

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    shots = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-calendar-shots-'));
    page.on('dialog', (d) => void d.accept());
  }, 180_000);

  afterAll(async () => {
    console.log(`calendar screenshots: ${shots}`);
  });

  it('the administrator enters 2027 holidays and a make-up day, and removes one', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await open('/console/jobs');
    await page.getByTestId('calendar').waitFor(POLL);
    if (WARNING) await expect.poll(() => page.getByTestId('calendar-warning').textContent(), POLL).toContain(WARNING);
    await page.getByTestId('calendar-year').selectOption('2027');
    await page.getByTestId('calendar-from').fill('2027-01-01');
    await page.getByTestId('calendar-note').fill('2027年元旦');
    await page.getByTestId('calendar-add').click();
    await expect.poll(() => overrides().count(), POLL).toBe(1);
    expect(await overrides().first().textContent()).toContain('2027-01-01休息2027年元旦');
    await page.getByTestId('calendar-from').fill('2027-02-06');
    await page.getByTestId('calendar-work').check();
    await page.getByTestId('calendar-note').fill('春节调休上班');
    await page.getByTestId('calendar-add').click();
    await expect.poll(() => overrides().count(), POLL).toBe(2);
    await expect.poll(() => page.getByTestId('calendar-warning').count(), POLL).toBe(0);
    await page.screenshot({ path: path.join(shots, 'calendar-phone.png'), fullPage: true });
    await page.locator('[data-testid="calendar-override"][data-date="2027-02-06"] [data-testid="calendar-remove"]').click();
    await expect.poll(() => overrides().count(), POLL).toBe(1);
    const rows = await s.ctx.db('calendar_overrides').select('date', 'work', 'note');
    expect(rows.map((r) => [r.date, Boolean(Number(r.work)), r.note])).toEqual([['2027-01-01', false, '2027年元旦']]);
  });

  it('an empty date is refused in Chinese', async () => {
    await page.getByTestId('calendar-from').fill('');
    await page.getByTestId('calendar-add').click();
    expect(await page.getByTestId('calendar-error').textContent()).toContain('请选择日期');
  });

  it('编办业务人员 sees no 工作日历 form', async () => {
    await sandboxLogin(page, s.url, 'demo-staff-01');
    await open('/console/jobs');
    await page.getByTestId('jobs').waitFor(POLL);
    expect(await page.getByTestId('calendar').count()).toBe(0);
  });
});

// The console's 计划任务 and 群消息记录 in a real browser (Chromium through playwright-core): the
// 编办管理员 retimes the daily check, runs it by hand, opens the run and sees the cards it sent and
// where they went; the broadcast history shows delivered and failed messages; 编办业务人员 may run
// but not retime. A phone (390×844) and a desktop window. Screenshots in the test's temp folder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 30, people: 400, seed: 4, today: '2026-11-23' };
const POLL = { timeout: 30_000, interval: 200 };

describe.skipIf(!HAVE_CHROMIUM)('计划任务 and 群消息记录 in the console (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let shots: string;
  const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });
  const open = (hashPath: string) => openMiniApp(page, s.url, hashPath);
  const row = (job: string) => page.locator(`[data-testid="job-row"][data-job="${job}"]`);

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    shots = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-jobs-shots-'));
    page.on('dialog', (d) => void d.accept());
  }, 180_000);

  afterAll(async () => {
    // The screenshots stay for a look (their folder is printed); remove with the temp dir.
    console.log(`jobs screenshots: ${shots}`);
  });

  it('the administrator retimes the daily check, runs it by hand and reads what the run sent', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await open('/console/jobs');
    await expect.poll(() => row('daily-check').count(), POLL).toBe(1);
    expect(await row('daily-check').locator('td').first().textContent()).toContain('每日数据检查');
    expect(await row('daily-check').getByTestId('job-schedule').textContent()).toContain('每个工作日 08:30（北京时间）');
    expect(await row('expire-plans').locator('td').first().textContent()).toContain('用编计划到期处理');

    // Retime: 09:10; the list says so, with the default beside it.
    await row('daily-check').getByTestId('job-edit').click();
    await page.getByTestId('schedule-time').fill('09:10');
    await shot('schedule-dialog-phone', false);
    await page.getByTestId('schedule-save').click();
    await expect.poll(() => row('daily-check').getByTestId('job-schedule').textContent(), POLL).toContain('09:10');
    expect(await row('daily-check').getByTestId('job-schedule').textContent()).toContain('默认 08:30');
    expect(await row('daily-check').getByTestId('job-next').textContent()).toMatch(/09:10$/);

    // Run by hand, then open the run.
    await row('daily-check').getByTestId('job-run').click();
    await expect.poll(() => page.getByTestId('jobs-notice').count(), POLL).toBe(1);
    const last = async () => { await page.reload(); await row('daily-check').waitFor(); return row('daily-check').getByTestId('job-last').textContent(); };
    await expect.poll(last, { timeout: 60_000, interval: 1000 }).toContain('成功');
    await shot('jobs-phone');
    await row('daily-check').getByTestId('job-last-link').click();
    await page.getByTestId('run-detail').waitFor();
    expect(await page.getByTestId('run-summary').textContent()).toContain('工作群预警卡片');
    const targets = await page.getByTestId('run-messages').getByTestId('message-target').allTextContents();
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.some((t) => t.endsWith('工作群'))).toBe(true);
    await shot('run-phone', false);
  });

  it('the broadcast history shows what went where, delivered or failed with the reason in Chinese', async () => {
    const db = s.ctx.db;
    // The sandbox's dispatcher delivers: wait for a sent row, then make another one fail for good.
    await expect.poll(async () => Number((await db('outbox').where({ state: 'sent' }).whereNotNull('target').count({ n: '*' }))[0].n), POLL).toBeGreaterThan(0);
    // And until the queue has drained: on a real clock past the county's day, the start-up catch-up
    // (the month's lock notices, the week's list) queues many messages, and the page shows the newest.
    await expect.poll(async () => Number((await db('outbox').where({ state: 'pending' }).whereNotNull('target').count({ n: '*' }))[0].n), { timeout: 90_000, interval: 500 }).toBe(0);
    const victim = await db('outbox').whereNotNull('target').where('target', 'like', 'group:%').orderBy('id', 'desc').first('id');
    await db('outbox').where({ id: victim.id }).update({ state: 'dead', last_error: 'connect ECONNREFUSED 127.0.0.1:9' });
    await open('/console/broadcasts');
    await page.getByTestId('broadcasts').waitFor();
    const states = await page.getByTestId('broadcasts').getByTestId('state').allTextContents();
    expect(states).toContain('已送达');
    expect(states).toContain('失败');
    expect(await page.getByTestId('message-error').first().textContent()).toContain('无法连接聊天平台');
    await shot('broadcasts-phone', false);
    // The failed one sent again (编办管理员): back to the queue, then delivered by the sandbox.
    await page.getByTestId('message-resend').first().click();
    await expect.poll(async () => (await db('outbox').where({ id: victim.id }).first('state')).state, POLL).not.toBe('dead');
    await expect.poll(() => page.getByTestId('message-resend').count(), POLL).toBe(0);
    // One group's history.
    const option = await page.getByTestId('broadcast-group').locator('option').nth(1).getAttribute('value');
    await page.getByTestId('broadcast-group').selectOption(option!);
    await expect.poll(() => page.evaluate(() => location.hash), POLL).toContain('group=');
    await page.getByTestId('broadcasts').or(page.locator('.empty')).first().waitFor();
    expect(phone.pageErrors).toEqual([]);
  });

  it('on a desktop the jobs are a table; 编办业务人员 may run but not retime', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await sandboxLogin(page, s.url, 'demo-staff-01');
    await open('/console/jobs');
    await row('daily-check').waitFor();
    expect(await row('daily-check').getByTestId('job-edit').count()).toBe(0);
    expect(await row('daily-check').getByTestId('job-run').count()).toBe(1);
    expect(await page.locator('table[data-testid="jobs"] thead').isVisible()).toBe(true);
    await shot('jobs-desktop', false);
    await page.setViewportSize({ width: 390, height: 844 });
  });
});

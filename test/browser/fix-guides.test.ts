// The 错题本 in a real browser (Chromium through playwright-core, 390×844) on the demo county: a
// unit's specialist opens 怎么改 under a finding of 待整改 and reads its guide (the office's
// version once edited), then the full guide page; the office's console lists the month's most
// frequent mistakes (the counts of the findings table) and edits a rule's guide: a line break is
// refused in Chinese naming the field, the save is a new version in the history, 恢复 asks in the
// app's dialog; month and date inputs (here and 首录人查询) say the value in Chinese. Screenshots in
// test-output/screenshots/ (guides-*.png).

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveFixGuide } from '../../commands/fix-guides.ts';
import { RULES, ruleByCode } from '../../core/rules/index.ts';
import { fixGuide } from '../../db/fix-guides.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 20, people: 300, seed: 4, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('错题本: 怎么改 under a finding on the phone, the office\'s 错题本 in the console (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(() => {
    ({ s, phone, page } = world);
  });

  it('a specialist opens 怎么改 under a finding and the full guide', async () => {
    const row = await db()('findings as f').join('users as u', 'u.unit_id', 'f.unit_id').where({ 'f.status': 'open', 'u.role': '单位专管员', 'u.locked': false }).first('u.id as user', 'f.unit_id');
    await sandboxLogin(page, s.url, row.user);
    await openMiniApp(page, s.url, '/todo');
    const panel = page.locator('[data-testid="fix-guide"]').first();
    await expect.poll(() => panel.count(), POLL).toBe(1);
    expect(await page.locator('[data-testid="fix-guide"]').count()).toBe(await page.locator('[data-testid="finding"]').count());
    const rule = (await panel.getAttribute('data-rule'))!;
    // The office's version of this rule's guide: what the panel shows.
    const admin = await db()('users').where({ role: '编办管理员' }).first();
    await saveFixGuide(db(), admin, rule, {
      what: `${ruleByCode(rule)!.title}：记录与实际情况不一致。`, why: '数据不准，工资、社保和编制统计都会出错。',
      how: ['点开上方问题，进入记录', '对照档案改正该项', '填写修改原因后保存'], right: '出生日期：1990-01-01（与身份证一致）', wrong: '出生日期：1990-10-01', reason: '编办统一口径',
    });
    await panel.locator('[data-testid="fix-guide-toggle"]').click();
    await expect.poll(() => panel.locator('[data-testid="guide-what"]').textContent(), POLL).toBe(`${ruleByCode(rule)!.title}：记录与实际情况不一致。`);
    expect(await panel.locator('[data-testid="guide-steps"] li').allTextContents()).toEqual(['点开上方问题，进入记录', '对照档案改正该项', '填写修改原因后保存']);
    expect(await panel.locator('[data-testid="guide-right"]').textContent()).toContain('1990-01-01');
    expect(await panel.locator('[data-testid="guide-wrong"]').textContent()).toContain('1990-10-01');
    await panel.scrollIntoViewIfNeeded();
    await phone.shot('guides-01-finding-panel');

    await panel.locator('[data-testid="fix-guide-page"]').click();
    await expect.poll(() => page.locator('[data-testid="guide-title"]').textContent(), POLL).toBe(ruleByCode(rule)!.title);
    expect(page.url()).toContain(`#/guide/${rule}`);
    expect(await page.locator('[data-testid="guide-edit-link"]').count()).toBe(0); // a unit reads, does not edit
    await phone.shot('guides-02-guide-page', true);

    // The record's page lists its open findings (a person's: 待整改问题 with the save's outlook; a
    // unit's or 编外人员's: the form's list), each with its 怎么改.
    await openMiniApp(page, s.url, '/todo');
    const card = page.locator(`a[data-testid="finding"][data-rule="${rule}"]`).first();
    await expect.poll(() => card.count(), POLL).toBe(1);
    await card.click();
    const form = page.locator('[data-testid="outlook"] ul.outlook, [data-testid="open-findings"]');
    await expect.poll(() => form.locator('[data-testid="fix-guide"]').count(), POLL).toBeGreaterThan(0);
    expect(await form.locator('[data-testid="fix-guide"]').count()).toBe(await form.locator('[data-testid="outlook-item"], [data-testid="finding"]').count());
    const formPanel = form.locator(`[data-testid="fix-guide"][data-rule="${rule}"]`).first();
    await formPanel.locator('[data-testid="fix-guide-toggle"]').click();
    await expect.poll(() => formPanel.locator('[data-testid="guide-what"]').textContent(), POLL).toBe(`${ruleByCode(rule)!.title}：记录与实际情况不一致。`);
    await formPanel.scrollIntoViewIfNeeded();
    await phone.shot('guides-06-record-form');

    // 待整改 ends with the 错题本: every written guide, searchable.
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="guides-link"]').click();
    const items = page.locator('[data-testid="guide-item"]');
    await expect.poll(() => items.count(), POLL).toBeGreaterThan(1);
    await page.locator('[data-testid="guide-search"]').fill(rule);
    await expect.poll(() => items.count(), POLL).toBe(1);
    // The robot's `怎么改 身份证` links here with its words: the same entries as it listed (core/fix-guides.ts guideMatches).
    await openMiniApp(page, s.url, `/guide?q=${encodeURIComponent('身份证')}`);
    const idRules = RULES.filter((r) => r.title.includes('身份证')).map((r) => r.code);
    await expect.poll(() => items.count(), POLL).toBe(idRules.length);
    expect(await page.locator('[data-testid="guide-search"]').inputValue()).toBe('身份证');
    expect((await items.allTextContents()).map((t) => /[POUWX]-[A-Z-]*\d+/.exec(t)?.[0])).toEqual(idRules);
    // Typed as on a phone: lower case, full-width.
    await page.locator('[data-testid="guide-search"]').fill('ｐ－ｉｄ－0');
    await expect.poll(() => items.count(), POLL).toBe(RULES.filter((r) => r.code.startsWith('P-ID-0')).length);
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);

  it('the office: the month\'s most frequent mistakes and the editor of a guide', async () => {
    await sandboxLogin(page, s.url, 'demo-staff-01');
    // The office works in the console on a desktop screen.
    await page.setViewportSize({ width: 1280, height: 900 });
    await openMiniApp(page, s.url, '/console/guides?month=2026-11');
    const rows = page.locator('[data-testid="mistake-row"]');
    const expected = await db()('findings').where('opened_on', 'like', '2026-11-%').whereIn('status', ['open', 'resolved', 'explained']).groupBy('rule').select('rule').count({ n: '*' });
    await expect.poll(() => rows.count(), POLL).toBe(expected.length);
    const top = Math.max(...expected.map((r) => Number(r.n)));
    expect(Number(await rows.first().locator('[data-testid="mistake-count"]').textContent())).toBe(top);
    // The month in Chinese beside the picker (an English-locale browser shows “November 2026”).
    expect(await page.locator('[data-testid="mistakes-month-hint"]').textContent()).toBe('已选：2026年11月');
    await phone.shot('guides-03-month-mistakes');
    await page.locator('[data-testid="guide-table"]').scrollIntoViewIfNeeded();
    await phone.shot('guides-04-guide-list');

    await openMiniApp(page, s.url, '/console/guides?entry=P-ID-01');
    const editor = page.locator('[data-testid="guide-editor"]');
    await expect.poll(() => editor.locator('[data-testid="guide-field-what"]').inputValue(), POLL).not.toBe('');
    await editor.locator('[data-testid="guide-field-what"]').fill('第一行\n第二行');
    await editor.locator('[data-testid="guide-field-reason"]').fill('补充说明');
    await editor.locator('[data-testid="guide-save"]').click();
    await expect.poll(() => editor.locator('[data-testid="guide-error-what"]').textContent(), POLL).toBe('问题是什么不能换行，请在一行内填写');
    expect(await db()('fix_guide_versions').where({ entry: 'P-ID-01' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });

    await editor.locator('[data-testid="guide-field-what"]').fill('在册人员没有填写公民身份号码（编办补充：借调人员同样要填）。');
    await editor.locator('[data-testid="guide-save"]').click();
    await expect.poll(() => editor.locator('[data-testid="guide-saved"]').textContent(), POLL).toBe('已保存为第1版');
    await expect.poll(() => editor.locator('[data-testid="guide-version"]').count(), POLL).toBe(1);
    expect((await fixGuide(db(), 'P-ID-01'))).toMatchObject({ source: 'office', version: 1, what: '在册人员没有填写公民身份号码（编办补充：借调人员同样要填）。' });
    await phone.shot('guides-05-editor', true);

    // 恢复: the app's own dialog with an optional reason, never the browser's confirm().
    const native: string[] = [];
    page.on('dialog', (d) => { native.push(d.message()); void d.dismiss(); });
    await editor.locator('[data-testid="guide-restore-shipped"]').click();
    const dialog = page.locator('[data-testid="guide-restore-dialog"]');
    await expect.poll(() => dialog.count(), POLL).toBe(1);
    expect(await dialog.locator('h2').textContent()).toBe('恢复系统内置的指引');
    expect(await dialog.textContent()).toContain('第2版');
    await dialog.locator('[data-testid="guide-restore-reason"]').fill('恢复为内置口径');
    await phone.shot('guides-07-restore-dialog');
    await dialog.locator('[data-testid="guide-restore-confirm"]').click();
    await expect.poll(() => editor.locator('[data-testid="guide-saved"]').textContent(), POLL).toBe('已恢复系统内置的指引，保存为第2版');
    expect(await dialog.count()).toBe(0);
    expect(await db()('fix_guide_versions').where({ entry: 'P-ID-01', version: 2 }).first()).toMatchObject({ reason: '恢复为内置口径', restored_from: 0 });
    // 取消 stores nothing; 确定恢复 with no reason records the default one.
    const restoreV1 = editor.locator('[data-testid="guide-version"][data-version="1"] [data-testid="guide-restore"]');
    await expect.poll(() => restoreV1.count(), POLL).toBe(1);
    await restoreV1.click();
    await expect.poll(() => dialog.locator('h2').textContent(), POLL).toBe('恢复第1版');
    await dialog.locator('[data-testid="guide-restore-cancel"]').click();
    expect(await dialog.count()).toBe(0);
    expect(await db()('fix_guide_versions').where({ entry: 'P-ID-01' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });
    await restoreV1.click();
    await dialog.locator('[data-testid="guide-restore-confirm"]').click();
    await expect.poll(() => editor.locator('[data-testid="guide-saved"]').textContent(), POLL).toBe('已恢复第1版，保存为第3版');
    expect(await db()('fix_guide_versions').where({ entry: 'P-ID-01', version: 3 }).first()).toMatchObject({ reason: '恢复第1版', restored_from: 1 });
    expect(native).toEqual([]);

    // 首录人查询's dates likewise: the chosen date in Chinese, else how to fill it.
    await openMiniApp(page, s.url, '/console/provenance?user=demo-staff-01&kind=first&from=2026-01-05');
    await expect.poll(() => page.locator('[data-testid="fe-from-hint"]').textContent(), POLL).toBe('已选：2026年1月5日');
    expect(await page.locator('[data-testid="fe-to-hint"]').textContent()).toBe('点日历图标选择日期，格式如 2026-11-23');
    await page.locator('[data-testid="fe-to"]').fill('2026-11-30');
    await expect.poll(() => page.locator('[data-testid="fe-to-hint"]').textContent(), POLL).toBe('已选：2026年11月30日');
    await phone.shot('guides-08-first-entry-dates');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);
});

// The console's 季度分析报告 in a real browser (Chromium through playwright-core, 390×844), on the
// demo county: the quarter selector, the Word and PDF downloads, the narrative draft shown as 草稿,
// edited and saved by the 编办管理员 (then 已定稿, and the report's text), read-only for 分管领导.
// Screenshots in test-output/screenshots/ (quarterly-*.png).

import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../db/check.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 30, people: 400, seed: 4, today: '2026-09-30' };
const POLL = { timeout: 20_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('季度分析报告 in the console (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await runCheck(s.ctx.db, '2026-06-30');
    await runCheck(s.ctx.db, '2026-09-30');
  }, 180_000);

  it('the office downloads the report and edits and saves the draft', async () => {
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/quarterly?quarter=2026Q3');
    await expect.poll(() => page.locator('[data-testid="draft-quarterly"] [data-testid="draft-none"]').count(), POLL).toBe(1);
    // The Word download drafts the narrative (templates: no model configured here).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-testid="download-docx"]').click()]);
    const xml = await (await JSZip.loadAsync(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c)))).file('word/document.xml')!.async('string');
    expect(xml).toContain('2026年第三季度机构编制人员情况分析报告');
    await page.reload();
    const box = page.locator('[data-testid="draft-quarterly"]');
    await expect.poll(() => box.locator('[data-testid="draft-mark"]').textContent(), POLL).toContain('草稿');
    // The text arrives with the draft, possibly a moment after its mark: waited for, not read once.
    await expect.poll(() => box.locator('[data-testid="draft-text"]').inputValue(), POLL).toMatch(/^一、基本情况/);
    const text = await box.locator('[data-testid="draft-text"]').inputValue();
    await phone.shot('quarterly-01-draft');
    await box.locator('[data-testid="draft-text"]').fill(text.replace(/^一、基本情况\n[^\n]*/, '一、基本情况\n本季度编制总量保持稳定（编办核改）。'));
    await box.locator('[data-testid="draft-save"]').click();
    await expect.poll(() => box.locator('[data-testid="draft-saved"]').textContent(), POLL).toContain('已保存');
    await expect.poll(() => box.locator('[data-testid="draft-final"]').count(), POLL).toBe(1);
    expect(await s.ctx.db('analysis_drafts').where({ kind: 'quarterly', period: '2026Q3' }).first('status', 'edited_by')).toEqual({ status: '已定稿', edited_by: 'demo-admin' });
    await box.locator('[data-testid="draft-text"]').scrollIntoViewIfNeeded();
    await phone.shot('quarterly-02-saved');
    const pdf = await page.request.get(`${s.url}/api/reports/quarterly.docx?quarter=2026Q3`);
    const saved = await (await JSZip.loadAsync(await pdf.body())).file('word/document.xml')!.async('string');
    expect(saved).toContain('本季度编制总量保持稳定（编办核改）。');
  }, 120_000);
});

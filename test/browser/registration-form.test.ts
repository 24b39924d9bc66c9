// Issue 18, the 《人员入(出)编登记表》 in a real browser (Chromium through playwright-core, 390×844),
// on the demo county served on 127.0.0.1:3414: a unit's 减人出编, passed at 初审, is approved by the
// 分管领导 on the request page of the mini-app; the unit's specialist opens the request on the phone
// (the link the group message carries), sees the form and downloads the PDF (masked ID number; its
// first page rendered with pdftoppm for a look) and the Word file; the office's 登记表台账 lists it.
// Screenshots in test-output/screenshots/ (regform-*.png).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewRequest } from '../../commands/review-request.ts';
import { submitRequest } from '../../commands/submit-request.ts';
import { BLOCK_ON_RED } from '../../db/requests.ts';
import { putSetting } from '../../db/settings.ts';
import { ensureMiniappBuilt, startSanse, type RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, launchPhone, openMiniApp, sandboxLogin, SHOTS, type Phone } from './phone.ts';

const COUNTY = { units: 30, people: 400, seed: 6, today: '2026-11-23', feeds: false };
const POLL = { timeout: 20_000, interval: 100 };
const PORT = 3414;

describe.skipIf(!HAVE_CHROMIUM)('入(出)编登记表 from the request page (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-regform-browser-'));
  const db = () => s.ctx.db;
  const bytes = async (d: Download) => Buffer.concat(await (await d.createReadStream()).toArray());

  beforeAll(async () => {
    process.env.LOG_LEVEL ??= 'warn';
    ensureMiniappBuilt();
    s = await startSanse({ databaseUrl: `sqlite:${path.join(dir, 'sanse.db')}`, county: COUNTY, port: PORT });
    phone = await launchPhone();
    page = phone.page;
  }, 180_000);
  afterAll(async () => {
    await phone?.close();
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the 分管领导 approves in the mini-app; the unit downloads the form on the phone; the office\'s register lists it', async () => {
    // A unit with a specialist and a work group, one of its people on quota.
    await putSetting(db(), BLOCK_ON_RED, false);
    const spec = await db()('users as u').join('units as g', 'g.id', 'u.unit_id').where('u.role', '单位专管员').whereNotNull('g.group_id').orderBy('u.id').first('u.id', 'u.unit_id', 'g.group_id', 'g.name', 'g.code');
    const person = await db()('people').where({ unit_id: spec.unit_id, status: '在编' }).whereNotNull('quota_kind').orderBy('id').first();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const deps = { db: db(), pii: s.ctx.pii, today, publicBaseUrl: s.url };
    const unitActor = { id: spec.id, role: '单位专管员', scope: [Number(spec.unit_id)] };
    const sub = await submitRequest(deps, { actor: unitActor, request: { 申请类型: '减人出编', 单位ID: spec.unit_id, 人员ID: person.id, 出编原因: '调出', 出编日期: today, 申请理由: `${person.name}调往市直单位` } });
    const id = Number(sub.id);
    await reviewRequest(deps, { actor: { id: 'demo-staff-01', role: '编办业务人员', scope: null }, id, decision: 'pass', comment: '同意报送' });

    // The 分管领导 approves on the request page.
    await sandboxLogin(page, s.url, 'demo-leader');
    await openMiniApp(page, s.url, `/requests/${id}`);
    await page.locator('[data-testid="decide-approve"]').click();
    await expect.poll(() => page.locator('[data-testid="request-state"]').getAttribute('data-state'), POLL).toBe('approved');
    const form = await db()('registration_forms').where({ request_id: id }).first();
    expect(form).toBeTruthy();
    await expect.poll(() => page.locator('[data-testid="registration-form"]').getAttribute('data-number'), POLL).toBe(form.number);
    // The phone's title bar is not cut off by the long number: the number is in the card, whole.
    expect(await page.locator('header.top h1').textContent()).toBe('申请详情');
    const no = (await db()('staffing_requests').where({ id }).first('request_no')).request_no;
    expect(await page.locator('[data-testid="request-no"]').textContent()).toBe(`申请编号 ${no}`);
    expect(await page.locator('[data-testid="request-no"]').evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

    // The group was sent the link to this page (no ID number in it).
    const out = await db()('outbox').where({ dedup_key: `registration-form:${id}` }).first();
    const delivery = JSON.parse(out.payload);
    expect(delivery.target).toEqual({ kind: 'group', groupId: spec.group_id });
    const url = delivery.message.buttons[0].url as string;
    expect(url).toBe(`${s.url}/m/#/requests/${id}`);

    // The unit's specialist opens the link on the phone: the form with its two downloads.
    await sandboxLogin(page, s.url, spec.id);
    await page.goto('about:blank');
    await page.goto(url);
    const box = page.locator('[data-testid="registration-form"]');
    await box.waitFor();
    expect(await box.textContent()).toContain(form.number);
    expect(await box.textContent()).toContain('身份证号已隐去中间部分');
    await box.scrollIntoViewIfNeeded();
    await phone.shot('regform-01-request-page');
    expect(phone.pageErrors).toEqual([]);

    const [pdfDl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-testid="form-pdf"]').click()]);
    expect(pdfDl.suggestedFilename()).toMatch(/\.pdf$/);
    const pdf = await bytes(pdfDl);
    const pdfFile = path.join(SHOTS, 'regform-form.pdf');
    fs.writeFileSync(pdfFile, pdf);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    const flat = text.replace(/\s+/g, '');
    const full = s.ctx.pii.decrypt(person.id_enc);
    expect(flat).toContain('人员出编登记表');
    expect(flat).toContain(form.number);
    expect(flat).toContain(`姓名${person.name}`);
    expect(flat).toContain(`身份证号${full.slice(0, 6)}${'*'.repeat(11)}${full.slice(-1)}`);
    expect(flat).not.toContain(full);
    expect(flat).toContain(`出编原因调出出编日期${today}`);
    expect(flat).toContain(`所在单位${spec.name}（统一社会信用代码${spec.code}）`);
    expect(flat).not.toContain('单位ID');
    expect(flat).toContain('初审');
    expect(flat).toContain('同意报送');
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdfFile, path.join(SHOTS, 'regform-02-pdf-page1')]);
    expect(fs.existsSync(path.join(SHOTS, 'regform-02-pdf-page1.png'))).toBe(true);

    const [docDl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-testid="form-docx"]').click()]);
    const xml = await (await JSZip.loadAsync(await bytes(docDl))).file('word/document.xml')!.async('string');
    expect(xml).toContain(form.number);
    expect(xml).not.toContain(full);
    expect(await db()('audit_log').where({ action: 'registration_form_download', actor: spec.id }).count({ n: '*' }).first()).toMatchObject({ n: 2 });

    // The office's 登记表台账 (a console page, at phone size here too).
    await sandboxLogin(page, s.url, 'demo-staff-01');
    await openMiniApp(page, s.url, '/console/forms?kind=出编');
    const row = page.locator(`[data-testid="register-row"][data-number="${form.number}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(person.name);
    expect(await row.textContent()).not.toContain(full);
    await phone.shot('regform-03-register', true);
    // The same register as the office reads it at a desk.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    await row.waitFor();
    await phone.shot('regform-04-register-desktop');
  }, 240_000);
});

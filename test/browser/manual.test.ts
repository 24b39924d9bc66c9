// The user manuals' screenshots, kept current (issue 18): the demo county in a real browser, the
// office at desktop size (1280×800) as 编办管理员, the unit's 单位专管员 at phone size (390×844)
// through the whole loop (the group's card → 去整改 → 待整改 → the form → save with a reason →
// green → the card updated), 自查, 申请, 月度核账. Each screen is checked to be the one intended
// (its visible Chinese heading) before its screenshot is written into cards/manuals/images/,
// which the manuals reference (and which are committed). Then: every image the manuals
// reference exists and was written by this run, and no other image lies in the folder; the help
// pages open from a screen's ？ at that screen's section with their images loaded; and both
// PDFs read back (pdftotext: every section heading; pdfinfo: more than 3 pages; pdfimages: the
// screenshots embedded).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANUAL_IMAGE_DIR, MANUAL_KINDS, manualImages, manualSections, manualSource } from '../../cards/manuals.ts';
import { startSandboxInTemp, type RunningSanse } from './app.ts';
import { CHROMIUM, HAVE_CHROMIUM, launchPhone, openMiniApp, sandboxLogin, SHOTS, type Phone } from './phone.ts';

type Row = Record<string, any>;

// The loop test's county: seed 2 has units whose only open finding is a 民族 written as “汉”.
const COUNTY = { units: 40, people: 600, seed: 2, today: '2026-11-23' };
const POLL = { timeout: 12_000, interval: 100 };
const IMAGES = MANUAL_IMAGE_DIR.pathname;
const have = (bin: string) => {
  try {
    execFileSync('which', [bin], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

async function until(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!HAVE_CHROMIUM)('用户操作手册: screenshots, help pages and PDF', () => {
  let s: RunningSanse;
  let phone: Phone;
  let desk: BrowserContext;
  let deskPage: Page;
  let deskProfile: string;
  const started = Date.now();
  /** The images this run wrote, with the screen each shows. */
  const written = new Map<string, string>();
  /** Screens whose heading text was not shown (the test fails after writing all of them, naming each). */
  const wrongScreens: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(IMAGES, { recursive: true });
    s = await startSandboxInTemp(COUNTY);
    phone = await launchPhone();
    deskProfile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-desk-'));
    desk = await chromium.launchPersistentContext(deskProfile, {
      executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    });
    desk.setDefaultTimeout(15_000);
    deskPage = desk.pages()[0] ?? (await desk.newPage());
  }, 180_000);

  afterAll(async () => {
    await desk?.close().catch(() => {});
    if (deskProfile) fs.rmSync(deskProfile, { recursive: true, force: true });
    await phone?.close();
    await s?.close();
  });

  /** Waits until every text is visible on the page (the screen is the one intended), then writes the manual's image `name`. */
  async function shoot(page: Page, name: string, texts: string[], o: { fullPage?: boolean; settle?: number; only?: ReturnType<Page['locator']> } = {}): Promise<void> {
    for (const t of texts) {
      const seen = await until(() => page.getByText(t, { exact: false }).first().isVisible().catch(() => false), POLL.timeout, t).then(() => true, () => false);
      if (!seen) wrongScreens.push(`${name}: 「${t}」 not shown`);
    }
    await expect.poll(() => page.locator('[data-testid="loading"]').count(), POLL).toBe(0);
    if (o.settle) await page.waitForTimeout(o.settle);
    if (o.only) await o.only.screenshot({ path: path.join(IMAGES, name) });
    else await page.screenshot({ path: path.join(IMAGES, name), fullPage: o.fullPage ?? false });
    written.set(name, texts.join(' / '));
  }

  /** A console tab: its button is the one lit, and its own heading text shows. */
  async function consoleTab(tab: string, label: string, name: string, texts: string[], settle?: number): Promise<void> {
    await openMiniApp(deskPage, s.url, tab);
    await expect.poll(() => deskPage.locator('.consolenav a.btn.primary').first().textContent(), POLL).toBe(label);
    await shoot(deskPage, name, ['三色 · 控制台', ...texts], { settle });
  }

  it('the office\'s screens at desktop size, as 编办管理员', async () => {
    const page = deskPage;
    // A request waiting for 初审, so 编制审批 shows one: a 减人出编 of a person 退休未出编, sent by the unit's specialist.
    const retired: Row[] = await s.ctx.db('findings as f').join('users as z', function () { this.on('z.unit_id', '=', 'f.unit_id').andOnVal('z.role', '=', '单位专管员'); })
      .where({ 'f.rule': 'P-RT-01', 'f.status': 'open' }).select('f.entity_id', 'f.unit_id', 'z.id as zgy');
    let submitted = 0;
    for (const r of retired) {
      await sandboxLogin(phone.page, s.url, r.zgy);
      const csrf = (await (await phone.page.request.get(`${s.url}/api/me`)).json()).csrfToken;
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const res = await phone.page.request.post(`${s.url}/api/requests`, {
        headers: { 'x-csrf-token': csrf },
        data: { 申请类型: '减人出编', 单位ID: String(r.unit_id), 人员ID: String(r.entity_id), 出编原因: '退休', 出编日期: today, 申请理由: '已达退休年龄，办理退休出编' },
      });
      if (res.status() === 201) {
        submitted = Number((await res.json()).id);
        break;
      }
    }
    expect(submitted, 'a 减人出编 submitted for the queue').toBeGreaterThan(0);
    await page.goto(`${s.url}/m/#/login`);
    await shoot(page, 'office-login.png', ['三色 · 登录', '编办账号']);
    await sandboxLogin(page, s.url, 'demo-admin');
    await consoleTab('/console', '概览', 'office-overview.png', ['各单位今日灯色', '立即检查']);
    await consoleTab('/console/import', '导入数据', 'office-import.png', ['下载导入模板', '导出机构和人员（脱敏）']);
    await consoleTab('/console/findings', '问题清单', 'office-findings.png', ['导出Excel']);
    await consoleTab('/console/weekly', '每周督办', 'office-weekly.png', ['清单日期', '督办事项']);
    await consoleTab('/console/scores?month=2026-10', '评分排名', 'office-scores.png', ['红黑榜', '各单位得分', '评分规则']);
    await consoleTab('/console/locks', '账号锁定', 'office-locks.png', ['锁定中', '解锁记录']);
    await consoleTab('/console/requests', '编制审批', 'office-approval.png', ['待初审（1）', '减人出编']);
    // 初审 passed: the 分管领导's approval card, as the sandbox shows it in his 1:1 chat.
    const csrf = (await (await page.request.get(`${s.url}/api/me`)).json()).csrfToken;
    const passed = await page.request.post(`${s.url}/api/requests/${submitted}/review`, { headers: { 'x-csrf-token': csrf }, data: { decision: 'pass', comment: '材料齐全，同意报送' } });
    expect(passed.status(), await passed.text()).toBe(200);
    let shown: Row | undefined;
    await until(async () => !!(shown = await s.ctx.db('sandbox_messages').where({ card_id: `request:${submitted}` }).where('conversation', 'like', 'user:%').first()), 30_000, 'the approval card delivered');
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(shown!.conversation)}`);
    const leaderCard = page.locator(`[data-card="request:${submitted}"] .bubble.card`);
    await leaderCard.scrollIntoViewIfNeeded();
    await shoot(page, 'office-leader-card.png', ['减人出编审批', '待终审', '不同意', '在小程序中查看'], { only: leaderCard });
    await consoleTab('/console/dashboard', '数据大屏', 'office-dashboard.png', ['按编制类型', '编制使用饱和度'], 1500);
    await consoleTab('/console/reports', '报表', 'office-reports.png', ['月度分析报表', '退休预测']);
    await consoleTab('/console/feeds', '外部数据', 'office-feeds.png', ['机关事业养老保险参保名单', '开始导入']);
    await consoleTab('/console/monthly', '月度核账', 'office-monthly.png', ['催办未确认单位', '确认人 / 时间']);
    await consoleTab('/console/jobs', '计划任务', 'office-jobs.png', ['工作日历', '立即运行']);
    await consoleTab('/console/budget', '消息额度', 'office-budget.png', ['额度不足时系统怎么做', '月度额度设置（编办管理员）']);
    // The portrait of the unit with the most open findings; the towns.
    const unit = (await s.ctx.db('findings').where({ status: 'open' }).groupBy('unit_id').select('unit_id').count({ n: '*' }).orderBy('n', 'desc').first()) as Row;
    const u: Row = await s.ctx.db('units').where({ id: unit.unit_id }).first('name');
    await openMiniApp(page, s.url, `/portrait/${unit.unit_id}`);
    await shoot(page, 'office-portrait.png', [`${u.name} · 单位画像`, '编制使用'], { settle: 800 });
    await openMiniApp(page, s.url, '/towns');
    await shoot(page, 'office-towns.png', ['镇街三色图'], { settle: 500 });
    expect(wrongScreens, 'every screen is the one intended').toEqual([]);
  }, 120_000);

  it('the unit specialist\'s screens at phone size: card → 去整改 → fix → green, 自查, 申请, 月度核账', async () => {
    const db = s.ctx.db;
    const page = phone.page;
    await until(async () => Number((await db('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' }).first())?.n ?? 0) === 0, 60_000, 'the morning\'s cards in the sandbox');
    // A 民族 written “汉” (P-ID-14) in a unit with a card in its group and a specialist; the card with the fewest findings.
    const rows: Row[] = await db('findings as f').join('units as u', 'u.id', 'f.unit_id')
      .where({ 'f.rule': 'P-ID-14', 'f.status': 'open', 'f.scope': 'person', 'f.qualifier': '民族' }).whereNotNull('u.group_id')
      .select('f.entity_id', 'f.unit_id');
    const options: Array<{ personId: number; unitId: number; cardId: string; conversation: string; specialist: string; size: number }> = [];
    for (const r of rows) {
      const card: Row | undefined = await db('cards').where('card_id', 'like', `unit-digest:${r.unit_id}:%`).orderBy('card_id', 'desc').first();
      const zgy: Row | undefined = await db('users').where({ role: '单位专管员', unit_id: r.unit_id }).orderBy('id').first();
      if (!card || !zgy || !String(card.target).startsWith('group:')) continue;
      options.push({ personId: Number(r.entity_id), unitId: Number(r.unit_id), cardId: card.card_id, conversation: card.target, specialist: zgy.id, size: (JSON.parse(card.data).findingIds as number[]).length });
    }
    options.sort((a, b) => a.size - b.size);
    expect(options.length, 'a 民族 finding in a unit with a card, a group and a specialist').toBeGreaterThan(0);
    const t = options[0];

    // Not logged in (the office test sent its request from this phone): the card's link leads through the login.
    await phone.browser.clearCookies();
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
    const card = page.locator(`[data-card="${t.cardId}"]`);
    await card.scrollIntoViewIfNeeded();
    await shoot(page, 'unit-card.png', ['数据质量预警', '去整改'], { only: card.locator('.bubble.card') });
    await card.locator('a.primary').click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toMatch(/^#\/login/);
    await page.locator(`[data-testid="login-user-${t.specialist}"]`).click();
    await expect.poll(() => new URL(page.url()).hash, POLL).toMatch(/^#\/todo/);
    const finding = page.locator(`a[data-testid="finding"][data-rule="P-ID-14"][href^="#/person/${t.personId}?finding="]`).first();
    await finding.waitFor();
    await shoot(page, 'unit-todo.png', ['待整改', '红灯']);
    await finding.click();
    await page.locator('[data-testid="person-form"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="field-flag-民族"]').count(), POLL).toBe(1);
    await shoot(page, 'unit-form.png', ['人员信息', '民族']);
    await page.locator('select[data-testid="field-民族"]').selectOption('汉族');
    await expect.poll(() => page.locator('[data-testid="outlook-item"][data-rule="P-ID-14"]').first().getAttribute('data-outlook'), POLL).toBe('fixed');
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="save-dialog"]').waitFor();
    await page.locator('[data-testid="reason"]').fill('按户籍信息更正');
    await shoot(page, 'unit-save.png', ['修改原因', '确认保存']);
    await page.locator('[data-testid="confirm-save"]').click();
    await page.locator('[data-testid="resolved"][data-rule="P-ID-14"]').waitFor();
    await shoot(page, 'unit-resolved.png', ['已整改，亮绿灯']);
    // The card in the group, updated by the dispatcher.
    const vars = JSON.parse((await db('cards').where({ card_id: t.cardId }).first()).data).vars as Record<string, string>;
    await until(async () => {
      await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(t.conversation)}`);
      return ((await page.locator(`[data-card="${t.cardId}"] .bubble.card`).textContent()) ?? '').includes(vars.progress);
    }, 20_000, 'the card updated in the group');
    await page.locator(`[data-card="${t.cardId}"]`).scrollIntoViewIfNeeded();
    await shoot(page, 'unit-card-green.png', [vars.progress], { only: page.locator(`[data-card="${t.cardId}"] .bubble.card`) });

    await openMiniApp(page, s.url, '/self-check');
    await page.locator('[data-testid="run-self-check"]').click();
    await page.locator('[data-testid="self-check-count"]').waitFor();
    await shoot(page, 'unit-self-check.png', ['自查', '本月']);
    await openMiniApp(page, s.url, '/requests');
    await shoot(page, 'unit-requests.png', ['编制事项申请', '新申请']);
    await openMiniApp(page, s.url, `/requests/new?kind=${encodeURIComponent('用编计划')}&unit=${t.unitId}`);
    await shoot(page, 'unit-request-form.png', ['用编计划', '可用 = 核定 − 实有 − 在途']);
    await openMiniApp(page, s.url, `/monthly/${t.unitId}`);
    await shoot(page, 'unit-monthly.png', ['月度核账', '编制使用情况']);
    expect(wrongScreens, 'every screen is the one intended').toEqual([]);
  }, 120_000);

  it('every image the manuals reference exists and was written by this run, and nothing else lies beside them', () => {
    const referenced = new Set(MANUAL_KINDS.flatMap((k) => manualImages(manualSource(k))));
    expect(referenced.size).toBeGreaterThan(15);
    for (const name of referenced) {
      const file = path.join(IMAGES, name);
      expect(fs.existsSync(file), `${name} exists`).toBe(true);
      expect(written.has(name), `${name} was shot by this test`).toBe(true);
      expect(fs.statSync(file).mtimeMs, `${name} rewritten by this run`).toBeGreaterThanOrEqual(started - 1000);
      expect(fs.statSync(file).size).toBeGreaterThan(5_000);
    }
    expect(fs.readdirSync(IMAGES).filter((f) => !referenced.has(f)), 'images no manual references').toEqual([]);
    expect([...written.keys()].filter((f) => !referenced.has(f)), 'shots no manual references').toEqual([]);
  });

  it('the help pages: the ？ of a screen opens its section; contents, images and the other manual', async () => {
    // Office, desktop: from 每周督办 to its section.
    await openMiniApp(deskPage, s.url, '/console/weekly');
    const help = deskPage.locator('[data-testid="help-link"]');
    await expect.poll(() => help.getAttribute('href'), POLL).toBe('#/help/office?s=weekly');
    await help.click();
    await expect.poll(() => deskPage.locator('[data-testid="manual-title"]').textContent(), POLL).toBe('《编办用户操作手册》');
    const weekly = deskPage.locator('h2#weekly');
    await expect.poll(() => weekly.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < 200; }), POLL).toBe(true);
    expect(await weekly.textContent()).toBe('七、每周督办清单');
    const sections = manualSections(manualSource('office'));
    expect(await deskPage.locator('[data-testid="toc-link"]').count()).toBe(sections.length);
    // Every image of the page loads (the API's image route, the session's cookie).
    const srcs = await deskPage.locator('[data-testid="manual-body"] img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    expect(srcs.length).toBe(manualImages(manualSource('office')).length);
    for (const src of srcs) {
      const r = await deskPage.request.get(src);
      expect(r.status(), src).toBe(200);
      expect(r.headers()['content-type']).toBe('image/png');
    }
    const last = deskPage.locator('[data-testid="manual-body"] img').last();
    await last.scrollIntoViewIfNeeded();
    await expect.poll(() => last.evaluate((i) => (i as HTMLImageElement).naturalWidth), POLL).toBeGreaterThan(0);
    await deskPage.goto(`${s.url}/m/#/help/office?s=approval-card`);
    // The screenshots in view are loaded (lazily) before the page's own screenshot.
    const inViewLoaded = () => deskPage.locator('[data-testid="manual-body"] img').evaluateAll((imgs) => imgs.every((i) => {
      const r = i.getBoundingClientRect();
      return r.bottom < 0 || r.top > innerHeight || ((i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0);
    }));
    await expect.poll(inViewLoaded, POLL).toBe(true);
    await deskPage.locator('h3#approval-card').waitFor();
    await deskPage.screenshot({ path: path.join(SHOTS, 'manual-office-help.png') });

    // Unit, phone: the ？ on 待整改 opens the unit manual there; a line of the contents jumps.
    const page = phone.page;
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="help-link"]').click();
    await expect.poll(() => page.locator('[data-testid="manual-title"]').textContent(), POLL).toBe('《部门(单位)用户操作手册》');
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe('#/help/unit?s=todo');
    await page.locator('[data-testid="toc-link"][data-section="self-check"]').click();
    await expect.poll(() => page.locator('h2#self-check').evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < 200; }), POLL).toBe(true);
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.locator('[data-testid="manual-body"] img').first().scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('[data-testid="manual-body"] img').first().evaluate((i) => (i as HTMLImageElement).naturalWidth), POLL).toBeGreaterThan(0);
    await phone.shot('manual-unit-help');
    await openMiniApp(page, s.url, '/help/unit');
    await page.locator('[data-testid="manual-toc"]').waitFor();
    await phone.shot('manual-unit-help-contents');
    await openMiniApp(page, s.url, '/help');
    await expect.poll(() => page.locator('[data-testid="manual-title"]').textContent(), POLL).toBe('《部门(单位)用户操作手册》');
    await page.locator('[data-testid="manual-other"]').click();
    await expect.poll(() => page.locator('[data-testid="manual-title"]').textContent(), POLL).toBe('《编办用户操作手册》');
    const missing = await page.request.get(`${s.url}/api/manuals/nobody`);
    expect(missing.status()).toBe(404);
    expect((await missing.json()).error).toContain('没有这本操作手册');
    expect((await page.request.get(`${s.url}/api/manuals/images/..%2Fcards.png`)).status()).toBe(404);
  }, 60_000);

  it.skipIf(!have('pdftotext') || !have('pdfinfo'))('both manuals as A4 PDF: every section heading, more than 3 pages, the screenshots embedded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-manual-pdf-'));
    try {
      for (const kind of MANUAL_KINDS) {
        const res = await phone.page.request.get(`${s.url}/api/manuals/${kind}.pdf`, { timeout: 90_000 });
        expect(res.status()).toBe(200);
        expect(res.headers()['content-type']).toBe('application/pdf');
        const file = path.join(dir, `${kind}.pdf`);
        fs.writeFileSync(file, await res.body());
        const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
        for (const sec of manualSections(manualSource(kind))) expect(text, `${kind}: ${sec.title}`).toContain(sec.title.replace(/\s+/g, ''));
        expect(text).toContain('目录');
        const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
        expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThan(3);
        expect(info).toMatch(/Page size:.*\(A4\)/);
        const images = manualImages(manualSource(kind));
        if (have('pdfimages')) {
          const list = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
          expect(list.length, `${kind}: images in the PDF`).toBeGreaterThanOrEqual(images.length);
        } else {
          const bytes = images.reduce((n, f) => n + fs.statSync(path.join(IMAGES, f)).size, 0);
          expect(fs.statSync(file).size).toBeGreaterThan(bytes / 4);
        }
      }
      // Downloading is an export: one audit row per manual.
      const rows = await s.ctx.db('audit_log').where({ action: 'export', entity: 'manual' }).select('detail');
      expect(rows.map((r) => JSON.parse(r.detail).kind).sort()).toEqual(['manual-office', 'manual-unit']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

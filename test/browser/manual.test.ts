// The user manuals' screenshots, kept current (issue 18): the demo county in a real browser, the
// office at desktop size (1280×800) as 编办管理员, the unit's 单位专管员 at phone size (390×844)
// through the whole loop (the group's card → 去整改 → 待整改 → the form → save with a reason →
// green → the card updated), 自查, 申请, 月度核账; then the issue-18 screens (the unit: 怎么改, the
// 错题本, the robot's 怎么改, 系统建议 taken and saved, the 首录 line, the 登记表 of an approved 减人出编,
// 年度预算, a 书面函告 replied; the office: 错题本 and a guide's versions, 首录人查询, 登记表台账,
// 书面函告 read and closed, 年度报表, 年度预算). Each screen is checked to be the one intended
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
import { recheckRecord } from '../../commands/daily-check.ts';
import { decideRequest } from '../../commands/decide-request.ts';
import { saveFixGuide } from '../../commands/fix-guides.ts';
import { runHalfYearNotices } from '../../commands/half-year-notices.ts';
import { openBudgetRound } from '../../commands/open-budget-round.ts';
import { addDays, todayInShanghai } from '../../core/dates.ts';
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
  /** The 减人出编 the office test sends (its unit's 单位专管员 downloads the 登记表 once it is approved). */
  const leave = { id: 0, specialist: '', unitId: 0, personId: 0 };
  /** The specialist who takes the suggested fix (the office then finds the record in 首录人查询). */
  let suggester: Row | undefined;

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
    // A whole page: the bottom tab bar (fixed to the screen) would lie across its middle.
    if (o.fullPage) await page.addStyleTag({ content: 'nav.tabs { display: none !important; }' });
    if (o.only) await o.only.screenshot({ path: path.join(IMAGES, name) });
    else await page.screenshot({ path: path.join(IMAGES, name), fullPage: o.fullPage ?? false });
    written.set(name, texts.join(' / '));
  }

  /** A console tab: its button is the one lit, and its own heading text shows. */
  async function consoleTab(tab: string, label: string, name: string, texts: string[], settle?: number, o: { fullPage?: boolean } = {}): Promise<void> {
    await openMiniApp(deskPage, s.url, tab);
    await expect.poll(() => deskPage.locator('.consolenav a.btn.primary').first().textContent(), POLL).toBe(label);
    await shoot(deskPage, name, ['三色 · 控制台', ...texts], { settle, fullPage: o.fullPage });
  }

  /** Scrolls an element to the top (or centre) of the screen before a shot. */
  const scrollTo = (l: ReturnType<Page['locator']>, block: 'start' | 'center' = 'start') => l.evaluate((e, b) => e.scrollIntoView({ block: b as ScrollLogicalPosition }), block);

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
        Object.assign(leave, { id: submitted, specialist: r.zgy, unitId: Number(r.unit_id), personId: Number(r.entity_id) });
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

  /** The 书面函告 the unit replies to (the office then reads the reply and closes it). */
  let noticeId = 0;

  /** The sandbox login, waiting out the login routes' rate limit (10 a minute per IP) when the earlier screens used it up. */
  async function login(page: Page, userId: string): Promise<void> {
    for (let i = 0; ; i++) {
      const res = await page.request.post(`${s.url}/auth/sandbox/login`, { data: { userId } });
      if (res.status() === 429 && i < 10) {
        await new Promise((r) => setTimeout(r, 7_000));
        continue;
      }
      expect(res.status(), await res.text()).toBe(200);
      return;
    }
  }

  it('the unit\'s issue-18 screens at phone size: 怎么改, 系统建议, 首录, 登记表, 书面函告, 年度预算', async () => {
    const db = s.ctx.db;
    const page = phone.page;
    const today = todayInShanghai();
    // 系统建议: a person whose 性别 disagrees with a valid ID number, in the unit of a specialist who is not locked.
    // The specialist of the office's 减人出编 first: one login for most of these screens.
    let person: Row | undefined;
    const specialists = (await db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id')) as Row[];
    specialists.sort((a, b) => Number(b.id === leave.specialist) - Number(a.id === leave.specialist));
    for (const u of specialists) {
      person = await db('people').where({ unit_id: u.unit_id, status: '在编', id_kind: '18', id_check_ok: true, id_province_ok: true, id_birth_invalid: false, id_irregular: false })
        .whereNotNull('id_gender').whereNot('id', leave.personId).orderBy('id').first();
      if (person) {
        suggester = u;
        break;
      }
    }
    expect(person, 'a person with a valid ID number in a specialist\'s unit').toBeTruthy();
    const p = person!;
    const sp = suggester!;
    await db('people').where({ id: p.id }).update({ gender: p.id_gender === '男' ? '女' : '男' });
    await recheckRecord(db, { personHash: p.id_hash }, today);

    // 怎么改 under the finding in 待整改, the guide's page, the 错题本.
    await login(page, sp.id);
    await openMiniApp(page, s.url, '/todo');
    const card = page.locator(`a[data-testid="finding"][data-rule="P-ID-09"][href*="/person/${p.id}"]`).first();
    await card.waitFor();
    const panel = page.locator('[data-testid="fix-guide"][data-rule="P-ID-09"]').first();
    await panel.locator('[data-testid="fix-guide-toggle"]').click();
    await panel.locator('[data-testid="guide-what"]').waitFor();
    await scrollTo(card);
    await page.evaluate(() => window.scrollBy(0, -70));
    await shoot(page, 'unit-guide-panel.png', ['性别与身份证不一致', '问题是什么', '查看完整指引']);
    await panel.locator('[data-testid="fix-guide-page"]').click();
    await page.locator('[data-testid="guide-page"][data-entry="P-ID-09"]').waitFor();
    await shoot(page, 'unit-guide-page.png', ['整改指引', '规则 P-ID-09', '正确示例']);
    await openMiniApp(page, s.url, '/guide');
    await page.locator('[data-testid="guide-item"]').first().waitFor();
    await shoot(page, 'unit-guides.png', ['错题本', '身份证']);

    // The robot's 怎么改 in the unit's work group (or 1:1 without one).
    const group = (await db('units').where({ id: sp.unit_id }).first('group_id'))?.group_id;
    const conversation = group ? `group:${group}` : `user:${sp.id}`;
    await page.goto(`${s.url}/sandbox?c=${encodeURIComponent(conversation)}&as=${encodeURIComponent(sp.id)}`);
    await page.locator('form.say input[name="text"]').fill('怎么改 P-ID-09');
    await page.locator('form.say button[type="submit"]').click();
    const answer = page.locator('.msg:not(.user) .bubble', { hasText: '怎么改：性别与身份证不一致' }).last();
    await until(async () => {
      if (await answer.count()) return true;
      await page.reload();
      return false;
    }, 20_000, 'the robot\'s 怎么改 answer');
    await scrollTo(answer, 'center');
    await shoot(page, 'unit-robot-guide.png', ['怎么改 P-ID-09', '怎么改：性别与身份证不一致', '查看完整指引']);

    // 系统建议: the chip, taken (nothing stored), the save with the reason it pre-fills; then the 首录 line.
    const versions = async () => Number((await db('record_versions').where({ entity: 'person', entity_id: p.id }).count({ n: '*' }).first())!.n);
    const before = await versions();
    await openMiniApp(page, s.url, `/person/${p.id}`);
    const chip = page.locator('[data-testid="suggest-性别"]');
    await chip.waitFor();
    await scrollTo(page.locator('[data-testid="field-性别"]'), 'center');
    await shoot(page, 'unit-suggest.png', [`建议改为 ${p.id_gender}`, '依据身份证号', '采用']);
    await page.locator('[data-testid="take-性别"]').click();
    await expect.poll(() => chip.textContent(), POLL).toContain('已采用，待保存');
    await shoot(page, 'unit-suggest-taken.png', ['已采用，待保存', '点“保存”并填写修改原因后才会生效', '已修改 1 项']);
    expect(await versions(), 'taking a suggestion stores nothing').toBe(before);
    await page.locator('[data-testid="save"]').click();
    await page.locator('[data-testid="save-dialog"]').waitFor();
    await expect.poll(() => page.locator('[data-testid="reason"]').inputValue(), POLL).toBe('按系统建议：依据身份证号修正性别');
    await shoot(page, 'unit-suggest-save.png', ['确认修改', '修改原因', '确认保存']);
    await page.locator('[data-testid="confirm-save"]').click();
    await page.locator('[data-testid="saved"]').waitFor();
    expect(await versions()).toBe(before + 1);
    await openMiniApp(page, s.url, `/person/${p.id}`);
    await page.locator('[data-testid="provenance-last"]').waitFor();
    await scrollTo(page.locator('[data-testid="provenance"]'), 'center');
    await shoot(page, 'unit-provenance.png', ['首录：', `最后修改：${sp.name}（单位专管员）`]);

    // The 减人出编 the office sent, approved by the 分管领导: its unit's specialist downloads the 登记表.
    const leader: Row = await db('users').where({ id: 'demo-leader' }).first();
    const decided = await decideRequest({ db, pii: s.ctx.pii, today, publicBaseUrl: s.url }, { actor: { id: leader.id, role: leader.role, scope: null }, id: leave.id, decision: 'approve', comment: '同意' });
    expect(decided.outcome === 'decided' && decided.registrationForm?.number, 'the 登记表 issued').toBeTruthy();
    if (sp.id !== leave.specialist) await login(page, leave.specialist);
    await openMiniApp(page, s.url, `/requests/${leave.id}`);
    const form = page.locator('[data-testid="registration-form"]');
    await form.waitFor();
    await scrollTo(page.locator('h2.section').first());
    await page.evaluate(() => window.scrollBy(0, -70));
    await shoot(page, 'unit-regform.png', ['人员出编登记表', '下载登记表 PDF', '下载登记表 Word']);

    // 年度预算: the office opens next year's round; the specialist fills the form and submits it.
    const year = Number(today.slice(0, 4)) + 1;
    await openBudgetRound(db, { actor: { id: 'demo-admin', role: '编办管理员' }, year, dueOn: `${today.slice(0, 4)}-12-31`, today, publicBaseUrl: s.url });
    await openMiniApp(page, s.url, '/todo');
    await page.locator('[data-testid="budget-pending"]').click();
    await page.locator('[data-testid="budget-state"][data-state="none"]').waitFor();
    const kindCard = page.locator('[data-testid^="budget-kind-"]').first();
    const kind = (await kindCard.getAttribute('data-testid'))!.slice('budget-kind-'.length);
    const limit = Number(/可补充 (\d+) 人/.exec((await page.locator(`[data-testid="budget-limit-${kind}"]`).textContent())!)![1]);
    await page.locator(`[data-testid="budget-${kind}-addRecruit"]`).fill(String(Math.min(1, limit)));
    await page.locator(`[data-testid="budget-${kind}-note"]`).fill('计划公开招考');
    await scrollTo(kindCard);
    await page.evaluate(() => window.scrollBy(0, -54));
    await shoot(page, 'unit-budget.png', ['年度编制使用预算', '填报截止', '明年退休（预测）', '计划补充（入编）']);
    await page.locator('[data-testid="budget-submit"]').click();
    await page.locator('[data-testid="budget-confirm-submit"]').click();
    await page.locator('[data-testid="budget-state"][data-state="submitted"]').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'unit-budget-submitted.png', ['等待编办审核']);
    // 书面函告: the half-year cross-check of 2026H2; a unit's specialist reads the notice and replies.
    const run = await runHalfYearNotices(db, { date: '2027-01-04', half: '2026H2', publicBaseUrl: s.url });
    expect(run.issued.length, 'notices issued').toBeGreaterThan(0);
    const notices: Row[] = await db('notices as n').join('users as u', 'u.unit_id', 'n.unit_id').where({ 'u.role': '单位专管员', 'u.locked': false })
      .where({ 'n.half': '2026H2' }).where('n.overdue_count', '>', 0).orderBy('n.id').select('n.*', 'u.id as user_id');
    const notice = notices.find((n) => n.user_id === leave.specialist) ?? notices[0];
    noticeId = Number(notice.id);
    if (notice.user_id !== leave.specialist) await login(page, notice.user_id);
    await openMiniApp(page, s.url, `/notices/${notice.id}`);
    await page.locator('[data-testid="notice-number"]').waitFor();
    await shoot(page, 'unit-notice.png', [notice.number, '请逐项整改并回复', '查看PDF', '超期未整改问题']);
    const facts = JSON.parse(notice.facts);
    await page.locator(`[data-testid="notice-item-f${facts.overdue[0].findingId}"]`).fill('已按身份证核对并改正');
    await page.locator('[data-testid="notice-reply-input"]').fill('我单位已对函告所列问题逐项核对整改，其余问题本月底前完成。');
    await scrollTo(page.locator('[data-testid="notice-reply-form"]'), 'center');
    await shoot(page, 'unit-notice-reply.png', ['回复整改情况', '提交整改情况说明']);
    await page.locator('[data-testid="notice-submit"]').click();
    await page.locator('[data-testid="notice-done"]').waitFor();

    expect(wrongScreens, 'every screen is the one intended').toEqual([]);
  }, 120_000);

  it('the office\'s issue-18 screens at desktop size: 错题本, 首录人查询, 登记表台账, 书面函告, 年度报表, 年度预算', async () => {
    const db = s.ctx.db;
    const page = deskPage;
    // 错题本: the month with the most findings; a rule's guide edited twice (its versions, 恢复此版).
    const byMonth = new Map<string, number>();
    for (const r of (await db('findings').whereIn('status', ['open', 'resolved', 'explained']).select('opened_on')) as Row[]) {
      const m = String(r.opened_on).slice(0, 7);
      byMonth.set(m, (byMonth.get(m) ?? 0) + 1);
    }
    const month = [...byMonth].sort((a, b) => b[1] - a[1])[0][0];
    await consoleTab(`/console/guides?month=${month}`, '错题本', 'office-guides.png', ['本月高频错题', '仍未整改', '新增错题', '查看/修改']);
    const admin = { id: 'demo-admin', role: '编办管理员' };
    const shipped = (await (await page.request.get(`${s.url}/api/fix-guides/P-ID-09`)).json()).guide;
    const text = { what: shipped.what, why: shipped.why, right: shipped.right, wrong: shipped.wrong };
    await saveFixGuide(db, admin, 'P-ID-09', { ...text, how: [...shipped.how, '仍有疑问的，请联系编办业务科室'], reason: '补充联系方式' });
    await saveFixGuide(db, admin, 'P-ID-09', { ...text, how: [...shipped.how, '身份证号本身有误的，先按户籍信息更正身份证号'], reason: '按本月高频错题补充' });
    await consoleTab('/console/guides?entry=P-ID-09', '错题本', 'office-guide-editor.png', ['性别与身份证不一致（P-ID-09）', '保存为新版本', '修改记录', '恢复此版', '恢复系统内置的指引'], undefined, { fullPage: true });

    // 首录负责制: the record the specialist changed, found in 首录人查询; who entered the unit's people (its portrait).
    await consoleTab(`/console/provenance?user=${encodeURIComponent(suggester!.id)}&kind=last`, '首录人查询', 'office-provenance.png', ['首录负责制', '最后修改的记录共', '小程序修改']);
    await openMiniApp(page, s.url, `/portrait/${suggester!.unit_id}`);
    const entrants = page.locator('[data-testid="portrait-entrants"]');
    await entrants.waitFor();
    await shoot(page, 'office-entrants.png', ['本单位人员记录由谁首次录入', '人数'], { only: entrants });

    // 登记表台账: the 减人出编 approved above.
    await consoleTab('/console/forms', '登记表台账', 'office-forms.png', ['登记表台账（', '导出 Excel', '出编', 'PDF']);

    // 书面函告: the list, the unit's reply read and closed, the limits.
    await consoleTab('/console/notices', '书面函告', 'office-notices.png', ['立即检查', '回复期限', '审核回复']);
    await page.locator(`[data-testid="notice-open-${noticeId}"]`).click();
    await page.locator('[data-testid="notice-dialog"] [data-testid="notice-reply-text"]').waitFor();
    await scrollTo(page.locator('[data-testid="notice-review-input"]'), 'center');
    await shoot(page, 'office-notice-review.png', ['整改情况说明', '退回重新整改']);
    await page.locator('[data-testid="notice-review-input"]').fill('整改到位，予以办结');
    await page.locator('[data-testid="notice-close"]').click();
    await page.locator('[data-testid="notice-dialog"] [data-testid="notice-state"][data-state="closed"]').waitFor();
    await page.locator('[data-testid="notice-dialog-close"]').click();
    await page.locator('[data-testid="notices-settings-edit"]').click();
    const settings = page.locator('[data-testid="notices-setting"]');
    await settings.waitFor();
    await shoot(page, 'office-notice-settings.png', ['书面函告时限', '问题超期时限', '重复出错次数', '文号前缀'], { only: settings });
    await settings.getByText('取消').click();

    // 年度报表: this year (not ended: the figures as of today).
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    await consoleTab(`/console/annual?year=${year}`, '年度报表', 'office-annual.png', [`${year}年度编制使用决算报表`, '下载决算报表（Excel）', '下载报告']);

    // 年度预算: the unit's submitted budget waiting for review; the dialog that opens a round.
    await openMiniApp(page, s.url, '/console/annual-budget');
    await page.locator('[data-testid="budget-filter"]').selectOption('submitted');
    await page.locator('[data-testid="budget-rows"] [data-state="submitted"]').first().waitFor();
    await shoot(page, 'office-annual-budget.png', ['三色 · 控制台', '开启年度预算填报', '导出预算报表', '催办未提交单位', '退回修改']);
    await page.locator('[data-testid="budget-open"]').click();
    const open = page.locator('[data-testid="budget-open-dialog"]');
    await open.waitFor();
    await shoot(page, 'office-budget-open.png', ['预算年度', '填报截止日期', '开启并通知各单位'], { only: open });
    await open.getByText('取消').click();
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
    // The new tabs' ？ (书面函告, 错题本) open their sections.
    for (const [tab, section] of [['notices', 'notices'], ['guides', 'guides']]) {
      await openMiniApp(deskPage, s.url, `/console/${tab}`);
      await expect.poll(() => deskPage.locator('[data-testid="help-link"]').getAttribute('href'), POLL).toBe(`#/help/office?s=${section}`);
    }
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

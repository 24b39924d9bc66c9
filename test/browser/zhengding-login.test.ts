// Inside the Zheng-Ding (浙政钉) client, the mini-app logs in by itself: Chromium with the client's
// user agent (TaurusApp), the client's JS-API bridge faked where it enters the page (the chunk of
// gdt-jsapi's getAuthCode answers a code, recording what it was asked), and a local Zheng-Ding
// gateway that exchanges the code (/rpc/oauth2/dingtalk_app_user.json) for the user. Then: the
// unit specialist lands on 待整改 without seeing a login page; someone not on the 用户 sheet is
// refused in Chinese.

process.env.NO_PROXY = '127.0.0.1';
process.env.no_proxy = '127.0.0.1';

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { contentError, ok, startFakeGateway, type FakeGateway } from '../zhengding/fake-gateway.ts';
import { type RunningSanse, ensureMiniappBuilt, startSanse } from './app.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = path.join(REPO, 'test-output/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const TENANT = '196729';
/** A Zheng-Ding client's user agent (the app is TaurusApp). */
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(TUNION/3.3.1) TaurusApp/3.3.1 DingTalk(3.3.1) language/zh-Hans-CN';

describe.skipIf(!HAVE_CHROMIUM)('Zheng-Ding in-app no-login (Chromium, phone-sized)', () => {
  let gw: FakeGateway;
  let s: RunningSanse;
  let browser: BrowserContext;
  let page: Page;
  let tmp: string;
  /** The code the faked client hands out next. */
  let nextCode = 'zd-app-1';

  beforeAll(async () => {
    process.env.LOG_LEVEL ??= 'warn';
    fs.mkdirSync(SHOTS, { recursive: true });
    ensureMiniappBuilt();
    gw = await startFakeGateway();
    gw.route('/gettoken.json', () => ok({ accessToken: 'zd-app-token', expiresIn: '7200' }));
    gw.route('/rpc/oauth2/dingtalk_app_user.json', (r) => {
      const p = Object.fromEntries(r.params);
      if (p.access_token !== 'zd-app-token') return contentError('233001', 'access_token无效');
      if (p.auth_code === 'zd-app-1') return ok({ accountId: 880101, lastName: '孙专管', tenantId: Number(TENANT) });
      if (p.auth_code === 'zd-app-2') return ok({ accountId: 990999, lastName: '路人', tenantId: Number(TENANT) });
      return contentError('233025', '授权码无效');
    });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-zd-'));
    s = await startSanse({
      databaseUrl: `sqlite:${path.join(tmp, 'sanse.db')}`, county: { units: 12, people: 120, seed: 3, today: '2026-11-23' }, removeDir: tmp,
      env: { PLATFORM: 'zhengding', ZWDD_API_BASE: gw.url, ZWDD_APP_KEY: 'zd-key', ZWDD_APP_SECRET: 'zd-secret', ZWDD_TENANT_ID: TENANT, ZWDD_CALLBACK_TOKEN: 'zd-cb' },
    });
    const unit = await s.ctx.db('units').orderBy('id').first('id', 'code');
    const at = nowMoment();
    await s.ctx.db('users').insert({ id: '880101', name: '孙专管', role: '单位专管员', unit_code: unit.code, unit_id: unit.id, mobile: null, locked: false, created_at: at, updated_at: at });

    browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-')), {
      executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', userAgent: UA,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // The client's JS-API: gdt-jsapi's getAuthCode asks the native bridge, which only the client
    // has. Its chunk is answered here with one that records the call and hands out a code.
    await page.route('**/m/assets/getAuthCode-*.js', (route) => route.fulfill({
      contentType: 'text/javascript',
      body: `export default function getAuthCode(p) { (window.__zdCalls = window.__zdCalls || []).push(p); return Promise.resolve({ code: ${JSON.stringify(nextCode)}, expireTime: 300 }); }`,
    }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await s?.close();
    await gw?.close();
  });

  it('logs a unit specialist in without a login page and lands on 待整改', async () => {
    nextCode = 'zd-app-1';
    await page.goto(`${s.url}/m/`);
    await expect.poll(() => new URL(page.url()).hash, { timeout: 20_000 }).toBe('#/todo');
    expect(await page.evaluate(() => (window as unknown as { __zdCalls: unknown[] }).__zdCalls)).toEqual([{ corpId: TENANT }]);
    const exchanged = gw.to('/rpc/oauth2/dingtalk_app_user.json');
    expect(exchanged.map((r) => Object.fromEntries(r.params))).toEqual([{ access_token: 'zd-app-token', auth_code: 'zd-app-1' }]);
    const me = await page.request.get(`${s.url}/api/me`);
    expect(await me.json()).toMatchObject({ id: '880101', role: '单位专管员', platform: 'zhengding', home: '/todo' });
    await page.locator('text=待整改').first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, '20-zhengding-no-login.png') });
  });

  it('refuses someone not on the 用户 sheet, in Chinese, without a session', async () => {
    nextCode = 'zd-app-2';
    await browser.clearCookies();
    await page.goto('about:blank');
    await page.goto(`${s.url}/m/#/login`);
    const error = page.locator('[data-testid="login-error"]');
    await expect.poll(() => error.textContent().catch(() => ''), { timeout: 20_000 }).toContain('您尚未开通“三色”使用权限，请联系本地编办。');
    expect((await page.request.get(`${s.url}/api/me`)).status()).toBe(401);
    await page.screenshot({ path: path.join(SHOTS, '21-zhengding-refused.png') });
  });
});

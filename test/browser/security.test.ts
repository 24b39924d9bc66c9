// The security headers and the cross-site refusal in a real browser (Chromium through
// playwright-core): every page of the app (overview, /sandbox, the mini-app's login, 待整改 and
// console) loads and runs under the CSP without a single violation; and a foreign site's page
// (another origin on this machine) that auto-submits a form to log the victim out or to switch
// their sandbox login leaves the victim logged in as themselves.
// Chromium: CHROMIUM_PATH or /usr/bin/chromium; skipped without it (loop.test.ts fails on CI then).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSanse, ensureMiniappBuilt, freePort, startSanse } from './app.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const COUNTY = { units: 20, people: 200, seed: 3, today: '2026-11-23' };

describe.skipIf(!HAVE_CHROMIUM)('security in the browser (Chromium)', () => {
  let s: RunningSanse;
  let tmp: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let evil: http.Server;
  let evilUrl: string;
  /** CSP violations and script errors seen by any page. */
  const problems: string[] = [];

  beforeAll(async () => {
    process.env.LOG_LEVEL ??= 'warn';
    ensureMiniappBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-security-'));
    s = await startSanse({ databaseUrl: `sqlite:${path.join(tmp, 'sanse.db')}`, county: COUNTY, removeDir: tmp });
    // The attacker's site: another origin (localhost is another site than 127.0.0.1), whose pages
    // post a form to the app as soon as they load.
    const port = await freePort();
    evilUrl = `http://localhost:${port}`;
    evil = http.createServer((req, res) => {
      const [action, field] = req.url === '/switch' ? ['/auth/sandbox/login', '<input name="userId" value="demo-admin">'] : ['/auth/logout', ''];
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><body><form id="f" method="post" action="${s.url}${action}">${field}</form><script>document.getElementById('f').submit()</script></body>`);
    });
    await new Promise<void>((r) => evil.listen(port, 'localhost', () => r()));

    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN',
    });
    browser.setDefaultTimeout(15_000);
    // Every page reports its CSP violations into the test.
    await browser.exposeBinding('__cspViolation', (_src, text: string) => { problems.push(text); });
    await browser.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as any).__cspViolation(`${location.href}: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => problems.push(`pageerror ${page.url()}: ${String(e)}`));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${page.url()}: ${m.text()}`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    await new Promise((r) => (evil ? evil.close(r) : r(null)));
    await s?.close();
  });

  const me = async () => {
    const res = await page.request.get(`${s.url}/api/me`);
    return res.ok() ? (await res.json()).id as string : null;
  };

  it('runs every page under the CSP without a violation', async () => {
    await page.goto(`${s.url}/`);
    await expect.poll(() => page.locator('.tile').count()).toBe(3);
    await page.goto(`${s.url}/sandbox`);
    await expect.poll(() => page.locator('.msg').count()).toBeGreaterThan(0);
    // The sandbox's inline script (allowed by its hash) ran: the chat is scrolled to the end.
    await expect.poll(() => page.locator('#chat').evaluate((e) => e.scrollHeight <= e.clientHeight || e.scrollTop > 0)).toBe(true);
    await page.goto(`${s.url}/m/#/login`);
    await expect.poll(() => page.locator('button').count()).toBeGreaterThan(0); // the sandbox's chooser of demo users
    for (const [user, hash, text] of [['demo-admin', '/console', '控制台'], [null, '/todo', '待整改']] as const) {
      const id = user ?? (await s.ctx.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first('id')).id;
      const res = await page.request.post(`${s.url}/auth/sandbox/login`, { data: { userId: id } });
      expect(res.status(), await res.text()).toBe(200);
      await page.goto('about:blank');
      await page.goto(`${s.url}/m/#${hash}`);
      await expect.poll(() => page.getByText(text).count()).toBeGreaterThan(0);
      await page.waitForLoadState('networkidle');
    }
    // The DingTalk and Zheng-Ding JS-API chunks (loaded only inside those clients) evaluate under it too.
    const chunks = fs.readdirSync(path.join(REPO, 'miniapp/dist/assets')).filter((f) => /^(dingtalk-jsapi|getAuthCode)-.*\.js$/.test(f));
    expect(chunks).toHaveLength(2);
    // (A string: vitest would rewrite an import() inside a function.)
    for (const c of chunks) expect(await page.evaluate(`import(${JSON.stringify(`/m/assets/${c}`)}).then(() => true)`)).toBe(true);
    await page.waitForTimeout(300);
    expect(problems).toEqual([]);
  }, 120_000);

  it('keeps the victim logged in as themselves when a foreign page posts a form to /auth/', async () => {
    const victim = (await s.ctx.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first('id')).id as string;
    const res = await page.request.post(`${s.url}/auth/sandbox/login`, { data: { userId: victim } });
    expect(res.status()).toBe(200);
    expect(await me()).toBe(victim);
    for (const attack of ['/logout', '/switch']) {
      const answer = page.waitForResponse((r) => r.url().startsWith(s.url) && r.request().method() === 'POST');
      await page.goto(`${evilUrl}${attack}`);
      const r = await answer;
      expect(r.status(), attack).toBe(403);
      await expect.poll(() => page.getByText('拒绝来自其他网站的请求').count()).toBeGreaterThan(0);
      expect(await me(), attack).toBe(victim);
    }
  }, 60_000);
});

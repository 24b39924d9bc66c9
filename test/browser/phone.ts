// A phone-sized Chromium for the browser tests (playwright-core, never a downloaded browser):
// where Chromium is, where screenshots go, the browser with its one page and the page's errors,
// and the sandbox login and fresh page loads the tests repeat.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const ON_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
export const SHOTS = path.join(fileURLToPath(new URL('../../', import.meta.url)), 'test-output/screenshots');

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Phone {
  browser: BrowserContext;
  page: Page;
  /** Uncaught errors of the page, as they happen. */
  pageErrors: string[];
  /** Saves a screenshot as test-output/screenshots/`name`.png. */
  shot(name: string, fullPage?: boolean): Promise<Buffer>;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Chromium at 390×844 (a phone: touch, zh-CN, Asia/Shanghai) in a fresh profile. */
export async function launchPhone(): Promise<Phone> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  });
  browser.setDefaultTimeout(15_000);
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    browser, page, pageErrors,
    shot: (name, fullPage = false) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage }),
    async close() {
      await browser.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs the page's browser in as `userId` through the sandbox login route. */
export async function sandboxLogin(page: Page, baseUrl: string, userId: string): Promise<void> {
  const res = await page.request.post(`${baseUrl}/auth/sandbox/login`, { data: { userId } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Loads a page of the mini-app afresh (the app keeps the logged-in user in memory). */
export async function openMiniApp(page: Page, baseUrl: string, hashPath: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`${baseUrl}/m/#${hashPath}`);
}

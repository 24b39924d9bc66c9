// Debian's chromium, headless, for the two things the reports need from a browser: printing an
// HTML page to PDF and a screenshot of an SVG chart (the PNG fallback Word needs beside an SVG
// image). CHROMIUM_PATH names the binary (default `chromium`); no npm package is involved.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CommandError } from './errors.ts';

const TIMEOUT_MS = 60_000;

function run(args: string[]): Promise<void> {
  const bin = process.env.CHROMIUM_PATH || 'chromium';
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CommandError(504, `生成文件超时（chromium 超过 ${TIMEOUT_MS / 1000} 秒未完成），请稍后重试`));
    }, TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject((e as NodeJS.ErrnoException).code === 'ENOENT'
        ? new CommandError(503, `未找到 chromium（${bin}），无法生成 PDF 和图表图片：请安装 Debian 的 chromium 软件包，或用环境变量 CHROMIUM_PATH 指定其路径`)
        : e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`chromium 退出码 ${code}：${err.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

async function inTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sanse-chromium-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The PDF of an HTML page (A4, the page's own @page rules). */
export function htmlToPdf(html: string): Promise<Buffer> {
  return inTemp(async (dir) => {
    const page = path.join(dir, 'report.html');
    const out = path.join(dir, 'report.pdf');
    await writeFile(page, html);
    await run(['--no-pdf-header-footer', `--user-data-dir=${path.join(dir, 'profile')}`, `--print-to-pdf=${out}`, `file://${page}`]);
    return readFile(out);
  });
}

/** PNG screenshots of SVG documents of the given size, one chromium per image. */
export function svgsToPng(svgs: string[], width: number, height: number): Promise<Buffer[]> {
  return inTemp(async (dir) => {
    const out: Buffer[] = [];
    for (const [i, svg] of svgs.entries()) {
      const page = path.join(dir, `chart${i}.html`);
      const png = path.join(dir, `chart${i}.png`);
      await writeFile(page, `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}</style></head><body>${svg}</body></html>`);
      await run([`--user-data-dir=${path.join(dir, 'profile')}`, `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${page}`]);
      out.push(await readFile(png));
    }
    return out;
  });
}

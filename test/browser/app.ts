// The real app on a real port, started the way `sanse serve` starts it (main/serve.ts): the
// migrated database, the demo county seeded into it (seedDemo, the first check, the backdated
// history, the day's check with its alert cards), the sandbox platform with its dispatcher,
// buildApp, listen. Used by the browser tests (startSandboxInTemp) and bench/api.ts.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { IsoDate } from '../../core/model.ts';
import { openDb, parseDatabaseUrl } from '../../db/connection.ts';
import { isEmpty } from '../../db/demo/seed.ts';
import { buildApp } from '../../main/app.ts';
import { seedDemoCounty } from '../../commands/demo-county.ts';
import { openContext, type AppContext } from '../../server/context.ts';
import { startPlatform, type PlatformRuntime } from '../../main/platform.ts';

/** A fixed SM4 key: the same ID hashes on every run. */
export const FIXED_PII_KEY = '5a6e5365c0ffee00112233445566778a';

export interface County {
  units: number;
  people: number;
  seed: number;
  today: IsoDate;
  /** false: the demo county without its feeds (seedDemo). */
  feeds?: boolean;
}

/** A port nobody listens on right now (asked of the OS, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Drops a MariaDB database (the next openContext creates it again, empty). */
export async function dropMysqlDatabase(url: string): Promise<void> {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name: ${name}`);
  u.pathname = '/mysql';
  const admin = openDb(u.toString());
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await admin.destroy();
  }
}

/** What serve() does to an empty sandbox database: the demo county, its history, today's check and alert cards. */
export async function seedCounty(ctx: AppContext, county: County): Promise<{ units: number; people: number; open: number; groupCards: number }> {
  if (!(await isEmpty(ctx.db))) throw new Error('seedCounty: the database is not empty');
  const { check: s } = await seedDemoCounty(ctx.db, ctx.pii, county, ctx.config.publicBaseUrl);
  return { units: s.units, people: s.people, open: s.findings.open, groupCards: s.alerts?.groupCards ?? 0 };
}

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the mini-app when miniapp/dist is missing or older than its sources (miniapp/src, core/), so a browser test never runs a stale build. */
export function ensureMiniappBuilt(): void {
  const index = path.join(REPO_ROOT, 'miniapp/dist/index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(path.join(REPO_ROOT, 'miniapp/src')), newestMtime(path.join(REPO_ROOT, 'core')), fs.statSync(path.join(REPO_ROOT, 'miniapp/index.html')).mtimeMs);
  if (built >= sources) return;
  // Test files run in parallel: one builds, the others wait for it (a lock directory), then look again.
  const lock = path.join(REPO_ROOT, 'miniapp/.build-lock');
  try {
    fs.mkdirSync(lock);
  } catch {
    const until = Date.now() + 180_000;
    while (fs.existsSync(lock) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    fs.rmSync(lock, { recursive: true, force: true });
    return ensureMiniappBuilt();
  }
  try {
    execFileSync('npm', ['run', 'build:miniapp'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 120_000 });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface RunningSanse {
  url: string;
  port: number;
  ctx: AppContext;
  runtime: PlatformRuntime;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Opens the database (created and migrated), seeds `county` into it, starts the sandbox platform
 * and the HTTP server on 127.0.0.1:`port` (a free one by default). `close` stops everything and,
 * for a SQLite file under `removeDir`, deletes that folder.
 */
export async function startSanse(o: { databaseUrl: string; county: County; port?: number; env?: Record<string, string>; removeDir?: string }): Promise<RunningSanse> {
  const port = o.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: o.databaseUrl, PII_KEY: FIXED_PII_KEY, ...o.env,
  };
  parseDatabaseUrl(o.databaseUrl); // a bad URL fails here, before anything is created
  const ctx = await openContext(env);
  let runtime: PlatformRuntime | null = null;
  let app: FastifyInstance | null = null;
  const close = async () => {
    await app?.close().catch(() => {});
    await runtime?.stop().catch(() => {});
    await ctx.close().catch(() => {});
    if (o.removeDir) fs.rmSync(o.removeDir, { recursive: true, force: true });
  };
  try {
    await seedCounty(ctx, o.county);
    runtime = await startPlatform(ctx.config, ctx.db, { receive: true, pii: ctx.pii });
    app = await buildApp(ctx, runtime);
    await app.listen({ port, host: '127.0.0.1' });
    runtime.kick();
  } catch (e) {
    await close();
    throw e;
  }
  return { url: `http://127.0.0.1:${port}`, port, ctx, runtime, app, close };
}

/** The browser tests' app: the mini-app built, startSanse on a SQLite file in a new temp folder that `close` removes. */
export async function startSandboxInTemp(county: County): Promise<RunningSanse> {
  process.env.LOG_LEVEL ??= 'warn';
  ensureMiniappBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-browser-'));
  return startSanse({ databaseUrl: `sqlite:${path.join(dir, 'sanse.db')}`, county, removeDir: dir });
}

// The fault drill's tools: the real `sanse serve` as a child process (bin/sanse.js, its own
// environment), killed with SIGKILL at a chosen moment and started again on the same database;
// a sandbox login over HTTP; and content checksums of tables, to tell "exactly as before" from
// "half written".

import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { freePort } from '../browser/app.ts';
import { SANSE_BIN } from '../sanse-cli.ts';

export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process wrote to stdout and stderr (the last 40 KB). */
  log(): string;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), SIGKILL after 20 s. */
  stop(): Promise<void>;
}

/** Starts `sanse serve` and waits until /api/health answers 200. */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [SANSE_BIN, 'serve'], {
    env: { PATH: process.env.PATH ?? '', TZ: process.env.TZ ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-40_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const proc: ServeProcess = {
    url, port, child,
    log: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sanse serve exited (${child.exitCode ?? child.signalCode}):\n${out}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.status === 200, () => false);
    if (ok) return proc;
    if (Date.now() > until) {
      await proc.kill();
      throw new Error(`sanse serve did not answer /api/health within 120 s:\n${out}`);
    }
    await sleep(150);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Session {
  cookie: string;
  csrf: string;
}

/** A sandbox login (the demo's accounts: demo-admin is the office's administrator). */
export async function login(url: string, userId = 'demo-admin'): Promise<Session> {
  const r = await fetch(`${url}/auth/sandbox/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  if (r.status !== 200) throw new Error(`login ${userId}: ${r.status} ${await r.text()}`);
  const cookie = String(r.headers.get('set-cookie')).split(';')[0];
  const csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
  return { cookie, csrf };
}

export async function api(url: string, s: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, accept: 'application/json', ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed };
}

/** Polls until `cond` answers true (or throws after `timeoutMs`, naming `what`). */
export async function until(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 120_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Row count and a SHA-256 of the rows' columns (ordered by `orderBy`), values as text. */
export async function tableChecksum(db: Knex, table: string, columns: string[], orderBy: string[]): Promise<{ rows: number; sha: string }> {
  const rows = await db(table).select(columns).orderBy(orderBy.map((c) => ({ column: c })));
  const h = crypto.createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c])))) + '\n');
  return { rows: rows.length, sha: h.digest('hex') };
}

/** All columns of a table but those named (ids and moments that differ between two copies). */
export async function columnsOf(db: Knex, table: string, without: string[] = []): Promise<string[]> {
  const info = await db(table).columnInfo();
  return Object.keys(info).filter((c) => !without.includes(c)).sort();
}

/** Waits until no job run is queued or running and no outbox row is pending or sending (what serve does at its start is over). */
export async function settled(db: Knex, o: { outbox?: boolean; timeoutMs?: number } = {}): Promise<void> {
  await until(async () => {
    const [{ n: runs }] = await db('job_runs').whereIn('state', ['queued', 'running']).count({ n: '*' });
    if (Number(runs) > 0) return false;
    if (o.outbox === false) return true;
    const [{ n: msgs }] = await db('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' });
    return Number(msgs) === 0;
  }, 'the job runs (and messages) of the start to end', o.timeoutMs ?? 180_000, 250);
}

/**
 * Copies every table of `from` into `to` (both migrated alike), rows and ids as they are: an
 * untouched copy to compare with. (Two seeds of one demo county differ on MariaDB, whose
 * auto-increment ids may leave gaps, and the demo's history goes by finding ids.)
 */
export async function cloneDatabase(from: { url: string }, to: { db: Knex; url: string }): Promise<void> {
  if (to.url.startsWith('sqlite:')) {
    await to.db.raw('PRAGMA foreign_keys = OFF');
    await to.db.raw('ATTACH DATABASE ? AS src', [from.url.slice('sqlite:'.length)]);
    try {
      const tables = ((await to.db.raw("SELECT name FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) as Array<{ name: string }>).map((r) => r.name);
      await to.db.transaction(async (trx) => {
        for (const t of tables) {
          await trx.raw(`DELETE FROM main."${t}"`);
          await trx.raw(`INSERT INTO main."${t}" SELECT * FROM src."${t}"`);
        }
      });
    } finally {
      await to.db.raw('DETACH DATABASE src');
      await to.db.raw('PRAGMA foreign_keys = ON');
    }
    return;
  }
  const src = decodeURIComponent(new URL(from.url.replace(/^mariadb:/, 'mysql:')).pathname.slice(1));
  await to.db.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
    const [rows] = await trx.raw("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'", [src]);
    for (const { t } of rows as Array<{ t: string }>) {
      await trx.raw(`DELETE FROM \`${t}\``);
      await trx.raw(`INSERT INTO \`${t}\` SELECT * FROM \`${src}\`.\`${t}\``);
    }
    await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
  });
}

// The app as `sanse serve` builds it (buildApp), on a test database (SQLite, or MariaDB with
// SANSE_TEST_DB=mysql), with sandbox logins; requests through fastify's inject.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { seedDemo } from '../../db/demo/seed.ts';
import { buildApp } from '../../main/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

export { dropDemoFeeds } from '../db/helpers.ts';

export const D0 = '2026-11-23';

export interface ApiTestApp {
  t: TestDb;
  app: FastifyInstance;
  ctx: AppContext;
  close(): Promise<void>;
}

export async function startApp(opts: { env?: Record<string, string>; seed?: boolean; db?: TestDb } = {}): Promise<ApiTestApp> {
  process.env.LOG_LEVEL ??= 'silent';
  const t = opts.db ?? (await createTestDb());
  if (opts.seed !== false && !opts.db) await seedDemo(t.db, t.pii, { units: 30, people: 400, seed: 5, today: D0 });
  const config = loadConfig({ PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: '3000', ...opts.env });
  const ctx: AppContext = { config, db: t.db, pii: t.pii, close: async () => {} };
  const app = await buildApp(ctx);
  await app.ready();
  return {
    t, app, ctx,
    async close() {
      await app.close();
      if (!opts.db) await t.close();
    },
  };
}

let ipSeq = 0;
/** A fresh client address, so the per-IP login limit does not count one test's logins against another's. */
export const nextIp = () => `10.${Math.floor(++ipSeq / 250) % 250}.${ipSeq % 250}.7`;

export interface Session {
  userId: string;
  cookie: string;
  csrf: string;
  /** Headers of a read. */
  read: Record<string, string>;
  /** Headers of a write (with the CSRF token). */
  write: Record<string, string>;
  me: Record<string, any>;
}

export function sessionCookie(res: LightMyRequestResponse): string | null {
  const c = res.cookies.find((x) => x.name === 'sanse_sid');
  return c ? `sanse_sid=${c.value}` : null;
}

export async function login(app: FastifyInstance, userId: string): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/auth/sandbox/login', payload: { userId }, remoteAddress: nextIp() });
  if (res.statusCode !== 200) throw new Error(`login ${userId}: ${res.statusCode} ${res.body}`);
  const cookie = sessionCookie(res)!;
  const me = res.json();
  return { userId, cookie, csrf: me.csrfToken, read: { cookie }, write: { cookie, 'x-csrf-token': me.csrfToken }, me };
}

/** A multipart/form-data body with one file field. */
export function multipartBody(field: string, fileName: string, content: Buffer, type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----sanse${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return { payload: Buffer.concat([head, content, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

// The app as a browser and an attacker meet it: the outbox API by role, security headers and
// no-store, cross-site forms refused, the sandbox's messages within the reader's scope, Chinese
// answers for unknown paths and malformed requests, and the dependencies pinned for Node 20.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enqueue } from '../../db/outbox.ts';
import { createZhengDingPlatform } from '../../bot/zhengding/adapter.ts';
import type { InboundHandler } from '../../bot/platform.ts';
import { subtreeIds } from '../../db/scope.ts';
import { buildApp } from '../../main/app.ts';
import { CROSS_SITE_REFUSED } from '../../server/auth/cross-site.ts';
import { MSG } from '../../server/auth/session.ts';
import { errorHandlers } from '../../server/http/errors.ts';
import { securityHeaders } from '../../server/http/security-headers.ts';
import { miniappRoutes } from '../../server/routes/miniapp.ts';
import { loadConfig } from '../../server/config.ts';
import type { AppContext } from '../../server/context.ts';
import { startPlatform, type PlatformRuntime } from '../../main/platform.ts';
import { login, nextIp, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let runtime: PlatformRuntime;
/** The app with the sandbox platform, as `sanse serve` builds it (/sandbox and its API). */
let app: FastifyInstance;
let admin: Session;
let leader: Session;
let specialistA: Session;
let specialistB: Session;
let unitA: Row;
let unitB: Row;

const PUBLIC = 'http://127.0.0.1:3000';
const EVIL = 'http://evil.example';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function deadRow(key: string): Promise<number> {
  await a.t.db.transaction(async (trx) => {
    await enqueue(trx, key, { op: 'createCard', target: { kind: 'group', id: 'cid-x' }, card: { template: 'unit-digest', data: { unitCode: 'x' } } } as any);
  });
  await a.t.db('outbox').where({ dedup_key: key }).update({ state: 'dead', attempts: 6, last_error: 'Fatal: test' });
  return Number((await a.t.db('outbox').where({ dedup_key: key }).first('id')).id);
}

beforeAll(async () => {
  a = await startApp();
  runtime = await startPlatform(a.ctx.config, a.t.db);
  app = await buildApp(a.ctx, runtime);
  await app.ready();
  admin = await login(app, 'demo-admin');
  leader = await login(app, 'demo-leader');
  // A: a specialist's unit; B: a unit with a work group outside A's subtree.
  const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
  for (const s of specialists) {
    const u = await a.t.db('units').where({ id: s.unit_id }).whereNotNull('group_id').first();
    if (!u) continue;
    const sub = await subtreeIds(a.t.db, Number(u.id));
    // B: another unit's specialist, neither unit in the other's subtree.
    const others: Row[] = await a.t.db('users as x').join('units as n', 'n.id', 'x.unit_id').where('x.role', '单位专管员').whereNotIn('n.id', sub).whereNotNull('n.group_id')
      .orderBy('x.id').select('x.id as user_id', 'n.*');
    let b: Row | undefined;
    for (const o of others) if (!(await subtreeIds(a.t.db, Number(o.id))).includes(Number(u.id))) { b = o; break; }
    if (!b) continue;
    unitA = u;
    unitB = b;
    specialistA = await login(app, s.id);
    specialistB = await login(app, b.user_id);
    break;
  }
  const at = '2026-11-23 08:30:00';
  const msg = (conversation: string, text: string) => ({ conversation, card_id: null, payload: JSON.stringify({ kind: 'message', message: { kind: 'text', content: text } }), at });
  await a.t.db('sandbox_messages').insert([
    msg(`group:${unitA.group_id}`, 'A 群消息'),
    msg(`group:${unitB.group_id}`, 'B 群消息'),
    msg(`user:${specialistA.userId}`, '给 A 专管员的单聊'),
    msg('user:demo-admin', '给编办管理员的单聊'),
  ]);
});
afterAll(async () => {
  await app?.close();
  await runtime?.stop();
  await a?.close();
});

describe('outbox API: the office administrators only, by role', () => {
  it('answers 401 without a session', async () => {
    for (const url of ['/api/outbox/dead', '/api/outbox/stats']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe(MSG.notLoggedIn);
    }
  });

  it('refuses a 单位专管员 and a 分管领导 in Chinese, and resends nothing for them', async () => {
    const id = await deadRow('refused:1');
    for (const s of [specialistA, leader]) {
      for (const [method, url] of [['GET', '/api/outbox/dead'], ['GET', '/api/outbox/stats'], ['POST', `/api/outbox/${id}/resend`]] as const) {
        const res = await app.inject({ method, url, headers: s.write, remoteAddress: '127.0.0.1' });
        expect(res.statusCode, `${s.me.role} ${method} ${url}`).toBe(403);
        expect(res.json().error).toBe(MSG.forbidden);
      }
    }
    expect((await a.t.db('outbox').where({ id }).first()).state).toBe('dead');
  });

  it('lets an 编办管理员 list and resend from any address (no guard by the caller\'s IP)', async () => {
    const id = await deadRow('allowed:1');
    const list = await app.inject({ method: 'GET', url: '/api/outbox/dead', headers: admin.read, remoteAddress: '10.9.8.7' });
    expect(list.statusCode).toBe(200);
    expect(list.json().map((r: Row) => r.id)).toContain(id);
    const res = await app.inject({ method: 'POST', url: `/api/outbox/${id}/resend`, headers: admin.write, remoteAddress: '10.9.8.7' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, state: 'pending' });
  });
});

describe('security headers', () => {
  const expectHeaders = (h: Record<string, unknown>, where: string) => {
    const csp = String(h['content-security-policy']);
    expect(csp, where).toContain("default-src 'self'");
    expect(csp, where).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;/);
    expect(csp, where).toContain("frame-ancestors 'self'");
    expect(csp, where).toContain("object-src 'none'");
    expect(csp, where).not.toContain('upgrade-insecure-requests'); // http here
    expect(h['x-content-type-options'], where).toBe('nosniff');
    expect(h['referrer-policy'], where).toBe('same-origin');
    expect(h['x-frame-options'], where).toBe('SAMEORIGIN');
  };

  it('are on the overview, the mini-app, the sandbox and a 404', async () => {
    for (const url of ['/', '/m/', '/sandbox', '/nope']) {
      const res = await app.inject({ method: 'GET', url, headers: admin.read });
      expectHeaders(res.headers, url);
    }
  });

  it('let an API answer load nothing and be framed by nothing, a refusal and an unknown path included', async () => {
    for (const [url, headers] of [['/api/me', admin.read], ['/api/health', {}], ['/api/me', {}], ['/api/nope', admin.read]] as const) {
      const h = (await app.inject({ method: 'GET', url, headers })).headers;
      expect(h['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(h['x-content-type-options'], url).toBe('nosniff');
      expect(h['x-frame-options'], url).toBe('DENY');
      expect(h['referrer-policy'], url).toBe('same-origin');
      expect(h['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(h['cache-control'], url).toBe('no-store');
    }
  });

  it('allow the sandbox\'s inline script by its hash, and no other inline script', async () => {
    const res = await app.inject({ method: 'GET', url: '/sandbox' });
    expect(res.statusCode).toBe(200);
    const scripts = [...res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const csp = String(res.headers['content-security-policy']);
    for (const s of scripts) expect(csp).toContain(`'sha256-${crypto.createHash('sha256').update(s).digest('base64')}'`);
    expect(csp).not.toContain("'unsafe-inline' 'self'");
    expect(/script-src[^;]*unsafe-inline/.test(csp)).toBe(false);
  });

  it('mark every /api and /auth answer no-store, the full ID number and refusals included', async () => {
    const person = await a.t.db('people').orderBy('id').first('id');
    const full = await app.inject({ method: 'GET', url: `/api/people/${person.id}/id-number`, headers: admin.read });
    expect(full.statusCode).toBe(200);
    expect(full.headers['cache-control']).toBe('no-store');
    for (const [url, headers] of [['/api/me', admin.read], ['/api/findings', specialistA.read], ['/api/me', {}], ['/api/nope', {}], ['/api/outbox/dead', leader.read]] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    const logout = await app.inject({ method: 'POST', url: '/auth/logout' });
    expect(logout.headers['cache-control']).toBe('no-store');
  });

  it('let a browser keep the built mini-app (index revalidated, hashed assets a year), whether or not this clone has built it', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>三色</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-1a2b3c.js'), 'export {}');
    const b = Fastify({ logger: false });
    try {
      await securityHeaders(b, { https: false });
      await b.register(miniappRoutes, { root: dist });
      const index = await b.inject({ method: 'GET', url: '/m/' });
      expect(index.statusCode).toBe(200);
      expect(index.headers['cache-control']).toBe('no-cache');
      expect(String(index.headers['content-security-policy'])).toContain("default-src 'self'");
      const asset = await b.inject({ method: 'GET', url: '/m/assets/app-1a2b3c.js' });
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      fs.rmSync(path.join(dist, 'index.html'));
      const missing = await b.inject({ method: 'GET', url: '/m/' });
      expect(missing.statusCode).toBe(503);
      expect(missing.body).toContain('npm run build:miniapp');
    } finally {
      await b.close();
      fs.rmSync(dist, { recursive: true, force: true });
    }
  });

  it('upgrade insecure requests and send HSTS only when PUBLIC_BASE_URL is https', async () => {
    const ctx: AppContext = { ...a.ctx, config: loadConfig({ PLATFORM: 'sandbox', PUBLIC_BASE_URL: 'https://sanse.example.gov.cn' }) };
    const b = await buildApp(ctx);
    try {
      const res = await b.inject({ method: 'GET', url: '/api/health' });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      const page = await b.inject({ method: 'GET', url: '/sandbox' });
      expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
      expect(page.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect((await app.inject({ method: 'GET', url: '/api/health' })).headers['strict-transport-security']).toBeUndefined();
    } finally {
      await b.close();
    }
  });
});

describe('cross-site requests', () => {
  const me = async (s: Session) => (await app.inject({ method: 'GET', url: '/api/me', headers: s.read })).json();

  it('refuses a foreign page\'s form posted to /auth/logout (Origin, or Sec-Fetch-Site) and the session survives', async () => {
    const victim = await login(app, specialistA.userId);
    for (const from of [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'cross-site', origin: EVIL }, { referer: `${EVIL}/x.html` }, { origin: 'null' }, { 'sec-fetch-site': 'same-site', origin: 'http://other.127.0.0.1:3000' }]) {
      const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: { ...FORM, ...from, cookie: victim.cookie, accept: 'text/html' }, payload: '', remoteAddress: nextIp() });
      expect(res.statusCode, JSON.stringify(from)).toBe(403);
      expect(res.body).toContain(CROSS_SITE_REFUSED);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect((await me(victim)).id).toBe(victim.userId);
    }
    // Also as JSON (a fetch from the foreign page): refused, and in JSON.
    const json = await app.inject({ method: 'POST', url: '/auth/logout', headers: { origin: EVIL, cookie: victim.cookie }, remoteAddress: nextIp() });
    expect(json.statusCode).toBe(403);
    expect(json.json()).toEqual({ error: CROSS_SITE_REFUSED });
    expect(await a.t.db('sessions').where({ user_id: victim.userId }).first()).toBeTruthy();
  });

  it('refuses a foreign form that would switch the sandbox session to another user', async () => {
    const victim = await login(app, specialistA.userId);
    const res = await app.inject({ method: 'POST', url: '/auth/sandbox/login', headers: { ...FORM, origin: EVIL, 'sec-fetch-site': 'cross-site', cookie: victim.cookie }, payload: 'userId=demo-admin', remoteAddress: nextIp() });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await me(victim)).id).toBe(specialistA.userId);
  });

  it('refuses foreign posts to the sandbox\'s chat and card buttons', async () => {
    const before = Number((await a.t.db('sandbox_messages').count({ n: '*' }))[0]!.n);
    const say = await app.inject({ method: 'POST', url: '/sandbox/say', headers: { ...FORM, origin: EVIL }, payload: `conversation=group:${unitA.group_id}&as=demo-admin&text=帮助`, remoteAddress: nextIp() });
    expect(say.statusCode).toBe(403);
    const press = await app.inject({ method: 'POST', url: '/sandbox/press', headers: { ...FORM, 'sec-fetch-site': 'cross-site' }, payload: 'cardId=x&actionId=recheck', remoteAddress: nextIp() });
    expect(press.statusCode).toBe(403);
    expect(Number((await a.t.db('sandbox_messages').count({ n: '*' }))[0]!.n)).toBe(before);
  });

  it('lets the app\'s own pages post: same origin by Sec-Fetch-Site, Origin or Referer, and clients without them', async () => {
    for (const from of [{ 'sec-fetch-site': 'same-origin' }, { origin: PUBLIC }, { referer: `${PUBLIC}/m/` }, { origin: 'http://localhost:3000', host: 'localhost:3000' }, {}]) {
      const s = await login(app, 'demo-admin');
      const res = await app.inject({ method: 'POST', url: '/auth/logout', headers: { ...from, cookie: s.cookie }, remoteAddress: nextIp() });
      expect(res.statusCode, JSON.stringify(from)).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/me', headers: s.read })).statusCode).toBe(401);
    }
    const say = await app.inject({ method: 'POST', url: '/sandbox/say', headers: { ...FORM, 'sec-fetch-site': 'same-origin' }, payload: `conversation=group:${unitA.group_id}&as=demo-admin&text=帮助`, remoteAddress: nextIp() });
    expect(say.statusCode).toBe(302);
  });

  it('still takes the Zheng-Ding robot\'s server-to-server callback (tokened, without Origin)', async () => {
    const config = loadConfig({ PLATFORM: 'zhengding', ZWDD_APP_KEY: 'k', ZWDD_APP_SECRET: 's', ZWDD_TENANT_ID: '1', ZWDD_API_BASE: 'http://127.0.0.1:9', ZWDD_CALLBACK_TOKEN: 'cb-secret-1234567890' });
    const platform = createZhengDingPlatform(config.zhengding, { warn: () => {}, info: () => {} });
    const handler = vi.fn<InboundHandler>(async () => undefined);
    await platform.start(handler);
    const z = await buildApp({ ...a.ctx, config }, { platform, dispatcher: null as never, kick: () => {}, stop: async () => {} });
    try {
      const res = await z.inject({
        method: 'POST', url: '/callbacks/zhengding?token=cb-secret-1234567890', headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ msgtype: 'text', text: { content: '帮助' }, msgId: 'm-1', senderId: '1001', senderNick: '张三', conversationId: 'cid-1', conversationType: '2' }),
      });
      expect(res.statusCode).toBe(200);
      expect(handler).toHaveBeenCalledTimes(1);
    } finally {
      await z.close();
      await platform.stop();
    }
  });
});

describe('GET /api/sandbox/messages within the reader\'s scope', () => {
  const conversations = async (s: Session, q = '') => {
    const res = await app.inject({ method: 'GET', url: `/api/sandbox/messages${q}`, headers: s.read });
    return { status: res.statusCode, body: res.json(), set: res.statusCode === 200 ? new Set(res.json().map((m: Row) => m.conversation)) : new Set() };
  };

  it('gives a unit\'s specialist its unit\'s group and its own 1:1 chat, not another unit\'s group or another user\'s chat', async () => {
    const r = await conversations(specialistA);
    expect(r.status).toBe(200);
    expect(r.set.has(`group:${unitA.group_id}`)).toBe(true);
    expect(r.set.has(`user:${specialistA.userId}`)).toBe(true);
    expect(r.set.has(`group:${unitB.group_id}`)).toBe(false);
    expect(r.set.has('user:demo-admin')).toBe(false);
    const other = await conversations(specialistA, `?c=${encodeURIComponent(`group:${unitB.group_id}`)}`);
    expect(other.status).toBe(403);
    expect(other.body.error).toBe(MSG.outOfScope);
    expect((await conversations(specialistA, '?c=user%3Ademo-admin')).status).toBe(403);
    const own = await conversations(specialistA, `?c=${encodeURIComponent(`group:${unitA.group_id}`)}`);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).toContain('A 群消息');
    expect(JSON.stringify(own.body)).not.toContain('B 群消息');
  });

  it('gives the other unit\'s specialist its own group and chat, not the first unit\'s', async () => {
    const r = await conversations(specialistB);
    expect(r.status).toBe(200);
    expect(r.set.has(`group:${unitB.group_id}`)).toBe(true);
    expect(r.set.has(`group:${unitA.group_id}`)).toBe(false);
    expect(r.set.has(`user:${specialistA.userId}`)).toBe(false);
    expect((await conversations(specialistB, `?c=${encodeURIComponent(`user:${specialistA.userId}`)}`)).status).toBe(403);
  });

  it('gives the office roles every conversation, and nobody without a login', async () => {
    for (const s of [admin, leader]) {
      const r = await conversations(s);
      for (const c of [`group:${unitA.group_id}`, `group:${unitB.group_id}`, `user:${specialistA.userId}`, 'user:demo-admin']) expect(r.set.has(c), `${s.me.role} ${c}`).toBe(true);
    }
    expect((await app.inject({ method: 'GET', url: '/api/sandbox/messages' })).statusCode).toBe(401);
  });
});

describe('unknown paths and malformed requests answer in Chinese', () => {
  it('a page for browsers, JSON under /api/', async () => {
    const page = await app.inject({ method: 'GET', url: '/x', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('您访问的页面或接口不存在');
    expect(page.body).not.toMatch(/Route|not found/);
    const api = await app.inject({ method: 'GET', url: '/api/x' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: '您访问的页面或接口不存在' });
    const post = await app.inject({ method: 'POST', url: '/api/nothing/here', headers: admin.write });
    expect(post.statusCode).toBe(404);
    expect(post.json().error).toBe('您访问的页面或接口不存在');
  });

  it('a bad URL, a broken body and an unknown content type: 400/415 in Chinese', async () => {
    const bad = await app.inject({ method: 'GET', url: '/m/%E0%A4%A', headers: { accept: 'text/html' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('请求格式有误');
    const broken = await app.inject({ method: 'POST', url: '/sandbox/say', headers: { 'content-type': 'application/json', accept: 'text/html' }, payload: '{"conversation":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('请求格式有误');
    const brokenApi = await app.inject({ method: 'POST', url: '/api/outbox/1/resend', headers: { ...admin.write, 'content-type': 'application/json' }, payload: '{' });
    expect(brokenApi.statusCode).toBe(400);
    expect(brokenApi.json()).toEqual({ error: '请求格式有误' });
    const type = await app.inject({ method: 'POST', url: '/sandbox/say', headers: { 'content-type': 'application/x-unknown' }, payload: 'x' });
    expect(type.statusCode).toBe(415);
    expect(type.json()).toEqual({ error: '不支持的内容类型' });
    const big = await app.inject({ method: 'POST', url: '/sandbox/say', headers: { ...FORM, accept: 'text/html' }, payload: `text=${'x'.repeat(2 * 1024 * 1024)}` });
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('上传内容过大');
  });

  it('an unexpected error: 500 in Chinese, without its English message, and logged', async () => {
    const logged: string[] = [];
    const s = Fastify({ logger: { level: 'error', stream: { write: (l: string) => logged.push(l) } } });
    errorHandlers(s);
    s.get('/boom', async () => { throw new Error('Maximum call stack size exceeded'); });
    s.get('/api/boom', async () => { throw new Error('Maximum call stack size exceeded'); });
    const page = await s.inject({ method: 'GET', url: '/boom', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain('服务器内部错误，请稍后重试');
    expect(page.body).not.toContain('Maximum');
    const api = await s.inject({ method: 'GET', url: '/api/boom' });
    expect(api.json()).toEqual({ error: '服务器内部错误，请稍后重试' });
    expect(logged.join('')).toContain('Maximum call stack size exceeded');
    await s.close();
  });
});

describe('dependencies pinned for Node 20', () => {
  it('inject sends cookies given as an object (light-my-request with cookie 1.x)', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/me', cookies: { sanse_sid: admin.cookie.slice('sanse_sid='.length) } });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe('demo-admin');
  });

  it('@fastify/static serves files and downloads with a Chinese name (content-disposition 2.x)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-static-'));
    fs.writeFileSync(path.join(dir, 'a.txt'), '三色');
    const s = Fastify();
    try {
      await s.register(fastifyStatic, { root: dir, prefix: '/f/' });
      s.get('/dl', (_req, reply) => reply.download('a.txt', '整改清单.txt'));
      expect((await s.inject({ method: 'GET', url: '/f/a.txt' })).body).toBe('三色');
      const dl = await s.inject({ method: 'GET', url: '/dl' });
      expect(dl.statusCode).toBe(200);
      expect(dl.headers['content-disposition']).toBe(`attachment; filename="????.txt"; filename*=UTF-8''${encodeURIComponent('整改清单.txt')}`);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Security headers on every answer: the pages get @fastify/helmet's set, the JSON API a lean set
// that allows it to load nothing (`apiHeaders`); `Cache-Control: no-store` on every /api/ and
// /auth/ answer (they carry personal data, ID numbers and CSRF tokens).
//
// The CSP fits what the pages really load: the mini-app and console (Vite build at /m/: module
// scripts and a stylesheet from /m/assets/, the DingTalk and Zheng-Ding JS-API chunks, which talk
// to the client through objects it injects, never through frames or remote scripts), the
// server-rendered pages (overview, /sandbox: inline <style>, style attributes, and one inline
// script, allowed by its hash) and fetches to the same origin only. Styles may be inline (the
// pages and preact use them); scripts may not. The platforms open the H5 page as a top page,
// so no frame of another origin may hold it.

import crypto from 'node:crypto';
import fs from 'node:fs';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

const VIEWS = new URL('../views/', import.meta.url);

/** CSP source expressions ('sha256-…') of the inline scripts of server/views/*.hbs. */
export function inlineScriptHashes(dir: URL = VIEWS): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.hbs')).sort()) {
    const html = fs.readFileSync(new URL(name, dir), 'utf8');
    for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
      if (m[1]!.includes('{{')) throw new Error(`${name}：内联脚本不能含模板变量（其哈希须固定）`);
      out.push(`'sha256-${crypto.createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
    }
  }
  return out;
}

/** Paths whose answers must never be stored by a browser or a proxy. */
export const isPrivatePath = (url: string) => url.startsWith('/api/') || url === '/api' || url.startsWith('/auth/');

/** The options of @fastify/helmet for this app. */
function helmetOptions(https: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptHashes()],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        // Only on https: on a plain-http deployment it would send every same-origin request to https.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // A link out of the app (a card's URL, a login page) carries no path or query of ours.
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: https ? { maxAge: 31_536_000 } : false,
  };
}

/**
 * The headers @fastify/helmet sets with these options, asked of it once. The plugin builds
 * helmet's middleware again on every request (options validated, CSP string joined): measured,
 * that halved the requests per second of a plain route. The headers do not depend on the request
 * (no nonces), so one answer gives them all.
 */
export async function helmetHeaders(https: boolean): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, helmetOptions(https));
  probe.get('/', async () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (['content-type', 'content-length', 'date', 'connection'].includes(k) || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  if (!out['content-security-policy']) throw new Error('@fastify/helmet 未给出 Content-Security-Policy');
  return out;
}

/**
 * The headers of an /api/ answer: JSON, never a page, so it may load nothing, be framed by
 * nothing and be stored by nothing. A lean set (about a fifth of the page set's bytes) because
 * the API is what phones call most.
 */
export function apiHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(https ? { 'strict-transport-security': HSTS } : {}),
  };
}

/** Strict-Transport-Security on https: a year, subdomains included. */
export const HSTS = 'max-age=31536000; includeSubDomains';

const isApiPath = (url: string) => url.startsWith('/api/') || url === '/api' || url.startsWith('/api?');

export async function securityHeaders(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  const page = await helmetHeaders(opts.https);
  const api = apiHeaders(opts.https);
  app.addHook('onRequest', async (req, reply) => {
    if (isApiPath(req.url)) return void reply.headers(api);
    reply.headers(page);
    if (isPrivatePath(req.url)) reply.header('cache-control', 'no-store');
  });
}

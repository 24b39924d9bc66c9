// Refuses state-changing requests another site's page makes the browser send (a form posted
// to /auth/logout, to the sandbox login, to /sandbox/press…): the session cookie is SameSite=Lax,
// which stops it on a cross-site POST in today's browsers, but not in every client, and a
// request without a session can still be harmful (a forced login into another account).
//
// The browser says where a request comes from: `Sec-Fetch-Site` (same-origin / none: the user's
// own navigation; cross-site and same-site, a sibling host, are not ours), and, where that header
// is missing (older clients), `Origin`, else `Referer`, compared with PUBLIC_BASE_URL's origin
// (or the host the request was sent to, for a server reached under another name than its
// public one). A request with none of them is not a browser's cross-site form: the platforms'
// server-to-server callbacks (signed or tokened) and command-line clients pass.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendRefusal } from '../http/errors.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CROSS_SITE_REFUSED = '拒绝来自其他网站的请求：请在“三色”页面内操作';

function originOf(v: string): string | null {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** Whether the browser says this request comes from a page of ours; undefined: it says nothing. */
export function sameOrigin(req: FastifyRequest, publicOrigin: string): boolean | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return true;
  const from = typeof req.headers.origin === 'string' ? req.headers.origin
    : typeof req.headers.referer === 'string' ? req.headers.referer : undefined;
  if (from === undefined) return site === undefined ? undefined : false;
  const origin = originOf(from); // 'null' (a sandboxed frame, a data: page) is no origin
  if (origin === null) return false;
  const host = req.headers.host;
  return origin === publicOrigin || (typeof host === 'string' && new URL(origin).host === host.toLowerCase());
}

export function crossSiteGuard(app: FastifyInstance, opts: { publicBaseUrl: string }): void {
  const publicOrigin = new URL(opts.publicBaseUrl).origin;
  app.addHook('onRequest', async (req, reply) => {
    if (!UNSAFE.has(req.method)) return;
    if (sameOrigin(req, publicOrigin) === false) {
      req.log.warn({ origin: req.headers.origin ?? null, site: req.headers['sec-fetch-site'] ?? null }, 'cross-site request refused');
      return sendRefusal(req, reply, 403, '请求被拒绝', CROSS_SITE_REFUSED);
    }
  });
}

// The app's answers to what no route handles: an unknown path, a request the framework refuses
// before a route runs (bad URL, bad body, wrong content type, too large) and errors no plugin
// of its own catches. Chinese everywhere: JSON `{error}` under /api/ (and for clients that do not
// ask for HTML), a short page otherwise. Plugins with their own error handler (the API, logins)
// keep it.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CommandError } from '../../commands/errors.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A small Chinese page (no script). */
export function messagePage(title: string, message: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>三色 · ${escapeHtml(title)}</title></head>`
    + `<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222">`
    + `<h1 style="font-size:1.2rem">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/m/">返回首页</a></p></body></html>`;
}

/** JSON under /api/ and for clients that do not ask for HTML; a page for browsers navigating elsewhere. */
export function sendRefusal(req: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) {
  reply.code(status);
  const api = req.url === '/api' || req.url.startsWith('/api/') || req.url.startsWith('/api?');
  // A browser navigating (a form, a link) asks for text/html; fetch() and other clients do not.
  const html = !api && String(req.headers.accept ?? '').includes('text/html');
  if (!html) return reply.send({ error: message });
  return reply.type('text/html; charset=utf-8').send(messagePage(title, message));
}

export const ERRORS = {
  notFound: '您访问的页面或接口不存在',
  badRequest: '请求格式有误',
  tooLarge: '上传内容过大',
  mediaType: '不支持的内容类型',
  server: '服务器内部错误，请稍后重试',
} as const;

/** What a framework error means to the user, by status. */
function explain(err: FastifyError): { status: number; title: string; message: string } {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status === 404) return { status, title: '页面不存在', message: ERRORS.notFound };
  if (status === 413) return { status, title: '内容过大', message: ERRORS.tooLarge };
  if (status === 415) return { status, title: '请求无效', message: ERRORS.mediaType };
  if (status === 429) return { status, title: '请求过于频繁', message: '请求过于频繁，请稍后再试' };
  if (status < 500) return { status, title: '请求无效', message: ERRORS.badRequest };
  return { status: 500, title: '服务器出错', message: ERRORS.server };
}

export function errorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => sendRefusal(req, reply, 404, '页面不存在', ERRORS.notFound));
  app.setErrorHandler((err: FastifyError | CommandError, req, reply) => {
    // A command's refusal, wherever a route called it: its status and its Chinese sentence.
    if (err instanceof CommandError) return sendRefusal(req, reply, err.status, '无法完成', err.message);
    const e = explain(err);
    if (e.status >= 500) req.log.error(err);
    return sendRefusal(req, reply, e.status, e.title, e.message);
  });
}

/** Fastify's `frameworkErrors` option: a bad URL (`/%E0`) and the like, before any route. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = explain(err);
  return sendRefusal(req, reply, e.status, e.title, e.message);
}

/** frameworkErrors with headers no hook gives such an answer (fastify sends it before onRequest and onSend): HSTS on https. */
export function frameworkErrorsWith(headers: Record<string, string>) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    reply.headers(headers);
    return frameworkErrors(err, req, reply);
  };
}

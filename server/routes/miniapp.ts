// The mini-app and web console (miniapp/, built by `npm run build:miniapp` to miniapp/dist),
// served at /m/. Hashed assets are cached for a year, index.html never, so a new build is picked
// up on the next visit. Without a build, /m/ answers a Chinese page saying how to make one.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const MINIAPP_DIST = fileURLToPath(new URL('../../miniapp/dist/', import.meta.url));

export interface MiniappOptions {
  /** The built app (default miniapp/dist). */
  root?: string;
}

const MISSING_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>三色 · 小程序尚未构建</title></head>
<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f0f2f5;margin:0;padding:40px 16px;color:#222">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:10px;padding:20px;box-shadow:0 1px 2px rgba(0,0,0,.06)">
<h1 style="font-size:20px;margin-top:0">小程序尚未构建</h1>
<p>服务器上还没有“三色”小程序和控制台的页面文件（miniapp/dist）。</p>
<p>请在项目目录下运行：</p>
<pre style="background:#f5f5f5;padding:10px;border-radius:6px">npm run build:miniapp</pre>
<p>构建完成后刷新本页即可，无需重启服务。</p>
</div></body></html>`;

export async function miniappRoutes(app: FastifyInstance, opts: MiniappOptions = {}): Promise<void> {
  const root = path.resolve(opts.root ?? MINIAPP_DIST);
  const index = path.join(root, 'index.html');

  // Checked on every request, so a build made while the server runs is served at once.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/m')) return;
    if (existsSync(index)) return;
    return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(MISSING_PAGE);
  });

  app.get('/m', async (_req, reply) => reply.redirect('/m/'));
  await app.register(fastifyStatic, {
    root,
    prefix: '/m/',
    index: ['index.html'],
    wildcard: true,
    decorateReply: false,
    suppressWarning: true,
    // The build writes .br and .gz beside each asset: sent to clients that accept them.
    preCompressed: true,
    setHeaders(reply, file) {
      if (file.includes(`${path.sep}assets${path.sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      else reply.header('cache-control', 'no-cache');
    },
  });
}

// The mini-app and console API (server/API.md): findings, units, people, import, export, check.
// The session guard (server/auth/session.ts) has already refused requests without a login or
// without the CSRF token; every route here checks the role and the unit scope itself.

import os from 'node:os';
import path from 'node:path';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { todayInShanghai } from '../../../core/dates.ts';
import type { IsoDate } from '../../../core/model.ts';
import type { AppContext } from '../../context.ts';
import { adminRoutes } from './admin.ts';
import { CommandError } from '../../../commands/errors.ts';
import type { ApiDeps } from './common.ts';
import { exportRoutes } from './exports.ts';
import { findingRoutes } from './findings.ts';
import { personRoutes } from './people.ts';
import { unitRoutes } from './units.ts';

export interface ApiRoutesOptions {
  ctx: Pick<AppContext, 'db' | 'pii' | 'config'>;
  kick?: () => void;
  today?: () => IsoDate;
  /** Uploads, error workbooks and exports (default: the system's temp dir). */
  workDir?: string;
}

export const apiRoutes: FastifyPluginAsync<ApiRoutesOptions> = async (app, opts) => {
  const deps: ApiDeps = {
    db: opts.ctx.db,
    pii: opts.ctx.pii,
    config: opts.ctx.config,
    today: opts.today ?? (() => todayInShanghai()),
    kick: opts.kick ?? (() => {}),
    workDir: opts.workDir ?? path.join(os.tmpdir(), 'sanse'),
  };

  app.setErrorHandler((err: FastifyError | CommandError, req, reply) => {
    if (err instanceof CommandError) return reply.code(err.status).send({ ...err.extra, error: err.message, ...(err.fields ? { fields: err.fields } : {}) });
    const status = err.statusCode ?? 500;
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') return reply.code(413).send({ error: '上传内容过大' });
    if (status === 415) return reply.code(415).send({ error: '不支持的内容类型' });
    if (status >= 400 && status < 500) return reply.code(status).send({ error: '请求格式有误' });
    req.log.error(err);
    return reply.code(500).send({ error: '服务器内部错误，请稍后重试' });
  });

  await app.register(findingRoutes, { deps });
  await app.register(unitRoutes, { deps });
  await app.register(personRoutes, { deps });
  await app.register(adminRoutes, { deps });
  await app.register(exportRoutes, { deps });
};

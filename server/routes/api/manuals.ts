// The user manuals (issue 18, server/API.md): GET /api/manuals/:which (office | unit) → the
// manual rendered for the help page (title, sections for the table of contents, HTML);
// GET /api/manuals/:which.pdf → the A4 PDF (commands/manuals.ts, audited as an export);
// GET /api/manuals/images/:file → a screenshot the manuals show. Every logged-in user may read
// both manuals (they hold no data of the office); the page opens the reader's own by default.

import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { isManualKind, manualImagePath, MANUAL_KINDS, renderManual } from '../../../cards/manuals.ts';
import { manualPdf } from '../../../commands/manuals.ts';
import { audit } from '../../../db/audit.ts';
import { ApiError, contentDisposition, userOf, type ApiDeps } from './common.ts';

const IMAGE_BASE = '/api/manuals/images/';
const NO_MANUAL = '没有这本操作手册（可选：office 编办用户操作手册、unit 部门(单位)用户操作手册）';

export const manualRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/manuals/images/:file', async (req, reply) => {
    userOf(req);
    const file = manualImagePath((req.params as { file: string }).file);
    if (!file || !fs.existsSync(file)) throw new ApiError(404, '没有这张操作手册截图');
    return reply.header('Content-Type', 'image/png').header('Cache-Control', 'private, max-age=300').send(fs.readFileSync(file));
  });

  for (const kind of MANUAL_KINDS) {
    app.get(`/api/manuals/${kind}.pdf`, async (req, reply) => {
      const user = userOf(req);
      const f = await manualPdf(kind, deps.today());
      await audit(db, user.id, 'export', 'manual', null, { kind: `manual-${kind}`, file: f.fileName, via: 'miniapp' }, { ip: req.ip });
      return reply.header('Content-Type', f.contentType).header('Content-Disposition', contentDisposition(f.fileName, `sanse-manual-${kind}.pdf`))
        .header('Cache-Control', 'no-store').send(f.body);
    });
  }

  app.get('/api/manuals/:which', async (req) => {
    userOf(req);
    const which = (req.params as { which: string }).which;
    if (!isManualKind(which)) throw new ApiError(404, NO_MANUAL);
    const m = renderManual(which, (name) => `${IMAGE_BASE}${name}`);
    return { kind: m.kind, title: m.title, sections: m.sections, html: m.html, pdf: `/api/manuals/${which}.pdf` };
  });
};

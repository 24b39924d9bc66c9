// GET /api/units (the units in scope with today's light and open counts) and
// POST /api/units/:id/self-check (the unit's records re-checked now, the self-check recorded).

import type { FastifyPluginAsync } from 'fastify';
import { unitLight } from '../../../core/lights.ts';
import { openCounts } from '../../../db/findings.ts';
import { unitsInScope } from '../../../db/units.ts';
import { WRITE_ROLES } from '../../../core/roles.ts';
import { recheckUnit } from '../../../commands/recheck-unit.ts';
import { requireRole, scopeIds, unitInScope, userOf, type ApiDeps } from './common.ts';

export const unitRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/units', async (req) => {
    const user = userOf(req);
    const ids = scopeIds(user);
    const units = await unitsInScope(db, ids);
    const counts = await openCounts(db, ids, deps.today());
    const list = units.map((u) => {
      const c = counts.get(Number(u.id)) ?? { red: 0, yellow: 0, hint: 0 };
      return {
        id: Number(u.id), code: u.code, name: u.name, parentCode: u.parent_code ?? null, regionName: u.region_name ?? null, nature: u.nature ?? null,
        light: unitLight(c), open: c.red + c.yellow + c.hint, red: c.red, yellow: c.yellow, hint: c.hint,
      };
    });
    return list.sort((a, b) => b.red - a.red || b.yellow - a.yellow || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  });

  app.post('/api/units/:unit/self-check', async (req) => {
    const user = userOf(req);
    requireRole(user, WRITE_ROLES);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const r = await recheckUnit(db, { actor: user, unitId: Number(unit.id), today: deps.today(), selfCheck: true });
    deps.kick();
    return r;
  });
};

// GET /api/units (the units in scope with today's light and open counts) and
// POST /api/units/:id/self-check (the unit's records re-checked now, the self-check recorded).

import type { FastifyPluginAsync } from 'fastify';
import { monthOf, addMonthsToMonth } from '../../../core/dates.ts';
import { unitLight } from '../../../core/lights.ts';
import { checkEnv } from '../../../db/check.ts';
import { nowMoment } from '../../../db/clock.ts';
import { WRITE_ROLES } from '../../../core/roles.ts';
import { recheckRecord } from '../../../commands/daily-check.ts';
import { openCounts, requireRole, scopeIds, unitInScope, userOf, type ApiDeps } from './common.ts';

type Row = Record<string, any>;

export const unitRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/units', async (req) => {
    const user = userOf(req);
    const ids = scopeIds(user);
    let q = db('units').select('id', 'code', 'name', 'parent_code', 'region_name', 'nature').orderBy('id');
    if (ids) q = q.whereIn('id', ids);
    const units: Row[] = await q;
    const counts = await openCounts(db, ids, deps.today());
    const list = units.map((u) => {
      const c = counts.get(Number(u.id)) ?? { red: 0, yellow: 0 };
      return {
        id: Number(u.id), code: u.code, name: u.name, parentCode: u.parent_code ?? null, regionName: u.region_name ?? null, nature: u.nature ?? null,
        light: unitLight(c), open: c.red + c.yellow, red: c.red, yellow: c.yellow,
      };
    });
    return list.sort((a, b) => b.red - a.red || b.yellow - a.yellow || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  });

  app.post('/api/units/:unit/self-check', async (req) => {
    const user = userOf(req);
    requireRole(user, WRITE_ROLES);
    const unit = await unitInScope(db, user, (req.params as { unit: string }).unit);
    const today = deps.today();
    const unitId = Number(unit.id);
    // Recorded first, so the unit's own rule on self-checks (U-PR) counts this one.
    const [inserted] = await db('self_checks').insert({ unit_id: unitId, user_id: user.id, at: nowMoment(), findings: 0 });
    const env = await checkEnv(db, today);
    let opened = 0;
    let resolved = 0;
    const people: Row[] = await db('people').where({ unit_id: unitId }).whereNotNull('id_hash').distinct('id_hash');
    for (const p of people) {
      const r = await recheckRecord(db, { personHash: p.id_hash }, today, env);
      opened += r?.opened.length ?? 0;
      resolved += r?.resolved.length ?? 0;
    }
    // The unit's own rules, re-checked by the unit's id (a credit code may be shared, U-IN-06).
    const r = await recheckRecord(db, { unitId }, today, env);
    opened += r?.opened.length ?? 0;
    resolved += r?.resolved.length ?? 0;
    const c = (await openCounts(db, [unitId], today)).get(unitId) ?? { red: 0, yellow: 0 };
    const open = c.red + c.yellow;
    await db('self_checks').where({ id: Number(inserted) }).update({ findings: open });
    const month = monthOf(today);
    const n = await db('self_checks').where({ unit_id: unitId }).where('at', '>=', `${month}-01`).where('at', '<', `${addMonthsToMonth(month, 1)}-01`).count({ n: '*' }).first();
    deps.kick();
    return {
      unit: { id: unitId, code: unit.code, name: unit.name },
      findings: { open, red: c.red, yellow: c.yellow, opened, resolved, people: people.length },
      selfChecksThisMonth: Number(n?.n ?? 0),
    };
  });
};

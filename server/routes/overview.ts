// The county overview of the sandbox: today's light of every unit and the open findings (most
// urgent first), in Chinese.

import fs from 'node:fs';
import Handlebars from 'handlebars';
import type { FastifyPluginAsync } from 'fastify';
import { todayInShanghai } from '../../core/dates.ts';
import { ruleByCode } from '../../core/rules/index.ts';
import { PHRASES } from '../../cards/render.ts';
import { listFindings } from '../../db/findings.ts';
import { latestLightsDate, unitLightsOn } from '../../db/units.ts';
import type { AppContext } from '../context.ts';

const template = Handlebars.compile(fs.readFileSync(new URL('../views/overview.hbs', import.meta.url), 'utf8'));

export const overviewRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;

  const latestDate = async (): Promise<string> => (await latestLightsDate(db)) ?? todayInShanghai();

  app.get('/', async (_req, reply) => {
    // Outside the sandbox the county's data is behind a login: the console.
    if (ctx.config.platform !== 'sandbox') return reply.redirect('/m/#/console');
    const date = await latestDate();
    const units = await unitLightsOn(db, date);
    const counts = { red: 0, yellow: 0, green: 0 } as Record<string, number>;
    for (const u of units) counts[u.light]++;
    const findings = await listFindings(db, { status: 'open', date: todayInShanghai(), limit: 300 });
    reply.type('text/html; charset=utf-8');
    return template({
      date,
      counts,
      units: units.filter((u) => u.light !== 'green').map((u) => ({ ...u, lightText: PHRASES.light[u.light as 'red'] })),
      findings: findings.map((f) => ({ ...f, title: ruleByCode(f.rule)?.title ?? f.rule, lightText: PHRASES.light[f.light] })),
    });
  });
};

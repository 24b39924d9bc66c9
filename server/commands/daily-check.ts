// Business actions that span db/ and bot/: the daily check with its alerts, and the re-check
// of one record with its card updates. The CLI, the schedule and the API call these.

import type { Knex } from 'knex';
import type { IsoDate } from '../../core/model.ts';
import { miniAppLinks, queueCardUpdates, queueDailyAlerts, type AlertSummary } from '../../bot/alerts.ts';
import { recheck, runCheck, type CheckEnv, type CheckSummary, type RecheckResult } from '../../db/check.ts';

export async function dailyCheck(db: Knex, date: IsoDate, publicBaseUrl: string): Promise<CheckSummary & { alerts: AlertSummary | null }> {
  let alerts: AlertSummary | null = null;
  const summary = await runCheck(db, date, {
    afterWrite: async (trx, fx) => {
      await queueCardUpdates(trx, fx.resolvedUnitIds, date, fx.calendar);
      alerts = await queueDailyAlerts(trx, date, fx.calendar, miniAppLinks(publicBaseUrl));
    },
  });
  return { ...summary, alerts };
}

export async function recheckRecord(db: Knex, target: { personHash: string } | { unitCode: string }, date: IsoDate, env?: CheckEnv): Promise<RecheckResult | null> {
  return recheck(db, target, date, env, async (trx, fx) => {
    if (fx.resolvedUnitIds.length) await queueCardUpdates(trx, fx.resolvedUnitIds, date, fx.calendar);
  });
}

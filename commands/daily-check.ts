// The daily check with its alerts, and the re-check of one record with its card updates: the
// check engine (db/check.ts) with the outbox rows that follow from it (commands/alerts.ts).

import type { Knex } from 'knex';
import { validDay } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { miniAppLinks, queueCardUpdates, queueDailyAlerts, type AlertSummary } from './alerts.ts';
import { recheck, runCheck, type CheckEnv, type CheckSummary, type RecheckResult, type RecheckTarget } from '../db/check.ts';

/**
 * The daily check of `date` with its alerts. The date's window around today is the caller's
 * to enforce (the API never widens it, the CLI does with --force); a date that is no real day
 * of the data's years is refused here for every caller, before anything is written.
 */
export async function dailyCheck(db: Knex, date: IsoDate, publicBaseUrl: string, opts: { signal?: AbortSignal } = {}): Promise<CheckSummary & { alerts: AlertSummary | null }> {
  validDay(date, '检查日期');
  opts.signal?.throwIfAborted();
  let alerts: AlertSummary | null = null;
  const summary = await runCheck(db, date, {
    signal: opts.signal,
    afterWrite: async (trx, fx) => {
      await queueCardUpdates(trx, fx.resolvedUnitIds, date, fx.calendar);
      alerts = await queueDailyAlerts(trx, date, fx.calendar, miniAppLinks(publicBaseUrl));
    },
  });
  return { ...summary, alerts };
}

export async function recheckRecord(db: Knex, target: RecheckTarget, date: IsoDate, env?: CheckEnv): Promise<RecheckResult | null> {
  return recheck(db, target, date, env, async (trx, fx) => {
    // The cards of the units where the re-check resolved or opened something.
    const touched = [...fx.resolvedUnitIds, ...fx.openedUnitIds];
    if (touched.length) await queueCardUpdates(trx, touched, date, fx.calendar);
  });
}

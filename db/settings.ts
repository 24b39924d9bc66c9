// An office's configuration as stored: its own settings, rule switches and parameters, and the
// local working-day overrides.

import type { Knex } from 'knex';
import { createCalendar, type WorkdayCalendar } from '../core/calendar.ts';
import type { RuleSetting } from '../core/check.ts';
import type { OfficeSettings } from '../core/rules/define.ts';

export interface Office extends OfficeSettings {
  name: string | null;
  regionName: string | null;
}

export async function getSetting<T>(db: Knex, key: string): Promise<T | null> {
  const r = await db('settings').where({ key }).first();
  return r ? (JSON.parse(r.value) as T) : null;
}

export async function putSetting(db: Knex, key: string, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  const updated = await db('settings').where({ key }).update({ value: json });
  if (!updated) await db('settings').insert({ key, value: json });
}

export async function loadOffice(db: Knex): Promise<Office> {
  const o = await getSetting<Partial<Office>>(db, 'office');
  return { regionCode: o?.regionCode ?? null, regionName: o?.regionName ?? null, name: o?.name ?? null };
}

export async function loadRuleSettings(db: Knex): Promise<Record<string, RuleSetting>> {
  const out: Record<string, RuleSetting> = {};
  for (const r of await db('rule_settings').select('*')) {
    out[r.code] = { enabled: Boolean(Number(r.enabled)), params: r.params ? JSON.parse(r.params) : undefined };
  }
  return out;
}

export async function setRuleSetting(db: Knex, code: string, setting: RuleSetting): Promise<void> {
  const row = { enabled: setting.enabled, params: setting.params ? JSON.stringify(setting.params) : null };
  const updated = await db('rule_settings').where({ code }).update(row);
  if (!updated) await db('rule_settings').insert({ code, ...row });
}

export async function loadCalendar(db: Knex): Promise<WorkdayCalendar> {
  const rows = await db('calendar_overrides').select('*');
  return createCalendar(rows.map((r) => ({ date: r.date, work: Boolean(Number(r.work)), note: r.note ?? undefined })));
}

// An office's configuration as stored: its own settings, rule switches and parameters, and the
// local working-day overrides.

import type { Knex } from 'knex';
import { createCalendar, type CalendarOverride, type WorkdayCalendar } from '../core/calendar.ts';

type Row = Record<string, any>;
import type { RuleSetting } from '../core/check.ts';
import type { OfficeSettings } from '../core/rules/define.ts';
import type { Read } from './batch.ts';
import { DEFAULT_NOTICE_SETTINGS, NOTICE_SETTINGS_KEY, parseNoticeSettings, type NoticeSettings } from '../core/half-year-notices.ts';

export interface Office extends OfficeSettings {
  name: string | null;
  regionName: string | null;
  /** The office's short name in document numbers (柯编: 柯编登〔2026〕12号, 柯编函〔2027〕3号); see core/official-document.ts. */
  shortName: string | null;
  /** The office's own work group (编办工作群): the weekly list, the 红黑榜 and the budget warnings go there. */
  groupId: string | null;
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

function officeOf(rows: Row[]): Office {
  const o = rows[0] ? (JSON.parse(rows[0].value) as Partial<Office>) : null;
  return { regionCode: o?.regionCode ?? null, regionName: o?.regionName ?? null, name: o?.name ?? null, shortName: o?.shortName ?? null, groupId: o?.groupId ?? null };
}

function ruleSettingsOf(rows: Row[]): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const r of rows) out[r.code] = { enabled: Boolean(Number(r.enabled)), params: r.params ? JSON.parse(r.params) : undefined };
  return out;
}

export async function loadRuleSettings(db: Knex): Promise<Record<string, RuleSetting>> {
  return ruleSettingsOf(await db('rule_settings').select('*'));
}

/** What a check is configured by: the office, the rule switches and parameters, the calendar's local overrides. */
export interface CheckConfig {
  office: Office;
  ruleSettings: Record<string, RuleSetting>;
  overrides: CalendarOverride[];
}

/** The office's settings row. */
export async function loadOffice(db: Knex): Promise<Office> {
  return officeOf(await db('settings').where({ key: 'office' }).select('value'));
}

/** The three reads of a CheckConfig, for one round trip with others (db/batch.ts); `done` gets it. */
export function checkConfigReads(db: Knex, done: (c: CheckConfig) => void): Read[] {
  const c: Partial<CheckConfig> = {};
  return [
    { query: db('settings').where({ key: 'office' }).select('value'), apply: (rows) => { c.office = officeOf(rows); } },
    { query: db('rule_settings').select('*'), apply: (rows) => { c.ruleSettings = ruleSettingsOf(rows); } },
    { query: db('calendar_overrides').select('*'), apply: (rows) => { c.overrides = overridesOf(rows); done(c as CheckConfig); } },
  ];
}

function overridesOf(rows: Row[]): CalendarOverride[] {
  return rows.map((r) => ({ date: r.date, work: Boolean(Number(r.work)), note: r.note ?? undefined }));
}

export async function setRuleSetting(db: Knex, code: string, setting: RuleSetting): Promise<void> {
  const row = { enabled: setting.enabled, params: setting.params ? JSON.stringify(setting.params) : null };
  const updated = await db('rule_settings').where({ code }).update(row);
  if (!updated) await db('rule_settings').insert({ code, ...row });
}

export async function loadCalendar(db: Knex): Promise<WorkdayCalendar> {
  return calendarFromRows(await calendarRowsQuery(db));
}

/** The calendar's rows as a read (for one round trip with others: db/batch.ts), and the calendar they make. */
export const calendarRowsQuery = (db: Knex): Knex.QueryBuilder => db('calendar_overrides').select('*');
export const calendarFromRows = (rows: Row[]): WorkdayCalendar => calendarOf(overridesOf(rows));

// The calendar of the last overrides seen, kept: building one costs more than reading the few
// override rows, and the rows say when it must be built again.
let lastCalendar: { key: string; calendar: WorkdayCalendar } | null = null;

export function calendarOf(overrides: CalendarOverride[]): WorkdayCalendar {
  const key = JSON.stringify(overrides);
  if (lastCalendar?.key !== key) lastCalendar = { key, calendar: createCalendar(overrides) };
  return lastCalendar.calendar;
}

/** Stores a setting that is not there yet; throws when it is (the unique key), so a first writer wins. */
export async function insertSetting(db: Knex, key: string, value: unknown): Promise<void> {
  await db('settings').insert({ key, value: JSON.stringify(value) });
}

/** The 半年交叉检查与书面函告's settings (core/half-year-notices.ts): the stored ones, checked, over the defaults. */
export async function loadNoticeSettings(db: Knex): Promise<NoticeSettings> {
  const stored = await getSetting<unknown>(db, NOTICE_SETTINGS_KEY);
  if (!stored) return DEFAULT_NOTICE_SETTINGS;
  const p = parseNoticeSettings(stored);
  return 'settings' in p ? p.settings : DEFAULT_NOTICE_SETTINGS;
}

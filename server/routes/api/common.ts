// What every /api route shares: its dependencies, the Chinese error, the checks of role and
// scope, and the findings as the API shows them.

import { findingDetailText, shownQualifier } from '../../../cards/details.ts';
import type { FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { WorkdayCalendar } from '../../../core/calendar.ts';
import { findingLight, redFrom } from '../../../core/lights.ts';
import { validDay } from '../../../core/dates.ts';
import type { FindingLight, IsoDate } from '../../../core/model.ts';
import { ruleByCode } from '../../../core/rules/index.ts';
import { inScope, scopeIds } from '../../../core/roles.ts';
import { CommandError } from '../../../commands/errors.ts';
import { openFindingsQuery, resolvedFindings, explainedFindings } from '../../../db/findings.ts';
import { idBirths, personWithUnitCode } from '../../../db/people.ts';
import { subtreeIds, unitsByRef } from '../../../db/scope.ts';
import type { PiiCipher } from '../../../db/pii.ts';
import { loadCalendar } from '../../../db/settings.ts';
import { MSG, type SessionUser } from '../../auth/session.ts';
import type { Config } from '../../config.ts';
import type { JobRunner } from '../../jobs/registry.ts';

export interface ApiDeps {
  db: Knex;
  pii: PiiCipher;
  config: Config;
  /** The business day (Asia/Shanghai). */
  today(): IsoDate;
  /** Sends what the outbox got (card updates, alerts) without waiting for the next poll. */
  kick(): void;
  /** Where uploads, error workbooks and exports are written. */
  workDir: string;
  /** The job registry's runner (POST /api/check queues the daily check there; GET /api/jobs lists its jobs). */
  jobs: JobRunner;
  /** The moment (ms) the jobs' next runs are reckoned from; default Date.now. */
  now?: () => number;
}

/** A route's refusal; a command's (CommandError) is answered the same way. */
export class ApiError extends CommandError {
  override name = 'ApiError';
}

type Row = Record<string, any>;

/** The logged-in user (the session guard has refused everyone else already). */
export function userOf(req: FastifyRequest): SessionUser {
  if (!req.user) throw new ApiError(401, MSG.notLoggedIn);
  return req.user;
}

export function requireRole(user: SessionUser, roles: ReadonlySet<string>, message: string = MSG.forbidden): void {
  if (!roles.has(user.role)) throw new ApiError(403, message);
}

export { inScope, scopeIds } from '../../../core/roles.ts';
export { isCountyOffice, requireCityLevel } from '../../../commands/city-level.ts';

/**
 * The unit a parameter names, within the user's scope. Units are addressed by their own id:
 * a credit code can be shared (rule U-IN-06), so a code names a unit only when exactly one unit
 * the user may see carries it (links made before ids keep working then); several → 409 with the
 * candidates `[{id, code, name}]` to choose from. 404 when there is none, 403 out of scope.
 */
export async function unitInScope(db: Knex, user: SessionUser, param: unknown): Promise<Row> {
  const raw = typeof param === 'string' || typeof param === 'number' ? String(param).trim() : '';
  const { byId, units } = await unitsByRef(db, raw);
  if (byId) {
    const unit = units[0];
    if (!unit) throw new ApiError(404, '没有该单位');
    if (!inScope(user, Number(unit.id))) throw new ApiError(403, MSG.outOfScope);
    return unit;
  }
  const c = raw.toUpperCase();
  if (!units.length) throw new ApiError(404, `没有统一社会信用代码为“${raw.slice(0, 32)}”的单位`);
  const mine = units.filter((u) => inScope(user, Number(u.id)));
  if (!mine.length) throw new ApiError(403, MSG.outOfScope);
  if (mine.length > 1) {
    throw new ApiError(409, `统一社会信用代码“${c}”对应多个单位，请选择其中一个：${mine.map((u) => `${u.name}（编号 ${u.id}）`).join('、')}`, { unit: '对应多个单位' }, {
      candidates: mine.map((u) => ({ id: Number(u.id), code: u.code, name: u.name })),
    });
  }
  return mine[0];
}

/** A person by row id: 404 when there is none, 403 when the person's unit is outside the scope. */
export async function personInScope(db: Knex, user: SessionUser, idParam: string, columns: string[] = ['*']): Promise<Row> {
  const id = /^[1-9]\d{0,9}$/.test(idParam) ? Number(idParam) : NaN;
  if (!Number.isSafeInteger(id)) throw new ApiError(404, '没有该人员');
  const person = await personWithUnitCode(db, id, columns);
  if (!person) throw new ApiError(404, '没有该人员');
  if (!inScope(user, Number(person.unit_id))) throw new ApiError(403, MSG.outOfScope);
  return person;
}

export interface FindingItem {
  id: number;
  rule: string;
  title: string;
  severity: string | null;
  /** The unit's credit code (shown; may be shared or empty) and its id (what links address). */
  unit: string;
  unitId: number;
  unitName: string;
  subject: { kind: string; id: number; name: string; idMasked: string | null };
  qualifier: string | null;
  light: FindingLight;
  openedOn: IsoDate;
  /** The day the finding turns (or turned) red if still open: its deadline. */
  redFrom: IsoDate;
  resolvedOn: IsoDate | null;
  /** open, resolved (已整改) or explained (已说明: a cross-system difference the office explained). */
  status: string;
  detail: Record<string, unknown> | null;
  /** The detail in Chinese, as every other place shows it (cards/details.ts). */
  detailText: string | null;
  /** The qualifier as users see it (null where it is an internal key, W-07). */
  qualifierText: string | null;
}

export interface FindingFilter {
  status: 'open' | 'resolved' | 'explained' | 'all';
  /** Unit ids (null: every unit). */
  unitIds: number[] | null;
  rule?: string;
  light?: FindingLight;
  /** Only this person's findings. */
  personId?: number;
  limit: number;
}

function parseDetail(s: unknown): Record<string, unknown> | null {
  if (typeof s !== 'string' || !s) return null;
  try {
    return JSON.parse(s) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function toItem(r: Row, today: IsoDate, cal: WorkdayCalendar): FindingItem {
  const rule = ruleByCode(r.rule);
  return {
    id: Number(r.id),
    rule: r.rule,
    title: rule?.title ?? r.rule,
    severity: rule?.severity ?? null,
    unit: r.code,
    unitId: Number(r.unit_id),
    unitName: r.unit_name,
    subject: { kind: r.subject_kind, id: Number(r.entity_id), name: r.subject_name, idMasked: r.subject_id_masked ?? null },
    qualifier: r.qualifier ?? null,
    light: r.status === 'resolved' || r.status === 'explained' ? 'green' : findingLight({ rule: r.rule, openedOn: r.opened_on, resolvedOn: null }, today, cal),
    openedOn: r.opened_on,
    redFrom: redFrom(r.opened_on, cal),
    resolvedOn: r.resolved_on ?? null,
    status: r.status,
    detail: parseDetail(r.detail),
    detailText: findingDetailText(r.rule, r.qualifier, parseDetail(r.detail)),
    qualifierText: shownQualifier(r.rule, r.qualifier),
  };
}

/**
 * Findings in the API's order: open ones most urgent first (red, yellow, then 提示; each by the earliest deadline);
 * then resolved ones, the latest resolved first. Lights are computed for `today`.
 */
export async function queryFindings(db: Knex, f: FindingFilter, today: IsoDate): Promise<FindingItem[]> {
  const cal = await loadCalendar(db);
  const out: FindingItem[] = [];
  if ((f.status === 'open' || f.status === 'all') && f.light !== 'green') {
    // Every open finding of the scope (a county has a few thousand), most urgent first; the light filter needs them all.
    out.push(...openFindingItems(await openFindingsQuery(db, f), today, cal, f));
  }
  if ((f.status === 'resolved' || f.status === 'all') && (!f.light || f.light === 'green') && out.length < f.limit) {
    const rows = await resolvedFindings(db, f, f.limit - out.length);
    out.push(...rows.map((r) => toItem(r, today, cal)));
  }
  // 已说明 apart from 已整改: its own filter, and after the resolved ones in 全部.
  if ((f.status === 'explained' || f.status === 'all') && (!f.light || f.light === 'green') && out.length < f.limit) {
    const rows = await explainedFindings(db, f, f.limit - out.length);
    out.push(...rows.map((r) => toItem(r, today, cal)));
  }
  return out;
}

/** Open findings' rows (openFindingsQuery: most urgent first) as items, in that order. */
export function openFindingItems(rows: Row[], today: IsoDate, cal: WorkdayCalendar, f: Pick<FindingFilter, 'light' | 'limit'>): FindingItem[] {
  return rows.map((r) => toItem(r, today, cal)).filter((i) => !f.light || i.light === f.light).slice(0, f.limit);
}

/**
 * P-ID-08 (出生日期与身份证不一致) as a role may read it. The finding stores the roster's date and
 * how far apart the two are; the number's own birth date is part of what the mask hides, so only
 * FULL_ID_ROLES get it beside (`idBirth`). The level is taken from the stored number when it is at
 * hand (findings stored before the rule told a year from a month say 'month' for both).
 */
export function birthMismatchFor(item: FindingItem, idBirth: string | null | undefined, fullIds: boolean): FindingItem {
  if (item.rule !== 'P-ID-08' || !item.detail) return item;
  const detail: Record<string, unknown> = { ...item.detail };
  const roster = typeof detail.birthDate === 'string' ? detail.birthDate : null;
  if (idBirth && roster) detail.level = roster.slice(0, 4) !== idBirth.slice(0, 4) ? 'year' : roster.slice(0, 7) !== idBirth.slice(0, 7) ? 'month' : 'day';
  if (idBirth && fullIds) detail.idBirth = idBirth;
  else delete detail.idBirth;
  return { ...item, detail, detailText: findingDetailText(item.rule, item.qualifier, detail) };
}

/** birthMismatchFor over a list: the stored numbers' birth dates in one query. */
export async function withBirthMismatch(db: Knex, items: FindingItem[], fullIds: boolean): Promise<FindingItem[]> {
  const ids = [...new Set(items.filter((i) => i.rule === 'P-ID-08' && i.subject.kind === 'person').map((i) => i.subject.id))];
  if (!ids.length) return items;
  const births = await idBirths(db, ids);
  return items.map((i) => (i.rule === 'P-ID-08' ? birthMismatchFor(i, births.get(i.subject.id), fullIds) : i));
}

/** A real YYYY-MM-DD day of the data's years: the one validator of dates (core/dates.ts). */
export function isIsoDay(s: unknown): s is string {
  try {
    validDay(s, '日期');
    return true;
  } catch {
    return false;
  }
}

/** The query filters of the findings list and its export, checked; `unit` (a unit id) resolved within the scope. */
export async function findingFilter(db: Knex, user: SessionUser, q: Record<string, unknown>, opts: { maxLimit: number; defaultLimit: number }): Promise<FindingFilter & { unit: Row | null }> {
  const status = q.status ?? 'open';
  if (status !== 'open' && status !== 'resolved' && status !== 'explained' && status !== 'all') throw new ApiError(400, 'status 应为 open、resolved、explained 或 all', { status: '取值无效' });
  const light = q.light;
  if (light !== undefined && light !== 'red' && light !== 'yellow' && light !== 'hint' && light !== 'green') throw new ApiError(400, 'light 应为 red、yellow、hint 或 green', { light: '取值无效' });
  const rule = q.rule;
  if (rule !== undefined && (typeof rule !== 'string' || !ruleByCode(rule))) throw new ApiError(400, `没有规则“${String(rule).slice(0, 16)}”`, { rule: '取值无效' });
  let limit = opts.defaultLimit;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > opts.maxLimit) throw new ApiError(400, `limit 应为 1 到 ${opts.maxLimit} 之间的整数`, { limit: '取值无效' });
  }
  let unitIds = scopeIds(user);
  let unit: Row | null = null;
  if (q.unit !== undefined && q.unit !== '') {
    // One unit, by its id, with the units below it (those in scope).
    unit = await unitInScope(db, user, q.unit);
    unitIds = (await subtreeIds(db, Number(unit.id))).filter((id) => inScope(user, id));
  }
  return { status, light, rule: rule as string | undefined, limit, unitIds, unit };
}

/** RFC 5987 / RFC 6266: an ASCII fallback and the UTF-8 name. */
export function contentDisposition(fileName: string, fallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

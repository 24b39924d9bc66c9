// 市县贯通: one deployment may hold a city and its counties. A county's office roles (users with
// a 所属区划 that leaves other counties' units out: their scope is a list, not null) see and change
// their county's units only. What acts on the whole deployment at once (the working-day calendar,
// rule settings, job schedules, the message budget, the score policy, the 红黑榜 and the weekly
// list of every unit, the town map, the sector mapping, the daily check, imports, the outbox) is
// the city office's: a county's office is refused in Chinese instead of changing other counties.

import { OFFICE_ROLES, type UnitScope } from '../core/roles.ts';
import { CommandError } from './errors.ts';

/** Whether someone is a county's office: an office role whose scope leaves some unit out. */
export function isCountyOffice(who: { role: string; scope?: UnitScope }): boolean {
  return OFFICE_ROLES.has(who.role) && Array.isArray(who.scope);
}

/** The refusal a county's office reads for an action on the whole deployment. */
export function cityLevelMessage(what: string): string {
  return `${what}涉及全市各区县，由市级编办办理；区县编办用户只能管理本区县的单位和人员`;
}

/** Refuses a county's office an action on the whole deployment (callers without a scope, as the command line, act for the whole deployment). */
export function requireCityLevel(who: { role: string; scope?: UnitScope }, what: string): void {
  if (isCountyOffice(who)) throw new CommandError(403, cityLevelMessage(what));
}

// The roles of the 用户 sheet (core/dictionary.ts 角色), what each may do, and the data scope:
// the office roles see every unit and start on the console; the unit roles (单位领导, 单位专管员)
// see their unit and the units below it. One module for the server, the robot, card actions
// and the mini-app; db/scope.ts reads a user's scope from the database.

export const OFFICE_ROLES: ReadonlySet<string> = new Set(['编办管理员', '编办业务人员', '分管领导', '查询用户']);
/** Who imports, runs the check, reads the outbox, sees full ID numbers. */
export const ADMIN_ROLES: ReadonlySet<string> = new Set(['编办管理员', '编办业务人员']);
export const FULL_ID_ROLES: ReadonlySet<string> = ADMIN_ROLES;
/**
 * The 数据安全管理员 (ningbo art. 15–19; 等保 三员分立): reads the audit trail, exports it and
 * receives the monthly 排查 summary, and nothing else — no unit data, no settings. Conversely no
 * other role (the 编办管理员 included) reads the trail. Not an office role: its scope is no unit.
 */
export const SECURITY_ROLES: ReadonlySet<string> = new Set(['数据安全管理员']);
/** The /api routes a SECURITY_ROLES user may call (every other one answers 403). */
export const SECURITY_API: ReadonlySet<string> = new Set(['/api/me', '/api/audit', '/api/audit/export', '/api/audit/reviews', '/api/audit/integrity', '/api/audit/units']);

/** Who changes records and runs a unit's re-check. */
export const WRITE_ROLES: ReadonlySet<string> = new Set(['编办管理员', '编办业务人员', '单位专管员']);

/** Unit ids someone may see (their unit and the units below it); null = every unit. */
export type UnitScope = number[] | null;

export function inScope(who: { scope: UnitScope }, unitId: number): boolean {
  return who.scope === null || who.scope.includes(unitId);
}

/** The scope as a list for whereIn (never empty: an empty scope matches nothing); null = every unit. */
export function scopeIds(who: { scope: UnitScope }): number[] | null {
  return who.scope === null ? null : who.scope.length ? who.scope : [0];
}

/** What someone is told when they reach for a unit outside their scope, or are not on the 用户 sheet. */
export const ACCESS_MSG = {
  outOfScope: '超出您的数据范围',
  noAccess: '您尚未开通“三色”使用权限，请联系本地编办。',
} as const;

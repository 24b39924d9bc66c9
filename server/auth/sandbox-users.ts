// The demo users of the sandbox in the order a person trying the demo looks for them: the users a
// card names (the 单位专管员 of the card's unit, then its 单位领导) first, then the office accounts
// (编办管理员, 编办业务人员, 分管领导, 查询用户, 数据安全管理员), then every other unit user by unit. One order for
// the mini-app's login chooser and the /sandbox page's "speak as" list.

import type { Knex } from 'knex';
import { usersWithUnitNames } from '../../db/users.ts';

const OFFICE_ORDER = ['编办管理员', '编办业务人员', '分管领导', '查询用户', '数据安全管理员'];
const UNIT_ORDER = ['单位专管员', '单位领导'];

export interface SandboxUserRow {
  id: string;
  name: string;
  role: string;
  unitId: number | null;
  unitName: string | null;
  /** Named on the card the user came from (a user of its unit). */
  named: boolean;
}

/** Every user, ordered for choosing; `unitId`: the unit of the card the user came from. */
export async function sandboxUsers(db: Knex, unitId: number | null = null): Promise<SandboxUserRow[]> {
  const rows = await usersWithUnitNames(db);
  const users = rows.map((r) => ({
    id: String(r.id), name: r.name, role: r.role, unitId: r.unit_id == null ? null : Number(r.unit_id), unitName: r.unit_name ?? null,
    named: unitId != null && r.unit_id != null && Number(r.unit_id) === unitId,
  }));
  const rank = (u: SandboxUserRow): number => {
    if (u.named) return UNIT_ORDER.includes(u.role) ? UNIT_ORDER.indexOf(u.role) : 2;
    const office = OFFICE_ORDER.indexOf(u.role);
    return office >= 0 ? 10 + office : 20 + (UNIT_ORDER.includes(u.role) ? UNIT_ORDER.indexOf(u.role) : 2);
  };
  const collator = new Intl.Collator('zh-CN');
  // Unit users by unit, so a unit's 专管员 and 领导 stand together.
  return users.sort((a, b) => {
    const ra = rank(a) >= 20 ? 20 : rank(a);
    const rb = rank(b) >= 20 ? 20 : rank(b);
    if (ra !== rb) return ra - rb;
    if (ra === 20 && a.unitId !== b.unitId) return collator.compare(a.unitName ?? '', b.unitName ?? '') || (a.unitId ?? 0) - (b.unitId ?? 0);
    return rank(a) - rank(b) || collator.compare(a.id, b.id);
  });
}

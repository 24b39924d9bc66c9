// The office's setting of the 月度核账: by when units confirm the month just ended (次月第N个工作日
// or 次月N日, core/monthly-confirmation.ts). 编办管理员 only; audited. It applies to months opened
// after it: a month already open keeps the due date its rows were written with.

import type { UnitScope } from '../core/roles.ts';
import { requireCityLevel } from './city-level.ts';
import type { Knex } from 'knex';
import { dueText, MONTHLY_CONFIRMATION_KEY, parseSetting, type MonthlyConfirmationSetting } from '../core/monthly-confirmation.ts';
import { loadConfirmationSetting } from '../db/monthly-confirmations.ts';
import { putSetting } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export async function setMonthlyConfirmation(db: Knex, actor: { id: string; role: string; scope?: UnitScope }, input: unknown): Promise<MonthlyConfirmationSetting & { text: string }> {
  if (actor.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以修改月度核账截止日');
  requireCityLevel(actor, '月度核账截止日');
  const p = parseSetting(input);
  if ('errors' in p) throw new CommandError(400, Object.values(p.errors)[0], p.errors);
  const before = await loadConfirmationSetting(db);
  await db.transaction(async (trx) => {
    await putSetting(trx, MONTHLY_CONFIRMATION_KEY, p.setting);
    await audit(trx, actor.id, 'monthly-confirmation.setting', null, null, { before, after: p.setting });
  });
  return { ...p.setting, text: dueText(p.setting) };
}

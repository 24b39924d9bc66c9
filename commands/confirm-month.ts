// A unit confirms its 月度核账 (确认本月数据无误): its 单位专管员 or 单位领导, within their scope,
// after reviewing the 核账清单. Stores who, when, the note and the figures they saw (the snapshot),
// then re-checks the unit's own rules at once so that U-PR-02 (月报未按时核对) turns green and the
// unit's card is updated. Confirming means reviewed: open red findings ask for an explicit second
// confirmation (confirmRed) but do not forbid it.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { FAMILIES, monthLabel } from '../core/monthly-confirmation.ts';
import { ACCESS_MSG, inScope, type UnitScope } from '../core/roles.ts';
import { nowMoment } from '../db/clock.ts';
import { checklistFigures, confirmationRow, writeConfirmation, type ChecklistFigures } from '../db/monthly-confirmations.ts';
import { loadCalendar } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

/** Who confirms a unit's month: its own people, not the office. */
export const CONFIRM_ROLES: ReadonlySet<string> = new Set(['单位专管员', '单位领导']);
export const NOTE_MAX = 500;

export interface ConfirmMonthInput {
  actor: { id: string; role: string; scope: UnitScope };
  unitId: number;
  /** 'YYYY-MM'; default the unit's latest opened month. */
  month?: string;
  note?: unknown;
  /** The second, explicit confirmation when the unit still has red findings. */
  confirmRed?: boolean;
  today: IsoDate;
}

export interface ConfirmMonthResult {
  unitId: number;
  month: string;
  confirmedOn: IsoDate;
  confirmedAt: string;
  confirmedBy: string;
  note: string | null;
  snapshot: ChecklistFigures;
  /** U-PR-02 findings the re-check resolved now. */
  resolved: number;
}

/** 已由张三于2026-12-03 10:12确认 */
export function confirmedText(r: Row): string {
  const who = r.confirmed_by_name ?? r.confirmed_by ?? '他人';
  const when = r.confirmed_at ? String(r.confirmed_at).slice(0, 16) : r.confirmed_on;
  return `已由${who}于${when}确认`;
}

export function redCount(f: ChecklistFigures): number {
  return FAMILIES.reduce((n, k) => n + f.findings[k].red, 0);
}

export async function confirmMonth(db: Knex, i: ConfirmMonthInput): Promise<ConfirmMonthResult> {
  if (!CONFIRM_ROLES.has(i.actor.role)) throw new CommandError(403, '月度核账由单位专管员或单位领导确认；编办可在控制台“月度核账”查看各单位确认情况');
  if (!inScope(i.actor, i.unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  let note: string | null = null;
  if (i.note !== undefined && i.note !== null) {
    if (typeof i.note !== 'string') throw new CommandError(400, '备注应为文字', { note: '取值无效' });
    // Line breaks kept; other control characters are no part of a note.
    note = i.note.replace(/[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029\u202a-\u202e]/g, ' ').trim() || null;
    if (note && note.length > NOTE_MAX) throw new CommandError(400, `备注不能超过 ${NOTE_MAX} 个字`, { note: `不能超过 ${NOTE_MAX} 个字` });
  }
  const row = await confirmationRow(db, i.unitId, i.month);
  if (!row) {
    throw new CommandError(409, i.month ? `${monthLabel(i.month)}的月度核账尚未开启，无需确认` : '本单位的月度核账尚未开启（每月第一个工作日开启上月核账），无需确认');
  }
  const month = String(row.month);
  if (row.confirmed_on) throw new CommandError(409, `${monthLabel(month)}的月度核账${confirmedText(row)}，无需重复确认`, undefined, { confirmed: true });
  const cal = await loadCalendar(db);
  const snapshot = await checklistFigures(db, i.unitId, i.today, cal);
  const red = redCount(snapshot);
  if (red > 0 && i.confirmRed !== true) {
    throw new CommandError(409, `本单位还有 ${red} 个红灯问题未整改。确认本月数据无误表示您已核对过这些问题，请再次确认`, undefined, { needsConfirm: true, red });
  }
  const at = nowMoment();
  const ok = await db.transaction(async (trx) => {
    if (!(await writeConfirmation(trx, i.unitId, month, { on: i.today, by: i.actor.id, at, note, snapshot }))) return false;
    await audit(trx, i.actor.id, 'monthly-confirmation.confirm', 'unit', i.unitId, { month, note, red });
    return true;
  });
  if (!ok) {
    const now = await confirmationRow(db, i.unitId, month);
    throw new CommandError(409, `${monthLabel(month)}的月度核账${now ? confirmedText(now) : '已确认'}，无需重复确认`, undefined, { confirmed: true });
  }
  // The unit's own rules at once: U-PR-02 of this month resolves, the unit's card turns green.
  const r = await recheckRecord(db, { unitId: i.unitId }, i.today);
  const resolved = (r?.resolved ?? []).filter((rule) => rule === 'U-PR-02').length;
  return { unitId: i.unitId, month, confirmedOn: i.today, confirmedAt: at, confirmedBy: i.actor.id, note, snapshot, resolved };
}

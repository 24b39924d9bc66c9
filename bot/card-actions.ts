// Card buttons: one handler per action id (the `actionId` of cards/templates/*.card.json), each a
// thin door to a command. The clicker must be on the 用户 sheet and the unit in their scope; a
// refusal is answered to the clicker on the card (`notice`), never dropped. A re-delivered click
// is skipped by the inbound log (bot/inbound.ts); a click on a state that moved on (the command
// finds it under the row's lock) answers so instead of acting again.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG } from '../core/roles.ts';
import { CommandError } from '../commands/errors.ts';
import { cardBuiltAt } from '../commands/alerts.ts';
import { recheckUnit } from '../commands/recheck-unit.ts';
import { actingUser, unitsByRef, type ActingUser } from '../db/scope.ts';
import type { InboundEvent, InboundResult } from './platform.ts';

type CardActionEvent = Extract<InboundEvent, { kind: 'cardAction' }>;

export interface CardActionContext {
  db: Knex;
  today: IsoDate;
  /** Sends what the action queued without waiting for the next poll. */
  kick: () => void;
}

/** What was clicked: the card (its stable id) and the button's parameters. */
interface Click {
  cardId: string;
  params: Record<string, string>;
}

type CardAction = (actor: ActingUser, click: Click, ctx: CardActionContext) => Promise<InboundResult>;

/** The unit a button names: its id; cards sent before ids name it by a credit code, followed while it names one unit (U-IN-06). */
async function unitOfParam(db: Knex, param: string | undefined): Promise<number | null> {
  const { units } = param ? await unitsByRef(db, param, ['id']) : { units: [] };
  return units.length === 1 ? Number(units[0].id) : null;
}

export const CARD_ACTIONS: Readonly<Record<string, CardAction>> = {
  /**
   * 已整改，重新检查 on a unit's alert card: the unit's records re-checked now; resolved findings
   * update the card. Not again when the unit was re-checked after the card was built (or is being).
   */
  async recheck(actor, { cardId, params }, { db, today, kick }) {
    const unitId = await unitOfParam(db, params.unit);
    if (unitId === null) return { notice: '卡片上的单位已不存在或无法确定，请在小程序中查看' };
    const r = await recheckUnit(db, { actor, unitId, today, seenAt: await cardBuiltAt(db, cardId) });
    kick();
    return { notice: r.findings.resolved ? `已重新检查：${r.findings.resolved} 个问题已整改，还有 ${r.findings.open} 个待整改` : r.findings.open ? `已重新检查：还有 ${r.findings.open} 个问题待整改` : '已重新检查：问题已全部整改' };
  },
};

/** Runs the card action of an event; a refusal or an unknown button answers the clicker in Chinese. */
export async function handleCardAction(event: CardActionEvent, ctx: CardActionContext): Promise<InboundResult> {
  const action = Object.hasOwn(CARD_ACTIONS, event.actionId) ? CARD_ACTIONS[event.actionId] : undefined;
  if (!action) return { notice: '该按钮已失效，请在小程序中操作' };
  const actor = await actingUser(ctx.db, event.userId);
  if (!actor) return { notice: ACCESS_MSG.noAccess };
  try {
    return await action(actor, { cardId: event.cardId, params: event.params }, ctx);
  } catch (e) {
    if (e instanceof CommandError) return { notice: e.message };
    throw e;
  }
}

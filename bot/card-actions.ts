// Card buttons: one handler per action id (the `actionId` of cards/templates/*.card.json), each a
// thin door to a command. The clicker must be on the 用户 sheet and the unit in their scope; a
// refusal is answered to the clicker on the card (`notice`), never dropped. A re-delivered click
// runs its action again (bot/inbound.ts): every action is safe to repeat, and a click on a state
// that moved on (the command finds it under the row's lock) answers so instead of acting again.
//
// The answer goes back inside DingTalk's 2 seconds (bot/dingtalk/stream.ts): the card's new
// public data, the clicker's private data and a notice. Everything slower — the card updated for
// everyone else, messages, effects' follow-ups — was queued in the outbox by the command.

import type { Knex } from 'knex';
import type { IsoDate } from '../core/model.ts';
import { ACCESS_MSG } from '../core/roles.ts';
import { CommandError } from '../commands/errors.ts';
import { cardBuiltAt } from '../commands/alerts.ts';
import { recheckUnit } from '../commands/recheck-unit.ts';
import { decideRequest, type FinalDecision } from '../commands/decide-request.ts';
import type { PiiCipher } from '../db/pii.ts';
import { actingUser, unitsByRef, type ActingUser } from '../db/scope.ts';
import { lockNotice } from '../db/user-locks.ts';
import type { InboundEvent, InboundResult } from './platform.ts';

type CardActionEvent = Extract<InboundEvent, { kind: 'cardAction' }>;

export interface CardActionContext {
  db: Knex;
  today: IsoDate;
  /** Sends what the action queued without waiting for the next poll. */
  kick: () => void;
  /** What the approval card's buttons need (the request commands' deps); absent: they answer to use the mini-app. */
  requests?: { pii: PiiCipher; publicBaseUrl: string };
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

/** The request an approval card is about: its card id `request:{id}` (cards/builders.ts approvalCardId). */
function requestOfCard(cardId: string): number | null {
  const m = /^request:(\d+)$/.exec(cardId);
  return m ? Number(m[1]) : null;
}

/**
 * 同意 / 不同意 on an approval card: the 终审 (commands/decide-request.ts) by the clicker, who must
 * be a 分管领导 with the unit in scope (checked there). The answer is the decided card (public),
 * the clicker's buttons gone (private `canDecide`), and what happened; whoever comes second, or a
 * callback delivered again, gets the card as decided and who decided when.
 */
async function decide(decision: FinalDecision, actor: ActingUser, { cardId, params }: Click, { db, today, kick, requests }: CardActionContext): Promise<InboundResult> {
  const id = requestOfCard(cardId);
  if (id === null) return { notice: '卡片上的申请已不存在或无法确定，请在小程序中查看' };
  if (!requests) return { notice: '请在小程序中审批该申请' };
  const comment = params.comment === undefined || /^\$\{.*\}$/.test(params.comment) ? undefined : params.comment;
  // The re-check of the unit after an approval takes seconds for a big unit: after the answer.
  const r = await decideRequest({ db, today, ...requests }, { actor, id, decision, comment, recheck: 'deferred' });
  if (r.outcome === 'already') return { cardData: r.card.data, userPrivateData: { canDecide: 'false' }, notice: r.message };
  const done = decision === 'approve' ? '已同意' : '已不同意';
  const recheck = r.recheckLater;
  return {
    cardData: r.card.data, userPrivateData: { canDecide: 'false' }, notice: r.effect ? `${done}：${r.effect.text}` : done,
    // After the answer: the outbox (the card for everyone, the requester's message) sent, never
    // from inside the callback; then the unit re-checked and what that changed sent.
    later: async () => {
      kick();
      if (recheck) {
        await recheck();
        kick();
      }
    },
  };
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
  /** 同意 on a staffing request's approval card (comment in the param `comment`). */
  approve: (actor, click, ctx) => decide('approve', actor, click, ctx),
  /** 不同意 on a staffing request's approval card. */
  reject: (actor, click, ctx) => decide('reject', actor, click, ctx),
};

/** Runs the card action of an event; a refusal or an unknown button answers the clicker in Chinese. */
export async function handleCardAction(event: CardActionEvent, ctx: CardActionContext): Promise<InboundResult> {
  const action = Object.hasOwn(CARD_ACTIONS, event.actionId) ? CARD_ACTIONS[event.actionId] : undefined;
  if (!action) return { notice: '该按钮已失效，请在小程序中操作' };
  const actor = await actingUser(ctx.db, event.userId);
  if (!actor) return { notice: (await lockNotice(ctx.db, event.userId))?.text ?? ACCESS_MSG.noAccess };
  try {
    return await action(actor, { cardId: event.cardId, params: event.params }, ctx);
  } catch (e) {
    if (e instanceof CommandError) return { notice: e.message };
    throw e;
  }
}

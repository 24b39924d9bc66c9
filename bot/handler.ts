// The business side of inbound callbacks: robot messages get answers (bot/robot.ts), card
// buttons run their action (bot/card-actions.ts).

import type { Knex } from 'knex';
import { todayInShanghai } from '../core/dates.ts';
import { handleCardAction, type CardActionContext } from './card-actions.ts';
import type { InboundHandler } from './platform.ts';
import { answer } from './robot.ts';

export interface HandlerDeps {
  /** Called after a callback wrote outbox rows, so they go out without waiting for the next poll. */
  kick?: () => void;
  today?: () => string;
  /** For the approval card's buttons (the request commands' deps). */
  requests?: CardActionContext['requests'];
  /** The base of links the robot's answers carry into the mini-app (the 错题本's guides). */
  publicBaseUrl?: string;
}

export function businessHandler(db: Knex, deps: HandlerDeps = {}): InboundHandler {
  const today = deps.today ?? (() => todayInShanghai());
  return async (event) => {
    if (event.kind === 'message') return { reply: await answer(db, event.senderId, event.senderName, event.text, today(), { type: event.conversationType, id: event.conversationId }, { publicBaseUrl: deps.publicBaseUrl ?? deps.requests?.publicBaseUrl ?? null }) };
    return handleCardAction(event, { db, today: today(), kick: deps.kick ?? (() => {}), requests: deps.requests });
  };
}

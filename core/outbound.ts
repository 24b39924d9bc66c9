// What leaves sanse, as data: where a message goes, the rendered message or card, and one unit of
// outbound work as the outbox stores it. cards/ builds these, db/outbox.ts stores them, and each
// platform in bot/ delivers them.

/** Where a message goes. */
export type Target =
  | { kind: 'group'; groupId: string }
  | { kind: 'users'; userIds: string[] };

/** A rendered message: every sentence in it comes from a template in cards/. */
export type OutboundMessage =
  | { kind: 'text'; content: string; atUserIds?: string[] }
  | { kind: 'markdown'; title: string; text: string; atUserIds?: string[] }
  | { kind: 'actionCard'; title: string; text: string; buttons: Array<{ title: string; url: string }> };

/** An interactive card, created once per stable id and updated in place. */
export interface CardPayload {
  /** The card template (cards/templates/*.card.json): 'alert' or 'approval'. */
  template: 'alert' | 'approval';
  /** Stable id of this card instance, e.g. unit-digest:{unitCode}:{date}. */
  cardId: string;
  /** Card variables (strings, as DingTalk's cardParamMap wants them). */
  data: Record<string, string>;
  /** The same content as a message, for platforms without interactive cards (Zheng-Ding). */
  fallback: OutboundMessage;
  /** People to @ when the card is delivered into a group (userId and the name shown). */
  atUsers?: Array<{ userId: string; name: string }>;
  /**
   * Card variables seen only by one user, over the public ones (DingTalk's private data): the
   * approval card's `canDecide: 'true'` for each 分管领导 it was sent to.
   */
  privateData?: Record<string, Record<string, string>>;
}

/** The variables a user sees on a card: the public ones, their own private ones over them (as DingTalk shows it). */
export function cardSeenBy(card: CardPayload, userId: string | undefined): Record<string, string> {
  return { ...card.data, ...(userId ? card.privateData?.[userId] ?? {} : {}) };
}

/** One unit of outbound work, as stored in the outbox. */
export type Delivery =
  | { op: 'send'; target: Target; message: OutboundMessage }
  | { op: 'createCard'; target: Target; card: CardPayload }
  | { op: 'updateCard'; card: CardPayload; target?: Target }
  | { op: 'reply'; webhook: string; message: OutboundMessage };

/** One entry of a sandbox conversation (table sandbox_messages), as bot/sandbox.ts stores it and /sandbox shows it. */
export type SandboxEntry =
  | { kind: 'message'; message: OutboundMessage; from: 'bot' }
  | { kind: 'card'; card: CardPayload; from: 'bot' }
  | { kind: 'user'; text: string; userId: string; userName: string };

// One chat-platform interface, three adapters (dingtalk, zhengding, sandbox) chosen by PLATFORM.
// Business code never calls a platform: it writes outbox rows (bot/outbox.ts); the dispatcher
// hands each row to `deliver`. Inbound callbacks reach `InboundHandler` already de-duplicated.

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
}

/** One unit of outbound work, as stored in the outbox. */
export type Delivery =
  | { op: 'send'; target: Target; message: OutboundMessage }
  | { op: 'createCard'; target: Target; card: CardPayload }
  | { op: 'updateCard'; card: CardPayload; target?: Target }
  | { op: 'reply'; webhook: string; message: OutboundMessage };

/** Why a delivery failed, and whether trying again may help. */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The platform asked to wait at least this long (throttling). */
    readonly retryAfterMs?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export type InboundEvent =
  | {
      kind: 'message';
      /** The platform's id of this delivery: a re-delivery carries the same id. */
      eventId: string;
      conversationId: string;
      conversationType: 'single' | 'group';
      senderId: string;
      senderName: string;
      text: string;
      /** Where a reply may be posted, while it has not expired. */
      replyWebhook?: string;
      replyWebhookExpiresAt?: number;
    }
  | {
      kind: 'cardAction';
      eventId: string;
      cardId: string;
      userId: string;
      actionId: string;
      params: Record<string, string>;
    };

/** What the handler answers: a reply to a message, or new card data for an action. */
export type InboundResult = { reply?: OutboundMessage; cardData?: Record<string, string> } | void;

export type InboundHandler = (event: InboundEvent) => Promise<InboundResult>;

export interface ChatPlatform {
  readonly name: 'dingtalk' | 'zhengding' | 'sandbox';
  /** Performs one delivery; throws PlatformError. Must be safe to call again with the same delivery. */
  deliver(d: Delivery, dedupKey: string): Promise<void>;
  /** Starts receiving callbacks (stream, HTTP route or sandbox clicks). */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
}

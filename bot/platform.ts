// One chat-platform interface, three adapters (dingtalk, zhengding, sandbox) chosen by PLATFORM.
// Business code never calls a platform: it writes outbox rows (db/outbox.ts); the dispatcher
// hands each row to `deliver`. Inbound callbacks reach `InboundHandler` already de-duplicated.

export type { CardPayload, Delivery, OutboundMessage, Target } from '../core/outbound.ts';
import type { Delivery, OutboundMessage } from '../core/outbound.ts';

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

/**
 * What the handler answers: a reply to a message; for a card action, the card's new public data,
 * the clicker's own private card data (e.g. the approval card's `canDecide: 'false'`) and a
 * notice shown to the clicker alone (a refusal, or what the action did).
 */
export type InboundResult = {
  reply?: OutboundMessage;
  cardData?: Record<string, string>;
  userPrivateData?: Record<string, string>;
  notice?: string;
  /** Slower work that must not hold up the answer: the platform runs it after answering; errors are logged. */
  later?: () => Promise<void>;
} | void;

export type InboundHandler = (event: InboundEvent) => Promise<InboundResult>;

export interface ChatPlatform {
  readonly name: 'dingtalk' | 'zhengding' | 'sandbox';
  /** Performs one delivery; throws PlatformError. Must be safe to call again with the same delivery. */
  deliver(d: Delivery, dedupKey: string): Promise<void>;
  /** Starts receiving callbacks (stream, HTTP route or sandbox clicks). */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
}

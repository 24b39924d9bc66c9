// One chat-platform interface, three adapters (dingtalk, zhengding, sandbox) chosen by PLATFORM.
// Business code never calls a platform: it writes outbox rows (db/outbox.ts); the dispatcher
// hands each row to `deliver`. Inbound callbacks reach `InboundHandler` already de-duplicated.

export type { CardPayload, Delivery, OutboundMessage, Target } from '../core/outbound.ts';
import type { Delivery, OutboundMessage } from '../core/outbound.ts';
import type { ApiCallKind } from '../core/message-budget.ts';
export type { ApiCallKind } from '../core/message-budget.ts';

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
  /**
   * Performs one delivery; throws PlatformError. Must be safe to call again with the same delivery.
   * `attempt` (1, 2, …) counts the calls started for this outbox row, this one included: above 1,
   * an earlier call may have reached the platform without its answer being recorded (a crash, a
   * timeout, a 5xx after the work was done), so a platform that can tell should not repeat it.
   */
  deliver(d: Delivery, dedupKey: string, attempt?: number): Promise<void>;
  /**
   * The OpenAPI calls one delivery makes, by kind (token calls never included): what the
   * dispatcher counts against the platform's monthly budget (消息额度). Default: callsOfDelivery.
   */
  callsOf?(d: Delivery): ApiCall[];
  /** Starts receiving callbacks (stream, HTTP route or sandbox clicks). */
  start(handler: InboundHandler): Promise<void>;
  stop(): Promise<void>;
}

/** Calls of one kind. */
export interface ApiCall {
  kind: ApiCallKind;
  n: number;
}

/** One call per delivery, of the kind its operation and target say. */
export function callsOfDelivery(d: Delivery): ApiCall[] {
  switch (d.op) {
    case 'send':
      return [{ kind: d.target.kind === 'group' ? 'send-group' : 'send-users', n: 1 }];
    case 'createCard':
      return [{ kind: 'create-card', n: 1 }];
    case 'updateCard':
      return [{ kind: 'update-card', n: 1 }];
    case 'reply':
      return [{ kind: 'reply', n: 1 }];
  }
}

/**
 * Errors raised before any request left (a missing card template, a bad reply address, a message
 * too long, no receivers) or without an answer from the platform (network failures): such a failed
 * delivery cost no call. Any other failure (an HTTP error, throttling, a refusal) reached the
 * platform and is counted like a success.
 */
const NOT_SENT_CODES = new Set(['noTemplate', 'badWebhook', 'internal', 'network', 'NETWORK', 'NO_RECEIVERS', 'MSG_TOO_LONG', 'NO_TARGET', 'BAD_WEBHOOK']);

export function reachedPlatform(e: unknown): boolean {
  return e instanceof PlatformError && !(e.code && NOT_SENT_CODES.has(e.code));
}

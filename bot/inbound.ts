// Inbound callbacks (robot messages, card actions): recorded durably first, handled once. The
// adapters acknowledge the platform only after `receive` resolves, so an event the platform
// re-delivers (same id) is either already recorded — and skipped (a card click: answered again by
// its idempotent action) — or will be recorded now.

import type { Knex } from 'knex';
import { markInboundEvent, recordInboundEvent } from '../db/inbound-events.ts';
import type { InboundEvent, InboundHandler, InboundResult } from './platform.ts';

export interface InboundLog {
  warn(msg: string): void;
}

/**
 * Wraps the business handler: records the event (inbound_events, keyed by the platform's event
 * id), runs the handler once, and never throws: a failing handler is logged and the event marked
 * failed, so the adapter can still acknowledge it.
 */
export function recordingHandler(db: Knex, handle: InboundHandler, log: InboundLog = console): InboundHandler {
  return async (event: InboundEvent): Promise<InboundResult> => {
    const id = event.eventId.slice(0, 191);
    if (!(await recordInboundEvent(db, { id, kind: event.kind, payload: redact(event) }))) {
      // A re-delivery: handled (or being handled) already. A message is not answered twice; a
      // card click is answered again (the platform re-delivers when it missed the answer, and the
      // clicker must not be left without one): card actions are safe to repeat (bot/card-actions.ts),
      // the repeat finds the state moved on and answers with the card as it is now.
      if (event.kind !== 'cardAction') return;
      try {
        return await handle(event);
      } catch (e) {
        log.warn(`处理重推的卡片回调失败（${event.eventId}）：${(e as Error).message}`);
        return;
      }
    }
    try {
      const result = await handle(event);
      await markInboundEvent(db, id, { state: 'handled' });
      return result;
    } catch (e) {
      log.warn(`处理回调失败（${event.kind} ${event.eventId}）：${(e as Error).message}`);
      await markInboundEvent(db, id, { state: 'failed', error: String((e as Error).message) });
      return;
    }
  };
}

/** The stored copy keeps no reply webhook (a short-lived credential). */
function redact(event: InboundEvent): InboundEvent {
  if (event.kind === 'message') return { ...event, replyWebhook: event.replyWebhook ? '[webhook]' : undefined };
  return event;
}

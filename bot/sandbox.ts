// The sandbox platform: no credentials, nothing leaves the machine. Messages and cards are
// stored as the chat groups and 1:1 chats would show them (table sandbox_messages) and shown at
// /sandbox; typed messages and card buttons go through the same inbound handler as real
// callbacks (the page, server/routes/sandbox.ts, gets `say` and `press` from main/app.ts).

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { addSandboxMessage, changeSandboxCard, sandboxCardShown } from '../db/sandbox-messages.ts';
import type { CardPayload, SandboxEntry } from '../core/outbound.ts';
import type { ChatPlatform, Delivery, InboundEvent, InboundHandler, InboundResult, Target } from './platform.ts';
import { PlatformError } from './platform.ts';

export type { SandboxEntry } from '../core/outbound.ts';

export interface SandboxPlatform extends ChatPlatform {
  readonly name: 'sandbox';
  /** A user typed into a conversation: recorded, handed to the handler, the reply posted. */
  say(conversation: string, user: { id: string; name: string }, text: string): Promise<void>;
  /** A user pressed a card button. */
  press(cardId: string, user: { id: string }, actionId: string, params: Record<string, string>): Promise<InboundResult>;
}

export function conversationsOf(target: Target): string[] {
  return target.kind === 'group' ? [`group:${target.groupId}`] : target.userIds.map((u) => `user:${u}`);
}

export function createSandboxPlatform(db: Knex): SandboxPlatform {
  let handler: InboundHandler | null = null;

  const post = (conversation: string, entry: SandboxEntry, cardId: string | null = null) => addSandboxMessage(db, conversation, entry, cardId);

  const platform: SandboxPlatform = {
    name: 'sandbox',
    async deliver(d: Delivery) {
      switch (d.op) {
        case 'send':
          for (const c of conversationsOf(d.target)) await post(c, { kind: 'message', message: d.message, from: 'bot' });
          return;
        case 'createCard':
          for (const c of conversationsOf(d.target)) {
            // Created once per card id and conversation, like createAndDeliver with an outTrackId.
            if (!(await sandboxCardShown(db, c, d.card.cardId))) await post(c, { kind: 'card', card: d.card, from: 'bot' }, d.card.cardId);
          }
          return;
        case 'updateCard': {
          // As DingTalk's update by key: the variables sent replace theirs, the others stay (a
          // clicker's private `notice` from the callback's answer survives).
          const n = await changeSandboxCard<SandboxEntry>(db, d.card.cardId, (e) => e.kind === 'card' ? { ...e, card: updatedCard(e.card, d.card) } : e);
          if (!n) throw new PlatformError(`卡片 ${d.card.cardId} 不存在`, false);
          return;
        }
        case 'reply':
          if (!d.webhook.startsWith('sandbox:')) throw new PlatformError('沙箱只能回复沙箱会话', false);
          await post(d.webhook.slice('sandbox:'.length), { kind: 'message', message: d.message, from: 'bot' });
      }
    },
    async start(h) {
      handler = h;
    },
    async stop() {
      handler = null;
    },
    async say(conversation, user, text) {
      await post(conversation, { kind: 'user', text, userId: user.id, userName: user.name });
      if (!handler) return;
      const event: InboundEvent = {
        kind: 'message', eventId: `sandbox-${crypto.randomUUID()}`, conversationId: conversation,
        conversationType: conversation.startsWith('group:') ? 'group' : 'single', senderId: user.id, senderName: user.name,
        text, replyWebhook: `sandbox:${conversation}`, replyWebhookExpiresAt: Date.now() + 3600_000,
      };
      const result = await handler(event);
      if (result && result.reply) await platform.deliver({ op: 'reply', webhook: `sandbox:${conversation}`, message: result.reply }, event.eventId);
    },
    async press(cardId, user, actionId, params) {
      if (!handler) return;
      const result = await handler({ kind: 'cardAction', eventId: `sandbox-${crypto.randomUUID()}`, cardId, userId: user.id, actionId, params });
      // The answer re-renders the card as DingTalk does with a callback's answer: its cardData for
      // everyone, its private data (and the notice) for the clicker alone.
      if (result && (result.cardData || result.userPrivateData || result.notice)) {
        const mine = { ...(result.userPrivateData ?? {}), ...(result.notice ? { notice: result.notice } : {}) };
        await changeSandboxCard<SandboxEntry>(db, cardId, (e) => e.kind === 'card' ? { ...e, card: answeredCard(e.card, user.id, result.cardData, mine) } : e);
      }
      // What DingTalk's adapter runs after the ack (e.g. the re-check after an approval): here
      // before the click returns, so the page shows its outcome.
      if (result && result.later) await result.later().catch((e) => console.warn(`沙箱：卡片操作的后续处理失败（${cardId}）：${(e as Error).message}`));
      if (result) delete result.later;
      return result;
    },
  };
  return platform;
}

/** A stored card after an update: public variables and each user's private ones replaced by key. */
export function updatedCard(stored: CardPayload, update: CardPayload): CardPayload {
  const privateData = { ...(stored.privateData ?? {}) };
  for (const [u, m] of Object.entries(update.privateData ?? {})) privateData[u] = { ...(privateData[u] ?? {}), ...m };
  return { ...update, data: { ...stored.data, ...update.data }, ...(Object.keys(privateData).length ? { privateData } : {}) };
}

/** A stored card after a click's answer: its public data, and the clicker's private data. */
export function answeredCard(stored: CardPayload, userId: string, cardData: Record<string, string> | undefined, mine: Record<string, string>): CardPayload {
  const privateData = { ...(stored.privateData ?? {}) };
  if (Object.keys(mine).length) privateData[userId] = { ...(privateData[userId] ?? {}), ...mine };
  return { ...stored, data: { ...stored.data, ...(cardData ?? {}) }, ...(Object.keys(privateData).length ? { privateData } : {}) };
}


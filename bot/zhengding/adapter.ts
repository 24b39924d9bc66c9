// The Zheng-Ding (浙政钉) chat platform: signed HTTP calls out (client.ts), robot messages in
// through an HTTP callback route (zhengdingCallbackRoutes below).
//
// Zheng-Ding has no interactive cards (docs/dingtalk.md §6): a card is sent as its `fallback`
// message, and an update is a new notification that carries the new state. The approval card is
// an action_card whose button opens the request in the mini-app (decided there); its update is
// not sent (see deliver).
//
// Outbound, by target:
//   users → POST /message/workNotification {receiverIds (≤ 1000 a call), tenantId, bizMsgId, msg}.
//           The request class of the vendor's Java SDK (OapiMessageWorkNotificationRequest) has no
//           access_token field, and the examples that work send none, so none is sent here.
//           bizMsgId is the outbox dedup key: the platform refuses a repeated one as 重复, which
//           means it was delivered already, so that answer counts as success.
//   group → POST /chat/sendMsg {access_token, tenantId, chatType 2, chatId, msg}. UNCONFIRMED:
//           documented from third-party clients only (the vendor SDK's OapiChatSendMsgRequest
//           has msg, senderId, receiverId, chatId, tenantId, chatType and no access_token); the app
//           needs the chat permission granted by the tenant. There is no bizMsgId here, so a retry
//           after a lost answer may post the message twice.
//   reply → POST JSON to the callback's sessionWebhook (DingTalk robot format; UNCONFIRMED here).
//
// Inbound: the platform POSTs robot messages to /callbacks/zhengding. Verification is ours (no
// documented signature): the shared secret ZWDD_CALLBACK_TOKEN, given either as the query
// parameter `token` (put it into the callback URL registered with the platform:
// https://host/callbacks/zhengding?token=…) or as the header `X-Callback-Token` (for a proxy in
// front). Anything else is refused with 401. The route awaits the handler (recordingHandler:
// records the event, then handles it) and answers 200 {success:true}; if the handler throws the
// event was not recorded, so it answers 500 and the platform re-delivers.

import crypto from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import {
  PlatformError,
  type ApiCall,
  type ChatPlatform,
  type Delivery,
  type InboundEvent,
  type InboundHandler,
  type OutboundMessage,
  type Target,
} from '../platform.ts';
import { createZhengDingClient, ZhengDingError, type ZhengDingClient, type ZhengDingClientOptions } from './client.ts';

export interface ZhengDingConfig {
  apiBase: string;
  appKey: string;
  appSecret: string;
  tenantId: string;
  ip?: string;
  mac?: string;
}

export interface ZhengDingLog {
  warn(msg: string): void;
  info?(msg: string): void;
}

/** Test seams and tuning; production passes none. */
export type ZhengDingDeps = Pick<ZhengDingClientOptions, 'fetch' | 'now' | 'nonce' | 'timeoutMs' | 'tokenRefreshAheadMs' | 'tokenMethod'>;

export interface ZhengDingPlatform extends ChatPlatform {
  readonly name: 'zhengding';
  readonly client: ZhengDingClient;
  /** The handler given to start(), or null before start / after stop. */
  readonly handler: InboundHandler | null;
  /** Posts a handler's reply to a callback's webhook in the background (awaited by stop()). */
  replyInBackground(event: InboundEvent, message: OutboundMessage): void;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Upper bound of the `msg` parameter in UTF-8 bytes (work notifications: 2048). */
export const MSG_MAX_BYTES = 2048;
/** At most this many receiverIds per work notification. */
export const RECEIVERS_PER_CALL = 1000;
const ELLIPSIS = '……';

type MsgFlavour = 'notification' | 'group' | 'webhook';

/** The platform's JSON for one message (before the size limit). */
export function msgJson(m: OutboundMessage, flavour: MsgFlavour = 'notification'): Record<string, unknown> {
  const at = flavour !== 'notification' && m.kind !== 'actionCard' && m.atUserIds?.length ? { at: { atUserIds: m.atUserIds, isAtAll: false } } : {};
  switch (m.kind) {
    case 'text':
      return { msgtype: 'text', text: { content: m.content }, ...at };
    case 'markdown':
      return { msgtype: 'markdown', markdown: { title: m.title, text: m.text }, ...at };
    case 'actionCard': {
      if (m.buttons.length === 0) return { msgtype: 'markdown', markdown: { title: m.title, text: m.text } };
      if (flavour === 'webhook') {
        // The robot (session webhook) format of DingTalk: camelCase actionCard.
        return m.buttons.length === 1
          ? { msgtype: 'actionCard', actionCard: { title: m.title, text: m.text, singleTitle: m.buttons[0].title, singleURL: m.buttons[0].url } }
          : { msgtype: 'actionCard', actionCard: { title: m.title, text: m.text, btnOrientation: '0', btns: m.buttons.map((b) => ({ title: b.title, actionURL: b.url })) } };
      }
      return m.buttons.length === 1
        ? { msgtype: 'action_card', action_card: { title: m.title, markdown: m.text, single_title: m.buttons[0].title, single_url: m.buttons[0].url } }
        : { msgtype: 'action_card', action_card: { title: m.title, markdown: m.text, btn_orientation: '0', btn_json_list: m.buttons.map((b) => ({ title: b.title, action_url: b.url })) } };
    }
  }
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function withBody(m: OutboundMessage, body: string): OutboundMessage {
  return m.kind === 'text' ? { ...m, content: body } : { ...m, text: body };
}

function cut(chars: string[], n: number): string {
  if (n >= chars.length) return chars.join('');
  const kept = chars.slice(0, n).join('');
  const nl = kept.lastIndexOf('\n');
  if (nl > 0 && nl >= kept.length * 0.6) return kept.slice(0, nl).trimEnd() + '\n' + ELLIPSIS; // end at a near line break
  return kept.trimEnd() + ELLIPSIS;
}

/**
 * The `msg` parameter: JSON of the message, at most `maxBytes` UTF-8 bytes. A longer message
 * keeps its title and buttons; its text is cut (at a line break when one is near) and ends with
 * '……'. Throws a non-retryable PlatformError when even that cannot fit.
 */
export function renderMsg(m: OutboundMessage, flavour: MsgFlavour = 'notification', maxBytes = MSG_MAX_BYTES): string {
  const full = JSON.stringify(msgJson(m, flavour));
  if (bytes(full) <= maxBytes) return full;
  const chars = Array.from(m.kind === 'text' ? m.content : m.text);
  const fits = (n: number) => bytes(JSON.stringify(msgJson(withBody(m, cut(chars, n)), flavour))) <= maxBytes;
  if (!fits(0)) {
    if (m.kind !== 'text' && Array.from(m.title).length > 20) {
      return renderMsg({ ...m, title: Array.from(m.title).slice(0, 20).join('') + ELLIPSIS }, flavour, maxBytes);
    }
    throw new PlatformError(`消息过长：标题和按钮已超过 ${maxBytes} 字节`, false, undefined, 'MSG_TOO_LONG');
  }
  let lo = 0;
  let hi = chars.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return JSON.stringify(msgJson(withBody(m, cut(chars, lo)), flavour));
}

/** The platform's "repeated bizMsgId" refusal: the notification went out already. */
export function isDuplicateBizMsgId(e: unknown): boolean {
  if (!(e instanceof ZhengDingError)) return false;
  const text = `${e.platformMessage ?? ''} ${e.code ?? ''}`;
  if (/nonce|随机数|签名|signature/i.test(text)) return false;
  return /重复/.test(text) || /duplicat|repeat/i.test(e.code ?? '');
}

// ---------------------------------------------------------------------------------------------
// Inbound callbacks

/** What a robot-message callback carries (the fields sanse reads). */
interface CallbackBody {
  msgId?: unknown;
  messageId?: unknown;
  msgtype?: unknown;
  text?: { content?: unknown };
  richText?: { richTextList?: Array<{ text?: unknown }> };
  content?: unknown;
  senderId?: unknown;
  senderStaffId?: unknown;
  senderNick?: unknown;
  conversationId?: unknown;
  conversationType?: unknown;
  sessionWebhook?: unknown;
  sessionWebhookExpiredTime?: unknown;
}

function s(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/**
 * The event of one robot-message callback, or a reason why the body is not one. Without a
 * message id the id is a hash of the body (keys sorted, the per-delivery session webhook left
 * out), so a re-delivery of the same message maps to the same event.
 */
export function parseCallback(raw: string): { event: InboundEvent & { kind: 'message' } } | { error: string } {
  let body: CallbackBody;
  try {
    body = JSON.parse(raw) as CallbackBody;
  } catch (e) {
    return { error: `不是 JSON（${(e as Error).message}）` };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { error: '不是 JSON 对象' };
  const conversationId = s(body.conversationId);
  const senderId = s(body.senderId) || s(body.senderStaffId);
  if (!conversationId || !senderId) return { error: '缺少 conversationId 或 senderId' };
  let text = s(body.text?.content);
  if (!text && Array.isArray(body.richText?.richTextList)) text = body.richText.richTextList.map((p) => s(p?.text)).join('');
  if (!text && typeof body.content === 'string') text = body.content;
  const ct = s(body.conversationType);
  const msgId = s(body.msgId) || s(body.messageId);
  let eventId: string;
  if (msgId) eventId = `zwdd:${msgId}`;
  else {
    const { sessionWebhook: _w, sessionWebhookExpiredTime: _t, ...rest } = body;
    eventId = `zwdd:sha256:${crypto.createHash('sha256').update(JSON.stringify(stable(rest))).digest('hex')}`;
  }
  const webhook = s(body.sessionWebhook);
  const expires = Number(body.sessionWebhookExpiredTime);
  return {
    event: {
      kind: 'message',
      eventId,
      conversationId,
      conversationType: ct === '2' || ct === 'group' ? 'group' : 'single',
      senderId,
      senderName: s(body.senderNick),
      text: text.trim(),
      replyWebhook: /^https?:\/\//i.test(webhook) ? webhook : undefined,
      replyWebhookExpiresAt: webhook && Number.isFinite(expires) && expires > 0 ? expires : undefined,
    },
  };
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export interface ZhengDingRouteOptions {
  platform: ZhengDingPlatform;
  /** ZWDD_CALLBACK_TOKEN. Unset: every callback is refused (401). */
  token: string | undefined;
  log?: ZhengDingLog;
}

/**
 * POST /callbacks/zhengding. Register once in the app:
 * `app.register(zhengdingCallbackRoutes, { platform, token: env.ZWDD_CALLBACK_TOKEN })`.
 * The body is read as text by this plugin's own parser (encapsulated), so a malformed body is
 * logged and acknowledged instead of failing in fastify's JSON parser. Note the query token
 * appears in fastify's request log line (`url`): redact it there if logs leave the machine.
 */
export const zhengdingCallbackRoutes: FastifyPluginAsync<ZhengDingRouteOptions> = async (app, opts) => {
  const log: ZhengDingLog = opts.log ?? app.log;
  if (!opts.token) log.warn('未配置 ZWDD_CALLBACK_TOKEN：浙政钉回调将一律拒绝（401）');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/callbacks/zhengding', async (req, reply) => {
    const q = req.query as Record<string, unknown> | undefined;
    const header = req.headers['x-callback-token'];
    const given = (typeof header === 'string' ? header : undefined) ?? (typeof q?.token === 'string' ? q.token : undefined);
    if (!opts.token || !tokenMatches(given, opts.token)) {
      log.warn(`拒绝浙政钉回调：令牌${given ? '不符' : '缺失'}（来自 ${req.ip}）`);
      return reply.code(401).send({ success: false, message: 'unauthorized' });
    }
    const raw = typeof req.body === 'string' ? req.body : '';
    const parsed = parseCallback(raw);
    if ('error' in parsed) {
      log.warn(`忽略无法解析的浙政钉回调（${raw.length} 字节）：${parsed.error}`);
      return reply.code(200).send({ success: true });
    }
    const handler = opts.platform.handler;
    if (!handler) {
      log.warn('浙政钉回调到达时平台尚未启动，请平台稍后重发');
      return reply.code(503).send({ success: false, message: 'not ready' });
    }
    let result;
    try {
      result = await handler(parsed.event);
    } catch (e) {
      log.warn(`浙政钉回调 ${parsed.event.eventId} 未能记录：${(e as Error).message}`);
      return reply.code(500).send({ success: false, message: 'retry later' });
    }
    if (result && result.reply) opts.platform.replyInBackground(parsed.event, result.reply);
    return reply.code(200).send({ success: true });
  });
};

// ---------------------------------------------------------------------------------------------
// The platform

export function createZhengDingPlatform(config: ZhengDingConfig, log: ZhengDingLog = console, deps: ZhengDingDeps = {}): ZhengDingPlatform {
  const client = createZhengDingClient({ ...deps, apiBase: config.apiBase, appKey: config.appKey, appSecret: config.appSecret, ip: config.ip, mac: config.mac });
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  let handler: InboundHandler | null = null;
  const pending = new Set<Promise<void>>();

  async function notifyUsers(userIds: string[], message: OutboundMessage, dedupKey: string): Promise<void> {
    const ids = [...new Set(userIds.filter(Boolean))];
    if (ids.length === 0) throw new PlatformError('工作通知没有接收人', false, undefined, 'NO_RECEIVERS');
    const msg = renderMsg(message, 'notification');
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += RECEIVERS_PER_CALL) chunks.push(ids.slice(i, i + RECEIVERS_PER_CALL));
    for (let i = 0; i < chunks.length; i++) {
      const bizMsgId = chunks.length === 1 ? dedupKey : `${dedupKey}#${i + 1}`;
      try {
        await client.call('POST', '/message/workNotification', { receiverIds: chunks[i].join(','), tenantId: config.tenantId, bizMsgId, msg });
      } catch (e) {
        if (isDuplicateBizMsgId(e)) {
          log.info?.(`工作通知 ${bizMsgId} 已发送过（平台答复重复），视为成功`);
          continue;
        }
        throw e;
      }
    }
  }

  async function sendToGroup(groupId: string, message: OutboundMessage): Promise<void> {
    // UNCONFIRMED (docs/dingtalk.md §6): parameters as the third-party clients send them.
    await client.call('POST', '/chat/sendMsg', { tenantId: config.tenantId, chatType: 2, chatId: groupId, msg: renderMsg(message, 'group') }, { token: true });
  }

  async function send(target: Target, message: OutboundMessage, dedupKey: string): Promise<void> {
    if (target.kind === 'users') await notifyUsers(target.userIds, message, dedupKey);
    else await sendToGroup(target.groupId, message);
  }

  async function postWebhook(webhook: string, message: OutboundMessage): Promise<void> {
    if (!/^https?:\/\//i.test(webhook)) throw new PlatformError('回复地址无效', false, undefined, 'BAD_WEBHOOK');
    let res: Response;
    let text: string;
    try {
      res = await doFetch(webhook, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: renderMsg(message, 'webhook', 20_000),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new PlatformError(`回复浙政钉会话失败：${(e as Error).message}`, true, undefined, 'NETWORK');
    }
    if (res.status >= 500 || res.status === 429) throw new PlatformError(`回复浙政钉会话失败：HTTP ${res.status}`, true, undefined, `HTTP_${res.status}`);
    if (res.status < 200 || res.status >= 300) throw new PlatformError(`回复浙政钉会话失败（会话可能已过期）：HTTP ${res.status}`, false, undefined, `HTTP_${res.status}`);
    let j: Record<string, unknown> | undefined;
    try {
      j = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // 2xx without JSON: accepted
    }
    const errcode = j?.errcode;
    if (errcode !== undefined && errcode !== 0 && errcode !== '0') {
      const msg = s(j?.errmsg);
      const retry = /限流|频率|too\s*fast|throttl|busy|繁忙/i.test(msg) || errcode === 130101;
      throw new PlatformError(`回复浙政钉会话失败：${msg}（${String(errcode)}）`, retry, retry ? 2_000 : undefined, String(errcode));
    }
    if (j?.success === false) throw new PlatformError(`回复浙政钉会话失败：${s(j.errorMsg) || s(j.message)}`, false, undefined, s(j.errorCode) || undefined);
  }

  const platform: ZhengDingPlatform = {
    name: 'zhengding',
    client,
    get handler() {
      return handler;
    },

    // A card is a message here (its fallback), counted as the send it is; the approval card's
    // update sends nothing.
    callsOf(d: Delivery): ApiCall[] {
      const sendCalls = (t: Target): ApiCall[] =>
        t.kind === 'group' ? [{ kind: 'send-group', n: 1 }] : [{ kind: 'send-users', n: Math.ceil(new Set(t.userIds.filter(Boolean)).size / RECEIVERS_PER_CALL) }];
      switch (d.op) {
        case 'send':
        case 'createCard':
          return sendCalls(d.target);
        case 'updateCard':
          return d.target ? sendCalls(d.target) : [];
        case 'reply':
          return [{ kind: 'reply', n: 1 }];
      }
    },

    async deliver(d: Delivery, dedupKey: string): Promise<void> {
      switch (d.op) {
        case 'send':
          return send(d.target, d.message, dedupKey);
        case 'createCard':
          // No interactive cards on Zheng-Ding: the card goes out as its fallback message.
          return send(d.target, d.card.fallback, dedupKey);
        case 'updateCard':
          // A card cannot change in place: a new notification carries the new state.
          // The approval card's update (decided) sends nothing: its work notification's button
          // opens the request in the mini-app, which shows who decided when; the requester is
          // told the outcome 1:1 by a message of its own. A notice to every 分管领导 per decision
          // would only repeat that.
          if (!d.target && d.card.template === 'approval') return;
          if (!d.target) throw new PlatformError(`浙政钉无法更新卡片 ${d.card.cardId}：更新时需给出接收对象`, false, undefined, 'NO_TARGET');
          return send(d.target, d.card.fallback, dedupKey);
        case 'reply':
          return postWebhook(d.webhook, d.message);
      }
    },

    replyInBackground(event: InboundEvent, message: OutboundMessage): void {
      if (event.kind !== 'message' || !event.replyWebhook) return;
      if (event.replyWebhookExpiresAt !== undefined && event.replyWebhookExpiresAt <= now()) {
        log.warn(`浙政钉会话 ${event.conversationId} 的回复地址已过期，未回复`);
        return;
      }
      const p = postWebhook(event.replyWebhook, message)
        .catch((e: Error) => log.warn(`回复浙政钉会话 ${event.conversationId} 失败：${e.message}`))
        .finally(() => pending.delete(p));
      pending.add(p);
    },

    async start(h: InboundHandler): Promise<void> {
      handler = h; // robot messages arrive through zhengdingCallbackRoutes, which calls this handler
    },

    async stop(): Promise<void> {
      handler = null;
      await Promise.allSettled([...pending]);
    },
  };
  return platform;
}

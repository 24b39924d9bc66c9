// The `dingtalk` chat platform: deliveries through the OpenAPI (openapi.ts), callbacks over
// Stream mode (stream.ts).
//
// @-mentions, as confirmed in the SDKs and the robot message formats:
// - Group messages (POST /v1.0/robot/groupMessages/send): the request has no at-list
//   (@alicloud/dingtalk robot_1_0 OrgGroupSendRequest: robotCode, openConversationId, msgKey,
//   msgParam, coolAppCode, token), so a real @ reminder cannot be sent this way. The `@userId`
//   text is still put into the body so people see who is meant.
// - Replies through the sessionWebhook take the robot webhook body, which has
//   `at: {atUserIds, isAtAll}` for text and markdown: there the mention is real, with `@userId`
//   in the text as the webhook format asks.
// - 1:1 messages (oToMessages/batchSend) go to the user's own robot chat: no @ needed or added.
// - Cards: createAndDeliver's imGroupOpenDeliverModel has `atUserIds` (userId → display name),
//   but CardPayload carries no names, so cards are delivered without @ (see the report).

import { PlatformError, type ApiCall, type CardPayload, type ChatPlatform, type Delivery, type InboundEvent, type InboundHandler, type InboundResult, type OutboundMessage, type Target } from '../platform.ts';
import { DingTalkOpenApi, type CreateAndDeliverBody, type OpenApiOptions } from './openapi.ts';
import { DingTalkStreamClient, errorName, type DingTalkLog, type StreamOptions } from './stream.ts';

export type { DingTalkLog };

export interface DingTalkConfig {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  corpId?: string;
  /** DINGTALK_API_BASE */
  apiBase: string;
  /** DINGTALK_OAPI_BASE */
  oapiBase: string;
  cardTemplates: { alert?: string; approval?: string };
}

/** Tuning, mostly for tests (short backoff, short token life). */
export interface DingTalkPlatformOptions {
  stream?: Pick<StreamOptions, 'backoff' | 'connectTimeoutMs' | 'heartbeatMs' | 'drainMs' | 'random' | 'ua'>;
  openapi?: Pick<OpenApiOptions, 'timeoutMs' | 'tokenRefreshEarlyMs' | 'throttleRetryMs' | 'now'>;
}

export interface DingTalkPlatform extends ChatPlatform {
  readonly name: 'dingtalk';
  readonly api: DingTalkOpenApi;
  /** The stream client while started. */
  readonly stream: DingTalkStreamClient | undefined;
}

/** oToMessages/batchSend takes at most 20 userIds per call. */
const BATCH_SEND_MAX_USERS = 20;

export function createDingTalkPlatform(config: DingTalkConfig, log: DingTalkLog, options: DingTalkPlatformOptions = {}): DingTalkPlatform {
  const api = new DingTalkOpenApi({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    apiBase: config.apiBase,
    oapiBase: config.oapiBase,
    log,
    ...options.openapi,
  });
  let stream: DingTalkStreamClient | undefined;

  async function send(target: Target, message: OutboundMessage): Promise<void> {
    if (target.kind === 'group') {
      const { msgKey, msgParam } = robotMessage(message, true, log);
      await api.orgGroupSend({ robotCode: config.robotCode, openConversationId: target.groupId, msgKey, msgParam });
      return;
    }
    const { msgKey, msgParam } = robotMessage(message, false, log);
    for (let i = 0; i < target.userIds.length; i += BATCH_SEND_MAX_USERS) {
      const userIds = target.userIds.slice(i, i + BATCH_SEND_MAX_USERS);
      const res = await api.batchSendOTO({ robotCode: config.robotCode, userIds, msgKey, msgParam });
      if (res.invalidStaffIdList.length) log.warn(`钉钉单聊消息：${res.invalidStaffIdList.length} 个用户 id 无效，未送达`);
      if (res.flowControlledStaffIdList.length) log.warn(`钉钉单聊消息：${res.flowControlledStaffIdList.length} 个用户被限流，未送达`);
    }
  }

  function templateId(card: CardPayload): string {
    const id = config.cardTemplates[card.template];
    if (!id) throw new PlatformError(`未配置钉钉卡片模板 DINGTALK_CARD_TEMPLATE_${card.template.toUpperCase()}`, false, undefined, 'noTemplate');
    return id;
  }

  /** The card's content put again by its outTrackId (all its variables, public and private). */
  function putCard(card: CardPayload): Promise<void> {
    return api.updateCard({
      outTrackId: card.cardId,
      cardData: { cardParamMap: card.data },
      ...privateDataOf(card),
      cardUpdateOptions: card.privateData ? { updateCardDataByKey: true, updatePrivateDataByKey: true } : { updateCardDataByKey: true },
    });
  }

  async function createCard(target: Target, card: CardPayload, attempt: number): Promise<void> {
    if (attempt > 1 && !(target.kind === 'users' && target.userIds.length === 0)) {
      // A repeat: the earlier call may have created the card (its answer lost with a crash, or a
      // 5xx after the work). Put its content by outTrackId; only a card that does not exist is
      // created, so a resend never posts a second card into the group.
      try {
        await putCard(card);
        return;
      } catch (e) {
        if (!(e instanceof PlatformError && (e.code === 'param.cardNotExist' || e.code === 'updateFailed'))) throw e;
      }
    }
    const base = {
      cardTemplateId: templateId(card),
      outTrackId: card.cardId,
      callbackType: 'STREAM' as const,
      cardData: { cardParamMap: card.data },
      ...privateDataOf(card),
    };
    let body: CreateAndDeliverBody;
    if (target.kind === 'group') {
      const at = card.atUsers?.length ? { atUserIds: Object.fromEntries(card.atUsers.map((u) => [u.userId, u.name])) } : {};
      body = { ...base, openSpaceId: `dtv1.card//IM_GROUP.${target.groupId}`, imGroupOpenDeliverModel: { robotCode: config.robotCode, ...at } };
    } else {
      if (target.userIds.length === 0) return;
      body = {
        ...base,
        openSpaceId: `dtv1.card//${target.userIds.map((u) => `IM_ROBOT.${u}`).join(';')}`,
        imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: config.robotCode },
      };
    }
    await api.createAndDeliverCard(body);
  }

  async function replyAfterAck(event: InboundEvent, result: InboundResult): Promise<void> {
    if (result && result.later) {
      await result.later().catch((e) => log.warn(`钉钉回调后续处理失败（${event.eventId}）：${errorName(e)}`));
    }
    if (event.kind !== 'message' || !result || !result.reply) return;
    if (!event.replyWebhook) return;
    if (event.replyWebhookExpiresAt !== undefined && event.replyWebhookExpiresAt <= Date.now()) {
      log.warn(`钉钉会话回复地址已过期，未回复（${event.eventId}）`);
      return;
    }
    try {
      await api.postWebhook(event.replyWebhook, webhookBody(result.reply, log));
    } catch (e) {
      log.warn(`钉钉会话回复失败（${event.eventId}）：${errorName(e)}`);
    }
  }

  const platform: DingTalkPlatform = {
    name: 'dingtalk',
    api,
    get stream() {
      return stream;
    },
    // One call per delivery, but a 1:1 message goes out in calls of at most 20 users each, and a
    // card for nobody makes no call.
    callsOf(d: Delivery): ApiCall[] {
      switch (d.op) {
        case 'send':
          return d.target.kind === 'group' ? [{ kind: 'send-group', n: 1 }] : [{ kind: 'send-users', n: Math.ceil(d.target.userIds.length / BATCH_SEND_MAX_USERS) }];
        case 'createCard':
          return [{ kind: 'create-card', n: d.target.kind === 'users' && d.target.userIds.length === 0 ? 0 : 1 }];
        case 'updateCard':
          return [{ kind: 'update-card', n: 1 }];
        case 'reply':
          return [{ kind: 'reply', n: 1 }];
      }
    },
    // DingTalk's send APIs take no idempotency key: the dedup key is the outbox's business. A card's
    // stable id (outTrackId) makes card updates idempotent, and a card's creation too: a repeated
    // attempt updates the card if it exists (createCard).
    async deliver(d: Delivery, _dedupKey: string, attempt?: number): Promise<void> {
      switch (d.op) {
        case 'send':
          return send(d.target, d.message);
        case 'createCard':
          return createCard(d.target, d.card, attempt ?? 1);
        case 'updateCard':
          // By key: the variables sent replace theirs, the others stay (a clicker's private
          // `notice` from the callback's answer survives the update that follows it).
          return putCard(d.card);
        case 'reply':
          return api.postWebhook(d.webhook, webhookBody(d.message, log));
      }
    },
    async start(handler: InboundHandler): Promise<void> {
      if (stream) return;
      await api.ready(); // import the SDK's modules now, not on the first delivery
      const s = new DingTalkStreamClient({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        apiBase: config.apiBase,
        handler,
        afterAck: replyAfterAck,
        log,
        ...options.stream,
      });
      stream = s;
      try {
        await s.start();
      } catch (e) {
        stream = undefined;
        throw e;
      }
    },
    async stop(): Promise<void> {
      const s = stream;
      stream = undefined;
      await s?.stop();
    },
  };
  return platform;
}

// ---- message bodies (pure) ---------------------------------------------------------------------

/** CardPayload.privateData as the card API takes it: `privateData: {userId: {cardParamMap}}`. */
export function privateDataOf(card: CardPayload): { privateData?: Record<string, { cardParamMap: Record<string, string> }> } {
  if (!card.privateData || Object.keys(card.privateData).length === 0) return {};
  return { privateData: Object.fromEntries(Object.entries(card.privateData).map(([userId, m]) => [userId, { cardParamMap: m }])) };
}

/** Appends `@userId` for each mentioned user whose mention is not in the text yet. */
export function withMentionText(text: string, userIds: string[] | undefined, separator: string): string {
  const missing = (userIds ?? []).filter((u) => !text.includes(`@${u}`));
  return missing.length ? `${text}${separator}${missing.map((u) => `@${u}`).join(' ')}` : text;
}

/** The robot's built-in message template (msgKey) and its parameters for the send APIs. */
export function robotMessage(m: OutboundMessage, mentionInText: boolean, log?: DingTalkLog): { msgKey: string; msgParam: string } {
  switch (m.kind) {
    case 'text':
      return { msgKey: 'sampleText', msgParam: JSON.stringify({ content: mentionInText ? withMentionText(m.content, m.atUserIds, ' ') : m.content }) };
    case 'markdown':
      return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: m.title, text: mentionInText ? withMentionText(m.text, m.atUserIds, '\n\n') : m.text }) };
    case 'actionCard': {
      const buttons = m.buttons;
      if (buttons.length === 0) return { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: m.title, text: m.text }) };
      if (buttons.length === 1) {
        return { msgKey: 'sampleActionCard', msgParam: JSON.stringify({ title: m.title, text: m.text, singleTitle: buttons[0].title, singleURL: buttons[0].url }) };
      }
      // sampleActionCard2…5: 2…5 buttons, stacked, as actionTitleN/actionURLN
      // (sampleActionCard6 is two side-by-side buttons, buttonTitleN/buttonUrlN: not used).
      const shown = buttons.slice(0, 5);
      if (buttons.length > 5) log?.warn(`钉钉卡片消息最多 5 个按钮，已略去 ${buttons.length - 5} 个`);
      const param: Record<string, string> = { title: m.title, text: m.text };
      shown.forEach((b, i) => {
        param[`actionTitle${i + 1}`] = b.title;
        param[`actionURL${i + 1}`] = b.url;
      });
      return { msgKey: `sampleActionCard${shown.length}`, msgParam: JSON.stringify(param) };
    }
  }
}

/** The robot webhook body (sessionWebhook replies): msgtype text / markdown / actionCard. */
export function webhookBody(m: OutboundMessage, log?: DingTalkLog): Record<string, unknown> {
  switch (m.kind) {
    case 'text': {
      const body: Record<string, unknown> = { msgtype: 'text', text: { content: withMentionText(m.content, m.atUserIds, ' ') } };
      if (m.atUserIds?.length) body.at = { atUserIds: m.atUserIds, isAtAll: false };
      return body;
    }
    case 'markdown': {
      const body: Record<string, unknown> = { msgtype: 'markdown', markdown: { title: m.title, text: withMentionText(m.text, m.atUserIds, '\n\n') } };
      if (m.atUserIds?.length) body.at = { atUserIds: m.atUserIds, isAtAll: false };
      return body;
    }
    case 'actionCard': {
      if (m.buttons.length === 0) return { msgtype: 'markdown', markdown: { title: m.title, text: m.text } };
      if (m.buttons.length === 1) {
        return { msgtype: 'actionCard', actionCard: { title: m.title, text: m.text, singleTitle: m.buttons[0].title, singleURL: m.buttons[0].url } };
      }
      if (m.buttons.length > 5) log?.warn(`钉钉卡片消息最多 5 个按钮，已略去 ${m.buttons.length - 5} 个`);
      return {
        msgtype: 'actionCard',
        actionCard: { title: m.title, text: m.text, btnOrientation: '0', btns: m.buttons.slice(0, 5).map((b) => ({ title: b.title, actionURL: b.url })) },
      };
    }
  }
}

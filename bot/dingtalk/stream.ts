// DingTalk Stream mode: the official `dingtalk-stream` client (DWClient 2.1.5) with the gateway taken
// from DINGTALK_API_BASE and reconnection owned here.
//
// What 2.1.5 does and why this file works around it (read in node_modules/dingtalk-stream/dist):
// - `getEndpoint()` posts to a hard-coded https://api.dingtalk.com gateway: overridden below (it
//   must set the private `dw_url` to `endpoint?ticket=…`, which `_connect()` opens).
// - Its own reconnection opens several live sockets after failed handshakes (a reconnect storm),
//   so it runs with `autoReconnect: false` and this class reconnects: one connection at a time,
//   exponential backoff with jitter, a fresh ticket on every try.
// - With `autoReconnect: false` nothing happens when the socket closes, and the keep-alive
//   interval of the dead socket is never cleared (it would then ping and terminate the NEXT
//   socket): a close listener here clears it and schedules the reconnect.
// - `onDownStream()` calls JSON.parse on the raw frame inside the socket's message listener, so a
//   frame that is not JSON would throw out of the listener: wrapped here.
// - Without our own `subscriptions` array, `registerCallbackListener()` pushes into the module's
//   shared default config (and the default also subscribes EVENT "*"): we pass our own.
// - SYSTEM `disconnect` only marks the client disconnected; the server goes silent and drops the
//   TCP connection about 10 s later (open-dingtalk developerpedia, stream protocol). We let
//   in-flight callbacks finish and answer, close the socket ourselves, and reconnect.

import { DWClient, TOPIC_CARD, TOPIC_ROBOT, type DWClientConfig, type DWClientDownStream } from 'dingtalk-stream';
import WebSocket from 'ws';
import { PlatformError, type InboundEvent, type InboundHandler, type InboundResult } from '../platform.ts';

export { TOPIC_CARD, TOPIC_ROBOT };

export interface DingTalkLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface BackoffOptions {
  /** First retry delay (ms). Default 1000. */
  baseMs?: number;
  /** Longest delay (ms). Default 60 000. */
  capMs?: number;
  /** A connection that lived this long resets the backoff (ms). Default 30 000. */
  stableAfterMs?: number;
}

export interface StreamOptions {
  clientId: string;
  clientSecret: string;
  /** DINGTALK_API_BASE, e.g. https://api.dingtalk.com (the gateway lives there). */
  apiBase: string;
  /** Records the event and runs business logic; throws only when the event was not recorded. */
  handler: InboundHandler;
  /** Runs after the callback was acknowledged (posting a reply, …); errors are logged. */
  afterAck?: (event: InboundEvent, result: InboundResult) => Promise<void>;
  log: DingTalkLog;
  backoff?: BackoffOptions;
  /** Gateway call and WebSocket handshake, each (ms). Default 15 000. */
  connectTimeoutMs?: number;
  /** Client-side ping interval of the SDK's keep-alive (ms); a missed pong terminates the socket. Default: the SDK's 8000. */
  heartbeatMs?: number;
  /** After SYSTEM disconnect or stop(): how long in-flight callbacks may still answer (ms). Default 5000. */
  drainMs?: number;
  /** Jitter source, [0, 1). */
  random?: () => number;
  ua?: string;
}

type FrameParse = { event: InboundEvent } | { reason: string };

/** Why a connection attempt failed. `fatal` stops the loop (credentials refused). */
class ConnectError extends Error {
  constructor(message: string, readonly fatal = false) {
    super(message);
  }
}

export class DingTalkStreamClient extends DWClient {
  readonly #opts: StreamOptions;
  readonly #log: DingTalkLog;
  #running = false;
  /** Failed attempts since the last stable connection. */
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<boolean> | undefined;
  #current: WebSocket | undefined;
  #stopCtl = new AbortController();
  readonly #inflight = new Map<WebSocket, Set<Promise<void>>>();
  readonly #draining = new WeakSet<WebSocket>();

  constructor(opts: StreamOptions) {
    const config: DWClientConfig = {
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      ua: opts.ua ?? 'dingtalk-sdk-nodejs/2.1.5 sanse',
      keepAlive: true,
      autoReconnect: false,
      debug: false,
      subscriptions: [],
    };
    super(config);
    this.#opts = opts;
    this.#log = opts.log;
    if (opts.heartbeatMs) this['heartbeat_interval'] = opts.heartbeatMs;
    this.registerCallbackListener(TOPIC_ROBOT, (frame) => this.#onCallbackFrame(frame));
    this.registerCallbackListener(TOPIC_CARD, (frame) => this.#onCallbackFrame(frame));
  }

  /** True while a socket is open. */
  get isOpen(): boolean {
    return this.#current?.readyState === WebSocket.OPEN;
  }

  /**
   * Starts the connection loop. Resolves after the first attempt (connected or not: failures are
   * retried in the background); rejects when the gateway refuses the credentials.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stopCtl = new AbortController();
    try {
      const ok = await this.#runAttempt();
      if (!ok) this.#scheduleReconnect();
    } catch (e) {
      this.#running = false;
      throw e;
    }
  }

  /** Stops reconnecting, lets in-flight callbacks answer (bounded), closes the socket. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopCtl.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const connecting = this.#sdkSocket;
    if (connecting && connecting.readyState === WebSocket.CONNECTING) connecting.terminate();
    await this.#attempt?.catch(() => false);
    const ws = this.#current;
    if (!ws) return;
    await this.#drain(ws);
    this.disconnect(); // the SDK's: clears its keep-alive interval and closes this.socket
    await closed(ws, 2000);
  }

  // ---- the SDK's hooks ---------------------------------------------------------------------

  /** Opens a connection ticket on DINGTALK_API_BASE (the SDK hard-codes api.dingtalk.com). */
  override async getEndpoint(): Promise<this> {
    const url = `${this.#opts.apiBase.replace(/\/+$/, '')}/v1.0/gateway/connections/open`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          clientId: this.config.clientId,
          clientSecret: this.config.clientSecret,
          ua: this.config.ua,
          subscriptions: this.config.subscriptions,
        }),
        signal: AbortSignal.any([AbortSignal.timeout(this.#opts.connectTimeoutMs ?? 15_000), this.#stopCtl.signal]),
      });
    } catch (e) {
      throw new ConnectError(`网关不可达（${errorName(e)}）`);
    }
    const text = await res.text().catch(() => '');
    let body: { endpoint?: unknown; ticket?: unknown; code?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // reported below
    }
    if (!res.ok) {
      const code = typeof body.code === 'string' ? body.code : '';
      // 401 authFailed (and any other 4xx but throttling) will not heal by retrying.
      const fatal = res.status >= 400 && res.status < 500 && res.status !== 429;
      throw new ConnectError(`网关拒绝连接（HTTP ${res.status}${code ? ` ${code}` : ''}）`, fatal);
    }
    if (typeof body.endpoint !== 'string' || typeof body.ticket !== 'string' || !body.endpoint || !body.ticket) {
      throw new ConnectError('网关应答缺少 endpoint 或 ticket');
    }
    this['dw_url'] = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override onDownStream(data: string): void {
    try {
      super.onDownStream(data);
    } catch (e) {
      this.#log.warn(`钉钉 Stream：收到无法解析的帧，已忽略（${errorName(e)}）`);
    }
  }

  override onSystem(frame: DWClientDownStream): void {
    super.onSystem(frame); // answers ping
    if (frame.headers?.topic === 'disconnect') {
      const ws = this.#current;
      if (!ws || this.#draining.has(ws)) return;
      this.#log.info('钉钉 Stream：服务端通知断开，处理完在途回调后重连');
      this.#draining.add(ws);
      void this.#drain(ws).then(() => {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'disconnect');
      });
    }
  }

  override onCallback(frame: DWClientDownStream): void {
    const topic = frame.headers?.topic;
    if (this.listenerCount(topic) > 0) return super.onCallback(frame);
    // Not a topic we subscribed to: acknowledge so it is not pushed again.
    this.#log.warn(`钉钉 Stream：未知回调主题，已确认（${String(topic).slice(0, 80)}）`);
    if (frame.headers?.messageId) this.socketCallBackResponse(frame.headers.messageId, null);
  }

  // ---- connection loop ---------------------------------------------------------------------

  #runAttempt(): Promise<boolean> {
    const p = this.#connectOnce().finally(() => {
      if (this.#attempt === p) this.#attempt = undefined;
    });
    this.#attempt = p;
    return p;
  }

  /** One attempt: a fresh ticket, one socket. True when connected. Throws only on fatal errors. */
  async #connectOnce(): Promise<boolean> {
    try {
      await this.getEndpoint();
      if (!this.#running) return false;
      await withTimeout(this._connect(), this.#opts.connectTimeoutMs ?? 15_000, () => this.#sdkSocket?.terminate());
    } catch (e) {
      this.#failures++;
      const fatal = e instanceof ConnectError && e.fatal;
      this.#log.warn(`钉钉 Stream：连接失败（第 ${this.#failures} 次）：${e instanceof ConnectError ? e.message : errorName(e)}`);
      if (fatal) throw new PlatformError(`钉钉 Stream 连接被拒绝：${(e as Error).message}（检查 DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET）`, false, undefined, 'authFailed');
      return false;
    }
    const ws = this.#sdkSocket;
    if (!ws) return false;
    if (!this.#running) {
      ws.close();
      return false;
    }
    const openedAt = Date.now();
    this.#current = ws;
    ws.once('close', () => this.#onSocketClosed(ws, openedAt));
    this.#log.info('钉钉 Stream：已连接');
    this.emit('sanse:connected');
    return true;
  }

  #onSocketClosed(ws: WebSocket, openedAt: number): void {
    if (this.#current !== ws) return;
    this.#current = undefined;
    // The SDK keeps its keep-alive interval running after a close it does not reconnect from.
    const hb = this['heartbeatIntervallId'];
    if (hb !== undefined) clearInterval(hb);
    this['heartbeatIntervallId'] = undefined;
    this.emit('sanse:closed');
    if (!this.#running) return;
    // A connection that did not last counts as a failure, so a flapping gateway backs off too.
    if (Date.now() - openedAt >= (this.#opts.backoff?.stableAfterMs ?? 30_000)) this.#failures = 0;
    else this.#failures++;
    this.#log.warn('钉钉 Stream：连接已断开，稍后重连');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (!this.#running || this.#timer || this.#attempt || this.#current) return;
    const delay = this.#backoffDelay();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      // Credentials refused while running (revoked secret?): logged, and tried again at the
      // backoff's pace, since the process has no other way to receive callbacks.
      const again = () => this.#scheduleReconnect();
      this.#runAttempt().then((ok) => { if (!ok) again(); }, again);
    }, delay);
  }

  /** Exponential in the number of failures since the last stable connection, jittered to [½, 1]. */
  #backoffDelay(): number {
    const base = this.#opts.backoff?.baseMs ?? 1000;
    const cap = this.#opts.backoff?.capMs ?? 60_000;
    const full = Math.min(cap, base * 2 ** Math.max(0, this.#failures - 1));
    const r = (this.#opts.random ?? Math.random)();
    return Math.round(full / 2 + (full / 2) * r);
  }

  async #drain(ws: WebSocket): Promise<void> {
    const pending = this.#inflight.get(ws);
    if (!pending || pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...pending]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#opts.drainMs ?? 5000); }),
    ]);
    clearTimeout(timer);
  }

  // ---- callbacks ---------------------------------------------------------------------------

  /** The SDK's current socket (a private field of DWClient). */
  get #sdkSocket(): WebSocket | undefined {
    return this['socket'] as WebSocket | undefined;
  }

  #onCallbackFrame(frame: DWClientDownStream): void {
    const ws = this.#sdkSocket;
    const messageId = frame.headers?.messageId;
    if (!ws || typeof messageId !== 'string' || !messageId) {
      this.#log.warn('钉钉 Stream：回调缺少 messageId，无法确认，已忽略');
      return;
    }
    let set = this.#inflight.get(ws);
    if (!set) this.#inflight.set(ws, (set = new Set()));
    const p: Promise<void> = this.#handleCallback(frame, messageId, ws)
      .catch((e) => this.#log.warn(`钉钉 Stream：处理回调出错（${messageId}）：${errorName(e)}`))
      .finally(() => {
        set.delete(p);
        if (set.size === 0) this.#inflight.delete(ws);
      });
    set.add(p);
  }

  async #handleCallback(frame: DWClientDownStream, messageId: string, ws: WebSocket): Promise<void> {
    const topic = frame.headers.topic;
    const parsed = parseCallback(topic, messageId, frame.data);
    if ('reason' in parsed) {
      this.#log.warn(`钉钉 Stream：回调无法解析（${topic}，${messageId}）：${parsed.reason}，已确认并忽略`);
      this.#ack(ws, messageId, topic === TOPIC_CARD ? {} : null);
      return;
    }
    let result: InboundResult;
    try {
      result = await this.#opts.handler(parsed.event);
    } catch (e) {
      // Not recorded: no ack, so the platform pushes it again.
      this.#log.warn(`钉钉 Stream：回调未能记录，不确认，等待重推（${messageId}）：${errorName(e)}`);
      return;
    }
    // A card action's answer: the card's new data for everyone, the clicker's private data and
    // the notice for the clicker alone (the card template shows the private variable `notice` to
    // the user who pressed).
    const priv = result ? { ...(result.userPrivateData ?? {}), ...(result.notice ? { notice: result.notice } : {}) } : {};
    const response = parsed.event.kind === 'cardAction'
      ? {
          ...(result && result.cardData ? { cardData: { cardParamMap: result.cardData } } : {}),
          ...(Object.keys(priv).length ? { userPrivateData: { cardParamMap: priv } } : {}),
        }
      : null;
    this.#ack(ws, messageId, response);
    if (this.#opts.afterAck) {
      await this.#opts.afterAck(parsed.event, result).catch((e) =>
        this.#log.warn(`钉钉 Stream：回调后续处理失败（${messageId}）：${errorName(e)}`));
    }
  }

  #ack(ws: WebSocket, messageId: string, response: unknown): void {
    // The SDK answers on this.socket: only when that is still the socket the callback came on.
    if (this.#sdkSocket !== ws || ws.readyState !== WebSocket.OPEN) {
      this.#log.info(`钉钉 Stream：连接已换，未能确认（${messageId}）；重推会按事件 id 去重`);
      return;
    }
    this.socketCallBackResponse(messageId, response);
  }
}

// ---- parsing (pure) ----------------------------------------------------------------------------

/** Turns a CALLBACK frame's data into an InboundEvent, or says why it cannot. */
export function parseCallback(topic: string, messageId: string, data: unknown): FrameParse {
  let d: unknown;
  try {
    d = typeof data === 'string' ? JSON.parse(data) : data;
  } catch {
    return { reason: 'data 不是 JSON' };
  }
  if (!isRecord(d)) return { reason: 'data 不是对象' };
  if (topic === TOPIC_ROBOT) return parseRobotMessage(messageId, d);
  if (topic === TOPIC_CARD) return parseCardCallback(messageId, d);
  return { reason: '未知主题' };
}

function parseRobotMessage(eventId: string, d: Record<string, unknown>): FrameParse {
  const conversationId = str(d.conversationId);
  if (!conversationId) return { reason: '缺少 conversationId' };
  const type = str(d.conversationType);
  if (type !== '1' && type !== '2') return { reason: 'conversationType 无效' };
  const event: InboundEvent = {
    kind: 'message',
    eventId,
    conversationId,
    conversationType: type === '1' ? 'single' : 'group',
    // The corp userid; empty for a sender outside the organisation (DingTalk sends no staff id).
    senderId: str(d.senderStaffId),
    senderName: str(d.senderNick),
    text: messageText(d),
  };
  const webhook = str(d.sessionWebhook);
  if (webhook) event.replyWebhook = webhook;
  const expires = Number(d.sessionWebhookExpiredTime);
  if (webhook && Number.isFinite(expires) && expires > 0) event.replyWebhookExpiresAt = expires;
  return { event };
}

/** text → text.content; richText → its text parts; other message types (pictures, audio…) → ''. */
function messageText(d: Record<string, unknown>): string {
  if (d.msgtype === 'text' && isRecord(d.text)) return str(d.text.content).trim();
  if (d.msgtype === 'richText' && isRecord(d.content) && Array.isArray(d.content.richText)) {
    return d.content.richText.map((p) => (isRecord(p) ? str(p.text) : '')).join('').trim();
  }
  return '';
}

function parseCardCallback(eventId: string, d: Record<string, unknown>): FrameParse {
  const cardId = str(d.outTrackId);
  if (!cardId) return { reason: '缺少 outTrackId' };
  const userId = str(d.userId);
  if (!userId) return { reason: '缺少 userId' };
  let content: unknown = d.content;
  if (typeof content === 'string') {
    try {
      content = JSON.parse(content);
    } catch {
      return { reason: 'content 不是 JSON' };
    }
  }
  if (!isRecord(content) || !isRecord(content.cardPrivateData)) return { reason: '缺少 cardPrivateData' };
  const priv = content.cardPrivateData;
  const actionIds = Array.isArray(priv.actionIds) ? priv.actionIds.filter((a): a is string => typeof a === 'string') : [];
  const raw = isRecord(priv.params) ? priv.params : {};
  const params: Record<string, string> = {};
  const put = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (v === null || v === undefined || k === 'form') continue;
      params[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  };
  put(raw);
  let actionId = actionIds[0] ?? '';
  // The form component (clients ≥ 7.6.x) submits as actionIds ["form"] with params.form {…}: its
  // fields become params, and the action is the form's `action` (or the submit button's id, or
  // another action id sent with it).
  let form: unknown = raw.form;
  if (typeof form === 'string') {
    try {
      form = JSON.parse(form);
    } catch {
      form = undefined;
    }
  }
  if (isRecord(form)) {
    put(form);
    if (actionId === 'form' || !actionId) {
      const named = [form.action, form.actionId, form.submit, form.button, raw.action].find((a): a is string => typeof a === 'string' && a !== '' && a !== 'form');
      actionId = named ?? actionIds.find((a) => a !== 'form') ?? actionId;
    }
  }
  return { event: { kind: 'cardAction', eventId, cardId, userId, actionId, params } };
}

// ---- helpers -----------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A name for logs that carries no payload (error messages may quote SQL values or bodies). */
export function errorName(e: unknown): string {
  if (e instanceof PlatformError) return e.message;
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
    const code = typeof o.code === 'string' ? o.code : typeof o.cause?.code === 'string' ? o.cause.code : '';
    const name = typeof o.name === 'string' ? o.name : 'Error';
    return code ? `${name} ${code}` : name;
  }
  return typeof e;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new ConnectError(`握手超时（${ms} ms）`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function closed(ws: WebSocket, ms: number): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, ms);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

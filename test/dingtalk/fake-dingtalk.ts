// A local DingTalk for tests, on 127.0.0.1 (random port), speaking the real protocol:
// - the Stream gateway (POST /v1.0/gateway/connections/open → {endpoint, ticket}) and its
//   WebSocket (/connect?ticket=…, one connection per ticket) with the real frames: CALLBACK frames
//   out, acks and ping answers in, SYSTEM ping / disconnect;
// - the OpenAPI routes sanse calls (oauth2 token, robot group and 1:1 messages, card create and
//   update), the legacy /gettoken and one topapi route, and a robot sessionWebhook;
// - records every HTTP request and every ack, counts live WebSocket connections (and the most
//   ever live at once) and gateway calls, and injects faults into the next calls.

import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  at: number;
}

export interface RecordedAck {
  messageId: string;
  code: number;
  headers: Record<string, unknown>;
  message: string;
  /** The ack's `data` parsed from its JSON string. */
  data: unknown;
  connectionId: string;
  at: number;
}

export type Fault =
  | '5xx' // 503 JSON
  | 'qps' // 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi
  | 'qpsApi' // 403 Forbidden.AccessDenied.QpsLimitForApi
  | 'html' // 403 with an HTML page (IP-level throttling)
  | 'tokenExpired' // 400 InvalidAuthentication
  | 'badRequest' // 400 with a parameter error
  | 'oapiThrottle' // 200 {errcode: 90018}
  | 'oapiBadToken'; // 200 {errcode: 88, sub_code: "40014"}

export interface FakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds, as the token endpoints answer. Default 7200. */
  tokenExpireIn?: number;
  /** Answer the message and card calls after a delay, uniform in [min, max] ms (default none). */
  latencyMs?: [number, number];
  /** A card update (PUT /v1.0/card/instances) of an outTrackId never created answers param.cardNotExist, as DingTalk does (default: every update succeeds). */
  strictCards?: boolean;
}

const GATEWAY = '/v1.0/gateway/connections/open';
const TOKEN = '/v1.0/oauth2/accessToken';

export class FakeDingTalk extends EventEmitter {
  readonly clientId: string;
  readonly clientSecret: string;
  tokenExpireIn: number;
  readonly latencyMs: [number, number] | null;
  readonly strictCards: boolean;
  /** Message and card calls received whose answer has not been written yet. */
  inFlight = 0;
  readonly requests: RecordedRequest[] = [];
  readonly acks: RecordedAck[] = [];
  readonly pingAnswers: RecordedAck[] = [];
  /** Tokens issued so far (both token endpoints). */
  tokensIssued = 0;
  /** WebSocket connections accepted so far. */
  connectionsOpened = 0;
  /** The most connections ever live at the same time. */
  maxLiveConnections = 0;

  #server: http.Server;
  #wss = new WebSocketServer({ noServer: true });
  #live = new Map<WebSocket, string>();
  #tickets = new Map<string, number>();
  #tokens = new Set<string>();
  #frames = new Map<string, string>();
  #pendingPings = new Set<string>();
  #gatewayFaults: number[] = [];
  #upgradeRejects = 0;
  #faults: Array<{ fault: Fault; remaining: number; path?: string }> = [];
  #seq = 0;
  #accepted: RecordedRequest[] = [];
  #cards = new Set<string>();
  base = '';

  private constructor(opts: FakeOptions) {
    super();
    this.clientId = opts.clientId ?? 'ding-test-client';
    this.clientSecret = opts.clientSecret ?? 'test-secret';
    this.tokenExpireIn = opts.tokenExpireIn ?? 7200;
    this.latencyMs = opts.latencyMs ?? null;
    this.strictCards = opts.strictCards ?? false;
    this.#server = http.createServer((req, res) => void this.#onRequest(req, res));
    this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
  }

  static async start(opts: FakeOptions = {}): Promise<FakeDingTalk> {
    const fake = new FakeDingTalk(opts);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.base = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const ws of this.#live.keys()) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- inspection --------------------------------------------------------------------------

  get liveConnections(): number {
    return this.#live.size;
  }

  get gatewayCalls(): number {
    return this.requests.filter((r) => r.path === GATEWAY).length;
  }

  /** Requests to one path (method optional). */
  calls(path: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path && (!method || r.method === method));
  }

  acksFor(messageId: string): RecordedAck[] {
    return this.acks.filter((a) => a.messageId === messageId);
  }

  /**
   * Cards created, by outTrackId: how many createAndDeliver calls with a valid token reached the
   * platform (an answer the caller never read, because it died, counts: the platform took it).
   */
  deliveredCards(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.#accepted) if (r.path === '/v1.0/card/instances/createAndDeliver') {
      const id = String((r.body as { outTrackId?: unknown })?.outTrackId);
      out.set(id, (out.get(id) ?? 0) + 1);
    }
    return out;
  }

  /** Group messages that reached the platform, by `openConversationId|msgParam`, counted as deliveredCards. */
  deliveredGroupMessages(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.#accepted) if (r.path === '/v1.0/robot/groupMessages/send') {
      const b = r.body as { openConversationId?: unknown; msgParam?: unknown };
      const key = `${String(b?.openConversationId)}|${String(b?.msgParam)}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
  }

  webhookUrl(session = 'session-1'): string {
    return `${this.base}/robot/sendBySession?session=${session}`;
  }

  // ---- fault injection ---------------------------------------------------------------------

  /** The next `n` gateway calls answer this HTTP status. */
  failGateway(n: number, status = 500): void {
    for (let i = 0; i < n; i++) this.#gatewayFaults.push(status);
  }

  /** The next `n` WebSocket handshakes are refused (HTTP 401), though the ticket is good. */
  rejectUpgrades(n: number): void {
    this.#upgradeRejects += n;
  }

  /** The next `n` OpenAPI / oapi / webhook calls (to `path` only, if given) answer with `fault`. Token endpoints are spared unless named. */
  fault(fault: Fault, n = 1, path?: string): void {
    this.#faults.push({ fault, remaining: n, path });
  }

  /** Every token issued so far stops being valid. */
  expireTokens(): void {
    this.#tokens.clear();
  }

  // ---- stream ------------------------------------------------------------------------------

  /** Sends a CALLBACK frame to the live connection (the newest); returns its messageId. */
  sendCallback(topic: string, data: object | string, messageId = `msg-${++this.#seq}-${crypto.randomBytes(3).toString('hex')}`): string {
    const ws = this.#newest();
    const frame = JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: 'app-test',
        connectionId: this.#live.get(ws),
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic,
      },
      data: typeof data === 'string' ? data : JSON.stringify(data),
    });
    this.#frames.set(messageId, frame);
    ws.send(frame);
    return messageId;
  }

  /** Pushes a callback again, as the platform does when it got no ack. */
  redeliver(messageId: string): void {
    const frame = this.#frames.get(messageId);
    if (!frame) throw new Error(`no frame ${messageId}`);
    this.#newest().send(frame);
  }

  /** Pushes again every callback that has not been acknowledged. */
  redeliverUnacked(): string[] {
    const ids = [...this.#frames.keys()].filter((id) => this.acksFor(id).length === 0);
    for (const id of ids) this.redeliver(id);
    return ids;
  }

  /** A SYSTEM ping; the answer lands in `pingAnswers`. */
  ping(): string {
    const messageId = `ping-${++this.#seq}`;
    this.#pendingPings.add(messageId);
    this.#newest().send(JSON.stringify({
      specVersion: '1.0',
      type: 'SYSTEM',
      headers: { contentType: 'application/json', messageId, time: String(Date.now()), topic: 'ping' },
      data: JSON.stringify({ opaque: crypto.randomUUID() }),
    }));
    return messageId;
  }

  /** A SYSTEM disconnect; the server closes the connection after `closeAfterMs` (the real one: ~10 s). */
  disconnect(closeAfterMs = 10_000): void {
    const ws = this.#newest();
    ws.send(JSON.stringify({
      specVersion: '1.0',
      type: 'SYSTEM',
      headers: { contentType: 'application/json', messageId: `sys-${++this.#seq}`, time: String(Date.now()), topic: 'disconnect' },
      data: JSON.stringify({ reason: 'connection is expired' }),
    }));
    const timer = setTimeout(() => ws.terminate(), closeAfterMs);
    ws.once('close', () => clearTimeout(timer));
  }

  /** Sends a text frame as is (e.g. not JSON). */
  sendRaw(text: string): void {
    this.#newest().send(text);
  }

  /** Drops every live connection (TCP reset, no close frame). */
  dropConnections(): void {
    for (const ws of this.#live.keys()) ws.terminate();
  }

  #newest(): WebSocket {
    const all = [...this.#live.keys()];
    const ws = all[all.length - 1];
    if (!ws) throw new Error('no live stream connection');
    return ws;
  }

  #onUpgrade(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    const expires = this.#tickets.get(ticket);
    const reject = this.#upgradeRejects > 0;
    if (reject) this.#upgradeRejects--;
    if (reject || url.pathname !== '/connect' || expires === undefined || expires < Date.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#tickets.delete(ticket); // a ticket opens one connection
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connectionId = `conn-${++this.connectionsOpened}`;
      this.#live.set(ws, connectionId);
      this.maxLiveConnections = Math.max(this.maxLiveConnections, this.#live.size);
      ws.on('close', () => {
        this.#live.delete(ws);
        this.emit('closed', connectionId);
      });
      ws.on('error', () => {});
      ws.on('message', (raw) => this.#onClientFrame(connectionId, raw.toString()));
      this.emit('connected', connectionId);
    });
  }

  #onClientFrame(connectionId: string, text: string): void {
    let msg: { code?: unknown; headers?: Record<string, unknown>; message?: unknown; data?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      this.emit('garbage', text);
      return;
    }
    const messageId = String(msg.headers?.messageId ?? '');
    let data: unknown = msg.data;
    try {
      if (typeof data === 'string') data = JSON.parse(data);
    } catch {
      // keep the string
    }
    const rec: RecordedAck = {
      messageId,
      code: Number(msg.code),
      headers: msg.headers ?? {},
      message: String(msg.message ?? ''),
      data,
      connectionId,
      at: Date.now(),
    };
    if (this.#pendingPings.delete(messageId)) {
      this.pingAnswers.push(rec);
      this.emit('pingAnswer', rec);
      return;
    }
    this.acks.push(rec);
    this.emit('ack', rec);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  async #onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      at: Date.now(),
    };
    this.requests.push(rec);
    this.emit('request', rec);
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(payload));
    };

    if (rec.path === GATEWAY && rec.method === 'POST') return this.#gateway(req, b, json, res);
    if (this.#applyFault(rec, json, res)) return;

    switch (`${rec.method} ${rec.path}`) {
      case `POST ${TOKEN}`:
        if (b.appKey !== this.clientId || b.appSecret !== this.clientSecret) return json(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
        return json(200, { accessToken: this.#issueToken(), expireIn: this.tokenExpireIn });
      case 'GET /gettoken':
        if (rec.query.appkey !== this.clientId || rec.query.appsecret !== this.clientSecret) return json(200, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
        return json(200, { errcode: 0, errmsg: 'ok', access_token: this.#issueToken(), expires_in: this.tokenExpireIn });
      case 'POST /topapi/v2/user/getuserinfo':
        if (!this.#tokens.has(rec.query.access_token ?? '')) return json(200, { errcode: 88, sub_code: '40014', errmsg: '不合法的access_token' });
        return json(200, { errcode: 0, errmsg: 'ok', result: { userid: `user-${String(b.code ?? '')}` } });
      case 'POST /robot/sendBySession':
        if (!rec.query.session) return json(200, { errcode: 300001, errmsg: 'session 不存在' });
        return json(200, { errcode: 0, errmsg: 'ok' });
    }

    // New-version OpenAPI: the token header first.
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (!token) return json(400, { code: 'AuthenticationFailed.MissingParameter', message: '缺少参数 x-acs-dingtalk-access-token', requestid: 'r' });
    if (typeof token !== 'string' || !this.#tokens.has(token)) return json(400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'r' });
    this.#accepted.push(rec);
    if (this.latencyMs) {
      const [min, max] = this.latencyMs;
      this.inFlight++;
      await new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));
      this.inFlight--;
    }
    switch (`${rec.method} ${rec.path}`) {
      case 'POST /v1.0/robot/groupMessages/send':
        return json(200, { processQueryKey: `pqk-${++this.#seq}` });
      case 'POST /v1.0/robot/oToMessages/batchSend':
        return json(200, { processQueryKey: `pqk-${++this.#seq}`, invalidStaffIdList: [], flowControlledStaffIdList: [] });
      case 'POST /v1.0/card/instances/createAndDeliver': {
        this.#cards.add(String(b.outTrackId));
        const spaces = String(b.openSpaceId ?? '').replace(/^dtv1\.card\/\//, '').split(';').filter(Boolean);
        return json(200, {
          success: true,
          result: {
            outTrackId: b.outTrackId,
            deliverResults: spaces.map((s) => ({ spaceType: s.split('.')[0], spaceId: s.slice(s.indexOf('.') + 1), success: true, carrierId: `carrier-${++this.#seq}` })),
          },
        });
      }
      case 'PUT /v1.0/card/instances':
        if (this.strictCards && !this.#cards.has(String(b.outTrackId))) return json(400, { code: 'param.cardNotExist', message: '卡片不存在', requestid: 'r' });
        return json(200, { success: true, result: true });
    }
    return json(404, { code: 'InvalidAction.NotFound', message: `no route ${rec.method} ${rec.path}`, requestid: 'r' });
  }

  #gateway(req: http.IncomingMessage, b: Record<string, unknown>, json: (s: number, p: unknown) => void, res: http.ServerResponse): void {
    const status = this.#gatewayFaults.shift();
    if (status !== undefined) return json(status, { code: 'systemError', message: '系统繁忙' });
    if (!String(req.headers.accept ?? '').includes('application/json')) {
      // The real gateway answers XML without this header (the SDK's comment says so).
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end('<OpenConnectionResponse><endpoint/></OpenConnectionResponse>');
      return;
    }
    if (b.clientId !== this.clientId || b.clientSecret !== this.clientSecret) return json(401, { code: 'authFailed', message: '鉴权失败' });
    const ticket = crypto.randomUUID();
    this.#tickets.set(ticket, Date.now() + 90_000);
    json(200, { endpoint: `${this.base.replace(/^http/, 'ws')}/connect`, ticket });
  }

  #issueToken(): string {
    const t = `tok-${++this.tokensIssued}-${crypto.randomBytes(4).toString('hex')}`;
    this.#tokens.add(t);
    return t;
  }

  #applyFault(rec: RecordedRequest, json: (s: number, p: unknown) => void, res: http.ServerResponse): boolean {
    const isToken = rec.path === TOKEN || rec.path === '/gettoken';
    const f = this.#faults.find((x) => x.remaining > 0 && (x.path ? rec.path === x.path : !isToken));
    if (!f) return false;
    f.remaining--;
    if (f.remaining === 0) this.#faults.splice(this.#faults.indexOf(f), 1);
    switch (f.fault) {
      case '5xx':
        json(503, { code: 'ServiceUnavailable', message: '服务暂不可用', requestid: 'r' });
        break;
      case 'qps':
        json(403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '应用调用该接口的请求数超过限流阈值', requestid: 'r' });
        break;
      case 'qpsApi':
        json(403, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '该接口的请求数超过限流阈值', requestid: 'r' });
        break;
      case 'html':
        res.writeHead(403, { 'Content-Type': 'text/html;charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>403</title></head><body>访问被拒绝：请求过于频繁</body></html>');
        break;
      case 'tokenExpired':
        json(400, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'r' });
        break;
      case 'badRequest':
        json(400, { code: 'param.invalid', message: '参数错误', requestid: 'r' });
        break;
      case 'oapiThrottle':
        json(200, { errcode: 90018, errmsg: '当前请求被限流' });
        break;
      case 'oapiBadToken':
        json(200, { errcode: 88, sub_code: '40014', errmsg: '不合法的access_token' });
        break;
    }
    return true;
  }
}

/** Polls until `cond` holds (or throws after `timeoutMs`). */
export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// DingTalk OpenAPI calls: the official @alicloud/dingtalk clients for the new-version API
// (DINGTALK_API_BASE), small fetch calls for what those clients do not cover (the robot's
// sessionWebhook, a URL handed to us in the callback; legacy oapi calls on DINGTALK_OAPI_BASE),
// one cached access token, and every failure mapped to a PlatformError.
//
// Confirmed in @alicloud/dingtalk 2.2.27 (dist/*/client.{d.ts,js}) and its gateway
// (@alicloud/gateway-dingtalk 1.0.2):
// - robot_1_0 `orgGroupSendWithOptions` → POST /v1.0/robot/groupMessages/send {robotCode,
//   openConversationId, msgKey, msgParam, coolAppCode?, token?}: no field for @-mentions;
//   `batchSendOTOWithOptions` → POST /v1.0/robot/oToMessages/batchSend {robotCode, userIds, msgKey,
//   msgParam}; card_1_0 `createAndDeliverWithOptions` → POST /v1.0/card/instances/createAndDeliver,
//   `updateCardWithOptions` → PUT /v1.0/card/instances; oauth2_1_0 `getAccessToken` → POST
//   /v1.0/oauth2/accessToken {appKey, appSecret} → {accessToken, expireIn}.
// - The token goes in the `x-acs-dingtalk-access-token` header (the *Headers model's
//   xAcsDingtalkAccessToken); the plain `orgGroupSend(request)` methods send none, so the
//   *WithOptions methods are used.
// - The URL is `{protocol}://{endpoint}{pathname}` with `endpoint` = host[:port]: a base URL
//   with a path cannot be expressed, hence the check in `splitBase`.
// - A 4xx/5xx answer becomes a ResponseError {code, statusCode, data}; a body that is not JSON
//   (an HTML throttling page, a proxy's error page) surfaces as a bare SyntaxError, without the
//   status; network failures are Node errors with a `code` (ECONNREFUSED…) or httpx's
//   RequestTimeoutError. No automatic retry (runtime.autoretry unset): the outbox retries.
// - The family modules are imported from dist/<family>/client.js: it loads just that family
//   (the package's root `robot_1_0.js` requires the whole index of ~120 families and has no
//   types). They are CommonJS: `unwrapCjs` copes with both Node's and tsx's interop.

import { PlatformError } from '../platform.ts';
import type { DingTalkLog } from './stream.ts';

import type * as RobotNs from '@alicloud/dingtalk/dist/robot_1_0/client.js';
import type * as CardNs from '@alicloud/dingtalk/dist/card_1_0/client.js';
import type * as OAuth2Ns from '@alicloud/dingtalk/dist/oauth2_1_0/client.js';

// Under NodeNext an ESM import of these CommonJS modules puts module.exports on `default`.
type RobotExports = typeof RobotNs.default;
type CardExports = typeof CardNs.default;
type OAuth2Exports = typeof OAuth2Ns.default;

/** module.exports of each family: its models and, on `default`, its Client class. */
interface DingTalkSdk {
  robot: RobotExports;
  card: CardExports;
  oauth2: OAuth2Exports;
}

let sdk: Promise<DingTalkSdk> | undefined;

/** Imports the SDK's family modules, once per process (each import costs a few hundred ms). */
export function loadDingTalkSdk(): Promise<DingTalkSdk> {
  if (sdk) return sdk;
  sdk = Promise.all([
    import('@alicloud/dingtalk/dist/robot_1_0/client.js'),
    import('@alicloud/dingtalk/dist/card_1_0/client.js'),
    import('@alicloud/dingtalk/dist/oauth2_1_0/client.js'),
  ]).then(([robot, card, oauth2]) => ({
    robot: unwrapCjs<RobotExports>(robot),
    card: unwrapCjs<CardExports>(card),
    oauth2: unwrapCjs<OAuth2Exports>(oauth2),
  }));
  return sdk;
}

/**
 * module.exports of a CommonJS module: Node's ESM loader puts it on the namespace's `default`;
 * tsx merges it into the namespace (whose `default` is then the module's own `exports.default`).
 */
function unwrapCjs<T>(ns: { default: unknown }): T {
  return (typeof ns.default === 'function' ? ns : ns.default) as T;
}

export interface OpenApiOptions {
  clientId: string;
  clientSecret: string;
  /** DINGTALK_API_BASE, e.g. https://api.dingtalk.com */
  apiBase: string;
  /** DINGTALK_OAPI_BASE, e.g. https://oapi.dingtalk.com */
  oapiBase: string;
  log: DingTalkLog;
  /** Per request (ms). Default 10 000. */
  timeoutMs?: number;
  /** Renew the token this long before it expires (ms). Default 5 minutes. */
  tokenRefreshEarlyMs?: number;
  /** Wait suggested to the outbox after a throttling answer (ms). Default 1000. */
  throttleRetryMs?: number;
  now?: () => number;
}

export interface MessageSend {
  robotCode: string;
  msgKey: string;
  /** JSON string. */
  msgParam: string;
}

export interface CreateAndDeliverBody {
  cardTemplateId: string;
  outTrackId: string;
  callbackType: 'STREAM';
  cardData: { cardParamMap: Record<string, string> };
  /** Card variables per userId, seen by that user only and over the public ones (PrivateDataValue of card_1_0). */
  privateData?: Record<string, { cardParamMap: Record<string, string> }>;
  openSpaceId: string;
  imGroupOpenDeliverModel?: { robotCode: string; atUserIds?: Record<string, string> };
  imRobotOpenDeliverModel?: { spaceType: 'IM_ROBOT'; robotCode?: string };
}

export interface UpdateCardBody {
  outTrackId: string;
  cardData: { cardParamMap: Record<string, string> };
  privateData?: Record<string, { cardParamMap: Record<string, string> }>;
  cardUpdateOptions: { updateCardDataByKey: true; updatePrivateDataByKey?: true };
}

/** PlatformError.code of an answer saying the access token is missing, invalid or expired. */
export const TOKEN_INVALID = 'InvalidAuthentication';

interface Clients {
  sdk: DingTalkSdk;
  robot: InstanceType<RobotExports['default']>;
  card: InstanceType<CardExports['default']>;
  oauth2: InstanceType<OAuth2Exports['default']>;
}

type SdkConfig = ConstructorParameters<RobotExports['default']>[0];
type SdkRuntime = Parameters<Clients['robot']['orgGroupSendWithOptions']>[2];

export class DingTalkOpenApi {
  readonly #opts: OpenApiOptions;
  readonly #now: () => number;
  #clients: Promise<Clients> | undefined;
  #token: { value: string; refreshAt: number } | undefined;
  #tokenFetch: Promise<string> | undefined;
  /** How many tokens were fetched (for tests and diagnostics). */
  tokenFetches = 0;

  constructor(opts: OpenApiOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    splitBase(opts.apiBase, 'DINGTALK_API_BASE'); // fail early on a bad base
  }

  /** Loads the SDK and builds the clients (call at start; every call below does it too). */
  ready(): Promise<Clients> {
    this.#clients ??= loadDingTalkSdk().then((sdk) => {
      const { protocol, endpoint } = splitBase(this.#opts.apiBase, 'DINGTALK_API_BASE');
      const timeout = this.#opts.timeoutMs ?? 10_000;
      // The fields of @alicloud/openapi-client's Config, which the clients only read (that package
      // is the SDK's dependency, not ours, so it is not imported for its class).
      const config = { protocol, endpoint, regionId: 'central', readTimeout: timeout, connectTimeout: timeout } as SdkConfig;
      return {
        sdk,
        robot: new sdk.robot.default(config),
        card: new sdk.card.default(config),
        oauth2: new sdk.oauth2.default(config),
      };
    });
    this.#clients.catch(() => { this.#clients = undefined; });
    return this.#clients;
  }

  // ---- access token ------------------------------------------------------------------------

  /** The cached app access token, fetched (one request at a time) when missing or due. */
  async accessToken(): Promise<string> {
    const t = this.#token;
    if (t && this.#now() < t.refreshAt) return t.value;
    this.#tokenFetch ??= this.#fetchToken().finally(() => { this.#tokenFetch = undefined; });
    return this.#tokenFetch;
  }

  /** Forgets `token` if it is the cached one (an answer said it is no longer valid). */
  invalidateToken(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  async #fetchToken(): Promise<string> {
    const c = await this.ready();
    let body: { accessToken?: string; expireIn?: number } | undefined;
    try {
      const res = await c.oauth2.getAccessToken(new c.sdk.oauth2.GetAccessTokenRequest({
        appKey: this.#opts.clientId,
        appSecret: this.#opts.clientSecret,
      }));
      body = res.body;
    } catch (e) {
      throw sdkError(e, '获取 access token', this.#throttleMs);
    }
    this.tokenFetches++;
    if (!body?.accessToken) throw new PlatformError('获取 access token：应答缺少 accessToken', true);
    const lifeMs = Math.max(1, Number(body.expireIn) || 7200) * 1000;
    const early = Math.min(this.#opts.tokenRefreshEarlyMs ?? 5 * 60_000, lifeMs / 2);
    this.#token = { value: body.accessToken, refreshAt: this.#now() + lifeMs - early };
    return body.accessToken;
  }

  get #throttleMs(): number {
    return this.#opts.throttleRetryMs ?? 1000;
  }

  /** Runs `call` with the token; an answer that the token is invalid renews it and tries once more. */
  async #withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      try {
        return await call(token);
      } catch (e) {
        if (e instanceof PlatformError && e.code === TOKEN_INVALID) {
          this.invalidateToken(token);
          if (attempt === 0) continue;
        }
        throw e;
      }
    }
  }

  #runtime(): SdkRuntime {
    const timeout = this.#opts.timeoutMs ?? 10_000;
    return { readTimeout: timeout, connectTimeout: timeout } as SdkRuntime;
  }

  // ---- robot messages ----------------------------------------------------------------------

  /** POST /v1.0/robot/groupMessages/send */
  async orgGroupSend(req: MessageSend & { openConversationId: string }): Promise<{ processQueryKey?: string }> {
    const c = await this.ready();
    return this.#withToken(async (token) => {
      try {
        const res = await c.robot.orgGroupSendWithOptions(
          new c.sdk.robot.OrgGroupSendRequest({ ...req }),
          new c.sdk.robot.OrgGroupSendHeaders({ xAcsDingtalkAccessToken: token }),
          this.#runtime(),
        );
        return { processQueryKey: res.body?.processQueryKey };
      } catch (e) {
        throw sdkError(e, '机器人发送群消息', this.#throttleMs);
      }
    });
  }

  /** POST /v1.0/robot/oToMessages/batchSend */
  async batchSendOTO(req: MessageSend & { userIds: string[] }): Promise<{ processQueryKey?: string; invalidStaffIdList: string[]; flowControlledStaffIdList: string[] }> {
    const c = await this.ready();
    return this.#withToken(async (token) => {
      try {
        const res = await c.robot.batchSendOTOWithOptions(
          new c.sdk.robot.BatchSendOTORequest({ ...req }),
          new c.sdk.robot.BatchSendOTOHeaders({ xAcsDingtalkAccessToken: token }),
          this.#runtime(),
        );
        return {
          processQueryKey: res.body?.processQueryKey,
          invalidStaffIdList: res.body?.invalidStaffIdList ?? [],
          flowControlledStaffIdList: res.body?.flowControlledStaffIdList ?? [],
        };
      } catch (e) {
        throw sdkError(e, '机器人发送单聊消息', this.#throttleMs);
      }
    });
  }

  // ---- interactive cards -------------------------------------------------------------------

  /** POST /v1.0/card/instances/createAndDeliver; a space the card could not be delivered to is an error. */
  async createAndDeliverCard(body: CreateAndDeliverBody): Promise<void> {
    const c = await this.ready();
    const res = await this.#withToken(async (token) => {
      try {
        return await c.card.createAndDeliverWithOptions(
          new c.sdk.card.CreateAndDeliverRequest({ ...body }),
          new c.sdk.card.CreateAndDeliverHeaders({ xAcsDingtalkAccessToken: token }),
          this.#runtime(),
        );
      } catch (e) {
        throw sdkError(e, '创建并投放卡片', this.#throttleMs);
      }
    });
    const failed = (res.body?.result?.deliverResults ?? []).filter((r) => r.success === false);
    if (res.body?.success === false || failed.length > 0) {
      const why = failed.map((r) => `${r.spaceType ?? ''}:${r.errorMsg ?? '失败'}`).join('；') || '应答 success=false';
      throw new PlatformError(`创建并投放卡片：投放失败（${why.slice(0, 200)}）`, false, undefined, 'deliverFailed');
    }
  }

  /** PUT /v1.0/card/instances */
  async updateCard(body: UpdateCardBody): Promise<void> {
    const c = await this.ready();
    const res = await this.#withToken(async (token) => {
      try {
        return await c.card.updateCardWithOptions(
          new c.sdk.card.UpdateCardRequest({ ...body }),
          new c.sdk.card.UpdateCardHeaders({ xAcsDingtalkAccessToken: token }),
          this.#runtime(),
        );
      } catch (e) {
        throw sdkError(e, '更新卡片', this.#throttleMs);
      }
    });
    if (res.body?.success === false) throw new PlatformError('更新卡片：应答 success=false', false, undefined, 'updateFailed');
  }

  // ---- fetch-based calls -------------------------------------------------------------------

  /**
   * POSTs a robot message body to a sessionWebhook (a URL from the callback, so not an SDK call).
   * The app token rides along in `x-acs-dingtalk-access-token`, so only DingTalk hosts get it.
   */
  async postWebhook(url: string, body: unknown): Promise<void> {
    if (!this.#isDingTalkUrl(url)) throw new PlatformError('回复地址不是钉钉的地址，未发送', false, undefined, 'badWebhook');
    await this.#withToken(async (token) => {
      const answer = await this.#fetchJson('回复会话消息', url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-acs-dingtalk-access-token': token },
        body: JSON.stringify(body),
      });
      checkErrcode(answer, '回复会话消息', this.#throttleMs);
    });
  }

  /**
   * A legacy call on DINGTALK_OAPI_BASE with `?access_token=`: HTTP 200 with `errcode` 0, or an
   * error (90018 throttled → retryable; 88/40014, 40001, 42001 bad token → renewed once).
   */
  async oapi<T extends object = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    return this.#withToken(async (token) => {
      const url = new URL(`${this.#opts.oapiBase.replace(/\/+$/, '')}${path}`);
      for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
      url.searchParams.set('access_token', token);
      const answer = await this.#fetchJson(`旧版接口 ${path}`, url.toString(), {
        method,
        headers: opts.body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      checkErrcode(answer, `旧版接口 ${path}`, this.#throttleMs);
      return answer as T;
    });
  }

  async #fetchJson(op: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000) });
      text = await res.text();
    } catch (e) {
      throw new PlatformError(`${op}：网络错误（${networkCode(e)}）`, true, undefined, 'network');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PlatformError(`${op}：应答不是 JSON（HTTP ${res.status}）`, true, this.#throttleMs, 'nonJson');
    }
    const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (res.status >= 400) throw httpError(res.status, String(obj.code ?? obj.errcode ?? ''), op, this.#throttleMs);
    return obj;
  }

  #isDingTalkUrl(raw: string): boolean {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return false;
    }
    const ours = [this.#opts.apiBase, this.#opts.oapiBase].map((b) => new URL(b).origin);
    return ours.includes(u.origin) || (u.protocol === 'https:' && (u.hostname === 'dingtalk.com' || u.hostname.endsWith('.dingtalk.com')));
  }
}

// ---- error mapping -----------------------------------------------------------------------------

/** Splits a base URL into the SDK's `protocol` and `endpoint` (host[:port]). */
export function splitBase(base: string, name: string): { protocol: 'http' | 'https'; endpoint: string } {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new Error(`${name} 不是有效的网址：${base}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${name} 只能是 http 或 https 网址：${base}`);
  if (u.pathname !== '/' && u.pathname !== '') throw new Error(`${name} 不能带路径（钉钉 SDK 只接受主机和端口）：${base}`);
  return { protocol: u.protocol === 'https:' ? 'https' : 'http', endpoint: u.host };
}

/** Maps an error thrown by an @alicloud/dingtalk call. */
export function sdkError(e: unknown, op: string, throttleMs: number): PlatformError {
  if (e instanceof PlatformError) return e;
  const err = e as { statusCode?: unknown; code?: unknown; name?: unknown };
  if (typeof err?.statusCode === 'number') return httpError(err.statusCode, typeof err.code === 'string' ? err.code : '', op, throttleMs);
  if (e instanceof SyntaxError) return new PlatformError(`${op}：应答不是 JSON`, true, throttleMs, 'nonJson');
  if (e instanceof ReferenceError || e instanceof RangeError || (e instanceof TypeError && !(e as { code?: unknown }).code)) {
    return new PlatformError(`${op}：内部错误（${(e as Error).name}）`, false, undefined, 'internal');
  }
  return new PlatformError(`${op}：网络错误（${networkCode(e)}）`, true, undefined, 'network');
}

/** Maps an HTTP error status and the body's `code`. */
export function httpError(status: number, code: string, op: string, throttleMs: number): PlatformError {
  const what = `${op}：HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 429 || /QpsLimit|Throttling|TooManyRequests/i.test(code)) return new PlatformError(`${what}（限流）`, true, throttleMs, code || 'throttled');
  if (status >= 500) return new PlatformError(what, true, undefined, code || `http${status}`);
  if ((status === 400 || status === 401) && /^(InvalidAuthentication|AuthenticationFailed)/.test(code)) {
    return new PlatformError(`${what}（access token 无效）`, true, undefined, TOKEN_INVALID);
  }
  return new PlatformError(what, false, undefined, code || `http${status}`);
}

/** Legacy answers: HTTP 200 with `errcode`. */
function checkErrcode(answer: Record<string, unknown>, op: string, throttleMs: number): void {
  const errcode = Number(answer.errcode ?? 0);
  if (!errcode) return;
  const sub = String(answer.sub_code ?? '');
  const what = `${op}：errcode ${errcode}${sub ? `/${sub}` : ''}`;
  if (errcode === 90018 || errcode === 130101) throw new PlatformError(`${what}（限流）`, true, throttleMs, String(errcode));
  if (errcode === 88 && sub === '40014') throw new PlatformError(`${what}（access token 无效）`, true, undefined, TOKEN_INVALID);
  if (errcode === 40014 || errcode === 40001 || errcode === 42001) throw new PlatformError(`${what}（access token 无效）`, true, undefined, TOKEN_INVALID);
  if (errcode === -1) throw new PlatformError(`${what}（系统繁忙）`, true, undefined, String(errcode));
  throw new PlatformError(what, false, undefined, String(errcode));
}

function networkCode(e: unknown): string {
  const o = e as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof o?.cause?.code === 'string') return o.cause.code;
  if (typeof o?.code === 'string') return o.code;
  return typeof o?.name === 'string' ? o.name : 'Error';
}

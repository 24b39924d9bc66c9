// A small signed HTTP client for the Zheng-Ding (浙政钉 / 专有钉钉) open platform gateway.
//
// Every call is signed (docs/dingtalk.md §6). Checked against the vendor's own Java SDK
// (zwdd-sdk-java 1.2.0, decompiled: `com.alibaba.xxpt.gateway.shared.client.sign.Signature`,
// `http.AbstractRequest`, `http.impl.PostRequest`/`GetRequest`, `http.adapter.RequestAdapter`) and
// third-party clients (PHP, Python, Go, Node):
//   - text to sign: METHOD \n TIMESTAMP \n NONCE \n PATH, then \n PARAMS only when there are
//     parameters; PARAMS = key=value pairs joined by '&', keys ordered case-insensitively (the SDK
//     keeps them in a TreeMap with String.CASE_INSENSITIVE_ORDER), values NOT URL-encoded, a list
//     gives one pair per element (the SDK sorts the elements of one key), and a parameter whose
//     value is empty is dropped from both the request and the signed text (SDK `addParameter`);
//   - signature = base64(HMAC-SHA256(appSecret, UTF-8 bytes of that text));
//   - PATH is the path of the request URL, without host and query;
//   - POST sends the same parameters as application/x-www-form-urlencoded (UTF-8), GET as query.
// The timestamp follows the third-party clients' `YYYY-MM-DDTHH:mm:ss.000+08:00` (the SDK prints
// Joda's ISO dateTime with real milliseconds in the JVM's zone); the nonce follows their
// `epoch seconds + '000' + 4 random digits` (the SDK uses System.nanoTime() + 4 digits).

import crypto from 'node:crypto';
import os from 'node:os';
import { PlatformError } from '../platform.ts';

export type ParamValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;
export type Params = Record<string, ParamValue>;

export interface ZhengDingClientOptions {
  apiBase: string;
  appKey: string;
  appSecret: string;
  /** X-Hmac-Auth-IP: the caller's address as registered with the platform. Default: first non-internal IPv4. */
  ip?: string;
  /** X-Hmac-Auth-MAC. Default: the MAC of that interface, upper-case (as the Java SDK sends it). */
  mac?: string;
  /** Milliseconds since the epoch (tests pin it). */
  now?: () => number;
  /** X-Hmac-Auth-Nonce generator (tests pin it). Must give a new value per request. */
  nonce?: () => string;
  fetch?: typeof fetch;
  /** Per request, default 10 s. */
  timeoutMs?: number;
  /** Renew the token this long before it expires (capped at half its lifetime). Default 5 min. */
  tokenRefreshAheadMs?: number;
  /**
   * Method of /gettoken.json. The brief and docs/dingtalk.md say POST (so do the Python clients);
   * the vendor's help page and Java example use GET. Both carry the same signed parameters.
   */
  tokenMethod?: 'GET' | 'POST';
}

export interface CallOptions {
  /** Adds `access_token` (the app token, fetched and cached here) to the parameters. */
  token?: boolean;
}

/** An error answer of the gateway or the API, classified for the outbox. */
export class ZhengDingError extends PlatformError {
  constructor(
    message: string,
    retryable: boolean,
    retryAfterMs?: number,
    code?: string,
    /** HTTP status when the failure was at the HTTP level. */
    readonly status?: number,
    /** What the platform said (responseMessage / errorMsg / Message), as is. */
    readonly platformMessage?: string,
  ) {
    super(message, retryable, retryAfterMs, code);
    this.name = 'ZhengDingError';
  }
}

/** The gateway's answer for a wrong signature (docs/dingtalk.md §6, vendor help page). */
export const SIGNATURE_MISMATCH_CODE = 'OPF-B001-05-16-0009';
/** responseCode of "应用accessToken失效或不存在" (vendor help page, getuserinfo_bycode error table). */
export const TOKEN_INVALID_CODE = '240133';

const THROTTLE_DEFAULT_WAIT_MS = 2_000;

/** `YYYY-MM-DDTHH:mm:ss.000+08:00` for the instant, in Asia/Shanghai whatever the server's TZ (no DST there since 1991). */
export function shanghaiTimestamp(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19) + '.000+08:00';
}

/** Key order of the signed text: case-insensitive like the SDK's TreeMap, ordinal as a tie-break. */
function compareKeys(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The parameters as [key, value] pairs in sending order, empty values dropped. */
export function paramPairs(params: Params | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null) continue;
      const s = String(v);
      if (s === '') continue;
      pairs.push([key, s]);
    }
  }
  return pairs;
}

/** The PARAMS part of the signed text ('' when there are none). */
export function canonicalParams(pairs: ReadonlyArray<[string, string]>): string {
  const sorted = [...pairs].sort(([ka, va], [kb, vb]) => compareKeys(ka, kb) || (va < vb ? -1 : va > vb ? 1 : 0));
  return sorted.map(([k, v]) => `${k}=${v}`).join('&');
}

export function signatureText(method: string, timestamp: string, nonce: string, path: string, params: string): string {
  return `${method}\n${timestamp}\n${nonce}\n${path}` + (params ? `\n${params}` : '');
}

export function sign(appSecret: string, text: string): string {
  return crypto.createHmac('sha256', appSecret).update(text, 'utf8').digest('base64');
}

/** First non-internal IPv4 address and its MAC, or loopback. */
function localAddress(): { ip: string; mac: string } {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return { ip: a.address, mac: a.mac && a.mac !== '00:00:00:00:00:00' ? a.mac.toUpperCase() : '' };
    }
  }
  return { ip: '127.0.0.1', mac: '' };
}

/** epoch seconds + '000' + 4 random digits, never the same twice in one process within a second. */
function nonceFactory(now: () => number): () => string {
  let second = -1;
  const used = new Set<number>();
  return () => {
    const s = Math.floor(now() / 1000);
    if (s !== second) {
      second = s;
      used.clear();
    }
    if (used.size >= 9000) throw new ZhengDingError('本秒内请求过多，无法生成不重复的 nonce', true, 1000, 'NONCE_EXHAUSTED');
    let r: number;
    do r = crypto.randomInt(1000, 10000);
    while (used.has(r));
    used.add(r);
    return `${s}000${r}`;
  };
}

const THROTTLE_RE = /throttl|flow\s*control|rate\s*limit|limit\s*exceed|too\s*many|frequen|限流|频率|过于频繁|太频繁|超过.*(限制|上限)|繁忙|busy/i;
const SERVER_RE = /system\s*error|internal|service\s*unavailable|timeout|timed\s*out|系统(错误|异常|繁忙)|服务(异常|不可用)|超时|稍后重试/i;
const TOKEN_RE = /access_?token/i;
const TOKEN_BAD_RE = /失效|过期|不存在|无效|invalid|expired|illegal|not\s*exist/i;

interface ErrorFacts {
  code?: string;
  message: string;
}

function isTokenError(f: ErrorFacts): boolean {
  return f.code === TOKEN_INVALID_CODE || (TOKEN_RE.test(f.message) && TOKEN_BAD_RE.test(f.message)) || (f.code !== undefined && TOKEN_RE.test(f.code) && TOKEN_BAD_RE.test(f.code));
}

function classify(path: string, f: ErrorFacts): ZhengDingError {
  const text = `${f.code ?? ''} ${f.message}`;
  const label = `浙政钉接口 ${path} 出错：${f.message || '（无说明）'}${f.code ? `（${f.code}）` : ''}`;
  if (f.code === SIGNATURE_MISMATCH_CODE || /SignatureDoesNotMatch/i.test(text)) {
    return new ZhengDingError(`${label}；请核对 AppKey/AppSecret、接口域名和服务器时间`, false, undefined, f.code ?? 'SignatureDoesNotMatch', undefined, f.message);
  }
  if (THROTTLE_RE.test(text)) return new ZhengDingError(label, true, THROTTLE_DEFAULT_WAIT_MS, f.code, undefined, f.message);
  if (SERVER_RE.test(text)) return new ZhengDingError(label, true, undefined, f.code, undefined, f.message);
  if (isTokenError(f)) return new ZhengDingError(label, true, undefined, f.code ?? 'TOKEN_INVALID', undefined, f.message);
  return new ZhengDingError(label, false, undefined, f.code, undefined, f.message);
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(h);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : undefined;
}

export interface ZhengDingClient {
  /** One signed call; resolves to `content.data` of a successful answer. Throws ZhengDingError. */
  call<T = unknown>(method: 'GET' | 'POST', path: string, params?: Params, opts?: CallOptions): Promise<T>;
  /** The cached app token, fetched or renewed when needed (one request in flight). */
  accessToken(): Promise<string>;
  /** Forgets the cached token (the next call fetches a new one). */
  invalidateToken(token?: string): void;
}

export function createZhengDingClient(options: ZhengDingClientOptions): ZhengDingClient {
  const base = options.apiBase.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const nextNonce = options.nonce ?? nonceFactory(now);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const ahead = options.tokenRefreshAheadMs ?? 5 * 60_000;
  let addr: { ip: string; mac: string } | undefined;
  const ip = () => options.ip ?? (addr ??= localAddress()).ip;
  const mac = () => options.mac ?? (addr ??= localAddress()).mac;

  let token: { value: string; renewAt: number; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function send(method: 'GET' | 'POST', path: string, params: Params | undefined): Promise<unknown> {
    const url = new URL(base + path);
    const pairs = paramPairs(params);
    const timestamp = shanghaiTimestamp(now());
    const nonce = nextNonce();
    const signature = sign(options.appSecret, signatureText(method, timestamp, nonce, url.pathname, canonicalParams(pairs)));
    const headers: Record<string, string> = {
      apiKey: options.appKey,
      'X-Hmac-Auth-Version': '1.0',
      'X-Hmac-Auth-Timestamp': timestamp,
      'X-Hmac-Auth-Nonce': nonce,
      'X-Hmac-Auth-IP': ip(),
      'X-Hmac-Auth-MAC': mac(),
      'X-Hmac-Auth-Signature': signature,
    };
    const form = new URLSearchParams(pairs).toString();
    let body: string | undefined;
    if (method === 'GET') {
      if (form) url.search = form;
    } else {
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
      body = form;
    }

    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      const what = err.name === 'TimeoutError' || err.name === 'AbortError' ? `超时（${timeoutMs} ms）` : `网络错误：${err.message}`;
      throw new ZhengDingError(`浙政钉接口 ${path} ${what}`, true, undefined, 'NETWORK');
    }
    if (res.status < 200 || res.status >= 300) {
      const snippet = text.slice(0, 200);
      const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? (res.status === 429 ? THROTTLE_DEFAULT_WAIT_MS : undefined);
      let facts: ErrorFacts | undefined;
      try {
        const j = JSON.parse(text) as Record<string, unknown>;
        facts = { code: str(j.errorCode) ?? str(j.Code) ?? str(j.code), message: str(j.errorMsg) ?? str(j.Message) ?? str(j.message) ?? '' };
      } catch {
        /* not JSON */
      }
      if (facts && !retryable) {
        const c = classify(path, facts);
        throw new ZhengDingError(`${c.message}（HTTP ${res.status}）`, c.retryable, c.retryAfterMs, c.code, res.status, c.platformMessage);
      }
      throw new ZhengDingError(`浙政钉接口 ${path} 返回 HTTP ${res.status}：${snippet}`, retryable, wait, facts?.code ?? `HTTP_${res.status}`, res.status, facts?.message);
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
      if (!json || typeof json !== 'object') throw new Error('not an object');
    } catch {
      throw new ZhengDingError(`浙政钉接口 ${path} 返回的不是 JSON：${text.slice(0, 200)}`, true, undefined, 'BAD_RESPONSE', res.status);
    }
    if (json.success !== true) {
      throw classify(path, {
        code: str(json.errorCode) ?? str(json.bizErrorCode) ?? str(json.Code) ?? str(json.code),
        message: str(json.errorMsg) ?? str(json.Message) ?? str(json.message) ?? str((json.content as Record<string, unknown> | undefined)?.responseMessage) ?? '',
      });
    }
    let content = json.content as unknown;
    if (typeof content === 'string') {
      try {
        content = JSON.parse(content);
      } catch {
        return content;
      }
    }
    if (!content || typeof content !== 'object') return content;
    const c = content as Record<string, unknown>;
    const code = str(c.responseCode);
    if (c.success === false || (c.success === undefined && code !== undefined && code !== '0')) {
      throw classify(path, { code: code ?? str(c.errorCode), message: str(c.responseMessage) ?? str(c.errorMsg) ?? '' });
    }
    return c.data;
  }

  async function fetchToken(): Promise<string> {
    const data = await send(options.tokenMethod ?? 'POST', '/gettoken.json', { appkey: options.appKey, appsecret: options.appSecret });
    let d = data as Record<string, unknown> | string | undefined;
    if (typeof d === 'string') {
      try {
        d = JSON.parse(d) as Record<string, unknown>;
      } catch {
        d = undefined;
      }
    }
    const value = typeof d === 'object' && d ? str(d.accessToken) : undefined;
    const seconds = typeof d === 'object' && d ? Number(d.expiresIn ?? d.expireIn ?? 7200) : NaN;
    if (!value || !Number.isFinite(seconds) || seconds <= 0) {
      throw new ZhengDingError('浙政钉 /gettoken.json 未返回 accessToken', true, undefined, 'BAD_TOKEN_RESPONSE');
    }
    const lifetime = seconds * 1000;
    const t = now();
    token = { value, expiresAt: t + lifetime, renewAt: t + lifetime - Math.min(ahead, lifetime / 2) };
    return value;
  }

  function accessToken(): Promise<string> {
    if (token && now() < token.renewAt) return Promise.resolve(token.value);
    if (!inFlight) {
      inFlight = fetchToken().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  function invalidateToken(value?: string): void {
    if (!value || token?.value === value) token = undefined;
  }

  async function call<T>(method: 'GET' | 'POST', path: string, params?: Params, opts: CallOptions = {}): Promise<T> {
    if (!opts.token) return (await send(method, path, params)) as T;
    const used = await accessToken();
    try {
      return (await send(method, path, { ...params, access_token: used })) as T;
    } catch (e) {
      if (!(e instanceof ZhengDingError) || !isTokenError({ code: e.code, message: e.platformMessage ?? '' })) throw e;
      invalidateToken(used); // refused token: fetch a fresh one and try exactly once more
      const fresh = await accessToken();
      return (await send(method, path, { ...params, access_token: fresh })) as T;
    }
  }

  return { call, accessToken, invalidateToken };
}

// The server's API, same origin (the server serves the app at /m/ and the API at /api/ and
// /auth/; `npm run dev:miniapp` proxies both). Session cookie sent by the browser; writes under
// /api/ carry x-csrf-token from GET /api/me.

import type { AuthConfig, Me } from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** The request never reached the server or no answer came back: the user's input is kept. */
export class NetworkError extends Error {
  constructor() {
    super('网络连接异常，请检查网络后重试');
  }
}

let csrf: string | null = null;
let me: Me | null = null;

export function setMe(m: Me | null): void {
  me = m;
  csrf = m?.csrfToken ?? null;
}
export function currentMe(): Me | null {
  return me;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: '提交的内容有误',
  401: '请先登录',
  403: '没有权限进行此操作',
  404: '未找到相应的数据',
  409: '数据已被他人修改',
  413: '文件过大',
  423: '您的账号已被锁定，请联系本地编办',
  429: '操作过于频繁，请稍后再试',
};

export function messageFor(status: number, body: unknown): string {
  const e = body && typeof body === 'object' ? (body as { error?: unknown; message?: unknown }) : null;
  if (e && typeof e.error === 'string' && e.error) return e.error;
  if (e && typeof e.message === 'string' && /[\u4e00-\u9fff]/.test(e.message)) return e.message;
  return DEFAULT_MESSAGES[status] ?? (status >= 500 ? `服务器出错（${status}），请稍后重试` : `请求失败（${status}）`);
}

/** The login page's notice after a save was refused because the login timed out. */
export const SAVE_REFUSED_NOTICE = '登录已超时，您的修改尚未保存，重新登录后将回到原页面';

let sessionNotice: string | null = null;
/** Why the last session ended, once (登录已超时，请重新登录: the server's 401 said it timed out); the login page shows it. */
export function takeSessionNotice(): string | null {
  const n = sessionNotice;
  sessionNotice = null;
  return n;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when any request answers 401 (the session ended). */
export function onUnauthorized(l: Listener): () => void {
  unauthorizedListeners.add(l);
  return () => unauthorizedListeners.delete(l);
}

type LockedListener = (message: string) => void;
const lockedListeners = new Set<LockedListener>();
/** Called when any request answers 423: the account is locked (the message says why and who unlocks). */
export function onLocked(l: LockedListener): () => void {
  lockedListeners.add(l);
  return () => lockedListeners.delete(l);
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  form?: FormData;
  /** Do not tell the app about a 401 (the login page's own probes). */
  quiet401?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.json !== undefined || opts.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) body = opts.form;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new NetworkError();
  }
  const text = await res.text().catch(() => {
    throw new NetworkError();
  });
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && data && typeof data === 'object' && (data as { timedOut?: unknown }).timedOut === true)
      // A save (any write) refused: the form kept a draft and the login page says so.
      sessionNotice = method !== 'GET' && path.startsWith('/api/') && !opts.quiet401 ? SAVE_REFUSED_NOTICE : messageFor(401, data);
    if (res.status === 401 && !opts.quiet401) for (const l of unauthorizedListeners) l();
    if (res.status === 423) for (const l of lockedListeners) l(messageFor(423, data));
    const fields = data && typeof data === 'object' && (data as { fields?: unknown }).fields;
    throw new ApiError(res.status, messageFor(res.status, data), fields && typeof fields === 'object' ? (fields as Record<string, string>) : {}, data);
  }
  return data as T;
}

export const get = <T>(path: string, opts: RequestOptions = {}) => request<T>(path, { ...opts, method: 'GET' });
export const post = <T>(path: string, json: unknown = {}, opts: RequestOptions = {}) => request<T>(path, { ...opts, method: 'POST', json });
export const put = <T>(path: string, json: unknown) => request<T>(path, { method: 'PUT', json });

let loginInfo: AuthConfig | null = null;

/** How to log in, as the 401 of GET /api/me tells it ({error, platform, login}); null if it did not. */
export function loginInfoFrom401(): AuthConfig | null {
  return loginInfo;
}

/** Fetches the logged-in user, or null when there is no session. */
export async function loadMe(): Promise<Me | null> {
  try {
    const m = await get<Me>('/api/me', { quiet401: true });
    setMe(m);
    return m;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setMe(null);
      const b = e.body as { platform?: unknown; login?: { dingtalk?: { corpId?: string | null; clientId?: string }; zhengding?: Record<string, unknown> } } | null;
      if (b && typeof b === 'object' && typeof b.platform === 'string') {
        const d = b.login?.dingtalk;
        loginInfo = {
          platform: b.platform,
          ...(d && d.clientId ? { dingtalk: { corpId: d.corpId ?? '', clientId: d.clientId } } : {}),
          ...(b.login?.zhengding ? { zhengding: b.login.zhengding } : {}),
        };
      }
      return null;
    }
    throw e;
  }
}

/** A query string from filters, leaving out empty values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError || e instanceof NetworkError) return e.message;
  return '出现意外错误，请刷新页面后重试';
}

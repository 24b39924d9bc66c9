// The contract of a login through a chat platform: the platforms' clients (bot/logins.ts) turn a
// one-time code into the user id of the 用户 sheet; the session (server/auth/) admits that user.
// Every failure is a LoginError with a Chinese message and the HTTP status to answer.

export class LoginError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'LoginError';
  }
}

export interface DingTalkLogin {
  /** The QR login page (OAuth2) that comes back to `redirectUri` with authCode and state. */
  qrUrl(redirectUri: string, state: string): string;
  /** Web console QR login: authCode → user token → users/me (unionId) → corp userid. */
  userIdFromAuthCode(authCode: string): Promise<string>;
  /** Mini-app no-login: requestAuthCode's code → userid. */
  userIdFromMiniAppCode(authCode: string): Promise<string>;
  corpId?: string;
  clientId: string;
}

export interface ZhengDingLogin {
  qrUrl(redirectUri: string, state: string): string;
  /** QR login: code → accountId. */
  userIdFromCode(code: string): Promise<string>;
  /** In-app no-login: authCode → accountId. */
  userIdFromAppCode(authCode: string): Promise<string>;
  clientId: string;
  tenantId: string;
}

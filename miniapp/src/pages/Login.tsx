// #/login: the sandbox's chooser of demo users; inside DingTalk, no-login with a JSAPI auth code;
// on a desktop outside the sandbox, the QR login of the configured platform.

import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText, get, loadMe, loginInfoFrom401, post, takeSessionNotice } from '../api.ts';
import { afterLogin, go, nextIn } from '../router.ts';
import { OFFICE_ROLES, SECURITY_ROLES, type AuthConfig, type Me, type SandboxUser } from '../types.ts';
import { Header, Loading } from '../ui.tsx';
import { inZhengDing, zhengDingAuthCode } from '../zhengding.ts';

export function inDingTalk(ua: string = navigator.userAgent): boolean {
  return /DingTalk/i.test(ua) && !inZhengDing(ua);
}

/** Inside a client that logs in by itself (no QR code): DingTalk or Zheng-Ding. */
const inClient = () => inDingTalk() || inZhengDing();

/**
 * The platform and the no-login ids: from the 401 of GET /api/me ({error, platform, login}), else
 * guessed from the sandbox route.
 */
async function loadConfig(): Promise<AuthConfig> {
  if (!loginInfoFrom401()) await loadMe().catch(() => null);
  const info = loginInfoFrom401();
  if (info) return info;
  try {
    await get<SandboxUser[]>('/auth/sandbox/users', { quiet401: true });
    return { platform: 'sandbox' };
  } catch {
    return { platform: 'dingtalk' };
  }
}

/** The unit of the card the user came from: the `unit` of the `next` page. */
export function cardUnit(query: URLSearchParams): string | null {
  const next = nextIn(query);
  const q = next?.indexOf('?') ?? -1;
  const unit = next && q >= 0 ? new URLSearchParams(next.slice(q + 1)).get('unit') : null;
  return unit && /^[1-9]\d{0,9}$/.test(unit) ? unit : null;
}

/** The chooser's groups, in the server's order: the card's people, the office, the units. */
function groupOf(u: SandboxUser): string {
  if (u.named) return '卡片上提醒的本单位人员';
  return OFFICE_ROLES.has(u.role) || SECURITY_ROLES.has(u.role) ? '编办账号' : '各单位账号';
}

function matches(u: SandboxUser, q: string): boolean {
  const t = q.trim();
  return !t || [u.name, u.role, u.unitName ?? '', u.id].some((s) => s.includes(t));
}

export function LoginPage(props: { query: URLSearchParams; onLogin: (me: Me) => void }) {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [users, setUsers] = useState<SandboxUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [search, setSearch] = useState('');
  /** 登录已超时，请重新登录: the session this browser had timed out (idle or absolute). */
  const [notice, setNotice] = useState<string | null>(() => takeSessionNotice());

  const finish = async () => {
    const me = await loadMe();
    if (!me) throw new Error('登录未成功，请重试');
    props.onLogin(me);
    go(afterLogin(props.query, me.home));
  };

  useEffect(() => {
    let live = true;
    setError(null);
    (async () => {
      // Already logged in (e.g. a bookmarked login page): straight on.
      const already = await loadMe().catch(() => null);
      const timedOut = takeSessionNotice();
      if (timedOut && live) setNotice(timedOut);
      if (already) {
        if (live) {
          props.onLogin(already);
          go(afterLogin(props.query, already.home));
        }
        return;
      }
      const cfg = await loadConfig();
      if (!live) return;
      setConfig(cfg);
      if (cfg.platform === 'sandbox') {
        // Come from a card (`next` is the card's /todo?unit=ID): the people it names first.
        const unit = cardUnit(props.query);
        const list = await get<SandboxUser[]>(`/auth/sandbox/users${unit ? `?unit=${encodeURIComponent(unit)}` : ''}`, { quiet401: true });
        if (live) setUsers(list);
        return;
      }
      if (cfg.platform === 'zhengding' && inZhengDing()) {
        const tenantId = typeof cfg.zhengding?.tenantId === 'string' ? cfg.zhengding.tenantId : '';
        setBusy('zhengding');
        const authCode = await zhengDingAuthCode(tenantId);
        await post('/auth/zhengding/miniapp', { authCode }, { quiet401: true });
        if (live) await finish();
        return;
      }
      if (inDingTalk()) {
        if (!cfg.dingtalk?.corpId || !cfg.dingtalk.clientId) throw new Error('未获取到钉钉应用配置（企业ID），请联系本地编办');
        setBusy('dingtalk');
        const { dingTalkAuthCode } = await import('../dingtalk.ts');
        const authCode = await dingTalkAuthCode(cfg.dingtalk.corpId, cfg.dingtalk.clientId);
        await post('/auth/dingtalk/miniapp', { authCode }, { quiet401: true });
        if (live) await finish();
      }
    })().catch((e) => {
      if (!live) return;
      setBusy(null);
      setError(e instanceof Error && !(e instanceof ApiError) && /[\u4e00-\u9fff]/.test(e.message) ? e.message : errorText(e));
    });
    return () => {
      live = false;
    };
  }, [attempt]);

  const loginAs = async (u: SandboxUser) => {
    setBusy(u.id);
    setError(null);
    try {
      await post('/auth/sandbox/login', { userId: u.id }, { quiet401: true });
      await finish();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const next = nextIn(props.query);
  const qr = `${config?.platform === 'zhengding' ? '/auth/zhengding/qr' : '/auth/dingtalk/qr'}${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  // A refusal shows at the top of the page: on a phone, far above the user tapped in the list.
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [error]);

  return (
    <div class="shell">
      <Header title="三色 · 登录" />
      <main class="page">
        {error && (
          <div class="notice error" role="alert" data-testid="login-error" ref={errorRef}>
            {error}
            <div class="actions">
              <button type="button" onClick={() => setAttempt((a) => a + 1)} data-testid="login-retry">重试</button>
            </div>
          </div>
        )}
        {notice && !error && (
          <div class="notice warn" role="status" data-testid="session-notice">{notice}</div>
        )}
        {!config && !error && <Loading />}
        {config?.platform === 'sandbox' && (
          <div class="card">
            <p style="margin-top:0"><b>沙箱演示</b>：请选择一位演示用户登录。</p>
            {!users && <Loading />}
            {users && users.length > 8 && (
              <div class="field" style="padding:0 0 10px">
                <input type="search" value={search} placeholder="搜索姓名、角色或单位" onInput={(e) => setSearch((e.target as HTMLInputElement).value)} data-testid="user-search" aria-label="搜索用户" />
              </div>
            )}
            <div class="userlist" data-testid="sandbox-users">
              {users?.filter((u) => matches(u, search)).map((u, i, shown) => (
                <Fragment key={u.id}>
                  {(i === 0 || groupOf(shown[i - 1]) !== groupOf(u)) && <div class="usergroup muted small" data-testid="user-group">{groupOf(u)}</div>}
                  <button type="button" class={u.named ? 'named' : ''} disabled={!!busy} onClick={() => loginAs(u)} data-testid={`login-user-${u.id}`}>
                    <span>{u.name}{busy === u.id && '（正在登录…）'}</span>
                    <span class="role">{u.role}{u.unitName ? ` · ${u.unitName}` : ''}</span>
                  </button>
                </Fragment>
              ))}
              {users && users.length === 0 && <p class="muted">沙箱中还没有用户，请先导入“用户”表或初始化演示数据。</p>}
            </div>
          </div>
        )}
        {config && config.platform !== 'sandbox' && inClient() && !error && <Loading text={inZhengDing() ? '正在通过浙政钉免登…' : '正在通过钉钉免登…'} />}
        {config && config.platform !== 'sandbox' && !inClient() && (
          <div class="card" style="text-align:center">
            <p>请使用{config.platform === 'zhengding' ? '浙政钉' : '钉钉'}扫码登录“三色”。</p>
            <a class="btn primary block" href={qr} data-testid="qr-login">{config.platform === 'zhengding' ? '浙政钉扫码登录' : '钉钉扫码登录'}</a>
            <p class="muted small">在{config.platform === 'zhengding' ? '浙政钉' : '钉钉'}工作台中打开本应用时无需登录。</p>
          </div>
        )}
      </main>
    </div>
  );
}

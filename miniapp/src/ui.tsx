// Shared pieces of the pages.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentMe, errorText, post, setMe } from './api.ts';
import { helpHref, parseHash } from './router.ts';
import { deadlineText, lightName, shortDate, subjectKindName } from './format.ts';
import { FixGuidePanel } from './FixGuide.tsx';
import type { Finding, Me } from './types.ts';
import { OFFICE_ROLES, SECURITY_ROLES } from './types.ts';

/** The ？ of the header: the reader's manual at the section about this screen (none before login, none on the manual itself). */
function HelpLink() {
  const me = currentMe();
  if (!me) return null;
  const route = parseHash(location.hash);
  if (route.name === 'help' || route.name === 'login') return null;
  return <a class="help" href={helpHref(route, me.role, OFFICE_ROLES.has(me.role))} title="帮助：用户操作手册" aria-label="帮助" data-testid="help-link">？</a>;
}

export function Header(props: { title: string; back?: string | (() => void); side?: ComponentChildren }) {
  const back = props.back;
  return (
    <header class="top">
      {back ? (
        typeof back === 'string' ? (
          <a class="back" href={back} data-testid="back">‹ 返回</a>
        ) : (
          <button class="back" type="button" onClick={back} data-testid="back">‹ 返回</button>
        )
      ) : (
        <span class="back" />
      )}
      <h1>{props.title}</h1>
      <HelpLink />
      <span class="side">{props.side}</span>
    </header>
  );
}

export function Tabs(props: { me: Me | null; active: string }) {
  const { me, active } = props;
  if (!me) return null;
  const office = OFFICE_ROLES.has(me.role);
  const tab = (href: string, name: string, label: string) => (
    <a href={href} class={active === name ? 'active' : ''} data-testid={`tab-${name}`}>{label}</a>
  );
  // The 数据安全管理员 reaches the audit trail only (三员分立): no 待整改, 自查 or 申请.
  const security = SECURITY_ROLES.has(me.role);
  return (
    <nav class="tabs">
      {!security && tab('#/todo', 'todo', '待整改')}
      {!security && tab('#/self-check', 'self-check', '自查')}
      {!security && me.role !== '查询用户' && tab('#/requests', 'requests', '申请')}
      {office && tab('#/console', 'console', '控制台')}
      {security && tab('#/console/audit', 'console', '审计日志')}
      <a
        href="#/login"
        data-testid="logout"
        onClick={(e) => {
          e.preventDefault();
          if (!confirm(`退出登录（${me.name}）？`)) return;
          void post('/auth/logout', {}, { quiet401: true }).catch(() => undefined).finally(() => {
            setMe(null);
            location.hash = '#/login';
            location.reload();
          });
        }}
      >
        退出
      </a>
    </nav>
  );
}

export function Loading(props: { text?: string }) {
  return <div class="spinner" data-testid="loading">{props.text ?? '正在加载…'}</div>;
}

export function ErrorBox(props: { error: unknown; retry?: () => void }) {
  return (
    <div class="notice error" data-testid="error" role="alert">
      {errorText(props.error)}
      {props.retry && (
        <div class="actions">
          <button type="button" onClick={props.retry} data-testid="retry">重试</button>
        </div>
      )}
    </div>
  );
}

export function LightBadge(props: { light: string }) {
  return <span class={`badge ${props.light}`} data-testid="light" data-light={props.light}>{lightName(props.light)}</span>;
}

/** The person record id of a finding's subject, when it is a person. */
export function personIdOf(f: Finding): string | null {
  return f.subject.kind === 'person' && f.subject.id != null && f.subject.id !== '' ? String(f.subject.id) : null;
}

export function FindingCard(props: { finding: Finding; href?: string | null; onOpen?: () => void; showUnit?: boolean; guide?: boolean }) {
  const f = props.finding;
  const body = (
    <>
      <div class="title">
        <span class={`dot ${f.light}`} />
        <span style="flex:1">{f.title || f.rule}</span>
        <LightBadge light={f.light} />
      </div>
      <div class="meta">
        {subjectKindName(f.subject.kind)}：<b>{f.subject.name}</b>
        {f.subject.idMasked && <span class="muted">　{f.subject.idMasked}</span>}
        {(f.qualifierText !== undefined ? f.qualifierText : f.qualifier) && <span class="muted">（{f.qualifierText !== undefined ? f.qualifierText : f.qualifier}）</span>}
      </div>
      {props.showUnit !== false && <div class="meta">单位：{f.unitName}</div>}
      {f.detailText && <div class="meta small" data-testid="finding-detail">{f.detailText}</div>}
      <div class="meta">
        发现于 {shortDate(f.openedOn)}
        {f.resolvedOn && `　${f.status === 'explained' ? '已说明于' : '整改于'} ${shortDate(f.resolvedOn)}`}
        <span class="muted">　{f.rule}</span>
      </div>
      <div class="deadline" data-testid="deadline">{deadlineText(f)}</div>
      {props.href && f.fix && props.href === f.fix.href && <div class="fix-action" data-testid="fix-label">{f.fix.label} ›</div>}
    </>
  );
  const attrs = { class: `card finding ${f.light}`, 'data-testid': 'finding', 'data-finding-id': String(f.id), 'data-rule': f.rule, 'data-light': f.light };
  // The 错题本's 怎么改 under every finding (FixGuide.tsx), outside the card's link.
  const guide = props.guide === false ? null : <FixGuidePanel code={f.rule} />;
  if (props.href) return <><a href={props.href} {...attrs}>{body}</a>{guide}</>;
  if (props.onOpen) return <><div role="button" tabIndex={0} onClick={props.onOpen} {...attrs} style="cursor:pointer">{body}</div>{guide}</>;
  return <><div {...attrs}>{body}</div>{guide}</>;
}

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; testid?: string }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [props.onClose]);
  return (
    <div class="dialog-back" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testid ?? 'dialog'}>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** Loads data for a page: `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

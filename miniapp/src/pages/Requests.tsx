// #/requests: the staffing requests in scope (a unit's own; the office's all), filtered by state.
// #/requests/:id: what was asked, its steps (who, when, decision, comment), the state in words and
// what the reader may do now: the unit withdraws or corrects a returned one; 编办业务人员 /
// 编办管理员 do 初审; a 分管领导 approves or rejects (the Zheng-Ding card's button opens this page).

import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, errorText, get, post, qs } from '../api.ts';
import { dateTime } from '../format.ts';
import { go } from '../router.ts';
import type { Me, RequestView } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';
import { DECIDER_ROLES, REQUESTER_ROLES, REVIEWER_ROLES } from '../../../core/requests.ts';
import { FORM_KINDS, RegistrationFormBox } from './RegistrationForms.tsx';

export const STATE_OPTIONS: Array<[string, string]> = [
  ['', '全部状态'], ['submitted', '待初审'], ['returned', '已退回修改'], ['reviewed', '待终审'], ['approved', '已批准'], ['rejected', '未批准'], ['withdrawn', '已撤回'], ['expired', '已过期'],
];

const STATE_TONE: Record<string, string> = { submitted: 'yellow', returned: 'red', reviewed: 'yellow', approved: 'green', rejected: 'red', withdrawn: 'grey', expired: 'grey' };

const DECISION_TEXT: Record<string, string> = { submit: '提交申请', pass: '初审通过', return: '退回修改', reject: '不同意', approve: '同意', withdraw: '撤回', expire: '过期' };

/** The decision of a step when it adds to the step's name (提交 needs no 提交申请 after it). */
function stepDecision(s: { step: string; decision: string }): string {
  const t = DECISION_TEXT[s.decision] ?? s.decision;
  if (s.decision === 'submit' || s.decision === 'withdraw' || s.decision === 'expire') return '';
  return s.decision === 'pass' ? '通过' : t;
}

export function StateBadge(props: { r: Pick<RequestView, 'state' | 'stateText'> }) {
  return <span class={`badge ${STATE_TONE[props.r.state] ?? 'grey'}`} data-testid="request-state" data-state={props.r.state}>{props.r.stateText}</span>;
}

/** What happens next, in words, for the state. */
export function stateSentence(r: Pick<RequestView, 'state' | 'stateText'>): string {
  switch (r.state) {
    case 'submitted': return '已提交，等待编办初审';
    case 'returned': return '编办已退回，请按意见修改后重新提交，或撤回';
    case 'reviewed': return '编办初审已通过，等待分管领导终审';
    case 'approved': return '已批准，已按申请办理';
    case 'rejected': return '未获批准';
    case 'withdrawn': return '已撤回';
    case 'expired': return '用编计划已过有效期';
    default: return r.stateText;
  }
}

export function RequestItem(props: { r: RequestView; showUnit?: boolean }) {
  const { r } = props;
  return (
    <a class="card request-item" href={`#/requests/${r.id}`} data-testid="request-item" data-request-id={r.id} data-state={r.state}>
      <div class="row" style="flex-wrap:nowrap">
        <b style="flex:1">{r.kind}</b>
        <StateBadge r={r} />
      </div>
      <div class="meta">{r.summary}</div>
      {props.showUnit !== false && <div class="meta muted small">{r.unitName}</div>}
      <div class="meta muted small">{r.no}　提交于 {dateTime(r.submittedAt)}</div>
    </a>
  );
}

export function RequestsPage(props: { me: Me; query: URLSearchParams }) {
  const { me, query } = props;
  const state = query.get('state') ?? '';
  const unit = query.get('unit') ?? '';
  const list = useLoad(() => get<RequestView[]>(`/api/requests${qs({ state, unit })}`), [state, unit]);
  const mayAsk = REQUESTER_ROLES.has(me.role);
  const newUnit = unit || (me.unit?.id != null ? String(me.unit.id) : '');
  return (
    <div class="shell">
      <Header title="编制事项申请" side={<button type="button" class="side" onClick={list.reload} data-testid="refresh">刷新</button>} />
      <main class="page">
        {mayAsk && newUnit && (
          <a class="btn primary block" style="margin-bottom:12px" href={`#/requests/new${qs({ unit: newUnit })}`} data-testid="new-request">＋ 新申请（用编、入编、出编、领导职数）</a>
        )}
        <div class="filters">
          <select value={state} onChange={(e) => go(`/requests${qs({ state: (e.target as HTMLSelectElement).value, unit })}`)} data-testid="state-filter" aria-label="按状态筛选">
            {STATE_OPTIONS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
          </select>
        </div>
        {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
        {list.loading && !list.data && <Loading />}
        {list.data && list.data.length === 0 && <div class="empty" data-testid="requests-empty">{state ? '没有该状态的申请' : '还没有申请'}</div>}
        {list.data?.map((r) => <RequestItem key={r.id} r={r} showUnit={!me.unit || r.unitId !== me.unit.id} />)}
      </main>
      <Tabs me={me} active="requests" />
    </div>
  );
}

/** The body of a request as lines a person reads. */
function bodyLines(r: RequestView): Array<[string, string]> {
  const b = r.body;
  const s = (v: unknown) => (v === null || v === undefined || v === '' ? '' : String(v));
  const out: Array<[string, string]> = [['申请类型', r.kind], ['申请单位', r.unitName]];
  if (r.person) out.push(['人员', `${r.person.name ?? ''}${r.person.idMasked ? `（${r.person.idMasked}）` : ''}`]);
  if (b.kind === '用编计划') out.push(['编制类型', s(b.quotaKind)], ['数量', `${s(b.count)} 名`], ['有效期至', s(b.validUntil)]);
  if (b.kind === '增人入编') out.push(['使用编制类型', s(b.quotaKind)]);
  if (b.kind === '减人出编') out.push(['出编原因', s(b.exitReason)], ['出编日期', s(b.exitDate)]);
  if (b.kind === '领导职数使用') out.push(['领导职务层次', s(b.postKind)]);
  if (r.reason) out.push(['申请理由', r.reason]);
  return out.filter(([, v]) => v !== '');
}

export function RequestPage(props: { me: Me; id: string; query: URLSearchParams }) {
  const { me, id } = props;
  const { data: r, error, loading, reload } = useLoad(() => get<RequestView>(`/api/requests/${encodeURIComponent(id)}`), [id]);
  const [done, setDone] = useState<{ text: string; warn: boolean } | null>(props.query.get('sent') ? { text: '申请已提交，编办初审后将通知您。', warn: false } : null);
  const back = () => (history.length > 1 ? history.back() : go('/requests'));
  return (
    <div class="shell">
      <Header title="申请详情" back={back} side={<button type="button" class="side" onClick={reload} data-testid="refresh">刷新</button>} />
      <main class="page">
        {done && <div class={`notice ${done.warn ? 'warn' : 'ok'}`} data-testid="request-done" role="status">{done.text}</div>}
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !r && <Loading />}
        {r && (
          <>
            <div class={`card state-card ${STATE_TONE[r.state] ?? 'grey'}`} data-testid="request-head">
              <div class="row" style="flex-wrap:nowrap"><b style="flex:1;font-size:17px">{r.kind}</b><StateBadge r={r} /></div>
              <div style="margin-top:6px;font-size:16px" data-testid="state-sentence">{stateSentence(r)}</div>
              {/* The number in the card, not the title bar: a phone's title bar cuts it off. */}
              <div class="small muted" style="margin-top:4px;overflow-wrap:anywhere" data-testid="request-no">申请编号 {r.no}</div>
            </div>
            <div class="card">
              <dl class="kv" data-testid="request-body">
                {bodyLines(r).map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{v}</dd></Fragment>)}
              </dl>
            </div>
            {r.state === 'approved' && FORM_KINDS.has(r.kind) && <RegistrationFormBox requestId={r.id} fullIds={!!me.fullIds} />}
            <h2 class="section">办理过程</h2>
            <div class="card">
              <ol class="steps" data-testid="steps">
                {r.steps.map((s, i) => (
                  <li key={i} data-testid="step" data-decision={s.decision}>
                    <div><b>{s.step}</b>{stepDecision(s) && <>　{stepDecision(s)}</>}</div>
                    <div class="muted small">{s.byName ?? s.by}　{dateTime(s.at)}</div>
                    {s.comment && <div class="comment" data-testid="step-comment">意见：{s.comment}</div>}
                  </li>
                ))}
              </ol>
            </div>
            <Actions me={me} r={r} onDone={(text, warn) => { setDone({ text, warn: !!warn }); reload(); window.scrollTo({ top: 0 }); }} />
          </>
        )}
      </main>
      <Tabs me={me} active="requests" />
    </div>
  );
}

/** What the reader may do with the request now. */
function Actions(props: { me: Me; r: RequestView; onDone: (text: string, warn?: boolean) => void }) {
  const { me, r } = props;
  const requester = REQUESTER_ROLES.has(me.role) && !(REVIEWER_ROLES.has(me.role) && r.state === 'submitted');
  if (r.state === 'submitted' && REVIEWER_ROLES.has(me.role)) return <ReviewBox r={r} onDone={props.onDone} />;
  if (r.state === 'reviewed' && DECIDER_ROLES.has(me.role)) return <DecideBox r={r} onDone={props.onDone} />;
  if (requester && (r.state === 'submitted' || r.state === 'returned')) return <RequesterBox r={r} onDone={props.onDone} />;
  if (r.state === 'reviewed' && !DECIDER_ROLES.has(me.role)) return <div class="notice info small" data-testid="waiting">等待分管领导终审。</div>;
  return null;
}

/** Sends a decision; a 409 (someone else was first, the state moved on) is shown as it comes and the page reloads. */
function useAct(r: RequestView, onDone: (text: string, warn?: boolean) => void) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const act = async (path: string, body: unknown, doneText: string) => {
    setBusy(true);
    setErr(null);
    try {
      await post(`/api/requests/${r.id}/${path}`, body);
      onDone(doneText);
    } catch (e) {
      const reasons = e instanceof ApiError ? (e.body as { reasons?: unknown } | null)?.reasons : null;
      // Someone was first (409 without refusal reasons): their decision, as the server says it; the page reloads.
      if (e instanceof ApiError && e.status === 409 && !Array.isArray(reasons)) onDone(e.message, true);
      else setErr(Array.isArray(reasons) && reasons.length ? `不予办理：${(reasons as string[]).join('；')}` : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, err, act, setErr };
}

function CommentBox(props: { value: string; onInput: (v: string) => void; label: string; testid: string }) {
  return (
    <>
      <label class="small muted" for={props.testid}>{props.label}</label>
      <textarea id={props.testid} class="reason" value={props.value} maxLength={500} onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)} data-testid={props.testid} />
    </>
  );
}

export function ReviewBox(props: { r: RequestView; onDone: (text: string, warn?: boolean) => void; compact?: boolean }) {
  const { r } = props;
  const [comment, setComment] = useState('');
  const { busy, err, act, setErr } = useAct(r, props.onDone);
  const type = (v: string) => {
    setComment(v);
    setErr(null);
  };
  const go2 = (decision: 'pass' | 'return' | 'reject') => {
    if (decision !== 'pass' && !comment.trim()) return setErr(decision === 'return' ? '退回修改须填写意见，告诉单位要改什么' : '不同意须填写理由');
    void act('review', { decision, comment: comment.trim() || undefined, version: r.version }, decision === 'pass' ? '初审已通过，已送分管领导终审。' : decision === 'return' ? '已退回单位修改。' : '已不同意该申请。');
  };
  return (
    <div class="card" data-testid="review-box">
      {!props.compact && <h2 style="font-size:16px;margin:0 0 8px">初审</h2>}
      <CommentBox value={comment} onInput={type} label="初审意见（退回、不同意时必填）" testid="review-comment" />
      {err && <div class="notice error small" style="margin-top:8px" data-testid="action-error" role="alert">{err}</div>}
      <div class="row" style="margin-top:8px">
        <button type="button" class="primary" disabled={busy} onClick={() => go2('pass')} data-testid="review-pass">通过</button>
        <button type="button" disabled={busy} onClick={() => go2('return')} data-testid="review-return">退回修改</button>
        <button type="button" class="danger" disabled={busy} onClick={() => go2('reject')} data-testid="review-reject">不同意</button>
      </div>
    </div>
  );
}

export function DecideBox(props: { r: RequestView; onDone: (text: string, warn?: boolean) => void; compact?: boolean }) {
  const { r } = props;
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState<'approve' | 'reject' | null>(null);
  const { busy, err, act } = useAct(r, props.onDone);
  const decide = async (decision: 'approve' | 'reject') => {
    setSending(decision);
    try {
      await act('decide', { decision, comment: comment.trim() || undefined }, decision === 'approve' ? '已同意，已按申请办理。' : '已不同意该申请。');
    } finally {
      setSending(null);
    }
  };
  // While a decision is being sent both buttons are disabled and the one pressed says 正在提交….
  const label = (d: 'approve' | 'reject', text: string) => (busy && sending === d ? '正在提交…' : text);
  return (
    <div class="card" data-testid="decide-box">
      {!props.compact && <h2 style="font-size:16px;margin:0 0 8px">终审</h2>}
      <CommentBox value={comment} onInput={setComment} label="审批意见（选填）" testid={`decide-comment${props.compact ? `-${r.id}` : ''}`} />
      {err && <div class="notice error small" style="margin-top:8px" data-testid="action-error" role="alert">{err}</div>}
      <div class="row" style="margin-top:8px">
        <button type="button" class="primary" disabled={busy} aria-busy={busy && sending === 'approve'} onClick={() => void decide('approve')} data-testid="decide-approve">{label('approve', '同意')}</button>
        <button type="button" class="danger" disabled={busy} aria-busy={busy && sending === 'reject'} onClick={() => void decide('reject')} data-testid="decide-reject">{label('reject', '不同意')}</button>
      </div>
    </div>
  );
}

function RequesterBox(props: { r: RequestView; onDone: (text: string, warn?: boolean) => void }) {
  const { r } = props;
  const { busy, err, act } = useAct(r, props.onDone);
  return (
    <div class="card" data-testid="requester-box">
      {err && <div class="notice error small" data-testid="action-error" role="alert">{err}</div>}
      <div class="row">
        {r.state === 'returned' && <a class="btn primary" href={`#/requests/${r.id}/edit`} data-testid="edit-request">修改后重新提交</a>}
        <button type="button" class="danger" disabled={busy} onClick={() => confirm('撤回后该申请不再办理，确定撤回？') && void act('withdraw', {}, '申请已撤回。')} data-testid="withdraw">撤回申请</button>
      </div>
    </div>
  );
}

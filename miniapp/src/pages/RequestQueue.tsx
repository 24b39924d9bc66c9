// #/console/requests: the office's staffing requests: those waiting for the reader first — for
// the office 待初审, each with pass / return / reject and a comment (return and reject need one);
// for the 分管领导 待终审, each with 同意 / 不同意 — then the others by state.

import { useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { go } from '../router.ts';
import type { Me, RequestView } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { DECIDER_ROLES, REVIEWER_ROLES } from '../../../core/requests.ts';
import { DecideBox, RequestItem, ReviewBox, STATE_OPTIONS } from './Requests.tsx';

export function RequestQueue(props: { me: Me; query: URLSearchParams }) {
  const state = props.query.get('state') ?? '';
  const list = useLoad(() => get<RequestView[]>('/api/requests'), []);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const reviewer = REVIEWER_ROLES.has(props.me.role);
  const decider = DECIDER_ROLES.has(props.me.role);
  /** The state that waits for this reader: 待终审 for the 分管领导, else 待初审. */
  const mine = decider ? 'reviewed' : 'submitted';
  const title = decider ? '待终审' : '待初审';
  const all = list.data ?? [];
  const waiting = all.filter((r) => r.state === mine);
  const others = all.filter((r) => r.state !== mine && (!state || r.state === state));
  const done = (id: number) => (text: string, _warn?: boolean) => {
    setNotes((n) => ({ ...n, [id]: text }));
    list.reload();
  };
  return (
    <div data-testid="request-queue">
      {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {Object.entries(notes).map(([id, t]) => <div key={id} class="notice ok small" data-testid="queue-note">{t}</div>)}
      <h2 class="section" data-testid="queue-title">{title}{list.data ? `（${waiting.length}）` : ''}</h2>
      {list.data && waiting.length === 0 && <div class="card muted" data-testid="queue-empty">没有{title}的申请。</div>}
      {waiting.map((r) => (
        <div key={r.id} class="queue-item" data-testid="queue-item" data-request-id={r.id}>
          <RequestItem r={r} />
          {decider ? <DecideBox r={r} compact onDone={done(r.id)} /> : reviewer ? <ReviewBox r={r} compact onDone={done(r.id)} /> : <div class="notice info small">初审由编办业务人员、编办管理员办理。</div>}
        </div>
      ))}
      <h2 class="section">其他申请</h2>
      <div class="filters">
        <select value={state} onChange={(e) => go(`/console/requests${qs({ state: (e.target as HTMLSelectElement).value })}`)} data-testid="state-filter" aria-label="按状态筛选">
          {STATE_OPTIONS.filter(([v]) => v !== mine).map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>
      </div>
      {list.data && others.length === 0 && <div class="card muted">没有申请。</div>}
      {others.map((r) => <RequestItem key={r.id} r={r} />)}
    </div>
  );
}

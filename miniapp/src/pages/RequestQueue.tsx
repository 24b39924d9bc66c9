// #/console/requests: the office's staffing requests: those waiting for 初审 first, each with
// pass / return / reject and a comment (return and reject need one), then the others by state.

import { useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { go } from '../router.ts';
import type { Me, RequestView } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { REVIEWER_ROLES } from '../../../core/requests.ts';
import { RequestItem, ReviewBox, STATE_OPTIONS } from './Requests.tsx';

export function RequestQueue(props: { me: Me; query: URLSearchParams }) {
  const state = props.query.get('state') ?? '';
  const list = useLoad(() => get<RequestView[]>('/api/requests'), []);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const reviewer = REVIEWER_ROLES.has(props.me.role);
  const all = list.data ?? [];
  const waiting = all.filter((r) => r.state === 'submitted');
  const others = all.filter((r) => r.state !== 'submitted' && (!state || r.state === state));
  const done = (id: number) => (text: string, _warn?: boolean) => {
    setNotes((n) => ({ ...n, [id]: text }));
    list.reload();
  };
  return (
    <div data-testid="request-queue">
      {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {Object.entries(notes).map(([id, t]) => <div key={id} class="notice ok small" data-testid="queue-note">{t}</div>)}
      <h2 class="section">待初审（{waiting.length}）</h2>
      {list.data && waiting.length === 0 && <div class="card muted" data-testid="queue-empty">没有待初审的申请。</div>}
      {waiting.map((r) => (
        <div key={r.id} class="queue-item" data-testid="queue-item" data-request-id={r.id}>
          <RequestItem r={r} />
          {reviewer ? <ReviewBox r={r} compact onDone={done(r.id)} /> : <div class="notice info small">初审由编办业务人员、编办管理员办理。</div>}
        </div>
      ))}
      <h2 class="section">其他申请</h2>
      <div class="filters">
        <select value={state} onChange={(e) => go(`/console/requests${qs({ state: (e.target as HTMLSelectElement).value })}`)} data-testid="state-filter" aria-label="按状态筛选">
          {STATE_OPTIONS.filter(([v]) => v !== 'submitted').map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>
      </div>
      {list.data && others.length === 0 && <div class="card muted">没有申请。</div>}
      {others.map((r) => <RequestItem key={r.id} r={r} />)}
    </div>
  );
}

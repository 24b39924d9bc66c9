// #/person/:id/history (also #/worker/:id/history, #/unit/:id/history): 人员历史轨迹 — every stored version: who, when, source, reason, and each
// field's value before and after.

import { get } from '../api.ts';
import { dateTime, shownValue } from '../format.ts';
import type { HistoryEntry, Me } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

const HISTORY = {
  person: { api: 'people', page: 'person', title: '人员历史轨迹' },
  worker: { api: 'workers', page: 'worker', title: '编外人员修改历史' },
  unit: { api: 'unit-records', page: 'unit', title: '单位信息修改历史' },
} as const;

export function HistoryPage(props: { me: Me; id: string; of?: 'person' | 'worker' | 'unit' }) {
  const { id } = props;
  const h = HISTORY[props.of ?? 'person'];
  const { data, error, loading, reload } = useLoad(() => get<HistoryEntry[]>(`/api/${h.api}/${encodeURIComponent(id)}/history`), [id, h.api]);
  return (
    <div class="shell">
      <Header title={h.title} back={`#/${h.page}/${encodeURIComponent(id)}`} />
      <main class="page history">
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && data.length === 0 && <div class="empty">暂无历史记录</div>}
        {data?.map((v) => (
          <div class="card" key={String(v.version)} data-testid="version" data-version={String(v.version)}>
            <div class="row" style="justify-content:space-between">
              <b style="flex:none">第 {String(v.version)} 版</b>
              <span class="badge grey" style="flex:none" data-testid="version-source">{v.source}</span>
            </div>
            <div class="small muted" style="margin:4px 0 8px">
              <span data-testid="version-who">{v.changedBy}</span>　<span data-testid="version-when">{dateTime(v.changedAt)}</span>
            </div>
            {v.reason && <div class="small" data-testid="version-reason">原因：{v.reason}</div>}
            {v.changes.length === 0 && <div class="small muted">（无字段变化）</div>}
            {v.changes.map((c, i) => (
              <div class="change" key={`${c.field}-${i}`} data-testid="version-change" data-field={c.field}>
                <span class="muted">{c.field}</span>
                <span>
                  <span class="before">{shownValue(c.before)}</span> → <span class="after">{shownValue(c.after)}</span>
                </span>
              </div>
            ))}
          </div>
        ))}
      </main>
      <Tabs me={props.me} active="todo" />
    </div>
  );
}

// #/console/provenance?user=&kind=first|last&from=&to=&entity= (首录人查询, issue 18; ningbo art. 22
// 首录负责制): the office finds the records a user (name or account; 系统 for the system's imports)
// first entered or last changed in a date range, each linking to its record. ID numbers masked.

import { useState } from 'preact/hooks';
import { get } from '../api.ts';
import { pickedDateHint } from '../format.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { go } from '../router.ts';

interface Found {
  entity: 'person' | 'worker' | 'unit';
  entityText: string;
  id: number;
  name: string;
  idMasked: string | null;
  unitId: number | null;
  unitName: string | null;
  by: string;
  byName: string;
  byRole: string | null;
  at: string;
  source: string;
  version: number;
  href: string;
}

interface SearchView {
  users: Array<{ id: string; name: string; role: string }>;
  kind: 'first' | 'last';
  from: string;
  to: string;
  total: number;
  limit: number;
  records: Found[];
}

export function FirstEntryTab(props: { query: URLSearchParams }) {
  const q = props.query;
  const [user, setUser] = useState(q.get('user') ?? '');
  const [kind, setKind] = useState(q.get('kind') === 'last' ? 'last' : 'first');
  const [from, setFrom] = useState(q.get('from') ?? '');
  const [to, setTo] = useState(q.get('to') ?? '');
  const [entity, setEntity] = useState(q.get('entity') ?? '');
  const asked = q.get('user') ?? '';
  const search = () => {
    const p = new URLSearchParams({ user: user.trim(), kind });
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    if (entity) p.set('entity', entity);
    go(`/console/provenance?${p.toString()}`);
  };
  return (
    <div data-testid="first-entry">
      <div class="notice info">首录负责制：谁首次录入一条记录，谁对其真实、准确负责。按录入人（姓名或账号；系统导入的记录填“系统”）和日期查询其首次录入或最后修改的人员、编外人员和单位记录。</div>
      <form class="filters row" style="flex-wrap:wrap;gap:8px;align-items:flex-end" onSubmit={(e) => { e.preventDefault(); search(); }}>
        <label>录入人<input value={user} onInput={(e) => setUser((e.target as HTMLInputElement).value)} placeholder="姓名或账号" data-testid="fe-user" /></label>
        <label>查询
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)} data-testid="fe-kind">
            <option value="first">首次录入的记录</option>
            <option value="last">最后修改的记录</option>
          </select>
        </label>
        <label>记录
          <select value={entity} onChange={(e) => setEntity((e.target as HTMLSelectElement).value)} data-testid="fe-entity">
            <option value="">全部</option>
            <option value="person">人员</option>
            <option value="worker">编外人员</option>
            <option value="unit">单位</option>
          </select>
        </label>
        <label>起始日期<input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} data-testid="fe-from" /><span class="small muted" style="display:block" data-testid="fe-from-hint">{pickedDateHint(from, 'date')}</span></label>
        <label>截止日期<input type="date" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} data-testid="fe-to" /><span class="small muted" style="display:block" data-testid="fe-to-hint">{pickedDateHint(to, 'date')}</span></label>
        <button type="submit" class="primary" disabled={!user.trim()} data-testid="fe-search">查询</button>
      </form>
      {asked ? <Results query={q} /> : <div class="empty">请填写录入人后查询（不填日期时查近一年）。</div>}
    </div>
  );
}

function Results(props: { query: URLSearchParams }) {
  const r = useLoad(() => get<SearchView>(`/api/provenance?${props.query.toString()}`), [props.query.toString()]);
  if (r.error && !r.data) return <ErrorBox error={r.error} retry={r.reload} />;
  if (!r.data) return <Loading />;
  const d = r.data;
  const who = d.users.map((u) => `${u.name}（${u.role}，${u.id}）`).join('、');
  return (
    <div data-testid="fe-results">
      <p class="small" data-testid="fe-summary">
        {d.users.length ? <>录入人：{who}；</> : <>没有名为或账号为“{props.query.get('user')}”的用户；</>}
        {d.from} 至 {d.to}{d.kind === 'first' ? '首次录入' : '最后修改'}的记录共 <b data-testid="fe-total">{d.total}</b> 条{d.total > d.records.length ? `，显示最近 ${d.records.length} 条` : ''}。
      </p>
      {d.records.length ? (
        <table class="grid" data-testid="fe-table">
          <thead><tr><th>记录</th><th>类型</th><th>身份证号</th><th>单位</th><th>{d.kind === 'first' ? '首录人' : '最后修改人'}</th><th>时间</th><th>来源</th></tr></thead>
          <tbody>
            {d.records.map((x) => (
              <tr key={`${x.entity}:${x.id}`} data-testid="fe-row" data-entity={x.entity} data-id={x.id}>
                <td><a href={x.href}>{x.name}</a></td>
                <td>{x.entityText}</td>
                <td>{x.idMasked ?? '—'}</td>
                <td>{x.unitId != null && x.entity !== 'unit' ? <a href={`#/portrait/${x.unitId}`}>{x.unitName}</a> : x.unitName ?? '—'}</td>
                <td>{x.byName}{x.byRole ? <span class="muted small">（{x.byRole}）</span> : null}</td>
                <td>{x.at.slice(0, 16)}</td>
                <td>{x.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="empty">没有符合条件的记录</div>}
    </div>
  );
}

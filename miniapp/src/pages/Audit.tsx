// #/console/audit (the 数据安全管理员's only): 审计日志 — who did what, to which unit, when and from
// where, with the edits (修改记录) among the rows, filtered by who, what, unit and time, and
// exported to Excel; ?view=reviews: 月度排查 — the monthly summaries, each unusual user linking to
// the list filtered to that user and month.

import { useState } from 'preact/hooks';
import { get } from '../api.ts';
import { actionChoices, actionLabel, VERSION_ACTION, VERSION_LABEL } from '../../../core/audit-console.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

interface AuditItem {
  kind: 'audit' | 'version';
  id: number;
  at: string;
  actor: string;
  actorName: string;
  action: string;
  actionLabel: string;
  entity: string | null;
  entityId: number | null;
  subjectName: string | null;
  unitId: number | null;
  unitName: string | null;
  detail: unknown;
  ip: string | null;
  version?: { version: number; fields: string[]; source: string; reason: string | null; historyHref: string | null };
}

interface Review {
  month: string;
  reviewedAt: string;
  reviewedBy: string;
  users: number;
  flagged: number;
  summary: {
    rule: string;
    totals: Record<string, number>;
    flagged: Array<{ actor: string; name: string; flags: Array<{ measure: string; text: string }> }>;
  };
}

const FILTERS = ['who', 'what', 'unit', 'subtree', 'from', 'to', 'versions'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const DETAIL_KEYS: Record<string, string> = {
  via: '途径', rows: '行数', people: '人数', file: '文件', source: '来源文件', month: '月份', unitId: '单位编号', reason: '原因', note: '说明',
  kind: '类型', role: '角色', filters: '筛选', users: '人数', flagged: '异常人员', sent: '已发送', date: '日期', name: '名称', units: '单位数',
};
const ENTITY: Record<string, string> = { person: '人员', unit: '单位', worker: '编外人员', quota: '编制', leader_post: '领导职数', user: '用户' };

function detailShown(d: unknown): string {
  if (d == null) return '';
  if (typeof d !== 'object') return String(d);
  return Object.entries(d as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${DETAIL_KEYS[k] ?? k}：${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('；');
}

const monthText = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;
const lastDay = (m: string) => `${m}-${String(new Date(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0).getDate()).padStart(2, '0')}`;

function queryOf(f: Partial<Filters>, page = 1): string {
  const p = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) p.set(k, f[k]!);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function AuditTab(props: { query: URLSearchParams }) {
  return props.query.get('view') === 'reviews' ? <Reviews month={props.query.get('month')} /> : <AuditList query={props.query} />;
}

function AuditList(props: { query: URLSearchParams }) {
  const initial = Object.fromEntries(FILTERS.map((k) => [k, props.query.get(k) ?? ''])) as Filters;
  const page = Math.max(1, Number(props.query.get('page')) || 1);
  const [f, setF] = useState<Filters>(initial);
  const shown = queryOf(initial, page);
  const list = useLoad(() => get<{ total: number; page: number; limit: number; items: AuditItem[] }>(`/api/audit${shown}${shown ? '&' : '?'}limit=50`), [shown]);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const check = (k: keyof Filters, on: string, off: string) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).checked ? on : off });
  const search = (e: Event) => {
    e.preventDefault();
    location.hash = `#/console/audit${queryOf(f)}`;
  };
  const groups = actionChoices();
  const known = new Set(groups.flatMap(([, l]) => l.map(([k]) => k)));
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.limit)) : 1;
  return (
    <div data-testid="audit">
      <form class="card" onSubmit={search} data-testid="audit-filters">
        <div class="filters">
          <input value={f.who} onInput={set('who')} placeholder="操作人（姓名或账号）" aria-label="操作人" data-testid="audit-who" />
          <select value={f.what} onChange={set('what')} aria-label="操作" data-testid="audit-what">
            <option value="">全部操作</option>
            <option value={VERSION_ACTION}>{VERSION_LABEL}</option>
            {groups.map(([g, list]) => <optgroup key={g} label={g}>{list.map(([k, label]) => <option key={k} value={k}>{label}</option>)}</optgroup>)}
            {f.what && f.what !== VERSION_ACTION && !known.has(f.what) && <option value={f.what}>{actionLabel(f.what)}</option>}
          </select>
          <input value={f.unit} onInput={set('unit')} placeholder="单位编号" inputMode="numeric" aria-label="单位编号" data-testid="audit-unit" />
          <label class="small muted">开始日期<input type="date" value={f.from} onInput={set('from')} aria-label="开始日期" data-testid="audit-from" /></label>
          <label class="small muted">结束日期<input type="date" value={f.to} onInput={set('to')} aria-label="结束日期" data-testid="audit-to" /></label>
        </div>
        <div class="row" style="gap:16px;flex-wrap:wrap">
          <label class="row" style="gap:6px;flex:none"><input type="checkbox" style="flex:none" checked={f.subtree === '1'} onChange={check('subtree', '1', '')} data-testid="audit-subtree" />含下级单位</label>
          <label class="row" style="gap:6px;flex:none"><input type="checkbox" style="flex:none" checked={f.versions !== '0'} onChange={check('versions', '', '0')} data-testid="audit-versions" />含修改记录</label>
          <span style="flex:1" />
          <button type="submit" class="btn primary" style="flex:none" data-testid="audit-search">查询</button>
          <a class="btn" style="flex:none" href={`/api/audit/export${queryOf(initial)}`} download data-testid="audit-export">导出 Excel</a>
        </div>
      </form>
      {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <>
          <div class="small muted" style="margin:8px 0" data-testid="audit-count">共 {list.data.total} 条，第 {list.data.page}/{pages} 页（最新的在前）</div>
          {list.data.items.length === 0 ? <div class="empty">没有符合条件的记录</div> : (
            <div data-testid="audit-rows">
              {list.data.items.map((i) => (
                <div class="card" key={`${i.kind}-${i.id}`} data-testid="audit-row" data-kind={i.kind} data-action={i.action} data-actor={i.actor} style="padding:10px 12px;margin-bottom:8px">
                  <div class="row" style="justify-content:space-between;gap:8px">
                    <b style="flex:none">{i.actorName}</b>
                    <span class={`badge ${i.kind === 'version' ? 'yellow' : 'grey'}`} style="flex:none">{i.actionLabel}</span>
                  </div>
                  <div class="small muted" style="margin:2px 0 4px">
                    {i.at.slice(0, 16)}{i.actorName !== i.actor ? ` · 账号 ${i.actor}` : ''}{i.ip ? ` · 来自 ${i.ip}` : ''}
                  </div>
                  {(i.subjectName || i.entity || i.unitName) && (
                    <div class="small">
                      {i.subjectName ?? (i.entity ? `${ENTITY[i.entity] ?? i.entity}${i.entityId != null ? ` ${i.entityId}` : ''}` : '')}
                      {i.unitName && <span class="muted">{i.subjectName || i.entity ? ' · ' : ''}{i.unitName}</span>}
                    </div>
                  )}
                  <div class="small" data-testid="audit-detail">
                    {i.version ? (
                      <>
                        第 {i.version.version} 版，修改：{i.version.fields.join('、') || '无字段变化'}；{i.version.source}{i.version.reason ? `；原因：${i.version.reason}` : ''}
                        {i.version.historyHref && <>　<a href={i.version.historyHref} data-testid="audit-history">历史记录 ›</a></>}
                      </>
                    ) : detailShown(i.detail)}
                  </div>
                </div>
              ))}
            </div>
          )}
          {pages > 1 && (
            <div class="row" style="gap:8px;margin-top:12px">
              {page > 1 && <a class="btn" style="flex:none" href={`#/console/audit${queryOf(initial, page - 1)}`} data-testid="audit-prev">上一页</a>}
              {page < pages && <a class="btn" style="flex:none" href={`#/console/audit${queryOf(initial, page + 1)}`} data-testid="audit-next">下一页</a>}
            </div>
          )}
        </>
      )}
    </div>
  );
}

function Reviews(props: { month: string | null }) {
  const list = useLoad(() => get<{ reviews: Review[] }>('/api/audit/reviews'), []);
  if (list.error && !list.data) return <ErrorBox error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  const reviews = props.month ? list.data.reviews.filter((r) => r.month === props.month) : list.data.reviews;
  return (
    <div data-testid="audit-reviews">
      <div class="notice info">每月第一个工作日 09:10 自动排查上月的审计日志，结果发送到编办工作群。{reviews[0]?.summary.rule ?? ''}</div>
      {props.month && <a class="btn" href="#/console/audit?view=reviews" style="margin-bottom:12px;display:inline-block">查看全部月份</a>}
      {reviews.length === 0 && <div class="empty">{props.month ? `${monthText(props.month)}尚未排查` : '尚无排查记录'}</div>}
      {reviews.map((r) => (
        <div class="card" key={r.month} data-testid="audit-review" data-month={r.month}>
          <div class="row" style="justify-content:space-between">
            <b style="flex:none">{monthText(r.month)}</b>
            <span class={`badge ${r.flagged ? 'red' : 'green'}`} style="flex:none" data-testid="audit-review-flagged">{r.flagged ? `${r.flagged} 人异常` : '未发现异常'}</span>
          </div>
          <div class="small muted" style="margin:4px 0 8px">{r.users} 人有操作记录；排查于 {r.reviewedAt.slice(0, 16)}</div>
          {r.summary.flagged.length > 0 && (
            <table class="grid">
              <thead><tr><th>人员</th><th>异常情况</th><th /></tr></thead>
              <tbody>
                {r.summary.flagged.map((u) => (
                  <tr key={u.actor} data-testid="audit-flagged" data-actor={u.actor}>
                    <td>{u.name}<div class="small muted">{u.actor}</div></td>
                    <td>{u.flags.map((x) => <div key={x.measure}>{x.text}</div>)}</td>
                    <td style="white-space:nowrap"><a class="btn" href={`#/console/audit${queryOf({ who: u.actor, from: `${r.month}-01`, to: lastDay(r.month) })}`} data-testid="audit-flagged-link">查看记录</a></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </div>
  );
}

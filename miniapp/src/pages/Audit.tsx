// #/console/audit (the 数据安全管理员's only): 审计日志 — who did what, to which unit, when and from
// where, with the edits (修改记录) among the rows, filtered by who, what, unit and time, and
// exported to Excel; ?view=reviews: 月度排查 — the monthly summaries, each unusual user linking to
// the list filtered to that user and month.

import { useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.ts';
import { actionChoices, actionLabel, VERSION_ACTION, VERSION_LABEL, type AuditIntegrity as Integrity, type AuditItem } from '../../../core/audit-console.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';



/** A validation error (400/404 naming a field) is the user's to fix: no 重试. */
const retryable = (e: unknown) => !(e instanceof ApiError && (e.status === 400 || e.status === 404));

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

const FILTERS = ['who', 'what', 'unit', 'unitName', 'subtree', 'from', 'to', 'versions'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

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
  const api = queryOf({ ...initial, unitName: '' }, page);
  const list = useLoad(() => get<{ total: number; page: number; limit: number; items: AuditItem[] }>(`/api/audit${api}${api ? '&' : '?'}limit=50`), [shown]);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const check = (k: keyof Filters, on: string, off: string) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).checked ? on : off });
  const search = (e: Event) => {
    e.preventDefault();
    location.hash = `#/console/audit${queryOf(f)}`;
  };
  const groups = actionChoices();
  const known = new Set(groups.flatMap(([, l]) => l.map(([k]) => k)));
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.limit)) : 1;
  const integrity = useLoad(() => get<Integrity>('/api/audit/integrity'), []);
  const brokenId = integrity.data && !integrity.data.ok ? integrity.data.broken?.id ?? null : null;
  return (
    <div data-testid="audit">
      <IntegrityLine state={integrity} />
      <form class="card" onSubmit={search} data-testid="audit-filters">
        <div class="filters">
          <input value={f.who} onInput={set('who')} placeholder="操作人（姓名或账号）" aria-label="操作人" data-testid="audit-who" />
          <select value={f.what} onChange={set('what')} aria-label="操作" data-testid="audit-what">
            <option value="">全部操作</option>
            <option value={VERSION_ACTION}>{VERSION_LABEL}</option>
            {groups.map(([g, list]) => <optgroup key={g} label={g}>{list.map(([k, label]) => <option key={k} value={k}>{label}</option>)}</optgroup>)}
            {f.what && f.what !== VERSION_ACTION && !known.has(f.what) && <option value={f.what}>{actionLabel(f.what)}</option>}
          </select>
          <UnitPicker id={f.unit} name={f.unitName} onPick={(id, name) => setF({ ...f, unit: id, unitName: name })} />
          <label class="small muted">开始日期<input type="date" value={f.from} onInput={set('from')} aria-label="开始日期" data-testid="audit-from" /></label>
          <label class="small muted">结束日期<input type="date" value={f.to} onInput={set('to')} aria-label="结束日期" data-testid="audit-to" /></label>
        </div>
        <div class="row" style="gap:16px;flex-wrap:wrap">
          <label class="row" style="gap:6px;flex:none"><input type="checkbox" style="flex:none" checked={f.subtree === '1'} onChange={check('subtree', '1', '')} data-testid="audit-subtree" />含下级单位</label>
          <label class="row" style="gap:6px;flex:none"><input type="checkbox" style="flex:none" checked={f.versions !== '0'} onChange={check('versions', '', '0')} data-testid="audit-versions" />含修改记录</label>
          <span style="flex:1" />
          <button type="submit" class="btn primary" style="flex:none" data-testid="audit-search">查询</button>
          <a class="btn" style="flex:none" href={`/api/audit/export${queryOf({ ...initial, unitName: '' })}`} download data-testid="audit-export">导出 Excel</a>
        </div>
      </form>
      {list.error != null && <ErrorBox error={list.error} retry={retryable(list.error) ? list.reload : undefined} />}
      {list.loading && !list.data && <Loading />}
      {list.data && (
        <>
          <div class="small muted" style="margin:8px 0" data-testid="audit-count">共 {list.data.total} 条，第 {list.data.page}/{pages} 页（最新的在前）</div>
          {list.data.items.length === 0 ? <div class="empty">没有符合条件的记录</div> : (
            <div data-testid="audit-rows">
              {list.data.items.map((i) => (
                <div class={`card${i.kind === 'audit' && i.id === brokenId ? ' tampered' : ''}`} key={`${i.kind}-${i.id}`} data-testid="audit-row" data-kind={i.kind} data-action={i.action} data-actor={i.actor} data-broken={i.kind === 'audit' && i.id === brokenId ? '1' : undefined} style={`padding:10px 12px;margin-bottom:8px${i.kind === 'audit' && i.id === brokenId ? ';border:2px solid #d93026;background:#fdecea' : ''}`}>
                  <div class="row" style="justify-content:space-between;gap:8px">
                    <b style="flex:none">{i.actorName}</b>
                    <span class={`badge ${i.kind === 'version' ? 'yellow' : 'grey'}`} style="flex:none">{i.actionLabel}</span>
                  </div>
                  {i.kind === 'audit' && i.id === brokenId && <div class="small" style="color:#d93026;font-weight:bold" data-testid="audit-row-broken">✗ 此行{integrity.data?.broken?.problem ?? '校验未通过'}，请按应急预案处理</div>}
                  <div class="small muted" style="margin:2px 0 4px">
                    {i.at.slice(0, 16)}{i.actorName !== i.actor ? ` · 账号 ${i.actor}` : ''}{i.ip ? ` · 来自 ${i.ip}` : ''}
                  </div>
                  {(i.subject || i.unitName) && (
                    <div class="small" data-testid="audit-subject">
                      {i.subject}
                      {i.unitName && <span class="muted">{i.subject ? ' · ' : ''}{i.unitName}</span>}
                    </div>
                  )}
                  <div class="small" data-testid="audit-detail">
                    {i.lines.map((l, n) => <div key={n} data-testid="audit-line">{l}</div>)}
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
      <ReviewNow onDone={list.reload} />
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

function IntegrityLine(props: { state: { data?: Integrity; error?: unknown; loading: boolean; reload: () => void } }) {
  const { data, error, loading, reload } = props.state;
  const b = data?.broken;
  const text = !data ? (loading ? '审计日志完整性：正在校验…' : '') : data.ok
    ? `审计日志完整性：已校验 ${data.rows} 行，完整 ✓`
    : `审计日志完整性：✗ ${b?.id != null ? `第 ${b.id} 行（${(b.at ?? '').slice(0, 16)}，${b.actionLabel ?? '操作不明'}）` : `链序号 ${b?.seq ?? ''} 处`}${b?.problem ?? ''} — 共 ${data.problems} 处问题，请按应急预案处理`;
  return (
    <div class={`notice ${data ? (data.ok ? 'info' : 'error') : error ? 'error' : 'info'}`} data-testid="audit-integrity" data-ok={data ? String(data.ok) : undefined} role="status">
      <div class="row" style="justify-content:space-between;gap:8px;align-items:center">
        <span style="flex:1">{error && !data ? `审计日志完整性：校验失败（${errorMessage(error)}）` : text}{data && <span class="small muted">（校验于 {data.checkedAt.slice(0, 16)}）</span>}</span>
        <button type="button" class="btn" style="flex:none" disabled={loading} onClick={reload} data-testid="audit-integrity-recheck">重新校验</button>
      </div>
    </div>
  );
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The unit filter: search by name or code, pick one; the id goes to the query, the name is shown. */
function UnitPicker(props: { id: string; name: string; onPick: (id: string, name: string) => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Array<{ id: number; name: string; code: string }> | null>(null);
  const [err, setErr] = useState('');
  const search = async () => {
    setErr('');
    const t = q.trim();
    if (!t) { setErr('请输入单位名称或代码的一部分'); return; }
    try {
      const r = await get<{ units: Array<{ id: number; name: string; code: string }> }>(`/api/audit/units?q=${encodeURIComponent(t)}`);
      setFound(r.units);
      if (!r.units.length) setErr(`没有名称或代码含“${t}”的单位`);
    } catch (e) {
      setErr(errorMessage(e));
    }
  };
  if (props.id) {
    return (
      <div class="row" style="gap:6px;align-items:center" data-testid="audit-unit-picked">
        <span style="flex:1">单位：{props.name || `编号 ${props.id}`}</span>
        <button type="button" class="btn" style="flex:none" onClick={() => { props.onPick('', ''); setFound(null); setQ(''); }} data-testid="audit-unit-clear">清除</button>
      </div>
    );
  }
  return (
    <div style="position:relative" data-testid="audit-unit-picker">
      <div class="row" style="gap:6px">
        <input value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void search(); } }} placeholder="单位（输入名称搜索）" aria-label="单位" data-testid="audit-unit" />
        <button type="button" class="btn" style="flex:none" onClick={() => void search()} data-testid="audit-unit-search">搜索</button>
      </div>
      {err && <div class="small" style="color:#d93026" data-testid="audit-unit-error">{err}</div>}
      {found && found.length > 0 && (
        <div class="card" style="position:absolute;z-index:5;left:0;right:0;max-height:240px;overflow:auto;padding:4px" data-testid="audit-unit-results">
          {found.map((u) => (
            <div key={u.id} class="small" style="padding:6px;cursor:pointer;border-bottom:1px solid #eee" onClick={() => { props.onPick(String(u.id), u.name); setFound(null); }} data-testid="audit-unit-choice" data-unit={u.id}>
              {u.name} <span class="muted">{u.code}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** 立即排查: review an ended month now. */
function ReviewNow(props: { onDone: () => void }) {
  const now = new Date();
  const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const [month, setMonth] = useState(`${prev.getFullYear()}-${String(prev.getMonth() + 1).padStart(2, '0')}`);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await post<{ month: string; created: boolean; sent: boolean; review: Review }>('/api/audit/reviews', { month });
      setMsg({ ok: true, text: r.created ? `${monthText(r.month)}已排查：${r.review.flagged ? `${r.review.flagged} 人异常` : '未发现异常'}${r.sent ? '，结果已发送到编办工作群' : ''}` : `${monthText(r.month)}此前已排查，结果见下` });
      props.onDone();
    } catch (e) {
      setMsg({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card row" style="gap:8px;align-items:center;flex-wrap:wrap" data-testid="audit-review-now">
      <label class="small muted" style="flex:none">排查月份 <input type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} data-testid="audit-review-month" /></label>
      <button type="button" class="btn primary" style="flex:none" disabled={busy} onClick={() => void run()} data-testid="audit-review-run">立即排查</button>
      {msg && <span class={`small ${msg.ok ? '' : 'error'}`} style={msg.ok ? '' : 'color:#d93026'} data-testid="audit-review-result">{msg.text}</span>}
    </div>
  );
}

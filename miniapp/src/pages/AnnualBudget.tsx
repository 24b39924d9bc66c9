// 年度编制使用预算. #/annual-budget/:unit(?year=) (mini-app, the unit's 单位专管员; 单位领导 and the
// office read): per 编制类型 the unit's 核定/实有/空编 and the year's forecast retirements beside the
// form — 计划补充（入编） by way (公开招考/招聘, 调入, 军转安置, 其他), 预计减少 (退休 prefilled from
// the forecast, editable with a reason; 调出等其他) and 说明 — with 可补充上限 reckoned as one types;
// 保存草稿 (kept as entered) and 提交审核 (the server's errors shown under the named field); the
// office's reason when returned; the history. #/console/annual-budget (office roles): open a year
// (year, due date), every unit with its state and figures, 通过 / 退回修改 / 重新打开 with a reason,
// 催办, and 导出预算报表 (.xlsx).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, errorText, get, post, put, qs } from '../api.ts';
import { clearDraft, loadDraft, restoredCells, saveDraft } from '../person/draft.ts';
import type { BudgetLine, BudgetRoundView, BudgetState, UnitBudgetView } from '../../../core/budget.ts';
import type { Me } from '../types.ts';
import { Dialog, ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

type State = BudgetState;
type Way = 'addRecruit' | 'addTransfer' | 'addMilitary' | 'addOther';
type Line = BudgetLine;
type Kind = UnitBudgetView['kinds'][number];
type View = UnitBudgetView;
type Round = BudgetRoundView;

const WAYS: Array<{ key: Way; label: string }> = [
  { key: 'addRecruit', label: '公开招考/招聘' },
  { key: 'addTransfer', label: '调入' },
  { key: 'addMilitary', label: '军转安置' },
  { key: 'addOther', label: '其他方式' },
];
const STATE_CLASS: Record<State, string> = { none: 'info', draft: 'warn', submitted: 'info', returned: 'error', approved: 'ok' };
const BADGE: Record<State, string> = { none: '', draft: 'yellow', submitted: 'blue', returned: 'red', approved: 'green' };
const dayText = (d: string) => `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** What the form holds: every figure as typed (text), so nothing entered is lost before it is saved. */
type Draft = Record<string, Record<string, string>>;
const toDraft = (kinds: Kind[]): Draft => Object.fromEntries(kinds.map((k) => [k.kind, {
  addRecruit: String(k.line.addRecruit), addTransfer: String(k.line.addTransfer), addMilitary: String(k.line.addMilitary), addOther: String(k.line.addOther),
  retire: String(k.line.retire), otherOut: String(k.line.otherOut), retireReason: k.line.retireReason ?? '', note: k.line.note ?? '',
}]));
/** Full-width digits typed with a Chinese IME (“１２”) count as the digits they are. */
const nfkc = (s: string) => s.normalize('NFKC');
const num = (s: string | undefined) => (s && /^\d+$/.test(nfkc(s).trim()) ? Number(nfkc(s).trim()) : 0);
// The form kept between visits until it is saved (person/draft.ts, sessionStorage): a reload or a
// lost login loses nothing typed. Cells `编制类型.字段`.
const flat = (d: Draft): Record<string, string> => Object.fromEntries(Object.entries(d).flatMap(([k, f]) => Object.entries(f).map(([n, x]) => [`${k}.${n}`, x])));
function unflat(base: Draft, cells: Record<string, string>): Draft {
  const out: Draft = {};
  for (const [k, f] of Object.entries(base)) out[k] = Object.fromEntries(Object.keys(f).map((n) => [n, cells[`${k}.${n}`] ?? f[n]]));
  return out;
}

export function AnnualBudgetPage(props: { me: Me; id: string | null; query: URLSearchParams }) {
  const { me } = props;
  const id = props.id ?? (me.unit?.id != null ? String(me.unit.id) : '');
  const year = props.query.get('year') ?? '';
  const { data, error, loading, reload } = useLoad(() => (id ? get<View>(`/api/budgets/units/${encodeURIComponent(id)}${qs({ year })}`) : Promise.resolve(null)), [id, year]);
  return (
    <div class="shell">
      <Header title="年度编制使用预算" back="#/todo" />
      <main class="page" data-testid="budget">
        {!id && <div class="notice info">请从工作群中的填报通知进入本单位的年度编制使用预算。</div>}
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && <BudgetForm key={`${data.round?.year}-${data.version}`} view={data} reload={reload} />}
      </main>
      <Tabs me={me} active="todo" />
    </div>
  );
}

function BudgetForm(props: { view: View; reload: () => void }) {
  const v = props.view;
  const draftId = `${v.unit.id}:${v.round?.year ?? ''}`;
  const [base] = useState<Draft>(() => toDraft(v.kinds));
  const [initial] = useState<Draft | null>(() => {
    const d = v.canEdit && v.round ? loadDraft(draftId, undefined, 'budget') : null;
    if (!d) return null;
    const cells = unflat(base, restoredCells(d, v.version ?? 0, flat(base)));
    return JSON.stringify(flat(cells)) === JSON.stringify(flat(base)) ? null : cells;
  });
  const [draft, setDraft] = useState<Draft>(initial ?? base);
  const [restored, setRestored] = useState(initial != null);
  // Keep what is typed until it is saved or submitted.
  useEffect(() => {
    if (!v.canEdit || !v.round) return;
    if (JSON.stringify(flat(draft)) === JSON.stringify(flat(base))) clearDraft(draftId, undefined, 'budget');
    else saveDraft(draftId, { version: v.version ?? 0, base: flat(base), cells: flat(draft), reason: '' }, undefined, undefined, 'budget');
  }, [draft]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  if (!v.round) return <div class="notice info" data-testid="budget-state" data-state="none">编办尚未开启年度编制使用预算填报。开启后，工作群中会收到填报通知。</div>;
  const round = v.round;
  const set = (kind: string, field: string, value: string) => {
    setDraft((d) => ({ ...d, [kind]: { ...d[kind], [field]: value } }));
  };
  const lines = () => v.kinds.map((k) => {
    const d = draft[k.kind];
    // Counts go as typed: the server names a figure that is not a whole number.
    const c = (f: string) => { const t = nfkc(d[f]).trim(); return t === '' ? 0 : /^\d+$/.test(t) ? Number(t) : d[f]; };
    return { kind: k.kind, addRecruit: c('addRecruit'), addTransfer: c('addTransfer'), addMilitary: c('addMilitary'), addOther: c('addOther'), retire: c('retire'), otherOut: c('otherOut'), retireReason: d.retireReason.trim() || null, note: d.note.trim() || null };
  });
  const send = async (submit: boolean) => {
    setBusy(true);
    setNotice(null);
    setErrors({});
    try {
      const body = { year: round.year, version: v.version, lines: lines() };
      const r = submit ? await post<{ message: string }>(`/api/budgets/units/${v.unit.id}/submit`, body) : await put<{ message: string }>(`/api/budgets/units/${v.unit.id}`, body);
      clearDraft(draftId, undefined, 'budget');
      setNotice({ kind: 'ok', text: r.message });
      props.reload();
    } catch (e) {
      const fields = e instanceof ApiError ? ((e.body as { fields?: Record<string, string> } | null)?.fields ?? {}) : {};
      setErrors(fields);
      setNotice({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const edit = v.canEdit;
  // 超出核定: the page says so under the kind, and 提交审核 waits until it is corrected (a draft may still be saved).
  const overKinds = v.kinds.filter((k) => {
    const d = draft[k.kind];
    return WAYS.reduce((n, w) => n + num(d[w.key]), 0) > Math.max(0, k.approved - k.actual + num(d.retire) + num(d.otherOut));
  }).map((k) => k.kind);
  return (
    <>
      {restored && edit && (
        <div class="notice info" data-testid="budget-draft-restored" role="status">
          已恢复您上次未保存的填写，请核对后保存草稿或提交。
          <div class="actions">
            <button type="button" data-testid="budget-discard" onClick={() => { clearDraft(draftId, undefined, 'budget'); setDraft(base); setRestored(false); }}>放弃修改</button>
          </div>
        </div>
      )}
      <div class="card">
        <h2 style="margin:0 0 4px">{v.unit.name}</h2>
        <div class="small muted">{round.year}年度编制使用预算，填报截止 {dayText(round.dueOn)}{round.overdue ? '（已过截止日期）' : ''}</div>
        <div class={`notice ${STATE_CLASS[v.state]}`} style="margin:8px 0 0" data-testid="budget-state" data-state={v.state}>
          {v.state === 'none' && (edit ? '未填：请按编制类型填写明年的计划补充和预计减少人数，可先保存草稿，核对后提交编办审核。' : '未填：本单位尚未填报。')}
          {v.state === 'draft' && `草稿（${(v.savedAt ?? '').slice(0, 16)} 保存）：核对无误后请提交编办审核。`}
          {v.state === 'submitted' && `已提交（${v.submittedBy ?? ''} ${(v.submittedAt ?? '').slice(0, 16)}），等待编办审核。`}
          {v.state === 'returned' && <>编办已退回修改（{v.reviewedBy ?? ''} {(v.reviewedAt ?? '').slice(0, 16)}）：<b data-testid="budget-reason">{v.reason}</b>。请修改后重新提交。</>}
          {v.state === 'approved' && `编办已审核通过（${v.reviewedBy ?? ''} ${(v.reviewedAt ?? '').slice(0, 16)}），预算已锁定。`}
        </div>
        {v.readOnly && <div class="small muted" style="margin-top:6px" data-testid="budget-readonly">{v.readOnly}</div>}
      </div>
      {!v.kinds.length && <div class="empty">本单位没有核定编制和在编人员，无需填报计划；可直接提交。</div>}
      {v.kinds.map((k) => {
        const d = draft[k.kind];
        const reduce = num(d.retire) + num(d.otherOut);
        const add = WAYS.reduce((n, w) => n + num(d[w.key]), 0);
        const limit = Math.max(0, k.approved - k.actual + reduce);
        const err = (f: string) => errors[`${k.kind}.${f}`];
        const input = (f: string, label: string, hint?: string) => (
          <div class={`field ${err(f) ? 'invalid' : ''}`} key={f}>
            <label for={`b-${k.kind}-${f}`}>{label}</label>
            {edit
              ? <input id={`b-${k.kind}-${f}`} inputMode="numeric" data-testid={`budget-${k.kind}-${f}`} value={d[f]} onInput={(e) => set(k.kind, f, nfkc((e.target as HTMLInputElement).value))} />
              : <div class="readonly" data-testid={`budget-${k.kind}-${f}`}>{d[f]}</div>}
            {hint && <div class="hint">{hint}</div>}
            {err(f) && <div class="err" role="alert" data-testid={`budget-error-${k.kind}-${f}`}>{err(f)}</div>}
          </div>
        );
        return (
          <div class="card" style="padding:0;overflow:hidden" key={k.kind} data-testid={`budget-kind-${k.kind}`}>
            <div style="padding:12px 14px 4px">
              <h3 style="margin:0 0 6px">{k.kind}</h3>
              <div class="stats" data-testid={`budget-figures-${k.kind}`}>
                <div class="stat"><b>{k.approved}</b>核定</div>
                <div class="stat"><b>{k.actual}</b>实有</div>
                <div class={`stat ${k.over ? 'red' : ''}`}><b>{k.over ? `超${k.over}` : k.vacant}</b>{k.over ? '超编' : '空编'}</div>
                <div class="stat"><b>{k.retireForecast}</b>明年退休（预测）</div>
              </div>
            </div>
            <h4 style="margin:8px 14px 0">计划补充（入编）</h4>
            {WAYS.map((w) => input(w.key, w.label))}
            <div class={`notice ${add > limit ? 'error' : 'info'}`} style="margin:6px 14px" data-testid={`budget-limit-${k.kind}`}>
              {k.actual > k.approved
                ? <>计划补充合计 <b>{add}</b> 人；已超编 <b>{k.actual - k.approved}</b> 人（核定 {k.approved}，实有 {k.actual}），预计减少 {reduce} 人后可补充 <b>{limit}</b> 人</>
                : <>计划补充合计 <b>{add}</b> 人，可补充 <b>{limit}</b> 人（核定 {k.approved} − 实有 {k.actual} + 预计减少 {reduce}）</>}
              {add > limit ? '，超出核定，不能提交' : ''}
            </div>
            <h4 style="margin:8px 14px 0">预计减少</h4>
            {input('retire', '退休', `按退休政策预测明年退休 ${k.retireForecast} 人${num(d.retire) !== k.retireForecast ? (edit ? '，已修改，请说明原因' : '，已按单位说明的原因调整') : ''}`)}
            {(num(d.retire) !== k.retireForecast || d.retireReason) && (
              <div class={`field ${err('retireReason') ? 'invalid' : ''}`}>
                <label for={`b-${k.kind}-retireReason`}>退休人数调整原因</label>
                {edit
                  ? <textarea id={`b-${k.kind}-retireReason`} data-testid={`budget-${k.kind}-retireReason`} maxLength={200} value={d.retireReason} onInput={(e) => set(k.kind, 'retireReason', (e.target as HTMLTextAreaElement).value)} placeholder="如：1人延迟退休至后年" />
                  : <div class="readonly">{d.retireReason}</div>}
                {err('retireReason') && <div class="err" role="alert" data-testid={`budget-error-${k.kind}-retireReason`}>{err('retireReason')}</div>}
              </div>
            )}
            {input('otherOut', '调出等其他')}
            <div class={`field ${err('note') ? 'invalid' : ''}`}>
              <label for={`b-${k.kind}-note`}>说明</label>
              {edit
                ? <textarea id={`b-${k.kind}-note`} data-testid={`budget-${k.kind}-note`} maxLength={200} value={d.note} onInput={(e) => set(k.kind, 'note', (e.target as HTMLTextAreaElement).value)} placeholder="选填，如：计划招录岗位、军转安置任务来源" />
                : <div class="readonly">{d.note}</div>}
              {err('note') && <div class="err" role="alert">{err('note')}</div>}
            </div>
          </div>
        );
      })}
      {notice && <div class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="budget-notice">{notice.text}</div>}
      {edit && (
        <div style="display:flex;gap:8px;margin:12px 0">
          <button type="button" class="btn" style="flex:1" disabled={busy} data-testid="budget-save" onClick={() => void send(false)}>保存草稿</button>
          <button type="button" class="primary" style="flex:1" disabled={busy || overKinds.length > 0} data-testid="budget-submit" onClick={() => { if (!overKinds.length) setConfirming(true); }}>提交审核</button>
        </div>
      )}
      {edit && overKinds.length > 0 && <div class="notice error small" data-testid="budget-submit-blocked">{overKinds.join('、')}的计划补充超出核定，改正后才能提交；可先保存草稿。</div>}
      {v.history.length > 0 && (
        <div class="card" data-testid="budget-history">
          <h3 style="margin:0 0 8px">办理记录</h3>
          <ul style="margin:0;padding-left:1.2em">
            {v.history.map((h) => <li key={h.version} class="small">{h.at.slice(0, 16)} {h.by} {h.actionText}{h.reason ? `：${h.reason}` : ''}</li>)}
          </ul>
        </div>
      )}
      {confirming && (
        <Dialog title="提交编办审核" onClose={() => setConfirming(false)} testid="budget-confirm">
          <p class="small">提交后不能修改，编办审核通过后预算锁定；如被退回，可修改后重新提交。</p>
          <div style="display:flex;gap:8px">
            <button type="button" class="primary" disabled={busy} data-testid="budget-confirm-submit" onClick={() => void send(true)}>确认提交</button>
            <button type="button" class="btn" onClick={() => setConfirming(false)}>取消</button>
          </div>
        </Dialog>
      )}
    </>
  );
}

// ---- the console's tab

interface Sums { approved: number; actual: number; vacant: number; over: number; addTotal: number; retire: number; otherOut: number; reduceTotal: number; yearEnd: number }
interface OfficeRow {
  unitId: number; unitName: string; state: State; stateText: string; version: number | null;
  submittedAt: string | null; submittedBy: string | null; reviewedAt: string | null; reviewedBy: string | null; reason: string | null; remindedOn: string | null;
  sums: Sums;
}
interface OfficeList {
  round: Round | null;
  years: number[];
  counts: Record<State, number> & { units: number };
  rows: OfficeRow[];
  total: Sums;
  canOpen: boolean;
  canReview: boolean;
}

const FILTERS: Array<[string, string]> = [['', '全部'], ['submitted', '已提交（待审核）'], ['none', '未填'], ['draft', '草稿'], ['returned', '已退回'], ['approved', '已通过']];

export function AnnualBudgetTab(props: { me: Me; query: URLSearchParams }) {
  const [year, setYear] = useState(props.query.get('year') ?? '');
  const [filter, setFilter] = useState(props.query.get('state') ?? '');
  const list = useLoad(() => get<OfficeList>(`/api/budgets${qs({ year })}`), [year]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [opening, setOpening] = useState(false);
  const [asking, setAsking] = useState<{ row: OfficeRow; action: 'return' | 'reopen' } | null>(null);
  if (list.error && !list.data) return <ErrorBox error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  const d = list.data;
  const y = d.round?.year;
  const act = async (row: OfficeRow, action: 'approve' | 'return' | 'reopen', reason?: string) => {
    setBusy(true);
    setNotice(null);
    try {
      const r = await post<{ message: string }>(`/api/budgets/units/${row.unitId}/review`, { year: y, action, ...(reason !== undefined ? { reason } : {}), ...(row.version ? { version: row.version } : {}) });
      setNotice({ kind: 'ok', text: `${row.unitName}：${r.message}` });
      setAsking(null);
      list.reload();
    } catch (e) {
      if (asking) throw e;
      setNotice({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const remind = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const r = await post<{ unsubmitted: number; notices: { group: number; users: number; unreached: number } }>('/api/budgets/remind', { year: y });
      setNotice({ kind: 'ok', text: `已向 ${r.notices.group + r.notices.users} 个未提交单位发送催办提醒${r.notices.unreached ? `；${r.notices.unreached} 个单位没有工作群和专管员，未能送达` : ''}。` });
      list.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const rows = filter ? d.rows.filter((r) => r.state === filter) : d.rows;
  return (
    <div data-testid="budget-office">
      <div class="notice info">
        两报表之<b>预算报表</b>：编办开启年度预算填报后，各单位专管员（单位没有专管员的，由单位领导）在小程序中按编制类型填报下一年度的计划补充（入编）和预计减少人数，提交编办审核；审核通过后锁定。
        {d.round && <> 当前：<b>{d.round.year}年度</b>，填报截止 {d.round.dueOn}{d.round.overdue ? '（已过截止日期）' : ''}。</>}
        {d.canOpen && <> <button type="button" class="btn" data-testid="budget-open" onClick={() => setOpening(true)}>开启年度预算填报</button></>}
      </div>
      {d.round && (
        <div class="filters">
          <select aria-label="年度" data-testid="budget-year" value={year || String(y ?? '')} onChange={(e) => setYear((e.target as HTMLSelectElement).value)}>
            {d.years.map((x) => <option key={x} value={x}>{x}年度</option>)}
          </select>
          <select aria-label="状态" data-testid="budget-filter" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
            {FILTERS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
          </select>
          <a class="btn" href={`/api/budgets/export${qs({ year: y })}`} download data-testid="budget-export">导出预算报表</a>
          {d.canReview && <button type="button" class="btn primary" disabled={busy || d.counts.none + d.counts.draft + d.counts.returned === 0} data-testid="budget-remind" onClick={() => void remind()}>催办未提交单位</button>}
        </div>
      )}
      {notice && <div class={`notice ${notice.kind}`} role="status" data-testid="budget-office-notice">{notice.text}</div>}
      {d.round ? (
        <>
          <div class="stats" style="margin-bottom:12px" data-testid="budget-counts">
            <div class="stat"><b data-testid="count-units">{d.counts.units}</b>单位</div>
            <div class="stat"><b data-testid="count-none">{d.counts.none}</b>未填</div>
            <div class="stat yellow"><b data-testid="count-draft">{d.counts.draft}</b>草稿</div>
            <div class="stat"><b data-testid="count-submitted">{d.counts.submitted}</b>已提交</div>
            <div class="stat red"><b data-testid="count-returned">{d.counts.returned}</b>已退回</div>
            <div class="stat green"><b data-testid="count-approved">{d.counts.approved}</b>已通过</div>
          </div>
          <table class="grid stack" data-testid="budget-rows">
            <thead><tr><th>单位</th><th>状态</th><th>核定/实有/空编（超编）</th><th>计划补充</th><th>预计减少（退休/其他）</th><th>年末预计实有</th><th>提交 / 审核</th><th>操作</th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.unitId} data-testid={`budget-row-${r.unitId}`} data-state={r.state}>
                  <td data-label="单位"><a href={`#/annual-budget/${r.unitId}?year=${y}`} data-testid={`budget-open-unit-${r.unitId}`}>{r.unitName}</a></td>
                  <td data-label="状态"><span class={`badge ${BADGE[r.state]}`}>{r.stateText}</span>{r.reason && r.state === 'returned' ? <div class="small muted">{r.reason}</div> : null}</td>
                  <td data-label="编制" data-testid={`budget-figures-row-${r.unitId}`}>{r.sums.approved} / {r.sums.actual} / {r.sums.vacant}{r.sums.over > 0 && <span class="badge red" style="margin-left:4px">超编 {r.sums.over}</span>}</td>
                  <td data-label="补充">{r.state === 'none' ? '—' : r.sums.addTotal}</td>
                  <td data-label="减少">{r.state === 'none' ? '—' : `${r.sums.reduceTotal}（${r.sums.retire}/${r.sums.otherOut}）`}</td>
                  <td data-label="年末">{r.sums.yearEnd}</td>
                  <td data-label="办理">{r.submittedBy ? <div class="small">{r.submittedBy} {(r.submittedAt ?? '').slice(0, 16)}</div> : null}{r.reviewedBy ? <div class="small muted">审核：{r.reviewedBy} {(r.reviewedAt ?? '').slice(0, 16)}</div> : null}</td>
                  <td data-label="操作">
                    {d.canReview && r.state === 'submitted' && (
                      <span style="display:flex;gap:6px;flex-wrap:wrap">
                        <button type="button" class="primary" disabled={busy} data-testid={`budget-approve-${r.unitId}`} onClick={() => void act(r, 'approve')}>通过</button>
                        <button type="button" class="btn" disabled={busy} data-testid={`budget-return-${r.unitId}`} onClick={() => setAsking({ row: r, action: 'return' })}>退回修改</button>
                      </span>
                    )}
                    {d.canReview && r.state === 'approved' && <button type="button" class="btn" disabled={busy} data-testid={`budget-reopen-${r.unitId}`} onClick={() => setAsking({ row: r, action: 'reopen' })}>重新打开</button>}
                    {!(d.canReview && (r.state === 'submitted' || r.state === 'approved')) && <a href={`#/annual-budget/${r.unitId}?year=${y}`}>查看</a>}
                  </td>
                </tr>
              ))}
              <tr data-testid="budget-total"><td data-label="单位"><b>合计</b></td><td data-label="状态" /><td data-label="编制"><b>{d.total.approved} / {d.total.actual} / {d.total.vacant}{d.total.over > 0 ? `（超编 ${d.total.over}）` : ''}</b></td><td data-label="补充"><b>{d.total.addTotal}</b></td><td data-label="减少"><b>{d.total.reduceTotal}（{d.total.retire}/{d.total.otherOut}）</b></td><td data-label="年末"><b>{d.total.yearEnd}</b></td><td /><td /></tr>
            </tbody>
          </table>
        </>
      ) : <div class="empty" data-testid="budget-none">尚未开启任何年度的编制使用预算填报</div>}
      {opening && <OpenDialog onClose={() => setOpening(false)} onDone={(text) => { setOpening(false); setNotice({ kind: 'ok', text }); setYear(''); list.reload(); }} />}
      {asking && <ReasonDialog row={asking.row} action={asking.action} onClose={() => setAsking(null)} onSubmit={(reason) => act(asking.row, asking.action, reason)} />}
    </div>
  );
}

function OpenDialog(props: { onClose: () => void; onDone: (text: string) => void }) {
  const next = new Date().getFullYear() + 1;
  const [year, setYear] = useState(String(next));
  const [due, setDue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    try {
      const r = await post<{ year: number; dueOn: string; units: number; notices: { group: number; users: number; unreached: number } }>('/api/budgets/rounds', { year: year.trim(), dueOn: due.trim() });
      props.onDone(`已开启${r.year}年度编制使用预算填报，截止 ${r.dueOn}；已通知 ${r.notices.group + r.notices.users} 个单位${r.notices.unreached ? `，${r.notices.unreached} 个单位没有工作群和专管员，未能送达` : ''}。`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog title="开启年度预算填报" onClose={props.onClose} testid="budget-open-dialog">
      <div class="field"><label for="budget-open-year">预算年度</label><input id="budget-open-year" inputMode="numeric" data-testid="budget-open-year" value={year} onInput={(e) => setYear((e.target as HTMLInputElement).value)} /></div>
      <div class="field"><label for="budget-open-due">填报截止日期</label><input id="budget-open-due" type="date" data-testid="budget-open-due" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} /></div>
      <p class="small muted">开启后向每个单位的工作群发送填报通知（@单位专管员）；截止前两个工作日自动提醒未提交的单位。</p>
      {error && <div class="notice error" role="alert" data-testid="budget-open-error">{error}</div>}
      <div style="display:flex;gap:8px">
        <button type="button" class="primary" data-testid="budget-open-save" onClick={() => void save()}>开启并通知各单位</button>
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}

function ReasonDialog(props: { row: OfficeRow; action: 'return' | 'reopen'; onClose: () => void; onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const title = props.action === 'return' ? '退回修改' : '重新打开';
  return (
    <Dialog title={`${title}：${props.row.unitName}`} onClose={props.onClose} testid="budget-reason-dialog">
      <textarea class="reason" data-testid="budget-reason-input" maxLength={500} value={reason} placeholder={props.action === 'return' ? '请写明需要修改的内容，单位专管员将看到' : '请写明重新打开的原因'} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      {error && <div class="notice error" role="alert" data-testid="budget-reason-error">{error}</div>}
      <div style="display:flex;gap:8px;margin-top:8px">
        <button type="button" class="primary" data-testid="budget-reason-submit" onClick={() => { setError(null); props.onSubmit(reason).catch((e) => setError(errorText(e))); }}>{title}</button>
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}

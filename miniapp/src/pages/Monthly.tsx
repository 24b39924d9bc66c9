// 月度核账. #/monthly/:unit (mini-app, 单位专管员 and 单位领导 of the unit and above it): the month's
// 核账清单 — 核定/在编/空编 by 编制类型, the open findings by family (人员信息, 单位与编制, 跨部门比对
// X-*, 编外人员), each opening where it is fixed, the other departments' rosters (社保, 工资统发) or
// 'not imported' — and 确认本月数据无误 with an optional note (with red findings open, a second,
// explicit confirmation). #/console/monthly (office roles): every unit of a month with its state,
// who confirmed and when, filter, .xlsx, 催办 and the due-day setting (编办管理员).

import { useState } from 'preact/hooks';
import { ApiError, errorText, get, post, put, qs } from '../api.ts';
import type { Finding, Me } from '../types.ts';
import { Dialog, ErrorBox, FindingCard, Header, Loading, Tabs, useLoad } from '../ui.tsx';

type Family = 'person' | 'unit' | 'cross' | 'worker';
type LightCounts = { red: number; yellow: number; hint: number };
type State = 'confirmed' | 'open' | 'overdue';

interface FeedFigures { month: string; rows: number; by: Record<string, number> }
interface Figures {
  staffing: Array<{ kind: string; approved: number; actual: number; vacant: number; over: number }>;
  people: Record<string, number>;
  findings: Record<Family, LightCounts>;
  feeds: { 社保: FeedFigures | null; 工资统发: FeedFigures | null };
}
interface Confirmation {
  month: string;
  dueOn: string;
  state: State;
  stateText: string;
  confirmedOn: string | null;
  confirmedAt: string | null;
  confirmedBy: { id: string; name: string } | null;
  note: string | null;
  remindedOn: string | null;
}
interface Checklist {
  unit: { id: number; name: string; code: string };
  confirmation: Confirmation | null;
  figures: Figures;
  snapshot: Figures | null;
  red: number;
  canConfirm: boolean;
  readOnly: string | null;
  findings: Finding[];
}

const FAMILIES: Array<{ key: Family; title: string }> = [
  { key: 'person', title: '人员信息' },
  { key: 'unit', title: '单位与编制' },
  { key: 'cross', title: '跨部门比对' },
  { key: 'worker', title: '编外人员' },
];
const familyOf = (rule: string): Family => (rule.startsWith('X-') ? 'cross' : rule.startsWith('P-') ? 'person' : rule.startsWith('W-') ? 'worker' : 'unit');
export const monthText = (m: string) => `${m.slice(0, 4)}年${Number(m.slice(5, 7))}月`;
const dayText = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;
const STATE_CLASS: Record<State, string> = { confirmed: 'ok', open: 'warn', overdue: 'error' };

export function MonthlyPage(props: { me: Me; id: string | null }) {
  const { me } = props;
  const id = props.id ?? (me.unit?.id != null ? String(me.unit.id) : '');
  const { data, error, loading, reload } = useLoad(() => (id ? get<Checklist>(`/api/monthly-confirmations/units/${encodeURIComponent(id)}`) : Promise.resolve(null)), [id]);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const c = data?.confirmation ?? null;

  return (
    <div class="shell">
      <Header title="月度核账" back="#/todo" />
      <main class="page" data-testid="monthly">
        {!id && <div class="notice info">请从待整改或预警消息中的链接进入本单位的月度核账。</div>}
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && (
          <>
            <div class="card">
              <h2 style="margin:0 0 4px">{data.unit.name}</h2>
              {c ? (
                <>
                  <div class="small muted">{monthText(c.month)}核账清单，截止 {dayText(c.dueOn)}</div>
                  <div class={`notice ${STATE_CLASS[c.state]}`} style="margin:8px 0 0" data-testid="monthly-state" data-state={c.state}>
                    {c.state === 'confirmed'
                      ? `已确认：${c.confirmedBy?.name ?? ''} 于 ${(c.confirmedAt ?? c.confirmedOn ?? '').slice(0, 16)} 确认本月数据无误${c.note ? `（备注：${c.note}）` : ''}`
                      : c.state === 'overdue'
                        ? `逾期未确认：截止日期 ${dayText(c.dueOn)} 已过，请尽快核对并确认。`
                        : `待确认：请核对以下数据，于 ${dayText(c.dueOn)} 前确认。`}
                  </div>
                </>
              ) : (
                <div class="notice info" style="margin:8px 0 0" data-testid="monthly-state" data-state="none">本单位的月度核账尚未开启（每月第一个工作日开启上月核账）。以下为当前数据。</div>
              )}
            </div>
            {done && <div class="notice ok" role="status" data-testid="monthly-done">{done}</div>}
            <StaffingCard figures={data.figures} />
            <FindingsCard list={data.findings} figures={data.figures} unitId={data.unit.id} />
            <FeedsCard figures={data.figures} />
            {data.canConfirm && (
              <button type="button" class="primary block" data-testid="monthly-confirm" onClick={() => setConfirming(true)}>确认本月数据无误</button>
            )}
            {c && !c.confirmedOn && data.readOnly && <div class="notice info" data-testid="monthly-readonly">{data.readOnly}</div>}
          </>
        )}
      </main>
      {confirming && data && c && (
        <ConfirmDialog checklist={data} month={c.month} onClose={() => setConfirming(false)}
          onDone={(text) => { setConfirming(false); setDone(text); reload(); }} />
      )}
      <Tabs me={me} active="todo" />
    </div>
  );
}

function StaffingCard(props: { figures: Figures }) {
  const s = props.figures.staffing;
  const total = s.reduce((t, r) => ({ approved: t.approved + r.approved, actual: t.actual + r.actual, vacant: t.vacant + r.vacant, over: t.over + r.over }), { approved: 0, actual: 0, vacant: 0, over: 0 });
  return (
    <div class="card" data-testid="monthly-staffing">
      <h3 style="margin:0 0 8px">编制使用情况</h3>
      {s.length ? (
        <table class="grid">
          <thead><tr><th>编制类型</th><th>核定</th><th>在编</th><th>空编</th></tr></thead>
          <tbody>
            {s.map((r) => (
              <tr key={r.kind}><td>{r.kind}</td><td>{r.approved}</td><td>{r.actual}</td><td>{r.over > 0 ? <span style="color:var(--red)">超编 {r.over}</span> : r.vacant}</td></tr>
            ))}
            {s.length > 1 && <tr><td><b>合计</b></td><td><b>{total.approved}</b></td><td><b>{total.actual}</b></td><td><b>{total.vacant}</b>{total.over ? `（超编 ${total.over}）` : ''}</td></tr>}
          </tbody>
        </table>
      ) : <div class="empty">本单位没有核定编制和在编人员</div>}
      {Object.keys(props.figures.people).length > 0 && (
        <div class="small muted" style="margin-top:6px">人员状态：{Object.entries(props.figures.people).map(([k, n]) => `${k} ${n} 人`).join('，')}</div>
      )}
    </div>
  );
}

function FindingsCard(props: { list: Finding[]; figures: Figures; unitId: number }) {
  const f = props.figures.findings;
  const total = FAMILIES.reduce((n, x) => n + f[x.key].red + f[x.key].yellow + f[x.key].hint, 0);
  return (
    <div class="card" data-testid="monthly-findings">
      <h3 style="margin:0 0 8px">待整改问题（{total}）</h3>
      <div class="stats">
        {FAMILIES.map((x) => {
          const c = f[x.key];
          const n = c.red + c.yellow + c.hint;
          return (
            <div class={`stat ${c.red ? 'red' : n ? 'yellow' : ''}`} key={x.key} data-testid={`family-${x.key}`}>
              <b>{n}</b>{x.title}{c.red ? <div class="small">红灯 {c.red}</div> : null}
            </div>
          );
        })}
      </div>
      {!total && <div class="notice ok" style="margin-top:8px">没有待整改的问题，全部亮绿灯 ✓</div>}
      {FAMILIES.map((x) => {
        const items = props.list.filter((i) => familyOf(i.rule) === x.key);
        if (!items.length) return null;
        return (
          <div key={x.key} data-testid={`findings-${x.key}`}>
            <h4 style="margin:12px 0 4px">{x.title}（{items.length}）</h4>
            {items.map((i) => {
              // U-PR-02 leads here: on this page it is the button below.
              const href = i.rule === 'U-PR-02' ? null : i.fix?.href ?? null;
              return <FindingCard key={i.id} finding={i} href={href} showUnit={false} />;
            })}
          </div>
        );
      })}
    </div>
  );
}

function feedLine(name: string, f: FeedFigures | null, onStaff: number) {
  if (!f) return <li data-testid={`feed-${name}`}>{name}：未导入</li>;
  const by = Object.entries(f.by).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join('，');
  return <li data-testid={`feed-${name}`}>{name}（{monthText(f.month)}）：{f.rows} 人{by ? `（${by}）` : ''}；实名制在编 {onStaff} 人</li>;
}

function FeedsCard(props: { figures: Figures }) {
  const onStaff = props.figures.people['在编'] ?? 0;
  const cross = props.figures.findings.cross;
  const n = cross.red + cross.yellow + cross.hint;
  return (
    <div class="card" data-testid="monthly-feeds">
      <h3 style="margin:0 0 8px">与其他部门名单比对</h3>
      <ul style="margin:0;padding-left:1.2em">
        {feedLine('社保', props.figures.feeds.社保, onStaff)}
        {feedLine('工资统发', props.figures.feeds.工资统发, onStaff)}
      </ul>
      <div class="small muted" style="margin-top:6px">{n ? `比对发现 ${n} 处不一致，见上方“跨部门比对”。` : '比对未发现不一致。'}</div>
    </div>
  );
}

function ConfirmDialog(props: { checklist: Checklist; month: string; onClose: () => void; onDone: (text: string) => void }) {
  const [note, setNote] = useState('');
  const [red, setRed] = useState<number>(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (confirmRed: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/monthly-confirmations/units/${props.checklist.unit.id}/confirm`, { month: props.month, note: note.trim() || null, confirmRed });
      props.onDone(`已确认${monthText(props.month)}数据无误，“月报未按时核对”预警已消除。`);
    } catch (e) {
      const body = e instanceof ApiError ? (e.body as { needsConfirm?: boolean; red?: number } | null) : null;
      if (body?.needsConfirm) setRed(body.red ?? props.checklist.red);
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`确认${monthText(props.month)}数据无误`} onClose={props.onClose} testid="monthly-dialog">
      {red > 0 ? (
        <div class="notice warn" data-testid="monthly-red-warning">
          本单位还有 <b>{red}</b> 个红灯问题未整改。确认本月数据无误表示您已核对过这些问题，确认后仍须按期整改。是否仍然确认？
        </div>
      ) : (
        <p class="small">确认后将记录确认人和时间，以及您此时看到的核账数据。</p>
      )}
      <textarea class="reason" data-testid="monthly-note" placeholder="备注（选填），如：社保差异系借调人员，已报编办" value={note} maxLength={500} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      {error && <div class="notice error" role="alert" data-testid="monthly-error">{error}</div>}
      <div class="actions" style="display:flex;gap:8px;margin-top:8px">
        {red > 0
          ? <button type="button" class="primary" disabled={busy} data-testid="monthly-confirm-red" onClick={() => void submit(true)}>我已核对，仍然确认</button>
          : <button type="button" class="primary" disabled={busy} data-testid="monthly-submit" onClick={() => void submit(false)}>确认本月数据无误</button>}
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}

// ---- the console's tab

interface OfficeRow extends Confirmation {
  unitId: number;
  unitName: string;
  unitCode: string;
  open: { red: number; yellow: number; hint: number; cross: number };
}
interface OfficeList {
  month: string | null;
  months: string[];
  setting: { dueKind: 'workday' | 'day'; dueDay: number; text: string };
  counts: { units: number; confirmed: number; open: number; overdue: number };
  rows: OfficeRow[];
  canRemind: boolean;
  canSet: boolean;
}

const FILTERS: Array<[string, string]> = [['', '全部'], ['unconfirmed', '未确认（含逾期）'], ['overdue', '逾期未确认'], ['confirmed', '已确认']];

export function MonthlyTab(props: { me: Me; query: URLSearchParams }) {
  const [month, setMonth] = useState(props.query.get('month') ?? '');
  const [state, setState] = useState(props.query.get('state') ?? '');
  const list = useLoad(() => get<OfficeList>(`/api/monthly-confirmations${qs({ month, state })}`), [month, state]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  if (list.error && !list.data) return <ErrorBox error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  const d = list.data;
  const remind = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const r = await post<{ unconfirmed: number; notices: { group: number; users: number; unreached: number; heldForBudget: number } }>('/api/monthly-confirmations/remind', { month: d.month ?? undefined });
      const sent = r.notices.group + r.notices.users;
      setNotice({ kind: 'ok', text: `已向 ${sent} 个未确认单位发送催办提醒${r.notices.unreached ? `；${r.notices.unreached} 个单位没有工作群和专管员，未能送达` : ''}${r.notices.heldForBudget ? `；消息额度不足，${r.notices.heldForBudget} 个单位暂未发送` : ''}。` });
      list.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="monthly-office">
      <div class="notice info">
        每月第一个工作日开启上月核账，各单位在小程序中核对本单位数据并确认；截止日为<b>{d.setting.text}</b>，逾期未确认的单位列入“月报未按时核对”（U-PR-02）预警。
        {d.canSet && <> <button type="button" class="btn" data-testid="monthly-setting-edit" onClick={() => setEditing(true)}>修改截止日</button></>}
      </div>
      <div class="filters">
        <select aria-label="月份" data-testid="monthly-month" value={month || d.month || ''} onChange={(e) => setMonth((e.target as HTMLSelectElement).value)}>
          {!d.months.length && <option value="">尚未开启</option>}
          {d.months.map((m) => <option key={m} value={m}>{monthText(m)}</option>)}
        </select>
        <select aria-label="状态" data-testid="monthly-filter" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          {FILTERS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>
        <a class="btn" href={`/api/monthly-confirmations/export${qs({ month: month || d.month, state })}`} download data-testid="monthly-export">导出Excel</a>
        {d.canRemind && <button type="button" class="btn primary" disabled={busy || !d.month || d.counts.confirmed === d.counts.units} data-testid="monthly-remind" onClick={() => void remind()}>催办未确认单位</button>}
      </div>
      {notice && <div class={`notice ${notice.kind}`} role="status" data-testid="monthly-notice">{notice.text}</div>}
      <div class="stats" style="margin-bottom:12px" data-testid="monthly-counts">
        <div class="stat"><b data-testid="count-units">{d.counts.units}</b>单位</div>
        <div class="stat green"><b data-testid="count-confirmed">{d.counts.confirmed}</b>已确认</div>
        <div class="stat yellow"><b data-testid="count-open">{d.counts.open}</b>未确认</div>
        <div class="stat red"><b data-testid="count-overdue">{d.counts.overdue}</b>逾期未确认</div>
      </div>
      {d.rows.length ? (
        <table class="grid stack" data-testid="monthly-rows">
          <thead><tr><th>单位</th><th>状态</th><th>确认人 / 时间</th><th>备注</th><th>待整改（红/黄）</th><th>跨部门比对</th><th>最近催办</th></tr></thead>
          <tbody>
            {d.rows.map((r) => (
              <tr key={r.unitId} data-testid={`monthly-row-${r.unitId}`} data-state={r.state}>
                <td data-label="单位"><a href={`#/console/unit/${r.unitId}`}>{r.unitName}</a></td>
                <td data-label="状态"><span class={`badge ${r.state === 'confirmed' ? 'green' : r.state === 'overdue' ? 'red' : 'yellow'}`}>{r.stateText}</span></td>
                <td data-label="确认">{r.confirmedBy ? <>{r.confirmedBy.name}<div class="small muted">{(r.confirmedAt ?? r.confirmedOn ?? '').slice(0, 16)}</div></> : <span class="muted">截止 {r.dueOn}</span>}</td>
                <td data-label="备注">{r.note ?? ''}</td>
                <td data-label="待整改">{r.open.red} / {r.open.yellow}</td>
                <td data-label="跨部门">{r.open.cross}</td>
                <td data-label="催办">{r.remindedOn ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="empty">{d.month ? '没有符合条件的单位' : '尚未开启任何月份的月度核账'}</div>}
      {editing && <SettingDialog setting={d.setting} onClose={() => setEditing(false)} onDone={() => { setEditing(false); list.reload(); }} />}
    </div>
  );
}

function SettingDialog(props: { setting: OfficeList['setting']; onClose: () => void; onDone: () => void }) {
  const [kind, setKind] = useState(props.setting.dueKind);
  const [day, setDay] = useState(String(props.setting.dueDay));
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    try {
      await put('/api/monthly-confirmations/settings', { dueKind: kind, dueDay: day.trim() });
      props.onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <Dialog title="月度核账截止日" onClose={props.onClose} testid="monthly-setting">
      <div class="filters">
        <select aria-label="截止方式" data-testid="monthly-setting-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as 'workday' | 'day')}>
          <option value="workday">次月第N个工作日</option>
          <option value="day">次月N日（遇节假日顺延）</option>
        </select>
        <input aria-label="N" data-testid="monthly-setting-day" inputMode="numeric" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} />
      </div>
      <p class="small muted">修改后对之后开启的月份生效；已开启月份的截止日不变。</p>
      {error && <div class="notice error" role="alert" data-testid="monthly-setting-error">{error}</div>}
      <div style="display:flex;gap:8px">
        <button type="button" class="primary" data-testid="monthly-setting-save" onClick={() => void save()}>保存</button>
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}

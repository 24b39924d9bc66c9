// 书面函告 (半年交叉检查, issue 18). #/notices (mini-app, 单位专管员 and 单位领导): the unit's notices;
// #/notices/:id: one notice as issued (overdue findings with masked IDs, repeated mistakes, the
// reply deadline), its PDF and Word files, and the reply (整改情况说明, optionally per item) while
// the notice awaits one. #/console/notices (office roles): every notice with its state (未回复 /
// 已回复 / 逾期未回复 / 已办结, overdue ones in red), the reply read in a dialog and closed (办结) or
// returned (退回, with the reason); the cross-check's limits (编办管理员) and a run by hand.

import { useState } from 'preact/hooks';
import { errorText, get, post, put, qs } from '../api.ts';
import type { Me } from '../types.ts';
import { Dialog, ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

type State = 'open' | 'replied' | 'overdue' | 'closed';
interface OverdueItem { findingId: number; rule: string; ruleTitle: string; record: string; openedOn: string; workdaysOpen: number }
interface RepeatedItem { rule: string; ruleTitle: string; count: number }
interface NoticeItem {
  id: number; number: string; half: string; halfText: string; unitId: number; unitName: string; issuedOn: string; replyDue: string;
  state: State; stateText: string; returned: boolean; overdueCount: number; repeatedCount: number; sent: boolean;
  repliedAt: string | null; repliedBy: string | null; reviewNote: string | null; reviewedAt: string | null; reviewedBy: string | null;
}
interface NoticeDetail extends NoticeItem {
  facts: { overdue: OverdueItem[]; repeated: RepeatedItem[]; overdueWorkdays: number; repeatTimes: number; officeName: string };
  replyText: string | null;
  replyItems: Record<string, string>;
  canReply: boolean;
  canReview: boolean;
}
interface NoticeList { check: { half: string; halfText: string; currentText: string; currentEnds: string }; halves: string[]; half: string | null; counts: Record<State, number>; rows: NoticeItem[] }
interface Settings { overdueWorkdays: number; repeatTimes: number; replyWorkdays: number; prefix: string | null; prefixText: string }

const BADGE: Record<State, string> = { open: 'yellow', replied: 'hint', overdue: 'red', closed: 'green' };
const dayText = (d: string) => `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

function StateBadge(props: { n: NoticeItem }) {
  return (
    <span class={`badge ${BADGE[props.n.state]}`} data-testid="notice-state" data-state={props.n.state}>
      {props.n.stateText}{props.n.returned && props.n.state !== 'closed' ? '（已退回）' : ''}
    </span>
  );
}

function Files(props: { id: number }) {
  return (
    <div style="display:flex;gap:8px;flex-wrap:wrap">
      <a class="btn" href={`/api/notices/${props.id}/file?format=pdf`} target="_blank" rel="noopener" data-testid="notice-pdf">查看PDF</a>
      <a class="btn" href={`/api/notices/${props.id}/file?format=docx`} download data-testid="notice-docx">下载Word</a>
    </div>
  );
}

/** The notice's items, as issued; with the unit's per-item notes when given. */
function Items(props: { d: NoticeDetail; notes?: Record<string, string>; onNote?: (key: string, text: string) => void }) {
  const { d } = props;
  const note = (key: string) => props.onNote
    ? <textarea class="reason" rows={2} maxLength={500} placeholder="本项整改情况（选填）" data-testid={`notice-item-${key}`} value={props.notes?.[key] ?? ''} onInput={(e) => props.onNote!(key, (e.target as HTMLTextAreaElement).value)} />
    : d.replyItems[key] ? <div class="small" data-testid={`notice-item-reply-${key}`}>整改说明：{d.replyItems[key]}</div> : null;
  return (
    <>
      {d.facts.overdue.length > 0 && (
        <div class="card" data-testid="notice-overdue">
          <h3 style="margin:0 0 8px">超期未整改问题（{d.facts.overdue.length}）</h3>
          <div class="small muted" style="margin-bottom:6px">半年末已超过 {d.facts.overdueWorkdays} 个工作日未整改</div>
          {d.facts.overdue.map((o) => (
            <div class="item" key={o.findingId} style="border-top:1px solid var(--line);padding:6px 0">
              <div><b>{o.ruleTitle}</b> <span class="small muted">{o.rule}</span></div>
              <div class="small">{o.record} · {o.openedOn} 发现 · 已 {o.workdaysOpen} 个工作日</div>
              {note(`f${o.findingId}`)}
            </div>
          ))}
        </div>
      )}
      {d.facts.repeated.length > 0 && (
        <div class="card" data-testid="notice-repeated">
          <h3 style="margin:0 0 8px">反复出现的问题（{d.facts.repeated.length}）</h3>
          <div class="small muted" style="margin-bottom:6px">半年内出现 {d.facts.repeatTimes} 次及以上</div>
          {d.facts.repeated.map((r) => (
            <div class="item" key={r.rule} style="border-top:1px solid var(--line);padding:6px 0">
              <div><b>{r.ruleTitle}</b> <span class="small muted">{r.rule}</span> · 出现 {r.count} 次</div>
              {note(`r${r.rule}`)}
            </div>
          ))}
        </div>
      )}
    </>
  );
}

function ReplyBlock(props: { d: NoticeDetail }) {
  const { d } = props;
  if (!d.replyText) return null;
  return (
    <div class="card" data-testid="notice-reply">
      <h3 style="margin:0 0 6px">整改情况说明</h3>
      <div style="white-space:pre-wrap" data-testid="notice-reply-text">{d.replyText}</div>
      <div class="small muted" style="margin-top:4px">{d.repliedBy ?? ''} 于 {(d.repliedAt ?? '').slice(0, 16)} 回复</div>
      {d.reviewNote && <div class={`notice ${d.state === 'closed' ? 'ok' : 'warn'}`} style="margin-top:8px" data-testid="notice-review-note">编办{d.state === 'closed' ? '意见' : '退回'}：{d.reviewNote}</div>}
    </div>
  );
}

// ---- the mini-app

export function NoticesPage(props: { me: Me; id: string | null }) {
  return props.id ? <NoticePage me={props.me} id={props.id} /> : <UnitNotices me={props.me} />;
}

function UnitNotices(props: { me: Me }) {
  const list = useLoad(() => get<NoticeList>('/api/notices'), []);
  return (
    <div class="shell">
      <Header title="书面函告" back="#/todo" />
      <main class="page" data-testid="notices">
        {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
        {!list.data && !list.error && <Loading />}
        {list.data && (list.data.rows.length ? list.data.rows.map((n) => (
          <a class="card" key={n.id} href={`#/notices/${n.id}`} style="display:block;color:inherit;text-decoration:none" data-testid={`notice-${n.id}`}>
            <div style="display:flex;justify-content:space-between;gap:8px"><b>{n.number}</b><StateBadge n={n} /></div>
            <div class="small">{n.unitName} · {n.halfText}交叉检查</div>
            <div class="small muted">超期未整改 {n.overdueCount} 条，反复出现 {n.repeatedCount} 类；回复期限 {dayText(n.replyDue)}</div>
          </a>
        )) : <div class="empty">本单位没有书面函告</div>)}
      </main>
      <Tabs me={props.me} active="todo" />
    </div>
  );
}

function NoticePage(props: { me: Me; id: string }) {
  const { data: d, error, reload } = useLoad(() => get<NoticeDetail>(`/api/notices/${encodeURIComponent(props.id)}`), [props.id]);
  const [text, setText] = useState('');
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await post(`/api/notices/${props.id}/reply`, { text, items: Object.fromEntries(Object.entries(notes).filter(([, v]) => v.trim())) });
      setDone('整改情况说明已提交，编办审核后将告知结果。');
      reload();
    } catch (e) {
      setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="shell">
      <Header title="书面函告" back="#/notices" />
      <main class="page" data-testid="notice">
        {error != null && <ErrorBox error={error} retry={reload} />}
        {!d && error == null && <Loading />}
        {d && (
          <>
            <div class="card">
              <div style="display:flex;justify-content:space-between;gap:8px"><h2 style="margin:0" data-testid="notice-number">{d.number}</h2><StateBadge n={d} /></div>
              <div style="margin:4px 0">{d.unitName}：{d.facts.officeName}对{d.halfText}的数据进行了交叉检查，你单位存在以下问题，请逐项整改并回复。</div>
              <div class={`notice ${d.state === 'overdue' ? 'error' : 'info'}`} style="margin:6px 0" data-testid="notice-due">
                {d.state === 'closed' ? '编办已办结。' : d.state === 'replied' ? '已回复，正待编办审核。' : `请于 ${dayText(d.replyDue)} 前回复${d.state === 'overdue' ? '（已逾期）' : ''}。`}
              </div>
              <Files id={d.id} />
            </div>
            {done && <div class="notice ok" role="status" data-testid="notice-done">{done}</div>}
            <Items d={d} notes={notes} onNote={d.canReply ? (k, v) => setNotes({ ...notes, [k]: v }) : undefined} />
            <ReplyBlock d={d} />
            {d.canReply && (
              <div class="card" data-testid="notice-reply-form">
                <h3 style="margin:0 0 6px">{d.returned ? '重新回复整改情况' : '回复整改情况'}</h3>
                <textarea class="reason" rows={5} maxLength={2000} data-testid="notice-reply-input" placeholder="整改情况说明：已整改的问题、未整改的原因和计划（至少10个字）" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
                <div class="small muted">上方各项可分别填写整改情况（选填）。</div>
                {failure && <div class="notice error" role="alert" data-testid="notice-error">{failure}</div>}
                <button type="button" class="primary block" disabled={busy} data-testid="notice-submit" onClick={() => void submit()}>提交整改情况说明</button>
              </div>
            )}
          </>
        )}
      </main>
      <Tabs me={props.me} active="todo" />
    </div>
  );
}

// ---- the console's tab

/** The result of 立即检查 as a sentence: what was checked and what came of it, also when nothing new was issued. */
function runText(r: { halfText: string; issued: Array<{ number: string }>; existing: number; unitsWithProblems: number }): string {
  if (!r.unitsWithProblems) return `已检查${r.halfText}：没有单位存在超期未整改或反复出错的问题，无需发函。`;
  if (!r.issued.length) return `已检查${r.halfText}：${r.unitsWithProblems} 个单位有问题，它们的函告此前均已发出，本次未重发。`;
  return `已检查${r.halfText}：${r.unitsWithProblems} 个单位有问题，新发函告 ${r.issued.length} 份（${r.issued.map((n) => n.number).join('、')}）${r.existing ? `，另有 ${r.existing} 份此前已发` : ''}。`;
}

const FILTERS: Array<[string, string]> = [['', '全部'], ['open', '未回复'], ['overdue', '逾期未回复'], ['replied', '已回复（待审核）'], ['closed', '已办结']];

export function NoticesTab(props: { me: Me; query: URLSearchParams }) {
  const [half, setHalf] = useState(props.query.get('half') ?? '');
  const [state, setState] = useState(props.query.get('state') ?? '');
  const list = useLoad(() => get<NoticeList>(`/api/notices${qs({ half, state })}`), [half, state]);
  const settings = useLoad(() => get<Settings>('/api/notices/settings'), []);
  const [open, setOpen] = useState<number | null>(props.query.get('id') ? Number(props.query.get('id')) : null);
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const admin = props.me.role === '编办管理员' || props.me.role === '编办业务人员';
  if (list.error && !list.data) return <ErrorBox error={list.error} retry={list.reload} />;
  if (!list.data) return <Loading />;
  const d = list.data;
  const s = settings.data;
  const run = async () => {
    setMessage(null);
    try {
      const r = await post<{ half: string; halfText: string; issued: Array<{ number: string }>; existing: number; unitsWithProblems: number }>('/api/notices/run', { half: d.check.half });
      setMessage({ kind: 'ok', text: runText(r) });
      list.reload();
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };
  return (
    <div data-testid="notices-office">
      <div class="notice info" data-testid="notices-settings">
        每年1月、7月第一个工作日对上半年度进行交叉检查：半年末超过<b>{s?.overdueWorkdays ?? '…'}</b>个工作日未整改的问题、半年内出现<b>{s?.repeatTimes ?? '…'}</b>次及以上的同类问题，向单位发书面函告（文号 {s?.prefixText ?? '…'}〔年〕N号），单位须在<b>{s?.replyWorkdays ?? '…'}</b>个工作日内回复。
        {props.me.role === '编办管理员' && s && <> <button type="button" class="btn" data-testid="notices-settings-edit" onClick={() => setEditing(true)}>修改时限</button></>}
      </div>
      {admin && (
        <div class="notice info" data-testid="notices-check">
          现在可检查的是已结束的<b>{d.check.halfText}</b>；{d.check.currentText}到{dayText(d.check.currentEnds)}才结束，结束后在下一个半年度的第一个工作日自动检查（未结束的半年度问题还在整改期内，不能检查）。同一半年度已发过函告的单位不会重发。
          {' '}<button type="button" class="btn" data-testid="notices-run" onClick={() => void run()}>{`立即检查${d.check.halfText}`}</button>
        </div>
      )}
      <div class="filters">
        <select aria-label="半年度" data-testid="notices-half" value={half} onChange={(e) => setHalf((e.target as HTMLSelectElement).value)}>
          <option value="">全部半年度</option>
          {d.halves.map((h) => <option key={h} value={h}>{`${h.slice(0, 4)}年${h.endsWith('1') ? '上' : '下'}半年`}</option>)}
        </select>
        <select aria-label="状态" data-testid="notices-filter" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          {FILTERS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
        </select>
      </div>
      {message && <div class={`notice ${message.kind}`} role="status" data-testid="notices-message">{message.text}</div>}
      <div class="stats" style="margin-bottom:12px" data-testid="notices-counts">
        <div class="stat yellow"><b>{d.counts.open}</b>未回复</div>
        <div class="stat red"><b data-testid="count-overdue">{d.counts.overdue}</b>逾期未回复</div>
        <div class="stat"><b data-testid="count-replied">{d.counts.replied}</b>已回复</div>
        <div class="stat green"><b data-testid="count-closed">{d.counts.closed}</b>已办结</div>
      </div>
      {d.rows.length ? (
        <table class="grid stack" data-testid="notices-rows">
          <thead><tr><th>文号</th><th>单位</th><th>半年度</th><th>问题</th><th>回复期限</th><th>状态</th><th></th></tr></thead>
          <tbody>
            {d.rows.map((n) => (
              <tr key={n.id} data-testid={`notice-row-${n.id}`} data-state={n.state} style={n.state === 'overdue' ? 'background:#fdecec' : ''}>
                <td data-label="文号">{n.number}</td>
                <td data-label="单位"><a href={`#/console/unit/${n.unitId}`}>{n.unitName}</a></td>
                <td data-label="半年度">{n.halfText}</td>
                <td data-label="问题">超期 {n.overdueCount} 条 / 反复 {n.repeatedCount} 类</td>
                <td data-label="回复期限" style={n.state === 'overdue' ? 'color:var(--red);font-weight:bold' : ''}>{n.replyDue}</td>
                <td data-label="状态"><StateBadge n={n} /></td>
                <td><button type="button" class="btn" data-testid={`notice-open-${n.id}`} onClick={() => setOpen(n.id)}>{n.state === 'replied' ? '审核回复' : '查看'}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <div class="empty">{d.halves.length ? '没有符合条件的函告' : '尚未发出书面函告（每年1月、7月第一个工作日自动检查）'}</div>}
      {open != null && <ReviewDialog id={open} onClose={() => setOpen(null)} onDone={() => list.reload()} />}
      {editing && s && <SettingsDialog s={s} onClose={() => setEditing(false)} onDone={() => { setEditing(false); settings.reload(); }} />}
    </div>
  );
}

function ReviewDialog(props: { id: number; onClose: () => void; onDone: () => void }) {
  const { data: d, error, reload } = useLoad(() => get<NoticeDetail>(`/api/notices/${props.id}`), [props.id]);
  const [note, setNote] = useState('');
  const [failure, setFailure] = useState<string | null>(null);
  const decide = async (decision: 'close' | 'return') => {
    setFailure(null);
    try {
      await post(`/api/notices/${props.id}/review`, { decision, note: note.trim() || null });
      reload();
      props.onDone();
    } catch (e) {
      setFailure(errorText(e));
    }
  };
  return (
    <Dialog title={d ? `${d.number} · ${d.unitName}` : '书面函告'} onClose={props.onClose} testid="notice-dialog">
      {error != null && <ErrorBox error={error} retry={reload} />}
      {!d && error == null && <Loading />}
      {d && (
        <>
          <div style="display:flex;gap:8px;align-items:center;margin-bottom:8px"><StateBadge n={d} /><span class="small muted">发文 {d.issuedOn}，回复期限 {d.replyDue}</span></div>
          <Files id={d.id} />
          <Items d={d} />
          {d.replyText ? <ReplyBlock d={d} /> : <div class="notice info" data-testid="notice-no-reply">单位尚未回复。</div>}
          {d.canReview && (
            <>
              <textarea class="reason" rows={2} maxLength={500} data-testid="notice-review-input" placeholder="审核意见（退回时必填）" value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
              {failure && <div class="notice error" role="alert" data-testid="notice-review-error">{failure}</div>}
              <div style="display:flex;gap:8px;margin-top:8px">
                <button type="button" class="primary" data-testid="notice-close" onClick={() => void decide('close')}>办结</button>
                <button type="button" class="btn" data-testid="notice-return" onClick={() => void decide('return')}>退回重新整改</button>
              </div>
            </>
          )}
          <div style="margin-top:8px"><button type="button" class="btn" data-testid="notice-dialog-close" onClick={props.onClose}>关闭</button></div>
        </>
      )}
    </Dialog>
  );
}

function SettingsDialog(props: { s: Settings; onClose: () => void; onDone: () => void }) {
  const [v, setV] = useState({ overdueWorkdays: String(props.s.overdueWorkdays), repeatTimes: String(props.s.repeatTimes), replyWorkdays: String(props.s.replyWorkdays), prefix: props.s.prefix ?? '' });
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    try {
      await put('/api/notices/settings', { ...v, prefix: v.prefix.trim() || null });
      props.onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const field = (k: keyof typeof v, label: string) => (
    <label style="display:block;margin-bottom:6px">{label}<br />
      <input data-testid={`notices-setting-${k}`} inputMode={k === 'prefix' ? undefined : 'numeric'} value={v[k]} onInput={(e) => setV({ ...v, [k]: (e.target as HTMLInputElement).value })} />
    </label>
  );
  return (
    <Dialog title="书面函告时限" onClose={props.onClose} testid="notices-setting">
      {field('overdueWorkdays', '问题超期时限（工作日，半年末未整改超过此数即列入函告）')}
      {field('repeatTimes', '重复出错次数（半年内同类问题出现此数及以上）')}
      {field('replyWorkdays', '回复期限（发函后工作日）')}
      {field('prefix', `文号前缀（留空：${props.s.prefix ? '按地区名称' : props.s.prefixText}）`)}
      <p class="small muted">修改后对之后的交叉检查生效；已发出的函告不变。</p>
      {error && <div class="notice error" role="alert" data-testid="notices-setting-error">{error}</div>}
      <div style="display:flex;gap:8px">
        <button type="button" class="primary" data-testid="notices-setting-save" onClick={() => void save()}>保存</button>
        <button type="button" class="btn" onClick={props.onClose}>取消</button>
      </div>
    </Dialog>
  );
}

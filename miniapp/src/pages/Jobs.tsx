// #/console/jobs (office roles): the scheduled jobs — 名称, 排程, 上次运行, 下次运行 — with the
// time changed or the job switched off (编办管理员), a run by hand (编办管理员, 编办业务人员), a job's
// runs and one run with the messages it sent (?run=ID). #/console/broadcasts: what went to which
// group or people, delivered or not, filtered by group, in pages. server/API.md "Jobs".

import { useState } from 'preact/hooks';
import { errorText, get, post, put, qs } from '../api.ts';
import type { Me } from '../types.ts';
import { OPERATOR_ROLES } from '../types.ts';
import { Dialog, ErrorBox, Loading, useLoad } from '../ui.tsx';
import { addDays } from '../../../core/dates.ts';
import type { JobListing as JobView, MessageView, RunBrief, RunDetail } from '../../../core/job-views.ts';

/** 2026-12-07T08:30:00+08:00 → 12-07 08:30 (the year when it is not this one). */
export function when(iso: string | null): string {
  if (!iso) return '—';
  const d = iso.slice(0, 16).replace('T', ' ');
  return d.slice(0, 4) === String(new Date().getFullYear()) ? d.slice(5) : d;
}

/** The slot as people read it: 2026-12-07, or 2026-12-07（手动）. */
function slotText(r: { slot: string; manual: boolean }): string {
  return `${r.slot.split('#')[0]}${r.manual ? '（手动）' : ''}`;
}

const STATE_CLASS: Record<string, string> = { ok: 'green', failed: 'red', running: 'yellow', queued: 'grey', sent: 'green', dead: 'red', pending: 'yellow', sending: 'yellow' };

function StateBadge(props: { state: string; text: string }) {
  return <span class={`badge ${STATE_CLASS[props.state] ?? 'grey'}`} data-testid="state" data-state={props.state}>{props.text}</span>;
}

export interface CalendarOverrideView {
  date: string;
  work: boolean;
  note?: string;
}

export interface CalendarYearView {
  year: number;
  covered: boolean;
  overrides: CalendarOverrideView[];
  warning: string | null;
}

/** The days from `from` to `to` (inclusive, at most 366), YYYY-MM-DD; just `from` when `to` is empty or earlier. */
function daysFrom(from: string, to: string): string[] {
  if (!to || to <= from) return [from];
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 367; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The working-day calendar (server/API.md "Calendar"): the warning when a year ahead is not yet
 * known, for every office role; for the 编办管理员, the year's 休息日 and 调休上班日 entered, days added
 * (one day or a range) and removed.
 */
function useCalendarYear() {
  const now = new Date();
  const [year, setYear] = useState(now.getFullYear() + (now.getMonth() >= 9 ? 1 : 0));
  const cal = useLoad(() => get<CalendarYearView>(`/api/calendar${qs({ year: String(year) })}`), [year]);
  return { year, setYear, cal };
}

function CalendarSection(props: { calendar: ReturnType<typeof useCalendarYear>; onChanged: () => void }) {
  const now = new Date();
  const { year, setYear, cal } = props.calendar;
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [work, setWork] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const change = async (dates: string[], w: boolean | null, n?: string) => {
    setBusy(true);
    setError(null);
    try {
      await put<CalendarYearView>('/api/calendar', { dates, work: w, ...(n ? { note: n } : {}) });
      cal.reload();
      props.onChanged();
      if (w !== null) {
        setFrom('');
        setTo('');
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const add = () => {
    if (!from) return setError('请选择日期');
    void change(daysFrom(from, to), work, note.trim());
  };
  const remove = (o: CalendarOverrideView) => {
    if (!confirm(`取消 ${o.date} 的调整？`)) return;
    void change([o.date], null);
  };
  return (
    <div class="card" data-testid="calendar">
      <div class="row" style="gap:8px;justify-content:space-between;flex-wrap:wrap">
        <b>工作日历</b>
        <label class="row" style="gap:6px">
          <span class="small">年份</span>
          <select value={String(year)} onChange={(e) => setYear(Number((e.target as HTMLSelectElement).value))} data-testid="calendar-year" style="width:auto">
            {[now.getFullYear() - 1, now.getFullYear(), now.getFullYear() + 1, now.getFullYear() + 2].map((y) => <option key={y} value={String(y)}>{y}年</option>)}
          </select>
        </label>
      </div>
      <p class="small muted">
        录入国务院办公厅公布的放假（休息日）和调休上班日（工作日）；计划任务、红黄绿灯和期限都按工作日历计算。
        {cal.data && (cal.data.covered ? `${year}年的节假日安排已知。` : `${year}年的节假日安排尚未录入，目前按周一至周五推算。`)}
      </p>
      {cal.error != null && <ErrorBox error={cal.error} retry={cal.reload} />}
      {cal.data && cal.data.overrides.length === 0 && <div class="empty small">本年尚未录入调整</div>}
      {cal.data && cal.data.overrides.length > 0 && (
        <table class="grid" data-testid="calendar-overrides">
          <thead><tr><th>日期</th><th>调整</th><th>说明</th><th /></tr></thead>
          <tbody>
            {cal.data.overrides.map((o) => (
              <tr key={o.date} data-testid="calendar-override" data-date={o.date}>
                <td>{o.date}</td>
                <td><span class={`badge ${o.work ? 'green' : 'grey'}`}>{o.work ? '上班' : '休息'}</span></td>
                <td class="small">{o.note ?? ''}</td>
                <td><button type="button" class="small" disabled={busy} onClick={() => remove(o)} data-testid="calendar-remove">删除</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div style="margin-top:12px">
        <label class="field">
          <span>日期</span>
          <input type="date" value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} data-testid="calendar-from" />
        </label>
        <label class="field">
          <span>至（可选，连续多天时填写）</span>
          <input type="date" value={to} min={from || undefined} onInput={(e) => setTo((e.target as HTMLInputElement).value)} data-testid="calendar-to" />
        </label>
        <div class="row" style="gap:16px;margin:8px 0">
          <label class="row" style="gap:6px"><input type="radio" name="calendar-work" checked={!work} onChange={() => setWork(false)} style="flex:none" data-testid="calendar-off" />休息日</label>
          <label class="row" style="gap:6px"><input type="radio" name="calendar-work" checked={work} onChange={() => setWork(true)} style="flex:none" data-testid="calendar-work" />调休上班</label>
        </div>
        <label class="field">
          <span>说明（可选）</span>
          <input type="text" maxLength={200} value={note} placeholder="如：2027年春节" onInput={(e) => setNote((e.target as HTMLInputElement).value)} data-testid="calendar-note" />
        </label>
        {error && <div class="notice error" role="alert" data-testid="calendar-error">{error}</div>}
        <button type="button" class="primary" disabled={busy} onClick={add} data-testid="calendar-add">{busy ? '正在保存…' : '添加'}</button>
      </div>
    </div>
  );
}

export function JobsTab(props: { me: Me; query: URLSearchParams }) {
  const admin = props.me.role === '编办管理员';
  const operator = OPERATOR_ROLES.has(props.me.role);
  const jobs = useLoad(() => get<JobView[]>('/api/jobs'), []);
  const [editing, setEditing] = useState<JobView | null>(null);
  const [runs, setRuns] = useState<JobView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const runId = props.query.get('run');
  const calendar = useCalendarYear();
  const calendarWarning = calendar.cal.data?.warning;

  const runNow = async (j: JobView) => {
    if (!confirm(`立即运行一次“${j.title}”？`)) return;
    setError(null);
    setNotice(null);
    try {
      const r = await post<{ runId: number; created: boolean }>(`/api/jobs/${encodeURIComponent(j.name)}/run`, {});
      setNotice(r.created ? `已提交“${j.title}”（运行编号 ${r.runId}），完成后可在运行记录中查看。` : `“${j.title}”正在运行（运行编号 ${r.runId}）。`);
      setTimeout(() => jobs.reload(), 1500);
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (runId) return <RunDetailView id={runId} operator={operator} />;
  return (
    <>
      <div class="card small">
        计划任务按工作日历自动运行（节假日顺延，调休上班日照常），多台服务器同时运行时每个时点只执行一次；停机错过的时点在启动时补运行一次。{admin ? '可修改运行时间或停用。' : '只有编办管理员可以修改排程。'}
      </div>
      {calendarWarning && <div class="notice warn" role="status" data-testid="calendar-warning">{calendarWarning}{admin ? '（见下方“工作日历”）' : ''}</div>}
      {notice && <div class="notice ok" data-testid="jobs-notice">{notice}</div>}
      {error && <div class="notice error" role="alert" data-testid="jobs-error">{error}</div>}
      {jobs.error != null && <ErrorBox error={jobs.error} retry={jobs.reload} />}
      {jobs.loading && !jobs.data && <Loading />}
      {jobs.data && (
        <div class="card scroll-x" style="padding:0">
          <table class="grid stack" data-testid="jobs">
            <thead><tr><th>名称</th><th>排程</th><th>上次运行</th><th>下次运行</th><th /></tr></thead>
            <tbody>
              {jobs.data.map((j) => (
                <tr key={j.name} data-testid="job-row" data-job={j.name}>
                  <td data-label="名称"><div><b>{j.title}</b><div class="small muted">{j.name}</div></div></td>
                  <td data-label="排程" data-testid="job-schedule"><div>
                    {j.schedule ?? '仅手动运行'}
                    {j.enabled && j.time !== j.defaultTime && <div class="small muted">默认 {j.defaultTime}</div>}
                  </div></td>
                  <td data-label="上次运行" data-testid="job-last"><div>
                    {j.lastRun ? (
                      <>
                        <StateBadge state={j.lastRun.state} text={j.lastRun.stateText} /> {when(j.lastRun.startedAt)}
                        <div class="small muted">{slotText(j.lastRun)}{j.lastRun.messages ? `，发出 ${j.lastRun.messages} 条` : ''}</div>
                        {j.lastRun.error && <div class="small" style="color:var(--red)">{j.lastRun.error}</div>}
                        <a href={`#/console/jobs?run=${j.lastRun.id}`} class="small" data-testid="job-last-link">详情 ›</a>
                      </>
                    ) : <span class="muted">尚未运行</span>}
                  </div></td>
                  <td data-label="下次运行" data-testid="job-next">{j.nextRun ? when(j.nextRun) : <span class="muted">{j.schedule ? '已停用' : '—'}</span>}</td>
                  <td data-label="">
                    <div class="row job-actions" style="gap:6px;flex-wrap:wrap">
                      <button type="button" onClick={() => setRuns(j)} data-testid="job-runs">运行记录</button>
                      {operator && <button type="button" onClick={() => void runNow(j)} data-testid="job-run">立即运行</button>}
                      {admin && j.schedule && <button type="button" onClick={() => setEditing(j)} data-testid="job-edit">修改排程</button>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <EditSchedule job={editing} onClose={() => setEditing(null)} onSaved={() => { setEditing(null); jobs.reload(); }} />}
      {runs && <RunsDialog job={runs} onClose={() => setRuns(null)} />}
      {admin && <CalendarSection calendar={calendar} onChanged={() => jobs.reload()} />}
    </>
  );
}

function EditSchedule(props: { job: JobView; onClose: () => void; onSaved: () => void }) {
  const j = props.job;
  const [time, setTime] = useState(j.time ?? j.defaultTime ?? '08:30');
  const [enabled, setEnabled] = useState(j.enabled);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await put(`/api/jobs/${encodeURIComponent(j.name)}/schedule`, { time, enabled });
      props.onSaved();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`修改排程：${j.title}`} onClose={props.onClose} testid="schedule-dialog">
      <p class="small">{j.defaultSchedule}（默认）</p>
      <label class="field">
        <span>运行时间（北京时间）</span>
        <input type="time" value={time} onInput={(e) => setTime((e.target as HTMLInputElement).value)} data-testid="schedule-time" />
      </label>
      <label class="row" style="gap:8px;margin:8px 0">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} data-testid="schedule-enabled" style="flex:none" />
        <span>启用（取消勾选即停用，不再自动运行）</span>
      </label>
      {error && <div class="notice error" role="alert" data-testid="schedule-error">{error}</div>}
      <div class="actions">
        <button type="button" onClick={props.onClose}>取消</button>
        <button type="button" class="primary" disabled={busy} onClick={() => void save()} data-testid="schedule-save">{busy ? '正在保存…' : '保存'}</button>
      </div>
    </Dialog>
  );
}

function RunsDialog(props: { job: JobView; onClose: () => void }) {
  const runs = useLoad(() => get<RunBrief[]>(`/api/jobs/${encodeURIComponent(props.job.name)}/runs?limit=30`), [props.job.name]);
  return (
    <Dialog title={`运行记录：${props.job.title}`} onClose={props.onClose} testid="runs-dialog">
      {runs.error != null && <ErrorBox error={runs.error} retry={runs.reload} />}
      {runs.loading && !runs.data && <Loading />}
      {runs.data && runs.data.length === 0 && <div class="empty">尚未运行</div>}
      {runs.data && runs.data.length > 0 && (
        <div class="scroll-x" style="max-height:60vh;overflow-y:auto">
          <table class="grid" data-testid="runs">
            <thead><tr><th>时点</th><th>结果</th><th>开始</th><th>结束</th><th>消息</th></tr></thead>
            <tbody>
              {runs.data.map((r) => (
                <tr key={r.id} data-testid="run-row">
                  <td><a href={`#/console/jobs?run=${r.id}`} onClick={props.onClose}>{slotText(r)}</a></td>
                  <td><StateBadge state={r.state} text={r.stateText} />{r.error && <div class="small" style="color:var(--red)">{r.error}</div>}</td>
                  <td>{when(r.startedAt)}</td>
                  <td>{when(r.finishedAt)}</td>
                  <td>{r.messages}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions"><button type="button" onClick={props.onClose}>关闭</button></div>
    </Dialog>
  );
}

function RunDetailView(props: { id: string; operator: boolean }) {
  const run = useLoad(() => get<RunDetail>(`/api/jobs/runs/${encodeURIComponent(props.id)}`), [props.id]);
  const r = run.data;
  return (
    <>
      <p><a href="#/console/jobs" data-testid="back-to-jobs">‹ 返回计划任务</a></p>
      {run.error != null && <ErrorBox error={run.error} retry={run.reload} />}
      {run.loading && !r && <Loading />}
      {r && (
        <>
          <div class="card" data-testid="run-detail">
            <div class="row"><b style="flex:1">{r.title}　{slotText(r)}</b><StateBadge state={r.state} text={r.stateText} /></div>
            <p class="small">开始 {when(r.startedAt)}　结束 {when(r.finishedAt)}　运行编号 {r.id}</p>
            {r.summary && <p data-testid="run-summary">{r.summary}</p>}
            {r.error && <div class="notice error">{r.error}</div>}
          </div>
          <h2 class="section">本次发出的消息（{r.sent.length} 条）</h2>
          {r.sent.length === 0 ? <div class="empty">本次运行没有发出消息</div> : <MessageTable items={r.sent} testid="run-messages" canResend={props.operator} onResent={run.reload} />}
        </>
      )}
    </>
  );
}

export function MessageTable(props: { items: MessageView[]; testid: string; canResend?: boolean; onResent?: () => void }) {
  const [error, setError] = useState<string | null>(null);
  // A message the platform refused for good goes back to the queue (server/API.md POST /api/outbox/:id/resend).
  const resend = async (m: MessageView) => {
    if (!confirm(`重新发送这条${m.kind === 'card' ? '卡片' : '消息'}（发往 ${m.targetText}）？`)) return;
    setError(null);
    try {
      await post(`/api/outbox/${m.id}/resend`, {});
      props.onResent?.();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="card scroll-x" style="padding:0">
      {error && <div class="notice error" role="alert">{error}</div>}
      <table class="grid stack" data-testid={props.testid}>
        <thead><tr><th>时间</th><th>内容</th><th>发往</th><th>状态</th><th>送达时间</th></tr></thead>
        <tbody>
          {props.items.map((m) => (
            <tr key={m.id} data-testid="message-row" data-state={m.state}>
              <td data-label="时间">{when(m.at)}</td>
              <td data-label="内容"><div>{m.kindText}{m.title && <div class="small muted">{m.title}</div>}</div></td>
              <td data-label="发往" data-testid="message-target">{m.targetText}</td>
              <td data-label="状态"><div><StateBadge state={m.state} text={m.stateText} />{m.error && <div class="small" style="color:var(--red)" data-testid="message-error">{m.error}</div>}
                {props.canResend && m.state === 'dead' && <button type="button" class="small" style="margin-top:4px" onClick={() => void resend(m)} data-testid="message-resend">重新发送</button>}
              </div></td>
              <td data-label="送达时间">{when(m.sentAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface BroadcastPage {
  items: MessageView[];
  next: number | null;
  groups: Array<{ groupId: string; name: string }>;
}

export function BroadcastsTab(props: { me: Me; query: URLSearchParams }) {
  const operator = OPERATOR_ROLES.has(props.me.role);
  const group = props.query.get('group') ?? '';
  const before = props.query.get('before') ?? '';
  const page = useLoad(() => get<BroadcastPage>(`/api/broadcasts${qs({ group, before, limit: 50 })}`), [group, before]);
  const choose = (g: string) => {
    location.hash = `#/console/broadcasts${qs({ group: g })}`;
  };
  return (
    <>
      <div class="card">
        <div class="filters">
          <select value={group} onChange={(e) => choose((e.target as HTMLSelectElement).value)} data-testid="broadcast-group" aria-label="工作群">
            <option value="">全部工作群和个人</option>
            {page.data?.groups.map((g) => <option key={g.groupId} value={g.groupId}>{g.name}</option>)}
          </select>
        </div>
        <p class="small muted" style="margin:0">发往各工作群和个人的消息、卡片，最新的在前。{operator ? '发送“失败”的可点“重新发送”。' : ''}</p>
      </div>
      {page.error != null && <ErrorBox error={page.error} retry={page.reload} />}
      {page.loading && !page.data && <Loading />}
      {page.data && page.data.items.length === 0 && <div class="empty">没有消息记录</div>}
      {page.data && page.data.items.length > 0 && <MessageTable items={page.data.items} testid="broadcasts" canResend={operator} onResent={page.reload} />}
      <div class="row" style="gap:8px">
        {before && <a class="btn" href={`#/console/broadcasts${qs({ group })}`}>‹ 最新</a>}
        {page.data?.next && <a class="btn" href={`#/console/broadcasts${qs({ group, before: page.data.next })}`} data-testid="broadcasts-more">更早 ›</a>}
      </div>
    </>
  );
}

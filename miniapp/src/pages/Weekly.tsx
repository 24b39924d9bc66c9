// #/console/weekly (office roles): the week's supervision list (每周督办清单) by region with its
// counts, each unit's line linking to the unit's console page; the export, sending it now (with a
// confirmation), and the office's request limit (editable by 编办管理员).

import { useState } from 'preact/hooks';
import { errorText, get, post, put, qs } from '../api.ts';
import type { Me } from '../types.ts';
import { Dialog, ErrorBox, Loading, useLoad } from '../ui.tsx';

interface Counts { units: number; redUnits: number; redItems: number; suspended: number; waitingRequests: number; noSelfCheck: number }
interface Line {
  unitId: number;
  unitName: string;
  red: { count: number; oldestWorkdays: number; since: string } | null;
  suspension: { endsOn: string; inherited: boolean } | null;
  waitingRequests: Array<{ no: string; kind: string; workdaysWaiting: number }>;
  selfChecks: { count: number; min: number } | null;
  summary: string;
  todo: string;
  done: boolean;
}
interface WeeklyView {
  date: string;
  week: string;
  sentAt: string | null;
  settings: { requestLimitWorkdays: number; minSelfChecks: number };
  counts: Counts;
  regions: Array<{ code: string; name: string; counts: Counts; units: Line[] }>;
}
interface SendResult { units: number; unitGroupCards: number; unitDirectCards: number; unreached: number; office: 'group' | 'users' | 'none' }

const SENDER_ROLES = new Set(['编办管理员', '编办业务人员']);

function CountsLine(props: { c: Counts }) {
  const c = props.c;
  return (
    <span class="small">
      {c.units} 个单位：红灯 {c.redUnits}（{c.redItems} 项）　暂停办理 {c.suspended}　超时申请 {c.waitingRequests}　自查不足 {c.noSelfCheck}
    </span>
  );
}

export function WeeklyList(props: { me: Me; query: URLSearchParams }) {
  const [date, setDate] = useState(props.query.get('date') ?? '');
  const [shown, setShown] = useState(date);
  const list = useLoad(() => get<WeeklyView>(`/api/weekly${qs({ date: shown || null })}`), [shown]);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const sender = SENDER_ROLES.has(props.me.role);

  async function send() {
    setSending(true);
    try {
      const r = await post<SendResult>('/api/weekly/send', shown ? { date: shown } : {});
      const office = r.office === 'group' ? '编办工作群' : r.office === 'users' ? '编办人员（未配置编办工作群）' : '（无编办工作群和编办人员）';
      setNotice({ ok: true, text: `已发送：${office}；${r.unitGroupCards} 个单位工作群，${r.unitDirectCards} 个单位单独发给专管员${r.unreached ? `；${r.unreached} 个单位既无工作群也无专管员` : ''}。` });
      list.reload();
    } catch (e) {
      setNotice({ ok: false, text: errorText(e) });
    } finally {
      setSending(false);
      setConfirming(false);
    }
  }

  const v = list.data;
  return (
    <div data-testid="weekly">
      <div class="card">
        <form class="row" onSubmit={(e) => { e.preventDefault(); setShown(date); }} style="gap:8px;flex-wrap:wrap;align-items:center">
          <label>清单日期 <input type="date" value={date} onInput={(e) => setDate((e.target as HTMLInputElement).value)} data-testid="weekly-date" /></label>
          <button type="submit">查看</button>
          <a class="btn" href={`/api/weekly/export${qs({ date: shown || null })}`} download data-testid="weekly-export">导出Excel</a>
          {sender && <button type="button" class="primary" disabled={sending || !!v?.sentAt} onClick={() => setConfirming(true)} data-testid="weekly-send">{v?.sentAt ? '本周已发送' : '立即发送'}</button>}
        </form>
        {v && (
          <p class="small" data-testid="weekly-status">
            {v.date} 所在周（{v.week} 起）：{v.sentAt ? `已于 ${v.sentAt} 发送，单位整改后卡片上显示“已整改”。` : '尚未发送（每周第一个工作日 09:00 自动发送），以下为按当前数据生成的清单。'}
          </p>
        )}
        {notice && <div class={`notice ${notice.ok ? 'ok' : 'error'}`} data-testid="weekly-notice">{notice.text}</div>}
      </div>
      {confirming && v && (
        <Dialog title="发送每周督办清单" onClose={() => setConfirming(false)} testid="weekly-confirm">
          <p>将把督办清单发到编办工作群，并把各单位的督办事项分别发到 {v.counts.units} 个单位的工作群（@单位专管员）。每周只发送一次，确定发送？</p>
          <div class="actions">
            <button type="button" onClick={() => setConfirming(false)}>取消</button>
            <button type="button" class="primary" disabled={sending} onClick={() => void send()} data-testid="weekly-confirm-send">{sending ? '正在发送…' : '确定发送'}</button>
          </div>
        </Dialog>
      )}
      {list.loading && <Loading />}
      {list.error ? <ErrorBox error={list.error} retry={list.reload} /> : null}
      {v && (
        <>
          <div class="card" data-testid="weekly-counts">
            <b>全部</b>　<CountsLine c={v.counts} />
            <div class="small muted">申请超过 {v.settings.requestLimitWorkdays} 个工作日未办结列为超时；每月应自查 {v.settings.minSelfChecks} 次。</div>
          </div>
          {!v.regions.length && <div class="notice ok" data-testid="weekly-empty">本周没有需要督办的单位。</div>}
          {v.regions.map((r) => (
            <section class="card" data-testid="weekly-region" data-region={r.code}>
              <h3 style="margin:0 0 6px">{r.name || '未填区划'}　<CountsLine c={r.counts} /></h3>
              <table class="grid">
                <thead><tr><th>单位</th><th>督办事项</th><th>需要做的</th><th>状态</th></tr></thead>
                <tbody>
                  {r.units.map((l) => (
                    <tr data-testid="weekly-line" data-unit-id={String(l.unitId)} class={l.done ? 'done' : ''}>
                      <td><a href={`#/console/unit/${l.unitId}`}>{l.unitName}</a><a class="portrait-mini" href={`#/portrait/${l.unitId}`} aria-label="单位画像" title="单位画像" data-testid="weekly-portrait" /></td>
                      <td>{l.summary}</td>
                      <td>{l.todo || (l.waitingRequests.length ? '等待编办办理' : '暂停期间不能申请机构编制事项')}</td>
                      <td>{l.done ? <span class="badge green">已整改</span> : l.red ? <span class="badge red">红灯</span> : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      )}
      <LimitSetting me={props.me} onSaved={list.reload} />
    </div>
  );
}

/** The office's request limit: everyone reads it, 编办管理员 changes it. */
function LimitSetting(props: { me: Me; onSaved: () => void }) {
  const s = useLoad(() => get<{ requestLimitWorkdays: number; maxRequestLimitWorkdays: number }>('/api/weekly/settings'), []);
  const [value, setValue] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  if (props.me.role !== '编办管理员' || !s.data) return null;
  const shown = value ?? String(s.data.requestLimitWorkdays);
  async function save() {
    try {
      await put('/api/weekly/settings', { requestLimitWorkdays: Number(shown) });
      setMsg({ ok: true, text: '已保存，下一次督办清单按新时限统计。' });
      s.reload();
      props.onSaved();
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
    }
  }
  return (
    <div class="card" data-testid="weekly-limit">
      <label>申请办理时限（工作日）：<input type="number" min={1} max={s.data.maxRequestLimitWorkdays} value={shown} onInput={(e) => setValue((e.target as HTMLInputElement).value)} style="width:5em" data-testid="weekly-limit-input" /></label>
      　<button type="button" onClick={() => void save()} data-testid="weekly-limit-save">保存</button>
      {msg && <div class={`notice ${msg.ok ? 'ok' : 'error'}`}>{msg.text}</div>}
    </div>
  );
}

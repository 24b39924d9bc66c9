// #/console/explanations (已说明差异): the office's mappings for cross-system differences that
// cannot be removed (借调, 离岗创业, 停薪留职, a payroll unit that legitimately differs), by state
// (在用, 待复核, 已撤销, 全部), with the yearly review flag (逾期未复核), the review and the
// withdrawal; and the 标记为已说明 dialog of an X finding in the findings view.

import { useState } from 'preact/hooks';
import { errorText, get, post } from '../api.ts';
import type { Finding } from '../types.ts';
import { ruleByCode } from '../../../core/rules/index.ts';
import { Dialog, ErrorBox, Loading, useLoad } from '../ui.tsx';

export interface ExplanationView {
  id: number;
  rule: string;
  findingId: number;
  unitId: number;
  unitName: string;
  subjectName: string;
  subjectIdMasked: string | null;
  qualifier: string | null;
  reason: string;
  reasonText: string;
  evidenceNo: string | null;
  evidenceFile: string | null;
  evidenceSha256: string | null;
  createdBy: string;
  createdByName: string;
  createdAt: string;
  reviewDue: string;
  reviewedBy: string | null;
  reviewedByName: string | null;
  reviewedAt: string | null;
  withdrawnBy: string | null;
  withdrawnByName: string | null;
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  overdue: boolean;
}

const REASONS = ['借调', '离岗创业', '停薪留职', '工资单位合法不同', '其他'];
const STATES: Array<[string, string]> = [['active', '在用'], ['due', '待复核'], ['withdrawn', '已撤销'], ['all', '全部']];
const MAX_FILE = 2 * 1024 * 1024;

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error('文件读取失败，请重新选择'));
    r.readAsDataURL(file);
  });
}

/** 标记为已说明: the reason, the explanation and the evidence (文号 and/or a file) of one X finding. */
export function ExplainButton(props: { finding: Finding; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');
  const [docNo, setDocNo] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const f = props.finding;
  const submit = async () => {
    setError(null);
    if (file && file.size > MAX_FILE) { setError('依据文件不能超过 2 MB'); return; }
    setBusy(true);
    try {
      const evidenceFile = file ? { name: file.name, data: await base64Of(file) } : undefined;
      await post('/api/explanations', { findingId: f.id, reason, reasonText: text, evidenceNo: docNo, evidenceFile });
      setOpen(false);
      props.onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div class="row" style="justify-content:flex-end;margin:-6px 0 12px">
        <button type="button" class="btn" onClick={() => setOpen(true)} data-testid="explain-open">标记为已说明</button>
      </div>
      {open && (
        <Dialog title="标记为已说明" onClose={() => setOpen(false)} testid="explain-dialog">
          <p class="small" style="margin-top:0">{f.title}：{f.subject.name}{f.subject.idMasked ? `（${f.subject.idMasked}）` : ''}，{f.unitName}</p>
          <p class="small muted">已说明不是已整改：差异仍然存在，但有合法原因无法消除。登记后该问题关闭，每年复核一次；撤销后会在下次检查时重新出现。</p>
          <div class="field"><label>说明类别</label>
            <select value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)} data-testid="explain-reason">
              <option value="">请选择</option>
              {REASONS.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </div>
          <div class="field"><label>说明</label>
            <textarea rows={3} maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} data-testid="explain-text" placeholder="如：经区委组织部同意，借调至区财政局工作，工资由借调单位发放" />
          </div>
          <div class="field"><label>依据文号</label>
            <input type="text" maxLength={100} value={docNo} onInput={(e) => setDocNo((e.target as HTMLInputElement).value)} data-testid="explain-docno" placeholder="如：柯组〔2026〕12号" />
          </div>
          <div class="field"><label>依据文件（可选，不超过 2 MB）</label>
            <input type="file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} data-testid="explain-file" />
          </div>
          {error && <div class="notice error" role="alert" data-testid="explain-error">{error}</div>}
          <div class="row" style="gap:8px;justify-content:flex-end">
            <button type="button" class="btn" onClick={() => setOpen(false)}>取消</button>
            <button type="button" class="btn primary" disabled={busy} onClick={() => void submit()} data-testid="explain-submit">{busy ? '正在保存…' : '确认登记'}</button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export function ExplanationsTab(props: { operator: boolean; query: URLSearchParams }) {
  const initial = props.query.get('state') ?? 'active';
  const [state, setState] = useState(STATES.some(([k]) => k === initial) ? initial : 'active');
  const list = useLoad(() => get<{ state: string; today: string; due: number; items: ExplanationView[] }>(`/api/explanations?state=${state}`), [state]);
  const [error, setError] = useState<string | null>(null);
  const choose = (s: string) => {
    setState(s);
    history.replaceState(null, '', `#/console/explanations?state=${s}`);
  };
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const withdraw = (e: ExplanationView) => {
    const reason = prompt(`撤销“${e.subjectName}”的已说明差异：请填写撤销原因（如：借调已结束）`);
    if (reason === null) return;
    void act(() => post(`/api/explanations/${e.id}/withdraw`, { reason }));
  };
  return (
    <>
      <div class="card">
        <p style="margin-top:0">跨部门比对（社保、工资统发、组织部任免）中无法消除的差异，由编办登记原因和依据后标记为“已说明”：问题关闭但不算整改，每年复核一次。撤销后，差异会在下次检查时重新出现。</p>
        <div class="filters">
          {STATES.map(([k, label]) => (
            <button key={k} type="button" class={`btn ${state === k ? 'primary' : ''}`} onClick={() => choose(k)} data-testid={`explanations-${k}`}>
              {label}{k === 'due' && list.data?.due ? `（${list.data.due}）` : ''}
            </button>
          ))}
        </div>
      </div>
      {error && <div class="notice error" role="alert" data-testid="explanation-error">{error}</div>}
      {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.items.length === 0 && <div class="empty">没有已说明差异</div>}
      {list.data?.items.map((e) => (
        <div key={e.id} class="card" data-testid="explanation" data-overdue={String(e.overdue)} data-withdrawn={String(!!e.withdrawnAt)}>
          <div class="title">
            <span style="flex:1"><b>{e.subjectName}</b>{e.subjectIdMasked && <span class="muted">　{e.subjectIdMasked}</span>}</span>
            {e.withdrawnAt ? <span class="badge grey" data-testid="explanation-withdrawn">已撤销</span>
              : e.overdue ? <span class="badge red" data-testid="explanation-overdue">逾期未复核</span>
              : <span class="badge green">已说明</span>}
          </div>
          <div class="meta">{ruleByCode(e.rule)?.title ?? e.rule}　<span class="muted">{e.rule}</span></div>
          <div class="meta">单位：{e.unitName}</div>
          <div class="meta">类别：{e.reason}　{e.reasonText}</div>
          <div class="meta small">
            依据：{e.evidenceNo ?? ''}
            {e.evidenceFile && <>　<a href={`/api/explanations/${e.id}/evidence`} download data-testid="explanation-evidence">{e.evidenceFile}</a></>}
          </div>
          <div class="meta small muted">
            {e.createdByName} 登记于 {e.createdAt.slice(0, 10)}；{e.reviewedAt ? `${e.reviewedByName} 复核于 ${e.reviewedAt.slice(0, 10)}；` : ''}下次复核 {e.reviewDue}
            {e.withdrawnAt && <>；{e.withdrawnByName} 撤销于 {e.withdrawnAt.slice(0, 10)}（{e.withdrawnReason}）</>}
          </div>
          {props.operator && !e.withdrawnAt && (
            <div class="row" style="gap:8px;justify-content:flex-end">
              <button type="button" class="btn" onClick={() => void act(() => post(`/api/explanations/${e.id}/review`, {}))} data-testid="explanation-review">复核，继续有效</button>
              <button type="button" class="btn" onClick={() => withdraw(e)} data-testid="explanation-withdraw">撤销</button>
            </div>
          )}
        </div>
      ))}
    </>
  );
}

// #/unit/:id: 单位信息 — the 机构 fields a unit keeps (内设机构, 主要职责, 工作群, 区划名称,
// 是否年报单位), edited by its 专管员 with a reason; the fields fixed by approval documents shown
// read-only with who to ask. #/console/unit/:id: the same page for the office, where
// 编办管理员 / 编办业务人员 also edit the approval fields (机构 facts, 编制 and 领导职数 核定数)
// with the document's 批准文号 and 批准日期. Both show the unit's monthly score history (Scores.tsx).

import { useMemo, useState } from 'preact/hooks';
import { intCell, SHEETS } from '../../../core/sheets.ts';
import { get, put } from '../api.ts';
import type { Finding, Me } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';
import { RecordForm, schemaErrors, type Cells, type FieldSpec } from '../record/RecordForm.tsx';
import { ProvenanceLine, type Provenance } from '../record/Provenance.tsx';
import { UnitScoreHistory } from './Scores.tsx';

interface Ledger { kind: string; approved: number; approvalNo: string | null }

export interface UnitRecordView {
  unit: { id: number } & Record<string, string | number | null>;
  quotas: Ledger[];
  leaderPosts: Ledger[];
  documents: Array<{ no: string; date: string; subject: string | null }>;
  specialists: string[];
  findings: Finding[];
  version: number;
  unitFields: string[];
  approvalFields: string[];
  lists: Record<string, string[]>;
  canEdit: boolean;
  canApprove: boolean;
  provenance?: Provenance;
}

const LONG = new Set(['主要职责']);
const SELECTS: Record<string, string> = { 机构性质: '机构性质', 事业单位类别: '事业单位类别', 机构规格: '机构规格', 经费形式: '经费形式' };
const YES_NO = ['是', '否'];

function cellsOf(v: UnitRecordView): Cells {
  const out: Cells = {};
  for (const [k, x] of Object.entries(v.unit)) if (k !== 'id') out[k] = x == null ? '' : String(x);
  for (const q of v.quotas) out[`编制：${q.kind}`] = String(q.approved);
  for (const q of v.leaderPosts) out[`领导职数：${q.kind}`] = String(q.approved);
  return out;
}

function fieldSpec(name: string, v: UnitRecordView, readOnly = false): FieldSpec {
  if (name === '是否年报单位' || name === '是否参公') return { name, kind: 'select', options: YES_NO, readOnly };
  if (SELECTS[name]) return { name, kind: 'select', options: v.lists[SELECTS[name]], readOnly };
  if (LONG.has(name)) return { name, kind: 'textarea', readOnly };
  if (name === '内设机构') return { name, hint: '各处（科）室名称之间用“、”分隔', readOnly };
  if (name === '工作群') return { name, hint: '本单位钉钉/浙政钉工作群的群编号，用于推送预警', readOnly };
  if (name.startsWith('编制：') || name.startsWith('领导职数：') || name === '内设机构核定数' || name === '编外用工控制数') return { name, kind: 'number', readOnly };
  return { name, readOnly };
}

export function UnitRecordPage(props: { me: Me; id: string; query: URLSearchParams; console?: boolean }) {
  const { id } = props;
  const { data, error, loading, reload } = useLoad(() => get<UnitRecordView>(`/api/unit-records/${encodeURIComponent(id)}`), [id]);
  const base = useMemo(() => (data ? cellsOf(data) : {}), [data]);
  const [docNo, setDocNo] = useState('');
  const [docDate, setDocDate] = useState('');
  const focus = props.query.get('field');
  const approvalNames = data ? [
    ...data.approvalFields,
    ...data.lists.编制类型.filter((k) => data.quotas.some((q) => q.kind === k) || focus === '编制').map((k) => `编制：${k}`),
    ...data.lists.职数类型.filter((k) => data.leaderPosts.some((q) => q.kind === k) || focus === '领导职数').map((k) => `领导职数：${k}`),
  ] : [];
  const validateUnit = (cells: Cells) => schemaErrors(SHEETS.机构.schema.safeParse(cells));
  const validateApproval = (cells: Cells) => {
    const errs = validateUnit(cells);
    for (const [k, v] of Object.entries(cells)) {
      if (!k.startsWith('编制：') && !k.startsWith('领导职数：')) continue;
      try {
        if (intCell(v) == null) errs[k] = '请填写核定数';
      } catch (e) {
        errs[k] = (e as Error).message;
      }
    }
    return errs;
  };
  const officeMode = !!props.console && !!data?.canApprove;
  const ask = data ? `如需调整，请持批准文件联系编办（编办管理员或编办业务人员）在管理后台修改。` : '';

  return (
    <div class="shell">
      <Header title={data ? `${data.unit['机构名称']} · 单位信息` : '单位信息'} back={() => (history.length > 1 ? history.back() : (location.hash = props.console ? '#/console' : '#/todo'))} side={<a class="side" href={`#/unit/${encodeURIComponent(id)}/history`}>历史</a>} />
      <main class={`page ${data?.canEdit ? 'has-savebar' : ''}`}>
        {error != null && !data && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && <a class="card portrait-link" href={`#/portrait/${data.unit.id}`} data-testid="unit-portrait-link">查看单位画像（编制使用、人员结构、退休预测、亮灯和评分）›</a>}
        {data && <ProvenanceLine provenance={data.provenance} testid="unit-provenance" />}
        {data && !officeMode && (
          <>
            <h2 class="section">本单位维护的信息</h2>
            <RecordForm
              testid="unit-form"
              draft={{ kind: 'unit', id, version: data.version }}
              fields={data.unitFields.map((n) => fieldSpec(n, data))}
              base={base}
              findings={data.findings}
              focusField={focus}
              canWrite={data.canEdit}
              validate={validateUnit}
              reasonPlaceholder="例如：按三定规定调整内设机构"
              readOnlyText={`您的角色（${props.me.role}）只能查看单位信息；需要修改时，请联系本单位专管员${data.specialists.length ? `（${data.specialists.join('、')}）` : ''}。`}
              save={async (changes, reason) => {
                const r = await put<UnitRecordView & { resolved: string[] }>(`/api/unit-records/${encodeURIComponent(id)}`, { changes, reason, version: data.version });
                reload();
                return r;
              }}
            />
            <h2 class="section">编办核定的信息</h2>
            <div class="card small history" data-testid="approval-readonly">
              <p class="muted" style="margin-top:0">以下信息来自批准文件，由编办修改。{ask}</p>
              {approvalNames.map((n) => <div class="change" key={n} data-field-ro={n}><span class="muted">{n}</span><span>{base[n] || '—'}</span></div>)}
              <div class="change"><span class="muted">批准文号</span><span>{base['批准文号'] || '—'}</span></div>
              <div class="change"><span class="muted">批准日期</span><span>{base['批准日期'] || '—'}</span></div>
            </div>
          </>
        )}
        {data && officeMode && (
          <>
            <div class="notice info small">修改核定信息须依据批准文件：保存时填写批准文号和批准日期，记入该单位的批准文件和修改历史。</div>
            <RecordForm
              testid="approval-form"
              draft={{ kind: 'approval', id, version: data.version }}
              fields={[...approvalNames.map((n) => fieldSpec(n, data)), ...data.unitFields.map((n) => fieldSpec(n, data, true))]}
              base={base}
              findings={data.findings}
              focusField={focus === '编制' ? approvalNames.find((n) => n.startsWith('编制：')) ?? null : focus === '领导职数' ? approvalNames.find((n) => n.startsWith('领导职数：')) ?? null : focus}
              canWrite
              validate={validateApproval}
              reasonPlaceholder="例如：按编委会决定核增事业编制"
              readOnlyText=""
              dialogExtra={
                <>
                  <div class="field" style="padding:6px 0">
                    <label for="doc-no">批准文号<span class="req">*</span></label>
                    <input id="doc-no" value={docNo} placeholder="如 绍柯编〔2026〕12号" onInput={(e) => setDocNo((e.target as HTMLInputElement).value)} data-testid="doc-no" />
                  </div>
                  <div class="field" style="padding:6px 0">
                    <label for="doc-date">批准日期<span class="req">*</span></label>
                    <input id="doc-date" value={docDate} placeholder="YYYY-MM-DD" inputMode="numeric" onInput={(e) => setDocDate((e.target as HTMLInputElement).value)} data-testid="doc-date" />
                  </div>
                </>
              }
              save={async (changes, reason) => {
                const quotas: Record<string, string> = {};
                const leaderPosts: Record<string, string> = {};
                const rest: Record<string, string> = {};
                for (const [k, v] of Object.entries(changes)) {
                  if (k.startsWith('编制：')) quotas[k.slice(3)] = v;
                  else if (k.startsWith('领导职数：')) leaderPosts[k.slice(5)] = v;
                  else rest[k] = v;
                }
                const r = await put<UnitRecordView & { resolved: string[] }>(`/api/unit-records/${encodeURIComponent(id)}/approval`, { changes: rest, quotas, leaderPosts, document: { no: docNo, date: docDate }, reason, version: data.version });
                reload();
                return r;
              }}
            />
            {data.documents.length > 0 && (
              <div class="card small history" data-testid="documents">
                <b>批准文件</b>
                {data.documents.map((d) => <div class="change" key={d.no}><span>{d.no}</span><span class="muted">{d.date}</span></div>)}
              </div>
            )}
          </>
        )}
        {data && <UnitScoreHistory unitId={String(data.unit.id)} />}
      </main>
      <Tabs me={props.me} active={props.console ? 'console' : 'todo'} />
    </div>
  );
}

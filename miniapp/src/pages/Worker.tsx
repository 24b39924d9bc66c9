// #/worker/:id (?finding=ID&field=…): 编外人员信息 — the 编外人员 sheet's fields, checked in the
// browser with the server's schema and its W-rules (which open findings the edit fixes), saved
// with a reason; the server re-checks the worker and updates the unit's card.

import { useMemo } from 'preact/hooks';
import { configureRules, createEvaluator } from '../../../core/check.ts';
import { createCalendar } from '../../../core/calendar.ts';
import { todayInShanghai } from '../../../core/dates.ts';
import { idFacts as idFactsOfNumber } from '../../../core/idnumber.ts';
import type { IdFacts, UnitRecord, WorkerRecord } from '../../../core/model.ts';
import { emptyAggregates } from '../../../core/aggregates.ts';
import { RULES } from '../../../core/rules/index.ts';
import { SHEETS } from '../../../core/sheets.ts';
import { get, put } from '../api.ts';
import type { Finding, Me } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';
import { RecordForm, schemaErrors, type Cells, type FieldSpec } from '../record/RecordForm.tsx';
import type { FixSuggestion } from '../record/Suggestions.tsx';
import type { Provenance } from '../record/Provenance.tsx';

export interface WorkerView {
  worker: { id: number } & Record<string, string | number | null>;
  unit: { id: number; code: string; name: string };
  findings: Finding[];
  version: number;
  idFacts: IdFacts;
  lists: { 性别: string[]; 岗位分类: string[]; 用工方式: string[] };
  canEdit: boolean;
  suggestions?: FixSuggestion[];
  provenance?: Provenance;
}

const toCells = (w: WorkerView['worker']): Cells => Object.fromEntries(Object.entries(w).filter(([k]) => k !== 'id').map(([k, v]) => [k, v == null ? '' : String(v)]));

/** The W-rules on a form's cells, as the server's check would run them (the stored number's facts when the ID was not retyped). */
export function workerHits(cells: Cells, view: WorkerView, date = todayInShanghai()): string[] {
  const rules = configureRules(RULES.filter((r) => r.scope === 'worker'), {});
  const evaluate = createEvaluator(rules, { date, calendar: createCalendar(), office: { regionCode: null } });
  const typed = cells['身份证号'] && !cells['身份证号'].includes('*') ? cells['身份证号'] : null;
  const n = (v: string | undefined) => (v ? v : null);
  const w: WorkerRecord = {
    id: view.worker.id, unitId: view.unit.id, idFacts: typed ? idFactsOfNumber(typed, date) : view.idFacts, name: cells['姓名'] ?? '', gender: n(cells['性别']),
    postClass: n(cells['岗位分类']), postName: n(cells['具体工作岗位']), employment: n(cells['用工方式']), firstContractOn: n(cells['首次签订合同时间']), alsoOnQuota: false,
  };
  const unit = { id: view.unit.id, code: view.unit.code, name: view.unit.name, agg: emptyAggregates(), quotas: {}, leaderPosts: {}, internalOffices: [] } as unknown as UnitRecord;
  return evaluate('worker', w, unit).map((e) => e.rule.code);
}

export function WorkerPage(props: { me: Me; id: string; query: URLSearchParams }) {
  const { id } = props;
  const { data, error, loading, reload } = useLoad(() => get<WorkerView>(`/api/workers/${encodeURIComponent(id)}`), [id]);
  const base = useMemo(() => (data ? toCells(data.worker) : {}), [data]);
  const fields: FieldSpec[] = data ? [
    { name: '姓名' }, { name: '身份证号', hint: '如需更正身份证号，请删除后填写完整号码' }, { name: '性别', kind: 'select', options: data.lists.性别 },
    { name: '岗位分类', kind: 'select', options: data.lists.岗位分类 }, { name: '具体工作岗位', hint: '不得安排在人事、财务、行政管理、行政执法、涉密岗位' },
    { name: '用工方式', kind: 'select', options: data.lists.用工方式 }, { name: '首次签订合同时间', kind: 'date' },
  ] : [];
  const validate = (cells: Cells) => {
    const all: Cells = { 统一社会信用代码: data!.unit.code || '0', ...cells };
    if ((all['身份证号'] ?? '').includes('*')) all['身份证号'] = '110101199003070000';
    const errs = schemaErrors(SHEETS.编外人员.schema.safeParse(all));
    delete errs['统一社会信用代码'];
    return errs;
  };
  return (
    <div class="shell">
      <Header title={data ? `${data.worker['姓名']} · 编外人员` : '编外人员信息'} back={() => (history.length > 1 ? history.back() : (location.hash = '#/todo'))} side={<a class="side" href={`#/worker/${encodeURIComponent(id)}/history`}>历史</a>} />
      <main class={`page ${data?.canEdit ? 'has-savebar' : ''}`}>
        {error != null && !data && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && (
          <>
            <div class="notice info small" data-testid="worker-unit">单位：{data.unit.name}</div>
            <Outlook data={data} />
            <RecordForm
              testid="worker-form"
              draft={{ kind: 'worker', id, version: data.version }}
              fields={fields}
              base={base}
              findings={data.findings}
              focusField={props.query.get('field')}
              suggestions={data.suggestions}
              provenance={data.provenance}
              canWrite={data.canEdit}
              validate={validate}
              readOnlyText={`您的角色（${props.me.role}）只能查看编外人员信息；需要修改时，请联系${data.unit.name}的单位专管员。`}
              save={async (changes, reason) => {
                const r = await put<{ findings: Finding[]; resolved: string[]; version: number; worker: WorkerView['worker'] }>(`/api/workers/${encodeURIComponent(id)}`, { changes, reason, version: data.version });
                reload();
                return r;
              }}
            />
          </>
        )}
      </main>
      <Tabs me={props.me} active="todo" />
    </div>
  );
}

/** Which W-rule findings the stored record reproduces in the browser: the form tells those apart from the ones left to the server. */
function Outlook(props: { data: WorkerView }) {
  const hits = useMemo(() => new Set(workerHits(toCells(props.data.worker), props.data)), [props.data]);
  const open = props.data.findings;
  if (!open.length) return <div class="notice ok" data-testid="no-findings">此编外人员目前没有待整改的问题。</div>;
  const known = open.filter((f) => hits.has(f.rule)).length;
  return <div class="small muted" style="margin:0 4px 8px">共 {open.length} 个问题待整改{known < open.length ? '，部分问题保存后由系统复查' : '，修改标黄的字段后保存即可整改'}。</div>;
}

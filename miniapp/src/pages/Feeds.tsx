// #/console/feeds (外部数据, office roles): the other departments' rosters — 社保, 工资统发,
// 组织部任免. Upload a file per kind (with its month for 社保 and 任免), the versions by month,
// the rows whose unit was not found, and the rows without a valid ID number with their
// candidates: 编办管理员 / 编办业务人员 confirm one (or mark 无对应人员) and may withdraw it.
// Nothing is linked without that confirmation.

import { useState } from 'preact/hooks';
import { errorText, get, post, request } from '../api.ts';
import type { Me } from '../types.ts';
import { OPERATOR_ROLES } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

type Kind = '社保' | '工资统发' | '组织部任免';
const KINDS: Array<{ kind: Kind; cli: string; title: string; unit: string; monthly: boolean }> = [
  { kind: '社保', cli: 'si', title: '机关事业养老保险参保名单', unit: '参保单位', monthly: true },
  { kind: '工资统发', cli: 'payroll', title: '财政工资统发名单（按各行“月份”分月保存）', unit: '发薪单位', monthly: false },
  { kind: '组织部任免', cli: 'appointments', title: '组织部任免文件', unit: '单位', monthly: true },
];

interface FeedVersion { importId: number; month: string; rows: number; unmatchedUnits: number; invalidIds: number; linked: number; replaced: number | null }
interface FeedJob {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  fileName: string;
  progress: { phase: string; read: number; validated: number; written: number; total: number };
  error?: string;
  result?: {
    ok: boolean;
    errors: Array<{ sheet: string; row: number; field: string; message: string }>;
    errorCount: number;
    notices: string[];
    versions: FeedVersion[];
    unmatchedUnits: Array<{ unit: string; code: string | null; rows: number }>;
    errorFile?: string;
  };
}
interface ImportRow { id: number; kind: Kind; month: string; fileName: string; rows: number; unmatchedUnits: number; invalidIds: number; by: string; byName: string; at: string; replacedBy: number | null }
interface UnmatchedUnit { unit: string; code: string | null; rows: number; months: string[] }
interface Candidate { personId: number; name: string; unitId: number; unitName: string; idMasked: string | null; status: string | null; reason: string; sameUnit: boolean }
interface Entry { sourceKey: string; name: string; birthKey: string | null; unitText: string | null; unitName: string | null; idMasked: string | null; rows: number; months: string[]; candidates: Candidate[] }
interface Decision {
  id: number; type: 'link' | 'no-match'; name: string; birthKey: string | null; unitText: string | null;
  person: { id: number; name: string; unitName: string; idMasked: string | null } | null;
  reason: string | null; by: string; byName: string; at: string; withdrawnBy: string | null; withdrawnByName: string | null; withdrawnAt: string | null; rows: number;
}

const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
const n = (x: number) => x.toLocaleString('zh-CN');

export function FeedsTab(props: { me: Me }) {
  const operator = OPERATOR_ROLES.has(props.me.role);
  const [kind, setKind] = useState<Kind>('社保');
  const [version, setVersion] = useState(0);
  const spec = KINDS.find((k) => k.kind === kind)!;
  const refresh = () => setVersion((v) => v + 1);
  return (
    <>
      <div class="consolenav" data-testid="feeds-kinds">
        {KINDS.map((k) => (
          <button type="button" key={k.kind} class={`btn ${k.kind === kind ? 'primary' : ''}`} onClick={() => setKind(k.kind)} data-testid={`feeds-kind-${k.cli}`}>{k.kind}</button>
        ))}
      </div>
      <p class="small">{spec.title}：与实名制数据按身份证号比对；身份证号为空或无效的行只按姓名（含读音相同）和出生日期提出候选人员，须经编办人员确认后才对应。</p>
      {operator && <Upload key={kind} spec={spec} onDone={refresh} />}
      <Versions key={`v${kind}${version}`} spec={spec} />
      <Unmatched key={`u${kind}${version}`} spec={spec} />
      <Candidates key={`c${kind}${version}`} spec={spec} operator={operator} onChange={refresh} />
      <Decisions key={`d${kind}${version}`} spec={spec} operator={operator} onChange={refresh} />
    </>
  );
}

function Upload(props: { spec: (typeof KINDS)[number]; onDone: () => void }) {
  const { spec } = props;
  const [file, setFile] = useState<File | null>(null);
  const [month, setMonth] = useState(thisMonth());
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<FeedJob | null>(null);
  const [error, setError] = useState<string | null>(null);

  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setJob(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      const q = spec.monthly ? `?month=${encodeURIComponent(month)}` : '';
      let view = await request<FeedJob>(`/api/feeds/${spec.cli}/import${q}`, { method: 'POST', form });
      setJob(view);
      let misses = 0;
      while (view.state === 'queued' || view.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        try {
          view = await get<FeedJob>(`/api/feeds/import/${view.id}`);
          misses = 0;
        } catch (e) {
          if (++misses >= 10) throw e;
          continue;
        }
        setJob(view);
      }
      if (view.state === 'failed') setError(view.error ?? '导入失败');
      else if (view.result?.ok) props.onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const result = job?.state === 'done' ? job.result : undefined;
  return (
    <div class="card" data-testid="feeds-upload">
      <p style="margin-top:0">上传{spec.kind}名单：.xlsx 工作簿（工作表名为“{spec.kind}”）或 .csv 文件。整个文件要么全部导入，要么不导入；同一月份再次导入时替换该月的上一版本。</p>
      {spec.monthly && (
        <label class="small" style="display:block;margin-bottom:8px">版本月份　<input type="month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} data-testid="feeds-month" /></label>
      )}
      <input type="file" accept=".xlsx,.csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} data-testid="feeds-file" style="margin-bottom:12px;width:100%" />
      <button type="button" class="primary block" disabled={!file || busy || (spec.monthly && !month)} onClick={() => void upload()} data-testid="feeds-submit">{busy ? '正在导入…' : '开始导入'}</button>
      {busy && job && <p class="small" aria-live="polite">已读取 {n(job.progress.read)} 行，已写入 {n(job.progress.written)} 行…</p>}
      {error && <div class="notice error" role="alert" data-testid="feeds-failed">{error}</div>}
      {result && (
        <div data-testid="feeds-result" data-ok={String(result.ok)} style="margin-top:12px">
          {result.ok
            ? <div class="notice ok">导入成功：{result.versions.map((v) => `${v.month} ${n(v.rows)} 行${v.replaced ? '（已替换该月上一版本）' : ''}`).join('；')}。</div>
            : <div class="notice error">导入未成功：发现 {result.errorCount} 处错误，未写入任何数据。请修改后重新导入。</div>}
          {result.errorFile && <p><a class="btn" href={result.errorFile} download data-testid="feeds-error-file">下载错误工作簿（每行标注错误说明）</a></p>}
          {result.notices.length > 0 && <ul class="small">{result.notices.map((x, i) => <li key={i}>{x}</li>)}</ul>}
          {result.errors.length > 0 && (
            <div class="scroll-x">
              <table class="grid" data-testid="feeds-errors">
                <thead><tr><th>行</th><th>字段</th><th>错误说明</th></tr></thead>
                <tbody>{result.errors.map((e, i) => <tr key={i}><td>{e.row || '—'}</td><td>{e.field}</td><td>{e.message}</td></tr>)}</tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Whether the rules read this version (README 跨部门比对规则): 社保, the latest month; 工资统发, the
 * latest 3 months; 组织部任免, every month. A version replaced by a re-import is never read.
 */
function inUse(list: ImportRow[], v: ImportRow): boolean {
  if (v.replacedBy != null) return false;
  const months = [...new Set(list.filter((x) => x.replacedBy == null).map((x) => x.month))].sort().reverse();
  const keep = v.kind === '社保' ? 1 : v.kind === '工资统发' ? 3 : months.length;
  return months.slice(0, keep).includes(v.month);
}

function Versions(props: { spec: (typeof KINDS)[number] }) {
  const list = useLoad(() => get<ImportRow[]>(`/api/feeds/imports?kind=${props.spec.cli}`), [props.spec.cli]);
  return (
    <div class="card">
      <h2 class="small" style="margin-top:0">各月版本</h2>
      {list.loading && <Loading />}
      {!!list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && (list.data.length === 0 ? <p class="small" data-testid="feeds-no-versions">尚未导入{props.spec.kind}名单。</p> : (
        <div class="scroll-x">
          <table class="grid" data-testid="feeds-versions">
            <thead><tr><th>月份</th><th>文件</th><th>行数</th><th>未对应单位</th><th>无效身份证号</th><th>导入人</th><th>导入时间</th><th>状态</th></tr></thead>
            <tbody>
              {list.data.map((v) => (
                <tr key={v.id} data-testid="feed-version" data-month={v.month} data-current={String(v.replacedBy == null)} data-in-use={String(inUse(list.data!, v))}>
                  <td>{v.month}</td><td>{v.fileName}</td><td>{n(v.rows)}</td><td>{n(v.unmatchedUnits)}</td><td>{n(v.invalidIds)}</td><td>{v.byName}</td><td>{v.at}</td>
                  <td>{v.replacedBy != null ? '已被重新导入的同月名单替换' : inUse(list.data!, v) ? '当前版本（参与比对）' : '历史月份（不参与比对）'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function Unmatched(props: { spec: (typeof KINDS)[number] }) {
  const list = useLoad(() => get<UnmatchedUnit[]>(`/api/feeds/${props.spec.cli}/unmatched-units`), [props.spec.cli]);
  if (!list.data?.length) return null;
  return (
    <div class="card">
      <h2 class="small" style="margin-top:0">未能对应到机构的{props.spec.unit}（{list.data.length}）</h2>
      <p class="small">这些行不参与按单位的比对。请核对名称，或请对方在名单中填写统一社会信用代码后重新导入。</p>
      <div class="scroll-x">
        <table class="grid" data-testid="feeds-unmatched">
          <thead><tr><th>{props.spec.unit}</th><th>统一社会信用代码</th><th>行数</th><th>月份</th></tr></thead>
          <tbody>{list.data.map((u, i) => <tr key={i}><td>{u.unit}</td><td>{u.code ?? '—'}</td><td>{n(u.rows)}</td><td>{u.months.join('、')}</td></tr>)}</tbody>
        </table>
      </div>
    </div>
  );
}

function Candidates(props: { spec: (typeof KINDS)[number]; operator: boolean; onChange: () => void }) {
  const list = useLoad(() => get<Entry[]>(`/api/feeds/${props.spec.cli}/candidates`), [props.spec.cli]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (key: string, path: string, body: unknown) => {
    setBusy(key);
    setError(null);
    try {
      await post(path, body);
      props.onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="card">
      <h2 class="small" style="margin-top:0">身份证号为空或无效的行{list.data ? `（${list.data.length}）` : ''}</h2>
      {list.loading && <Loading />}
      {!!list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {error && <div class="notice error" role="alert" data-testid="feeds-candidate-error">{error}</div>}
      {list.data?.length === 0 && <p class="small">没有待确认的行。</p>}
      {list.data?.map((e) => (
        <div key={e.sourceKey} class="card" data-testid="feed-entry" data-name={e.name} style="margin:8px 0">
          <div><b>{e.name}</b>　出生日期 {e.birthKey ?? '—'}　{props.spec.unit}：{e.unitText ?? '—'}{e.unitName && e.unitName !== e.unitText ? `（${e.unitName}）` : ''}</div>
          <div class="small">名单中的身份证号：{e.idMasked ?? '空'}　{e.rows} 行，{e.months.join('、')}</div>
          {e.candidates.length === 0 ? <p class="small">实名制名册上没有同名（或读音相同）且出生日期相同的人员。</p> : (
            <table class="grid" style="margin-top:6px">
              <thead><tr><th>候选人员</th><th>单位</th><th>身份证号</th><th>依据</th>{props.operator && <th />}</tr></thead>
              <tbody>
                {e.candidates.map((c) => (
                  <tr key={c.personId} data-testid="feed-candidate">
                    <td>{c.name}{c.status ? <span class="small">（{c.status}）</span> : null}</td>
                    <td>{c.unitName}{c.sameUnit ? <span class="small">（同一单位）</span> : null}</td>
                    <td>{c.idMasked ?? '—'}</td>
                    <td>{c.reason}、出生日期相同</td>
                    {props.operator && (
                      <td><button type="button" class="btn primary" disabled={busy !== null} data-testid="confirm-candidate"
                        onClick={() => void act(e.sourceKey, `/api/feeds/${props.spec.cli}/links`, { sourceKey: e.sourceKey, personId: c.personId })}>确认为同一人</button></td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {props.operator && (
            <button type="button" class="btn" style="margin-top:6px" disabled={busy !== null} data-testid="no-match"
              onClick={() => void act(e.sourceKey, `/api/feeds/${props.spec.cli}/no-match`, { sourceKey: e.sourceKey })}>无对应人员</button>
          )}
        </div>
      ))}
    </div>
  );
}

function Decisions(props: { spec: (typeof KINDS)[number]; operator: boolean; onChange: () => void }) {
  const list = useLoad(() => get<Decision[]>(`/api/feeds/${props.spec.cli}/decisions`), [props.spec.cli]);
  const [error, setError] = useState<string | null>(null);
  const withdraw = async (d: Decision) => {
    setError(null);
    try {
      await post(d.type === 'link' ? `/api/feeds/links/${d.id}/withdraw` : `/api/feeds/no-match/${d.id}/withdraw`, {});
      props.onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (!list.data?.length) return null;
  return (
    <div class="card">
      <h2 class="small" style="margin-top:0">已确认的对应关系</h2>
      {error && <div class="notice error" role="alert">{error}</div>}
      <div class="scroll-x">
        <table class="grid" data-testid="feeds-decisions">
          <thead><tr><th>名单中的人员</th><th>对应</th><th>确认人</th><th>时间</th><th>状态</th></tr></thead>
          <tbody>
            {list.data.map((d) => (
              <tr key={`${d.type}${d.id}`} data-testid="feed-decision" data-withdrawn={String(!!d.withdrawnAt)}>
                <td>{d.name}（{d.birthKey ?? '—'}，{d.unitText ?? '—'}）</td>
                <td>{d.person ? `${d.person.name}，${d.person.unitName}，${d.person.idMasked ?? ''}（${d.reason}，${d.rows} 行）` : '无对应人员'}</td>
                <td>{d.byName}</td>
                <td>{d.at}</td>
                <td>
                  {d.withdrawnAt ? `已由 ${d.withdrawnByName} 于 ${d.withdrawnAt} 撤销` : props.operator
                    ? <button type="button" class="btn" data-testid="withdraw-decision" onClick={() => void withdraw(d)}>撤销</button>
                    : '有效'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

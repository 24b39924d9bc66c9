// Issue 18, the 《人员入(出)编登记表》: on the request page (#/requests/:id, the unit's users and
// the office), the form an approved 增人入编 / 减人出编 issued, to download as PDF or Word; and the
// office's register #/console/forms (登记表台账): every issued form by year, kind and unit, each
// row downloadable, the list as .xlsx. ID numbers here are masked; the files carry the full number
// only for 编办管理员 / 编办业务人员.

import { get, qs } from '../api.ts';
import { dateTime } from '../format.ts';
import { go } from '../router.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

interface FormInfo { id: number; number: string; kind: '入编' | '出编'; title: string; issuedAt: string; approvedOn: string; personName: string; unitName: string }

interface RegisterLine {
  id: number; number: string; kind: '入编' | '出编'; requestId: number; requestNo: string; unitId: number; unitName: string;
  personName: string; idMasked: string; quotaKind: string | null; approvedOn: string; issuedAt: string;
}
interface Register { filter: { year: number | null; kind: string | null; unitId: number | null }; years: number[]; rows: RegisterLine[] }

/** The request kinds that issue a form. */
export const FORM_KINDS = new Set(['增人入编', '减人出编']);

/** The request page's box: the form and its two downloads (nothing before the approval). */
export function RegistrationFormBox(props: { requestId: number; fullIds: boolean }) {
  const f = useLoad(() => get<{ form: FormInfo | null }>(`/api/requests/${props.requestId}/registration-form`), [props.requestId]);
  if (f.error != null) return <ErrorBox error={f.error} retry={f.reload} />;
  if (f.loading && !f.data) return <Loading text="正在读取登记表…" />;
  const form = f.data?.form;
  if (!form) return null;
  const base = `/api/requests/${props.requestId}/registration-form`;
  return (
    <>
      <h2 class="section">{form.title}</h2>
      <div class="card" data-testid="registration-form" data-number={form.number}>
        <div style="font-weight:600;font-size:16px">{form.number}</div>
        <div class="muted small">{form.personName}　{form.unitName}　批准日期 {form.approvedOn}　签发于 {dateTime(form.issuedAt)}</div>
        <div class="small" style="margin:6px 0">本表作为工资发放、社会保险办理的依据。{props.fullIds ? '文件中的身份证号为完整号码，请妥善保管。' : '文件中的身份证号已隐去中间部分；需完整号码请联系编办。'}</div>
        <div class="row">
          <a class="btn primary" href={`${base}.pdf`} download data-testid="form-pdf">下载登记表 PDF</a>
          <a class="btn" href={`${base}.docx`} download data-testid="form-docx">下载登记表 Word</a>
        </div>
      </div>
    </>
  );
}

/** #/console/forms: the register of issued forms. */
export function RegistrationRegister(props: { query: URLSearchParams }) {
  const year = props.query.get('year') ?? '';
  const kind = props.query.get('kind') ?? '';
  const unit = props.query.get('unit') ?? '';
  const filter = { year, kind, unit };
  const reg = useLoad(() => get<Register>(`/api/registration-forms${qs(filter)}`), [year, kind, unit]);
  // The units that have forms (for the unit filter), from the whole register.
  const all = useLoad(() => get<Register>('/api/registration-forms'), []);
  const units = [...new Map((all.data?.rows ?? []).map((r) => [r.unitId, r.unitName])).entries()].sort((a, b) => a[0] - b[0]);
  const set = (k: string, v: string) => go(`/console/forms${qs({ ...filter, [k]: v })}`);
  return (
    <div data-testid="registration-register">
      <h2 class="section">登记表台账{reg.data ? `（${reg.data.rows.length}）` : ''}</h2>
      <p class="muted small">增人入编、减人出编经分管领导终审同意后，系统自动签发《人员入(出)编登记表》并发送到单位工作群。身份证号在此隐去中间部分；编办管理员、编办业务人员下载的登记表文件含完整号码。</p>
      <div class="filters">
        <select value={year} onChange={(e) => set('year', (e.target as HTMLSelectElement).value)} aria-label="按年份筛选" data-testid="form-year">
          <option value="">全部年份</option>
          {(all.data?.years ?? []).map((y) => <option key={y} value={String(y)}>{y}年</option>)}
        </select>
        <select value={kind} onChange={(e) => set('kind', (e.target as HTMLSelectElement).value)} aria-label="按类型筛选" data-testid="form-kind">
          <option value="">入编和出编</option>
          <option value="入编">入编</option>
          <option value="出编">出编</option>
        </select>
        <select value={unit} onChange={(e) => set('unit', (e.target as HTMLSelectElement).value)} aria-label="按单位筛选" data-testid="form-unit">
          <option value="">全部单位</option>
          {units.map(([id, name]) => <option key={id} value={String(id)}>{name}</option>)}
        </select>
        <a class="btn" href={`/api/registration-forms.xlsx${qs(filter)}`} download data-testid="register-xlsx">导出 Excel</a>
      </div>
      {reg.error != null && <ErrorBox error={reg.error} retry={reg.reload} />}
      {reg.loading && !reg.data && <Loading />}
      {reg.data && reg.data.rows.length === 0 && <div class="card muted" data-testid="register-empty">没有符合条件的登记表。</div>}
      {reg.data && reg.data.rows.length > 0 && (
        <div class="table-wrap">
          <table class="grid stack" data-testid="register-rows">
            <thead><tr><th>表号</th><th>类型</th><th>单位</th><th>人员</th><th>编制类型</th><th>审批编号</th><th>批准日期</th><th>签发时间</th><th>下载</th></tr></thead>
            <tbody>
              {reg.data.rows.map((r) => (
                <tr key={r.id} data-testid="register-row" data-number={r.number}>
                  <td data-label="表号">{r.number}</td>
                  <td data-label="类型">{r.kind}</td>
                  <td data-label="单位"><a href={`#/console/unit/${r.unitId}`}>{r.unitName}</a></td>
                  <td data-label="人员">{r.personName}<div class="muted small">{r.idMasked}</div></td>
                  <td data-label="编制类型">{r.quotaKind ?? ''}</td>
                  <td data-label="审批编号"><a href={`#/requests/${r.requestId}`}>{r.requestNo}</a></td>
                  <td data-label="批准日期">{r.approvedOn}</td>
                  <td data-label="签发时间">{dateTime(r.issuedAt)}</td>
                  <td data-label="下载">
                    <a href={`/api/requests/${r.requestId}/registration-form.pdf?via=console`} download data-testid="row-pdf">PDF</a>{' '}
                    <a href={`/api/requests/${r.requestId}/registration-form.docx?via=console`} download data-testid="row-docx">Word</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

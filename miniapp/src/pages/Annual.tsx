// #/console/annual (年度报表, office roles): a year picker (the server validates it; without one the
// server picks the latest year with data: the last ended year if the system's history starts before
// this year, else this year; a year not yet ended shows its figures as of today, said so; the page
// says from when the system holds history), 下载决算报表 (the 编制使用决算报表 .xlsx of the
// user's scope) and every unit in tree order with its year-end figures and its draft
// 机构编制报告 as Word (下载报告) or the report's tables as Excel.

import { qs, get } from '../api.ts';
import { go } from '../router.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

interface Figures { approvedEnd: number; actualEnd: number; vacantEnd: number; overEnd: number; entered: number; recorded: number; exited: number }
interface AnnualView {
  year: number;
  asOf: string;
  ended: boolean;
  historyFrom: string | null;
  total: (Figures & { approvedStart: number; actualStart: number; quotaRecorded: number; quotaUp: number; quotaDown: number }) | null;
  units: Array<Figures & { id: number; name: string; sector: string; parentId: number | null; depth: number | null }>;
}

/** The last year that has ended (Asia/Shanghai). */
export function lastYear(now = Date.now()): number {
  return new Date(now + 8 * 3600_000).getUTCFullYear() - 1;
}

function yearOptions(now = Date.now()): number[] {
  const y = lastYear(now) + 1;
  return Array.from({ length: 6 }, (_, i) => y - i);
}

export function AnnualTab(props: { query: URLSearchParams }) {
  const asked = props.query.get('year') || '';
  const view = useLoad(() => get<AnnualView>(`/api/reports/annual${qs({ year: asked || undefined })}`), [asked]);
  const d = view.data;
  const year = asked || (d ? String(d.year) : String(lastYear() + 1));
  const options = yearOptions();
  const before = d?.historyFrom != null && d.historyFrom > `${d.year}-12-31`;
  return (
    <div data-testid="annual">
      <div class="filters">
        <label>年度 <select value={year} data-testid="annual-year" onChange={(e) => go(`/console/annual${qs({ year: (e.target as HTMLSelectElement).value })}`)}>
          {!options.includes(Number(year)) && <option value={year}>{year}</option>}
          {options.map((y) => <option value={String(y)} key={y}>{y}年</option>)}
        </select></label>
      </div>
      {view.error != null && <ErrorBox error={view.error} retry={view.reload} />}
      {view.loading && !d && <Loading text="正在按修改记录统计全年数字…" />}
      {d && (
        <>
          <div class="card" data-testid="annual-summary">
            <b>{d.year}年度编制使用决算报表</b>
            <p class="small muted" data-testid="annual-history">{d.historyFrom
              ? <>系统从 {d.historyFrom} 起保存数据，{before ? `${d.year}年度在此之前，没有数字。` : `更早的年度没有数字；${d.historyFrom.slice(0, 4)}年首次录入的核定编制和在编人员计为“补录”，算作年初数。`}</>
              : '系统中还没有任何数据。'}</p>
            {d.ended
              ? <p class="small muted">统计期间 {d.year}-01-01 至 {d.year}-12-31。每个单位每种编制类型一行：年初和年末的核定、实有、空编、超编，年内核定增减，入编，补录（年内首次录入系统的原有核定编制和在编人员，计入年初数，不算年内增加），按原因分列的出编，以及教育、卫生、其他系统的小计和合计。</p>
              : <p class="notice small" data-testid="annual-not-ended">{d.year}年度尚未结束：年末数字为截至今天（{d.asOf}）的数字，不是全年决算，年度结束后请重新下载。</p>}
            {d.total && (
              <div class="stats">
                <div class="stat"><b data-testid="annual-start-approved">{d.total.approvedStart + d.total.quotaRecorded}</b>年初核定（含补录）</div>
                <div class="stat"><b data-testid="annual-start-actual">{d.total.actualStart + d.total.recorded}</b>年初实有（含补录）</div>
                <div class="stat"><b data-testid="annual-quota-change">{d.total.quotaUp - d.total.quotaDown >= 0 ? '+' : ''}{d.total.quotaUp - d.total.quotaDown}</b>核定增减</div>
                <div class="stat"><b data-testid="annual-approved">{d.total.approvedEnd}</b>{d.ended ? '年末' : '目前'}核定</div>
                <div class="stat"><b data-testid="annual-actual">{d.total.actualEnd}</b>{d.ended ? '年末' : '目前'}实有</div>
                <div class="stat green"><b>{d.total.vacantEnd}</b>空编</div>
                <div class="stat red"><b>{d.total.overEnd}</b>超编</div>
                <div class="stat"><b data-testid="annual-entered">{d.total.entered}</b>入编</div>
                <div class="stat"><b data-testid="annual-recorded">{d.total.recorded}</b>人员补录</div>
                <div class="stat"><b data-testid="annual-exited">{d.total.exited}</b>出编</div>
              </div>
            )}
            <a class="btn primary" href={`/api/reports/annual.xlsx${qs({ year: d.year })}`} download data-testid="annual-download">下载决算报表（Excel）</a>
          </div>
          <div class="card scroll-x" style="padding:0">
            <table class="grid" data-testid="annual-units">
              <thead><tr><th>单位</th><th>系统</th><th>核定</th><th>实有</th><th>空编</th><th>超编</th><th>入编</th><th>人员补录</th><th>出编</th><th>机构编制报告（草稿）</th></tr></thead>
              <tbody>
                {d.units.map((u) => (
                  <tr key={u.id} data-testid="annual-unit" data-unit-id={u.id}>
                    <td style={`padding-left:${0.5 + (u.depth ?? 0) * 1.2}em`}><a href={`#/portrait/${u.id}`}>{u.name}</a></td>
                    <td>{u.sector}</td>
                    <td>{u.approvedEnd}</td>
                    <td>{u.actualEnd}</td>
                    <td>{u.vacantEnd}</td>
                    <td>{u.overEnd || ''}</td>
                    <td>{u.entered}</td>
                    <td>{u.recorded || ''}</td>
                    <td>{u.exited}</td>
                    <td>
                      <a href={`/api/reports/unit-annual.docx${qs({ year: d.year, unit: u.id })}`} download data-testid="annual-unit-docx">下载报告</a>
                      {'　'}
                      <a href={`/api/reports/unit-annual.xlsx${qs({ year: d.year, unit: u.id })}`} download data-testid="annual-unit-xlsx">表格</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

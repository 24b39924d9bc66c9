// #/console/reports (报表, office roles): the monthly analysis reports with a download per month
// (the current month generated on the spot, 生成 stores it), the retirement forecast (years and
// sector chosen here), and the office's mapping of units to sectors (edited by 编办管理员).

import { useState } from 'preact/hooks';
import { errorText, get, post, put, qs } from '../api.ts';
import type { Me } from '../types.ts';
import { OPERATOR_ROLES } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import type { Forecast } from '../../../core/forecast.ts';

const SECTORS = ['教育', '卫生', '其他'] as const;

interface ReportMonth { month: string; generatedAt: string; generatedBy: string | null; jobRunId: number | null; rows: number; size: number }
interface ReportsView { currentMonth: string; reports: Array<{ name: string; title: string; months: ReportMonth[] }> }
interface SectorsView { mapping: Record<string, string>; units: Array<{ id: number; name: string; guessed: string; mapped: string | null; sector: string }>; note: string }

const fileUrl = (name: string, month: string) => `/api/reports/${encodeURIComponent(name)}.xlsx${qs({ month })}`;

export function ReportsTab(props: { me: Me }) {
  return (
    <div data-testid="reports">
      <ReportList canGenerate={OPERATOR_ROLES.has(props.me.role)} />
      <ForecastPanel />
      <SectorMapping me={props.me} />
    </div>
  );
}

function ReportList(props: { canGenerate: boolean }) {
  const list = useLoad(() => get<ReportsView>('/api/reports'), []);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const generate = async () => {
    setBusy(true);
    try {
      const r = await post<{ month: string; generated: unknown[] }>('/api/reports/generate');
      setNote({ ok: true, text: `已按当前数据生成 ${r.month} 的 ${r.generated.length} 张报表` });
      list.reload();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const v = list.data;
  return (
    <>
      <h2 class="section">月度分析报表</h2>
      <p class="small muted">每月第一个工作日 08:25 自动生成上月报表（数据为上月最后一次每日检查的结果）；本月报表下载时按当前数据生成，点“生成”保存一份。</p>
      {note && <div class={`notice ${note.ok ? 'ok' : 'error'} small`} data-testid="reports-note">{note.text}</div>}
      {list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !v && <Loading />}
      {v && (
        <>
          {props.canGenerate && <div class="filters"><button class="btn primary" disabled={busy} onClick={generate} data-testid="reports-generate">{busy ? '生成中…' : `生成 ${v.currentMonth} 报表`}</button></div>}
          <table class="grid" data-testid="report-list">
            <thead><tr><th>报表</th><th>本月（{v.currentMonth}）</th><th>已生成的月份</th></tr></thead>
            <tbody>
              {v.reports.map((r) => (
                <tr key={r.name} data-testid="report-line" data-name={r.name}>
                  <td>{r.title}</td>
                  <td><a href={fileUrl(r.name, v.currentMonth)} download data-testid="report-current">下载</a></td>
                  <td>
                    {r.months.length === 0 && <span class="muted small">暂无</span>}
                    {r.months.map((m) => (
                      <a key={m.month} class="btn small" href={fileUrl(r.name, m.month)} download title={`${m.generatedAt} ${m.jobRunId ? '自动生成' : `由 ${m.generatedBy} 生成`}，${m.rows} 行`} data-testid="report-month">{m.month}</a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function ForecastPanel() {
  const [years, setYears] = useState(5);
  const [sector, setSector] = useState('');
  const f = useLoad(() => get<Forecast & { asOf: string }>(`/api/forecast${qs({ years, sector: sector || null })}`), [years, sector]);
  const d = f.data;
  return (
    <>
      <h2 class="section">退休预测</h2>
      <div class="filters">
        <label>年数 <select value={String(years)} data-testid="forecast-years" onChange={(e) => setYears(Number((e.target as HTMLSelectElement).value))}>
          {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => <option key={n} value={n}>{n} 年</option>)}
        </select></label>
        <label>领域 <select value={sector} data-testid="forecast-sector" onChange={(e) => setSector((e.target as HTMLSelectElement).value)}>
          <option value="">全部</option>
          {SECTORS.map((s) => <option key={s} value={s}>{s}</option>)}
        </select></label>
      </div>
      {f.error != null && <ErrorBox error={f.error} retry={f.reload} />}
      {f.loading && !d && <Loading />}
      {d && (
        <div data-testid="forecast">
          <div class="card small" data-testid="forecast-summary">
            {d.from} 至 {d.to}（数据截至 {d.asOf} 的每日检查）：退休 <b>{d.total.retirements}</b> 人；现有空编 <b>{d.total.vacantNow}</b>，期间无人进入时期末空编 <b>{d.total.vacantAfter}</b>（编制缺口）
          </div>
          <table class="grid" data-testid="forecast-years-table">
            <thead><tr><th>年度</th><th>退休人数</th>{SECTORS.map((s) => <th key={s}>{s}</th>)}</tr></thead>
            <tbody>
              {d.years.map((y) => (
                <tr key={y.year} data-testid="forecast-year"><td>{y.year}{y.partial ? `（${y.months}个月）` : ''}</td><td>{y.retirements}</td>{SECTORS.map((s) => <td key={s}>{y.bySector[s]}</td>)}</tr>
              ))}
            </tbody>
          </table>
          <h3 class="section">退休人数最多的单位</h3>
          <table class="grid" data-testid="forecast-units">
            <thead><tr><th>单位</th><th>领域</th><th>退休人数</th><th>现有空编</th><th>期末空编</th></tr></thead>
            <tbody>
              {d.units.slice(0, 20).map((u) => (
                <tr key={u.id}><td><a href={`#/console/unit/${u.id}`}>{u.name}</a></td><td>{u.sector}</td><td>{u.retirements}</td><td>{u.vacantNow}</td><td>{u.vacantAfter}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function SectorMapping(props: { me: Me }) {
  const view = useLoad(() => get<SectorsView>('/api/sectors'), []);
  const [changes, setChanges] = useState<Record<string, string | null>>({});
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const admin = props.me.role === '编办管理员';
  const save = async () => {
    try {
      await put('/api/sectors', { units: changes });
      setNote({ ok: true, text: `已保存 ${Object.keys(changes).length} 个单位的领域，下一次每日检查后生效` });
      setChanges({});
      view.reload();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };
  const v = view.data;
  return (
    <>
      <h2 class="section">单位所属领域</h2>
      <p class="small muted">事业单位按名称推断领域（学校、幼儿园为教育，医院、卫生院为卫生，其余为其他）；推断不准的，由编办管理员在此调整。{v?.note}</p>
      {note && <div class={`notice ${note.ok ? 'ok' : 'error'} small`} data-testid="sectors-note">{note.text}</div>}
      {view.error != null && <ErrorBox error={view.error} retry={view.reload} />}
      {v && (
        <>
          <table class="grid" data-testid="sector-units">
            <thead><tr><th>单位</th><th>按名称推断</th><th>所属领域</th></tr></thead>
            <tbody>
              {v.units.map((u) => {
                const key = String(u.id);
                const value = key in changes ? (changes[key] ?? u.guessed) : u.sector;
                return (
                  <tr key={u.id} data-testid="sector-unit" data-unit-id={u.id}>
                    <td>{u.name}</td>
                    <td>{u.guessed}</td>
                    <td>
                      <select value={value} disabled={!admin} data-testid="sector-select" onChange={(e) => {
                        const s = (e.target as HTMLSelectElement).value;
                        setChanges({ ...changes, [key]: s === u.guessed ? null : s });
                      }}>
                        {SECTORS.map((s) => <option key={s} value={s}>{s}</option>)}
                      </select>
                      {u.mapped && <span class="small muted"> 已调整</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {admin && <div class="filters"><button class="btn primary" disabled={!Object.keys(changes).length} onClick={save} data-testid="sectors-save">保存领域调整</button></div>}
        </>
      )}
    </>
  );
}

// The 数据大屏 (GET /api/dashboard/*): 编制资源 (gross and net 空编 by kind and sector, 饱和度),
// 人员结构, 数据质量 and the retirement wave, as a 1920×1080 grid in the console (#/console/dashboard)
// and one column on a phone (#/dashboard). Every figure opens the units behind it, a unit its
// people (or open findings) and a link to the unit's portrait. Charts are ECharts (SVG renderer);
// every charted figure is also a button in the table beside it. This module is loaded with a
// dynamic import, so the app's first load does not carry ECharts.

import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { Dialog, ErrorBox, Loading, useLoad } from '../ui.tsx';
import { TownMapPanel } from './Towns.tsx';

use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

type Row = Record<string, any>;

/** A figure to drill into: a stat (dim|key, optionally of a sector) or a quality figure (light, family). */
export interface Figure {
  dim: string;
  key: string;
  sector?: string;
  label: string;
}

const COLORS = ['#3b82f6', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#ec4899', '#64748b'];
const LIGHT_NAMES: Record<string, string> = { red: '红灯', yellow: '黄灯', green: '绿灯' };
const LIGHT_COLORS: Record<string, string> = { red: '#e5484d', yellow: '#f5b400', green: '#30a46c' };

/** One ECharts chart: clicking a bar, slice or point calls onPick with its data index and series index. */
function Chart(props: { option: Row; height: number; onPick?: (dataIndex: number, seriesIndex: number) => void; label: string; dark: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const pick = useRef(props.onPick);
  pick.current = props.onPick;
  useEffect(() => {
    const c = init(ref.current!, props.dark ? 'dark' : undefined, { renderer: 'svg' });
    chart.current = c;
    c.on('click', (p: Row) => pick.current?.(p.dataIndex, p.seriesIndex ?? 0));
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ backgroundColor: 'transparent', color: COLORS, animation: false, textStyle: { fontFamily: 'inherit' }, ...props.option }, true);
  }, [props.option]);
  return <div ref={ref} style={{ height: `${props.height}px`, width: '100%' }} role="img" aria-label={props.label} data-testid="chart" />;
}

/** A figure as a button: the accessible way to every charted number. */
function Fig(props: { figure: Figure; n: number | string | null; onOpen: (f: Figure) => void; big?: boolean; title?: string }) {
  const { figure } = props;
  return (
    <button
      type="button" class={`fig ${props.big ? 'big' : ''}`} data-testid="fig" data-dim={figure.dim} data-key={figure.key} data-sector={figure.sector ?? ''}
      title={props.title ?? `查看“${figure.label}”涉及的单位`} onClick={() => props.onOpen(figure)}
    >
      <span class="n">{props.n ?? '—'}</span>
      <span class="l">{figure.label}</span>
    </button>
  );
}

const fmt = (n: number | null | undefined) => (n == null ? '—' : n.toLocaleString('zh-CN'));
const axisLabel = { interval: 0, fontSize: 11, width: 56, overflow: 'breakAll' };

function QuotaPanel(props: { sector: string; dark: boolean; onOpen: (f: Figure) => void; height: number }) {
  const { data, error, reload } = useLoad(() => get<Row>(`/api/dashboard/quotas${qs({ sector: props.sector || null })}`), [props.sector]);
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading />;
  const t = data.totals;
  const s = props.sector || undefined;
  const f = (dim: string, key: string, label: string): Figure => ({ dim, key, label, sector: s });
  const kinds: Row[] = data.byKind;
  const series = [
    { name: '核定', dim: 'approved', pick: (k: Row) => k.approved },
    { name: '实有', dim: 'onQuota', pick: (k: Row) => k.onQuota },
    { name: '空编（各单位合计）', dim: 'vacant', pick: (k: Row) => k.vacantGross },
    { name: '超编（各单位合计）', dim: 'over', pick: (k: Row) => k.overGross },
  ];
  const option = {
    tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: { fontSize: 11 } }, grid: { left: 50, right: 10, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: kinds.map((k) => k.kind), axisLabel }, yAxis: { type: 'value' },
    series: series.map((x) => ({ name: x.name, type: 'bar', data: kinds.map(x.pick) })),
  };
  const sectorOption = {
    tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: { fontSize: 11 } }, grid: { left: 50, right: 10, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: data.bySector.map((x: Row) => x.sector), axisLabel }, yAxis: { type: 'value' },
    series: [
      { name: '核定', type: 'bar', data: data.bySector.map((x: Row) => x.approved) },
      { name: '实有', type: 'bar', data: data.bySector.map((x: Row) => x.onQuota) },
      { name: '净空编', type: 'bar', data: data.bySector.map((x: Row) => x.vacantNet) },
    ],
  };
  const sectorDims = [['unitTotal', 'approved'], ['status', '在编'], ['unitTotal', 'vacant']];
  return (
    <div data-testid="panel-quotas">
      <div class="figs">
        <Fig big figure={f('unitTotal', 'approved', '核定编制')} n={fmt(t.approved)} onOpen={props.onOpen} />
        <Fig big figure={f('status', '在编', '实有在编')} n={fmt(t.onQuota)} onOpen={props.onOpen} />
        <Fig big figure={f('status', '待入编', '在途')} n={fmt(t.inTransit)} onOpen={props.onOpen} />
        <Fig big figure={f('unitTotal', 'vacant', `净空编（空编率 ${t.vacantNetRate ?? '—'}%）`)} n={fmt(t.vacantNet)} onOpen={props.onOpen} />
        <Fig big figure={f('unitTotal', 'vacant', '空编（各单位合计）')} n={fmt(t.vacantGross)} onOpen={props.onOpen} />
        <Fig big figure={f('unitTotal', 'over', '超编（各单位合计）')} n={fmt(t.overGross)} onOpen={props.onOpen} />
        <Fig big figure={f('unitTotal', 'overUnit', '超编单位')} n={fmt(t.overUnits)} onOpen={props.onOpen} />
        <Fig big figure={f('unitTotal', 'fullUnit', '满编单位')} n={fmt(t.fullUnits)} onOpen={props.onOpen} />
      </div>
      <p class="note" data-testid="vacancy-note">{data.note}</p>
      <div class="two">
        <div>
          <h3>按编制类型</h3>
          <Chart dark={props.dark} label="按编制类型的核定、实有、空编和超编" height={props.height} option={option}
            onPick={(i, si) => props.onOpen(f(series[si].dim, kinds[i].kind, `${kinds[i].kind} ${series[si].name}`))} />
        </div>
        <div>
          <h3>按领域（教育、卫生、其他）</h3>
          <Chart dark={props.dark} label="按领域的核定、实有和净空编" height={props.height} option={sectorOption}
            onPick={(i, si) => props.onOpen({ dim: sectorDims[si][0], key: sectorDims[si][1], sector: data.bySector[i].sector, label: `${data.bySector[i].sector} ${['核定', '实有', '净空编'][si]}` })} />
        </div>
      </div>
      <table class="figtable" data-testid="quota-kinds">
        <thead><tr><th>编制类型</th><th>核定</th><th>实有</th><th>在途</th><th>净空编</th><th>空编率</th><th>空编（各单位合计）</th><th>超编（各单位合计）</th><th>超编单位</th></tr></thead>
        <tbody>
          {kinds.map((k) => (
            <tr key={k.kind}>
              <th>{k.kind}</th>
              <td><Fig figure={f('approved', k.kind, `${k.kind} 核定`)} n={fmt(k.approved)} onOpen={props.onOpen} /></td>
              <td><Fig figure={f('onQuota', k.kind, `${k.kind} 实有`)} n={fmt(k.onQuota)} onOpen={props.onOpen} /></td>
              <td><Fig figure={f('inTransit', k.kind, `${k.kind} 在途`)} n={fmt(k.inTransit)} onOpen={props.onOpen} /></td>
              <td>{fmt(k.vacantNet)}</td>
              <td>{k.vacantNetRate ?? '—'}%</td>
              <td><Fig figure={f('vacant', k.kind, `${k.kind} 空编`)} n={fmt(k.vacantGross)} onOpen={props.onOpen} /></td>
              <td><Fig figure={f('over', k.kind, `${k.kind} 超编`)} n={fmt(k.overGross)} onOpen={props.onOpen} /></td>
              <td><Fig figure={f('overUnit', k.kind, `${k.kind} 超编单位`)} n={fmt(k.overUnits)} onOpen={props.onOpen} /></td>
            </tr>
          ))}
          {data.bySector.map((x: Row) => (
            <tr key={x.sector} class="sector">
              <th>{x.sector}（{x.units} 个单位）</th>
              <td><Fig figure={{ dim: 'unitTotal', key: 'approved', sector: x.sector, label: `${x.sector} 核定` }} n={fmt(x.approved)} onOpen={props.onOpen} /></td>
              <td><Fig figure={{ dim: 'status', key: '在编', sector: x.sector, label: `${x.sector} 实有` }} n={fmt(x.onQuota)} onOpen={props.onOpen} /></td>
              <td>{fmt(x.inTransit)}</td>
              <td><Fig figure={{ dim: 'unitTotal', key: 'vacant', sector: x.sector, label: `${x.sector} 净空编` }} n={fmt(x.vacantNet)} onOpen={props.onOpen} /></td>
              <td>{x.vacantNetRate ?? '—'}%</td>
              <td>{fmt(x.vacantGross)}</td>
              <td>{fmt(x.overGross)}</td>
              <td>{fmt(x.overUnits)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SaturationPanel(props: { sector: string; dark: boolean; onOpen: (f: Figure) => void; height: number }) {
  const { data, error, reload } = useLoad(() => get<Row>(`/api/dashboard/quotas${qs({ sector: props.sector || null })}`), [props.sector]);
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading />;
  const bands: Row[] = data.saturation;
  const f = (b: Row): Figure => ({ dim: 'saturation', key: b.band, sector: props.sector || undefined, label: `饱和度 ${b.band}` });
  const option = {
    tooltip: { trigger: 'item' }, legend: { bottom: 0, textStyle: { fontSize: 11 } },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['50%', '42%'], label: { formatter: '{c}' }, data: bands.map((b) => ({ name: b.band, value: b.units })) }],
  };
  return (
    <div data-testid="panel-saturation">
      <Chart dark={props.dark} label="单位编制使用饱和度分布" height={props.height} option={option} onPick={(i) => props.onOpen(f(bands[i]))} />
      <div class="figs small">{bands.map((b) => <Fig key={b.band} figure={f(b)} n={fmt(b.units)} onOpen={props.onOpen} />)}</div>
      <p class="note">饱和度 = 实有 / 核定（各类编制合计），按单位计数。</p>
    </div>
  );
}

function StructurePanel(props: { sector: string; dark: boolean; onOpen: (f: Figure) => void; height: number; phone: boolean }) {
  const { data, error, reload } = useLoad(() => get<Row>(`/api/dashboard/structure${qs({ sector: props.sector || null })}`), [props.sector]);
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading />;
  const dims: Row[] = data.dims.filter((d: Row) => d.dim !== 'dutyStatus');
  return (
    <div class={props.phone ? '' : 'three'} data-testid="panel-structure">
      {dims.map((d) => {
        const items: Row[] = d.items.slice(0, 8);
        const f = (i: Row): Figure => ({ dim: d.dim, key: i.key, sector: props.sector || undefined, label: `${d.title} ${i.key}` });
        const pie = d.dim === 'gender';
        const option = pie
          ? { tooltip: { trigger: 'item' }, series: [{ type: 'pie', radius: '60%', label: { formatter: '{b} {c}' }, data: items.map((i) => ({ name: i.key, value: i.n })) }] }
          : { tooltip: { trigger: 'axis' }, grid: { left: 90, right: 20, top: 8, bottom: 20 }, xAxis: { type: 'value' }, yAxis: { type: 'category', inverse: true, data: items.map((i) => i.key), axisLabel: { fontSize: 11 } }, series: [{ type: 'bar', data: items.map((i) => i.n), label: { show: true, position: 'right', fontSize: 10 } }] };
        return (
          <div key={d.dim} class="sub">
            <h3>{d.title}（{fmt(d.total)} 人）</h3>
            <Chart dark={props.dark} label={d.title} height={props.height} option={option} onPick={(i) => props.onOpen(f(items[i]))} />
            <div class="figs small">{items.map((i) => <Fig key={i.key} figure={f(i)} n={fmt(i.n)} onOpen={props.onOpen} />)}</div>
          </div>
        );
      })}
    </div>
  );
}

function QualityPanel(props: { dark: boolean; onOpen: (f: Figure) => void; height: number }) {
  const { data, error, reload } = useLoad(() => get<Row>('/api/dashboard/quality'), []);
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading />;
  const lights = (['red', 'yellow', 'green'] as const).map((l) => ({ light: l, n: data.lights[l] as number }));
  const lf = (l: string): Figure => ({ dim: 'light', key: l, label: `${LIGHT_NAMES[l]}单位` });
  const families: Row[] = data.families;
  const ff = (x: Row): Figure => ({ dim: 'family', key: x.family, label: `${x.title}问题` });
  const lightOption = {
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['35%', '65%'], label: { formatter: '{b}\n{c}' }, data: lights.map((l) => ({ name: LIGHT_NAMES[l.light], value: l.n, itemStyle: { color: LIGHT_COLORS[l.light] } })) }],
  };
  const famOption = {
    tooltip: { trigger: 'axis' }, grid: { left: 50, right: 10, top: 10, bottom: 25 },
    xAxis: { type: 'category', data: families.map((x) => x.title), axisLabel }, yAxis: { type: 'value' },
    series: [{ type: 'bar', data: families.map((x) => x.open), label: { show: true, position: 'top', fontSize: 10 } }],
  };
  const scoreOption = {
    tooltip: { trigger: 'axis' }, grid: { left: 40, right: 10, top: 10, bottom: 25 },
    xAxis: { type: 'category', data: data.scores.bands.map((b: Row) => b.band), axisLabel }, yAxis: { type: 'value' },
    series: [{ type: 'bar', data: data.scores.bands.map((b: Row) => b.units), itemStyle: { color: '#8b5cf6' } }],
  };
  const trendOption = {
    tooltip: { trigger: 'axis' }, grid: { left: 40, right: 10, top: 10, bottom: 25 },
    xAxis: { type: 'category', data: data.redTrend.map((x: Row) => x.date.slice(5)) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', data: data.redTrend.map((x: Row) => x.red), itemStyle: { color: LIGHT_COLORS.red }, areaStyle: { opacity: 0.15 } }],
  };
  return (
    <div data-testid="panel-quality">
      <div class="two">
        <div>
          <h3>单位亮灯（{data.lights.date ?? '暂无'}）</h3>
          <Chart dark={props.dark} label="单位亮灯分布" height={props.height} option={lightOption} onPick={(i) => props.onOpen(lf(lights[i].light))} />
          <div class="figs small">{lights.map((l) => <Fig key={l.light} figure={lf(l.light)} n={fmt(l.n)} onOpen={props.onOpen} />)}</div>
        </div>
        <div>
          <h3>未整改问题（按类别）</h3>
          <Chart dark={props.dark} label="未整改问题按类别" height={props.height} option={famOption} onPick={(i) => props.onOpen(ff(families[i]))} />
          <div class="figs small">{families.map((x) => <Fig key={x.family} figure={ff(x)} n={fmt(x.open)} onOpen={props.onOpen} />)}</div>
        </div>
        <div>
          <h3>月度评分分布（{data.scores.month ?? '尚无评分'}）</h3>
          <Chart dark={props.dark} label="月度评分分布" height={props.height} option={scoreOption} />
          <div class="figs small">{data.scores.bands.map((b: Row) => <span key={b.band} class="fig"><span class="n">{b.units}</span><span class="l">{b.band}</span></span>)}</div>
        </div>
        <div>
          <h3>红灯问题趋势（近 30 个检查日）</h3>
          <Chart dark={props.dark} label="红灯问题趋势" height={props.height} option={trendOption} />
          <p class="note">{data.redTrend.length ? `最近：${data.redTrend[data.redTrend.length - 1].date} 红灯问题 ${data.redTrend[data.redTrend.length - 1].red} 条` : '暂无检查记录'}</p>
        </div>
      </div>
    </div>
  );
}

function RetirementPanel(props: { sector: string; dark: boolean; onOpen: (f: Figure) => void; height: number }) {
  const { data, error, reload } = useLoad(() => get<Row>(`/api/dashboard/retirements${qs({ years: 5, sector: props.sector || null })}`), [props.sector]);
  if (error) return <ErrorBox error={error} retry={reload} />;
  if (!data) return <Loading />;
  const years: Row[] = data.years;
  const sectors = ['教育', '卫生', '其他'];
  const yf = (y: Row, sector?: string): Figure => ({ dim: 'retire', key: y.year, sector: sector ?? (props.sector || undefined), label: `${y.year} 年退休${sector ? `（${sector}）` : ''}` });
  const yearOption = {
    tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: { fontSize: 11 } }, grid: { left: 40, right: 10, top: 35, bottom: 25 },
    xAxis: { type: 'category', data: years.map((y) => `${y.year}`) }, yAxis: { type: 'value' },
    series: sectors.map((s) => ({ name: s, type: 'bar', stack: 'y', data: years.map((y) => y.bySector[s] ?? 0) })),
  };
  const monthOption = {
    tooltip: { trigger: 'axis' }, grid: { left: 40, right: 10, top: 10, bottom: 25 },
    xAxis: { type: 'category', data: data.months.map((m: Row) => m.month) }, yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: data.months.map((m: Row) => m.n) }],
  };
  return (
    <div data-testid="panel-retirements">
      <div class="two">
        <div>
          <h3>按年、领域（{data.from} 至 {data.to}，共 {fmt(data.total)} 人）</h3>
          <Chart dark={props.dark} label="退休人数按年和领域" height={props.height} option={yearOption} onPick={(i, si) => props.onOpen(yf(years[i], sectors[si]))} />
        </div>
        <div>
          <h3>逐月</h3>
          <Chart dark={props.dark} label="退休人数逐月" height={props.height} option={monthOption}
            onPick={(i) => props.onOpen({ dim: 'retire', key: data.months[i].month, sector: props.sector || undefined, label: `${data.months[i].month} 退休` })} />
        </div>
      </div>
      <table class="figtable" data-testid="retire-years">
        <thead><tr><th>年份</th><th>合计</th>{sectors.map((s) => <th key={s}>{s}</th>)}{data.kinds.map((k: string) => <th key={k}>{k}</th>)}</tr></thead>
        <tbody>
          {years.map((y) => (
            <tr key={y.year}>
              <th>{y.year}</th>
              <td><Fig figure={yf(y)} n={fmt(y.n)} onOpen={props.onOpen} /></td>
              {sectors.map((s) => <td key={s}><Fig figure={yf(y, s)} n={fmt(y.bySector[s] ?? 0)} onOpen={props.onOpen} /></td>)}
              {data.kinds.map((k: string) => <td key={k}>{fmt(y.byKind[k] ?? 0)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The units behind a figure, then one unit's people (or open findings) and its portrait link. */
function Drill(props: { figure: Figure; onClose: () => void }) {
  const { figure } = props;
  const [unit, setUnit] = useState<{ unitId: number; name: string } | null>(null);
  const units = useLoad(() => get<Row>(`/api/dashboard/drill${qs({ dim: figure.dim, key: figure.key, sector: figure.sector ?? null })}`), [figure.dim, figure.key, figure.sector]);
  const people = useLoad(() => (unit ? get<Row>(`/api/dashboard/drill/people${qs({ unit: unit.unitId, dim: figure.dim, key: figure.key })}`) : Promise.resolve(null)), [unit?.unitId]);
  return (
    <Dialog title={unit ? `${unit.name} · ${figure.label}` : figure.label} onClose={props.onClose} testid="drill">
      {!unit && (
        <>
          {units.error != null && <ErrorBox error={units.error} retry={units.reload} />}
          {!units.data && !units.error && <Loading />}
          {units.data && (
            <>
              <div class="drillbar"><button type="button" class="btn" data-testid="drill-close" onClick={props.onClose}>关闭</button></div>
              <p class="small" data-testid="drill-total">共 {units.data.total} 个单位{units.data.total > units.data.units.length ? `，显示前 ${units.data.units.length} 个` : ''}{figure.sector ? `（${figure.sector}）` : ''}</p>
              <ol class="drilllist">
                {units.data.units.map((u: Row) => (
                  <li key={u.unitId}>
                    <button type="button" class="linklike" data-testid="drill-unit" data-unit-id={u.unitId} onClick={() => setUnit({ unitId: u.unitId, name: u.name })}>{u.name}</button>
                    <span class="count">{figure.dim === 'light' && figure.key === 'green' ? '' : u.n}</span>
                  </li>
                ))}
              </ol>
              {!units.data.units.length && <p class="small">没有单位。</p>}
            </>
          )}
        </>
      )}
      {unit && (
        <>
          <div class="drillbar">
            <button type="button" class="btn" data-testid="drill-back" onClick={() => setUnit(null)}>‹ 单位列表</button>
            <button type="button" class="btn" data-testid="drill-close" onClick={props.onClose}>关闭</button>
            <a class="btn primary" href={`#/portrait/${unit.unitId}`} data-testid="portrait-link">查看单位画像</a>
          </div>
          {people.error != null && <ErrorBox error={people.error} retry={people.reload} />}
          {!people.data && !people.error && <Loading />}
          {people.data && people.data.findings.length > 0 && (
            <>
              <p class="small">未整改问题 {people.data.total} 条</p>
              <table class="grid" data-testid="drill-findings">
                <thead><tr><th>规则</th><th>对象</th><th>发现日期</th><th>说明</th></tr></thead>
                <tbody>{people.data.findings.map((x: Row) => <tr key={x.id}><td>{x.rule}</td><td>{x.subject}{x.idMasked ? `（${x.idMasked}）` : ''}</td><td>{x.openedOn}</td><td>{x.detail ?? ''}</td></tr>)}</tbody>
              </table>
            </>
          )}
          {people.data && !people.data.findings.length && (
            <>
              <p class="small" data-testid="drill-people-total">相关人员 {people.data.total} 人{people.data.total > people.data.people.length ? `，显示前 ${people.data.people.length} 人` : ''}</p>
              <table class="grid" data-testid="drill-people">
                <thead><tr><th>姓名</th><th>身份证号</th><th>在编状态</th><th>编制类型</th><th>职务</th></tr></thead>
                <tbody>{people.data.people.map((p: Row) => <tr key={p.id}><td><a href={`#/person/${p.id}`}>{p.name}</a></td><td>{p.idMasked ?? ''}</td><td>{p.status ?? ''}</td><td>{p.quotaKind ?? ''}</td><td>{p.posts ?? ''}</td></tr>)}</tbody>
              </table>
            </>
          )}
        </>
      )}
    </Dialog>
  );
}

const SECTORS = ['', '教育', '卫生', '其他'];

export function Dashboard(props: { layout: 'screen' | 'phone' }) {
  const phone = props.layout === 'phone';
  const [sector, setSector] = useState('');
  const [figure, setFigure] = useState<Figure | null>(null);
  const asOf = useLoad(() => get<Row>('/api/dashboard/quotas'), []);
  const h = phone ? 220 : 200;
  const dark = !phone;
  return (
    <div class={`dashboard ${phone ? 'phone' : 'screen'}`} data-testid="dashboard">
      <div class="dashhead">
        <h2>数据大屏 · 编制资源、人员结构、数据质量</h2>
        <span class="asof" data-testid="as-of">{asOf.data ? (asOf.data.asOf ? `数据截至 ${asOf.data.asOf}` : '尚无统计数据（每日检查后生成）') : ''}{asOf.data?.scope === 'units' ? ' · 本单位及下属单位' : ''}</span>
        <label class="sectorpick">领域：
          <select value={sector} onChange={(e) => setSector((e.target as HTMLSelectElement).value)} data-testid="sector">
            {SECTORS.map((s) => <option key={s} value={s}>{s || '全部'}</option>)}
          </select>
        </label>
        <a class="linkcard" href="#/towns" data-testid="towns-link">镇街三色图 ›</a>
      </div>
      <div class="dashgrid">
        <section class="panel p-quotas"><h2>编制资源：核定、实有、空编、超编</h2><QuotaPanel sector={sector} dark={dark} onOpen={setFigure} height={h} /></section>
        <section class="panel p-saturation"><h2>编制使用饱和度</h2><SaturationPanel sector={sector} dark={dark} onOpen={setFigure} height={h} /></section>
        <section class="panel p-structure"><h2>在编人员结构</h2><StructurePanel sector={sector} dark={dark} onOpen={setFigure} height={phone ? 200 : 150} phone={phone} /></section>
        <section class="panel p-quality"><h2>数据质量</h2><QualityPanel dark={dark} onOpen={setFigure} height={phone ? 200 : 160} /></section>
        <section class="panel p-retire"><h2>退休潮（未来 5 年）</h2><RetirementPanel sector={sector} dark={dark} onOpen={setFigure} height={phone ? 200 : 190} /></section>
        <section class="panel p-towns" data-testid="dashboard-towns"><h2>镇街编制三色图 <a href="#/towns" class="small">全屏查看 ›</a></h2><TownMapPanel height={phone ? 300 : 360} /></section>
      </div>
      {figure && <Drill key={`${figure.dim}|${figure.key}|${figure.sector ?? ''}`} figure={figure} onClose={() => setFigure(null)} />}
    </div>
  );
}

export default Dashboard;

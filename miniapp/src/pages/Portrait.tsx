// #/portrait/:id: 一单位一画像 — one unit on one page (GET /api/units/:id/portrait): its record,
// 编制 by kind, 领导职数 and their holders, 内设机构, the structure of its staff, retirements in the
// next 5 years, open findings and the light history, monthly scores, requests and the versions of
// its record. Phone first (one column); on a wide screen (the console) the cards sit in a grid.
// Every item leads where it is acted on: a finding to its fix form, a person to their record, a
// request to its page, the record to its form and history. Charts: ECharts loaded on demand.

import { get } from '../api.ts';
import { Chart } from '../charts/Chart.tsx';
import type { Finding, Me } from '../types.ts';
import { OFFICE_ROLES } from '../types.ts';
import { ErrorBox, FindingCard, Header, Loading, Tabs, useLoad } from '../ui.tsx';
import { EntrantsCard, ProvenanceLine, type Provenance, type UnitEntrant } from '../record/Provenance.tsx';

type Light = 'green' | 'yellow' | 'red';

export interface PortraitView {
  unitId: number;
  asOf: string | null;
  today: string;
  unit: {
    id: number; name: string; code: string | null; nature: string | null; category: string | null; level: string | null; funding: string | null; isCanGong: boolean | null;
    regionName: string | null; approvalNo: string | null; approvalDate: string | null; duties: string | null;
    parent: { id: number; name: string; href: string } | null; href: string; consoleHref: string; historyHref: string;
  };
  quotas: Array<{ kind: string; approved: number; onQuota: number; inTransit: number; vacant: number; over: number; approvalNo: string | null }>;
  totals: { approved: number; onQuota: number; inTransit: number; vacant: number; over: number; saturation: number | null; available: number };
  leaderPosts: Array<{ kind: string; approved: number; holders: number; available: number; over: number }>;
  leaders: Array<{ id: number; name: string; leaderLevel: string | null; posts: string | null; rank: string | null; currentPostSince: string | null; idNumber: string | null; href: string }>;
  offices: { approved: number | null; count: number; names: string[] };
  structure: Array<{ dim: string; title: string; counts: Record<string, number> }>;
  retirements: { from: string; to: string; total: number; years: Array<{ year: string; n: number; byKind: Record<string, number> }>; people: Array<{ id: number; name: string; month: string; quotaKind: string; leaderLevel: string | null; rank: string | null; idNumber: string | null; href: string }> };
  findings: { counts: { red: number; yellow: number; hint: number }; items: Array<Finding & { fix: { kind: string; label: string; href: string } }> };
  lights: { today: Light; days: Array<{ date: string; light: Light; yellow: number; red: number }>; months: Array<{ month: string; light: Light; redDays: number; consecutiveRed: number; action: string | null }> };
  scores: Array<{ month: string; score: number; rank: number; units: number; deductions: Record<string, number> }>;
  requests: Array<{ id: number; no: string; kind: string; state: string; stateText: string; summary: string; reason: string | null; submittedAt: string; decidedAt: string | null; outcome: { step: string; by: string; comment: string | null; at: string } | null; href: string }>;
  history: Array<{ version: number; changedBy: string; changedAt: string; source: string; reason: string | null; changes: Array<{ field: string; before: unknown; after: unknown }> }>;
  /** Issue 18 首录负责制: the unit record's first entry and last change; who entered its people. */
  provenance?: Provenance;
  entrants?: UnitEntrant[];
}

const COLOURS = { red: '#d93026', yellow: '#f0b400', green: '#18a058', blue: '#1f6feb' };
const PALETTE = ['#1f6feb', '#18a058', '#f0b400', '#d93026', '#7e57c2', '#00acc1', '#ef6c00', '#8d6e63', '#5c6bc0', '#9e9e9e'];
const LIGHT_TEXT: Record<string, string> = { red: '红灯', yellow: '黄灯', green: '绿灯' };
const ACTION_TEXT: Record<string, string> = { reminder: '提醒', suspension: '暂停' };

const fmtPct = (n: number | null) => (n == null ? '—' : `${n.toFixed(1)}%`);

function Fact(props: { label: string; value: string | number | null | undefined; href?: string; testid?: string }) {
  const v = props.value == null || props.value === '' ? '—' : String(props.value);
  return (
    <div class="fact" data-testid={props.testid}>
      <span class="muted">{props.label}</span>
      {props.href ? <a href={props.href}>{v}</a> : <span>{v}</span>}
    </div>
  );
}

function barOption(labels: string[], values: number[], colour = COLOURS.blue) {
  return {
    grid: { left: 36, right: 12, top: 16, bottom: 36, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.some((l) => l.length > 4) && labels.length > 4 ? 30 : 0, fontSize: 11 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: values, itemStyle: { color: colour }, label: { show: true, position: 'top', fontSize: 11 }, barMaxWidth: 32 }],
  };
}

/** Horizontal bars: room for long labels (age bands, 职级) on a phone. */
function hbarOption(labels: string[], values: number[], colour = COLOURS.blue) {
  return {
    grid: { left: 8, right: 28, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 11 } },
    series: [{ type: 'bar', data: values, itemStyle: { color: colour }, label: { show: true, position: 'right', fontSize: 11 }, barMaxWidth: 18 }],
  };
}

function pieOption(counts: Record<string, number>) {
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}人（{d}%）' },
    color: PALETTE,
    legend: { bottom: 0, type: 'scroll', textStyle: { fontSize: 11 } },
    series: [{ type: 'pie', radius: ['35%', '62%'], center: ['50%', '42%'], data: Object.entries(counts).map(([name, value]) => ({ name, value })), label: { fontSize: 11, formatter: '{b}\n{c}' } }],
  };
}

/** The structure chart of one dim: bars for ordered or many keys (age, 职级), a ring otherwise. */
function StructureChart(props: { s: PortraitView['structure'][number] }) {
  const { s } = props;
  const entries = Object.entries(s.counts);
  const total = entries.reduce((a, [, n]) => a + n, 0);
  if (!total) return null;
  const bars = s.dim === 'age' || s.dim === 'rank' || entries.length > 6;
  const AGE = ['30岁及以下', '31-35岁', '36-40岁', '41-45岁', '46-50岁', '51-55岁', '56岁及以上', '出生日期不明'];
  const sorted = s.dim === 'age' ? AGE.filter((k) => s.counts[k]).map((k) => [k, s.counts[k]] as [string, number]) : entries.sort((a, b) => b[1] - a[1]);
  return (
    <div class="chart-box" data-testid={`structure-${s.dim}`} data-total={total}>
      <div class="chart-title">{s.title}<span class="muted small">　共 {total} 人</span></div>
      {bars ? <Chart option={hbarOption(sorted.map(([k]) => k), sorted.map(([, n]) => n))} height={Math.max(160, 28 * sorted.length + 24)} label={s.title} /> : <Chart option={pieOption(Object.fromEntries(sorted))} height={220} label={s.title} />}
    </div>
  );
}

/** The year the portrait's draft annual report is of: the last one ended (Asia/Shanghai). */
const annualYear = () => new Date(Date.now() + 8 * 3600_000).getUTCFullYear() - 1;

export function PortraitPage(props: { me: Me; id: string }) {
  const { id, me } = props;
  const { data, error, loading, reload } = useLoad(() => get<PortraitView>(`/api/units/${encodeURIComponent(id)}/portrait`), [id]);
  const office = OFFICE_ROLES.has(me.role);
  const recordHref = data ? (office ? data.unit.consoleHref : data.unit.href) : '#';
  return (
    <div class="shell portrait-shell">
      <Header title={data ? `${data.unit.name} · 单位画像` : '单位画像'} back={() => (history.length > 1 ? history.back() : (location.hash = office ? '#/console' : '#/todo'))} side={data && <a class="side" href={data.unit.historyHref}>历史</a>} />
      <main class="page">
        {error != null && !data && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && <PortraitBody data={data} recordHref={recordHref} office={office} />}
      </main>
      <Tabs me={me} active={office ? 'console' : 'todo'} />
    </div>
  );
}

function PortraitBody(props: { data: PortraitView; recordHref: string; office?: boolean }) {
  const { data: d, recordHref } = props;
  const u = d.unit;
  const t = d.totals;
  const dayLights = d.lights.days;
  return (
    <div class="portrait-grid">
      <section class="card portrait-card span-2" data-testid="portrait-unit">
        <div class="row-between">
          <h2 class="card-title">{u.name}</h2>
          <span class={`badge ${d.lights.today}`} data-testid="portrait-light" data-light={d.lights.today}>今日{LIGHT_TEXT[d.lights.today]}</span>
        </div>
        <div class="facts">
          <Fact label="统一社会信用代码" value={u.code} />
          <Fact label="机构性质" value={u.nature} testid="fact-nature" />
          {u.category && <Fact label="事业单位类别" value={u.category} />}
          <Fact label="机构规格" value={u.level} />
          <Fact label="经费形式" value={u.funding} />
          <Fact label="所属区划" value={u.regionName} />
          <Fact label="上级单位" value={u.parent?.name} href={u.parent?.href} />
          <Fact label="批准文号" value={u.approvalNo} />
        </div>
        <div class="actions-row">
          <a class="btn" href={recordHref} data-testid="portrait-record">单位信息</a>
          <a class="btn" href={u.historyHref} data-testid="portrait-history-link">修改历史</a>
          <a class="btn" href={`/api/reports/unit-annual.docx?year=${annualYear()}&unit=${d.unitId}`} download title={`${annualYear()}年度机构编制报告（草稿），Word 文件`} data-testid="portrait-annual-report">{annualYear()}年度报告草稿</a>
        </div>
        {d.asOf && <div class="muted small">编制和人员数据截至 {d.asOf} 的检查</div>}
        <ProvenanceLine provenance={d.provenance} testid="portrait-provenance" />
      </section>

      <section class="card portrait-card span-2" data-testid="portrait-quotas">
        <h2 class="card-title">编制使用</h2>
        <div class="kpis">
          <div class="kpi"><b data-testid="kpi-approved">{t.approved}</b><span>核定</span></div>
          <div class="kpi"><b data-testid="kpi-onquota">{t.onQuota}</b><span>实有</span></div>
          <div class="kpi"><b>{t.inTransit}</b><span>在途</span></div>
          <div class="kpi"><b data-testid="kpi-vacant">{t.vacant}</b><span>空编</span></div>
          <div class={`kpi ${t.over ? 'bad' : ''}`}><b data-testid="kpi-over">{t.over}</b><span>超编</span></div>
          <div class="kpi"><b>{fmtPct(t.saturation)}</b><span>饱和度</span></div>
        </div>
        {d.quotas.length > 0 ? (
          <div class="table-wrap">
            <table class="grid-table">
              <thead><tr><th>编制类型</th><th>核定</th><th>实有</th><th>在途</th><th>空编</th><th>超编</th></tr></thead>
              <tbody>
                {d.quotas.map((q) => (
                  <tr key={q.kind} data-testid="quota-row" data-kind={q.kind}>
                    <td>{q.kind}</td><td>{q.approved}</td><td>{q.onQuota}</td><td>{q.inTransit}</td><td>{q.vacant}</td><td class={q.over ? 'bad' : ''}>{q.over}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <div class="muted">未核定编制</div>}
        <div class="row-between small">
          <span class="muted">可申请用编 {t.available} 名（核定 − 实有 − 在途）</span>
          {t.available > 0 && <a href={`#/requests/new?kind=${encodeURIComponent('用编计划')}&unit=${d.unitId}`} data-testid="portrait-request-quota">申请用编 ›</a>}
        </div>
      </section>

      <section class="card portrait-card" data-testid="portrait-leaders">
        <h2 class="card-title">领导职数</h2>
        {d.leaderPosts.length > 0 ? (
          <table class="grid-table">
            <thead><tr><th>职数类型</th><th>核定</th><th>已配</th><th>空缺</th></tr></thead>
            <tbody>{d.leaderPosts.map((p) => <tr key={p.kind}><td>{p.kind}</td><td>{p.approved}</td><td class={p.over ? 'bad' : ''}>{p.holders}</td><td>{p.available}</td></tr>)}</tbody>
          </table>
        ) : <div class="muted">未核定领导职数</div>}
        <div class="list">
          {d.leaders.map((l) => (
            <a class="list-item" href={l.href} key={l.id} data-testid="leader">
              <div><b>{l.name}</b><span class="muted small">　{l.leaderLevel}{l.posts ? ` · ${l.posts}` : ''}</span></div>
              <div class="muted small">{l.rank ?? '职级未填'}　任现职 {l.currentPostSince ?? '—'}　{l.idNumber ?? ''}</div>
            </a>
          ))}
          {!d.leaders.length && <div class="muted small">没有在编人员担任领导职务</div>}
        </div>
      </section>

      <section class="card portrait-card" data-testid="portrait-offices">
        <h2 class="card-title">内设机构</h2>
        <div class="muted small">核定 {d.offices.approved ?? '—'} 个，现有 {d.offices.count} 个{d.offices.approved != null && d.offices.count > d.offices.approved ? <b class="bad">，超出核定数</b> : null}</div>
        <div class="chips">{d.offices.names.map((n) => <span class="chip" key={n}>{n}</span>)}</div>
        {!d.offices.names.length && <div class="muted small">未填写内设机构</div>}
        <a class="small" href={`${recordHref}?field=${encodeURIComponent('内设机构')}`}>修改内设机构 ›</a>
      </section>

      <section class="card portrait-card span-4" data-testid="portrait-structure">
        <h2 class="card-title">人员结构<span class="muted small">（在编）</span></h2>
        <div class="chart-grid">
          {d.structure.filter((s) => ['age', 'education', 'gender', 'postCategory', 'rank'].includes(s.dim)).map((s) => <StructureChart key={s.dim} s={s} />)}
        </div>
        {!d.structure.some((s) => Object.keys(s.counts).length) && <div class="muted">暂无在编人员</div>}
      </section>

      <section class="card portrait-card" data-testid="portrait-retirements">
        <h2 class="card-title">未来5年退休<span class="muted small">（{d.retirements.from} 至 {d.retirements.to}，共 <b data-testid="retire-total">{d.retirements.total}</b> 人）</span></h2>
        <Chart option={barOption(d.retirements.years.map((y) => `${y.year}年`), d.retirements.years.map((y) => y.n), COLOURS.yellow)} height={200} testid="retire-chart" label="未来5年退休人数" />
        <div class="list scroll">
          {d.retirements.people.map((p) => (
            <a class="list-item" href={p.href} key={p.id} data-testid="retiree">
              <div><b>{p.name}</b><span class="muted small">　{p.month} 退休</span></div>
              <div class="muted small">{p.quotaKind}{p.leaderLevel && p.leaderLevel !== '非领导' ? ` · ${p.leaderLevel}` : ''}{p.rank ? ` · ${p.rank}` : ''}</div>
            </a>
          ))}
        </div>
      </section>

      <section class="card portrait-card" data-testid="portrait-findings">
        <h2 class="card-title">问题与亮灯</h2>
        <div class="row-gap">
          <span class="badge red">红灯 {d.findings.counts.red}</span>
          <span class="badge yellow">黄灯 {d.findings.counts.yellow}</span>
          <span class="badge hint">提示 {d.findings.counts.hint}</span>
        </div>
        {dayLights.length > 0 && (
          <Chart
            testid="light-chart"
            label="近90天亮灯"
            height={170}
            option={{
              grid: { left: 30, right: 10, top: 24, bottom: 28, containLabel: true },
              tooltip: { trigger: 'axis' },
              legend: { top: 0, textStyle: { fontSize: 11 } },
              xAxis: { type: 'category', data: dayLights.map((x) => x.date.slice(5)), axisLabel: { fontSize: 10 } },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { name: '红灯问题', type: 'bar', stack: 'n', data: dayLights.map((x) => x.red), itemStyle: { color: COLOURS.red } },
                { name: '黄灯问题', type: 'bar', stack: 'n', data: dayLights.map((x) => x.yellow), itemStyle: { color: COLOURS.yellow } },
              ],
            }}
          />
        )}
        {d.lights.months.length > 0 && (
          <div class="chips" data-testid="month-lights">
            {d.lights.months.map((m) => (
              <span class={`chip light-${m.light}`} key={m.month} title={`红灯 ${m.redDays} 天`}>{m.month} {LIGHT_TEXT[m.light]}{m.action ? `·${ACTION_TEXT[m.action] ?? m.action}` : ''}</span>
            ))}
          </div>
        )}
        <div class="list scroll">
          {d.findings.items.map((f) => <FindingCard key={f.id} finding={f} href={f.fix.href} showUnit={false} />)}
          {!d.findings.items.length && <div class="notice ok small">没有待整改的问题</div>}
        </div>
      </section>

      <section class="card portrait-card" data-testid="portrait-scores">
        <h2 class="card-title">月度评分</h2>
        {d.scores.length > 0 ? (
          <>
            <Chart
              testid="score-chart"
              label="月度评分趋势"
              height={180}
              option={{
                grid: { left: 30, right: 12, top: 16, bottom: 28, containLabel: true },
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: [...d.scores].reverse().map((s) => s.month) },
                yAxis: { type: 'value', min: (v: { min: number }) => Math.max(0, Math.floor(v.min - 5)), max: 100 },
                series: [{ type: 'line', data: [...d.scores].reverse().map((s) => s.score), itemStyle: { color: COLOURS.blue }, label: { show: true, fontSize: 11 } }],
              }}
            />
            <table class="grid-table">
              <thead><tr><th>月份</th><th>得分</th><th>排名</th></tr></thead>
              <tbody>{d.scores.slice(0, 6).map((s) => <tr key={s.month} data-testid="score-row"><td>{s.month}</td><td>{s.score}</td><td>{s.rank}/{s.units}</td></tr>)}</tbody>
            </table>
          </>
        ) : <div class="muted">尚无月度评分</div>}
      </section>

      <section class="card portrait-card" data-testid="portrait-requests">
        <h2 class="card-title">申请事项</h2>
        <div class="list scroll">
          {d.requests.map((r) => (
            <a class="list-item" href={r.href} key={r.id} data-testid="portrait-request">
              <div><b>{r.kind}</b><span class={`badge ${r.state === 'approved' ? 'green' : r.state === 'rejected' || r.state === 'expired' ? 'red' : 'grey'}`} style="margin-left:6px">{r.stateText}</span><span class="muted small">　{r.no}</span></div>
              <div class="small">{r.summary}</div>
              <div class="muted small">提交于 {r.submittedAt.slice(0, 10)}{r.outcome ? `　${r.outcome.step}：${r.outcome.by}${r.outcome.comment ? `（${r.outcome.comment}）` : ''}` : ''}</div>
            </a>
          ))}
          {!d.requests.length && <div class="muted small">没有申请</div>}
        </div>
        <a class="small" href={`#/requests/new?unit=${d.unitId}`}>发起申请 ›</a>
      </section>

      <section class="card portrait-card" data-testid="portrait-versions">
        <h2 class="card-title">修改记录</h2>
        <div class="list scroll">
          {d.history.slice(0, 10).map((h) => (
            <div class="list-item" key={h.version} data-testid="version">
              <div><b>第 {h.version} 版</b><span class="muted small">　{h.changedAt}　{h.changedBy}</span></div>
              <div class="muted small">{h.source}{h.reason ? `：${h.reason}` : ''}</div>
              {h.changes.length > 0 && <div class="small">{h.changes.slice(0, 3).map((c) => c.field).join('、')}{h.changes.length > 3 ? ` 等 ${h.changes.length} 项` : ''}</div>}
            </div>
          ))}
        </div>
        <a class="small" href={u.historyHref} data-testid="history-all">查看全部修改历史 ›</a>
      </section>
      <EntrantsCard entrants={d.entrants} office={!!props.office} />
    </div>
  );
}

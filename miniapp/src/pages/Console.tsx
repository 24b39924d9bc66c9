// #/console (office roles): units at a glance and the check run on demand; #/console/import: the
// workbook import with its errors; #/console/findings: findings across units with filters and
// the export of the same list; #/console/jobs and #/console/broadcasts: the scheduled jobs and the
// broadcast history (pages/Jobs.tsx); #/console/feeds: the other departments' rosters and their
// candidate matching (pages/Feeds.tsx); #/console/reports: the monthly reports, the retirement forecast
// and the sector mapping (pages/Reports.tsx).

import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorText, get, post, qs, request } from '../api.ts';
import { RULES } from '../../../core/rules/index.ts';
import { lightName } from '../format.ts';
import type { CheckSummaryView, Finding, ImportJobView, ImportResponse, Me, UnitSummary } from '../types.ts';
import { OFFICE_ROLES, OPERATOR_ROLES, SECURITY_ROLES } from '../types.ts';
import { DECIDER_ROLES } from '../../../core/requests.ts';
import { AuditTab } from './Audit.tsx';
import { ErrorBox, FindingCard, Header, LightBadge, Loading, personIdOf, Tabs, useLoad } from '../ui.tsx';
import { UnitChoice, unitCandidates } from './Todo.tsx';
import { RequestQueue } from './RequestQueue.tsx';
import { BroadcastsTab, JobsTab } from './Jobs.tsx';
import { Locks } from './Locks.tsx';
import { MessageBudgetPanel } from './MessageBudget.tsx';
import { MonthlyTab } from './Monthly.tsx';
import { AnnualBudgetTab } from './AnnualBudget.tsx';
import { NoticesTab } from './Notices.tsx';
import { QuarterlyTab } from './Quarterly.tsx';
import { RegistrationRegister } from './RegistrationForms.tsx';
import { AnnualTab } from './Annual.tsx';
import { ReportsTab } from './Reports.tsx';
import { ScoresTab } from './Scores.tsx';
import { SnapshotsTab } from './Snapshots.tsx';
import { LazyDashboard } from './DashboardPage.tsx';
import { WeeklyList } from './Weekly.tsx';
import { ExplainButton, ExplanationsTab } from './Explanations.tsx';
import { FeedsTab } from './Feeds.tsx';
import { FirstEntryTab } from './FirstEntry.tsx';
import type { ConsoleTab } from '../router.ts';

type Tab = ConsoleTab;
import { GuidesTab } from './Guides.tsx';


export function ConsolePage(props: { me: Me; tab: Tab; query: URLSearchParams }) {
  const { me, tab } = props;
  // On a phone the tabs are one row that scrolls sideways: the open one is brought into view.
  useEffect(() => {
    document.querySelector('.consolenav .btn.primary')?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [tab]);
  // The 数据安全管理员: the audit trail and the monthly 排查, nothing else (三员分立).
  if (SECURITY_ROLES.has(me.role)) {
    const view = props.query.get('view') === 'reviews' ? 'reviews' : 'list';
    const sec = (v: 'list' | 'reviews', href: string, label: string) => (
      <a class={`btn ${tab === 'audit' && view === v ? 'primary' : ''}`} href={href} data-testid={`console-audit-${v}`}>{label}</a>
    );
    return (
      <div class="shell wide">
        <Header title="三色 · 审计日志" side={<span class="small">{me.name}</span>} />
        <main class="page">
          <div class="consolenav">
            {sec('list', '#/console/audit', '审计日志')}
            {sec('reviews', '#/console/audit?view=reviews', '月度排查')}
          </div>
          {tab === 'audit' ? <AuditTab key={props.query.toString()} query={props.query} /> : <div class="notice error" data-testid="forbidden">数据安全管理员只能查看审计日志和月度排查。</div>}
        </main>
        <Tabs me={me} active="console" />
      </div>
    );
  }
  if (!OFFICE_ROLES.has(me.role)) {
    return (
      <div class="shell">
        <Header title="控制台" back="#/todo" />
        <main class="page"><div class="notice error" data-testid="forbidden">控制台仅供编办工作人员使用。</div></main>
        <Tabs me={me} active="console" />
      </div>
    );
  }
  const operator = OPERATOR_ROLES.has(me.role);
  const link = (t: Tab, href: string, label: string) => (
    <a class={`btn ${tab === t ? 'primary' : ''}`} href={href} data-testid={`console-${t}`}>{label}</a>
  );
  return (
    <div class={`shell wide ${tab === 'dashboard' ? 'screen' : ''}`}>
      <Header title="三色 · 控制台" side={<span class="small">{me.name}</span>} />
      <main class="page">
        <div class="consolenav">
          {link('home', '#/console', '概览')}
          {link('findings', '#/console/findings', '问题清单')}
          {link('explanations', '#/console/explanations', '已说明差异')}
          {link('requests', '#/console/requests', '编制审批')}
          {link('forms', '#/console/forms', '登记表台账')}
          {link('weekly', '#/console/weekly', '每周督办')}
          {link('monthly', '#/console/monthly', '月度核账')}
          {link('annual-budget', '#/console/annual-budget', '年度预算')}
          {link('notices', '#/console/notices', '书面函告')}
          {link('scores', '#/console/scores', '评分排名')}
          {link('guides', '#/console/guides', '错题本')}
          {link('dashboard', '#/console/dashboard', '数据大屏')}
          <a class="btn" href="#/towns" data-testid="console-towns">镇街三色图</a>
          {link('reports', '#/console/reports', '报表')}
          {link('quarterly', '#/console/quarterly', '季度分析报告')}
          {link('annual', '#/console/annual', '年度报表')}
          {me.role === '分管领导' && <a class="btn" href="#/dashboard" data-testid="phone-dashboard">大屏（手机版）</a>}
          {operator && !me.regionCode && link('import', '#/console/import', '导入数据')}
          {operator && !me.regionCode && link('feeds', '#/console/feeds', '外部数据')}
          {link('locks', '#/console/locks', '账号锁定')}
          {link('budget', '#/console/budget', '消息额度')}
          {link('jobs', '#/console/jobs', '计划任务')}
          {link('broadcasts', '#/console/broadcasts', '群消息记录')}
          {!me.regionCode && link('snapshots', '#/console/snapshots', '市县贯通')}
          {link('provenance', '#/console/provenance', '首录人查询')}
        </div>
        {tab === 'home' && <Home me={me} operator={operator && !me.regionCode} />}
        {tab === 'dashboard' && <LazyDashboard layout="screen" />}
        {/* Keyed by the address: following a link (a unit chosen) starts from its filters. */}
        {tab === 'findings' && <Findings key={props.query.toString()} query={props.query} operator={operator} />}
        {tab === 'explanations' && <ExplanationsTab key={props.query.toString()} operator={operator} query={props.query} />}
        {tab === 'requests' && <RequestQueue me={me} query={props.query} />}
        {tab === 'forms' && <RegistrationRegister key={props.query.toString()} query={props.query} />}
        {tab === 'locks' && <Locks />}
        {tab === 'budget' && <MessageBudgetPanel me={me} />}
        {tab === 'monthly' && <MonthlyTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'annual-budget' && <AnnualBudgetTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'notices' && <NoticesTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'weekly' && <WeeklyList key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'scores' && <ScoresTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'guides' && <GuidesTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'reports' && <ReportsTab me={me} />}
        {tab === 'quarterly' && <QuarterlyTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'annual' && <AnnualTab key={props.query.toString()} query={props.query} />}
        {tab === 'import' && (operator ? <Import /> : <div class="notice error">您的角色不能导入数据。</div>)}
        {tab === 'import' && <DataFiles fullIds={props.me.fullIds} />}
        {tab === 'feeds' && <FeedsTab me={me} />}
        {tab === 'jobs' && <JobsTab key={props.query.toString()} me={me} query={props.query} />}
        {tab === 'snapshots' && <SnapshotsTab me={me} />}
        {tab === 'provenance' && <FirstEntryTab key={props.query.toString()} query={props.query} />}
        {tab === 'audit' && <div class="notice error" data-testid="forbidden">审计日志仅供数据安全管理员查看。</div>}
        {tab === 'broadcasts' && <BroadcastsTab key={props.query.toString()} me={me} query={props.query} />}
      </main>
      <Tabs me={me} active="console" />
    </div>
  );
}

/** The console home's link to the requests waiting for the reader: 待终审 for the 分管领导, else 待初审. */
function PendingRequests(props: { me: Me }) {
  const decider = DECIDER_ROLES.has(props.me.role);
  const pending = useLoad(() => get<Array<{ id: number }>>(`/api/requests?state=${decider ? 'reviewed' : 'submitted'}`), [decider]);
  const n = pending.data?.length;
  return (
    <a class="card" href="#/console/requests" data-testid="pending-requests" style="display:flex;align-items:center">
      <span style="flex:1">编制事项审批{n !== undefined && <>：{decider ? '待终审' : '待初审'} <b data-testid="pending-count">{n}</b> 件</>}</span>
      <span style="color:var(--blue)">去办理 ›</span>
    </a>
  );
}

/** The open counts of a unit however the server spells them. */
export function unitCounts(u: UnitSummary): { red: number; yellow: number } {
  const open = u.open && typeof u.open === 'object' ? u.open : null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { red: num(u.red ?? open?.red), yellow: num(u.yellow ?? open?.yellow) };
}

/** A queued check as GET /api/check/runs/:id gives it (server/API.md). */
interface CheckRunView {
  runId: number;
  date: string;
  state: 'queued' | 'running' | 'ok' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  summary?: CheckSummaryView;
  error?: string | null;
}

/** How often the console asks how the queued check is going. */
const POLL_MS = 1000;

function Home(props: { me: Me; operator: boolean }) {
  const units = useLoad(() => get<UnitSummary[]>('/api/units'), []);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [summary, setSummary] = useState<CheckSummaryView | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The check is queued (POST answers at once with its run); the page asks how it goes until it ends.
  const runCheck = async () => {
    if (!confirm('立即对全部单位运行一次数据检查？')) return;
    setRunning(true);
    setError(null);
    setSummary(null);
    setProgress('已提交，等待开始…');
    try {
      const { runId } = await post<{ runId: number }>('/api/check', {});
      const began = Date.now();
      for (;;) {
        const run = await get<CheckRunView>(`/api/check/runs/${runId}`);
        if (run.state === 'ok') {
          if (run.summary) setSummary(run.summary);
          units.reload();
          break;
        }
        if (run.state === 'failed') {
          setError(`检查失败：${run.error || '原因未知'}。请稍后重试，或联系系统管理员。`);
          break;
        }
        const secs = Math.round((Date.now() - began) / 1000);
        setProgress(run.state === 'queued' ? `已排队，等待开始…（${secs} 秒）` : `正在检查（${run.date}），已用 ${secs} 秒…`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(null);
      setRunning(false);
    }
  };

  const list = units.data ?? [];
  const totals = list.reduce((t, u) => {
    const c = unitCounts(u);
    const light = u.light ?? (c.red ? 'red' : c.yellow ? 'yellow' : 'green');
    t[light as 'red' | 'yellow' | 'green'] = (t[light as 'red' | 'yellow' | 'green'] ?? 0) + 1;
    return t;
  }, { red: 0, yellow: 0, green: 0 } as Record<'red' | 'yellow' | 'green', number>);

  return (
    <>
      {props.operator && (
        <div class="card">
          <div class="row">
            <span class="small" style="flex:2">每个工作日 8:30 系统自动检查；修改规则或导入数据后可立即检查。</span>
            <button type="button" class="primary" disabled={running} onClick={() => void runCheck()} data-testid="run-check">{running ? '正在检查…' : '立即检查'}</button>
          </div>
          {progress && <div class="notice" style="margin-top:8px" data-testid="check-progress">{progress}</div>}
          {error && <div class="notice error" style="margin-top:8px" data-testid="check-error">{error}</div>}
          {summary && <CheckSummary s={summary} />}
        </div>
      )}
      <PendingRequests me={props.me} />
      <h2 class="section">各单位今日灯色</h2>
      {units.error != null && <ErrorBox error={units.error} retry={units.reload} />}
      {units.loading && !units.data && <Loading />}
      {units.data && (
        <>
          <div class="card">
            <div class="stats">
              <div class="stat red"><b>{totals.red}</b>红灯单位</div>
              <div class="stat yellow"><b>{totals.yellow}</b>黄灯单位</div>
              <div class="stat green"><b>{totals.green}</b>绿灯单位</div>
            </div>
          </div>
          <div class="card scroll-x" style="padding:0">
            <table class="grid" data-testid="units">
              <thead><tr><th>单位</th><th>灯色</th><th>红灯</th><th>黄灯</th><th /></tr></thead>
              <tbody>
                {list.map((u) => {
                  const c = unitCounts(u);
                  const light = u.light ?? (c.red ? 'red' : c.yellow ? 'yellow' : 'green');
                  return (
                    <tr key={u.id} data-testid="unit-row" data-unit={u.code} data-unit-id={u.id}>
                      <td>{u.name}</td>
                      <td><LightBadge light={light} /></td>
                      <td>{c.red}</td>
                      <td>{c.yellow}</td>
                      <td><a href={`#/console/findings${qs({ unit: u.id })}`}>查看问题</a>　<a href={`#/console/unit/${u.id}`} data-testid="unit-record-link">单位信息</a></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function CheckSummary(props: { s: CheckSummaryView }) {
  const { s } = props;
  const f = s.findings;
  return (
    <div style="margin-top:12px" data-testid="check-summary">
      <div class="notice ok">检查完成（{s.date}，用时 {(s.ms / 1000).toFixed(1)} 秒）：单位 {s.units} 个、在册人员 {s.people} 人、编外人员 {s.workers} 人。</div>
      <div class="stats">
        <div class="stat"><b data-testid="summary-opened">{f.opened}</b>新发现</div>
        <div class="stat green"><b data-testid="summary-resolved">{f.resolved}</b>已整改</div>
        <div class="stat"><b>{f.open}</b>待整改</div>
        <div class="stat red"><b>{f.byLight.red}</b>红灯</div>
        <div class="stat yellow"><b>{f.byLight.yellow}</b>黄灯</div>
        <div class="stat hint"><b>{f.byLight.hint ?? 0}</b>提示</div>
      </div>
      {s.monthClosed && (
        <p class="small">{s.monthClosed.month} 月度结算：红灯单位 {s.monthClosed.red} 个，提醒 {s.monthClosed.reminders} 个，暂停受理 {s.monthClosed.suspensions} 个。</p>
      )}
    </div>
  );
}

export interface FindingFilters {
  unit: string;
  rule: string;
  light: string;
  status: string;
}

export function filtersFrom(q: URLSearchParams): FindingFilters {
  const status = q.get('status') ?? 'open';
  const light = q.get('light') ?? '';
  return {
    unit: q.get('unit') ?? '',
    rule: q.get('rule') ?? '',
    light: light === 'red' || light === 'yellow' || light === 'hint' ? light : '',
    status: ['open', 'resolved', 'explained', 'all'].includes(status) ? status : 'open',
  };
}

/** The query of GET /api/findings and GET /api/export/findings for the filters. */
export function findingsQuery(f: FindingFilters, extra: Record<string, string | number> = {}): string {
  return qs({ status: f.status, unit: f.unit, rule: f.rule, light: f.light, ...extra });
}

const LIMIT = 500;

function Findings(props: { query: URLSearchParams; operator: boolean }) {
  const [filters, setFilters] = useState<FindingFilters>(() => filtersFrom(props.query));
  const units = useLoad(() => get<UnitSummary[]>('/api/units'), []);
  const key = findingsQuery(filters);
  const list = useLoad(() => get<Finding[]>(`/api/findings${findingsQuery(filters, { limit: LIMIT })}`), [key]);
  const rules = useMemo(() => RULES.map((r) => ({ code: r.code, title: r.title })), []);

  const change = (k: keyof FindingFilters, v: string) => {
    const next = { ...filters, [k]: v };
    setFilters(next);
    // The filters stay in the address, so a reload or a shared link shows the same list.
    history.replaceState(null, '', `#/console/findings${findingsQuery(next)}`);
  };
  const sel = (e: Event) => (e.target as HTMLSelectElement).value;

  return (
    <>
      <div class="card">
        <div class="filters">
          <select value={filters.unit} onChange={(e) => change('unit', sel(e))} data-testid="filter-unit" aria-label="单位">
            <option value="">全部单位</option>
            {/* By the unit's id: two units may share a credit code (U-IN-06); the code is shown to tell them apart. */}
            {units.data?.map((u) => <option key={u.id} value={String(u.id)}>{u.name}{u.code ? `（${u.code}）` : ''}</option>)}
            {filters.unit && !units.data?.some((u) => String(u.id) === filters.unit) && <option value={filters.unit}>{filters.unit}</option>}
          </select>
          <select value={filters.rule} onChange={(e) => change('rule', sel(e))} data-testid="filter-rule" aria-label="规则">
            <option value="">全部规则</option>
            {rules.map((r) => <option key={r.code} value={r.code}>{r.code} {r.title}</option>)}
          </select>
          <select value={filters.light} onChange={(e) => change('light', sel(e))} data-testid="filter-light" aria-label="灯色">
            <option value="">全部灯色</option>
            <option value="red">{lightName('red')}</option>
            <option value="yellow">{lightName('yellow')}</option>
            <option value="hint">{lightName('hint')}</option>
          </select>
          <select value={filters.status} onChange={(e) => change('status', sel(e))} data-testid="filter-status" aria-label="状态">
            <option value="open">待整改</option>
            <option value="resolved">已整改</option>
            <option value="explained">已说明</option>
            <option value="all">全部</option>
          </select>
        </div>
        <div class="row">
          <span class="small muted" style="flex:2" data-testid="findings-count">
            {list.data ? `共 ${list.data.length} 条${list.data.length >= LIMIT ? `（仅显示前${LIMIT}条，完整清单请导出）` : ''}` : ''}
          </span>
          <a class="btn" href={`/api/export/findings${findingsQuery(filters)}`} download data-testid="export">导出Excel</a>
        </div>
      </div>
      {unitCandidates(list.error)
        ? <UnitChoice candidates={unitCandidates(list.error)!} href={(id) => `#/console/findings${findingsQuery({ ...filters, unit: String(id) })}`} />
        : list.error != null && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <div class="empty">没有符合条件的问题</div>}
      {list.data?.map((f) => {
        const pid = personIdOf(f);
        const card = <FindingCard key={f.id} finding={f} href={f.fix?.href ?? (pid ? `#/person/${encodeURIComponent(pid)}?finding=${f.id}` : null)} />;
        // A cross-system difference that cannot be removed: the office marks it 已说明 here.
        if (!props.operator || !f.rule.startsWith('X-') || f.rule === 'X-RG-01' || f.light === 'green' || f.status === 'explained') return card;
        return <div key={f.id}>{card}<ExplainButton finding={f} onDone={list.reload} /></div>;
      })}
    </>
  );
}

/** The empty import template and the units-and-people export (masked; full numbers for the roles allowed them, audited). */
function DataFiles(props: { fullIds: boolean }) {
  return (
    <div class="card" data-testid="data-files">
      <p style="margin-top:0">导入模板：数据字典的全部工作表和表头（红色为必填列），附填写说明。</p>
      <p><a class="btn" href="/api/template" download data-testid="template">下载导入模板</a></p>
      <p>导出全部机构和人员。脱敏导出的身份证号只保留前6位和末位，不能用于导入{props.fullIds ? '；含完整身份证号的导出可原样导入，每次导出都记入审计日志，请妥善保管' : ''}。</p>
      <p>
        <a class="btn" href="/api/export/data" download data-testid="export-data">导出机构和人员（脱敏）</a>
        {props.fullIds && <>　<a class="btn" href="/api/export/data?fullIds=1" download data-testid="export-data-full">导出完整数据（含完整身份证号）</a></>}
      </p>
    </div>
  );
}

const COUNT_LABELS: Record<string, string> = { units: '机构', quotas: '编制', leaderPosts: '领导职数', people: '人员', workers: '编外人员', users: '用户' };

const PHASES: Record<ImportJobView['progress']['phase'], string> = { read: '正在读取', validate: '正在校验', write: '正在写入', done: '即将完成' };

/** Where a running import is: rows read, validated and written. */
function ImportProgressView({ job }: { job: ImportJobView }) {
  const p = job.progress;
  const n = (x: number) => x.toLocaleString('zh-CN');
  const of = p.total ? ` / ${n(p.total)}` : '';
  const done = p.phase === 'write' ? p.written : p.phase === 'validate' ? p.validated : p.phase === 'done' ? p.total : 0;
  return (
    <div class="card" data-testid="import-progress" aria-live="polite">
      <p style="margin:0 0 8px">{job.state === 'queued' ? '排队等待导入…' : `${PHASES[p.phase]}“${job.fileName}”…`}</p>
      {p.total > 0 && <progress max={p.total} value={done} style="width:100%" />}
      <p class="small" style="margin:8px 0 0">已读取 {n(p.read)} 行，已校验 {n(p.validated)}{of} 行，已写入 {n(p.written)}{of} 行</p>
    </div>
  );
}

function Import() {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<ImportJobView | null>(null);

  // The server answers the upload at once and imports in the background; the page polls the job.
  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setJob(null);
    try {
      const form = new FormData();
      form.append('file', file, file.name);
      let view = await request<ImportJobView>('/api/import', { method: 'POST', form });
      setJob(view);
      let misses = 0;
      while (view.state === 'queued' || view.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 700));
        try {
          view = await get<ImportJobView>(`/api/import/${view.id}`);
          misses = 0;
        } catch (e) {
          // A busy server may miss a poll; the import goes on regardless.
          if (++misses >= 10) throw e;
          continue;
        }
        setJob(view);
      }
      if (view.state === 'failed') setError(view.error ?? '导入失败');
      else if (view.result) setResult(view.result);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="card">
        <p style="margin-top:0">上传按数据字典填写的工作簿（.xlsx，工作表：机构、编制、领导职数、人员、编外人员、用户），或单张表的 .csv 文件。整个文件要么全部导入，要么不导入：有错误时不会写入任何数据。</p>
        <input type="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" onChange={(e) => { setFile((e.target as HTMLInputElement).files?.[0] ?? null); setResult(null); }} data-testid="import-file" style="margin-bottom:12px;width:100%" />
        <button type="button" class="primary block" disabled={!file || busy} onClick={() => void upload()} data-testid="import-submit">{busy ? '正在导入…' : '开始导入'}</button>
      </div>
      {busy && job && <ImportProgressView job={job} />}
      {error && <div class="notice error" role="alert" data-testid="import-failed">{error}</div>}
      {result && (
        <div class="card" data-testid="import-result" data-ok={String(result.ok)}>
          {result.ok ? (
            <div class="notice ok">导入成功。</div>
          ) : (
            <div class="notice error">导入未成功：发现 {result.errorCount ?? result.errors.length} 处错误，未写入任何数据。请按下表修改后重新导入{(result.errorCount ?? 0) > result.errors.length ? `（下表列出前 ${result.errors.length} 处，全部错误见错误工作簿）` : ''}。</div>
          )}
          {result.errorFile && (
            <p><a class="btn" href={result.errorFile} download data-testid="error-file">下载错误工作簿（每行标注错误说明）</a></p>
          )}
          {result.notices.length > 0 && (
            <ul class="small" data-testid="import-notices">
              {result.notices.map((n, i) => <li key={i}>{n}</li>)}
            </ul>
          )}
          {result.errors.length > 0 && (
            <div class="scroll-x">
              <table class="grid" data-testid="import-errors">
                <thead><tr><th>工作表</th><th>行</th><th>字段</th><th>错误说明</th></tr></thead>
                <tbody>
                  {result.errors.map((e, i) => (
                    <tr key={i} data-testid="import-error">
                      <td>{e.sheet || '—'}</td>
                      <td>{e.row > 0 ? e.row : "—"}</td>
                      <td>{e.field}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {result.ok && (
            <table class="grid" data-testid="import-counts">
              <thead><tr><th>数据</th><th>新增</th><th>更新</th><th>未变</th></tr></thead>
              <tbody>
                {Object.entries(result.counts ?? {}).map(([k, c]) => (
                  <tr key={k}>
                    <td>{COUNT_LABELS[k] ?? k}</td>
                    {typeof c === 'number' ? <td colSpan={3}>{c}</td> : (<><td>{c.created}</td><td>{c.updated}</td><td>{c.unchanged}</td></>)}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </>
  );
}

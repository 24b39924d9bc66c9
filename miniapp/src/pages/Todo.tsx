// #/todo: 待整改 — the open findings in scope (of one unit when the alert card's button sent
// ?unit=ID), red, yellow, then 提示, as the server orders them. Links made before units were
// addressed by id carry a credit code: followed when it names one unit, else the user chooses.

import { useState } from 'preact/hooks';
import { ApiError, get, qs } from '../api.ts';
import type { Finding, Me } from '../types.ts';
import { ErrorBox, FindingCard, Header, Loading, personIdOf, Tabs, useLoad, Dialog } from '../ui.tsx';
import { detailText, longDate, subjectKindName } from '../format.ts';

/** Who the start page offers the phone 大屏 to (their own units' figures; the office's 分管领导 the county's). */
const LEADER_DASHBOARD_ROLES: ReadonlySet<string> = new Set(['分管领导', '单位领导', '单位专管员']);

export function TodoPage(props: { me: Me; query: URLSearchParams }) {
  const unit = props.query.get('unit') ?? '';
  const { data, error, loading, reload } = useLoad(() => get<Finding[]>(`/api/findings${qs({ status: 'open', unit })}`), [unit]);
  // 本月核账待确认: the units of my scope whose month waits for my confirmation (unit roles; [] for the office).
  const pending = useLoad(() => get<Array<{ unitId: number; unitName: string; month: string; dueOn: string; state: string }>>('/api/monthly-confirmations/pending').catch(() => []), []);
  // 年度预算待填报: the specialist's own unit while the latest round waits for it.
  const budgets = useLoad(() => get<Array<{ unitId: number; unitName: string; year: number; dueOn: string; overdue: boolean; state: string; stateText: string }>>('/api/budgets/pending').catch(() => []), []);
  // 书面函告 awaiting the unit's reply (unit roles; the office reads them in the console).
  const isUnit = props.me.role === '单位专管员' || props.me.role === '单位领导';
  const notices = useLoad(() => (isUnit ? get<{ rows: Array<{ id: number; number: string; unitName: string; state: string; replyDue: string }> }>('/api/notices?state=open').then(async (o) => [...o.rows, ...(await get<{ rows: typeof o.rows }>('/api/notices?state=overdue')).rows]).catch(() => []) : Promise.resolve([])), [isUnit]);
  const [shown, setShown] = useState<Finding | null>(null);
  const list = data ?? [];
  const red = list.filter((f) => f.light === 'red').length;
  const yellow = list.filter((f) => f.light === 'yellow').length;
  const hint = list.filter((f) => f.light === 'hint').length;
  // The banner names the unit: from a finding of that very unit (the list may hold others', e.g. a
  // person in two units), else, with nothing of it left to fix, from the units in scope.
  const own = list.find((f) => String(f.unitId) === unit || f.unit === unit);
  const named = useLoad(() => (unit && data && !own ? get<Array<{ id: number; code: string; name: string }>>('/api/units').catch(() => []) : Promise.resolve([])), [unit, data]);
  const unitName = unit ? (own?.unitName ?? named.data?.find((u) => String(u.id) === unit || u.code === unit)?.name ?? '所选单位') : null;
  const candidates = unitCandidates(error);

  return (
    <div class="shell">
      <Header title="待整改" side={<button type="button" class="side" onClick={reload} data-testid="refresh">刷新</button>} />
      <main class="page">
        {LEADER_DASHBOARD_ROLES.has(props.me.role) && (
          <a class="card linkcard block" href="#/dashboard" data-testid="dashboard-link">数据大屏：编制资源、人员结构、数据质量 ›</a>
        )}
        {pending.data?.map((p) => (
          <a key={p.unitId} class={`card linkcard block notice ${p.state === 'overdue' ? 'error' : 'warn'}`} href={`#/monthly/${p.unitId}`} data-testid="monthly-pending">
            本月核账待确认：{p.unitName} {Number(p.month.slice(5, 7))}月数据，{p.state === 'overdue' ? '已逾期' : `请于${Number(p.dueOn.slice(5, 7))}月${Number(p.dueOn.slice(8, 10))}日前`}核对确认 ›
          </a>
        ))}
        {budgets.data?.map((b) => (
          <a key={`b${b.unitId}`} class={`card linkcard block notice ${b.state === 'returned' || b.overdue ? 'error' : 'warn'}`} href={`#/annual-budget/${b.unitId}?year=${b.year}`} data-testid="budget-pending">
            {b.year}年度编制使用预算{b.state === 'returned' ? '已被编办退回，请修改后重新提交' : `${b.stateText}，${b.overdue ? '已过截止日期，请尽快' : `请于${Number(b.dueOn.slice(5, 7))}月${Number(b.dueOn.slice(8, 10))}日前`}填报提交`} ›
          </a>
        ))}
        {notices.data?.map((n) => (
          <a key={`notice-${n.id}`} class={`card linkcard block notice ${n.state === 'overdue' ? 'error' : 'warn'}`} href={`#/notices/${n.id}`} data-testid="notice-pending">
            书面函告 {n.number}：{n.unitName}，{n.state === 'overdue' ? '已逾期，请尽快' : `请于${Number(n.replyDue.slice(5, 7))}月${Number(n.replyDue.slice(8, 10))}日前`}回复整改情况 ›
          </a>
        ))}
        {unit && (
          <div class="notice info" data-testid="unit-filter">
            仅显示：{unitName}　<a href="#/todo">查看全部</a>
          </div>
        )}
        {data && (
          <div class="card">
            <div class="stats">
              <div class="stat red"><b data-testid="count-red">{red}</b>红灯</div>
              <div class="stat yellow"><b data-testid="count-yellow">{yellow}</b>黄灯</div>
              {hint > 0 && <div class="stat hint"><b data-testid="count-hint">{hint}</b>提示</div>}
            </div>
          </div>
        )}
        {candidates ? <UnitChoice candidates={candidates} href={(id) => `#/todo${qs({ unit: id })}`} /> : error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && list.length === 0 && <div class="empty" data-testid="todo-empty">没有待整改的问题，全部亮绿灯 ✓</div>}
        {list.map((f) => {
          // Where it is fixed (the server's `fix`, core/finding-fixes.ts); an older server: the person form, else the details.
          const pid = personIdOf(f);
          const href = f.fix?.href ?? (pid ? `#/person/${encodeURIComponent(pid)}?finding=${f.id}` : null);
          return <FindingCard key={f.id} finding={f} href={href} onOpen={href ? undefined : () => setShown(f)} />;
        })}
        {data && <a class="card linkcard block" href="#/guide" data-testid="guides-link">错题本：常见错误和整改方法 ›</a>}
      </main>
      {shown && (
        <Dialog title={shown.title || shown.rule} onClose={() => setShown(null)} testid="finding-details">
          <p>{subjectKindName(shown.subject.kind)}：{shown.subject.name}{shown.subject.idMasked ? `（${shown.subject.idMasked}）` : ''}</p>
          <p>单位：{shown.unitName}</p>
          <p>发现日期：{longDate(shown.openedOn)}</p>
          {(shown.detailText ?? detailText(shown.detail)) && <p>{shown.detailText ?? detailText(shown.detail)}</p>}
          <p class="muted small">此类问题涉及单位或编外人员信息，请按要求在系统中更正后由编办复核。</p>
          <button type="button" class="block" onClick={() => setShown(null)}>关闭</button>
        </Dialog>
      )}
      <Tabs me={props.me} active="todo" />
    </div>
  );
}

export interface UnitCandidate {
  id: number;
  code: string | null;
  name: string;
}

/** The units a shared credit code names (the server's 409 for an old link with a code), if that is the error. */
export function unitCandidates(error: unknown): UnitCandidate[] | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const c = (error.body as { candidates?: unknown } | null)?.candidates;
  return Array.isArray(c) && c.length ? (c as UnitCandidate[]) : null;
}

/** A shared credit code (U-IN-06): the user chooses the unit; each choice is a link by the unit's id. */
export function UnitChoice(props: { candidates: UnitCandidate[]; href: (id: number) => string }) {
  return (
    <div class="card" data-testid="unit-choice">
      <p style="margin-top:0">该链接中的统一社会信用代码{props.candidates[0]?.code ? `“${props.candidates[0].code}”` : ''}对应多个单位，请选择要查看的单位：</p>
      <ul>
        {props.candidates.map((u) => (
          <li key={u.id}><a href={props.href(u.id)} data-testid="unit-candidate" data-unit-id={u.id}>{u.name}</a></li>
        ))}
      </ul>
    </div>
  );
}

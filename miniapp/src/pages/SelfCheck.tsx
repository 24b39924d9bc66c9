// #/self-check: 自查 — runs the checks of my unit now (POST /api/units/:code/self-check) and shows
// the result, this month's count (每月至少2次) and the unit's open findings. Office roles choose
// the unit.

import { useState } from 'preact/hooks';
import { errorText, get, post, qs } from '../api.ts';
import type { Finding, Me, SelfCheckCounts, SelfCheckResult, UnitSummary } from '../types.ts';
import { FindingCard, Header, Loading, personIdOf, Tabs, useLoad } from '../ui.tsx';

export const SELF_CHECKS_PER_MONTH = 2;

export function selfCheckCountText(n: number): string {
  return `本月已自查 ${n} 次，每月至少${SELF_CHECKS_PER_MONTH}次`;
}

/** The result's counts, whether the server sent the findings or only their counts. */
export function selfCheckCounts(r: SelfCheckResult): SelfCheckCounts {
  if (Array.isArray(r.findings)) {
    const open = r.findings.filter((f) => !f.resolvedOn && f.light !== 'green');
    return { open: open.length, red: open.filter((f) => f.light === 'red').length, yellow: open.filter((f) => f.light === 'yellow').length, hint: open.filter((f) => f.light === 'hint').length };
  }
  return r.findings ?? { open: 0 };
}

export function selfCheckSummary(c: SelfCheckCounts): string {
  if (!c.open) return '自查完成，未发现问题，全部亮绿灯 ✓';
  const parts = [`自查完成，本单位有 ${c.open} 个问题待整改`];
  if (c.red || c.yellow || c.hint) parts.push(`（红灯 ${c.red ?? 0} 个，黄灯 ${c.yellow ?? 0} 个${c.hint ? `，提示 ${c.hint} 个` : ''}）`);
  if (c.opened) parts.push(`，其中本次新发现 ${c.opened} 个`);
  if (c.resolved) parts.push(`；本次确认已整改 ${c.resolved} 个`);
  return `${parts.join('')}。`;
}

export function SelfCheckPage(props: { me: Me; query: URLSearchParams }) {
  const { me } = props;
  // Units by id: a credit code may be shared by two units (U-IN-06).
  const own = me.unit?.id != null ? String(me.unit.id) : '';
  const [unit, setUnit] = useState(props.query.get('unit') ?? own);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ r: SelfCheckResult; list: Finding[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const units = useLoad(() => (own ? Promise.resolve<UnitSummary[]>([]) : get<UnitSummary[]>('/api/units')), [own]);

  const run = async () => {
    if (!unit) return;
    setRunning(true);
    setError(null);
    try {
      const r = await post<SelfCheckResult>(`/api/units/${encodeURIComponent(unit)}/self-check`, {});
      const list = Array.isArray(r.findings) ? r.findings : await get<Finding[]>(`/api/findings${qs({ status: 'open', unit })}`).catch(() => []);
      setResult({ r, list });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setRunning(false);
    }
  };

  const unitName = own && unit === own ? me.unit?.name : units.data?.find((u) => String(u.id) === unit)?.name;

  return (
    <div class="shell">
      <Header title="自查" />
      <main class="page">
        <div class="card">
          <p style="margin-top:0">自查将立即按全部规则检查{unitName ? `“${unitName}”` : '本单位'}的机构、编制和人员数据。按规定，各单位每月至少自查{SELF_CHECKS_PER_MONTH}次。</p>
          {!own && (
            <div class="filters" style="grid-template-columns:1fr">
              {units.loading && !units.data ? <Loading /> : (
                <select value={unit} onChange={(e) => { setUnit((e.target as HTMLSelectElement).value); setResult(null); }} data-testid="self-check-unit" aria-label="单位">
                  <option value="">请选择单位</option>
                  {units.data?.map((u) => <option key={u.id} value={String(u.id)}>{u.name}</option>)}
                </select>
              )}
            </div>
          )}
          <button type="button" class="primary block" disabled={!unit || running} onClick={() => void run()} data-testid="run-self-check">
            {running ? '正在自查…' : '立即自查'}
          </button>
        </div>
        {error && <div class="notice error" role="alert" data-testid="error">{error}</div>}
        {result && (
          <>
            <div class={`notice ${result.r.selfChecksThisMonth >= SELF_CHECKS_PER_MONTH ? 'ok' : 'warn'}`} data-testid="self-check-count">
              {selfCheckCountText(result.r.selfChecksThisMonth)}
            </div>
            <div class="notice info" data-testid="self-check-result">{selfCheckSummary(selfCheckCounts(result.r))}</div>
            {result.list.map((f) => {
              const pid = personIdOf(f);
              return <FindingCard key={f.id} finding={f} href={pid ? `#/person/${encodeURIComponent(pid)}?finding=${f.id}` : null} />;
            })}
          </>
        )}
      </main>
      <Tabs me={me} active="self-check" />
    </div>
  );
}

// #/console/scores (评分排名, office roles): a month's scores of every unit with the points taken off
// by family and the rank; the 红黑榜 of the month (top 10 / bottom 10) as a preview with 发布 for
// 编办管理员 and 编办业务人员, or as published; the score policy, edited by 编办管理员.
// UnitScoreHistory: a unit's score month by month, on the unit's page (#/unit/:id).

import { useState } from 'preact/hooks';
import { ApiError, errorText, get, post, put, qs } from '../api.ts';
import { go } from '../router.ts';
import type { Me } from '../types.ts';
import { OPERATOR_ROLES } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import { FAMILY_TITLES, SCORE_FAMILIES, type Deductions, type ScorePolicy } from '../../../core/scores.ts';

interface ScoreLine { unitId: number; unit: string; name: string; score: number; rank: number; deductions: Deductions }
interface MonthScores { month: string; scored: boolean; units: number; computedAt: string | null; ranking: { state: string; publishedAt: string | null; publishedBy: string | null } | null; scores: ScoreLine[] }
interface BoardEntry { unitId: number; name: string; score: number; rank: number }
interface Ranking { month: string; state: 'preview' | 'published'; units: number; top: BoardEntry[]; bottom: BoardEntry[]; builtAt: string; publishedAt: string | null; publishedBy: string | null }
interface PolicyView { policy: ScorePolicy; defaults: ScorePolicy; selfChecksRequired: number }
interface HistoryLine { month: string; score: number; rank: number; units: number; deductions: Deductions }

/** The month before today's (Asia/Shanghai), the one the last close scored. */
export function lastMonth(now = Date.now()): string {
  const d = new Date(now + 8 * 3600_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth(); // 0-based: the previous month's 1-based number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

const off = (n: number) => (n ? `-${n}` : '0');

export function ScoresTab(props: { me: Me; query: URLSearchParams }) {
  const month = props.query.get('month') || lastMonth();
  const scores = useLoad(() => get<MonthScores>(`/api/scores${qs({ month })}`), [month]);
  const ranking = useLoad(() => get<Ranking>(`/api/rankings/${encodeURIComponent(month)}`).catch((e) => {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }), [month]);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const canPublish = OPERATOR_ROLES.has(props.me.role);

  const publish = async () => {
    if (!confirm(`确定发布 ${month} 红黑榜？将发送到各单位工作群和编办工作群，发布后不能撤回。`)) return;
    setBusy(true);
    try {
      const r = await post<{ published: boolean; groups: number }>(`/api/rankings/${encodeURIComponent(month)}/publish`);
      setNote({ ok: true, text: r.published ? `已发布，正在发送到 ${r.groups} 个工作群` : '该月红黑榜此前已发布，未重复发送' });
      ranking.reload();
      scores.reload();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const r = ranking.data;
  return (
    <div data-testid="scores">
      <div class="filters">
        <label>月份 <input type="month" value={month} data-testid="score-month" onChange={(e) => {
          const v = (e.target as HTMLInputElement).value;
          if (v) go(`/console/scores${qs({ month: v })}`);
        }} /></label>
      </div>
      {note && <div class={`notice ${note.ok ? 'ok' : 'error'} small`} data-testid="publish-note">{note.text}</div>}
      <h2 class="section">红黑榜</h2>
      {ranking.error != null && <ErrorBox error={ranking.error} retry={ranking.reload} />}
      {ranking.loading && ranking.data === undefined && <Loading />}
      {ranking.data === null && <div class="card muted" data-testid="ranking-none">{month} 尚未评分。每月第一个工作日 09:30 自动评分并生成红黑榜预览。</div>}
      {r && (
        <div class="card" data-testid="ranking">
          <div class="small" data-testid="ranking-state">
            {r.state === 'published'
              ? <>已发布：{r.publishedBy === 'system' ? '自动发布' : r.publishedBy}，{r.publishedAt}</>
              : <>预览（未发布）：生成于 {r.builtAt}，共 {r.units} 个单位</>}
          </div>
          <div class="board">
            <div>
              <b>红榜（前 {r.top.length} 名）</b>
              <ol class="plain" data-testid="board-top">{r.top.map((e) => <li key={e.unitId}>第 {e.rank} 名　{e.name}　<b>{e.score}</b> 分</li>)}</ol>
            </div>
            {r.bottom.length > 0 && (
              <div>
                <b>黑榜（后 {r.bottom.length} 名）</b>
                <ol class="plain" data-testid="board-bottom">{r.bottom.map((e) => <li key={e.unitId}>第 {e.rank} 名　{e.name}　<b>{e.score}</b> 分</li>)}</ol>
              </div>
            )}
          </div>
          {r.state === 'preview' && canPublish && <button type="button" class="primary" disabled={busy} onClick={publish} data-testid="publish">发布红黑榜</button>}
          {r.state === 'preview' && !canPublish && <div class="notice info small">红黑榜由编办管理员、编办业务人员发布。</div>}
        </div>
      )}
      <h2 class="section">各单位得分</h2>
      {scores.error != null && <ErrorBox error={scores.error} retry={scores.reload} />}
      {scores.loading && !scores.data && <Loading />}
      {scores.data && !scores.data.scored && <div class="card muted">{month} 没有评分。</div>}
      {scores.data && scores.data.scored && (
        <>
          <p class="small muted">满分 100 分，按完整度、准确度、及时度、自查倒扣分；评分于 {scores.data.computedAt}。</p>
          <div style="overflow-x:auto">
          <table class="grid" data-testid="score-table">
            <thead><tr><th>名次</th><th>单位</th><th>得分</th>{SCORE_FAMILIES.map((f) => <th key={f}>{FAMILY_TITLES[f]}</th>)}</tr></thead>
            <tbody>
              {scores.data.scores.map((s) => (
                <tr key={s.unitId} data-unit-id={s.unitId}>
                  <td>{s.rank}</td>
                  <td><a href={`#/console/unit/${s.unitId}`}>{s.name}</a><a class="portrait-mini" href={`#/portrait/${s.unitId}`} aria-label="单位画像" title="单位画像" data-testid="score-portrait" /></td>
                  <td><b>{s.score}</b></td>
                  {SCORE_FAMILIES.map((f) => <td key={f}>{off(s.deductions[f])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </>
      )}
      {props.me.role === '编办管理员' && <PolicyEditor />}
    </div>
  );
}

const WEIGHTS: Array<[keyof ScorePolicy['weights'], string]> = [['S1', '严重问题每项扣分'], ['S2', '一般问题每项扣分'], ['redWorkday', '红灯每工作日扣分'], ['missingSelfCheck', '每少一次自查扣分']];

function PolicyEditor() {
  const view = useLoad(() => get<PolicyView>('/api/score-policy'), []);
  const [draft, setDraft] = useState<ScorePolicy | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const p = draft ?? view.data?.policy;
  if (view.error != null) return <ErrorBox error={view.error} retry={view.reload} />;
  if (!p || !view.data) return <Loading />;
  const num = (v: string) => (v.trim() === '' ? NaN : Number(v));
  const setW = (k: keyof ScorePolicy['weights'], v: string) => setDraft({ ...p, weights: { ...p.weights, [k]: num(v) } });
  const setC = (k: keyof ScorePolicy['caps'], v: string) => setDraft({ ...p, caps: { ...p.caps, [k]: num(v) } });
  const save = async () => {
    try {
      await put('/api/score-policy', p);
      setNote({ ok: true, text: '已保存，下次月末评分起按新规则计算（已评分的月份不变）' });
      setDraft(null);
      view.reload();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };
  return (
    <div class="card" data-testid="score-policy">
      <h2 class="section" style="margin-top:0">评分规则</h2>
      <p class="small muted">每个单位每月从 100 分起倒扣；各类扣分不超过上限，最低 0 分。每月应自查 {view.data.selfChecksRequired} 次（规则 U-PR-01 的参数）。</p>
      {WEIGHTS.map(([k, label]) => (
        <div class="field" key={k}><label>{label}（默认 {view.data!.defaults.weights[k]}）</label>
          <input inputMode="decimal" value={Number.isNaN(p.weights[k]) ? '' : String(p.weights[k])} onInput={(e) => setW(k, (e.target as HTMLInputElement).value)} data-testid={`w-${k}`} /></div>
      ))}
      {SCORE_FAMILIES.map((f) => (
        <div class="field" key={f}><label>{FAMILY_TITLES[f]}扣分上限（默认 {view.data!.defaults.caps[f]}）</label>
          <input inputMode="decimal" value={Number.isNaN(p.caps[f]) ? '' : String(p.caps[f])} onInput={(e) => setC(f, (e.target as HTMLInputElement).value)} data-testid={`cap-${f}`} /></div>
      ))}
      <label class="checkline"><input type="checkbox" checked={p.autoBroadcast} onChange={(e) => setDraft({ ...p, autoBroadcast: (e.target as HTMLInputElement).checked })} data-testid="auto-broadcast" /> 月末评分后自动发布红黑榜（默认关闭，由工作人员预览后发布）</label>
      {note && <div class={`notice ${note.ok ? 'ok' : 'error'} small`} data-testid="policy-note">{note.text}</div>}
      <button type="button" class="primary" onClick={save} data-testid="policy-save">保存评分规则</button>
    </div>
  );
}

/** A unit's score month by month (latest first): rank among all units and the points taken off. */
export function UnitScoreHistory(props: { unitId: string }) {
  const h = useLoad(() => get<{ history: HistoryLine[] }>(`/api/units/${encodeURIComponent(props.unitId)}/scores`), [props.unitId]);
  return (
    <>
      <h2 class="section">数据质量月度评分</h2>
      {h.error != null && <ErrorBox error={h.error} retry={h.reload} />}
      {h.loading && !h.data && <Loading />}
      {h.data && h.data.history.length === 0 && <div class="card muted small" data-testid="score-history-empty">还没有月度评分。每月第一个工作日评上月得分。</div>}
      {h.data && h.data.history.length > 0 && (
        <div class="card small history" data-testid="score-history">
          {h.data.history.map((x) => (
            <div class="change" key={x.month} data-month={x.month}>
              <span><b>{x.month}</b>　{x.score} 分　第 {x.rank}/{x.units} 名</span>
              <span class="muted">{SCORE_FAMILIES.map((f) => `${FAMILY_TITLES[f]} ${off(x.deductions[f])}`).join('，')}</span>
            </div>
          ))}
        </div>
      )}
    </>
  );
}

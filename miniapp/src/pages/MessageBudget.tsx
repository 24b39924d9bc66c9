// #/console/budget (office roles): 消息额度 — this month's calls to the chat platform by kind, the
// monthly budget, the share used, the projection to the month's end over working days, the state,
// and what sanse does when the budget runs short. The 编办管理员 sets the budget per platform.

import { useState } from 'preact/hooks';
import { errorText, get, put } from '../api.ts';
import type { Me } from '../types.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';
import type { ApiCallKind as Kind, BudgetPlatform as Platform, BudgetStatus } from '../../../core/message-budget.ts';

/** One platform's month as the API sends it (db/api-calls.ts PlatformBudget). */
interface PlatformBudget extends BudgetStatus {
  platform: Platform;
  byKind: Record<Kind, number>;
}

/** GET /api/message-budget (server/API.md). */
interface MessageBudgetView {
  date: string;
  month: string;
  platform: Platform;
  budgets: Record<Platform, number | null>;
  defaults: Record<Platform, number | null>;
  warnShare: number;
  unitsPerDigest: number;
  platforms: PlatformBudget[];
}

const PLATFORM_NAME: Record<Platform, string> = { dingtalk: '钉钉', zhengding: '浙政钉', sandbox: '沙箱（按钉钉标准版模拟）' };
const KIND_NAME: Record<Kind, string> = {
  'create-card': '发送互动卡片',
  'update-card': '卡片原地更新',
  'send-group': '群消息',
  'send-users': '单聊/工作通知',
  reply: '回复机器人消息',
};
const STATE_TEXT: Record<PlatformBudget['state'], string> = { ok: '正常', warn: '已用 80% 以上', short: '额度不足' };
const STATE_CLASS: Record<PlatformBudget['state'], string> = { ok: 'green', warn: 'yellow', short: 'red' };

const n = (v: number) => v.toLocaleString('zh-CN');

export function MessageBudgetPanel(props: { me: Me }) {
  const view = useLoad(() => get<MessageBudgetView>('/api/message-budget'), []);
  if (view.error) return <ErrorBox error={view.error} retry={view.reload} />;
  if (!view.data) return <Loading />;
  const v = view.data;
  const active = v.platforms.find((p) => p.platform === v.platform)!;
  const others = v.platforms.filter((p) => p.platform !== v.platform && p.used > 0);
  return (
    <div data-testid="message-budget">
      <PlatformCard v={v} p={active} main />
      {others.map((p) => <PlatformCard key={p.platform} v={v} p={p} />)}
      <div class="card">
        <h3 style="margin-top:0">额度不足时系统怎么做</h3>
        <ul class="small" style="padding-left:1.2em;margin:0">
          <li>已用达到 {Math.round(v.warnShare * 100)}% 时，向编办工作群发一次提醒（每月一次）。</li>
          <li>每天早上的预警按“剩余额度 ÷ 本月剩余工作日（含当天）”的份额发送；份额够用时每个单位照常收到卡片。</li>
          <li>份额不够时：有红灯的单位优先单独发卡片（红灯多的在前），再发单位领导的红灯督办卡片，其余单位汇总成一条“数据质量预警汇总”发到编办工作群（每条最多 {v.unitsPerDigest} 个单位）。</li>
          <li>额度不足期间，卡片上的整改进度不再逐次更新，只在全部整改、卡片变绿时更新一次。</li>
        </ul>
        <p class="small" style="margin-bottom:0">
          计入的调用：发送群消息、单聊消息（每 20 人一次）、发送和更新互动卡片、回复机器人消息，失败但已到达平台的调用也计入；获取 access token 和登录不计入。
          依据：钉钉服务端 API 限流说明，标准版组织每月 5,000 次（所有企业内部应用合计，按自然月统计，超出后返回 ApiCountLimitForOrg）；每个应用每个接口每秒 20 次。
        </p>
      </div>
      {props.me.role === '编办管理员' && <BudgetForm v={v} onSaved={view.reload} />}
    </div>
  );
}

function PlatformCard(props: { v: MessageBudgetView; p: PlatformBudget; main?: boolean }) {
  const { v, p } = props;
  const pct = p.usedShare === null ? null : Math.round(p.usedShare * 1000) / 10;
  const barPct = p.usedShare === null ? 0 : Math.min(100, p.usedShare * 100);
  const projPct = p.budget ? Math.min(100, (p.projected / p.budget) * 100) : 0;
  return (
    <div class="card" data-testid={`budget-${p.platform}`}>
      <div style="display:flex;align-items:center;gap:8px">
        <h3 style="margin:0;flex:1">{PLATFORM_NAME[p.platform]} · {v.month} 开放接口调用量{props.main ? '' : '（非当前平台）'}</h3>
        <span class={`badge ${STATE_CLASS[p.state]}`} data-testid="budget-state">{p.budget === null ? '不限额' : STATE_TEXT[p.state]}</span>
      </div>
      <p style="font-size:1.1em">
        已用 <b data-testid="budget-used">{n(p.used)}</b> 次
        {p.budget !== null ? <> / 月度额度 <b data-testid="budget-limit">{n(p.budget)}</b> 次（<b data-testid="budget-pct">{pct}%</b>），剩余 {n(p.remaining ?? 0)} 次</> : <>，未设月度额度</>}
      </p>
      {p.budget !== null && (
        <div style="position:relative;height:14px;background:#eee;border-radius:7px;overflow:hidden" title="深色：已用；浅色：按当前速度到月底">
          <div style={`position:absolute;left:0;top:0;bottom:0;width:${projPct}%;background:${p.projected > p.budget ? '#f4b4b4' : '#cfe3fb'}`} />
          <div style={`position:absolute;left:0;top:0;bottom:0;width:${barPct}%;background:${p.state === 'short' ? '#d93026' : p.state === 'warn' ? '#e8a200' : '#1f7ae0'}`} />
        </div>
      )}
      <p class="small">
        本月 {p.workdays.total} 个工作日，已过 {p.workdays.elapsed} 个（平均每个工作日 {n(Math.round(p.perWorkday))} 次），还剩 {p.workdays.left} 个。
        按此速度推算，月底约 <b data-testid="budget-projected">{n(p.projected)}</b> 次{p.budget !== null && p.projected > p.budget ? <b style="color:var(--red)">，将超出额度</b> : ''}。
        {p.allowanceToday !== null && <> 今日可用份额约 <b data-testid="budget-allowance">{n(p.allowanceToday)}</b> 次。</>}
      </p>
      <table class="grid small">
        <thead><tr><th>调用类别</th><th style="text-align:right">本月次数</th></tr></thead>
        <tbody>
          {(Object.keys(KIND_NAME) as Kind[]).map((k) => (
            <tr key={k}><td>{KIND_NAME[k]}</td><td style="text-align:right" data-testid={`kind-${k}`}>{n(p.byKind[k] ?? 0)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BudgetForm(props: { v: MessageBudgetView; onSaved: () => void }) {
  const { v } = props;
  const [values, setValues] = useState<Record<Platform, string>>(() => ({
    dingtalk: v.budgets.dingtalk === null ? '' : String(v.budgets.dingtalk),
    zhengding: v.budgets.zhengding === null ? '' : String(v.budgets.zhengding),
    sandbox: v.budgets.sandbox === null ? '' : String(v.budgets.sandbox),
  }));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const body: Record<string, number | null> = {};
    for (const p of Object.keys(values) as Platform[]) {
      const t = values[p].trim().replace(/[,，\s]/g, '');
      if (t === '') body[p] = null;
      else if (/^\d+$/.test(t)) body[p] = Number(t);
      else return setError(`月度额度（${PLATFORM_NAME[p]}）须为整数，留空表示不限`);
    }
    try {
      await put('/api/message-budget', body);
      setSaved(true);
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="card" onSubmit={save} data-testid="budget-form">
      <h3 style="margin-top:0">月度额度设置（编办管理员）</h3>
      <p class="small">钉钉标准版默认 5,000 次/月；升级专业版、专属版或购买增购包后，请按开发者后台“资源管理”中的额度修改。浙政钉未公布每月调用量上限，默认不限（仍受每人每天工作通知条数限制）。留空表示不限。</p>
      {(Object.keys(values) as Platform[]).map((p) => (
        <label key={p} style="display:flex;align-items:center;gap:8px;margin:6px 0">
          <span style="width:12em">{PLATFORM_NAME[p]}</span>
          <input inputMode="numeric" value={values[p]} placeholder="不限" data-testid={`budget-input-${p}`}
            onInput={(e) => setValues({ ...values, [p]: (e.target as HTMLInputElement).value })} style="width:10em" />
          <span class="small">次/月{v.defaults[p] !== null ? `（默认 ${n(v.defaults[p]!)}）` : '（默认不限）'}</span>
        </label>
      ))}
      {error && <div class="notice error">{error}</div>}
      {saved && <div class="notice">已保存。</div>}
      <button class="btn primary" type="submit">保存</button>
    </form>
  );
}

// Staffing requests (用编计划, 增人入编, 减人出编, 领导职数使用): what a request says, its states and
// the transitions between them with who may take each, and the reasons a request is refused.
// Pure: db/requests.ts reads the facts, commands/ act on the answers. Every sentence is Chinese.

import { DateInputError, validDay, addMonths } from './dates.ts';
import { DICTIONARY } from './dictionary.ts';
import { quotaFigures } from './staffing.ts';
import type { IsoDate } from './model.ts';

export const REQUEST_KINDS = ['用编计划', '增人入编', '减人出编', '领导职数使用'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const isRequestKind = (v: unknown): v is RequestKind => REQUEST_KINDS.includes(v as RequestKind);

export const REQUEST_STATES = ['submitted', 'returned', 'reviewed', 'approved', 'rejected', 'withdrawn', 'expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const isRequestState = (v: unknown): v is RequestState => REQUEST_STATES.includes(v as RequestState);

/** The state as users read it. */
export const STATE_TEXT: Record<RequestState, string> = {
  submitted: '待初审', returned: '已退回修改', reviewed: '待终审', approved: '已批准', rejected: '未批准', withdrawn: '已撤回', expired: '已过期',
};

/** States that end a request: nothing more happens to it (an approved 用编计划 may still expire). */
export const FINAL_STATES: ReadonlySet<RequestState> = new Set(['approved', 'rejected', 'withdrawn', 'expired']);

export const EXIT_REASONS = ['退休', '调出', '辞职', '辞退', '死亡', '其他'] as const;

/** 领导职务层次 a 领导职数使用 may ask for (the post kinds of 领导职数 with a holder count). */
export const POST_KINDS = ['单位正职', '单位副职', '中层正职', '中层副职'] as const;

/** How long an approved 用编计划 stays valid when the request does not say (months). */
export const PLAN_VALID_MONTHS = 6;

/** The actions on a request; each is one step in its history. */
export type RequestAction = 'submit' | 'resubmit' | 'withdraw' | 'pass' | 'return' | 'reject' | 'approve' | 'expire';

/** A step's name as users read it, by action (a reject is 终审 when the request was 待终审). */
export const STEP_OF: Record<RequestAction, string> = {
  submit: '提交', resubmit: '重新提交', withdraw: '撤回', pass: '初审', return: '初审', reject: '初审', approve: '终审', expire: '过期',
};
export function stepOf(action: RequestAction, from: RequestState): string {
  return action === 'reject' && from === 'reviewed' ? '终审' : STEP_OF[action];
}

/** The decision a step records (request_steps.decision): submit for both submits. */
export const DECISION_OF: Record<RequestAction, string> = {
  submit: 'submit', resubmit: 'submit', withdraw: 'withdraw', pass: 'pass', return: 'return', reject: 'reject', approve: 'approve', expire: 'expire',
};

export const ACTION_TEXT: Record<RequestAction, string> = {
  submit: '提交', resubmit: '重新提交', withdraw: '撤回', pass: '初审通过', return: '退回修改', reject: '不同意', approve: '同意', expire: '过期',
};

/** Who may take an action: the unit's 单位专管员 (or the office on its behalf), the office's 业务人员, the 分管领导. */
const REQUESTER_ROLES: ReadonlySet<string> = new Set(['单位专管员', '编办管理员', '编办业务人员']);
export const REVIEWER_ROLES: ReadonlySet<string> = new Set(['编办业务人员', '编办管理员']);
export const DECIDER_ROLES: ReadonlySet<string> = new Set(['分管领导']);
export { REQUESTER_ROLES };

interface Transition {
  from: readonly RequestState[];
  to: RequestState;
  roles: ReadonlySet<string>;
}

const TRANSITIONS: Record<Exclude<RequestAction, 'submit' | 'expire' | 'reject'>, Transition> = {
  resubmit: { from: ['returned'], to: 'submitted', roles: REQUESTER_ROLES },
  withdraw: { from: ['submitted', 'returned'], to: 'withdrawn', roles: REQUESTER_ROLES },
  pass: { from: ['submitted'], to: 'reviewed', roles: REVIEWER_ROLES },
  return: { from: ['submitted'], to: 'returned', roles: REVIEWER_ROLES },
  approve: { from: ['reviewed'], to: 'approved', roles: DECIDER_ROLES },
};

const ROLE_TEXT = (roles: ReadonlySet<string>) => [...roles].join('、');

export type TransitionResult = { ok: true; to: RequestState } | { ok: false; status: 403 | 409; reason: string };

/**
 * Whether `role` may take `action` on a request in `state`, and the state it leads to. `reject`
 * is the reviewer's at 初审 (submitted) and the leader's at 终审 (reviewed). Scope is the caller's.
 */
export function transition(state: RequestState, action: Exclude<RequestAction, 'submit'>, role: string): TransitionResult {
  if (action === 'expire') {
    return state === 'approved' ? { ok: true, to: 'expired' } : { ok: false, status: 409, reason: `申请当前${STATE_TEXT[state]}，不能过期` };
  }
  let t: Transition;
  if (action === 'reject') t = DECIDER_ROLES.has(role) || state === 'reviewed' ? { from: ['reviewed'], to: 'rejected', roles: DECIDER_ROLES } : { from: ['submitted'], to: 'rejected', roles: REVIEWER_ROLES };
  else t = TRANSITIONS[action];
  if (!t.roles.has(role)) return { ok: false, status: 403, reason: `${ACTION_TEXT[action]}须由${ROLE_TEXT(t.roles)}办理` };
  if (!t.from.includes(state)) return { ok: false, status: 409, reason: `该申请${STATE_TEXT[state]}，不能${ACTION_TEXT[action]}` };
  return { ok: true, to: t.to };
}

/** Who may submit a request: the unit's 单位专管员, or the office on its behalf. */
export function maySubmit(role: string): boolean {
  return REQUESTER_ROLES.has(role);
}

// ---- what a request says

export interface PlanBody { kind: '用编计划'; quotaKind: string; count: number; reason: string; validUntil: IsoDate }
export interface EntryBody {
  kind: '增人入编';
  quotaKind: string;
  count: 1;
  reason: string;
  /** The 人员 sheet's cells (Chinese headers) with the ID number in clear: the caller stores it apart, never in the payload. */
  cells: Record<string, unknown>;
  /** An approved, unused 用编计划 of the unit this entry uses, by request id. */
  planId: number | null;
}
export interface ExitBody { kind: '减人出编'; idNumber: string; exitReason: string; exitDate: IsoDate; reason: string }
export interface LeaderBody { kind: '领导职数使用'; postKind: string; idNumber: string; reason: string }
export type RequestBody = PlanBody | EntryBody | ExitBody | LeaderBody;

/** A request as typed in (REQUEST.json, the API's body): the unit's reference and what it asks. */
export interface RequestInput {
  /** 单位ID, else 统一社会信用代码 (resolved by db/; a shared code must be given as 单位ID). */
  unitRef: string;
  body: RequestBody;
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function dayField(v: unknown, field: string, fields: Record<string, string>): IsoDate | null {
  try {
    return validDay(str(v), field);
  } catch (e) {
    if (e instanceof DateInputError) fields[field] = e.message;
    else throw e;
    return null;
  }
}

function reasonField(v: unknown, fields: Record<string, string>, required: boolean): string {
  const s = str(v);
  if (required && !s) fields['申请理由'] = '请填写申请理由';
  else if ([...s].length > 500) fields['申请理由'] = '申请理由最多500个字符';
  return s;
}

function quotaKindField(v: unknown, fields: Record<string, string>): string {
  const s = str(v);
  if (!s) fields['编制类型'] = '请填写编制类型';
  else if (!(DICTIONARY.编制类型 as readonly string[]).includes(s)) fields['编制类型'] = `编制类型应为${DICTIONARY.编制类型.join('、')}之一，“${s.slice(0, 16)}”不是`;
  return s;
}

function idField(v: unknown, fields: Record<string, string>): string {
  const s = str(v);
  if (!s) fields['身份证号'] = '请填写身份证号';
  else if (s.length > 32) fields['身份证号'] = '身份证号过长';
  return s;
}

export type ParseResult = { ok: true; value: RequestInput } | { ok: false; message: string; fields: Record<string, string> };

/**
 * A request keyed by the workbook's Chinese names (`申请类型`, `统一社会信用代码` or `单位ID`, per
 * kind `编制类型`, `数量`, `申请理由`, `有效期至`, the 人员 columns, `身份证号`, `出编原因`, `出编日期`,
 * `领导职务层次`, `用编计划编号`), checked for shape; the facts are refusals()' matter.
 */
export function parseRequest(raw: unknown, today: IsoDate): ParseResult {
  const fields: Record<string, string> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: '申请内容应为一个对象（以中文列名为键）', fields: { 申请: '格式有误' } };
  const o = raw as Record<string, unknown>;
  const kind = str(o['申请类型']);
  if (!isRequestKind(kind)) fields['申请类型'] = `申请类型应为${REQUEST_KINDS.join('、')}之一${kind ? `，“${kind.slice(0, 16)}”不是` : ''}`;
  const unitRef = str(o['单位ID']) || str(o['统一社会信用代码']);
  if (!unitRef) fields['单位'] = '请填写统一社会信用代码或单位ID';
  let body: RequestBody | null = null;
  if (kind === '用编计划') {
    const quotaKind = quotaKindField(o['编制类型'], fields);
    const count = Number(str(o['数量']));
    if (!Number.isInteger(count) || count < 1 || count > 1000) fields['数量'] = '数量应为1至1000的整数';
    const reason = reasonField(o['申请理由'], fields, true);
    const validUntil = o['有效期至'] === undefined || o['有效期至'] === null || o['有效期至'] === '' ? addMonths(today, PLAN_VALID_MONTHS) : dayField(o['有效期至'], '有效期至', fields);
    if (validUntil && validUntil < today) fields['有效期至'] ??= `有效期至“${validUntil}”早于今天`;
    body = { kind, quotaKind, count, reason, validUntil: validUntil ?? today };
  } else if (kind === '增人入编') {
    const cells: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!['申请类型', '单位ID', '编制类型', '数量', '申请理由', '用编计划编号'].includes(k)) cells[k] = v;
    const quotaKind = quotaKindField(o['使用编制类型'] ?? o['编制类型'], fields);
    if (fields['编制类型']) { fields['使用编制类型'] = fields['编制类型']; delete fields['编制类型']; }
    if (str(o['编制类型']) && str(o['使用编制类型']) && str(o['编制类型']) !== str(o['使用编制类型'])) fields['使用编制类型'] = '使用编制类型与编制类型不一致';
    cells['使用编制类型'] = quotaKind;
    if (str(o['在编状态']) && str(o['在编状态']) !== '在编') fields['在编状态'] = '增人入编的人员在编状态应为“在编”';
    cells['在编状态'] = '在编';
    // A new entrant is 在岗 from the day of entry (P-ST-10 asks every 在编 person for one): the form
    // shows it filled in, a unit may change it; left empty it is 在岗, never a gap.
    if (!str(o['在岗状态'])) cells['在岗状态'] = '在岗';
    if (o['数量'] !== undefined && str(o['数量']) !== '1') fields['数量'] = '增人入编每次申请一人';
    const planText = str(o['用编计划编号']);
    const planId = planText ? requestIdOf(planText) : null;
    if (planText && planId === null) fields['用编计划编号'] = `用编计划编号“${planText.slice(0, 20)}”有误`;
    const reason = reasonField(o['申请理由'], fields, false);
    idField(o['身份证号'], fields);
    if (!str(o['姓名'])) fields['姓名'] = '请填写姓名';
    body = { kind, quotaKind, count: 1, reason, cells, planId };
  } else if (kind === '减人出编') {
    const idNumber = idField(o['身份证号'], fields);
    const exitReason = str(o['出编原因']);
    if (!(EXIT_REASONS as readonly string[]).includes(exitReason)) fields['出编原因'] = `出编原因应为${EXIT_REASONS.join('、')}之一${exitReason ? `，“${exitReason.slice(0, 16)}”不是` : ''}`;
    const exitDate = dayField(o['出编日期'], '出编日期', fields);
    const reason = reasonField(o['申请理由'], fields, false);
    body = { kind, idNumber, exitReason, exitDate: exitDate ?? today, reason };
  } else if (kind === '领导职数使用') {
    const idNumber = idField(o['身份证号'], fields);
    const postKind = str(o['领导职务层次']);
    if (!(POST_KINDS as readonly string[]).includes(postKind)) fields['领导职务层次'] = `领导职务层次应为${POST_KINDS.join('、')}之一${postKind ? `，“${postKind.slice(0, 16)}”不是` : ''}`;
    const reason = reasonField(o['申请理由'], fields, true);
    body = { kind, postKind, idNumber, reason };
  }
  if (Object.keys(fields).length || !body) return { ok: false, message: `申请内容有误：${Object.entries(fields).map(([k, v]) => (v.startsWith(k) ? v : `${k}：${v}`)).join('；')}`, fields };
  return { ok: true, value: { unitRef, body } };
}

// ---- refusals

/** The facts a request is judged on, read by db/requests.ts at the moment of each decision. */
export interface RefusalFacts {
  today: IsoDate;
  unitId: number;
  unitName: string;
  /** The suspension in force for the unit or an ancestor. */
  suspension: { unitName: string; endsOn: IsoDate; reason: string } | null;
  /** 核定/实有/在途 of the request's 编制类型 (用编计划, 增人入编). 在途 excludes this request's own plan. */
  quota: { approved: number; actual: number; inTransit: number } | null;
  /** 增人入编 against a plan: the plan as found (null: none named). */
  plan: { id: number; unitId: number; kind: string; quotaKind: string | null; no: string; state: string; used: boolean; validUntil: IsoDate | null; count: number; usedCount: number } | null;
  /** 领导职数使用: 核定 of the post kind (null: no row) and the 在编 holders counted by 领导职务层次. */
  posts: { approved: number | null; holders: number } | null;
  /** Open red findings of the unit, and whether the office blocks on them (requests.blockOnRed). */
  redFindings: number;
  blockOnRed: boolean;
  /** 增人入编: the units where the ID number is 在编 now (一人一编). */
  onQuotaIn: string[];
  /** 减人出编, 领导职数使用: the person in this unit by ID number (null: none). */
  person: { name: string; status: string | null; leaderLevel: string | null } | null;
  /** 增人入编: the 人员 sheet's schema errors by field, and the person rules' hits on the record. */
  recordErrors: Record<string, string>;
  ruleHits: Array<{ code: string; title: string; severity: string; field?: string }>;
}

const ruleFieldText = (h: { code: string; title: string; field?: string }) => `${h.field ? `${h.field}：` : ''}${h.title}（${h.code}）`;

/** Every reason the request cannot go ahead now, in Chinese (empty: it may). */
export function refusals(body: RequestBody, f: RefusalFacts): string[] {
  const out: string[] = [];
  if (f.suspension) {
    const whose = f.suspension.unitName === f.unitName ? '本单位' : `上级单位${f.suspension.unitName}`;
    out.push(`${whose}被暂停办理机构编制事项至${f.suspension.endsOn}（${f.suspension.reason}），暂停期间不予受理`);
  }
  // 减人出编 is itself how a unit fixes 超编 or 退休未出编: red findings never hold it back.
  if (f.blockOnRed && f.redFindings > 0 && body.kind !== '减人出编') out.push(`${f.unitName}尚有 ${f.redFindings} 个红灯问题未整改，整改后方可办理机构编制事项`);
  if (body.kind === '用编计划' || body.kind === '增人入编') {
    const q = quotaFigures({ kind: body.quotaKind, ...(f.quota ?? { approved: 0, actual: 0, inTransit: 0 }) });
    let reserved = 0;
    if (body.kind === '增人入编' && body.planId != null) {
      const p = f.plan;
      if (!p || p.kind !== '用编计划') out.push(`没有编号为 ${body.planId} 的用编计划`);
      else if (p.state !== 'approved' || p.used) out.push(`用编计划 ${p.no} ${p.used ? '已使用' : `当前${STATE_TEXT[p.state as RequestState] ?? p.state}`}，不能据此入编`);
      else if (p.validUntil && p.validUntil < f.today) out.push(`用编计划 ${p.no} 已于${p.validUntil}过期`);
      else if (p.unitId !== f.unitId) out.push(`用编计划 ${p.no} 不是${f.unitName}的用编计划`);
      else if (p.quotaKind !== body.quotaKind) out.push(`用编计划 ${p.no} 的编制类型为${p.quotaKind}，与申请的${body.quotaKind}不符`);
      else reserved = Math.max(0, p.count - p.usedCount);
    }
    const count = body.count;
    if (reserved === 0) {
      const state = q.over > 0 ? `已超编 ${q.over} 名，超编单位冻结用编` : q.full ? '已满编，满编单位冻结用编' : '';
      if (count > q.available) {
        out.push(`${body.quotaKind}可用编制不足：核定 ${q.approved}，实有 ${q.actual}，在途 ${q.inTransit}，可用 ${q.available}，申请 ${count} 名${state ? `（${state}）` : ''}`);
      }
    } else if (q.approved - q.actual - (q.inTransit - reserved) < count) {
      // The plan's own reservation is inside 在途 and is this entry's to use; 超编 since the plan
      // was approved still freezes it.
      out.push(`${body.quotaKind}可用编制不足：核定 ${q.approved}，实有 ${q.actual}，在途 ${q.inTransit}（含本用编计划 ${reserved} 名），不能入编`);
    }
  }
  if (body.kind === '增人入编') {
    if (f.onQuotaIn.length) out.push(`该身份证号已在${f.onQuotaIn.join('、')}在编，一人只能占用一个编制`);
    for (const [field, msg] of Object.entries(f.recordErrors)) out.push(`${field}：${msg}`);
    for (const h of f.ruleHits) if (h.severity === 'S1' || h.severity === 'S2') out.push(`人员信息不符合规则：${ruleFieldText(h)}`);
  }
  if (body.kind === '减人出编') {
    if (!f.person) out.push(`${f.unitName}没有该身份证号的人员`);
    else if (f.person.status !== '在编') out.push(`${f.person.name}在${f.unitName}的在编状态为“${f.person.status ?? '空'}”，不是在编人员，不能出编`);
    if (body.exitDate > addMonths(f.today, 3)) out.push(`出编日期${body.exitDate}过远：最晚为三个月内`);
  }
  if (body.kind === '领导职数使用') {
    if (!f.person) out.push(`${f.unitName}没有该身份证号的人员`);
    else if (f.person.status !== '在编') out.push(`${f.person.name}不是${f.unitName}的在编人员，不能使用领导职数`);
    else if (f.person.leaderLevel === body.postKind) out.push(`${f.person.name}已是${body.postKind}`);
    const approved = f.posts?.approved ?? null;
    const holders = f.posts?.holders ?? 0;
    if (approved === null) out.push(`${f.unitName}没有核定${body.postKind}职数，不能使用`);
    else if (holders + 1 > approved) out.push(`${body.postKind}职数已满：核定 ${approved}，现有 ${holders} 人，未核准的领导职数使用不得办理干部提拔`);
  }
  return out;
}

/** The person rules' S3 hits on an 增人入编 record: shown, never refused. */
export function warnings(body: RequestBody, f: Pick<RefusalFacts, 'ruleHits'>): string[] {
  if (body.kind !== '增人入编') return [];
  return f.ruleHits.filter((h) => h.severity === 'S3').map((h) => `提示：${ruleFieldText(h)}`);
}

/** The request's number as users read it: SQ{year of submission}-{id, six digits}. */
export function requestNo(id: number, submittedAt: string): string {
  return `SQ${submittedAt.slice(0, 4)}-${String(id).padStart(6, '0')}`;
}

/** The request's number parsed back to its id (SQ2026-000123, 000123, 123). */
export function requestIdOf(text: string): number | null {
  const m = /^(?:SQ(?:\d{4}-)?)?0*(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** One line saying what the request asks, for cards, lists and messages. */
export function summaryOf(body: RequestBody, person?: { name: string; idMasked: string } | null): string {
  switch (body.kind) {
    case '用编计划':
      return `申请使用${body.quotaKind} ${body.count} 名，有效期至${body.validUntil}`;
    case '增人入编':
      return `${str(body.cells['姓名'])}（${person?.idMasked ?? ''}）入编，使用${body.quotaKind}${body.planId ? '，据用编计划' : ''}`;
    case '减人出编':
      return `${person?.name ?? ''}（${person?.idMasked ?? ''}）${body.exitReason}出编，出编日期${body.exitDate}`;
    case '领导职数使用':
      return `${person?.name ?? ''}（${person?.idMasked ?? ''}）使用${body.postKind}职数`;
  }
}

/** Whether an approved 用编计划 has lapsed on `today`: past its validity and not used. */
export function planExpired(plan: { kind: string; state: string; used: boolean; validUntil: IsoDate | null }, today: IsoDate): boolean {
  return plan.kind === '用编计划' && plan.state === 'approved' && !plan.used && !!plan.validUntil && plan.validUntil < today;
}

/** The public view of a request: what the API, the CLI and the cards show (no ID number, only its mask). */
export interface RequestView {
  id: number;
  no: string;
  kind: string;
  unitId: number;
  unitName: string;
  state: RequestState;
  stateText: string;
  version: number;
  summary: string;
  reason: string | null;
  body: Record<string, unknown>;
  person: { id: number | null; name: string | null; idMasked: string | null } | null;
  requestedBy: string | null;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  validUntil: string | null;
  planId: number | null;
  steps: Array<{ step: string; by: string; byName: string | null; decision: string; comment: string | null; at: string }>;
}

// The staffing request form, pure (unit-tested): the fields of each kind keyed by the workbook's
// Chinese names (as POST /api/requests reads them), the cells prefilled from a finding's link,
// the checks the server makes on the shape (core/requests.ts parseRequest, the 人员 schema) and on
// 可用 (the availability the page loaded), and what 满编/超编 means for the user, in plain words.

import { EXIT_REASONS, parseRequest, POST_KINDS, REQUEST_KINDS, type RequestKind } from '../../../core/requests.ts';
import { DICTIONARY } from '../../../core/dictionary.ts';
import { idFacts } from '../../../core/idnumber.ts';
import { PERSON_FIELDS, validateCells, type FieldDef } from '../person/form.ts';

export type Cells = Record<string, string>;

export { REQUEST_KINDS, EXIT_REASONS, POST_KINDS, type RequestKind };

export const isKind = (v: unknown): v is RequestKind => (REQUEST_KINDS as readonly string[]).includes(v as string);

/** The unit's 可用 as GET /api/units/:unit/availability gives it. */
export interface QuotaLine { kind: string; approved: number; actual: number; inTransit: number; available: number; over: number; full: boolean }
export interface PostLine { kind: string; approved: number | null; holders: number; available: number | null }
export interface StaffLine { id: number; name: string; idMasked: string | null; quotaKind: string | null; leaderLevel: string | null }
export interface Availability { unit: { id: number; code: string | null; name: string }; quotas: QuotaLine[]; posts: PostLine[]; people?: StaffLine[] }

/** The request's own fields of a kind (the 人员 fields of 增人入编 come after them). */
export interface RequestField { name: string; kind: 'select' | 'text' | 'textarea' | 'date' | 'number'; options?: readonly string[]; required?: boolean; hint?: string }

export function requestFields(kind: RequestKind): RequestField[] {
  switch (kind) {
    case '用编计划':
      return [
        { name: '编制类型', kind: 'select', options: DICTIONARY.编制类型, required: true },
        { name: '数量', kind: 'number', required: true, hint: '1 至 1000 名，不能超过该编制类型的可用数' },
        { name: '申请理由', kind: 'textarea', required: true },
        { name: '有效期至', kind: 'date', hint: '不填为六个月后；格式如 2027-06-30' },
      ];
    case '增人入编':
      return [{ name: '申请理由', kind: 'textarea' }];
    case '减人出编':
      return [
        { name: '出编原因', kind: 'select', options: EXIT_REASONS, required: true },
        { name: '出编日期', kind: 'date', required: true, hint: '格式如 2026-12-01，最晚为三个月内' },
        { name: '申请理由', kind: 'textarea' },
      ];
    case '领导职数使用':
      return [
        { name: '领导职务层次', kind: 'select', options: POST_KINDS, required: true },
        { name: '申请理由', kind: 'textarea', required: true },
      ];
  }
}

/** The 人员 fields an 增人入编 asks for: the sheet's, less what the request fixes (unit, 在编状态). */
export const ENTRY_FIELDS: readonly FieldDef[] = PERSON_FIELDS.filter((f) => f.name !== '统一社会信用代码' && f.name !== '在编状态').map((f) =>
  f.name === '使用编制类型' ? { ...f, required: true } : f,
);

/** Rules whose finding a 减人出编 for retirement fixes (退休未出编). */
const RETIREMENT_RULES = new Set(['P-RT-01', 'P-RT-03']);

/** The form's first cells from the link (`?kind=&unit=&person=&finding=`) and the finding's rule. */
export function prefill(kind: RequestKind, today: string, findingRule: string | null): Cells {
  if (kind === '减人出编') return { 出编原因: findingRule && RETIREMENT_RULES.has(findingRule) ? '退休' : '', 出编日期: today, 申请理由: '' };
  if (kind === '用编计划') return { 编制类型: '', 数量: '1', 申请理由: '', 有效期至: '' };
  if (kind === '领导职数使用') return { 领导职务层次: '', 申请理由: '' };
  return { 使用编制类型: '', 在岗状态: '在岗', 申请理由: '' };
}

/** The body of POST /api/requests (and of a resubmit's `request`). */
export function requestBody(kind: RequestKind, unitId: number, cells: Cells, personId: string | null): Record<string, string> {
  const out: Record<string, string> = { 申请类型: kind, 单位ID: String(unitId) };
  const own = new Set(requestFields(kind).map((f) => f.name));
  const names = kind === '增人入编' ? [...own, ...ENTRY_FIELDS.map((f) => f.name)] : [...own];
  for (const n of names) {
    const v = (cells[n] ?? '').trim();
    if (v !== '') out[n] = v;
  }
  if ((kind === '减人出编' || kind === '领导职数使用') && personId) out['人员ID'] = personId;
  return out;
}

/** The sentence on 可用 of one 编制类型, plain: what the unit may still ask. */
export function quotaText(q: QuotaLine): string {
  if (q.over > 0) return `本单位${q.kind}已超编 ${q.over} 名（核定 ${q.approved}，实有 ${q.actual}），暂不能申请用编`;
  if (q.full) return `本单位${q.kind}已满编（核定 ${q.approved}，实有 ${q.actual}），暂不能申请用编`;
  if (q.available <= 0) return `本单位${q.kind}暂无可用编制（核定 ${q.approved}，实有 ${q.actual}，在途 ${q.inTransit}），暂不能申请用编`;
  return `${q.kind}可用 ${q.available} 名（核定 ${q.approved}，实有 ${q.actual}，在途 ${q.inTransit}）`;
}

export function postText(p: PostLine): string {
  if (p.approved === null) return `${p.kind}：未核定职数，不能使用`;
  if ((p.available ?? 0) <= 0) return `${p.kind}职数已满（核定 ${p.approved}，现有 ${p.holders} 人），暂不能使用`;
  return `${p.kind}可用 ${p.available} 个（核定 ${p.approved}，现有 ${p.holders} 人）`;
}

/**
 * The errors the server would give, by field: the shape (core/requests.ts parseRequest), the 人员
 * record of an 增人入编 (the 人员 schema), and 可用 of the chosen kind. `personId` stands for the ID
 * number of 减人出编 / 领导职数使用 (the server reads it from the stored person).
 */
export function checkRequest(kind: RequestKind, cells: Cells, av: Availability | null, today: string, personId: string | null): Record<string, string> {
  const unitId = av?.unit.id ?? 0;
  const body: Record<string, string> = requestBody(kind, unitId || 1, cells, null);
  if ((kind === '减人出编' || kind === '领导职数使用') && personId && !body['身份证号']) body['身份证号'] = 'X';
  const parsed = parseRequest(body, today);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.fields };
  delete errors['单位'];
  if ((kind === '减人出编' || kind === '领导职数使用') && !personId && errors['身份证号']) errors['身份证号'] = '请从待整改问题或人员页进入，选择要办理的人员';
  if (kind === '增人入编') {
    const record: Cells = {};
    for (const f of PERSON_FIELDS) record[f.name] = (cells[f.name] ?? '').trim();
    record['统一社会信用代码'] = av?.unit.code || '91330000000000000X';
    record['在编状态'] = '在编';
    if (!record['入编时间']) record['入编时间'] = today;
    const v = validateCells(record);
    for (const [k, msg] of Object.entries(v.errors)) if (!errors[k] && k !== '统一社会信用代码') errors[k] = msg;
    // The ID number rules the server refuses on (P-ID: shape, check digit, birth date).
    const id = idFacts(record['身份证号'], today);
    if (!errors['身份证号'] && record['身份证号']) {
      if (id.kind !== '18') errors['身份证号'] = '身份证号应为18位（末位可为X）';
      else if (!id.checkOk) errors['身份证号'] = `身份证号校验码有误：末位应为${id.expectedCheck}，请核对`;
      else if (id.birthInvalid) errors['身份证号'] = '身份证号中的出生日期无效，请核对';
    }
  }
  if (av && (kind === '用编计划' || kind === '增人入编')) {
    const qk = kind === '用编计划' ? cells['编制类型'] : cells['使用编制类型'];
    const field = kind === '用编计划' ? '编制类型' : '使用编制类型';
    const q = av.quotas.find((x) => x.kind === qk);
    const n = kind === '用编计划' ? Number(cells['数量']) : 1;
    if (qk && !errors[field]) {
      if (!q) errors[field] = `本单位没有核定${qk}，不能申请`;
      else if (q.available <= 0) errors[field] = quotaText(q);
      else if (Number.isInteger(n) && n > q.available && !errors['数量']) errors['数量'] = `${qk}可用 ${q.available} 名，申请 ${n} 名超出可用数`;
    }
  }
  if (av && kind === '领导职数使用' && cells['领导职务层次'] && !errors['领导职务层次']) {
    const p = av.posts.find((x) => x.kind === cells['领导职务层次']);
    if (!p || p.approved === null || (p.available ?? 0) <= 0) errors['领导职务层次'] = p ? postText(p) : `本单位没有核定${cells['领导职务层次']}职数，不能使用`;
  }
  return errors;
}

/** Whether the unit can ask for this kind at all now (满编/超编 freeze 用编; no post free). */
export function frozenText(kind: RequestKind, av: Availability): string | null {
  if (kind === '用编计划' || kind === '增人入编') {
    if (!av.quotas.length) return '本单位尚未核定编制，暂不能申请用编';
    if (av.quotas.every((q) => q.available <= 0)) {
      const state = (q: QuotaLine) => (q.over > 0 ? `已超编 ${q.over} 名` : q.full ? '已满编' : '暂无可用编制');
      const what = av.quotas.length === 1 ? `${av.quotas[0].kind}${state(av.quotas[0])}` : av.quotas.map((q) => `${q.kind}${state(q)}`).join('、');
      return `本单位${what}，暂不能申请用编`;
    }
  }
  if (kind === '领导职数使用' && av.posts.every((p) => p.approved === null || (p.available ?? 0) <= 0)) return '本单位领导职数均已用满或未核定，暂不能申请使用领导职数';
  return null;
}

/** Today in Beijing as YYYY-MM-DD. */
export function todayInBeijing(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

// ---- the draft: kept on the phone until submitted

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface RequestDraft { cells: Cells; savedAt: number }

/** One draft per form: the kind, unit, person (and the request being corrected). */
export function draftKey(kind: string, unit: string, person: string | null, editing: string | null): string {
  return `sanse:draft:request:${editing ? `edit:${editing}` : `${kind}:${unit}:${person ?? ''}`}`;
}

function storage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadRequestDraft(key: string, s: StorageLike | null = storage()): RequestDraft | null {
  try {
    const raw = s?.getItem(key);
    if (!raw) return null;
    const d = JSON.parse(raw) as RequestDraft;
    if (!d || typeof d !== 'object' || !d.cells || typeof d.cells !== 'object') return null;
    const cells: Cells = {};
    for (const [k, v] of Object.entries(d.cells)) if (typeof v === 'string') cells[k] = v;
    return { cells, savedAt: Number(d.savedAt) || 0 };
  } catch {
    return null;
  }
}

export function saveRequestDraft(key: string, cells: Cells, s: StorageLike | null = storage(), now = Date.now()): boolean {
  try {
    if (!s) return false;
    s.setItem(key, JSON.stringify({ cells, savedAt: now }));
    return true;
  } catch {
    return false;
  }
}

export function clearRequestDraft(key: string, s: StorageLike | null = storage()): void {
  try {
    s?.removeItem(key);
  } catch {
    /* nothing to do */
  }
}

/** The cells of a stored request (RequestView.body) to correct it (a returned one). */
export function cellsOfRequest(body: Record<string, unknown>): Cells {
  const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  switch (body.kind) {
    case '用编计划':
      return { 编制类型: s(body.quotaKind), 数量: s(body.count), 申请理由: s(body.reason), 有效期至: s(body.validUntil) };
    case '增人入编': {
      const cells: Cells = {};
      for (const [k, v] of Object.entries((body.cells as Record<string, unknown>) ?? {})) cells[k] = s(v);
      return { ...cells, 使用编制类型: s(body.quotaKind), 申请理由: s(body.reason) };
    }
    case '减人出编':
      return { 出编原因: s(body.exitReason), 出编日期: s(body.exitDate), 申请理由: s(body.reason) };
    case '领导职数使用':
      return { 领导职务层次: s(body.postKind), 申请理由: s(body.reason) };
    default:
      return {};
  }
}

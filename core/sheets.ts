// The import workbook of the data dictionary (../shared/docs/data-dictionary.md) as zod schemas:
// one per sheet, mapping the Chinese columns onto the typed inputs of core/inputs.ts. Pure: the
// cells come in as read (string | number | Date | null) and the results go out as values,
// import errors and notices. db/import.ts does the reading, the look-up of stored units and the
// writing.
//
// Import errors are only keys and types (the dictionary's paragraph on import errors vs findings):
// a missing key, a date that is no date, a number that is no integer, a missing 机构名称 /
// 所属区划 / 姓名 / 核定数, a 编制类型 / 职数类型 / 角色 outside its list, an unknown unit, a key
// twice in one sheet, and a value the database cannot hold (too long, 是/否 that is neither,
// an ID number that is masked or that Excel has rounded). Everything else is stored as given and
// flagged later by the rules.

import { z } from 'zod';
import { DateInputError, excelDateToIso, validDataDate, validExcelDay } from './dates.ts';
import { DICTIONARY, multiLineProblem, singleLineProblem } from './dictionary.ts';
import { maskId, normaliseIdNumber } from './idnumber.ts';
import type { DataSet, LeaderPostInput, PersonInput, QuotaInput, UnitInput, UserInput, WorkerInput } from './inputs.ts';
import type { IsoDate } from './model.ts';
import { normaliseUscc } from './uscc.ts';

/** A cell as read from a workbook or a CSV file. */
export type CellValue = string | number | Date | null;

/** The sheets in the order they are stored (units before what refers to them). */
export const SHEET_NAMES = ['机构', '编制', '领导职数', '人员', '编外人员', '用户'] as const;
export type SheetName = (typeof SHEET_NAMES)[number];

/** The column an error workbook adds to every sheet; ignored when such a workbook is re-imported. */
export const ERROR_COLUMN = '错误说明';

export interface SheetValues {
  机构: UnitInput;
  编制: QuotaInput;
  领导职数: LeaderPostInput;
  人员: PersonInput;
  编外人员: WorkerInput;
  用户: UserInput;
}

/** The value lists that decide import errors (the others only feed the rules). */
export interface KeyLists {
  编制类型: readonly string[];
  职数类型: readonly string[];
  角色: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Cells

/** Full-width ASCII (！ … ～) to half-width, ideographic space to a space. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** A cell as text: dates as ISO days, numbers as written by JavaScript, text untouched. */
export function cellString(v: CellValue | undefined): string {
  if (v == null) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : excelDateToIso(v);
  return typeof v === 'number' ? String(v) : v;
}

/** A header as compared: half-width, no spaces at all, ASCII letters upper-case. */
export function normaliseHeader(v: CellValue | undefined): string {
  return toHalfWidth(cellString(v)).replace(/\s+/g, '').toUpperCase();
}

/** A header as kept (for `extra` keys and notices): half-width, no spaces. */
function cleanHeader(v: CellValue | undefined): string {
  return toHalfWidth(cellString(v)).replace(/\s+/g, '');
}

function isBlank(v: CellValue | undefined): boolean {
  return v == null || (typeof v === 'string' && v.trim() === '');
}

const ID_LIKE = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;

/** Masks anything shaped like an ID number, so no message or file quotes one in clear. */
export function maskIdLike(s: string): string {
  return s.replace(ID_LIKE, (m) => maskId(m.toUpperCase()));
}

/** A cell value quoted in a message: shortened, ID-like digits masked. */
export function quote(v: CellValue | string): string {
  const t = maskIdLike(toHalfWidth(cellString(v)).trim());
  return [...t].length > 40 ? `${[...t].slice(0, 40).join('')}…` : t;
}

const len = (s: string) => [...s].length;

class CellProblem extends Error {}
const fail = (message: string): never => {
  throw new CellProblem(message);
};

/** One cell through a parser of this file: its value, or the Chinese reason it is refused. */
export function tryCell<T>(parse: (v: CellValue) => T, v: CellValue | undefined): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: parse(v ?? null) };
  } catch (e) {
    if (!(e instanceof CellProblem)) throw e;
    return { ok: false, message: e.message };
  }
}

/** Refuses a cell with the Chinese reason (for parsers written elsewhere and run through tryCell). */
export function cellFail(message: string): never {
  throw new CellProblem(message);
}

/** A zod schema over one cell: the parser throws CellProblem with the Chinese reason. */
function cell<T>(parse: (v: CellValue) => T) {
  return z.custom<CellValue | undefined>().transform((v, ctx): T => {
    try {
      return parse(v ?? null);
    } catch (e) {
      if (!(e instanceof CellProblem)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
  });
}

export const MSG_EMPTY = '不能为空';
const DATE_FORMS = '可用格式：YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD、YYYY年M月D日，只知年月时用YYYY-MM';

export function required<T>(parse: (v: CellValue) => T | null): (v: CellValue) => T {
  return (v) => {
    const r = parse(v);
    return r == null ? fail(MSG_EMPTY) : r;
  };
}

/** A text cell: one line unless the field is one of MULTI_LINE_FIELDS (core/dictionary.ts). */
export function text(max: number, lines: 'one' | 'several' = 'one'): (v: CellValue) => string | null {
  return (v) => {
    const t = cellString(v).trim();
    if (t === '') return null;
    if (len(t) > max) fail(`内容过长（最多${max}个字符，现为${len(t)}个）`);
    const problem = lines === 'one' ? singleLineProblem(t) : multiLineProblem(t);
    if (problem) fail(problem);
    return t;
  };
}

export function usccCell(v: CellValue): string | null {
  const code = normaliseUscc(cellString(v));
  if (code === '') return null;
  if (code.length > 32) fail(`“${quote(code)}”过长（统一社会信用代码应为18位）`);
  const problem = singleLineProblem(code);
  return problem ? fail(problem) : code;
}

export function idCell(v: CellValue): string | null {
  if (typeof v === 'number') {
    // Excel keeps 15 significant digits: an 18-digit number typed into a number cell is already lost.
    if (!Number.isSafeInteger(v) || v > 999_999_999_999_999) fail('以数值格式保存，超过15位的号码已被Excel改写，请将该列设为文本格式后重新填写');
  }
  const raw = cellString(v);
  const { value } = normaliseIdNumber(raw);
  if (value === '') return null;
  if (value.includes('*')) fail('为脱敏号码（含“*”），请填写完整的身份证号');
  if (value.length > 32) fail(`内容过长（身份证号应为18位，现为${value.length}位）`);
  const problem = singleLineProblem(raw.trim());
  if (problem) fail(problem);
  // The number as written (only the outer spaces trimmed): the store normalises it and records
  // whether it had to (lower-case x, full-width digits, inner spaces), which P-ID-07 reports.
  return raw.trim();
}

const DATE_SPELLINGS = [
  /^\d{4}-\d{1,2}-\d{1,2}$/,
  /^\d{4}\/\d{1,2}\/\d{1,2}$/,
  /^\d{4}\.\d{1,2}\.\d{1,2}$/,
  /^\d{4}年\d{1,2}月\d{1,2}日$/,
  /^\d{4}-\d{1,2}$/,
];

/** The date spellings of the data dictionary, and Excel date cells. Anything else is an error. */
export function dateCell(v: CellValue): IsoDate | null {
  if (v == null) return null;
  const t = v instanceof Date ? null : toHalfWidth(String(v)).trim();
  if (t === '') return null;
  if (t !== null && !DATE_SPELLINGS.some((re) => re.test(t))) fail(`“${quote(t)}”不是有效日期（${DATE_FORMS}）`);
  // The one validator of dates (core/dates.ts): a real day within the data's years.
  try {
    return v instanceof Date ? validExcelDay(v, '') : validDataDate(t!, '');
  } catch (e) {
    if (!(e instanceof DateInputError)) throw e;
    return fail(e.reason === 'invalid' ? `“${quote(t ?? v)}”不是有效日期（${DATE_FORMS}）` : e.message);
  }
}

/** An integer ≥ 0 (a number cell, or text such as "12" or "12.0"). */
export function intCell(v: CellValue): number | null {
  if (v == null) return null;
  if (v instanceof Date) return fail(`“${quote(v)}”不是整数`);
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const t = toHalfWidth(v).trim();
    if (t === '') return null;
    n = /^[+-]?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  }
  if (!Number.isInteger(n)) fail(`“${quote(v)}”不是整数`);
  if (n < 0) fail(`“${quote(v)}”应为不小于0的整数`);
  if (n > 2_147_483_647) fail(`“${quote(v)}”超出范围`);
  return n;
}

export function yesNoCell(v: CellValue): boolean | null {
  const t = toHalfWidth(cellString(v)).trim();
  if (t === '') return null;
  if (t === '是') return true;
  if (t === '否') return false;
  return fail(`“${quote(t)}”应填“是”或“否”`);
}

function regionCell(v: CellValue): string | null {
  const t = toHalfWidth(cellString(v)).trim();
  if (t === '') return null;
  return /^\d{6}$/.test(t) ? t : fail(`“${quote(t)}”应为6位数字的行政区划代码`);
}

function officesCell(v: CellValue): string[] {
  const names = cellString(v).split('、').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (len(name) > 100) fail(`内设机构名称“${quote(name)}”过长（最多100个字符）`);
    const problem = singleLineProblem(name);
    if (problem) fail(`内设机构名称${problem}`);
  }
  return names;
}

export function oneOf(label: string, list: readonly string[]): (v: CellValue) => string | null {
  return (v) => {
    const t = cellString(v).trim();
    if (t === '') return null;
    return list.includes(t) ? t : fail(`“${quote(t)}”不是有效的${label}（可填：${list.join('、')}）`);
  };
}

// ---------------------------------------------------------------------------------------------
// Sheets

export interface SheetSpec<S extends SheetName> {
  name: S;
  /** The dictionary's columns, in its order (exports write them in this order). */
  columns: readonly string[];
  /** Columns whose absence makes every row unstorable: reported once, on the header row. */
  requiredColumns: readonly string[];
  /** The record's key within the sheet; the last one names the field of a duplicate. */
  keyColumns: readonly string[];
  /** Columns holding the credit code of a unit that must exist. */
  refColumns: readonly string[];
  /** Unknown columns are kept in `extra` (the other sheets have nowhere to keep them). */
  keepsExtra: boolean;
  schema: z.ZodType<SheetValues[S]>;
  /** The inverse, for exports: the record as cells under the same headers. */
  toCells(value: SheetValues[S]): Record<string, CellValue>;
}

export type SheetSpecs = { readonly [S in SheetName]: SheetSpec<S> };

const yesNo = (b: boolean | null | undefined): CellValue => (b == null ? null : b ? '是' : '否');
const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

/** The sheet schemas, with the key lists an office may have extended. */
export function sheetSpecs(lists: Partial<KeyLists> = {}): SheetSpecs {
  const quotaKinds = lists.编制类型 ?? DICTIONARY.编制类型;
  const postKinds = lists.职数类型 ?? DICTIONARY.职数类型;
  const roles = lists.角色 ?? DICTIONARY.角色;

  const unitShape = {
    统一社会信用代码: cell(required(usccCell)),
    机构名称: cell(required(text(200))),
    上级机构代码: cell(usccCell),
    所属区划: cell(required(regionCell)),
    区划名称: cell(text(64)),
    机构性质: cell(text(32)),
    事业单位类别: cell(text(32)),
    是否参公: cell(yesNoCell),
    机构规格: cell(text(16)),
    经费形式: cell(text(16)),
    批准文号: cell(text(100)),
    批准日期: cell(dateCell),
    内设机构: cell(officesCell),
    内设机构核定数: cell(intCell),
    主要职责: cell(text(20000, 'several')),
    是否年报单位: cell(yesNoCell),
    编外用工控制数: cell(intCell),
    工作群: cell(text(128)),
  };
  const unit: SheetSpec<'机构'> = {
    name: '机构',
    columns: Object.keys(unitShape),
    requiredColumns: ['统一社会信用代码', '机构名称', '所属区划'],
    keyColumns: ['统一社会信用代码'],
    refColumns: ['上级机构代码'],
    keepsExtra: true,
    schema: z.object(unitShape).transform((r): UnitInput => ({
      code: r.统一社会信用代码,
      name: r.机构名称,
      parentCode: r.上级机构代码,
      regionCode: r.所属区划,
      regionName: r.区划名称,
      nature: r.机构性质,
      category: r.事业单位类别,
      isCanGong: r.是否参公,
      level: r.机构规格,
      funding: r.经费形式,
      approvalNo: r.批准文号,
      approvalDate: r.批准日期,
      internalOffices: r.内设机构,
      internalOfficesApproved: r.内设机构核定数,
      duties: r.主要职责,
      annualReport: r.是否年报单位,
      workerCap: r.编外用工控制数,
      groupId: r.工作群,
    })),
    toCells: (u) => ({
      统一社会信用代码: u.code,
      机构名称: u.name,
      上级机构代码: orNull(u.parentCode),
      所属区划: u.regionCode,
      区划名称: orNull(u.regionName),
      机构性质: orNull(u.nature),
      事业单位类别: orNull(u.category),
      是否参公: yesNo(u.isCanGong),
      机构规格: orNull(u.level),
      经费形式: orNull(u.funding),
      批准文号: orNull(u.approvalNo),
      批准日期: orNull(u.approvalDate),
      内设机构: u.internalOffices?.length ? u.internalOffices.join('、') : null,
      内设机构核定数: orNull(u.internalOfficesApproved),
      主要职责: orNull(u.duties),
      是否年报单位: yesNo(u.annualReport),
      编外用工控制数: orNull(u.workerCap),
      工作群: orNull(u.groupId),
    }),
  };

  const ledgerShape = <K extends '编制类型' | '职数类型'>(kindColumn: K, kinds: readonly string[]) => ({
    统一社会信用代码: cell(required(usccCell)),
    ...({ [kindColumn]: cell(required(oneOf(kindColumn, kinds))) } as Record<K, ReturnType<typeof cell<string>>>),
    核定数: cell(required(intCell)),
    批准文号: cell(text(100)),
  });
  const quota: SheetSpec<'编制'> = {
    name: '编制',
    columns: ['统一社会信用代码', '编制类型', '核定数', '批准文号'],
    requiredColumns: ['统一社会信用代码', '编制类型', '核定数'],
    keyColumns: ['统一社会信用代码', '编制类型'],
    refColumns: ['统一社会信用代码'],
    keepsExtra: false,
    schema: z.object(ledgerShape('编制类型', quotaKinds)).transform((r): QuotaInput => ({ unitCode: r.统一社会信用代码, kind: r.编制类型, approved: r.核定数, approvalNo: r.批准文号 })),
    toCells: (q) => ({ 统一社会信用代码: q.unitCode, 编制类型: q.kind, 核定数: q.approved, 批准文号: orNull(q.approvalNo) }),
  };
  const leaderPost: SheetSpec<'领导职数'> = {
    name: '领导职数',
    columns: ['统一社会信用代码', '职数类型', '核定数', '批准文号'],
    requiredColumns: ['统一社会信用代码', '职数类型', '核定数'],
    keyColumns: ['统一社会信用代码', '职数类型'],
    refColumns: ['统一社会信用代码'],
    keepsExtra: false,
    schema: z.object(ledgerShape('职数类型', postKinds)).transform((r): LeaderPostInput => ({ unitCode: r.统一社会信用代码, kind: r.职数类型, approved: r.核定数, approvalNo: r.批准文号 })),
    toCells: (q) => ({ 统一社会信用代码: q.unitCode, 职数类型: q.kind, 核定数: q.approved, 批准文号: orNull(q.approvalNo) }),
  };

  const personShape = {
    统一社会信用代码: cell(required(usccCell)),
    身份证号: cell(required(idCell)),
    姓名: cell(required(text(64))),
    性别: cell(text(4)),
    民族: cell(text(16)),
    出生日期: cell(dateCell),
    所在处室: cell(text(100)),
    在编状态: cell(text(8)),
    使用编制类型: cell(text(16)),
    职务: cell(text(200)),
    领导职务层次: cell(text(8)),
    职级: cell(text(16)),
    岗位类别: cell(text(16)),
    职称: cell(text(8)),
    在岗状态: cell(text(8)),
    在岗状态起始日期: cell(dateCell),
    入编时间: cell(dateCell),
    参加工作时间: cell(dateCell),
    任现职时间: cell(dateCell),
    学历: cell(text(16)),
    人员身份: cell(text(4)),
    延迟退休截止日期: cell(dateCell),
    // Not in the dictionary's table, but a field of the roster (PersonInput.politics, rule P-ID-14).
    政治面貌: cell(text(16)),
  };
  const person: SheetSpec<'人员'> = {
    name: '人员',
    columns: Object.keys(personShape),
    requiredColumns: ['统一社会信用代码', '身份证号', '姓名'],
    keyColumns: ['统一社会信用代码', '身份证号'],
    refColumns: ['统一社会信用代码'],
    keepsExtra: true,
    schema: z.object(personShape).transform((r): PersonInput => ({
      unitCode: r.统一社会信用代码,
      idNumber: r.身份证号,
      name: r.姓名,
      gender: r.性别,
      ethnicity: r.民族,
      birthDate: r.出生日期,
      office: r.所在处室,
      status: r.在编状态,
      quotaKind: r.使用编制类型,
      posts: r.职务,
      leaderLevel: r.领导职务层次,
      rank: r.职级,
      postCategory: r.岗位类别,
      title: r.职称,
      dutyStatus: r.在岗状态,
      dutyStatusSince: r.在岗状态起始日期,
      enteredOn: r.入编时间,
      workStartOn: r.参加工作时间,
      currentPostSince: r.任现职时间,
      education: r.学历,
      identity: r.人员身份,
      lateRetireUntil: r.延迟退休截止日期,
      politics: r.政治面貌,
    })),
    toCells: (p) => ({
      统一社会信用代码: p.unitCode,
      身份证号: p.idNumber,
      姓名: p.name,
      性别: orNull(p.gender),
      民族: orNull(p.ethnicity),
      出生日期: orNull(p.birthDate),
      所在处室: orNull(p.office),
      在编状态: orNull(p.status),
      使用编制类型: orNull(p.quotaKind),
      职务: orNull(p.posts),
      领导职务层次: orNull(p.leaderLevel),
      职级: orNull(p.rank),
      岗位类别: orNull(p.postCategory),
      职称: orNull(p.title),
      在岗状态: orNull(p.dutyStatus),
      在岗状态起始日期: orNull(p.dutyStatusSince),
      入编时间: orNull(p.enteredOn),
      参加工作时间: orNull(p.workStartOn),
      任现职时间: orNull(p.currentPostSince),
      学历: orNull(p.education),
      人员身份: orNull(p.identity),
      延迟退休截止日期: orNull(p.lateRetireUntil),
      政治面貌: orNull(p.politics),
    }),
  };

  const workerShape = {
    统一社会信用代码: cell(required(usccCell)),
    身份证号: cell(required(idCell)),
    姓名: cell(required(text(64))),
    性别: cell(text(4)),
    岗位分类: cell(text(16)),
    具体工作岗位: cell(text(100)),
    用工方式: cell(text(16)),
    首次签订合同时间: cell(dateCell),
  };
  const worker: SheetSpec<'编外人员'> = {
    name: '编外人员',
    columns: Object.keys(workerShape),
    requiredColumns: ['统一社会信用代码', '身份证号', '姓名'],
    keyColumns: ['统一社会信用代码', '身份证号'],
    refColumns: ['统一社会信用代码'],
    keepsExtra: true,
    schema: z.object(workerShape).transform((r): WorkerInput => ({
      unitCode: r.统一社会信用代码,
      idNumber: r.身份证号,
      name: r.姓名,
      gender: r.性别,
      postClass: r.岗位分类,
      postName: r.具体工作岗位,
      employment: r.用工方式,
      firstContractOn: r.首次签订合同时间,
    })),
    toCells: (w) => ({
      统一社会信用代码: w.unitCode,
      身份证号: w.idNumber,
      姓名: w.name,
      性别: orNull(w.gender),
      岗位分类: orNull(w.postClass),
      具体工作岗位: orNull(w.postName),
      用工方式: orNull(w.employment),
      首次签订合同时间: orNull(w.firstContractOn),
    }),
  };

  const userShape = {
    用户ID: cell(required(text(64))),
    姓名: cell(required(text(64))),
    角色: cell(required(oneOf('角色', roles))),
    统一社会信用代码: cell(usccCell),
    手机: cell(text(11)),
    所属区划: cell(regionCell),
  };
  const user: SheetSpec<'用户'> = {
    name: '用户',
    columns: Object.keys(userShape),
    requiredColumns: ['用户ID', '姓名', '角色'],
    keyColumns: ['用户ID'],
    refColumns: ['统一社会信用代码'],
    keepsExtra: false,
    schema: z.object(userShape).transform((r): UserInput => ({ id: r.用户ID, name: r.姓名, role: r.角色, unitCode: r.统一社会信用代码, mobile: r.手机, regionCode: r.所属区划 })),
    toCells: (u) => ({ 用户ID: u.id, 姓名: u.name, 角色: u.role, 统一社会信用代码: orNull(u.unitCode), 手机: orNull(u.mobile), 所属区划: orNull(u.regionCode) }),
  };

  return { 机构: unit, 编制: quota, 领导职数: leaderPost, 人员: person, 编外人员: worker, 用户: user };
}

/** The sheets with the dictionary's default lists. */
export const SHEETS: SheetSpecs = sheetSpecs();

// ---------------------------------------------------------------------------------------------
// Workbooks

export interface RawRow {
  /** The row number in the workbook (the header is row 1). */
  row: number;
  cells: CellValue[];
}

export interface RawSheet {
  /** The sheet's name as written (a CSV file's name without .csv). */
  name: string;
  header: CellValue[];
  rows: RawRow[];
}

export interface ImportIssue {
  /** The sheet's dictionary name ('' for a problem of the whole workbook). */
  sheet: string;
  row: number;
  field: string;
  /** `第12行 身份证号：…`, never quoting an ID number in clear. */
  message: string;
}

export interface UnitRef {
  sheet: SheetName;
  row: number;
  field: string;
  code: string;
}

export interface ParsedWorkbook {
  /** The records of the rows without errors, in the order they are stored. */
  data: DataSet;
  records: { [S in SheetName]: Array<{ row: number; value: SheetValues[S] }> };
  /** The recognised sheets: dictionary name and the name as written. */
  sheets: Array<{ name: SheetName; source: string }>;
  /** Unit references of every row (taken from the cells, so rows with other errors count too). */
  refs: UnitRef[];
  /** Credit codes on the 机构 sheet. */
  definedUnits: Set<string>;
  errors: ImportIssue[];
  notices: string[];
}

export function issue(sheet: string, row: number, field: string, reason: string): ImportIssue {
  return { sheet, row, field, message: `第${row}行 ${field}：${reason}` };
}

/** The dictionary name of a sheet (or a CSV file's base name), or null. */
export function matchSheetName(name: string): SheetName | null {
  const n = normaliseHeader(name.normalize('NFC'));
  return SHEET_NAMES.find((s) => s === n) ?? null;
}

/** Whether a header cell is the error column of an error workbook (possibly with header-row problems). */
export function isErrorColumn(v: CellValue | undefined): boolean {
  return normaliseHeader(v).startsWith(ERROR_COLUMN);
}

function keyPart(column: string, v: CellValue | undefined): string {
  if (column === '身份证号') return normaliseIdNumber(cellString(v)).value;
  if (column === '统一社会信用代码' || column === '上级机构代码') return normaliseUscc(cellString(v));
  return cellString(v).trim();
}

function* parseSheet<S extends SheetName>(spec: SheetSpec<S>, raw: RawSheet, out: ParsedWorkbook): Generator<void, void> {
  const name = spec.name;
  const byHeader = new Map(spec.columns.map((c) => [normaliseHeader(c), c]));
  const at = new Map<string, number>();
  const extras: Array<{ index: number; key: string }> = [];
  const doubled: string[] = [];
  raw.header.forEach((h, index) => {
    const n = normaliseHeader(h);
    if (n === '' || isErrorColumn(h)) return;
    const column = byHeader.get(n);
    if (column) {
      if (at.has(column)) doubled.push(column);
      else at.set(column, index);
      return;
    }
    const key = cleanHeader(h);
    if (extras.some((e) => e.key === key)) doubled.push(key);
    else extras.push({ index, key });
  });
  if (extras.length) {
    const names = extras.map((e) => `“${maskIdLike(e.key)}”`).join('、');
    out.notices.push(`${name}：未识别的列${names}${spec.keepsExtra ? '已作为附加信息保留' : '已忽略'}`);
  }
  if (doubled.length) out.notices.push(`${name}：列${[...new Set(doubled)].map((c) => `“${c}”`).join('、')}出现多次，只读取第一列`);

  const rows = raw.rows.filter((r) => !r.cells.every(isBlank));
  if (!rows.length) return;
  const missing = new Set(spec.requiredColumns.filter((c) => !at.has(c)));
  for (const c of missing) out.errors.push(issue(name, 1, c, `缺少必填列“${c}”`));

  const seen = new Map<string, number>();
  const records = out.records[name] as Array<{ row: number; value: SheetValues[S] }>;
  for (const { row, cells } of rows) {
    const get = (column: string): CellValue => {
      const i = at.get(column);
      return i === undefined ? null : (cells[i] ?? null);
    };
    const input: Record<string, CellValue> = {};
    for (const c of spec.columns) input[c] = get(c);

    let ok = true;
    const bad = new Set<string>();
    const parsed = spec.schema.safeParse(input);
    if (!parsed.success) {
      for (const is of parsed.error.issues) {
        const field = String(is.path[0] ?? '');
        bad.add(field);
        if (missing.has(field)) continue;
        out.errors.push(issue(name, row, field, is.message));
      }
      ok = false;
    }

    // A key that is no key (masked, rounded by Excel) is reported as such, not as a duplicate.
    const parts = spec.keyColumns.map((c) => keyPart(c, get(c)));
    if (parts.every(Boolean) && !spec.keyColumns.some((c) => bad.has(c))) {
      const key = parts.join('|');
      const first = seen.get(key);
      if (first !== undefined) {
        out.errors.push(issue(name, row, spec.keyColumns[spec.keyColumns.length - 1], `与第${first}行重复`));
        ok = false;
      } else seen.set(key, row);
    }
    if (name === '机构' && parts[0]) out.definedUnits.add(parts[0]);
    for (const c of spec.refColumns) {
      const code = keyPart(c, get(c));
      if (code) out.refs.push({ sheet: name, row, field: c, code });
    }

    if (ok && parsed.success) {
      const value = parsed.data;
      if (spec.keepsExtra) {
        const extra: Record<string, string> = {};
        for (const e of [...extras].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
          const t = cellString(cells[e.index]).trim();
          if (t !== '') extra[e.key] = t;
        }
        if (Object.keys(extra).length) (value as { extra?: Record<string, string> | null }).extra = extra;
      }
      records.push({ row, value });
    }
    yield;
  }
}

function sortIssues(errors: ImportIssue[], specs: SheetSpecs): void {
  const sheetIndex = (s: string) => {
    const i = (SHEET_NAMES as readonly string[]).indexOf(s);
    return i < 0 ? -1 : i;
  };
  const fieldIndex = (s: string, f: string) => {
    const spec = specs[s as SheetName];
    const i = spec ? spec.columns.indexOf(f) : -1;
    return i < 0 ? 999 : i;
  };
  errors.sort((a, b) => sheetIndex(a.sheet) - sheetIndex(b.sheet) || a.row - b.row || fieldIndex(a.sheet, a.field) - fieldIndex(b.sheet, b.field));
}

/**
 * Reads the sheets of a workbook: recognised sheets are parsed row by row, unknown sheets and
 * columns are reported as notices. Unit references are collected but not judged: call
 * checkUnitReferences with the credit codes already stored.
 */
export function parseWorkbook(sheets: RawSheet[], opts: { lists?: Partial<KeyLists> } = {}): ParsedWorkbook {
  const steps = parseWorkbookInSteps(sheets, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * parseWorkbook one row at a time: yields after every row it validated, so a caller with a large
 * workbook can let other work run (and report progress) between rows.
 */
export function* parseWorkbookInSteps(sheets: RawSheet[], opts: { lists?: Partial<KeyLists> } = {}): Generator<void, ParsedWorkbook> {
  const specs = opts.lists ? sheetSpecs(opts.lists) : SHEETS;
  const out: ParsedWorkbook = {
    data: { units: [], quotas: [], leaderPosts: [], people: [], workers: [], users: [] },
    records: { 机构: [], 编制: [], 领导职数: [], 人员: [], 编外人员: [], 用户: [] },
    sheets: [], refs: [], definedUnits: new Set(), errors: [], notices: [],
  };
  const bySheet = new Map<SheetName, RawSheet>();
  for (const s of sheets) {
    const name = matchSheetName(s.name);
    if (!name) out.notices.push(`未识别的工作表“${s.name}”已跳过`);
    else if (bySheet.has(name)) out.notices.push(`工作表“${s.name}”与“${bySheet.get(name)!.name}”重复，已跳过`);
    else bySheet.set(name, s);
  }
  for (const name of SHEET_NAMES) {
    const raw = bySheet.get(name);
    if (!raw) continue;
    out.sheets.push({ name, source: raw.name });
    yield* parseSheet(specs[name] as SheetSpec<typeof name>, raw, out);
  }
  out.data = {
    units: out.records.机构.map((r) => r.value),
    quotas: out.records.编制.map((r) => r.value),
    leaderPosts: out.records.领导职数.map((r) => r.value),
    people: out.records.人员.map((r) => r.value),
    workers: out.records.编外人员.map((r) => r.value),
    users: out.records.用户.map((r) => r.value),
  };
  sortIssues(out.errors, specs);
  return out;
}

/** Credit codes the workbook refers to without defining them on its 机构 sheet. */
export function externalUnitCodes(p: ParsedWorkbook): string[] {
  return [...new Set(p.refs.map((r) => r.code).filter((c) => !p.definedUnits.has(c)))];
}

/** Adds an error for every reference to a unit that is neither in the workbook nor stored. */
export function checkUnitReferences(p: ParsedWorkbook, stored: ReadonlySet<string>): void {
  for (const r of p.refs) {
    if (p.definedUnits.has(r.code) || stored.has(r.code)) continue;
    const what = r.field === '上级机构代码' ? '上级机构' : '机构';
    p.errors.push(issue(r.sheet, r.row, r.field, `${what}“${r.code}”不存在（不在本工作簿的“机构”表中，也未在系统中登记）`));
  }
  sortIssues(p.errors, SHEETS);
}

/**
 * 用户 sheet: an office role's 所属区划 must be a region the deployment knows (carried by a unit,
 * stored or on this workbook's 机构 sheet, or in the regions table); a unit role's is ignored.
 */
export function checkUserRegions(p: ParsedWorkbook, known: ReadonlySet<string>, officeRoles: ReadonlySet<string>): void {
  const onSheet = new Set(p.data.units.map((u) => u.regionCode).filter(Boolean));
  for (const { row, value } of p.records.用户) {
    const code = value.regionCode;
    if (!code || !officeRoles.has(value.role) || known.has(code) || onSheet.has(code)) continue;
    p.errors.push(issue('用户', row, '所属区划', `“${code}”不是本系统的区划（没有单位属于该区划，区划表中也没有）`));
  }
  sortIssues(p.errors, SHEETS);
}

/** The messages of each row of one sheet, for the 错误说明 column. */
export function messagesByRow(errors: ImportIssue[], sheet: SheetName): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const e of errors) {
    if (e.sheet !== sheet) continue;
    const list = out.get(e.row);
    if (list) list.push(e.message);
    else out.set(e.row, [e.message]);
  }
  return out;
}

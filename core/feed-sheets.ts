// The import sheets of the other departments' rosters (issue 16): 社保, 工资统发 and 组织部任免,
// one sheet each, in the data dictionary's style (Chinese headers in row 1, column order free,
// headers matched like the main workbook's). Pure: cells in, a typed record or the Chinese
// import errors of its row out. db/feeds.ts reads the file, resolves units and ID numbers, and
// writes.
//
// Import errors are only keys and types, as for the main workbook: a missing 姓名 / unit / status,
// a date or month that is no date, a value outside its list, an amount that is no number, an ID
// number that is masked or that Excel has rounded. An ID number with a wrong check digit, or none
// at all, is no import error: the row is stored without the keyed hash and offered for candidate
// matching (core/feed-match.ts).

import { DateInputError, excelDateToIso, validMonth } from './dates.ts';
import { APPOINTMENT_ACTIONS, FEED_KIND_NAMES, type FeedKind, SI_STATUSES } from './feeds.ts';
import {
  type CellValue, cellFail, cellString, dateCell, idCell, type ImportIssue, isErrorColumn, issue, MSG_EMPTY, normaliseHeader, oneOf,
  quote, required, text, toHalfWidth, tryCell, usccCell, yesNoCell,
} from './sheets.ts';

export interface FeedColumn {
  name: string;
  /** As the data dictionary writes it: key, yes, no. */
  required: 'key' | 'yes' | 'no';
  /** The dictionary's "values / format" cell. */
  format: string;
}

export interface FeedSheet {
  kind: FeedKind;
  /** The sheet's name (and a CSV file's base name): the kind's name. */
  sheet: string;
  /** The column naming the unit. */
  unitColumn: string;
  columns: readonly FeedColumn[];
}

const ID_COLUMN: FeedColumn = {
  name: '身份证号', required: 'key',
  format: '18 (or legacy 15) characters, matched by keyed hash; empty or a wrong check digit: stored without hash, offered for candidate matching by 姓名 + 出生日期; masked (`*`) or rounded by Excel: import error',
};
const NAME: FeedColumn = { name: '姓名', required: 'yes', format: 'text' };
const USCC: FeedColumn = { name: '统一社会信用代码', required: 'no', format: 'the unit\'s code; decides the unit when given (a code several units share: the one of the same name)' };
const BIRTH: FeedColumn = { name: '出生日期', required: 'no', format: 'date; for matching rows without a valid ID number (else taken from the number)' };

export const FEED_SHEETS: Readonly<Record<FeedKind, FeedSheet>> = {
  社保: {
    kind: '社保', sheet: '社保', unitColumn: '参保单位',
    columns: [
      ID_COLUMN, NAME,
      { name: '参保单位', required: 'yes', format: 'the unit\'s name as the social-insurance office writes it (matched to a unit by name when no code is given)' },
      USCC, BIRTH,
      { name: '参保状态', required: 'yes', format: SI_STATUSES.join(', ') },
      { name: '起始月份', required: 'no', format: 'YYYY-MM' },
      { name: '终止月份', required: 'no', format: 'YYYY-MM' },
    ],
  },
  工资统发: {
    kind: '工资统发', sheet: '工资统发', unitColumn: '发薪单位',
    columns: [
      ID_COLUMN, NAME,
      { name: '发薪单位', required: 'yes', format: 'the unit\'s name as the payroll writes it' },
      USCC, BIRTH,
      { name: '月份', required: 'yes', format: 'YYYY-MM; a file may hold several months, each replaces that month\'s earlier import' },
      { name: '应发', required: 'no', format: 'number ≥ 0 (yuan); paid when > 0' },
      { name: '是否发放', required: 'no', format: '是 / 否; without 应发 and 是否发放 a row counts as paid' },
    ],
  },
  组织部任免: {
    kind: '组织部任免', sheet: '组织部任免', unitColumn: '单位',
    columns: [
      ID_COLUMN, NAME,
      { name: '单位', required: 'yes', format: 'the unit\'s name as the document writes it' },
      USCC, BIRTH,
      { name: '职务', required: 'no', format: 'text, e.g. 副局长' },
      { name: '职级', required: 'no', format: 'text, e.g. 二级主任科员' },
      { name: '任免', required: 'yes', format: APPOINTMENT_ACTIONS.join(' / ') },
      { name: '文号', required: 'no', format: 'e.g. 柯委干〔2026〕12号' },
      { name: '日期', required: 'yes', format: 'date of the document' },
    ],
  },
};

/** What a row of any feed says of the person and the unit. */
export interface FeedPersonFields {
  /** The ID number as written (outer spaces trimmed); null when empty. */
  idNumber: string | null;
  name: string;
  /** 出生日期 as given (YYYY-MM-DD, or YYYY-MM), or null. */
  birthDate: string | null;
  unitText: string;
  unitCode: string | null;
}

export type FeedRecord =
  | (FeedPersonFields & { kind: '社保'; status: string; fromMonth: string | null; toMonth: string | null })
  | (FeedPersonFields & { kind: '工资统发'; month: string; amount: number | null; paid: boolean })
  | (FeedPersonFields & { kind: '组织部任免'; post: string | null; rank: string | null; action: string; docNo: string | null; docDate: string });

/** The feed of a sheet (or CSV file) name: the kind's name, compared like a header. */
export function feedSheetKind(name: string): FeedKind | null {
  const n = normaliseHeader(name.normalize('NFC'));
  return FEED_KIND_NAMES.find((k) => normaliseHeader(FEED_SHEETS[k].sheet) === n) ?? null;
}

const MONTH_SPELLINGS = [/^(\d{4})-(\d{1,2})$/, /^(\d{4})\/(\d{1,2})$/, /^(\d{4})\.(\d{1,2})$/, /^(\d{4})年(\d{1,2})月?$/, /^(\d{4})(\d{2})$/];
const MONTH_FORMS = '可用格式：YYYY-MM、YYYY/MM、YYYY年M月、YYYYMM';

/** A month cell: the spellings above, a day (its month), or an Excel date cell. */
export function monthCell(v: CellValue): string | null {
  if (v == null) return null;
  let t: string;
  if (v instanceof Date) t = Number.isNaN(v.getTime()) ? '' : excelDateToIso(v).slice(0, 7);
  else t = toHalfWidth(String(v)).trim();
  if (t === '') return null;
  let month: string | null = null;
  for (const re of MONTH_SPELLINGS) {
    const m = re.exec(t);
    if (m) {
      month = `${m[1]}-${m[2].padStart(2, '0')}`;
      break;
    }
  }
  if (!month && /^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$/.test(t)) {
    const day = tryCell(dateCell, t);
    if (day.ok && day.value) month = day.value.slice(0, 7);
  }
  if (!month) return cellFail(`“${quote(t)}”不是有效年月（${MONTH_FORMS}）`);
  try {
    return validMonth(month, '');
  } catch (e) {
    if (!(e instanceof DateInputError)) throw e;
    return cellFail(e.reason === 'invalid' ? `“${quote(t)}”不是有效年月（${MONTH_FORMS}）` : e.message);
  }
}

/** An amount in yuan: a number ≥ 0 with at most two decimals (thousands separators allowed). */
export function amountCell(v: CellValue): number | null {
  if (v == null) return null;
  if (v instanceof Date) return cellFail(`“${quote(v)}”不是金额`);
  let n: number;
  if (typeof v === 'number') n = v;
  else {
    const t = toHalfWidth(v).trim().replace(/^[¥￥]/, '');
    if (t === '') return null;
    n = /^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$/.test(t) ? Number(t.replace(/,/g, '')) : NaN;
  }
  if (!Number.isFinite(n)) return cellFail(`“${quote(v)}”不是金额（应为不小于0的数字）`);
  if (n < 0) return cellFail(`“${quote(v)}”应为不小于0的金额`);
  if (n >= 1e10) return cellFail(`“${quote(v)}”超出范围`);
  return Math.round(n * 100) / 100;
}

/** The columns found in a header row: where each is, and the problems of the header. */
export interface FeedHeader {
  at: Map<string, number>;
  /** Required columns the header lacks (every row is unstorable: one error on row 1 each). */
  missing: string[];
  notices: string[];
}

export function feedHeader(kind: FeedKind, header: CellValue[]): FeedHeader {
  const spec = FEED_SHEETS[kind];
  const byHeader = new Map(spec.columns.map((c) => [normaliseHeader(c.name), c.name]));
  const at = new Map<string, number>();
  const unknown: string[] = [];
  const doubled: string[] = [];
  header.forEach((h, i) => {
    const n = normaliseHeader(h);
    if (n === '' || isErrorColumn(h)) return;
    const column = byHeader.get(n);
    if (!column) unknown.push(toHalfWidth(cellString(h)).replace(/\s+/g, ''));
    else if (at.has(column)) doubled.push(column);
    else at.set(column, i);
  });
  const notices: string[] = [];
  if (unknown.length) notices.push(`${spec.sheet}：未识别的列${unknown.map((u) => `“${quote(u)}”`).join('、')}已忽略`);
  if (doubled.length) notices.push(`${spec.sheet}：列${[...new Set(doubled)].map((c) => `“${c}”`).join('、')}出现多次，只读取第一列`);
  const missing = spec.columns.filter((c) => c.required !== 'no' && c.name !== '身份证号' && !at.has(c.name)).map((c) => c.name);
  return { at, missing, notices };
}

/** The header's own errors (row 1), in the words of the main workbook. */
export function headerIssues(kind: FeedKind, h: FeedHeader): ImportIssue[] {
  return h.missing.map((c) => issue(kind, 1, c, `缺少必填列“${c}”`));
}

/** Whether a row has nothing in it (skipped, like blank rows of the main workbook). */
export function isBlankRow(cells: CellValue[]): boolean {
  return cells.every((v) => v == null || (typeof v === 'string' && v.trim() === ''));
}

const unitText = required(text(200));

/** The ID number cell of the main workbook, and a number Excel wrote in scientific notation (3.30621E+17): rounded, not a number. */
function feedIdCell(v: CellValue): string | null {
  const t = toHalfWidth(cellString(v)).trim();
  if (/^\d+(\.\d+)?E\+?\d+$/i.test(t)) cellFail('以科学计数法保存，号码已被Excel改写，请将该列设为文本格式后重新填写');
  return idCell(v);
}
const nameText = required(text(64));

/**
 * One data row: its record, or its import errors (`第12行 参保状态：…`). Errors on columns the
 * header lacks are left to headerIssues (reported once).
 */
export function parseFeedRow(kind: FeedKind, h: FeedHeader, row: number, cells: CellValue[]): { record: FeedRecord | null; issues: ImportIssue[] } {
  const issues: ImportIssue[] = [];
  const missing = new Set(h.missing);
  const get = (column: string): CellValue => {
    const i = h.at.get(column);
    return i === undefined ? null : (cells[i] ?? null);
  };
  let ok = true;
  const cell = <T>(column: string, parse: (v: CellValue) => T): T => {
    const r = tryCell(parse, get(column));
    if (r.ok) return r.value;
    ok = false;
    if (!missing.has(column)) issues.push(issue(kind, row, column, r.message));
    return null as T;
  };
  const spec = FEED_SHEETS[kind];
  const person: FeedPersonFields = {
    idNumber: cell('身份证号', feedIdCell),
    name: cell('姓名', nameText),
    birthDate: cell('出生日期', dateCell),
    unitText: cell(spec.unitColumn, unitText),
    unitCode: cell('统一社会信用代码', usccCell),
  };
  let record: FeedRecord;
  if (kind === '社保') {
    record = {
      ...person, kind,
      status: cell('参保状态', required(oneOf('参保状态', SI_STATUSES))),
      fromMonth: cell('起始月份', monthCell),
      toMonth: cell('终止月份', monthCell),
    };
  } else if (kind === '工资统发') {
    const amount = cell('应发', amountCell);
    const flag = cell('是否发放', yesNoCell);
    record = {
      ...person, kind,
      month: cell('月份', required(monthCell)),
      amount,
      // Paid when 应发 > 0 or 是否发放 = 是; a row with neither is on the payroll as such.
      paid: flag === true || (amount != null && amount > 0) || (flag == null && amount == null),
    };
  } else {
    record = {
      ...person, kind,
      post: cell('职务', text(100)),
      rank: cell('职级', text(32)),
      action: cell('任免', required(oneOf('任免', APPOINTMENT_ACTIONS))),
      docNo: cell('文号', text(100)),
      docDate: cell('日期', required((v) => {
        const d = dateCell(v);
        if (d && d.length !== 10) cellFail(`“${quote(d)}”应为具体日期（年月日）`);
        return d;
      })),
    };
  }
  const order = (field: string) => spec.columns.findIndex((c) => c.name === field);
  issues.sort((x, y) => order(x.field) - order(y.field));
  return { record: ok ? record : null, issues };
}

export { MSG_EMPTY };

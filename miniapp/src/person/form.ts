// The 人员 record form, pure: the fields of the 人员 sheet (core/sheets.ts) with their
// dictionary lists, the validation adapter over the sheet's zod schema, and the changes sent to
// PUT /api/people/:id. The form holds every value as the text of a sheet cell, keyed by the
// sheet's Chinese column name, so what the user sees is exactly what the schema judges.

import { normaliseIdNumber } from '../../../core/idnumber.ts';
import { ALL_RANKS, DICTIONARY } from '../../../core/dictionary.ts';
import type { PersonInput } from '../../../core/inputs.ts';
import { cellString, SHEETS } from '../../../core/sheets.ts';

export type Cells = Record<string, string>;

export type FieldKind = 'text' | 'date' | 'select' | 'id' | 'unit';

export interface FieldDef {
  /** The sheet's column name: also the label and the key of `changes` and of 400 `fields`. */
  name: string;
  kind: FieldKind;
  /** Options of a select, in groups (a group's label is '' when there is only one). */
  groups?: Array<{ label: string; options: readonly string[] }>;
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

const list = (name: keyof typeof DICTIONARY) => [{ label: '', options: DICTIONARY[name] as readonly string[] }];

const DATE_HINT = '如 2020-05-01，只知年月可填 2020-05';

/** Fields that are dates on the sheet. */
export const DATE_FIELDS: ReadonlySet<string> = new Set(['出生日期', '在岗状态起始日期', '入编时间', '参加工作时间', '任现职时间', '延迟退休截止日期']);

const SELECTS: Record<string, FieldDef['groups']> = {
  性别: list('性别'),
  民族: list('民族'),
  在编状态: list('在编状态'),
  使用编制类型: list('编制类型'),
  领导职务层次: list('领导职务层次'),
  职级: [
    { label: '公务员职级', options: DICTIONARY.公务员职级 },
    { label: '职员等级', options: DICTIONARY.职员等级 },
    { label: '专业技术等级', options: DICTIONARY.专技等级 },
    { label: '工勤技能等级', options: DICTIONARY.工勤等级 },
  ],
  岗位类别: list('岗位类别'),
  职称: list('职称'),
  在岗状态: list('在岗状态'),
  学历: list('学历'),
  人员身份: list('人员身份'),
  政治面貌: list('政治面貌'),
};

/** The 人员 sheet's columns as form fields, in the sheet's order. */
export const PERSON_FIELDS: readonly FieldDef[] = SHEETS.人员.columns.map((name): FieldDef => {
  if (name === '统一社会信用代码') return { name, kind: 'unit' };
  if (name === '身份证号') return { name, kind: 'id', required: true, hint: '完整填写18位号码，末位X可小写' };
  if (DATE_FIELDS.has(name)) return { name, kind: 'date', placeholder: 'YYYY-MM-DD', hint: DATE_HINT };
  const groups = SELECTS[name];
  if (groups) return { name, kind: 'select', groups };
  return { name, kind: 'text', required: name === '姓名' };
});

/** Every option of a select field, flat. */
export function optionsOf(f: FieldDef): string[] {
  return (f.groups ?? []).flatMap((g) => [...g.options]);
}

/** The record as form cells: every column present, empty values as ''. */
export function toCells(p: PersonInput): Cells {
  const raw = SHEETS.人员.toCells(p);
  const out: Cells = {};
  for (const c of SHEETS.人员.columns) out[c] = cellString(raw[c] ?? null);
  return out;
}

/** A masked ID number (as the server gives it): the user has not typed a full one. */
export function isMaskedId(v: string): boolean {
  return v.includes('*');
}

// A syntactically valid number that stands in for a masked ID while the rest is validated; never sent.
const STAND_IN_ID = '11010519491231002X';

export interface Validation {
  /** Chinese message by column name. */
  errors: Record<string, string>;
  /** The record as the sheet reads it (idNumber as the user sees it), when there is no error. */
  value: PersonInput | null;
}

/**
 * Validates the form as the import would validate the row: the 人员 zod schema of core/sheets.ts.
 * The masked ID number the server sends stays masked as long as the user does not type a new one;
 * it is then not judged (the server keeps the stored number).
 */
export function validateCells(cells: Cells): Validation {
  const id = cells['身份证号'] ?? '';
  const keepStoredId = isMaskedId(id);
  const input: Record<string, string | null> = {};
  for (const c of SHEETS.人员.columns) input[c] = cells[c] ?? '';
  if (keepStoredId) input['身份证号'] = STAND_IN_ID;
  const parsed = SHEETS.人员.schema.safeParse(input);
  if (parsed.success) {
    const value = { ...parsed.data };
    // As the save writes it: the stored masked number kept, a typed one normalised (upper-case X, half-width digits).
    value.idNumber = keepStoredId ? id : normaliseIdNumber(value.idNumber).value;
    return { errors: {}, value };
  }
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!field || errors[field]) continue;
    errors[field] = issue.message;
  }
  return { errors, value: null };
}

/** Values compared as the schema would store them: trimmed, full-width digits folded. */
function same(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').trim() === (b ?? '').trim();
}

/** The columns whose cell differs from the stored record. */
export function changedFields(base: Cells, cells: Cells): string[] {
  return SHEETS.人员.columns.filter((c) => !same(base[c], cells[c]));
}

/**
 * The `changes` of PUT /api/people/:id: the changed columns only, keyed by the sheet's Chinese
 * column name, as cell text (null to clear). A masked ID number is never sent.
 */
export function changesFor(base: Cells, cells: Cells): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const c of changedFields(base, cells)) {
    if (c === '统一社会信用代码') continue;
    const v = (cells[c] ?? '').trim();
    if (c === '身份证号' && isMaskedId(v)) continue;
    out[c] = v === '' ? null : v;
  }
  return out;
}

/**
 * Re-applies the user's edits on a newer stored record (after a 409): the fields the user changed
 * keep the user's value; `conflicts` are those the other person changed too, to a different value.
 */
export function rebase(oldBase: Cells, edits: Cells, newBase: Cells): { cells: Cells; conflicts: string[] } {
  const cells: Cells = { ...newBase };
  const conflicts: string[] = [];
  for (const c of changedFields(oldBase, edits)) {
    cells[c] = edits[c] ?? '';
    if (!same(oldBase[c], newBase[c]) && !same(newBase[c], edits[c])) conflicts.push(c);
  }
  return { cells, conflicts };
}

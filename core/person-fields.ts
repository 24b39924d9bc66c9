// The person's fields as the API names them (PersonInput), as stored (people columns) and as
// users read them (the 人员 sheet's Chinese headers, which the zod schema's errors name too).

import type { PersonInput } from './inputs.ts';

type Row = Record<string, any>;

export interface PersonField {
  key: keyof PersonInput;
  column: string;
  label: string;
}

export const PERSON_FIELDS: readonly PersonField[] = [
  { key: 'unitCode', column: 'unit_id', label: '统一社会信用代码' },
  { key: 'idNumber', column: 'id_masked', label: '身份证号' },
  { key: 'name', column: 'name', label: '姓名' },
  { key: 'gender', column: 'gender', label: '性别' },
  { key: 'ethnicity', column: 'ethnicity', label: '民族' },
  { key: 'birthDate', column: 'birth_date', label: '出生日期' },
  { key: 'office', column: 'office', label: '所在处室' },
  { key: 'status', column: 'status', label: '在编状态' },
  { key: 'quotaKind', column: 'quota_kind', label: '使用编制类型' },
  { key: 'posts', column: 'posts', label: '职务' },
  { key: 'leaderLevel', column: 'leader_level', label: '领导职务层次' },
  { key: 'rank', column: 'rank', label: '职级' },
  { key: 'postCategory', column: 'post_category', label: '岗位类别' },
  { key: 'title', column: 'title', label: '职称' },
  { key: 'dutyStatus', column: 'duty_status', label: '在岗状态' },
  { key: 'dutyStatusSince', column: 'duty_status_since', label: '在岗状态起始日期' },
  { key: 'enteredOn', column: 'entered_on', label: '入编时间' },
  { key: 'workStartOn', column: 'work_start_on', label: '参加工作时间' },
  { key: 'currentPostSince', column: 'current_post_since', label: '任现职时间' },
  { key: 'education', column: 'education', label: '学历' },
  { key: 'identity', column: 'identity', label: '人员身份' },
  { key: 'lateRetireUntil', column: 'late_retire_until', label: '延迟退休截止日期' },
  { key: 'politics', column: 'politics', label: '政治面貌' },
  { key: 'extra', column: 'extra', label: '附加信息' },
];

/** Fields a save may change: not the unit (a transfer is a staffing matter), not the extra columns. */
export const EDITABLE: ReadonlySet<string> = new Set(PERSON_FIELDS.map((f) => f.key).filter((k) => k !== 'unitCode' && k !== 'extra'));

export const FIELD_BY_KEY: ReadonlyMap<string, PersonField> = new Map(PERSON_FIELDS.map((f) => [f.key, f]));
export const FIELD_BY_LABEL: ReadonlyMap<string, PersonField> = new Map(PERSON_FIELDS.map((f) => [f.label, f]));
export const LABEL_BY_COLUMN: ReadonlyMap<string, string> = new Map(PERSON_FIELDS.map((f) => [f.column, f.label]));

/** Stored columns a history does not show: derived from the ID number (its masked form is shown) or bookkeeping. */
export const HIDDEN_COLUMNS: ReadonlySet<string> = new Set([
  'id_hash', 'id_enc', 'id_kind', 'id_check_ok', 'id_expected_check', 'id_birth', 'id_birth_invalid', 'id_gender', 'id_province_ok',
  'id_irregular', 'birth_key', 'created_at', 'updated_at',
]);

function extraOf(v: unknown): Record<string, string> | null {
  if (typeof v !== 'string' || !v) return null;
  try {
    return JSON.parse(v) as Record<string, string>;
  } catch {
    return null;
  }
}

/** The stored row as PersonInput fields, with `idNumber` as given (masked for display, in clear for a save). */
export function inputOf(r: Row, unitCode: string, idNumber: string): PersonInput & { extra: Record<string, string> | null } {
  const out: Record<string, unknown> = { unitCode, idNumber };
  for (const f of PERSON_FIELDS) {
    if (f.key === 'unitCode' || f.key === 'idNumber') continue;
    out[f.key] = f.key === 'extra' ? extraOf(r.extra) : (r[f.column] ?? null);
  }
  return out as unknown as PersonInput & { extra: Record<string, string> | null };
}

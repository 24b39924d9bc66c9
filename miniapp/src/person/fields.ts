// Which fields of the person form a finding concerns, so the form can mark them and bring the
// one to fix into view. Pure (unit-tested): by rule, plus what a finding names itself (P-ID-14's
// and P-TM-07's qualifier is the column, P-TM-01 lists the columns still empty).

import type { Finding } from '../types.ts';
import { PERSON_FIELDS } from './form.ts';

/** The form's fields each person rule is about, the one to correct first. */
const RULE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'P-ID-01': ['身份证号'],
  'P-ID-02': ['身份证号'],
  'P-ID-03': ['身份证号'],
  'P-ID-04': ['身份证号'],
  'P-ID-05': ['身份证号'],
  'P-ID-06': ['身份证号'],
  'P-ID-07': ['身份证号'],
  'P-ID-08': ['出生日期', '身份证号'],
  'P-ID-09': ['性别', '身份证号'],
  'P-ID-10': ['身份证号'],
  'P-ID-11': ['在编状态', '身份证号'],
  'P-ID-12': ['姓名'],
  'P-ID-13': ['身份证号', '姓名', '出生日期'],
  'P-RT-01': ['在编状态', '出生日期', '延迟退休截止日期'],
  'P-RT-02': ['在编状态'],
  'P-RT-03': ['延迟退休截止日期', '在编状态'],
  'P-RT-04': ['出生日期', '在编状态'],
  'P-RT-05': ['人员身份', '岗位类别'],
  'P-RT-06': ['职级', '职称'],
  'P-ST-01': ['在编状态'],
  'P-ST-02': ['在编状态', '领导职务层次'],
  'P-ST-03': ['使用编制类型'],
  'P-ST-04': ['使用编制类型'],
  'P-ST-05': ['使用编制类型'],
  'P-ST-06': ['岗位类别', '使用编制类型'],
  'P-ST-07': ['职级', '使用编制类型'],
  'P-ST-08': ['所在处室'],
  'P-ST-09': ['所在处室', '领导职务层次'],
  'P-ST-10': ['在岗状态'],
  'P-ST-11': ['在岗状态', '在岗状态起始日期'],
  'P-ST-12': ['在岗状态', '在岗状态起始日期'],
  'P-ST-13': ['在岗状态', '在岗状态起始日期'],
  'P-ST-14': ['职级', '领导职务层次'],
  'P-TM-02': ['职务', '领导职务层次'],
  'P-TM-03': ['在编状态'],
  'P-TM-04': ['入编时间'],
  'P-TM-05': ['入编时间'],
  'P-TM-06': ['任现职时间'],
  'P-TM-08': ['参加工作时间'],
};

const FORM_FIELDS: ReadonlySet<string> = new Set(PERSON_FIELDS.map((f) => f.name));

/** The form fields a finding concerns, most direct first (only fields the form has). */
export function findingFields(f: Pick<Finding, 'rule' | 'qualifier' | 'detail'>): string[] {
  const named: unknown[] = [f.qualifier, f.detail?.field];
  const missing = f.detail?.missing;
  if (Array.isArray(missing)) named.push(...missing);
  const out = [...named, ...(RULE_FIELDS[f.rule] ?? [])].filter((k): k is string => typeof k === 'string' && FORM_FIELDS.has(k));
  return [...new Set(out)];
}

/** Every field an open finding concerns, with the titles of the findings about it (in the findings' order). */
export function flaggedFields(findings: ReadonlyArray<Pick<Finding, 'rule' | 'qualifier' | 'detail' | 'title'>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of findings) {
    for (const k of findingFields(f)) {
      const titles = out.get(k) ?? [];
      const t = f.title || f.rule;
      if (!titles.includes(t)) titles.push(t);
      out.set(k, titles);
    }
  }
  return out;
}

/** The field to bring into view: the chosen finding's first field, else the first flagged field in the form's order. */
export function fieldToFocus(findings: ReadonlyArray<Pick<Finding, 'id' | 'rule' | 'qualifier' | 'detail'>>, findingId: number | null): string | null {
  const chosen = findingId != null ? findings.find((f) => f.id === findingId) : undefined;
  if (chosen) {
    const fields = findingFields(chosen);
    if (fields.length) return fields[0];
  }
  const flagged = new Set(findings.flatMap((f) => findingFields(f)));
  return PERSON_FIELDS.find((d) => flagged.has(d.name))?.name ?? null;
}

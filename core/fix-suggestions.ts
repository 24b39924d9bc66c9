// 自动修正 (issue 18 deliverable 2; ningbo-data-regulation art. 3 and 6: 智能填报、自动修正、逻辑校验):
// the values the system can derive with certainty for one record, offered to the form as one-tap
// suggestions. Never applied here: the user takes one into the form and saves it with a reason.
//
// Certain means: the ID number is valid (18 characters with a right check character, a known
// province and a real birth date; or a legacy 15-digit number with a known province and a real
// birth date), so the birth date and sex it encodes are facts; its irregular writing (lower-case
// x, full-width characters, spaces) has exactly one regular form; and a 所在处室 that equals exactly
// one of the unit's 内设机构 once width and spacing are ignored (NFKC, whitespace removed) is that
// office (not for a 单位正职/副职, whose place is the unit itself: P-ST-09). Anything less (an invalid number, two offices that match, values that already agree)
// gives no suggestion.

import type { IdFacts } from './model.ts';

export interface FixSuggestion {
  /** The form field (the sheet's Chinese header). */
  field: '出生日期' | '性别' | '身份证号' | '所在处室';
  /** What the record holds now (ID numbers masked). */
  current: string;
  /** What the system suggests (ID numbers masked: the form re-saves the stored number in its regular form). */
  suggested: string;
  /** Why, in Chinese, for the chip. */
  reason: string;
  /** The rule whose finding the change resolves (null: no rule reports it, e.g. a worker's 性别). */
  rule: string | null;
  /** The 修改原因 the save dialog is pre-filled with (editable). */
  saveReason: string;
}

export interface SuggestionInput {
  kind: 'person' | 'worker';
  /** The stored number's facts (core/idnumber.ts idFacts); `birth` may be withheld (null) for roles without full-ID rights. */
  idFacts: IdFacts;
  gender: string | null;
  birthDate?: string | null;
  office?: string | null;
  /** The unit's 内设机构 (机构 sheet column 内设机构). */
  unitOffices?: readonly string[];
  /** 领导职务层次: a 单位正职/副职 belongs to the unit, not to an office (P-ST-09), so no office is certain for them. */
  leaderLevel?: string | null;
}

/** A number whose encoded facts are certain: right shape, check character, province and a real birth date. */
export function idIsValid(f: IdFacts): boolean {
  if (f.kind === '18') return f.checkOk && f.provinceOk && !f.birthInvalid;
  if (f.kind === '15') return f.provinceOk && !f.birthInvalid;
  return false;
}

/** An office name as compared: NFKC (full-width → half-width), every kind of whitespace removed. */
export function officeKey(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u3000\u00a0]/g, '');
}

/** The one 内设机构 `office` means when it differs only in width or spacing; null if none or several. */
export function officeMatch(office: string, offices: readonly string[]): string | null {
  if (!office || offices.includes(office)) return null;
  const key = officeKey(office);
  const hits = [...new Set(offices.filter((o) => officeKey(o) === key))];
  return hits.length === 1 ? hits[0] : null;
}

export function fixSuggestions(r: SuggestionInput): FixSuggestion[] {
  const out: FixSuggestion[] = [];
  const f = r.idFacts;
  if (idIsValid(f)) {
    const digits = f.kind === '15' ? '15位' : '18位';
    if (f.irregular) {
      out.push({
        field: '身份证号', current: `${f.masked}（书写不规范）`, suggested: f.masked,
        reason: '按规范写法保存：大写X、半角数字、去掉空格',
        rule: r.kind === 'person' ? 'P-ID-07' : null,
        saveReason: '按系统建议：身份证号按规范写法保存',
      });
    }
    if (r.kind === 'person' && f.birth && r.birthDate && r.birthDate !== f.birth && !(r.birthDate.length === 7 && f.birth.startsWith(r.birthDate))) {
      out.push({
        field: '出生日期', current: r.birthDate, suggested: f.birth,
        // The 档案 prevails (P-ID-08): the chip asks the user to check it; the pre-filled reason
        // does not claim, in the user's name, that it was checked.
        reason: `依据${digits}身份证号。请先核对人事档案，档案与身份证不一致时以档案为准`,
        rule: 'P-ID-08',
        saveReason: '按系统建议：依据身份证号修正出生日期',
      });
    }
    if (f.gender && (r.gender === '男' || r.gender === '女') && r.gender !== f.gender) {
      out.push({
        field: '性别', current: r.gender, suggested: f.gender,
        reason: `依据${digits}身份证号（第${f.kind === '15' ? 15 : 17}位${f.gender === '男' ? '为奇数' : '为偶数'}）`,
        rule: r.kind === 'person' ? 'P-ID-09' : null,
        saveReason: '按系统建议：依据身份证号修正性别',
      });
    }
  }
  if (r.kind === 'person' && r.office && r.leaderLevel !== '单位正职' && r.leaderLevel !== '单位副职') {
    const m = officeMatch(r.office, r.unitOffices ?? []);
    if (m) {
      out.push({
        field: '所在处室', current: r.office, suggested: m,
        reason: '与本单位内设机构名称仅空格或全角半角不同',
        rule: 'P-ST-08',
        saveReason: '按系统建议：所在处室按本单位内设机构名称规范填写',
      });
    }
  }
  return out;
}

// Resident identity numbers (GB 11643-1999): normalisation, MOD 11-2 check, facts, masking.
// domain.md §2.

import { isRealDate, isoDay } from './dates.ts';
import type { IdFacts, IsoDate } from './model.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** The MOD 11-2 check character for a 17-digit body. */
export function idCheckChar(body17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += (body17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK[s % 11];
}

/** Trims, turns full-width characters into ASCII and x into X. `irregular` tells that it had to. */
export function normaliseIdNumber(raw: string | null | undefined): { value: string; irregular: boolean } {
  if (raw == null) return { value: '', irregular: false };
  const original = String(raw);
  const value = original
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .replace(/x/g, 'X');
  return { value, irregular: value !== original.trim() || /\s/.test(original.trim()) };
}

/** A legacy 15-digit number upgraded to 18 characters (century 19, check character added). */
export function upgradeId15(id15: string): string {
  const body = id15.slice(0, 6) + '19' + id15.slice(6);
  return body + idCheckChar(body);
}

/**
 * The one masked form, everywhere a number is shown masked: the 6-digit region code and the check
 * character (`330681***********7`). Birth date and sex are shown elsewhere (出生日期, 性别), so the
 * mask must not keep the sequence code: with all of them known, about 1000 / 2 / 11 ≈ 45 numbers
 * still fit. Applied to an already masked value of the same length it gives the same result.
 */
export function maskId(id: string): string {
  if (id.length <= 4) return '*'.repeat(id.length);
  if (id.length <= 10) return id.slice(0, 2) + '*'.repeat(id.length - 3) + id.slice(-1);
  return id.slice(0, 6) + '*'.repeat(id.length - 7) + id.slice(-1);
}

/** Everything the rules may know of an ID number, for a normalised value, as of `today`. */
export function idFacts(raw: string | null | undefined, today: IsoDate): IdFacts {
  const { value, irregular } = normaliseIdNumber(raw);
  const facts: IdFacts = {
    kind: 'empty', checkOk: false, expectedCheck: null, birth: null, birthInvalid: false,
    gender: null, provinceOk: false, irregular, masked: maskId(value),
  };
  if (!value) return facts;
  let y: number, m: number, d: number, seq: number;
  if (/^\d{17}[\dX]$/.test(value)) {
    facts.kind = '18';
    facts.expectedCheck = idCheckChar(value.slice(0, 17));
    facts.checkOk = facts.expectedCheck === value[17];
    y = Number(value.slice(6, 10)); m = Number(value.slice(10, 12)); d = Number(value.slice(12, 14));
    seq = Number(value[16]);
  } else if (/^\d{15}$/.test(value)) {
    facts.kind = '15';
    y = 1900 + Number(value.slice(6, 8)); m = Number(value.slice(8, 10)); d = Number(value.slice(10, 12));
    seq = Number(value[14]);
  } else {
    facts.kind = 'bad';
    return facts;
  }
  facts.provinceOk = PROVINCES.has(value.slice(0, 2));
  facts.gender = seq % 2 === 1 ? '男' : '女';
  if (isRealDate(y, m, d) && isoDay(y, m, d) <= today) facts.birth = isoDay(y, m, d);
  else facts.birthInvalid = true;
  return facts;
}

/** A stored form: 18-character numbers as they are, 15-digit ones kept as given (the rule P-ID-06 reports them). */
export function isValidIdShape(value: string): boolean {
  return /^\d{17}[\dX]$/.test(value) || /^\d{15}$/.test(value);
}

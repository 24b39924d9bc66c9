// The attacker of issue 11 item 2: from what a role without full-ID rights is sent about a person
// (masked forms, 出生日期, 性别, the ID number's facts), how many 18-character numbers fit? An ID
// number is 6 region digits, 8 birth digits, 3 sequence digits (the last one odd for men) and a
// MOD 11-2 check character over the other 17.

import { idCheckChar } from '../core/idnumber.ts';

export interface Knowledge {
  /** Every masked (or partial) form of the number seen for the person: `*` where hidden. */
  masks: string[];
  /** The birth dates the attacker believes the number encodes (YYYY-MM-DD); the first known is used. */
  birth: string | null;
  /** 男 / 女: the parity of the 17th character. */
  gender: string | null;
  /** The number's check character is valid (the usual case), or the expected one when it is not. */
  checkOk: boolean | null;
  expectedCheck: string | null;
}

/** The characters known at each of 18 positions, merged from every form seen; null when the forms disagree or are not 18 long. */
export function mergeMasks(masks: string[]): (string | null)[] | null {
  const known: (string | null)[] = Array(18).fill(null);
  let any = false;
  for (const m of masks) {
    if (m.length !== 18) continue;
    any = true;
    for (let i = 0; i < 18; i++) {
      const c = m[i];
      if (c === '*') continue;
      if (known[i] !== null && known[i] !== c) return null;
      known[i] = c;
    }
  }
  return any ? known : null;
}

/**
 * The numbers consistent with the knowledge, up to `cap` (enumeration stops there: more than
 * `cap` is all a test needs to know). Positions not known are digits 0–9.
 */
export function candidates(k: Knowledge, cap = 1000): string[] {
  const known = mergeMasks(k.masks);
  if (!known) return [];
  if (k.birth && /^\d{4}-\d{2}-\d{2}$/.test(k.birth)) {
    const digits = k.birth.replace(/-/g, '');
    for (let i = 0; i < 8; i++) {
      if (known[6 + i] !== null && known[6 + i] !== digits[i]) return [];
      known[6 + i] = digits[i];
    }
  }
  const open = known.slice(0, 17).map((c, i) => (c === null ? i : -1)).filter((i) => i >= 0);
  // More than 6 unknown digits is at least 10^6 / 2 / 11 numbers: no need to count them.
  if (open.length > 6) return Array.from({ length: cap }, (_, i) => `many-${i}`);
  const out: string[] = [];
  const body = known.slice(0, 17).map((c) => c ?? '0');
  const total = 10 ** open.length;
  for (let n = 0; n < total && out.length < cap; n++) {
    let x = n;
    for (const i of open) {
      body[i] = String(x % 10);
      x = Math.floor(x / 10);
    }
    if (k.gender === '男' && Number(body[16]) % 2 !== 1) continue;
    if (k.gender === '女' && Number(body[16]) % 2 !== 0) continue;
    const b = body.join('');
    const check = idCheckChar(b);
    if (k.checkOk === false && k.expectedCheck && check !== k.expectedCheck) continue;
    const last = known[17];
    if (k.checkOk !== false && last !== null && check !== last) continue;
    out.push(b + (k.checkOk === false ? (last ?? '?') : (last ?? check)));
  }
  return out;
}

/** Every substring shaped like a masked ID number (18 characters with at least one `*`). */
export function masksIn(text: string): string[] {
  return [...text.matchAll(/(?<![0-9A-Za-z*])[0-9X*]{18}(?![0-9A-Za-z*])/g)].map((m) => m[0]).filter((m) => m.includes('*'));
}

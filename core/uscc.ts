// Unified social credit codes (GB 32100-2015), domain.md §3.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export interface UsccFacts {
  /** 18 characters of the 31-symbol alphabet with digits in positions 3–8. */
  formatOk: boolean;
  checkOk: boolean;
  expectedCheck: string | null;
  /** The inner 9-character organisation code (GB 11714) passes its own check: a warning only. */
  orgCodeOk: boolean;
  /** Registration authority + category: '11' 机关, '12' 事业单位, '13' 群团, … */
  category: string;
  regionCode: string;
}

export function usccCheckChar(body17: string): string | null {
  let s = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(body17[i]);
    if (v < 0) return null;
    s += v * WEIGHTS[i];
  }
  const c = 31 - (s % 31);
  return ALPHABET[c === 31 ? 0 : c];
}

function orgCodeCheckOk(code9: string): boolean {
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const ch = code9[i];
    const v = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55; // A = 10 … Z = 35
    if (v < 0 || v > 35) return false;
    s += v * ORG_WEIGHTS[i];
  }
  const c = 11 - (s % 11);
  const expected = c === 10 ? 'X' : c === 11 ? '0' : String(c);
  return expected === code9[8];
}

export function normaliseUscc(raw: string | null | undefined): string {
  if (raw == null) return '';
  return String(raw)
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase();
}

export function usccFacts(code: string): UsccFacts {
  const formatOk = code.length === 18 && [...code].every((c) => ALPHABET.includes(c)) && /^\d{6}$/.test(code.slice(2, 8));
  const expectedCheck = code.length === 18 ? usccCheckChar(code.slice(0, 17)) : null;
  return {
    formatOk,
    expectedCheck,
    checkOk: formatOk && expectedCheck === code[17],
    orgCodeOk: formatOk && orgCodeCheckOk(code.slice(8, 17)),
    category: code.slice(0, 2),
    regionCode: code.slice(2, 8),
  };
}

/** Builds a valid code from the first 8 characters and a 8-character organisation body. */
export function makeUscc(prefix8: string, orgBody8: string): string {
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const ch = orgBody8[i];
    s += (/\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55) * ORG_WEIGHTS[i];
  }
  const c = 11 - (s % 11);
  const org = orgBody8 + (c === 10 ? 'X' : c === 11 ? '0' : String(c));
  const body = prefix8 + org;
  return body + usccCheckChar(body);
}

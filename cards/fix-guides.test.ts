// The shipped 错题本 (templates/fix-guides/*.json): every guide is a rule of the catalogue under
// its own title, every field is written in Chinese, and every 18-digit ID number in an example is
// a valid one (its check character right), so a guide never teaches a wrong number as right.
// (That every rule has a guide is asserted by cards/fix-guides-content.test.ts.)

import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../core/idnumber.ts';
import { RULES, ruleByCode } from '../core/rules/index.ts';
import { shippedFixGuides } from './fix-guides.ts';

const CJK = /[\u4e00-\u9fff]/;
const ID18 = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9Xx])/g;

describe('shipped fix guides', () => {
  const guides = [...shippedFixGuides().values()];

  it('has at least the guide of P-ID-01', () => {
    expect(guides.map((g) => g.code)).toContain('P-ID-01');
  });

  it('each is a rule of the catalogue, under the rule\'s own title', () => {
    const codes = new Set(RULES.map((r) => r.code));
    for (const g of guides) {
      expect(codes.has(g.code), `${g.code} is no rule`).toBe(true);
      expect(g.title, g.code).toBe(ruleByCode(g.code)!.title);
    }
  });

  it('every field is non-empty Chinese text; steps a non-empty list of them', () => {
    for (const g of guides) {
      for (const field of ['what', 'why', 'right', 'wrong'] as const) {
        expect(typeof g[field], `${g.code} ${field}`).toBe('string');
        expect(g[field].trim(), `${g.code} ${field}`).not.toBe('');
        expect(CJK.test(g[field]), `${g.code} ${field} has no Chinese`).toBe(true);
      }
      expect(Array.isArray(g.how) && g.how.length > 0, `${g.code} how`).toBe(true);
      for (const [i, step] of g.how.entries()) {
        expect(typeof step === 'string' && step.trim() !== '' && CJK.test(step), `${g.code} how[${i}]`).toBe(true);
      }
      // One line each: they are put into chat.
      for (const text of [g.what, g.why, g.right, g.wrong, ...g.how]) expect(/[\n\r\u2028\u2029]/.test(text), `${g.code}: ${text}`).toBe(false);
    }
  });

  it('every 18-digit ID number in an example passes the checksum', () => {
    let seen = 0;
    for (const g of guides) {
      for (const text of [g.what, g.why, g.right, g.wrong, ...g.how]) {
        for (const m of text.matchAll(ID18)) {
          seen++;
          const id = m[0].toUpperCase();
          // P-ID rules about a wrong check character may show one, in the wrong example only.
          if (text === g.wrong) continue;
          expect(idCheckChar(id.slice(0, 17)), `${g.code}: ${id} in “${text}”`).toBe(id[17]);
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('the check itself: a wrong check character is caught', () => {
    expect(idCheckChar('33060219900101123')).not.toBe('5');
    expect(idCheckChar('11010519491231002')).toBe('X');
  });
});

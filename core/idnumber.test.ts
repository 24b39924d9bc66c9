import { describe, expect, it } from 'vitest';
import { idCheckChar, idFacts, maskId, normaliseIdNumber, upgradeId15 } from './idnumber.ts';

const today = '2026-11-23';

describe('ID numbers (GB 11643-1999)', () => {
  it('computes the MOD 11-2 check character of the standard examples', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('44052418800101001')).toBe('4');
  });

  it('tells a valid number from a wrong check digit', () => {
    expect(idFacts('11010519491231002X', today)).toMatchObject({ kind: '18', checkOk: true, birth: '1949-12-31', gender: '女', provinceOk: true });
    const bad = idFacts('110105194912310021', today);
    expect(bad.checkOk).toBe(false);
    expect(bad.expectedCheck).toBe('X');
  });

  it('normalises full-width digits, spaces and lower-case x and says so', () => {
    expect(normaliseIdNumber('１１０１０５１９４９１２３１００２x')).toEqual({ value: '11010519491231002X', irregular: true });
    expect(normaliseIdNumber(' 11010519491231002X ')).toEqual({ value: '11010519491231002X', irregular: false });
    expect(normaliseIdNumber('110105 19491231002X').irregular).toBe(true);
    expect(idFacts('11010519491231002x', today)).toMatchObject({ checkOk: true, irregular: true });
  });

  it('upgrades 15-digit legacy numbers', () => {
    expect(upgradeId15('340524800101001')).toBe('34052419800101001X');
    expect(idFacts('340524800101001', today)).toMatchObject({ kind: '15', birth: '1980-01-01', gender: '男' });
  });

  it('rejects impossible dates, future births and bad provinces', () => {
    expect(idFacts('110105194902301234', today).birthInvalid).toBe(true);
    const future = '11010520300101001';
    expect(idFacts(future + idCheckChar(future), today).birthInvalid).toBe(true);
    const noProvince = '99010519491231002';
    expect(idFacts(noProvince + idCheckChar(noProvince), today).provinceOk).toBe(false);
    expect(idFacts('12345', today).kind).toBe('bad');
    expect(idFacts('', today).kind).toBe('empty');
  });

  it('masks as 330602***********4: region code and check character only', () => {
    expect(maskId('330602198001011234')).toBe('330602***********4');
    expect(idFacts('11010519491231002X', today).masked).toBe('110105***********X');
    expect(maskId('330602800101123')).toBe('330602********3');
    expect(maskId('1234567')).toBe('12****7');
    expect(maskId('1234')).toBe('****');
    // Idempotent: a stored mask (of the same length) masks to itself, so old masks can be recomputed.
    expect(maskId('330602********1234')).toBe('330602***********4');
    expect(maskId(maskId('330602198001011234'))).toBe(maskId('330602198001011234'));
  });
});

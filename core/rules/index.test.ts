import { describe, expect, it } from 'vitest';
import { configureRules, createEvaluator } from '../check.ts';
import { RULES, ruleByCode } from './index.ts';
import { BASE_DATE, makePerson, makeUnit, makeWorker, TEST_OFFICE, testCalendar } from './testing.ts';
import type { PersonRecord } from '../model.ts';

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);

/** domain.md §5.1–5.10, in catalogue order. */
const CROSS = ['X-SI-01', 'X-SI-02', 'X-SI-03', 'X-PY-01', 'X-PY-02', 'X-PY-03', 'X-OR-01', 'X-OR-02', 'X-ED-01', 'X-RG-01'];
/** The cross-system rules whose subject is a person the feed names in a unit (not a roster row). */
const CROSS_UNIT = new Set(['X-SI-02', 'X-PY-01', 'X-OR-02', 'X-RG-01']);
const CATALOGUE = [
  ...range('P-ID-', 14), ...range('P-RT-', 6), ...range('P-TM-', 8), ...range('P-ST-', 14),
  ...range('U-LD-', 7), ...range('U-QT-', 7), ...range('U-IN-', 13), ...range('U-PR-', 3), ...CROSS, ...range('W-', 7),
];

describe('catalogue', () => {
  it('has every code of §5.1–5.10 exactly once, in catalogue order', () => {
    expect(CATALOGUE).toHaveLength(89);
    expect(RULES.map((r) => r.code)).toEqual(CATALOGUE);
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  });

  it('gives every rule a Chinese title, the scope of its family, a severity and params', () => {
    for (const r of RULES) {
      expect(r.title, r.code).toMatch(/[\u4e00-\u9fff]/);
      // Chinese typesetting: full-width brackets with no space before them (a card shows the title as is).
      expect(r.title, r.code).not.toMatch(/[()]|\s（/);
      const scope = r.code.startsWith('P-') ? 'person' : r.code.startsWith('U-') || r.code === 'W-07' || CROSS_UNIT.has(r.code) ? 'unit' : r.code.startsWith('X-') ? 'person' : 'worker';
      expect(r.scope, r.code).toBe(scope);
      expect(['S1', 'S2', 'S3'], r.code).toContain(r.severity);
      expect(typeof r.params, r.code).toBe('object');
      expect(typeof r.check, r.code).toBe('function');
    }
  });

  it('describes the grace period where the catalogue has one', () => {
    for (const code of ['P-RT-01', 'P-RT-03', 'P-TM-01', 'P-TM-02', 'P-TM-03', 'U-IN-10', 'U-PR-01', 'U-PR-02', 'X-OR-01', 'W-07']) {
      expect(ruleByCode(code)?.grace, code).toBeTruthy();
    }
  });

  it('looks rules up by code', () => {
    expect(ruleByCode('U-QT-01')?.title).toBe('超编');
    expect(ruleByCode('X-SI-01')?.title).toBe('在编未参保');
    expect(ruleByCode('X-ZZ-01')).toBeUndefined();
  });
});

describe('clean baseline', () => {
  it('triggers no rule at all', () => {
    const evaluate = createEvaluator(configureRules(RULES, {}), { date: BASE_DATE, calendar: testCalendar(), office: TEST_OFFICE });
    const unit = makeUnit();
    const found = [
      ...evaluate('person', makePerson(), unit),
      ...evaluate('unit', unit, null),
      ...evaluate('worker', makeWorker(), unit),
    ].map((e) => `${e.rule.code} ${e.hit.qualifier ?? ''} ${JSON.stringify(e.hit.detail ?? {})}`);
    expect(found).toEqual([]);
  });

  it('stays clean over a whole year of check days', () => {
    const cal = testCalendar();
    const unit = makeUnit();
    const person = makePerson();
    const worker = makeWorker();
    for (let d = '2025-01-02'; d <= '2025-12-31'; d = cal.addWorkdays(d, 1)) {
      // The month-end self-check and the monthly report are date-bound: give them this month's facts.
      const u = makeUnit({ agg: { monthlyReport: null } });
      const evaluate = createEvaluator(configureRules(RULES, {}), { date: d, calendar: cal, office: TEST_OFFICE });
      const found = [...evaluate('person', person, unit), ...evaluate('unit', u, null), ...evaluate('worker', worker, unit)];
      expect(found.map((e) => `${d} ${e.rule.code}`)).toEqual([]);
    }
  });
});

describe('robustness', () => {
  it('never throws on odd values: nulls, malformed and month-only dates, unknown codes', () => {
    const odd = ['', 'abc', '2025-02-30', '2025-13', '2025-13-01', '1900-01-01', '2025-06', '9999-12-31', '20250616', null];
    const unit = makeUnit({ level: null, nature: null, code: '', internalOffices: [], quotas: {}, leaderPosts: {} });
    const evaluate = createEvaluator(configureRules(RULES, {}), { date: BASE_DATE, calendar: testCalendar(), office: TEST_OFFICE });
    for (const v of odd) {
      const p: PersonRecord = makePerson({
        idNumber: v, name: v ?? '', gender: v, ethnicity: v, birthDate: v, office: v, status: v, quotaKind: v, posts: v,
        leaderLevel: v, rank: v, postCategory: v, title: v, dutyStatus: '借调', dutyStatusSince: v, enteredOn: v, workStartOn: v,
        currentPostSince: v, education: v, identity: v, lateRetireUntil: v, politics: v,
        cross: { pendingChanges: [{ kind: '增人入编', approvedOn: v ?? '', expected: '' }] },
      });
      const u = makeUnit({ name: v ?? '', code: v ?? '', approvalDate: v, ledgerUpdatedOn: v, agg: { latestApprovalDate: v, monthlyReport: { month: v ?? '', dueOn: v ?? '', confirmedOn: null }, unregisteredContracts: [{ key: 'k', name: 'n', idMasked: '', signedOn: v ?? '' }] } });
      const w = makeWorker({ idNumber: v, gender: v, postClass: v, postName: v, employment: v, firstContractOn: v });
      for (const date of ['2025-06-16', '2025-06-30', '2027-01-04']) {
        const e = createEvaluator(configureRules(RULES, {}), { date, calendar: testCalendar(), office: TEST_OFFICE });
        expect(() => [...e('person', p, unit), ...e('person', { ...p, status: '在编' }, u), ...e('unit', u, null), ...e('worker', w, unit)]).not.toThrow();
      }
    }
    expect(evaluate('unit', makeUnit(), null)).toEqual([]);
  });
});

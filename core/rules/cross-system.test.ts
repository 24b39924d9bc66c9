import { describe, expect, it } from 'vitest';
import type { PersonFeedFacts, UnitFeedFacts } from '../model.ts';
import { isLeaderPost } from './cross-system.ts';
import { ruleByCode } from './index.ts';
import { BASE_DATE, makeIdNumber, makePerson, makeUnit, runRule } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

/** A person every feed agrees with: on the unit's 社保 roster, paid by the unit, no document, no 编外 registration. */
function clean(o: Partial<PersonFeedFacts> = {}): PersonFeedFacts {
  return {
    si: { month: '2025-06', inUnitRoster: true, pensionStatus: null },
    payroll: { months: ['2025-06', '2025-05', '2025-04'], paidInMonths: true, latestPayUnits: [{ unitId: 1, name: '绍兴市柯桥区示例局' }] },
    appointment: null,
    workerRegistrations: 0,
    ...o,
  };
}
const NONE: PersonFeedFacts = { si: null, payroll: null, appointment: null, workerRegistrations: 0 };
const person = (feeds: PersonFeedFacts | undefined, o: Parameters<typeof makePerson>[0] = {}) => makePerson({ ...o, cross: { feeds } });
const unitWith = (f: Partial<UnitFeedFacts>) => makeUnit({ agg: { feeds: { siUnregistered: [], paidWithoutRecord: [], appointments: [], leaderApprovals: [], ...f } } });
const subject = { key: '330603********1234·王五', name: '王五', idMasked: '330603********1234' };

describe('clean match and absent feeds', () => {
  it('no X rule fires on a clean match, on a person without facts, or when no feed was imported', () => {
    for (const code of ['X-SI-01', 'X-SI-03', 'X-PY-02', 'X-PY-03', 'X-OR-01', 'X-ED-01']) {
      expect(runRule(rule(code), person(clean())), code).toEqual([]);
      expect(runRule(rule(code), person(undefined)), code).toEqual([]);
      expect(runRule(rule(code), person(NONE)), code).toEqual([]);
    }
    for (const code of ['X-SI-02', 'X-PY-01', 'X-OR-02']) {
      expect(runRule(rule(code), makeUnit()), code).toEqual([]);
      expect(runRule(rule(code), unitWith({})), code).toEqual([]);
    }
  });
});

describe('X-SI-01 在编未参保', () => {
  it('fires on a 在编 person the unit\'s 社保 roster does not list', () => {
    expect(runRule(rule('X-SI-01'), person(clean({ si: { month: '2025-06', inUnitRoster: false, pensionStatus: null } })))).toEqual([{ detail: { month: '2025-06' } }]);
  });
  it('is silent for someone no longer 在编', () => {
    expect(runRule(rule('X-SI-01'), person(clean({ si: { month: '2025-06', inUnitRoster: false, pensionStatus: null } }), { status: '已出编' }))).toEqual([]);
  });
  it('waits for a roster ID number the feeds can match (a wrong check character is P-ID-03, not 未参保)', () => {
    const out = clean({ si: { month: '2025-06', inUnitRoster: false, pensionStatus: null } });
    const good = makeIdNumber('19850315', '男');
    const wrongCheck = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    expect(runRule(rule('X-SI-01'), person(out, { idNumber: wrongCheck }))).toEqual([]);
    expect(runRule(rule('X-SI-01'), person(out, { idNumber: '' }))).toEqual([]);
    const notPaid = clean({ payroll: { months: ['2025-06', '2025-05', '2025-04'], paidInMonths: false, latestPayUnits: [] } });
    expect(runRule(rule('X-PY-02'), person(notPaid, { idNumber: wrongCheck }))).toEqual([]);
    expect(runRule(rule('X-PY-02'), person(notPaid))).toHaveLength(1);
  });
});

describe('X-SI-02 参保未在实名制登记', () => {
  it('names each person of the unit\'s 社保 roster missing from both rosters', () => {
    const hits = runRule(rule('X-SI-02'), unitWith({ siUnregistered: [{ ...subject, status: '参保', month: '2025-06' }] }));
    expect(hits).toEqual([{ qualifier: subject.key, subject: { kind: 'person', name: '王五', idMasked: subject.idMasked }, detail: { month: '2025-06', status: '参保' } }]);
  });
});

describe('X-SI-03 已领取养老金仍在编', () => {
  it('fires on 退休 or 领取待遇 while 在编', () => {
    expect(runRule(rule('X-SI-03'), person(clean({ si: { month: '2025-06', inUnitRoster: false, pensionStatus: '领取待遇' } })))).toEqual([{ detail: { month: '2025-06', status: '领取待遇' } }]);
    expect(runRule(rule('X-SI-03'), person(clean({ si: { month: '2025-06', inUnitRoster: false, pensionStatus: '退休' } }), { status: '已出编' }))).toEqual([]);
  });
});

describe('X-PY-01 在工资统发名单但不在实名制', () => {
  it('names each person paid with no live roster record', () => {
    const hits = runRule(rule('X-PY-01'), unitWith({ paidWithoutRecord: [{ ...subject, month: '2025-06', amount: 8123.5 }] }));
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ qualifier: subject.key, subject: { name: '王五' }, detail: { month: '2025-06', amount: 8123.5 } });
  });
});

describe('X-PY-02 在编未发工资', () => {
  it('fires when none of the last 3 imported months paid the person, naming the months', () => {
    const months = ['2025-06', '2025-05', '2025-04'];
    expect(runRule(rule('X-PY-02'), person(clean({ payroll: { months, paidInMonths: false, latestPayUnits: [] } })))).toEqual([{ detail: { months } }]);
  });
  it('is silent with fewer than 3 months imported', () => {
    expect(runRule(rule('X-PY-02'), person(clean({ payroll: { months: ['2025-06', '2025-05'], paidInMonths: false, latestPayUnits: [] } })))).toEqual([]);
  });
});

describe('X-PY-03 工资单位与编制单位不一致', () => {
  it('fires per pay unit other than the quota unit, the pay unit as qualifier', () => {
    const payroll = { months: ['2025-06'], paidInMonths: true, latestPayUnits: [{ unitId: 7, name: '柯桥区财政局' }] };
    expect(runRule(rule('X-PY-03'), person(clean({ payroll })))).toEqual([{ qualifier: '柯桥区财政局', detail: { month: '2025-06', payUnit: '柯桥区财政局' } }]);
    // Paid by the quota unit itself: silent.
    expect(runRule(rule('X-PY-03'), person(clean({ payroll: { ...payroll, latestPayUnits: [{ unitId: 1, name: '示例局' }] } })))).toEqual([]);
  });
});

describe('X-OR-01 职务与任免文件不一致', () => {
  const doc = { post: '副局长', rank: '一级主任科员', docNo: '柯委〔2025〕8号', docDate: '2025-06-02' };
  it('fires after 5 working days when the document names another 职务 or a later date', () => {
    const hits = runRule(rule('X-OR-01'), person(clean({ appointment: doc })));
    expect(hits).toHaveLength(1);
    expect(hits[0].detail).toMatchObject({ differs: ['职务', '任现职时间'], docNo: '柯委〔2025〕8号' });
  });
  it('waits out the grace of 5 working days after the document date', () => {
    // 2025-06-10 is the 5th working day after 2025-06-02 (the 2nd is the 端午 holiday); the 11th the 6th.
    expect(runRule(rule('X-OR-01'), person(clean({ appointment: { ...doc, docDate: '2025-06-10' } })), { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('X-OR-01'), person(clean({ appointment: { ...doc, docDate: '2025-06-06' } })), { date: BASE_DATE })).toHaveLength(1);
  });
  it('is silent when the roster matches the document', () => {
    const p = person(clean({ appointment: doc }), { posts: '副局长', rank: '一级主任科员', currentPostSince: '2025-06-02' });
    expect(runRule(rule('X-OR-01'), p)).toEqual([]);
    const withOther = person(clean({ appointment: doc }), { posts: '副局长、党组成员', rank: '一级主任科员', currentPostSince: '2025-06-05' });
    expect(runRule(rule('X-OR-01'), withOther)).toEqual([]);
  });
});

describe('X-OR-02 领导职数使用未经核准', () => {
  const a = { ...subject, post: '局长', rank: null, docNo: '柯委〔2025〕9号', docDate: '2025-05-20' };
  it('fires on a leader appointment without an approved 领导职数使用 before it', () => {
    const hits = runRule(rule('X-OR-02'), unitWith({ appointments: [a] }));
    expect(hits).toEqual([{ qualifier: `${subject.key}·柯委〔2025〕9号`, subject: { kind: 'person', name: '王五', idMasked: subject.idMasked }, detail: { post: '局长', docNo: '柯委〔2025〕9号', docDate: '2025-05-20' } }]);
    // Approved after the document: still unapproved when it was issued.
    expect(runRule(rule('X-OR-02'), unitWith({ appointments: [a], leaderApprovals: ['2025-05-25'] }))).toHaveLength(1);
    // Approved more than a year before: out of the window.
    expect(runRule(rule('X-OR-02'), unitWith({ appointments: [a], leaderApprovals: ['2024-03-01'] }))).toHaveLength(1);
  });
  it('is silent with an approval in the window, or for a post that is not a unit leader\'s', () => {
    expect(runRule(rule('X-OR-02'), unitWith({ appointments: [a], leaderApprovals: ['2025-04-01'] }))).toEqual([]);
    expect(runRule(rule('X-OR-02'), unitWith({ appointments: [{ ...a, post: '科长' }] }))).toEqual([]);
  });
  it('knows a leader post from the dictionary and the usual titles', () => {
    for (const p of ['单位正职', '单位副职', '局长', '副局长', '办公室主任', '党组书记', '副院长']) expect(isLeaderPost(p), p).toBe(true);
    for (const p of ['科长', '一级主任科员', '科员', '四级调研员', '', null]) expect(isLeaderPost(p), String(p)).toBe(false);
  });
});

describe('X-ED-01 编内外身份冲突', () => {
  it('fires when the same ID is registered as 编外 while 在编', () => {
    expect(runRule(rule('X-ED-01'), person({ ...NONE, workerRegistrations: 1 }))).toEqual([{ detail: { workers: 1 } }]);
    expect(runRule(rule('X-ED-01'), person({ ...NONE, workerRegistrations: 1 }, { status: '已出编' }))).toEqual([]);
  });
});

describe('a roster month before the person entered does not count (入编时间; the month of entry is the grace)', () => {
  const out = (month: string) => clean({ si: { month, inUnitRoster: false, pensionStatus: null } });
  it('X-SI-01: not on the 2026-11 社保 list, entered 2026-12-01: silent; entered in 2026-11: silent (grace); entered 2026-10-15: fires', () => {
    expect(runRule(rule('X-SI-01'), person(out('2026-11'), { enteredOn: '2026-12-01' }))).toEqual([]);
    expect(runRule(rule('X-SI-01'), person(out('2026-11'), { enteredOn: '2026-11-01' }))).toEqual([]);
    expect(runRule(rule('X-SI-01'), person(out('2026-11'), { enteredOn: '2026-10-15' }))).toEqual([{ detail: { month: '2026-11' } }]);
    // An 入编时间 of a month only, or none readable: every month counts, as before.
    expect(runRule(rule('X-SI-01'), person(out('2026-11'), { enteredOn: '2026-10' }))).toHaveLength(1);
    expect(runRule(rule('X-SI-01'), person(out('2026-11'), { enteredOn: null }))).toHaveLength(1);
  });
  it('X-PY-02: unpaid 2026-09…11, entered 2026-12-01 or within the window: silent; entered before 2026-09: fires', () => {
    const unpaid = clean({ payroll: { months: ['2026-11', '2026-10', '2026-09'], paidInMonths: false, latestPayUnits: [] } });
    expect(runRule(rule('X-PY-02'), person(unpaid, { enteredOn: '2026-12-01' }))).toEqual([]);
    expect(runRule(rule('X-PY-02'), person(unpaid, { enteredOn: '2026-10-08' }))).toEqual([]);
    expect(runRule(rule('X-PY-02'), person(unpaid, { enteredOn: '2026-09-01' }))).toEqual([]);
    expect(runRule(rule('X-PY-02'), person(unpaid, { enteredOn: '2026-08-31' }))).toEqual([{ detail: { months: ['2026-11', '2026-10', '2026-09'] } }]);
  });
  it('X-PY-03: paid by the former unit up to the month of entry is no mismatch; after it, it is', () => {
    const payroll = { months: ['2026-11', '2026-10', '2026-09'], paidInMonths: true, latestPayUnits: [{ unitId: 7, name: '柯桥区财政局' }] };
    expect(runRule(rule('X-PY-03'), person(clean({ payroll }), { enteredOn: '2026-11-16' }))).toEqual([]);
    expect(runRule(rule('X-PY-03'), person(clean({ payroll }), { enteredOn: '2026-12-01' }))).toEqual([]);
    expect(runRule(rule('X-PY-03'), person(clean({ payroll }), { enteredOn: '2026-10-31' }))).toHaveLength(1);
  });
});

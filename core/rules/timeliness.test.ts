import { describe, expect, it } from 'vitest';
import { ruleByCode } from './index.ts';
import { makePerson, makeUnit, runRule, testCalendar } from './testing.ts';

const rule = (code: string) => ruleByCode(code)!;

describe('P-TM-01 入编后信息未完善', () => {
  const p = makePerson({ enteredOn: '2025-09-26', workStartOn: '2025-09-26', currentPostSince: '2025-09-26', gender: null, birthDate: null });
  const noId = { ...p, idFacts: { ...p.idFacts, kind: 'bad' as const, birth: null, gender: null } };

  it('counts 5 working days across the 2025 National Day break and fires on the next one', () => {
    expect(testCalendar().workdaysBetween('2025-09-26', '2025-10-10')).toBe(5);
    expect(runRule(rule('P-TM-01'), noId, { date: '2025-09-30' })).toEqual([]);
    expect(runRule(rule('P-TM-01'), noId, { date: '2025-10-08' })).toEqual([]); // holiday
    expect(runRule(rule('P-TM-01'), noId, { date: '2025-10-10' })).toEqual([]); // the 5th working day
    const hits = runRule(rule('P-TM-01'), noId, { date: '2025-10-11' }); // a make-up working day
    expect(hits).toEqual([{ detail: { missing: ['性别', '出生日期'], enteredOn: '2025-09-26' } }]);
  });

  it('takes 性别 and 出生日期 from a valid ID number when the cells are empty, as the data dictionary says', () => {
    expect(p.idFacts.birth).not.toBeNull();
    expect(runRule(rule('P-TM-01'), p, { date: '2025-12-01' })).toEqual([]);
  });

  it('does not require the optional 民族 and 所在处室 by default (a clean workbook may leave them empty)', () => {
    const q = { ...p, ethnicity: null, office: null, education: null };
    expect(runRule(rule('P-TM-01'), q, { date: '2025-12-01' })).toEqual([]);
  });

  it('requires what the office adds (alsoRequired), 所在处室 only when the unit has internal offices', () => {
    const q = { ...p, ethnicity: null, office: null };
    const params = { graceWorkdays: 5, alsoRequired: ['民族', '所在处室'] };
    expect(runRule(rule('P-TM-01'), q, { date: '2025-10-13', params })[0].detail).toMatchObject({ missing: ['民族', '所在处室'] });
    expect(runRule(rule('P-TM-01'), q, { date: '2025-10-13', params, unit: makeUnit({ internalOffices: [] }) })[0].detail).toMatchObject({ missing: ['民族'] });
    expect(rule('P-TM-01').choices?.alsoRequired).toContain('民族');
  });

  it('is silent on a complete record and without an 入编时间', () => {
    expect(runRule(rule('P-TM-01'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-01'), { ...noId, enteredOn: null }, { date: '2025-12-01' })).toEqual([]);
  });
});

describe('P-TM-02 中层职数审核后职务信息未完善', () => {
  it('fires 30 working days after an approved 中层职数 allocation', () => {
    const p = makePerson({ cross: { pendingChanges: [{ kind: '中层职数核定', approvedOn: '2025-04-01', expected: '办公室主任' }] } });
    expect(runRule(rule('P-TM-02'), p)).toEqual([{ detail: { kind: '中层职数核定', approvedOn: '2025-04-01', expected: '办公室主任' } }]);
  });
  it('is silent within the 30 working days and for other kinds', () => {
    const p = makePerson({ cross: { pendingChanges: [{ kind: '中层职数核定', approvedOn: '2025-06-01', expected: '办公室主任' }, { kind: '增人入编', approvedOn: '2025-01-02', expected: '在编' }] } });
    expect(runRule(rule('P-TM-02'), p)).toEqual([]);
    expect(runRule(rule('P-TM-02'), makePerson())).toEqual([]);
  });
});

describe('P-TM-03 人员变动未及时登记', () => {
  it('fires per kind once 5 working days have passed, keeping the oldest approval', () => {
    const p = makePerson({
      cross: {
        pendingChanges: [
          { kind: '增人入编', approvedOn: '2025-06-05', expected: '在编' },
          { kind: '增人入编', approvedOn: '2025-06-03', expected: '在编' },
          { kind: '职务任免', approvedOn: '2025-06-06', expected: '副局长' },
          { kind: '岗位调整', approvedOn: '2025-06-12', expected: '专业技术岗位' },
        ],
      },
    });
    const hits = runRule(rule('P-TM-03'), p, { date: '2025-06-16' });
    expect(hits.map((h) => h.qualifier)).toEqual(['增人入编', '职务任免']);
    expect(hits[0].detail).toEqual({ kind: '增人入编', approvedOn: '2025-06-03', expected: '在编' });
  });
  it('is silent within the grace and without pending changes', () => {
    const p = makePerson({ cross: { pendingChanges: [{ kind: '减人出编', approvedOn: '2025-06-09', expected: '已出编' }] } });
    expect(runRule(rule('P-TM-03'), p, { date: '2025-06-16' })).toEqual([]);
    expect(runRule(rule('P-TM-03'), makePerson())).toEqual([]);
  });
});

describe('P-TM-04 入编时间缺失', () => {
  it('fires on a 在编 person without 入编时间', () => {
    expect(runRule(rule('P-TM-04'), makePerson({ enteredOn: null }))).toHaveLength(1);
  });
  it('is silent when present or not 在编', () => {
    expect(runRule(rule('P-TM-04'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-04'), makePerson({ enteredOn: null, status: '待入编' }))).toEqual([]);
  });
});

describe('P-TM-05 入编时间不合理', () => {
  it('fires in the future, before 16, and before 参加工作时间', () => {
    expect(runRule(rule('P-TM-05'), makePerson({ enteredOn: '2025-07-01' }))[0].detail).toMatchObject({ reason: 'future' });
    expect(runRule(rule('P-TM-05'), makePerson({ enteredOn: '1999-01-01', workStartOn: '1998-01-01' }))[0].detail).toMatchObject({ reason: 'young' });
    expect(runRule(rule('P-TM-05'), makePerson({ enteredOn: '2008-06-01' }))[0].detail).toMatchObject({ reason: 'beforeWorkStart' });
  });
  it('is silent on plausible dates (a month-only date compares by month)', () => {
    expect(runRule(rule('P-TM-05'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-05'), makePerson({ enteredOn: '2008-07' }))).toEqual([]);
  });
});

describe('P-TM-06 任现职时间不合理', () => {
  it('fires when missing for a leader, in the future, or before 参加工作时间', () => {
    expect(runRule(rule('P-TM-06'), makePerson({ leaderLevel: '单位副职', currentPostSince: null }))[0].detail).toEqual({ reason: 'missing', leaderLevel: '单位副职' });
    expect(runRule(rule('P-TM-06'), makePerson({ currentPostSince: '2026-01-01' }))[0].detail).toMatchObject({ reason: 'future' });
    expect(runRule(rule('P-TM-06'), makePerson({ currentPostSince: '2005-01-01' }))[0].detail).toMatchObject({ reason: 'beforeWorkStart' });
  });
  it('is silent on a plausible date and for a non-leader without one', () => {
    expect(runRule(rule('P-TM-06'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-06'), makePerson({ currentPostSince: null }))).toEqual([]);
  });
});

describe('P-TM-07 时间字段填写不规范', () => {
  it('fires once per malformed or placeholder date field', () => {
    const hits = runRule(rule('P-TM-07'), makePerson({ birthDate: '1985/03/15', enteredOn: '1900-01-01', workStartOn: '2008-13', dutyStatusSince: '2024-02-30' }));
    expect(hits.map((h) => h.qualifier)).toEqual(['出生日期', '入编时间', '参加工作时间', '在岗状态起始日期']);
    expect(hits[1].detail).toEqual({ field: '入编时间', value: '1900-01-01' });
  });
  it('is silent on YYYY-MM-DD and YYYY-MM values and on empty ones', () => {
    expect(runRule(rule('P-TM-07'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-07'), makePerson({ workStartOn: '2008-07', currentPostSince: null }))).toEqual([]);
  });
});

describe('P-TM-08 参加工作时间不合理', () => {
  it('fires before age 14 and after 入编', () => {
    expect(runRule(rule('P-TM-08'), makePerson({ workStartOn: '1997-01-01' }))[0].detail).toMatchObject({ reason: 'young' });
    expect(runRule(rule('P-TM-08'), makePerson({ workStartOn: '2009-01-01' }))[0].detail).toMatchObject({ reason: 'afterEntry' });
  });
  it('is silent on a plausible date', () => {
    expect(runRule(rule('P-TM-08'), makePerson())).toEqual([]);
    expect(runRule(rule('P-TM-08'), makePerson({ workStartOn: '2008-08-01' }))).toEqual([]);
  });
});

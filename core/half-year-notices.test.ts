import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import {
  halfOf, halfRange, noticeNumber, noticePrefix, noticeState, overdueFindings, parseHalf, parseNoticeSettings, parseReply, previousHalf,
  repeatedMistakes, replyDueOn, type CheckFinding,
} from './half-year-notices.ts';

const cal = createCalendar([]);
let id = 0;
const f = (rule: string, status: string, openedOn: string | null): CheckFinding => ({ id: ++id, unitId: 1, rule, status, openedOn, subjectKind: 'person', subjectName: '张三', subjectIdMasked: '330602***********4' });

describe('half-years', () => {
  it('parses the ways a half-year is written and refuses the rest in Chinese', () => {
    expect(parseHalf('2026H2')).toBe('2026H2');
    expect(parseHalf('2026-h1')).toBe('2026H1');
    expect(parseHalf('2026下半年')).toBe('2026H2');
    expect(() => parseHalf('2026H3')).toThrow('格式不对');
    expect(() => parseHalf('')).toThrow('半年度');
  });
  it('the half-year of a day, the one before it, its days', () => {
    expect(halfOf('2026-06-30')).toBe('2026H1');
    expect(halfOf('2026-07-01')).toBe('2026H2');
    expect(previousHalf('2027-01-04')).toBe('2026H2');
    expect(previousHalf('2026-07-01')).toBe('2026H1');
    expect(halfRange('2026H1')).toEqual({ from: '2026-01-01', to: '2026-06-30' });
  });
});

describe('what a notice lists', () => {
  it('overdue: still open, opened by the end, open at least the limit in working days at the end', () => {
    // 2026-12-31 Thursday: 12-17 → 10 working days, 12-18 → 9.
    const rows = [f('P-TM-07', 'open', '2026-12-17'), f('P-TM-07', 'open', '2026-12-18'), f('P-TM-07', 'resolved', '2026-03-01'), f('P-TM-07', 'open', '2027-01-02'), f('P-TM-07', 'open', '2026-02-02')];
    const out = overdueFindings(rows, '2026H2', 10, cal);
    expect(out.map((o) => o.openedOn)).toEqual(['2026-02-02', '2026-12-17']);
    expect(out[1]).toMatchObject({ workdaysOpen: 10, record: '张三（330602***********4）', ruleTitle: '时间字段填写不规范' });
    expect(overdueFindings(rows, '2026H2', 9, cal).length).toBe(3);
  });
  it('repeated: openings within the half-year, N or more, explained / pending / 提示 not counted', () => {
    const rows = [
      f('P-ID-12', 'resolved', '2026-07-01'), f('P-ID-12', 'open', '2026-12-31'), f('P-ID-12', 'resolved', '2026-06-30'), f('P-ID-12', 'explained', '2026-08-01'),
      f('P-ID-13', 'resolved', '2026-08-01'), f('P-ID-13', 'resolved', '2026-08-02'), f('P-ID-13', 'resolved', '2026-08-03'), f('P-TM-07', 'pending', null),
    ];
    expect(repeatedMistakes(rows, '2026H2', 3)).toEqual([]);
    expect(repeatedMistakes([...rows, f('P-ID-12', 'resolved', '2026-09-09')], '2026H2', 3)).toEqual([{ rule: 'P-ID-12', ruleTitle: '姓名不规范', count: 3 }]);
  });
});

describe('numbers, settings, replies', () => {
  it('the prefix: the setting, else the region, else 编函', () => {
    const s = { overdueWorkdays: 10, repeatTimes: 3, replyWorkdays: 10, prefix: null };
    expect(noticeNumber(noticePrefix(s, { regionName: '柯桥区' }), 2027, 3)).toBe('柯编函〔2027〕3号');
    expect(noticePrefix(s, { regionName: null })).toBe('编函');
    expect(noticePrefix({ ...s, prefix: '绍柯编函' }, { regionName: '柯桥区' })).toBe('绍柯编函');
  });
  it('settings are checked field by field', () => {
    expect(parseNoticeSettings({ overdueWorkdays: '15', repeatTimes: 4 })).toEqual({ settings: { overdueWorkdays: 15, repeatTimes: 4, replyWorkdays: 10, prefix: null } });
    const bad = parseNoticeSettings({ overdueWorkdays: 'x', repeatTimes: 1, replyWorkdays: 61 });
    expect(Object.keys('errors' in bad ? bad.errors : {})).toEqual(['overdueWorkdays', 'repeatTimes', 'replyWorkdays']);
  });
  it('reply due in working days; the states', () => {
    // 国庆: 10-08, 10-09, then the make-up Saturday 10-10.
    expect(replyDueOn('2026-09-30', 3, cal)).toBe('2026-10-10');
    expect(noticeState({ replyState: 'none', replyDue: '2026-10-09' }, '2026-10-09')).toBe('open');
    expect(noticeState({ replyState: 'returned', replyDue: '2026-10-09' }, '2026-10-10')).toBe('overdue');
    expect(noticeState({ replyState: 'replied', replyDue: '2026-10-09' }, '2026-10-10')).toBe('replied');
    expect(noticeState({ replyState: 'closed', replyDue: '2026-10-09' }, '2026-10-10')).toBe('closed');
  });
  it('a reply: at least 10 characters, per-item notes only for the notice\'s items', () => {
    const facts = { overdue: [{ findingId: 5, rule: 'P-TM-07', ruleTitle: 't', record: 'r', openedOn: '2026-01-01', workdaysOpen: 20 }], repeated: [{ rule: 'P-ID-12', ruleTitle: '姓名不规范', count: 3 }] };
    expect(parseReply({ text: '短' }, facts)).toHaveProperty('errors.text');
    expect(parseReply({ text: '已全部整改完毕，特此说明。', items: { f5: ' 已改 ', rP_ID: 'x' } }, facts)).toHaveProperty('errors', { 'items.rP_ID': '逐项说明“rP_ID”不是本函所列的问题' });
    expect(parseReply({ text: '已全部整改完毕，特此说明。', items: { f5: ' 已改 ', 'rP-ID-12': '', } }, facts)).toEqual({ text: '已全部整改完毕，特此说明。', items: { f5: '已改' } });
  });
});

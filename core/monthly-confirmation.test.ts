import { describe, expect, it } from 'vitest';
import { createCalendar } from './calendar.ts';
import { confirmationState, dueOnFor, dueText, familyOf, parseSetting, reminderDayFor } from './monthly-confirmation.ts';

const cal = createCalendar();

describe('月度核账 due dates', () => {
  it('the n-th working day of the following month, holidays skipped', () => {
    // December 2026: Tue 1 … Fri 4, Mon 7.
    expect(dueOnFor('2026-11', { dueKind: 'workday', dueDay: 5 }, cal)).toBe('2026-12-07');
    expect(dueOnFor('2026-11', { dueKind: 'workday', dueDay: 1 }, cal)).toBe('2026-12-01');
    // October 2026 opens with the National Day holiday (1–7 October; the 8th is the first working day).
    expect(dueOnFor('2026-09', { dueKind: 'workday', dueDay: 1 }, cal)).toBe(cal.firstWorkdayOfMonth('2026-10'));
    expect(cal.isWorkday(dueOnFor('2026-09', { dueKind: 'workday', dueDay: 3 }, cal))).toBe(true);
  });

  it('a calendar day moves to the next working day', () => {
    expect(dueOnFor('2026-12', { dueKind: 'day', dueDay: 10 }, cal)).toBe('2027-01-11'); // Sunday 10 January
    expect(dueOnFor('2026-11', { dueKind: 'day', dueDay: 10 }, cal)).toBe('2026-12-10');
  });

  it('the reminder two working days before; states by the due date', () => {
    expect(reminderDayFor('2026-12-07', cal)).toBe('2026-12-03');
    expect(confirmationState({ confirmedOn: null, dueOn: '2026-12-07' }, '2026-12-07')).toBe('open');
    expect(confirmationState({ confirmedOn: null, dueOn: '2026-12-07' }, '2026-12-08')).toBe('overdue');
    expect(confirmationState({ confirmedOn: '2026-12-09', dueOn: '2026-12-07' }, '2026-12-10')).toBe('confirmed');
  });

  it('validates the setting in Chinese', () => {
    expect(parseSetting({ dueKind: 'workday', dueDay: 5 })).toEqual({ setting: { dueKind: 'workday', dueDay: 5 } });
    expect(parseSetting({ dueKind: 'day', dueDay: '10' })).toEqual({ setting: { dueKind: 'day', dueDay: 10 } });
    expect(parseSetting({ dueKind: 'workday', dueDay: 16 })).toEqual({ errors: { dueDay: '截止日须为 1 到 15 之间的整数（次月第几个工作日）' } });
    expect(parseSetting({ dueKind: 'day', dueDay: 0 })).toMatchObject({ errors: { dueDay: expect.stringContaining('1 到 28') } });
    expect(parseSetting({ dueKind: 'week', dueDay: 2 })).toMatchObject({ errors: { dueKind: expect.stringMatching(/截止方式/) } });
    expect(parseSetting(null)).toMatchObject({ errors: {} });
    expect(dueText({ dueKind: 'workday', dueDay: 5 })).toBe('次月第5个工作日');
  });

  it('families: X-* are the cross-system comparison', () => {
    expect(['X-SI-01', 'P-ID-01', 'U-PR-02', 'W-07'].map(familyOf)).toEqual(['cross', 'person', 'unit', 'worker']);
  });
});

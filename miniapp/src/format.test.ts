import { describe, expect, it } from 'vitest';
import { dateTime, deadlineText, lightName, shortDate, shownValue } from './format.ts';

describe('display texts', () => {
  it('names the lights as the cards do', () => {
    expect(lightName('red')).toBe('红灯');
    expect(lightName('yellow')).toBe('黄灯');
    expect(lightName('green')).toBe('绿灯');
    expect(lightName('hint')).toBe('提示');
  });

  it('says until when a yellow finding may be fixed, and that a red one is overdue', () => {
    expect(deadlineText({ light: 'yellow', redFrom: '2026-05-12', resolvedOn: null })).toBe('5月12日前整改，否则亮红灯');
    expect(deadlineText({ light: 'red', redFrom: '2026-05-12', resolvedOn: null })).toBe('已超期');
    expect(deadlineText({ light: 'green', redFrom: '2026-05-12', resolvedOn: '2026-05-11' })).toBe('已整改');
  });

  it('gives a 提示 no deadline', () => {
    expect(deadlineText({ light: 'hint', redFrom: '2026-05-12', resolvedOn: null })).toBe('提示：不设整改期限，不计入红黄灯');
  });

  it('formats dates and values in Chinese', () => {
    expect(shortDate('2026-05-02')).toBe('5月2日');
    expect(shortDate('2026-05')).toBe('2026年5月');
    expect(dateTime('2026-05-12 14:03:09')).toBe('2026年5月12日 14:03');
    expect(dateTime('2026-05-12T06:03:09.000Z')).toBe('2026年5月12日 14:03');
    expect(shownValue(null)).toBe('（空）');
    expect(shownValue(true)).toBe('是');
  });
});

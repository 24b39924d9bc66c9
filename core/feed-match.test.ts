import { describe, expect, it } from 'vitest';
import { candidatesFor, nameMatch, normaliseName } from './feed-match.ts';

describe('name matching', () => {
  it('normalises spaces, full-width letters and the dots of transcribed names', () => {
    expect(normaliseName(' 张 晓明 ')).toBe('张晓明');
    expect(normaliseName('买买提·艾力')).toBe('买买提艾力');
    expect(normaliseName('ＡＢＣ　王')).toBe('ABC王');
  });

  it('tells the same name, the same reading (variant and homophone characters), and neither', () => {
    expect(nameMatch('张晓明', ' 张晓明')).toBe('姓名相同');
    expect(nameMatch('买买提•艾力', '买买提·艾力')).toBe('姓名相同');
    expect(nameMatch('張曉明', '张晓明')).toBe('读音相同');
    expect(nameMatch('王小明', '王晓明')).toBe('读音相同');
    expect(nameMatch('王小明', '王小敏')).toBeNull();
    expect(nameMatch('王小明', '王明')).toBeNull();
    expect(nameMatch('张晓明', '章晓明')).toBe('读音相同');
    expect(nameMatch('张晓明', '张晓鸣')).toBe('读音相同');
    expect(nameMatch('李华', '李桦')).toBe('读音相同');
    expect(nameMatch('李华', '李花')).toBe('读音相同');
    expect(nameMatch('李华', '刘华')).toBeNull();
    expect(nameMatch('', '')).toBeNull();
  });
});

describe('candidates', () => {
  const people = [
    { id: 1, name: '张晓明', birthKey: '1980-01-01', unitId: 7, status: '在编' },
    { id: 2, name: '張曉明', birthKey: '1980-01-01', unitId: 9, status: '在编' },
    { id: 3, name: '章晓明', birthKey: '1980-01-01', unitId: 9, status: null },
    { id: 4, name: '张晓明', birthKey: '1980-01-02', unitId: 9, status: '在编' },
    { id: 5, name: '张晓明', birthKey: '1980-01-01', unitId: 9, status: '已出编' },
  ];

  it('needs the same birth and a roster status, and ranks the resolved unit first, then the same name', () => {
    const c = candidatesFor({ name: '张晓明', birthKey: '1980-01-01', unitId: 9 }, people);
    expect(c.map((x) => [x.person.id, x.reason, x.sameUnit])).toEqual([[2, '读音相同', true], [3, '读音相同', true], [1, '姓名相同', false]]);
    expect(candidatesFor({ name: '张晓明', birthKey: null, unitId: 9 }, people)).toEqual([]);
  });
});

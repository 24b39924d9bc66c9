import { describe, expect, it } from 'vitest';
import { buildQuarterlyReport, change, NO_DATA, previousQuarter, retirementsByYear, staffingFigures, validQuarter, withNarrative, narrativeText, type QuarterlyInputs, type QuarterSnapshot } from './quarterly-report.ts';
import { statKey, type UnitStats } from './unit-stats.ts';

function stats(entries: Array<[string, string, number]>): UnitStats {
  return new Map(entries.map(([d, k, n]) => [statKey(d as never, k), n]));
}

const q3 = validQuarter('2026Q3');
const snap = (month: string, s: UnitStats, edu?: UnitStats): QuarterSnapshot => ({ month, asOf: `${month}-30`, all: s, bySector: { 教育: edu ?? new Map() } });
const now = stats([
  ['approved', '行政编制', 100], ['approved', '事业编制', 200], ['onQuota', '行政编制', 95], ['onQuota', '事业编制', 210],
  ['vacant', '行政编制', 7], ['vacant', '事业编制', 4], ['over', '行政编制', 2], ['over', '事业编制', 14], ['overUnit', '事业编制', 3],
  ['unitTotal', 'units', 12], ['unitTotal', 'vacant', 9], ['unitTotal', 'over', 14], ['unitTotal', 'overUnit', 3],
  ['saturation', '超编', 3], ['saturation', '80%-90%', 9], ['age', '30岁及以下', 50], ['age', '56岁及以上', 20], ['age', '41-45岁', 235],
  ['education', '大学本科', 300], ['education', '未填', 5], ['retire', '2026-08|事业编制', 9], ['retire', '2026-09|事业编制', 2], ['retire', '2027-01|行政编制', 4], ['retire', '2031-01|行政编制', 6],
]);
const before = stats([['approved', '行政编制', 100], ['approved', '事业编制', 190], ['onQuota', '行政编制', 97], ['onQuota', '事业编制', 200], ['unitTotal', 'units', 12], ['unitTotal', 'overUnit', 2], ['unitTotal', 'vacant', 3], ['unitTotal', 'over', 10]]);
const quality = { lastRun: { date: '2026-09-30', yellow: 4, red: 2 }, scores: { count: 3, average: 88.3, bands: { '90分及以上': 1, '80-89分': 2 }, best: [{ unit: '甲局', score: 95 }], worst: [{ unit: '乙局', score: 80 }] }, redUnits: [{ month: '2026-09', units: ['乙局'] }], suspensions: [] };
const inputs = (over: Partial<QuarterlyInputs> = {}): QuarterlyInputs => ({
  quarter: q3, current: snap('2026-09', now, stats([['retire', '2026-09|事业编制', 2], ['unitTotal', 'units', 4]])), previous: snap('2026-06', before),
  quality, previousQuality: { lastRun: { date: '2026-06-30', yellow: 6, red: 2 } }, requests: { 增人入编: { approved: 2, rejected: 1 } }, ...over,
});

describe('quarters', () => {
  it('validates YYYYQn and names the months', () => {
    expect(q3).toMatchObject({ id: '2026Q3', months: ['2026-07', '2026-08', '2026-09'], title: '2026年第三季度' });
    expect(previousQuarter(validQuarter('2026Q1')).id).toBe('2025Q4');
    for (const bad of ['2026Q5', '2026-09', 'Q3', '', undefined]) expect(() => validQuarter(bad, '--quarter')).toThrow(/--quarter 应为.*2026Q3/);
  });
});

describe('quarterly report content', () => {
  it('gives the quarter-end figures, gross and net, and the change from the previous quarter', () => {
    const f = staffingFigures(now);
    expect(f).toEqual({ approved: 300, onQuota: 305, vacantGross: 9, vacantNet: -5, over: 14, overUnits: 3, units: 12 });
    const r = buildQuarterlyReport(inputs());
    expect(r.sections.map((s) => s.heading)).toEqual(['一、基本情况', '二、编制使用', '三、人员结构', '四、退休预测', '五、数据质量', '六、下步建议']);
    const t1 = r.sections[0].tables[0];
    expect(t1.rows.find((row) => row[0] === '实有人数')).toEqual(['实有人数', 305, 297, '+8']);
    expect(t1.rows.find((row) => row[0] === '超编单位')).toEqual(['超编单位', 3, 2, '+1']);
    expect(r.sections[0].paragraphs.join('')).toContain('实有在编增加 8');
    const kinds = r.sections[1].tables[0];
    expect(kinds.rows.find((row) => row[0] === '事业编制')).toEqual(['事业编制', 200, 210, -10, 4, 14, 3, '+10']);
    expect(r.sections[4].tables[0].rows[0]).toEqual(['黄灯问题', 4, 6, '-2']);
    expect(r.sections[4].tables.at(-1)!.rows).toEqual([['增人入编', 2, 1, 3]]);
    expect(r.facts).toMatchObject({ 核定编制: 300, 实有人数: 305, 超编单位: 3, 办结事项: 3 });
  });

  it('says 上季度无数据 and invents no previous figure', () => {
    const r = buildQuarterlyReport(inputs({ previous: null, previousQuality: { lastRun: null } }));
    expect(r.sections[0].tables[0].rows.every((row) => row[2] === NO_DATA && row[3] === NO_DATA)).toBe(true);
    expect(r.sections[0].paragraphs.join('')).toContain(NO_DATA);
    expect(r.sections[4].tables[0].rows[0]).toEqual(['黄灯问题', 4, NO_DATA, NO_DATA]);
    expect(change(3, null)).toBe(NO_DATA);
    expect(change(3, 3)).toBe('0');
  });

  it('without a snapshot in the quarter gives no figures at all', () => {
    const r = buildQuarterlyReport(inputs({ current: null }));
    expect(r.asOf).toBeNull();
    expect(r.sections[0].tables).toEqual([]);
    expect(r.sections[0].paragraphs[0]).toContain('没有数据检查形成的编制数据快照');
  });

  it('counts retirements from the snapshot month over five calendar years, by sector', () => {
    const r = retirementsByYear(snap('2026-09', now, stats([['retire', '2026-09|事业编制', 2]])));
    expect(r.years).toEqual([2026, 2027, 2028, 2029, 2030]);
    expect(r.total).toEqual([2, 4, 0, 0, 0]); // 2026-08 is before the snapshot month, 2031 outside
    expect(r.bySector['教育']).toEqual([2, 0, 0, 0, 0]);
  });

  it('puts an edited narrative back into its sections, keeping the template where a heading is missing', () => {
    const r = buildQuarterlyReport(inputs());
    const back = withNarrative(r, narrativeText(r));
    expect(back.sections.map((s) => s.paragraphs)).toEqual(r.sections.map((s) => s.paragraphs));
    const edited = withNarrative(r, '一、基本情况\n改过的第一段\n\n三、人员结构\n改过的结构');
    expect(edited.sections[0].paragraphs).toEqual(['改过的第一段']);
    expect(edited.sections[2].paragraphs).toEqual(['改过的结构']);
    expect(edited.sections[1].paragraphs).toEqual(r.sections[1].paragraphs);
  });
});

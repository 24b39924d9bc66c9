import { describe, expect, it } from 'vitest';
import { FINDING_FIXES, findingFix, fixOf } from './finding-fixes.ts';
import { RULES } from './rules/index.ts';

const CJK = /[\u4e00-\u9fff]/;

describe('where each finding is fixed', () => {
  it('every rule of the catalogue maps somewhere, with a Chinese label (a new rule without a fix fails here)', () => {
    const codes = RULES.map((r) => r.code);
    expect(codes.length).toBeGreaterThan(70);
    const missing = codes.filter((c) => !fixOf(c));
    expect(missing).toEqual([]);
    for (const c of codes) expect(fixOf(c)!.label).toMatch(CJK);
    // and nothing maps a rule that does not exist
    expect(Object.keys(FINDING_FIXES).filter((c) => !codes.includes(c))).toEqual([]);
  });

  it('a worker rule fixes the 编外人员 record, a person rule the person, only where the subject is of that kind', () => {
    for (const r of RULES) {
      const spec = fixOf(r.code)!;
      if (spec.kind === 'worker') expect(r.scope).toBe('worker');
      if (spec.kind === 'person' || spec.requestKind === '减人出编' && r.scope === 'person') expect(r.scope).toBe('person');
    }
  });

  it('links: the form of the subject, the request form prefilled, and the office-only ones by role', () => {
    const unitRole = '单位专管员';
    expect(findingFix({ id: 7, rule: 'W-02', unitId: 3, subject: { kind: 'worker', id: 11 } }, unitRole)).toEqual({ kind: 'worker', label: '去修改编外人员信息', href: '#/worker/11?finding=7&field=%E7%94%A8%E5%B7%A5%E6%96%B9%E5%BC%8F' });
    expect(findingFix({ id: 8, rule: 'P-RT-01', unitId: 3, subject: { kind: 'person', id: 21 } }, unitRole).href)
      .toBe(`#/requests/new?kind=${encodeURIComponent('减人出编')}&unit=3&person=21&finding=8`);
    expect(findingFix({ id: 9, rule: 'U-QT-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole).href)
      .toBe(`#/requests/new?kind=${encodeURIComponent('减人出编')}&unit=3&finding=9`);
    expect(findingFix({ id: 9, rule: 'U-QT-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, '编办业务人员').href).toBe('#/console/unit/3?finding=9');
    // 满编 is a 提示: nobody has to leave; it shows the unit's figures.
    expect(findingFix({ id: 9, rule: 'U-QT-02', unitId: 3, subject: { kind: 'unit', id: 3 } }, '单位专管员').href).toBe('#/unit/3?finding=9');
    expect(findingFix({ id: 10, rule: 'U-IN-12', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole).href).toMatch(/^#\/unit\/3\?finding=10&field=/);
    expect(findingFix({ id: 11, rule: 'U-LD-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole).href).toBe('#/contact?unit=3&finding=11');
    expect(findingFix({ id: 11, rule: 'U-LD-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, '编办管理员').href).toMatch(/^#\/console\/unit\/3\?finding=11/);
    expect(findingFix({ id: 12, rule: 'U-PR-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole).href).toBe('#/self-check');
    // 月报未按时核对: the unit's 核账 page for its people, the console's 月度核账 for the office.
    expect(findingFix({ id: 14, rule: 'U-PR-02', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole)).toEqual({ kind: 'monthly', label: '去确认本月核账', href: '#/monthly/3?finding=14' });
    expect(findingFix({ id: 14, rule: 'U-PR-02', unitId: 3, subject: { kind: 'unit', id: 3 } }, '单位领导').href).toBe('#/monthly/3?finding=14');
    expect(findingFix({ id: 14, rule: 'U-PR-02', unitId: 3, subject: { kind: 'unit', id: 3 } }, '分管领导').href).toBe('#/console/monthly');
    // A cross-system finding: the unit fixes its own record; the office reviews it (or marks it 已说明) in the findings list.
    expect(findingFix({ id: 15, rule: 'X-SI-03', unitId: 3, subject: { kind: 'person', id: 21 } }, unitRole).href).toBe(`#/requests/new?kind=${encodeURIComponent('减人出编')}&unit=3&person=21&finding=15`);
    expect(findingFix({ id: 15, rule: 'X-PY-03', unitId: 3, subject: { kind: 'person', id: 21 } }, unitRole).href).toBe('#/person/21?finding=15');
    expect(findingFix({ id: 15, rule: 'X-PY-03', unitId: 3, subject: { kind: 'person', id: 21 } }, '编办业务人员').href).toBe('#/console/findings?status=open&unit=3&rule=X-PY-03');
    expect(findingFix({ id: 16, rule: 'X-PY-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, unitRole).href).toBe('#/contact?unit=3&finding=16');
    expect(findingFix({ id: 16, rule: 'X-PY-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, '分管领导')).toEqual({ kind: 'cross', label: '查看该单位的比对结果', href: '#/console/findings?status=open&unit=3&rule=X-PY-01' });
    expect(findingFix({ id: 16, rule: 'X-PY-01', unitId: 3, subject: { kind: 'unit', id: 3 } }, '编办管理员').label).toBe('核对比对结果或标记为已说明');
    // W-07's subject is a contract, not a stored worker: never a worker link.
    expect(findingFix({ id: 13, rule: 'W-07', unitId: 3, subject: { kind: 'worker', id: 3 } }, unitRole).href).toBe('#/contact?unit=3&finding=13');
  });

  it('every rule gives every role a link into the app (never a dead end)', () => {
    for (const r of RULES) {
      for (const role of ['单位专管员', '单位领导', '编办管理员', '编办业务人员', '分管领导', '查询用户']) {
        const l = findingFix({ id: 1, rule: r.code, unitId: 2, subject: { kind: r.scope, id: 5 } }, role);
        expect(l.href, `${r.code} ${role}`).toMatch(/^#\/(person|worker|unit|console\/unit|console\/import|console\/findings|requests\/new|self-check|monthly|console\/monthly|contact)\b/);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { PersonInput } from '../../../core/inputs.ts';
import { idFacts } from '../../../core/idnumber.ts';
import { makeIdNumber, makeUnit } from '../../../core/rules/testing.ts';
import type { Finding, PersonView } from '../types.ts';
import { toCells, validateCells } from './form.ts';
import { localHits, outlook, recordContext } from './recheck.ts';

const DATE = '2025-06-16';
const ID = makeIdNumber('19850315', '男');

const person: PersonInput = {
  unitCode: '11330603002482189K', idNumber: '330603********1234', name: '张三', gender: '男', ethnicity: '汉', birthDate: '1985-03-15',
  office: '办公室', status: '在编', quotaKind: '行政编制', posts: '科员', leaderLevel: '非领导', rank: '一级主任科员', dutyStatus: '在岗',
  enteredOn: '2008-08-01', workStartOn: '2008-07-01', currentPostSince: '2019-06-01', education: '大学本科', identity: '干部', politics: '中共党员',
};

function finding(rule: string, qualifier: string | null, id: number): Finding {
  return {
    id, rule, title: rule, severity: 'S2', unit: '11330603002482189K', unitName: '示例局', subject: { kind: 'person', id: 7, name: '张三', idMasked: '330603********1234' },
    qualifier, light: 'yellow', openedOn: '2025-06-10', redFrom: '2025-06-16', resolvedOn: null, detail: null,
  };
}

const { agg: _agg, ...unit } = makeUnit();
const view = (over: Partial<PersonView> = {}): PersonView => ({
  person, unit, findings: [finding('P-ID-14', '民族', 1), finding('P-ID-11', null, 2)], version: 3, ...over,
});

const edit = (changes: Record<string, string>) => validateCells({ ...toCells(person), ...changes }).value;

describe('the person rules in the browser', () => {
  it('finds on the stored record what the server found', () => {
    const ctx = recordContext(view(), 7, DATE);
    expect(localHits(person, ctx).map((h) => `${h.rule}|${h.qualifier}`)).toEqual(['P-ID-14|民族']);
  });

  it('tells which open findings an edit fixes, and leaves the ones it cannot judge to the server', () => {
    const ctx = recordContext(view(), 7, DATE);
    const o = outlook(view().findings, person, edit({ 民族: '汉族' }), ctx);
    expect(o.findings.map((x) => [x.finding.rule, x.outlook])).toEqual([['P-ID-14', 'fixed'], ['P-ID-11', 'unknown']]);
    expect(o.added).toEqual([]);
  });

  it('says a finding is still there when the edit does not fix it', () => {
    const ctx = recordContext(view(), 7, DATE);
    const o = outlook(view().findings, person, edit({ 民族: '汉民族', 职务: '副科长' }), ctx);
    expect(o.findings[0].outlook).toBe('still');
  });

  it('warns of a problem the edit would bring', () => {
    const ctx = recordContext(view(), 7, DATE);
    const o = outlook(view().findings, person, edit({ 姓名: '张3' }), ctx);
    expect(o.added.map((h) => h.rule)).toEqual(['P-ID-12']);
  });

  it('judges nothing while the form has errors', () => {
    const ctx = recordContext(view(), 7, DATE);
    const o = outlook(view().findings, person, null, ctx);
    expect(o.findings.every((x) => x.outlook === 'unknown')).toBe(true);
  });

  it('uses the ID facts and cross-row facts when the server sends them', () => {
    const facts = idFacts(ID, DATE);
    const v = view({
      person: { ...person, ethnicity: '汉族', birthDate: '1985-04-15' },
      idFacts: facts,
      cross: { sameIdInUnit: 0, otherQuotaUnits: 1, sameNameBirthOtherIds: 0, pendingChanges: [] },
      findings: [finding('P-ID-08', null, 3), finding('P-ID-11', null, 4)],
    });
    const ctx = recordContext(v, 7, DATE);
    const o = outlook(v.findings, v.person, validateCells({ ...toCells(v.person), 出生日期: '1985-03-15', 在编状态: '已出编' }).value, ctx);
    expect(o.findings.map((x) => x.outlook)).toEqual(['fixed', 'fixed']);
  });

  it('checks a newly typed ID number in the browser', () => {
    const v = view({ person: { ...person, ethnicity: '汉族' }, findings: [] });
    const ctx = recordContext(v, 7, DATE);
    const bad = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
    const o = outlook([], v.person, validateCells({ ...toCells(v.person), 身份证号: bad }).value, ctx);
    expect(o.added.map((h) => h.rule)).toContain('P-ID-03');
  });
});

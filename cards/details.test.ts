/// <reference types="vite/client" />
// Every rule's detail reads in Chinese (issue 11, item 16). The details are real ones: the rule
// catalogue's own tests (core/rules/*.test.ts) run here again, and every hit their fixtures
// produce through runRule (core/rules/testing.ts) is recorded and rendered afterwards.

import { describe, expect, it, vi } from 'vitest';
import type { Hit, Rule } from '../core/rules/define.ts';
import { RULES } from '../core/rules/index.ts';
import { DETAIL_PHRASES, findingDetailText, findingHeading, ruleParamsText } from './details.ts';

type Seen = Array<{ rule: string; hit: Hit }>;
const seen = ((globalThis as { __sanseSeenHits?: Seen }).__sanseSeenHits ??= []);

vi.mock('../core/rules/testing.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../core/rules/testing.ts')>();
  return {
    ...original,
    runRule: (rule: Rule, record: unknown, opts?: Parameters<typeof original.runRule>[2]) => {
      const hits = original.runRule(rule, record, opts);
      const store = ((globalThis as { __sanseSeenHits?: Seen }).__sanseSeenHits ??= []);
      for (const hit of hits) store.push({ rule: rule.code, hit });
      return hits;
    },
  };
});

// The catalogue's tests, registered in this file (they run first, recording their hits).
import.meta.glob('../core/rules/*.test.ts', { eager: true });

/** Every string a detail carries as a value (those may be ASCII: a check character, a typed value). */
function values(v: unknown): string[] {
  if (v == null) return [];
  if (Array.isArray(v)) return v.flatMap(values);
  if (typeof v === 'object') return Object.values(v as object).flatMap(values);
  return [String(v)];
}

describe('finding details in Chinese', () => {
  it('every rule of the catalogue fired in its tests, and every detail key has a Chinese name', () => {
    const fired = new Set(seen.map((s) => s.rule));
    expect(RULES.map((r) => r.code).filter((c) => !fired.has(c))).toEqual([]);
    const unnamed = new Set<string>();
    for (const { rule, hit } of seen) for (const k of Object.keys(hit.detail ?? {})) if (!DETAIL_PHRASES.rules[rule]?.[k] && !DETAIL_PHRASES.labels[k]) unnamed.add(`${rule}.${k}`);
    expect([...unnamed]).toEqual([]);
  });

  it('renders every detail the fixtures produce with no internal key or code left', () => {
    let rendered = 0;
    for (const { rule, hit } of seen) {
      if (!hit.detail || !Object.keys(hit.detail).length) continue;
      const text = findingDetailText(rule, hit.qualifier, hit.detail, { qualifier: true })!;
      rendered++;
      expect(text, `${rule} ${JSON.stringify(hit.detail)}`).toBeTruthy();
      // Remove what the record itself holds; what is left is ours and must be Chinese.
      let rest = text;
      for (const v of values(hit.detail).concat(hit.qualifier ?? []).sort((a, b) => b.length - a.length)) rest = rest.split(v).join('');
      expect(rest, `${rule}: ${text}`).not.toMatch(/[A-Za-z]/);
      for (const key of Object.keys(hit.detail)) expect(text).not.toContain(`${key}：`);
    }
    expect(rendered).toBeGreaterThan(50);
  });

  it('reads as the office reads it', () => {
    expect(findingDetailText('P-ID-08', null, { level: 'month', birthDate: '1974-03-15', idBirth: '1974-02-15' })).toBe('与身份证号所载出生日期相比：月份不同；花名册出生日期：1974-03-15；身份证号所载出生日期：1974-02-15');
    // Without full-ID rights the API sends no idBirth: the level only.
    expect(findingDetailText('P-ID-08', null, { level: 'year', birthDate: '1975-03-15' })).toBe('与身份证号所载出生日期相比：年份不同；花名册出生日期：1975-03-15');
    expect(findingDetailText('P-ST-11', null, { dutyStatus: '借调', since: '2024-05-01', months: 12 })).toBe('在岗状态：借调；借调/挂职起始日期：2024-05-01；最长期限（月）：12');
    expect(findingDetailText('P-RT-01', null, { retireMonth: '2026-03', retireAge: '60周岁' })).toMatch(/^退休月份：2026-03；/);
    expect(findingDetailText('P-ID-03', null, { expected: 'X' })).toBe('正确的校验码：X');
    expect(findingDetailText('P-ID-10', null, { others: 1 })).toBe('同单位重复录入的其他记录数：1');
    expect(findingDetailText('P-TM-01', null, { missing: ['性别', '民族'], enteredOn: '2026-01-05' })).toBe('未填写的项目：性别、民族；入编时间：2026-01-05');
    // The qualifier comes first unless a fact already says it (no "行政编制；编制类型：行政编制").
    expect(findingDetailText('U-QT-01', '行政编制', { kind: '行政编制', approved: 10, actual: 12, over: 2 }, { qualifier: true })).toBe('编制类型：行政编制；核定数：10；实有数：12；超出数：2');
    expect(findingDetailText('U-PR-02', '2026-11', { month: '2026-11', dueOn: '2026-12-05' }, { qualifier: true })).not.toMatch(/2026-11.*2026-11/);
    expect(findingDetailText('P-TM-07', '入编时间', { value: '1900-01-01' }, { qualifier: true })).toBe('入编时间；填写值：1900-01-01');
    // W-07's qualifier is the contract's internal key: never shown.
    expect(findingHeading('W-07', 'feed-5')).toBe('编外人员未及时登记');
    expect(findingDetailText('W-07', 'feed-5', { signedOn: '2026-10-01' }, { qualifier: true })).toBe('合同签订日期：2026-10-01');
    expect(findingHeading('U-QT-01', '行政编制')).toBe('超编（行政编制）');
    // Plain text on one line, ID-shaped digits masked.
    expect(findingDetailText('P-TM-07', '入编时间', { field: '入编时间', value: '2026\n330621198001010011' })).toBe('项目：入编时间；填写值：2026 330621***********1');
  });

  it('names every parameter of the catalogue in Chinese', () => {
    for (const r of RULES) {
      const text = ruleParamsText(r.params as Record<string, unknown>);
      expect(text.replace(/：[^；]*/g, ''), r.code).not.toMatch(/[A-Za-z]/);
    }
    expect(ruleParamsText({ graceWorkdays: 1 })).toBe('宽限工作日：1');
  });
});

// The 错题本's shipped texts (templates/fix-guides/*.json) against the rule catalogue and the
// forms they send the specialist to: one guide per rule of core/rules with the rule's own title;
// every part written, in Chinese, with 2–6 steps; the example ID numbers real (MOD 11-2, a real
// birth date) and the example credit codes valid; every field a step names in “…” a column of
// the sheets (the forms' fields) or of the request form; every button or page named in 【…】
// one the mini-app shows (its source, or the fix labels of core/finding-fixes.ts).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixOf } from '../core/finding-fixes.ts';
import { idFacts } from '../core/idnumber.ts';
import { RULES } from '../core/rules/index.ts';
import { SHEETS } from '../core/sheets.ts';
import { usccFacts } from '../core/uscc.ts';
import { shippedFixGuides, type FixGuide } from './fix-guides.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR = path.join(ROOT, 'cards', 'templates', 'fix-guides');

/** The files as written, each guide with the file it is in (the family it belongs to). */
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const WRITTEN: Array<{ file: string; guide: FixGuide }> = FILES.flatMap((file) =>
  (JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as FixGuide[]).map((guide) => ({ file, guide })),
);
const GUIDES = shippedFixGuides();

const texts = (g: FixGuide): string[] => [g.what, g.why, ...g.how, g.right, g.wrong];

/** The rule families and the file each one's guides are in. */
const FAMILY_FILE: Array<[RegExp, string]> = [
  [/^P-ID-/, 'identity.json'], [/^P-RT-/, 'retirement.json'], [/^P-TM-/, 'timeliness.json'], [/^P-ST-/, 'status.json'],
  [/^U-LD-/, 'leaders.json'], [/^U-QT-/, 'quotas.json'], [/^U-IN-/, 'institution.json'], [/^U-PR-/, 'process.json'],
  [/^X-/, 'cross-system.json'], [/^W-/, 'workers.json'],
];

// ---- what the texts may name ---------------------------------------------------------------

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The text the user can see: the mini-app's sources and the fix buttons' labels. */
const UI_TEXT = [...sourceFiles(path.join(ROOT, 'miniapp', 'src')), path.join(ROOT, 'core', 'finding-fixes.ts')]
  .map((f) => readFileSync(f, 'utf8')).join('\n');

/** The request form's own fields (miniapp/src/requests/form.ts, `{ name: '…'`), read from its source. */
const REQUEST_FIELDS = [...readFileSync(path.join(ROOT, 'miniapp', 'src', 'requests', 'form.ts'), 'utf8').matchAll(/\{ name: '([^']+)'/g)].map((m) => m[1]);

/** Every field a step may name: the sheets' columns (the record forms), the request form's, and the save dialog's 修改原因. */
const FIELDS: ReadonlySet<string> = new Set([
  ...Object.values(SHEETS).flatMap((s) => [...s.columns]),
  ...REQUEST_FIELDS,
  ...(UI_TEXT.includes('修改原因') ? ['修改原因'] : []),
]);

const HAN = /\p{Script=Han}/u;
/** A particular place's regulation: the cities whose rules the offices' documents cite, or an article number (第八条). */
const LOCAL_CITATION = /宁波|柯桥|绍兴|潍坊|海宁|嵊州|烟台|舟山|嘉兴|杭州|温州|湖州|金华|台州|丽水|衢州|第[一二三四五六七八九十百零〇\d]+条/g;
/** Rule codes, ID-number-shaped and credit-code-shaped tokens: the only Latin letters a guide may carry beyond single letters. */
const CODE_TOKENS = /\b(?:[PU]-[A-Z]{2}-\d{2}|X-[A-Z]{2}-\d{2}|W-\d{2})\b|(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Z])/g;
const ID_SHAPED = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const USCC_SHAPED = /(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{18}(?![0-9A-Z])/g;

describe('the 错题本: a guide for every rule of the catalogue', () => {
  it('reads the ten family files, and the one shipped map holds every guide written', () => {
    expect(FILES).toEqual(FAMILY_FILE.map(([, f]) => f).sort());
    expect(GUIDES.size).toBe(WRITTEN.length);
  });

  it('every rule of core/rules has a guide', () => {
    const missing = RULES.filter((r) => !GUIDES.has(r.code)).map((r) => r.code);
    expect(missing).toEqual([]);
    expect(GUIDES.size).toBe(RULES.length);
  });

  it('every guide is of a rule, under its title exactly, in its family’s file, in catalogue order', () => {
    const titles = new Map(RULES.map((r) => [r.code, r.title]));
    for (const { file, guide } of WRITTEN) {
      expect(titles.has(guide.code), `${file}: ${guide.code} is no rule`).toBe(true);
      expect(guide.title, guide.code).toBe(titles.get(guide.code));
      expect(FAMILY_FILE.find(([re]) => re.test(guide.code))?.[1], guide.code).toBe(file);
    }
    const order = RULES.map((r) => r.code);
    for (const file of FILES) {
      const codes = WRITTEN.filter((w) => w.file === file).map((w) => w.guide.code);
      expect(codes, file).toEqual(order.filter((c) => codes.includes(c)));
    }
  });

  it('every part is written, in Chinese, with 2 to 6 steps, and the two examples differ', () => {
    for (const g of GUIDES.values()) {
      expect(Object.keys(g).sort(), g.code).toEqual(['code', 'how', 'right', 'title', 'what', 'why', 'wrong']);
      expect(Array.isArray(g.how), g.code).toBe(true);
      expect(g.how.length, `${g.code} steps`).toBeGreaterThanOrEqual(2);
      expect(g.how.length, `${g.code} steps`).toBeLessThanOrEqual(6);
      for (const t of texts(g)) {
        expect(typeof t, g.code).toBe('string');
        expect(t.trim().length, `${g.code}: an empty part`).toBeGreaterThan(0);
        expect(HAN.test(t), `${g.code}: “${t}” has no Chinese`).toBe(true);
      }
      expect(g.right, g.code).not.toBe(g.wrong);
      expect(new Set(g.how).size, `${g.code}: a step written twice`).toBe(g.how.length);
    }
  });

  it('has no English words: only rule codes, ID numbers, credit codes and single letters (X, O, I…)', () => {
    const bad: string[] = [];
    for (const g of GUIDES.values()) {
      for (const t of texts(g)) {
        for (const m of t.replace(CODE_TOKENS, ' ').matchAll(/[A-Za-z\uff21-\uff3a\uff41-\uff5a]{2,}/g)) bad.push(`${g.code}: ${m[0]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every 18-digit ID number of an example passes MOD 11-2 and encodes a real birth date', () => {
    const seen: string[] = [];
    for (const g of GUIDES.values()) {
      for (const t of texts(g)) {
        for (const [id] of t.matchAll(ID_SHAPED)) {
          seen.push(id);
          const f = idFacts(id, '2026-12-31');
          expect(f.kind, `${g.code}: ${id}`).toBe('18');
          expect(f.checkOk, `${g.code}: ${id} fails MOD 11-2 (should end in ${f.expectedCheck})`).toBe(true);
          expect(f.birthInvalid, `${g.code}: ${id} has no real birth date`).toBe(false);
          expect(f.provinceOk, `${g.code}: ${id} has no province code`).toBe(true);
        }
      }
    }
    // The identity guides show numbers; a test that saw none would check nothing.
    expect(seen.length).toBeGreaterThan(10);
  });

  it('every credit code of a right example is a valid one', () => {
    const seen: string[] = [];
    for (const g of GUIDES.values()) {
      for (const [code] of g.right.matchAll(USCC_SHAPED)) {
        if (/^\d{17}[\dX]$/.test(code)) continue; // an ID number, checked above
        seen.push(code);
        expect(usccFacts(code).checkOk, `${g.code}: ${code}`).toBe(true);
      }
    }
    expect(seen.length).toBeGreaterThan(3);
  });

  it('names in “…” only fields the forms have, in what and in every step', () => {
    const bad: string[] = [];
    let named = 0;
    for (const g of GUIDES.values()) {
      for (const t of [g.what, ...g.how]) {
        for (const [, name] of t.matchAll(/“([^”]+)”/g)) {
          named++;
          if (!FIELDS.has(name)) bad.push(`${g.code}: “${name}”`);
        }
      }
    }
    expect(bad).toEqual([]);
    expect(named).toBeGreaterThan(100);
  });

  it('names in 【…】 only buttons, tabs and pages the mini-app shows', () => {
    const bad: string[] = [];
    for (const g of GUIDES.values()) {
      for (const t of [g.what, g.why, ...g.how]) {
        for (const [, name] of t.matchAll(/【([^】]+)】/g)) if (!UI_TEXT.includes(name)) bad.push(`${g.code}: 【${name}】`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('names no city’s regulation: the shipped guides serve every office (an office adds its own citation by editing)', () => {
    const bad: string[] = [];
    for (const g of GUIDES.values()) {
      for (const t of [g.title, ...texts(g)]) {
        for (const m of t.matchAll(LOCAL_CITATION)) bad.push(`${g.code}: ${m[0]} in “${t.slice(0, 40)}…”`);
      }
    }
    expect(bad).toEqual([]);
    // the check can fail: it sees a city's regulation, and an article number, as the trial found them
    expect('（宁波实名制数据管理办法第八条）'.match(LOCAL_CITATION)).not.toBeNull();
    expect('按柯桥区的规定'.match(LOCAL_CITATION)).not.toBeNull();
    expect('依据某某条例第十条'.match(LOCAL_CITATION)).not.toBeNull();
    expect('按机构编制实名制管理的要求，5个工作日内完成登记'.match(LOCAL_CITATION)).toBeNull();
  });

  it('the field check can fail: a made-up field and a made-up button are not found', () => {
    expect(FIELDS.has('人员编号')).toBe(false);
    expect(FIELDS.has('身份证号')).toBe(true);
    expect(FIELDS.has('出编原因')).toBe(true);
    expect(UI_TEXT.includes('一键整改全部问题')).toBe(false);
  });

  it('a unit-scope rule fixed by the office says so; a cross-system guide says how a lasting difference is closed', () => {
    for (const r of RULES) {
      const g = GUIDES.get(r.code)!;
      const spec = fixOf(r.code);
      if (r.code.startsWith('X-')) expect(g.how.join('') + g.what, r.code).toMatch(/已说明/);
      if (spec?.kind === 'office' || spec?.kind === 'unit-approval') expect(texts(g).join(''), r.code).toMatch(/编办/);
    }
  });
});

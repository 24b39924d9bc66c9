// The manuals' sources: every heading has its anchor, every section a screen's ？ opens exists in
// its manual, images are named as the image route serves them, and the HTML carries the anchors.

import { describe, expect, it } from 'vitest';
import { helpHref, parseHash } from '../miniapp/src/router.ts';
import { MANUAL_KINDS, manualImages, manualSections, manualSource, renderManual } from './manuals.ts';

const SCREENS = [
  '#/console', '#/console/import', '#/console/findings', '#/console/explanations', '#/console/requests', '#/console/weekly',
  '#/console/monthly', '#/console/scores', '#/console/dashboard', '#/console/reports', '#/console/quarterly', '#/console/feeds',
  '#/console/locks', '#/console/budget', '#/console/jobs', '#/console/broadcasts', '#/todo', '#/requests', '#/requests/3',
  '#/requests/new', '#/dashboard', '#/towns', '#/portrait/3', '#/monthly/3', '#/self-check', '#/person/3', '#/worker/3',
  '#/unit/3', '#/person/3/history', '#/contact', '#/console/forms', '#/console/guides', '#/console/provenance', '#/console/notices',
  '#/console/annual', '#/console/annual-budget', '#/guide', '#/guide/P-ID-08', '#/notices', '#/notices/3', '#/annual-budget/3',
];

/** The issue-18 screens and the sections their ？ must open (not the manual's start). */
const ISSUE_18: Array<[string, 'office' | 'unit', string]> = [
  ['#/console/guides', 'office', 'guides'], ['#/console/provenance', 'office', 'provenance'], ['#/console/forms', 'office', 'forms'],
  ['#/console/notices', 'office', 'notices'], ['#/console/annual', 'office', 'annual'], ['#/console/annual-budget', 'office', 'annual-budget'],
  ['#/guide/P-ID-08', 'unit', 'guide'], ['#/guide', 'unit', 'guide'], ['#/notices/3', 'unit', 'notices'], ['#/annual-budget/3', 'unit', 'annual-budget'],
];

describe('用户操作手册 sources', () => {
  it('every screen\'s ？ opens a section that exists in the reader\'s manual', () => {
    const ids = { office: new Set(manualSections(manualSource('office')).map((s) => s.id)), unit: new Set(manualSections(manualSource('unit')).map((s) => s.id)) };
    for (const [role, office] of [['编办管理员', true], ['单位专管员', false]] as const) {
      for (const screen of SCREENS) {
        const href = helpHref(parseHash(screen), role, office);
        const m = /^#\/help\/(office|unit)(?:\?s=([a-z0-9-]+))?$/.exec(href);
        expect(m, href).not.toBeNull();
        if (m![2]) expect(ids[m![1] as 'office' | 'unit'].has(m![2]), `${role} ${screen} → ${href}`).toBe(true);
      }
    }
  });

  it('the issue-18 screens open their own sections, which exist', () => {
    for (const [screen, which, section] of ISSUE_18) {
      const href = which === 'office' ? helpHref(parseHash(screen), '编办管理员', true) : helpHref(parseHash(screen), '单位专管员', false);
      expect(href, screen).toBe(`#/help/${which}?s=${section}`);
      expect(manualSections(manualSource(which)).map((s) => s.id), `${which}: ${section}`).toContain(section);
    }
    // The sections the issue-18 features are described in, with their screenshots.
    const office = manualSections(manualSource('office')).map((s) => s.id);
    for (const id of ['forms', 'forms-register', 'guides', 'guides-month', 'guides-edit', 'guides-office', 'provenance', 'provenance-search', 'notices', 'notices-review', 'notices-settings', 'annual', 'annual-budget', 'annual-budget-open', 'annual-budget-review']) expect(office, id).toContain(id);
    const unit = manualSections(manualSource('unit')).map((s) => s.id);
    for (const id of ['guide', 'guide-book', 'guide-robot', 'suggest', 'provenance', 'request-form', 'notices', 'annual-budget']) expect(unit, id).toContain(id);
    expect(manualImages(manualSource('office'))).toEqual(expect.arrayContaining(['office-guides.png', 'office-guide-editor.png', 'office-provenance.png', 'office-forms.png', 'office-notices.png', 'office-annual.png', 'office-annual-budget.png']));
    expect(manualImages(manualSource('unit'))).toEqual(expect.arrayContaining(['unit-guide-panel.png', 'unit-robot-guide.png', 'unit-suggest.png', 'unit-suggest-save.png', 'unit-provenance.png', 'unit-regform.png', 'unit-notice-reply.png', 'unit-budget.png']));
  });

  it('renders each manual with its anchors and image addresses, and refuses a heading without an anchor', () => {
    for (const kind of MANUAL_KINDS) {
      const src = manualSource(kind);
      const m = renderManual(kind, (n) => `/img/${n}`);
      expect(m.sections.length).toBeGreaterThan(8);
      for (const s of m.sections) expect(m.html).toContain(`id="${s.id}"`);
      expect(m.html).not.toMatch(/\{#[a-z0-9-]+\}/);
      for (const img of manualImages(src)) expect(m.html).toContain(`src="/img/${img}"`);
    }
    expect(() => manualSections('## 没有锚点\n')).toThrow(/缺少锚点/);
    expect(() => manualSections('## 甲 {#a}\n## 乙 {#a}\n')).toThrow(/锚点重复/);
    expect(() => manualImages('![x](images/../secret.png)')).toThrow(/图片名不合规/);
  });
});

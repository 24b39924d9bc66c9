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
  '#/unit/3', '#/person/3/history', '#/contact',
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

import { describe, expect, it } from 'vitest';
import { afterLogin, currentTarget, loginHref, parseHash } from './router.ts';

describe('hash routes', () => {
  it('parses the routes of API.md', () => {
    expect(parseHash('').name).toBe('todo');
    expect(parseHash('#/').name).toBe('todo');
    expect(parseHash('#/login').name).toBe('login');
    const todo = parseHash('#/todo?unit=11330603002482189K');
    expect(todo.name).toBe('todo');
    expect(todo.query.get('unit')).toBe('11330603002482189K');
    expect(parseHash('#/person/12')).toMatchObject({ name: 'person', id: '12' });
    expect(parseHash('#/person/12/history')).toMatchObject({ name: 'history', id: '12' });
    expect(parseHash('#/self-check').name).toBe('self-check');
    expect(parseHash('#/monthly/12?finding=3')).toMatchObject({ name: 'monthly', id: '12' });
    expect(parseHash('#/monthly')).toMatchObject({ name: 'monthly', id: null });
    expect(parseHash('#/console/monthly')).toMatchObject({ name: 'console', tab: 'monthly' });
    expect(parseHash('#/notices/7')).toMatchObject({ name: 'notices', id: '7' });
    expect(parseHash('#/notices')).toMatchObject({ name: 'notices', id: null });
    expect(parseHash('#/console/notices?id=3')).toMatchObject({ name: 'console', tab: 'notices' });
    expect(parseHash('#/console')).toMatchObject({ name: 'console', tab: 'home' });
    expect(parseHash('#/console/import')).toMatchObject({ name: 'console', tab: 'import' });
    expect(parseHash('#/console/feeds')).toMatchObject({ name: 'console', tab: 'feeds' });
    expect(parseHash('#/console/findings?light=red')).toMatchObject({ name: 'console', tab: 'findings' });
    expect(parseHash('#/console/jobs?run=7')).toMatchObject({ name: 'console', tab: 'jobs' });
    expect(parseHash('#/console/broadcasts')).toMatchObject({ name: 'console', tab: 'broadcasts' });
    expect(parseHash('#/console/reports')).toMatchObject({ name: 'console', tab: 'reports' });
    expect(parseHash('#/console/scores?month=2026-11')).toMatchObject({ name: 'console', tab: 'scores' });
    expect(parseHash('#/portrait/12')).toMatchObject({ name: 'portrait', id: '12' });
    expect(parseHash('#/portrait/12/').name).toBe('portrait');
    expect(parseHash('#/portrait').name).toBe('not-found');
    expect(parseHash('#/portrait/12/x').name).toBe('not-found');
    expect(parseHash('#/towns')).toMatchObject({ name: 'towns' });
    expect(parseHash('#/guide/P-ID-08')).toMatchObject({ name: 'guide', entry: 'P-ID-08' });
    expect(parseHash('#/guide')).toMatchObject({ name: 'guide', entry: null });
    expect(parseHash('#/console/guides?month=2026-11')).toMatchObject({ name: 'console', tab: 'guides' });
    expect(parseHash('#/towns?town=3').query.get('town')).toBe('3');
    expect(parseHash('#/console/dashboard')).toMatchObject({ name: 'console', tab: 'dashboard' });
    expect(parseHash('#/dashboard')).toMatchObject({ name: 'dashboard' });
    expect(parseHash('#/nowhere').name).toBe('not-found');
  });

  it('returns to where the user was going after login, only inside the app', () => {
    expect(currentTarget('#/todo?unit=X')).toBe('/todo?unit=X');
    expect(currentTarget('')).toBe('');
    expect(loginHref('')).toBe('#/login');
    expect(loginHref('/person/3')).toBe('#/login?next=%2Fperson%2F3');
    // Never wrapped twice: the login page as the place to return to keeps its own next.
    expect(loginHref('/login?next=%2Fworker%2F7%3Ffield%3DX')).toBe('#/login?next=%2Fworker%2F7%3Ffield%3DX');
    expect(loginHref('/login')).toBe('#/login');
    expect(afterLogin(new URLSearchParams('next=%2Ftodo%3Funit%3DX'))).toBe('/todo?unit=X');
    expect(afterLogin(new URLSearchParams('next=//evil.example'))).toBe('/todo');
    expect(afterLogin(new URLSearchParams('next=https://evil.example'))).toBe('/todo');
    expect(afterLogin(new URLSearchParams('next=/login'))).toBe('/todo');
    expect(afterLogin(new URLSearchParams(''))).toBe('/todo');
    expect(afterLogin(new URLSearchParams(''), '/console')).toBe('/console');
    expect(afterLogin(new URLSearchParams('next=/login'), '/console')).toBe('/console');
    expect(afterLogin(new URLSearchParams('next=%2Fperson%2F12'), '/console')).toBe('/person/12');
  });
});

describe('the pages where findings are fixed', () => {
  it('parses worker, unit, console unit, contact and their histories', () => {
    expect(parseHash('#/worker/12?finding=3&field=%E7%94%A8%E5%B7%A5%E6%96%B9%E5%BC%8F')).toMatchObject({ name: 'worker', id: '12' });
    expect(parseHash('#/worker/12?finding=3').query.get('finding')).toBe('3');
    expect(parseHash('#/unit/7')).toMatchObject({ name: 'unit', id: '7', console: false });
    expect(parseHash('#/console/unit/7?finding=2')).toMatchObject({ name: 'unit', id: '7', console: true });
    expect(parseHash('#/worker/12/history')).toMatchObject({ name: 'history', id: '12', of: 'worker' });
    expect(parseHash('#/unit/7/history')).toMatchObject({ name: 'history', id: '7', of: 'unit' });
    expect(parseHash('#/contact?unit=7&finding=2')).toMatchObject({ name: 'contact' });
    expect(parseHash('#/console/unit')).toMatchObject({ name: 'not-found' });
  });
});

describe('the staffing request pages', () => {
  it('parses the list, the form with its prefill query, one request, its correction and the console tab', () => {
    expect(parseHash('#/requests?state=returned')).toMatchObject({ name: 'requests' });
    expect(parseHash('#/requests?state=returned').query.get('state')).toBe('returned');
    // The link a staffing finding's fix carries (core/finding-fixes.ts).
    const r = parseHash('#/requests/new?kind=%E5%87%8F%E4%BA%BA%E5%87%BA%E7%BC%96&unit=7&person=12&finding=3');
    expect(r.name).toBe('request-new');
    expect([r.query.get('kind'), r.query.get('unit'), r.query.get('person'), r.query.get('finding')]).toEqual(['减人出编', '7', '12', '3']);
    expect(parseHash('#/requests/new?kind=减人出编&unit=7').query.get('kind')).toBe('减人出编');
    expect(parseHash('#/requests/new')).toMatchObject({ name: 'request-new' });
    expect(parseHash('#/requests/42')).toMatchObject({ name: 'request', id: '42', edit: false });
    expect(parseHash('#/requests/SQ2026-000042')).toMatchObject({ name: 'request', id: 'SQ2026-000042', edit: false });
    expect(parseHash('#/requests/42/edit')).toMatchObject({ name: 'request', id: '42', edit: true });
    expect(parseHash('#/requests/42/steps').name).toBe('not-found');
    expect(parseHash('#/requests/new/edit').name).toBe('not-found');
    expect(parseHash('#/console/requests?state=approved')).toMatchObject({ name: 'console', tab: 'requests' });
    expect(parseHash('#/console/locks')).toMatchObject({ name: 'console', tab: 'locks' });
    expect(parseHash('#/console/weekly?date=2026-12-07')).toMatchObject({ name: 'console', tab: 'weekly' });
  });
});

describe('help', () => {
  it('parses #/help and picks the manual and section of a screen', async () => {
    const { helpHref, manualOf } = await import('./router.ts');
    expect(parseHash('#/help')).toMatchObject({ name: 'help', which: null });
    expect(parseHash('#/help/office?s=weekly')).toMatchObject({ name: 'help', which: 'office' });
    expect(parseHash('#/help/unit').name).toBe('help');
    expect(parseHash('#/help/other').name).toBe('not-found');
    expect(manualOf('编办业务人员', true)).toBe('office');
    expect(manualOf('单位专管员', false)).toBe('unit');
    expect(helpHref(parseHash('#/console/weekly'), '编办管理员', true)).toBe('#/help/office?s=weekly');
    expect(helpHref(parseHash('#/todo'), '单位专管员', false)).toBe('#/help/unit?s=todo');
    expect(helpHref(parseHash('#/person/3?finding=4'), '单位领导', false)).toBe('#/help/unit?s=fix');
    expect(helpHref(parseHash('#/console/snapshots'), '编办管理员', true)).toBe('#/help/office');
    // The issue-18 screens: each console tab and mini-app page at its own section.
    expect(helpHref(parseHash('#/console/guides?month=2026-11'), '编办业务人员', true)).toBe('#/help/office?s=guides');
    expect(helpHref(parseHash('#/console/provenance'), '编办管理员', true)).toBe('#/help/office?s=provenance');
    expect(helpHref(parseHash('#/console/forms'), '编办管理员', true)).toBe('#/help/office?s=forms');
    expect(helpHref(parseHash('#/console/notices'), '编办管理员', true)).toBe('#/help/office?s=notices');
    expect(helpHref(parseHash('#/console/annual?year=2026'), '编办管理员', true)).toBe('#/help/office?s=annual');
    expect(helpHref(parseHash('#/console/annual-budget'), '编办管理员', true)).toBe('#/help/office?s=annual-budget');
    expect(helpHref(parseHash('#/guide/P-ID-08'), '单位专管员', false)).toBe('#/help/unit?s=guide');
    expect(helpHref(parseHash('#/guide'), '编办管理员', true)).toBe('#/help/office?s=guides');
    expect(helpHref(parseHash('#/notices/3'), '单位领导', false)).toBe('#/help/unit?s=notices');
    expect(helpHref(parseHash('#/annual-budget/3?year=2027'), '单位专管员', false)).toBe('#/help/unit?s=annual-budget');
  });
});

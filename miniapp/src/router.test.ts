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
    expect(parseHash('#/console')).toMatchObject({ name: 'console', tab: 'home' });
    expect(parseHash('#/console/import')).toMatchObject({ name: 'console', tab: 'import' });
    expect(parseHash('#/console/findings?light=red')).toMatchObject({ name: 'console', tab: 'findings' });
    expect(parseHash('#/nowhere').name).toBe('not-found');
  });

  it('returns to where the user was going after login, only inside the app', () => {
    expect(currentTarget('#/todo?unit=X')).toBe('/todo?unit=X');
    expect(currentTarget('')).toBe('');
    expect(loginHref('')).toBe('#/login');
    expect(loginHref('/person/3')).toBe('#/login?next=%2Fperson%2F3');
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

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

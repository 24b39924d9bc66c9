import { describe, expect, it } from 'vitest';
import { clearDraft, loadDraft, saveDraft } from './draft.ts';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

describe('drafts', () => {
  it('keeps the edits of each person until cleared', () => {
    const s = memoryStorage();
    expect(loadDraft('7', s)).toBeNull();
    expect(saveDraft('7', { version: 3, base: { 民族: '汉' }, cells: { 民族: '汉族' }, reason: '更正' }, s, 1000)).toBe(true);
    expect(loadDraft('7', s)).toEqual({ version: 3, base: { 民族: '汉' }, cells: { 民族: '汉族' }, reason: '更正', savedAt: 1000 });
    expect(loadDraft('8', s)).toBeNull();
    clearDraft('7', s);
    expect(loadDraft('7', s)).toBeNull();
  });

  it('ignores what it cannot read and survives a full storage', () => {
    const s = memoryStorage();
    s.setItem('sanse:draft:person:7', '{not json');
    expect(loadDraft('7', s)).toBeNull();
    const full = { ...s, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(saveDraft('7', { version: 1, base: {}, cells: {}, reason: '' }, full)).toBe(false);
    expect(loadDraft('1', null)).toBeNull();
  });
});

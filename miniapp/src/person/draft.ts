// Unsaved edits of a record, kept in sessionStorage until saved: a reload, a lost session or a
// trip to the login page loses nothing the user typed.

import type { Cells } from './form.ts';

export interface Draft {
  /** The stored version the edits were made on. */
  version: number | string;
  /** The stored record's cells when editing began (to rebase after a conflict). */
  base: Cells;
  /** The form as the user left it. */
  cells: Cells;
  reason: string;
  savedAt: number;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const key = (personId: string) => `sanse:draft:person:${personId}`;

function storage(): StorageLike | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function loadDraft(personId: string, s: StorageLike | null = storage()): Draft | null {
  if (!s) return null;
  try {
    const raw = s.getItem(key(personId));
    if (!raw) return null;
    const d = JSON.parse(raw) as Draft;
    if (!d || typeof d !== 'object' || !d.cells || !d.base) return null;
    return { version: d.version, base: d.base, cells: d.cells, reason: typeof d.reason === 'string' ? d.reason : '', savedAt: Number(d.savedAt) || 0 };
  } catch {
    return null;
  }
}

export function saveDraft(personId: string, d: Omit<Draft, 'savedAt'>, s: StorageLike | null = storage(), now = Date.now()): boolean {
  if (!s) return false;
  try {
    s.setItem(key(personId), JSON.stringify({ ...d, savedAt: now }));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(personId: string, s: StorageLike | null = storage()): void {
  try {
    s?.removeItem(key(personId));
  } catch {
    /* nothing to do */
  }
}

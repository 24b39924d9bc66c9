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

/** The storage key of a record's draft: a person's (the default), a worker's, a unit's own fields, the office's approval fields or a unit's 年度预算 (id `unit:year`). */
export type DraftKind = 'person' | 'worker' | 'unit' | 'approval' | 'budget';
const key = (id: string, kind: DraftKind = 'person') => `sanse:draft:${kind}:${id}`;

function storage(): StorageLike | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function loadDraft(personId: string, s: StorageLike | null = storage(), kind: DraftKind = 'person'): Draft | null {
  if (!s) return null;
  try {
    const raw = s.getItem(key(personId, kind));
    if (!raw) return null;
    const d = JSON.parse(raw) as Draft;
    if (!d || typeof d !== 'object' || !d.cells || !d.base) return null;
    return { version: d.version, base: d.base, cells: d.cells, reason: typeof d.reason === 'string' ? d.reason : '', savedAt: Number(d.savedAt) || 0 };
  } catch {
    return null;
  }
}

export function saveDraft(personId: string, d: Omit<Draft, 'savedAt'>, s: StorageLike | null = storage(), now = Date.now(), kind: DraftKind = 'person'): boolean {
  if (!s) return false;
  try {
    s.setItem(key(personId, kind), JSON.stringify({ ...d, savedAt: now }));
    return true;
  } catch {
    return false;
  }
}

export function clearDraft(personId: string, s: StorageLike | null = storage(), kind: DraftKind = 'person'): void {
  try {
    s?.removeItem(key(personId, kind));
  } catch {
    /* nothing to do */
  }
}

/** A draft laid over the stored cells: the edits whose field nobody else changed since (all of them when the version is the same). */
export function restoredCells(draft: Draft, version: number | string, base: Cells): Cells {
  if (String(draft.version) === String(version)) return { ...base, ...draft.cells };
  const out = { ...base };
  for (const [k, v] of Object.entries(draft.cells)) if ((draft.base[k] ?? '') !== v && (base[k] ?? '') === (draft.base[k] ?? '')) out[k] = v;
  return out;
}

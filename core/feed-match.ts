// Candidate matching of a feed row that has no valid ID number (issue 16): a person on the
// 实名制 roster with the same birth date and the same name, or a name read the same (variant or
// homophone characters: 张晓明 / 張曉明, 王小明 / 王晓明). Only ever a proposal: a person of the
// office confirms it (db/feeds.ts confirmFeedLink); nothing is linked by name alone.

import { pinyin } from 'pinyin-pro';
import { toHalfWidth } from './sheets.ts';

export type MatchReason = '姓名相同' | '读音相同';

/** A name as compared: trimmed, half-width, without spaces or the dots of transcribed names (·•・). */
export function normaliseName(name: string): string {
  return toHalfWidth(name.normalize('NFKC')).replace(/[\s\u3000·•・‧∙.]/g, '');
}

/** The toneless reading of each character (surnames read as surnames: 单 shan, 曾 zeng). */
export function nameReading(name: string): string[] {
  return pinyin(normaliseName(name), { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive', v: true })
    .map((s) => s.toLowerCase());
}

/** Why two names may be the same person's, or null: the same name, else the same reading of every character. */
export function nameMatch(a: string, b: string): MatchReason | null {
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (!x || !y) return null;
  if (x === y) return '姓名相同';
  if ([...x].length !== [...y].length) return null;
  const rx = nameReading(x);
  const ry = nameReading(y);
  // Only Chinese names are compared by reading: latin letters read as themselves already matched above.
  if (!/[\u3400-\u9fff\uf900-\ufaff]/.test(x + y)) return null;
  return rx.length === ry.length && rx.every((s, i) => s === ry[i]) ? '读音相同' : null;
}

/** A roster person as candidate matching sees them. */
export interface CandidatePerson {
  id: number;
  name: string;
  birthKey: string | null;
  unitId: number;
  status: string | null;
}

export interface Candidate<P extends CandidatePerson = CandidatePerson> {
  person: P;
  reason: MatchReason;
  /** In the unit the feed row was resolved to. */
  sameUnit: boolean;
}

/** Statuses that are no longer on the roster: never a candidate. */
export const OFF_ROSTER: ReadonlySet<string> = new Set(['已出编']);

/**
 * The candidates for a feed row: same birth date, a matching name, on the roster (any status but
 * 已出编). Those in the resolved unit first, then same name before same reading, then by id.
 */
export function candidatesFor<P extends CandidatePerson>(row: { name: string; birthKey: string | null; unitId: number | null }, people: readonly P[]): Array<Candidate<P>> {
  if (!row.birthKey) return [];
  const out: Array<Candidate<P>> = [];
  for (const p of people) {
    if (p.birthKey !== row.birthKey || (p.status && OFF_ROSTER.has(p.status))) continue;
    const reason = nameMatch(row.name, p.name);
    if (reason) out.push({ person: p, reason, sameUnit: row.unitId != null && p.unitId === row.unitId });
  }
  return out.sort((a, b) => Number(b.sameUnit) - Number(a.sameUnit) || (a.reason === b.reason ? 0 : a.reason === '姓名相同' ? -1 : 1) || a.person.id - b.person.id);
}

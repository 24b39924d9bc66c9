// The regions tree (GB/T 2260 codes, 6 digits): province XX0000 ⊃ city XXYY00 ⊃ county XXYYZZ.
// One deployment may hold a city and its counties: a unit carries its region (units.region_code),
// a county office user carries theirs (users.region_code) and sees the units of the regions inside
// it. A non-standard code (功能区, 开发区: 330671 under 330600) sits where regions.parent_code
// puts it; without an entry there it sits where its digits say.

/** A 6-digit region code. */
export const REGION_CODE = /^\d{6}$/;

export function isRegionCode(s: unknown): s is string {
  return typeof s === 'string' && REGION_CODE.test(s);
}

/** The parent by the code's structure: county → its city, city → its province, province → none. */
export function structuralParent(code: string): string | null {
  if (!isRegionCode(code)) return null;
  if (code.endsWith('0000')) return null;
  if (code.endsWith('00')) return `${code.slice(0, 2)}0000`;
  return `${code.slice(0, 4)}00`;
}

/** A region's parent: regions.parent_code when the table names one, else by the code's structure. */
export function parentOf(code: string, parents: ReadonlyMap<string, string | null>): string | null {
  if (parents.has(code)) {
    const p = parents.get(code);
    if (p != null && p !== code) return p;
  }
  return structuralParent(code);
}

/** Whether `outer` is `inner` or a region above it (walking parents, stopping at a cycle). */
export function regionContains(outer: string, inner: string, parents: ReadonlyMap<string, string | null> = new Map()): boolean {
  if (!isRegionCode(outer) || !isRegionCode(inner)) return false;
  const seen = new Set<string>();
  for (let c: string | null = inner; c != null && !seen.has(c); c = parentOf(c, parents)) {
    if (c === outer) return true;
    seen.add(c);
  }
  return false;
}

/** Of these codes, the ones inside `outer` (itself included). */
export function codesWithin(outer: string, codes: Iterable<string>, parents: ReadonlyMap<string, string | null> = new Map()): string[] {
  const out: string[] = [];
  for (const c of codes) if (regionContains(outer, c, parents)) out.push(c);
  return out;
}

/** The calendar month `YYYY-MM` of a snapshot, when it is a real month (1900–2100). */
export function isSnapshotMonth(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}$/.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  return y >= 1900 && y <= 2100 && m >= 1 && m <= 12;
}

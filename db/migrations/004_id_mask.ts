// The one ID mask (core/idnumber.ts maskId) became the region code and the check character only
// (`330681***********7`, was `330681********5267`): the old form beside 出生日期 gave the whole
// number. Every stored mask is recomputed, from the old mask itself (same length, so no key is
// needed), and texts that quote old masks (versions, findings, chat messages and cards, audit
// details) are rewritten. P-ID-08's detail loses the number's birth date (idBirth), P-ID-04's
// "future" detail its birth. Running it twice changes nothing.

import type { Knex } from 'knex';

const MASK_COLUMNS: Array<[table: string, column: string]> = [
  ['people', 'id_masked'], ['workers', 'id_masked'], ['feed_contracts', 'id_masked'], ['findings', 'subject_id_masked'],
];

/** Texts that may quote masked numbers, by table, with their key column. */
const TEXT_COLUMNS: Array<[table: string, column: string]> = [
  ['findings', 'detail'], ['record_versions', 'before'], ['record_versions', 'after'], ['audit_log', 'detail'],
  ['outbox', 'payload'], ['sandbox_messages', 'payload'], ['cards', 'data'], ['staffing_requests', 'detail'], ['check_runs', 'summary'],
];

// An old long mask: 6 characters, stars, 4 characters (the new form keeps only 1 after the stars).
const OLD_MASK = /(?<![0-9A-Za-z*])([0-9A-Za-z]{6})(\*{4,})[0-9A-Za-z]{3}([0-9A-Za-z])(?![0-9A-Za-z*])/g;

export function remaskText(s: string): string {
  return s.replace(OLD_MASK, (_m, head: string, stars: string, last: string) => `${head}${'*'.repeat(stars.length + 3)}${last}`);
}

const isSqlite = (k: Knex) => k.client.config.client === 'better-sqlite3';

async function remaskColumn(k: Knex, table: string, column: string): Promise<void> {
  if (!(await k.schema.hasTable(table))) return;
  // The same arithmetic as maskId, in SQL: one statement however many rows there are. Values of
  // 4 characters or fewer were all stars already.
  const stars = "'********************************'";
  const expr = isSqlite(k)
    ? `CASE WHEN length(??) > 10 THEN substr(??, 1, 6) || substr(${stars}, 1, length(??) - 7) || substr(??, -1)
            ELSE substr(??, 1, 2) || substr(${stars}, 1, length(??) - 3) || substr(??, -1) END`
    : `CASE WHEN CHAR_LENGTH(??) > 10 THEN CONCAT(SUBSTRING(??, 1, 6), REPEAT('*', CHAR_LENGTH(??) - 7), RIGHT(??, 1))
            ELSE CONCAT(SUBSTRING(??, 1, 2), REPEAT('*', CHAR_LENGTH(??) - 3), RIGHT(??, 1)) END`;
  await k(table)
    .whereRaw('?? LIKE ?', [column, '%*%'])
    .whereRaw(isSqlite(k) ? 'length(??) > 4' : 'CHAR_LENGTH(??) > 4', [column])
    .update({ [column]: k.raw(expr, Array(7).fill(column)) });
}

/** A finding's detail without the number's own birth date (P-ID-08 idBirth, P-ID-04 future birth). */
function findingDetail(rule: string, detail: string): string {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(detail);
  } catch {
    return detail;
  }
  if (!d || typeof d !== 'object') return detail;
  if (rule === 'P-ID-08') delete d.idBirth;
  if ((rule === 'P-ID-04' || rule === 'W-01') && d.reason === 'future') delete d.birth;
  return JSON.stringify(d);
}

async function rewriteTexts(k: Knex, table: string, column: string): Promise<void> {
  if (!(await k.schema.hasTable(table))) return;
  const findings = table === 'findings';
  const key = table === 'cards' ? 'card_id' : 'id';
  let last: string | number = table === 'cards' ? '' : 0;
  for (;;) {
    const q = k(table).where(key, '>', last).orderBy(key).limit(1000).select(key, column, ...(findings ? ['rule'] : []));
    if (findings) q.where((w) => w.where(column, 'like', '%*%').orWhereIn('rule', ['P-ID-04', 'P-ID-08', 'W-01']));
    else q.where(column, 'like', '%****%');
    const rows: Array<Record<string, any>> = await q;
    if (!rows.length) return;
    for (const r of rows) {
      const before = r[column] as string | null;
      if (before == null) continue;
      let after = remaskText(before);
      if (findings) after = findingDetail(r.rule, after);
      if (after !== before) await k(table).where({ [key]: r[key] }).update({ [column]: after });
    }
    last = rows[rows.length - 1][key];
  }
}

export async function up(k: Knex): Promise<void> {
  for (const [table, column] of MASK_COLUMNS) await remaskColumn(k, table, column);
  for (const [table, column] of TEXT_COLUMNS) await rewriteTexts(k, table, column);
}

// The old masks cannot be restored (the hidden characters are not kept): down leaves the new ones.
export async function down(): Promise<void> {}

// What a restore drill compares: per table, the row count and a checksum that is the same for
// the same rows on the same engine (rows ordered by primary key, each row's values hashed in
// column order, SHA-256 over all). Read streaming: a table never sits in memory.

import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isSqlite } from './connection.ts';

export interface TableSum {
  rows: number;
  checksum: string;
}

function value(v: unknown): string {
  if (v === null || v === undefined) return '\u0000';
  if (Buffer.isBuffer(v)) return `b:${v.toString('hex')}`;
  if (v instanceof Date) return `d:${v.toISOString()}`;
  return `${typeof v === 'number' || typeof v === 'bigint' ? 'n' : 's'}:${String(v)}`;
}

async function tablesOf(db: Knex): Promise<string[]> {
  if (isSqlite(db)) {
    return (await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).map((r: { name: string }) => r.name);
  }
  return (await db.raw("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'"))[0].map((r: Record<string, string>) => Object.values(r)[0]).sort();
}

async function orderOf(db: Knex, table: string): Promise<string[]> {
  if (isSqlite(db)) {
    const cols: { name: string; pk: number }[] = await db.raw(`PRAGMA table_info("${table.replace(/"/g, '""')}")`);
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    return pk.length ? pk : cols.map((c) => c.name);
  }
  const keys: { Column_name: string; Seq_in_index: number }[] = (await db.raw(`SHOW KEYS FROM \`${table}\` WHERE Key_name = 'PRIMARY'`))[0];
  if (keys.length) return keys.sort((a, b) => a.Seq_in_index - b.Seq_in_index).map((k) => k.Column_name);
  return (await db.raw(`SHOW COLUMNS FROM \`${table}\``))[0].map((c: { Field: string }) => c.Field);
}

/**
 * Row count and checksum of every base table. `leaveOut`: rows left out of a table's sum, by
 * their single-column primary key (the restore drill's job runs open at the snapshot).
 */
export async function tableChecksums(db: Knex, leaveOut: Record<string, Array<string | number>> = {}): Promise<Record<string, TableSum>> {
  const out: Record<string, TableSum> = {};
  for (const t of await tablesOf(db)) {
    const h = crypto.createHash('sha256');
    let rows = 0;
    const order = await orderOf(db, t);
    const q = db(t).select('*').orderBy(order.map((c) => ({ column: c, order: 'asc' })));
    if (leaveOut[t]?.length) {
      if (order.length !== 1) throw new Error(`tableChecksums: ${t} has no single-column key to leave rows out by`);
      q.whereNotIn(order[0], leaveOut[t]);
    }
    if (isSqlite(db)) {
      // knex's better-sqlite3 "stream" buffers; page by OFFSET over the key order instead.
      const PAGE = 5000;
      const keyset = order.length === 1;
      let last: unknown = null;
      for (let off = 0; ; off += PAGE) {
        const page: Record<string, unknown>[] = keyset
          ? await (last === null ? q.clone() : q.clone().where(order[0], '>', last as any)).limit(PAGE)
          : await q.clone().limit(PAGE).offset(off);
        if (page.length) last = page[page.length - 1][order[0]];
        for (const r of page) { h.update(Object.values(r).map(value).join('\u0001')); h.update('\u0002'); }
        rows += page.length;
        if (page.length < PAGE) break;
      }
    } else {
      for await (const r of q.stream({ highWaterMark: 1000 } as any) as unknown as AsyncIterable<Record<string, unknown>>) {
        h.update(Object.values(r).map(value).join('\u0001'));
        h.update('\u0002');
        rows++;
      }
    }
    out[t] = { rows, checksum: h.digest('hex').slice(0, 16) };
  }
  return out;
}

export interface TableComparison {
  table: string;
  live: TableSum | null;
  restored: TableSum | null;
  same: boolean;
}

export function compareChecksums(live: Record<string, TableSum>, restored: Record<string, TableSum>): TableComparison[] {
  const names = [...new Set([...Object.keys(live), ...Object.keys(restored)])].sort();
  return names.map((table) => {
    const a = live[table] ?? null;
    const b = restored[table] ?? null;
    return { table, live: a, restored: b, same: !!a && !!b && a.rows === b.rows && a.checksum === b.checksum };
  });
}

// Reading a whole table with bounded memory: MySQL streams rows off one connection; SQLite
// (whose knex driver buffers a "stream") is read in keyset pages by primary key.

import type { Knex } from 'knex';
import { isSqlite } from './connection.ts';

export type Row = Record<string, any>;

const PAGE = 5000;

export async function scanTable(db: Knex, table: string, columns: string[] | '*', onRow: (row: Row) => void): Promise<number> {
  let n = 0;
  if (isSqlite(db)) {
    let last = 0;
    for (;;) {
      const rows: Row[] = await db(table).select(columns === '*' ? '*' : columns).where('id', '>', last).orderBy('id').limit(PAGE);
      for (const r of rows) onRow(r);
      n += rows.length;
      if (rows.length < PAGE) return n;
      last = Number(rows[rows.length - 1].id);
    }
  }
  const stream = db(table).select(columns === '*' ? '*' : columns).stream({ highWaterMark: 1000 } as any);
  for await (const r of stream as unknown as AsyncIterable<Row>) {
    onRow(r);
    n++;
  }
  return n;
}

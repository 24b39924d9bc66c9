// Independent reads in one round trip. A re-check or a save reads a dozen small things (the
// unit's ledgers, counts, the cross-row facts, the live findings); on MySQL each statement sent
// alone costs a network write and a wait, and those writes are most of the server's CPU under
// load (bench:api). So on MySQL the statements go out together as one multi-statement query
// and come back as one list of result sets; on SQLite (in-process, no round trip) they run one
// after the other on its single connection.
//
// Safe because every statement is compiled by knex with its values bound and escaped by the
// driver: no value is spliced into SQL text (the one exception, CREATE DATABASE with a name
// checked against [A-Za-z0-9_], runs on a connection of its own).

import type { Knex } from 'knex';

/** Rows per INSERT (or ids per IN list) when writing many: well under every engine's limits. */
export const INSERT_BATCH = 500;
import { isSqlite } from './connection.ts';

type Row = Record<string, any>;

/** The rows of each query, in order. Queries must be plain selects (no `.first()`: take `[0]`). */
export async function readAll(db: Knex, queries: Knex.QueryBuilder[]): Promise<Row[][]> {
  return (await together(db, queries)) as Row[][];
}

/** Writes (inserts, updates) in one round trip, in order; inside a transaction, pass it as `db`. */
export async function writeAll(db: Knex, queries: Knex.QueryBuilder[]): Promise<void> {
  if (isSqlite(db)) for (const q of queries) await q; // one connection: in order, never side by side
  else await together(db, queries);
}

async function together(db: Knex, queries: Knex.QueryBuilder[]): Promise<unknown[]> {
  if (!queries.length) return [];
  if (queries.length === 1 || isSqlite(db) || !multiStatement(db)) return Promise.all(queries.map((q) => q.then((r: unknown) => r)));
  const parts = queries.map((q) => q.toSQL().toNative());
  const sql = parts.map((p) => p.sql).join(';\n');
  const bindings = parts.flatMap((p) => p.bindings as Knex.RawBinding[]);
  const [results] = (await db.raw(sql, bindings)) as unknown as [unknown[]];
  return results;
}

function multiStatement(db: Knex): boolean {
  const c = db.client.config.connection as { multipleStatements?: boolean } | undefined;
  return Boolean(c && typeof c === 'object' && c.multipleStatements);
}

/** One read and what to do with its rows: a family of facts, runnable alone or in a batch. */
export interface Read {
  query: Knex.QueryBuilder;
  apply(rows: Row[]): void;
}

/** Runs reads: in one round trip (`readAll`), or side by side on the pool (big reads, such as all units'). */
export async function runReads(db: Knex, reads: Read[], oneTrip: boolean): Promise<void> {
  if (oneTrip) {
    const results = await readAll(db, reads.map((r) => r.query));
    reads.forEach((r, i) => r.apply(results[i]));
  } else {
    await Promise.all(reads.map(async (r) => r.apply((await r.query) as Row[])));
  }
}

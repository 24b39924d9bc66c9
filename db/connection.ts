// One knex instance, MySQL/MariaDB or SQLite, chosen by DATABASE_URL.

import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations/index.ts';

export type Db = Knex;

export interface DbTarget {
  client: 'mysql2' | 'better-sqlite3';
  /** The SQLite file, for the embedded default. */
  file?: string;
  url: string;
}

export const DEFAULT_DATABASE_URL = 'sqlite:data/sanse.db';

export function parseDatabaseUrl(url: string = DEFAULT_DATABASE_URL): DbTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return { client: 'better-sqlite3', file, url };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return { client: 'mysql2', url: url.replace(/^mariadb:/, 'mysql:') };
  throw new Error(`DATABASE_URL 无法识别：应为 mysql://… 或 sqlite:路径（收到 ${url.split(':')[0]}:…）`);
}

/** Prepared statements kept per connection; past this many distinct SQL texts the cache starts over. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * knex's better-sqlite3 client prepares every query again (`connection.prepare(sql)` per call):
 * SQLite parses and plans the text each time, a tenth of a save's CPU over its 35 statements.
 * The texts repeat (bindings are parameters), so the connection keeps its prepared statements by
 * text and hands back the same one. SQLite re-prepares a kept statement itself when the schema
 * changes (a migration); a statement still being iterated (`busy`) is not handed out twice.
 */
export function reusePreparedStatements(conn: { prepare(sql: string): { busy: boolean } }): void {
  const prepare = conn.prepare.bind(conn);
  const kept = new Map<string, { busy: boolean }>();
  conn.prepare = (sql: string) => {
    const hit = kept.get(sql);
    if (hit && !hit.busy) return hit;
    const statement = prepare(sql);
    if (!hit) {
      if (kept.size >= STATEMENT_CACHE_SIZE) kept.clear();
      kept.set(sql, statement);
    }
    return statement;
  };
}

export function openDb(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Db {
  const target = parseDatabaseUrl(url);
  if (target.client === 'better-sqlite3') {
    const file = target.file!;
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: any, done: (err: Error | null, conn: unknown) => void) {
          reusePreparedStatements(conn);
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
      migrations: { migrationSource },
    });
  }
  const u = new URL(target.url);
  return knexFactory({
    client: 'mysql2',
    connection: {
      ...serverOf(u),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: u.pathname.slice(1),
      charset: 'utf8mb4',
      dateStrings: true,
      supportBigNumbers: true,
      timezone: '+08:00',
      // Lets db/batch.ts send independent reads in one round trip. Every statement is compiled
      // by knex with bound values; no value is spliced into SQL text.
      multipleStatements: true,
    },
    pool: { min: 0, max: 10 },
    migrations: { migrationSource },
  });
}

/**
 * Where the MySQL server is: host and port, or a Unix socket on the same machine
 * (`mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock`), which spares every query the
 * loopback TCP stack.
 */
function serverOf(u: URL): { host: string; port: number } | { socketPath: string } {
  const socket = u.searchParams.get('socket');
  return socket ? { socketPath: socket } : { host: u.hostname, port: Number(u.port || 3306) };
}

export function isSqlite(db: Db): boolean {
  return db.client.config.client === 'better-sqlite3';
}

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest();
}

/** Creates the MySQL database named in the URL when it does not exist (the server must be reachable). */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const name = u.pathname.slice(1);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`数据库名不合法：${name}`);
  const admin = knexFactory({
    client: 'mysql2',
    connection: { ...serverOf(u), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) },
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

// Recognising database errors across MySQL/MariaDB and SQLite.

/** A unique or primary-key constraint refused the row. */
export function isDuplicateKey(e: unknown): boolean {
  const err = e as { code?: string; errno?: number };
  return err?.code === 'ER_DUP_ENTRY' || err?.errno === 1062 || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

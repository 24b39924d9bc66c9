// Recognising database errors across MySQL/MariaDB and SQLite.

/** A unique or primary-key constraint refused the row. */
export function isDuplicateKey(e: unknown): boolean {
  const err = e as { code?: string; errno?: number };
  return err?.code === 'ER_DUP_ENTRY' || err?.errno === 1062 || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The database gave up a transaction over a lock conflict (MariaDB: a deadlock or a lock wait
 * timeout, the transaction rolled back; SQLite: the file busy). Nothing of it is stored, so the
 * whole transaction may simply be run again, as MariaDB's message says.
 */
export function isLockConflict(e: unknown): boolean {
  const err = e as { code?: string; errno?: number };
  return err?.code === 'ER_LOCK_DEADLOCK' || err?.errno === 1213 || err?.code === 'ER_LOCK_WAIT_TIMEOUT' || err?.errno === 1205 || err?.code === 'SQLITE_BUSY';
}

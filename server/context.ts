// Opening what every entry point needs: configuration, the migrated database and the ID cipher.

import { ensureMysqlDatabase, migrate, openDb, parseDatabaseUrl, type Db } from '../db/connection.ts';
import { registerAuditKey } from '../db/audit.ts';
import { createPiiCipher, resolvePiiKey, resolvePreviousPiiKey, type PiiCipher } from '../db/pii.ts';
import { loadConfig, type Config } from './config.ts';

export interface AppContext {
  config: Config;
  db: Db;
  pii: PiiCipher;
  close(): Promise<void>;
}

export async function openContext(env: NodeJS.ProcessEnv = process.env, log: (msg: string) => void = (m) => console.error(m)): Promise<AppContext> {
  const config = loadConfig(env);
  const target = parseDatabaseUrl(config.databaseUrl);
  if (target.client === 'mysql2') await ensureMysqlDatabase(target.url);
  const pii = createPiiCipher(resolvePiiKey(env, target.file, log), resolvePreviousPiiKey(env));
  const db = openDb(config.databaseUrl);
  await migrate(db);
  registerAuditKey(db, pii);
  return { config, db, pii, close: () => db.destroy() };
}

// ID numbers at rest: SM4-CBC with a random IV, found by an HMAC-SM3 keyed hash (node's
// OpenSSL has both). The key comes from PII_KEY (32 hex digits). On the embedded SQLite default
// a key is generated on first start and kept beside the database file, with a warning.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PiiCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  hash(plain: string): string;
  /** The key's id: the first 16 hex digits of HMAC-SM3(key, 'sanse:key-id'); safe to store and show. */
  keyId: string;
  /** A key for another purpose derived from this one: HMAC-SM3(key, label) (32 bytes). */
  deriveKey(label: string): Buffer;
}

export function createPiiCipher(keyHex: string): PiiCipher {
  if (!/^[0-9a-fA-F]{32}$/.test(keyHex)) throw new Error('PII_KEY 必须是32位十六进制数（SM4 密钥，128位）');
  const key = Buffer.from(keyHex, 'hex');
  // A separate key for the hash, so the look-up hash reveals nothing about the cipher key.
  const hashKey = crypto.createHmac('sm3', key).update('sanse:id-hash').digest();
  return {
    keyId: crypto.createHmac('sm3', key).update('sanse:key-id').digest('hex').slice(0, 16),
    deriveKey: (label) => crypto.createHmac('sm3', key).update(label).digest(),
    encrypt(plain) {
      const iv = crypto.randomBytes(16);
      const c = crypto.createCipheriv('sm4-cbc', key, iv);
      return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
    },
    decrypt(stored) {
      const buf = Buffer.from(stored, 'base64');
      const d = crypto.createDecipheriv('sm4-cbc', key, buf.subarray(0, 16));
      return Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8');
    },
    hash(plain) {
      return crypto.createHmac('sm3', hashKey).update(plain).digest('hex');
    },
  };
}

/**
 * The key in force: PII_KEY, or for a SQLite file a key file beside it (created when missing).
 * Anything else without PII_KEY is refused: a production database must not get a random key.
 */
export function resolvePiiKey(env: NodeJS.ProcessEnv, sqliteFile: string | undefined, warn: (msg: string) => void = console.warn): string {
  if (env.PII_KEY) return env.PII_KEY.trim();
  if (!sqliteFile) throw new Error('未设置 PII_KEY：使用 MySQL 时必须在环境变量中提供32位十六进制的 SM4 密钥');
  if (sqliteFile === ':memory:') return crypto.randomBytes(16).toString('hex');
  const keyFile = `${path.resolve(sqliteFile)}.pii-key`;
  if (fs.existsSync(keyFile)) return fs.readFileSync(keyFile, 'utf8').trim();
  const key = crypto.randomBytes(16).toString('hex');
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  fs.writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  warn(`警告：未设置 PII_KEY，已生成身份证号加密密钥并保存在 ${keyFile}。请妥善备份；生产环境请通过 PII_KEY 提供密钥。`);
  return key;
}

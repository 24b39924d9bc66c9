// ID numbers at rest: SM4-CBC with a random IV, found by an HMAC-SM3 keyed hash (node's
// OpenSSL has both). The key comes from PII_KEY (32 hex digits). On the embedded SQLite default
// a key is generated on first start and kept beside the database file, with a warning.
//
// Key rotation (`sanse pii rotate`, commands/rotate-pii-key.ts): a value written by this cipher is
// `<keyId>:` + base64 (base64 has no ':'); a value without the prefix was written before keys had
// ids and belongs to the previous key when one is given (PII_KEY_PREVIOUS), else to the current
// one. While PII_KEY_PREVIOUS is set the cipher reads both keys' values and writes the new key's;
// look-ups by hash ask for both hashes (`hashes`).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PiiCipher {
  /** First 16 hex digits of HMAC-SM3(key, 'sanse:key-id'): names the key without revealing it. */
  readonly keyId: string;
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  hash(plain: string): string;
  /** The hashes a look-up must match during a rotation: [current] or [current, previous]. */
  hashes(plain: string): string[];
  /** HMAC-SM3(key, label): a key for another purpose (audit chain, backups) bound to this key. */
  deriveKey(label: string): Buffer;
  /** The previous key's cipher while PII_KEY_PREVIOUS is set (a rotation), else null. */
  readonly previous: PiiCipher | null;
}

export const KEY_HEX = /^[0-9a-fA-F]{32}$/;

export function piiKeyId(keyHex: string): string {
  return crypto.createHmac('sm3', Buffer.from(keyHex, 'hex')).update('sanse:key-id').digest('hex').slice(0, 16);
}

/** The key id a stored value names (`<keyId>:…`), or null for a value written before key ids. */
export function storedKeyId(stored: string): string | null {
  const i = stored.indexOf(':');
  return i > 0 ? stored.slice(0, i) : null;
}

function singleKey(keyHex: string, name: string) {
  if (!KEY_HEX.test(keyHex)) throw new Error(`${name} 必须是32位十六进制数（SM4 密钥，128位）`);
  const key = Buffer.from(keyHex, 'hex');
  // A separate key for the hash, so the look-up hash reveals nothing about the cipher key.
  const hashKey = crypto.createHmac('sm3', key).update('sanse:id-hash').digest();
  return {
    key,
    keyId: piiKeyId(keyHex),
    decryptBody(body: string): string {
      const buf = Buffer.from(body, 'base64');
      const d = crypto.createDecipheriv('sm4-cbc', key, buf.subarray(0, 16));
      return Buffer.concat([d.update(buf.subarray(16)), d.final()]).toString('utf8');
    },
    hash: (plain: string) => crypto.createHmac('sm3', hashKey).update(plain).digest('hex'),
    deriveKey: (label: string) => crypto.createHmac('sm3', key).update(label).digest(),
  };
}

export function createPiiCipher(keyHex: string, previousKeyHex?: string | null): PiiCipher {
  const cur = singleKey(keyHex, 'PII_KEY');
  const prevHex = previousKeyHex?.trim() || null;
  const prev = prevHex ? singleKey(prevHex, 'PII_KEY_PREVIOUS') : null;
  if (prev && prev.keyId === cur.keyId) throw new Error('PII_KEY_PREVIOUS 与 PII_KEY 相同：轮换需要一把新密钥（sanse pii keygen 生成）');
  const previous = prevHex ? createPiiCipher(prevHex) : null;
  return {
    keyId: cur.keyId,
    previous,
    encrypt(plain) {
      const iv = crypto.randomBytes(16);
      const c = crypto.createCipheriv('sm4-cbc', cur.key, iv);
      return `${cur.keyId}:${Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64')}`;
    },
    decrypt(stored) {
      const id = storedKeyId(stored);
      if (id === null) return (prev ?? cur).decryptBody(stored);
      const body = stored.slice(id.length + 1);
      if (id === cur.keyId) return cur.decryptBody(body);
      if (prev && id === prev.keyId) return prev.decryptBody(body);
      throw new Error(`身份证号密文由另一把密钥（编号 ${id}）加密，当前密钥（编号 ${cur.keyId}${prev ? `，上一把 ${prev.keyId}` : ''}）无法解密：请检查 PII_KEY 与 PII_KEY_PREVIOUS`);
    },
    hash: cur.hash,
    hashes: (plain) => (prev ? [cur.hash(plain), prev.hash(plain)] : [cur.hash(plain)]),
    deriveKey: cur.deriveKey,
  };
}

/** A new key: 32 hex digits from the system's random source (`sanse pii keygen`). */
export function generatePiiKey(): string {
  return crypto.randomBytes(16).toString('hex');
}

/** The key file of the embedded default: beside the SQLite database. */
export function piiKeyFile(sqliteFile: string): string {
  return `${path.resolve(sqliteFile)}.pii-key`;
}

/**
 * The key in force: PII_KEY, or for a SQLite file a key file beside it (created when missing).
 * Anything else without PII_KEY is refused: a production database must not get a random key.
 */
export function resolvePiiKey(env: NodeJS.ProcessEnv, sqliteFile: string | undefined, warn: (msg: string) => void = console.warn): string {
  if (env.PII_KEY) return env.PII_KEY.trim();
  if (!sqliteFile) throw new Error('未设置 PII_KEY：使用 MySQL 时必须在环境变量中提供32位十六进制的 SM4 密钥');
  if (sqliteFile === ':memory:') return generatePiiKey();
  const keyFile = piiKeyFile(sqliteFile);
  if (fs.existsSync(keyFile)) return fs.readFileSync(keyFile, 'utf8').trim();
  const key = generatePiiKey();
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  fs.writeFileSync(keyFile, key + '\n', { mode: 0o600 });
  warn(`警告：未设置 PII_KEY，已生成身份证号加密密钥并保存在 ${keyFile}。请妥善备份；生产环境请通过 PII_KEY 提供密钥。`);
  return key;
}

/** The previous key during a rotation (PII_KEY_PREVIOUS), else null. */
export function resolvePreviousPiiKey(env: NodeJS.ProcessEnv): string | null {
  return env.PII_KEY_PREVIOUS?.trim() || null;
}

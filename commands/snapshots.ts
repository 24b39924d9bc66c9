// 市县贯通: a county's instance sends its monthly snapshot to the city's (README 市县贯通).
// keygen: an Ed25519 key pair for a county (the private key stays with the county,
// SNAPSHOT_SIGNING_KEY); trust: the city registers a county's public key (audited); export: the
// county's units and people now, labelled with the month, signed; import: verified against the
// county's registered key, stored idempotently by county and month (db/snapshots.ts).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Knex } from 'knex';
import { isRegionCode, isSnapshotMonth } from '../core/regions.ts';
import { parseSnapshotBody, SNAPSHOT_FORMAT, type SnapshotBody, type SnapshotFile } from '../core/snapshots.ts';
import { loadOffice } from '../db/settings.ts';
import { snapshotContent, snapshotKey, storedSnapshot, storeSnapshot, trustSnapshotKey, type StoredSnapshot } from '../db/snapshots.ts';
import { CommandError } from './errors.ts';
import { requireCityLevel } from './city-level.ts';
import { ADMIN_ROLES, type UnitScope } from '../core/roles.ts';

const SANSE_VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version ?? '';
  } catch {
    return '';
  }
})();

/** Biggest snapshot file accepted (gzip'd), and its text once inflated. */
export const SNAPSHOT_MAX_BYTES = 64 * 1024 * 1024;
const SNAPSHOT_MAX_TEXT = 512 * 1024 * 1024;

const fingerprintOf = (key: crypto.KeyObject) => crypto.createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');

/** A county's key pair in `dir`: snapshot-signing.key (PKCS#8, mode 600) and snapshot-signing.pub (SPKI). Refuses to overwrite. */
export function snapshotKeygen(dir: string): { privateKey: string; publicKey: string; fingerprint: string } {
  fs.mkdirSync(dir, { recursive: true });
  const priv = path.join(dir, 'snapshot-signing.key');
  const pub = path.join(dir, 'snapshot-signing.pub');
  for (const f of [priv, pub]) if (fs.existsSync(f)) throw new CommandError(409, `${f} 已存在，不覆盖已有密钥（如需更换，请先移走旧文件）`);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey: priv, publicKey: pub, fingerprint: fingerprintOf(publicKey) };
}

function readPrivateKey(file: string | undefined): crypto.KeyObject {
  if (!file) throw new CommandError(400, '未设置 SNAPSHOT_SIGNING_KEY：请指向本区县的快照签名私钥文件（由 sanse snapshot keygen 生成）');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(fs.readFileSync(file));
  } catch {
    throw new CommandError(400, `无法读取快照签名私钥 ${file}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CommandError(400, `${file} 不是 Ed25519 私钥`);
  return key;
}

/** A public key file (PEM), checked to be Ed25519. */
export function readPublicKey(text: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(text);
  } catch {
    throw new CommandError(400, '公钥文件无法识别（应为 sanse snapshot keygen 生成的 .pub 文件）');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CommandError(400, '公钥不是 Ed25519 公钥');
  return key;
}

/** Registers a county's public key on the city's instance (replacing an earlier one), audited. */
export async function trustCounty(db: Knex, actor: { id: string; role?: string; scope?: UnitScope }, region: string, publicKeyPem: string): Promise<{ region: string; fingerprint: string; replaced: boolean }> {
  if (actor.role) requireCityLevel({ role: actor.role, scope: actor.scope }, '登记区县公钥');
  if (!isRegionCode(region)) throw new CommandError(400, `区划代码“${String(region).slice(0, 20)}”应为6位数字`, { region: '区划代码有误' });
  const key = readPublicKey(publicKeyPem);
  const fingerprint = fingerprintOf(key);
  const r = await trustSnapshotKey(db, { region, publicKey: String(key.export({ type: 'spki', format: 'pem' })), fingerprint, by: actor.id });
  return { region, fingerprint, replaced: r.replaced };
}

/**
 * The county's snapshot for `month`: its units and people now, with the manifest, signed with the
 * key in `keyFile`, written gzip'd to `out`. The region: `region`, else the office's (settings).
 */
export async function exportSnapshot(db: Knex, opts: { month: string; out: string; keyFile: string | undefined; region?: string; now?: Date }): Promise<{ file: string; region: string; month: string; units: number; people: number; sha256: string }> {
  if (!isSnapshotMonth(opts.month)) throw new CommandError(400, `--month “${String(opts.month).slice(0, 20)}”不是有效的月份（应为 YYYY-MM）`);
  const key = readPrivateKey(opts.keyFile);
  const office = await loadOffice(db);
  const region = opts.region ?? office.regionCode ?? '';
  if (!isRegionCode(region)) throw new CommandError(400, '未能确定本区县的区划代码：请用 --region 指定6位区划代码');
  const { units, people } = await snapshotContent(db, opts.region ? region : null);
  const body: SnapshotBody = {
    manifest: {
      format: SNAPSHOT_FORMAT, region, regionName: region === office.regionCode ? office.regionName : null, month: opts.month,
      counts: { units: units.length, people: people.length }, createdAt: (opts.now ?? new Date()).toISOString(), sanseVersion: SANSE_VERSION,
    },
    units, people,
  };
  const text = JSON.stringify(body);
  const file: SnapshotFile = { format: SNAPSHOT_FORMAT, body: text, signature: crypto.sign(null, Buffer.from(text, 'utf8'), key).toString('base64') };
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, zlib.gzipSync(JSON.stringify(file)));
  return { file: opts.out, region, month: opts.month, units: units.length, people: people.length, sha256: crypto.createHash('sha256').update(text, 'utf8').digest('hex') };
}

export interface ImportedSnapshot extends StoredSnapshot {
  sha256: string;
  /** What the office reads: 已导入，无变化 / 已导入 / 已替换. */
  message: string;
}

/** The file's bytes (gzip'd or plain JSON) → its signed body and signature; Chinese refusals. */
function readSnapshotFile(bytes: Buffer): SnapshotFile {
  if (bytes.length > SNAPSHOT_MAX_BYTES) throw new CommandError(413, `快照文件过大（超过 ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MB）`);
  let text: string;
  try {
    text = bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes, { maxOutputLength: SNAPSHOT_MAX_TEXT }).toString('utf8') : bytes.toString('utf8');
  } catch {
    throw new CommandError(400, '快照文件已损坏，无法解压');
  }
  let f: any;
  try {
    f = JSON.parse(text);
  } catch {
    throw new CommandError(400, '不是“三色”快照文件（内容不是 JSON）');
  }
  if (!f || f.format !== SNAPSHOT_FORMAT || typeof f.body !== 'string') throw new CommandError(400, '不是“三色”区县快照文件，或格式版本不符');
  if (typeof f.signature !== 'string' || !f.signature) throw new CommandError(400, '快照文件未签名，拒绝导入：请在区县用 sanse snapshot export（已设置 SNAPSHOT_SIGNING_KEY）重新导出');
  return f as SnapshotFile;
}

/**
 * Imports a county's snapshot on the city's instance: the signature must verify against the
 * county's registered key; the same file again changes nothing; a different file of the same
 * county and month replaces the previous one in one transaction.
 */
export async function importSnapshot(db: Knex, actor: { id: string; role?: string; scope?: UnitScope }, bytes: Buffer): Promise<ImportedSnapshot> {
  if (actor.role) {
    if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, '只有编办管理员和编办业务人员可以导入区县快照');
    requireCityLevel({ role: actor.role, scope: actor.scope }, '导入区县快照');
  }
  const f = readSnapshotFile(bytes);
  // Which county: read from the body before verifying, only to find its key.
  let claimed: any;
  try {
    claimed = JSON.parse(f.body)?.manifest;
  } catch {
    throw new CommandError(400, '快照内容不是有效的 JSON');
  }
  const region = claimed?.region;
  if (!isRegionCode(region)) throw new CommandError(400, '快照清单中的区划代码无效');
  const key = await snapshotKey(db, region);
  if (!key) throw new CommandError(403, `区县 ${region} 的公钥尚未登记，拒绝导入：请先执行 sanse snapshot trust --region ${region} --key 公钥文件`);
  let ok = false;
  try {
    ok = crypto.verify(null, Buffer.from(f.body, 'utf8'), crypto.createPublicKey(key.public_key), Buffer.from(f.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw new CommandError(400, `签名校验失败，拒绝导入：文件在导出后被改动过，或不是区县 ${region} 的密钥签发的`);
  const sha256 = crypto.createHash('sha256').update(f.body, 'utf8').digest('hex');
  // The same file again: answered before reading its rows (they were checked when it came first).
  const month = claimed?.month;
  const same = isSnapshotMonth(month) ? await storedSnapshot(db, region, month) : undefined;
  if (same && same.sha256 === sha256) {
    const r: StoredSnapshot = { region, month, version: Number(same.version), units: Number(same.units), people: Number(same.people), changed: false, replaced: false };
    return { ...r, sha256, message: `区县 ${region} ${month} 快照（单位 ${r.units} 个，人员 ${r.people} 名）已导入，无变化` };
  }
  const parsed = parseSnapshotBody(f.body);
  if (!parsed.ok) throw new CommandError(400, `快照内容有误，拒绝导入：${parsed.error}`);
  const r = await storeSnapshot(db, parsed.body, sha256, actor.id);
  const what = `区县 ${r.region} ${r.month} 快照（单位 ${r.units} 个，人员 ${r.people} 名）`;
  const message = !r.changed ? `${what}已导入，无变化` : r.replaced ? `${what}已替换此前导入的版本（第 ${r.version} 版）` : `${what}已导入`;
  return { ...r, sha256, message };
}

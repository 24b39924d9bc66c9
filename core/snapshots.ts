// 市县贯通: the monthly snapshot a county's instance sends to the city's (sanse snapshot export /
// import). The file is gzip'd JSON `{format, body, signature}`: `body` is the JSON text of
// {manifest, units, people} exactly as signed (Ed25519), so the bytes verified are the bytes
// stored; its sha256 makes an import idempotent. ID numbers travel only as the keyed hash (the
// city and its counties share the hash key, README) and the masked form. Here: the shapes and the
// check of a body, in Chinese.

import { isRegionCode, isSnapshotMonth } from './regions.ts';

export const SNAPSHOT_FORMAT = 'sanse-county-snapshot/1';

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  /** The county's region code (6 digits). */
  region: string;
  regionName: string | null;
  /** The month the snapshot stands for (YYYY-MM); its content is the roster as of `createdAt`. */
  month: string;
  counts: { units: number; people: number };
  createdAt: string;
  sanseVersion: string;
}

export interface SnapshotUnit {
  code: string;
  name: string;
  region: string | null;
  quotas: Record<string, number>;
  leaderPosts: Record<string, number>;
}

export interface SnapshotPerson {
  idHash: string | null;
  idMasked: string | null;
  name: string;
  unitCode: string | null;
  unitName: string | null;
  status: string | null;
  quotaKind: string | null;
  posts: string | null;
  leaderLevel: string | null;
  enteredOn: string | null;
}

export interface SnapshotBody {
  manifest: SnapshotManifest;
  units: SnapshotUnit[];
  people: SnapshotPerson[];
}

/** The signed file as written. */
export interface SnapshotFile {
  format: typeof SNAPSHOT_FORMAT;
  body: string;
  /** Ed25519 signature of `body` (UTF-8), base64. */
  signature: string;
}

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const optStr = (v: unknown, max: number) => v === null || str(v, max);
const counts = (v: unknown): v is Record<string, number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, n]) => k.length <= 16 && Number.isInteger(n) && (n as number) >= 0);

/** The body of a snapshot file, or the Chinese reason it is not one. */
export function parseSnapshotBody(text: string): { ok: true; body: SnapshotBody } | { ok: false; error: string } {
  let b: any;
  try {
    b = JSON.parse(text);
  } catch {
    return { ok: false, error: '快照内容不是有效的 JSON' };
  }
  const m = b?.manifest;
  if (!m || m.format !== SNAPSHOT_FORMAT) return { ok: false, error: '快照缺少清单（manifest）或格式版本不符' };
  if (!isRegionCode(m.region)) return { ok: false, error: `快照清单中的区划代码“${String(m.region).slice(0, 20)}”应为6位数字` };
  if (!isSnapshotMonth(m.month)) return { ok: false, error: `快照月份“${String(m.month).slice(0, 20)}”不是有效的月份（应为 YYYY-MM）` };
  if (!Array.isArray(b.units) || !Array.isArray(b.people)) return { ok: false, error: '快照缺少单位或人员清单' };
  if (!m.counts || m.counts.units !== b.units.length || m.counts.people !== b.people.length) return { ok: false, error: `快照清单所列数量（单位 ${m.counts?.units}、人员 ${m.counts?.people}）与内容（单位 ${b.units.length}、人员 ${b.people.length}）不符` };
  for (const [i, u] of (b.units as any[]).entries()) {
    if (!u || !str(u.code, 32) || !str(u.name, 200) || !(u.region === null || isRegionCode(u.region)) || !counts(u.quotas) || !counts(u.leaderPosts)) return { ok: false, error: `快照第 ${i + 1} 个单位的内容不完整或有误` };
  }
  for (const [i, p] of (b.people as any[]).entries()) {
    if (!p || !str(p.name, 64) || !(p.idHash === null || (typeof p.idHash === 'string' && /^[0-9a-f]{64}$/.test(p.idHash))) || !optStr(p.idMasked, 32)
      || !optStr(p.unitCode, 32) || !optStr(p.unitName, 200) || !optStr(p.status, 8) || !optStr(p.quotaKind, 16) || !optStr(p.posts, 200) || !optStr(p.leaderLevel, 8) || !optStr(p.enteredOn, 10)) {
      return { ok: false, error: `快照第 ${i + 1} 名人员的内容不完整或有误` };
    }
    if (p.idMasked && /\d{7,}/.test(p.idMasked)) return { ok: false, error: `快照第 ${i + 1} 名人员的身份证号未脱敏，拒绝导入` };
  }
  return { ok: true, body: b as SnapshotBody };
}

// 市县贯通 in the console (#/console/snapshots): the counties' snapshots by month with their
// versions and the counties' registered keys; an upload of a county's snapshot file and the
// registration of a county's public key. The city's office only (编办管理员, 编办业务人员 without a
// county 所属区划); the same commands as `sanse snapshot import|trust`.

import type { FastifyPluginAsync } from 'fastify';
import { ADMIN_ROLES, OFFICE_ROLES } from '../../../core/roles.ts';
import { importSnapshot, SNAPSHOT_MAX_BYTES, trustCounty } from '../../../commands/snapshots.ts';
import { listSnapshots } from '../../../db/snapshots.ts';
import { ApiError, requireCityLevel, requireRole, userOf, type ApiDeps } from './common.ts';

type Row = Record<string, any>;

export const snapshotRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/snapshots', async (req) => {
    const user = userOf(req);
    requireRole(user, OFFICE_ROLES, '区县快照仅供编办工作人员查看');
    requireCityLevel(user, '区县快照');
    const { snapshots, versions, keys } = await listSnapshots(db);
    return {
      canImport: ADMIN_ROLES.has(user.role),
      keys: keys.map((k: Row) => ({ region: k.region_code, fingerprint: k.fingerprint, registeredBy: k.registered_by, registeredAt: k.registered_at })),
      snapshots: snapshots.map((s: Row) => ({
        region: s.region_code, regionName: s.region_name ?? null, month: s.month, version: Number(s.version), units: Number(s.units), people: Number(s.people),
        sha256: s.sha256, createdAt: s.created_at, importedBy: s.imported_by, importedAt: s.imported_at,
        versions: versions.filter((v: Row) => v.region_code === s.region_code && v.month === s.month)
          .map((v: Row) => ({ version: Number(v.version), sha256: v.sha256, units: Number(v.units), people: Number(v.people), importedBy: v.imported_by, importedAt: v.imported_at })),
      })),
    };
  });

  app.post('/api/snapshots', {
    schema: { body: { type: 'object', properties: { data: { type: 'string' }, fileName: { type: 'string', maxLength: 200 } }, required: ['data'], additionalProperties: false } },
    bodyLimit: Math.ceil(SNAPSHOT_MAX_BYTES * 1.4) + 4096,
  }, async (req) => {
    const user = userOf(req);
    const { data } = req.body as { data: string };
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || !data) throw new ApiError(400, '请选择区县快照文件', { file: '缺少文件' });
    return importSnapshot(db, user, Buffer.from(data, 'base64'));
  });

  app.post('/api/snapshots/keys', {
    schema: { body: { type: 'object', properties: { region: { type: 'string', maxLength: 20 }, publicKey: { type: 'string', maxLength: 4096 } }, required: ['region', 'publicKey'], additionalProperties: false } },
  }, async (req) => {
    const user = userOf(req);
    requireRole(user, ADMIN_ROLES, '只有编办管理员和编办业务人员可以登记区县公钥');
    const { region, publicKey } = req.body as { region: string; publicKey: string };
    return trustCounty(db, user, region.trim(), publicKey);
  });
};

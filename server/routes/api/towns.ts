// 镇街三色图 (server/API.md "Town map"): GET /api/towns (every town in the user's scope with its
// figures, colour and reason; ?town=ID with that town's units), PUT /api/towns/thresholds (编办管理员), and the map
// of the county's towns: POST /api/towns/map (upload a GeoJSON, checked), GET and DELETE.

import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_TOWN_THRESHOLDS, MAX_MAP_BYTES } from '../../../core/town-map.ts';
import { deleteTownMap, updateTownThresholds, uploadTownMap } from '../../../commands/town-map.ts';
import { currentTownMap, listTowns, loadTownThresholds, townOrgans } from '../../../db/towns.ts';
import { checkTownMap } from '../../../core/town-map.ts';
import { ApiError, userOf, type ApiDeps } from './common.ts';
import { requireCityLevel } from '../../../commands/city-level.ts';

export const townRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps;

  app.get('/api/towns', async (req) => {
    const user = userOf(req);
    // `town`: the id of the town whose units to list too (a town is opened on the page).
    const town = (req.query as { town?: unknown }).town;
    if (town !== undefined && (typeof town !== 'string' || !/^[1-9]\d{0,9}$/.test(town))) throw new ApiError(400, 'town 应为镇街单位的编号', { town: '取值无效' });
    const thresholds = await loadTownThresholds(db);
    const [{ asOf, towns }, map] = await Promise.all([listTowns(db, user.scope, thresholds, { unitsOf: town === undefined ? undefined : Number(town) }), currentTownMap(db, { withData: false })]);
    return {
      asOf, thresholds, defaults: DEFAULT_TOWN_THRESHOLDS, canEdit: user.role === '编办管理员',
      map: map && { features: map.features, bytes: map.bytes, fileName: map.fileName, uploadedBy: map.uploadedByName ?? map.uploadedBy, uploadedAt: map.uploadedAt },
      towns,
    };
  });

  app.put('/api/towns/thresholds', {
    schema: { body: { type: 'object' } },
  }, async (req) => {
    const user = userOf(req);
    requireCityLevel(user, '镇街三色图的阈值');
    const thresholds = await updateTownThresholds(db, user, req.body);
    return { thresholds };
  });

  app.post('/api/towns/map', {
    // The file travels as a JSON string; its own size is checked against MAX_MAP_BYTES with a Chinese error.
    bodyLimit: MAX_MAP_BYTES * 2 + 4096,
  }, async (req, reply) => {
    const user = userOf(req);
    requireCityLevel(user, '镇街地图');
    const b = req.body as { geojson?: unknown; fileName?: unknown } | null;
    if (typeof b !== 'object' || b === null || typeof b.geojson !== 'string') throw new ApiError(400, '请选择地图文件（GeoJSON）', { file: '缺少文件' });
    const fileName = typeof b.fileName === 'string' ? b.fileName.slice(0, 200) : null;
    const r = await uploadTownMap(db, user, b.geojson, fileName);
    return reply.code(201).send(r);
  });

  app.get('/api/towns/map', async (req) => {
    userOf(req);
    const map = await currentTownMap(db);
    if (!map) return { map: null, matched: {}, missing: [] };
    // Matched again against today's towns (a town renamed since the upload shows as missing).
    const towns = await townOrgans(db);
    let matched: Record<string, number> = {};
    let missing: Array<{ id: number; name: string }> = towns.map((t) => ({ id: t.id, name: t.regionName || t.name }));
    try {
      ({ matched, missing } = checkTownMap(map.geojson, towns));
    } catch {
      // A stored map whose names no longer all match: drawn as stored, every town grey where unmatched.
    }
    return {
      map: { features: map.features, bytes: map.bytes, fileName: map.fileName, uploadedBy: map.uploadedByName ?? map.uploadedBy, uploadedAt: map.uploadedAt, geojson: JSON.parse(map.geojson) },
      matched, missing,
    };
  });

  app.delete('/api/towns/map', async (req) => {
    const user = userOf(req);
    requireCityLevel(user, '镇街地图');
    return deleteTownMap(db, user);
  });
};

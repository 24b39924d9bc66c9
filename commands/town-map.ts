// The office's changes to 镇街三色图: its thresholds (settings `town-map`) and the GeoJSON of the
// county's towns (town_maps). 编办管理员 only, validated (core/town-map.ts, Chinese errors),
// audited, each in one transaction.

import type { Knex } from 'knex';
import { checkTownMap, TownMapError, validTownThresholds, type TownThresholds } from '../core/town-map.ts';
import { nowMoment } from '../db/clock.ts';
import { audit } from '../db/store.ts';
import { deleteTownMaps, loadTownThresholds, replaceTownMap, saveTownThresholds, townOrgans } from '../db/towns.ts';
import { CommandError } from './errors.ts';

const ADMIN_ONLY = '只有编办管理员可以修改镇街三色图的设置';

function refuseUnlessAdmin(actor: { role: string }, message = ADMIN_ONLY): void {
  if (actor.role !== '编办管理员') throw new CommandError(403, message);
}

function asCommandError(e: unknown): never {
  if (e instanceof TownMapError) throw new CommandError(400, e.message, e.fields, e.extra);
  throw e;
}

export async function updateTownThresholds(db: Knex, actor: { id: string; role: string }, body: unknown): Promise<TownThresholds> {
  refuseUnlessAdmin(actor);
  return db.transaction(async (trx) => {
    const before = await loadTownThresholds(trx);
    let next: TownThresholds;
    try {
      next = validTownThresholds(body, before);
    } catch (e) {
      asCommandError(e);
    }
    await saveTownThresholds(trx, next);
    await audit(trx, actor.id, 'town_thresholds', null, null, { before, after: next });
    return next;
  });
}

/** Checks and stores the uploaded map: the towns without a shape are returned (drawn grey). */
export async function uploadTownMap(db: Knex, actor: { id: string; role: string }, text: string, fileName: string | null): Promise<{ id: number; features: number; missing: Array<{ id: number; name: string }> }> {
  refuseUnlessAdmin(actor, '只有编办管理员可以上传镇街地图');
  const towns = await townOrgans(db);
  let checked;
  try {
    checked = checkTownMap(text, towns);
  } catch (e) {
    asCommandError(e);
  }
  const geojson = JSON.stringify(checked.geojson);
  const features = checked.geojson.features.length;
  const id = await db.transaction(async (trx) => {
    const mapId = await replaceTownMap(trx, { geojson, features, fileName, uploadedBy: actor.id, uploadedAt: nowMoment() });
    await audit(trx, actor.id, 'town_map_upload', null, null, { mapId, features, bytes: Buffer.byteLength(geojson, 'utf8'), fileName, missing: checked.missing.map((m) => m.name) });
    return mapId;
  });
  return { id, features, missing: checked.missing };
}

export async function deleteTownMap(db: Knex, actor: { id: string; role: string }): Promise<{ deleted: number }> {
  refuseUnlessAdmin(actor, '只有编办管理员可以删除镇街地图');
  return db.transaction(async (trx) => {
    const deleted = await deleteTownMaps(trx);
    if (deleted) await audit(trx, actor.id, 'town_map_delete', null, null, { deleted });
    return { deleted };
  });
}

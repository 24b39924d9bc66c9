// The office's mapping of units to sectors (settings `sectors`, core/unit-stats.ts sectorOf): the
// units whose sector the name guesses, and the mapping's change. The stats of each unit hold its
// sector as of the last check, so a change takes effect at the next daily check.

import type { Knex } from 'knex';
import { sectorOf, type Sector, type SectorMapping } from '../core/unit-stats.ts';
import { putSetting } from './settings.ts';
import { loadSectorMapping } from './unit-stats.ts';

export interface SectorUnit {
  id: number;
  name: string;
  /** What the name says (the mapping left out). */
  guessed: Sector;
  mapped: Sector | null;
  sector: Sector;
}

/** The 事业单位 (whose sector the name guesses) and any unit the office mapped. */
export async function sectorUnits(db: Knex): Promise<{ mapping: SectorMapping; units: SectorUnit[] }> {
  const mapping = await loadSectorMapping(db);
  const rows = (await db('units').select('id', 'name', 'nature').orderBy('id')) as Array<{ id: number; name: string; nature: string | null }>;
  const units = rows.filter((u) => u.nature === '事业单位' || mapping[String(u.id)]).map((u) => {
    const unit = { id: Number(u.id), name: u.name, nature: u.nature as never };
    return { id: unit.id, name: u.name, guessed: sectorOf(unit, {}), mapped: mapping[String(u.id)] ?? null, sector: sectorOf(unit, mapping) };
  });
  return { mapping, units };
}

/** Which of these unit ids exist. */
export async function existingUnitIds(db: Knex, ids: number[]): Promise<Set<number>> {
  const known = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) for (const r of (await db('units').whereIn('id', ids.slice(i, i + 500)).select('id')) as Array<{ id: number }>) known.add(Number(r.id));
  return known;
}

/** Applies validated changes (unit id → sector, or null to drop the office's entry); returns the new mapping. */
export async function changeSectorMapping(db: Knex, changes: Record<string, Sector | null>): Promise<SectorMapping> {
  const mapping: SectorMapping = { ...(await loadSectorMapping(db)) };
  for (const [id, sector] of Object.entries(changes)) {
    if (sector === null) delete mapping[id];
    else mapping[id] = sector;
  }
  await putSetting(db, 'sectors', mapping);
  return mapping;
}

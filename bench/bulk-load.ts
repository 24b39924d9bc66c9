// Loading a generated county fast for benchmarks: multi-row inserts, no per-row versions
// (the demo seed and the import go through db/store.ts, which versions every row).

import type { Knex } from 'knex';
import { isSqlite } from '../db/connection.ts';
import { nowMoment } from '../db/clock.ts';
import type { PiiCipher } from '../db/pii.ts';
import { putSetting } from '../db/settings.ts';
import { personRow, unitRow, workerRow } from '../db/store.ts';
import { generatePeople, type GeneratedCounty } from '../db/demo/generate.ts';

type Row = Record<string, unknown>;

async function insertBatches(db: Knex, table: string, rows: Row[]): Promise<void> {
  // SQLite allows at most 32766 bound variables per statement.
  const cols = rows.length ? Object.keys(rows[0]).length : 1;
  const size = Math.max(1, Math.min(isSqlite(db) ? 400 : 1000, Math.floor(30000 / cols)));
  for (let i = 0; i < rows.length; i += size) await db(table).insert(rows.slice(i, i + size));
}

/** Units, ledgers and users; returns the stored id of each unit, by its index in the county. */
export async function bulkLoadUnits(db: Knex, county: GeneratedCounty): Promise<number[]> {
  const at = nowMoment();
  const today = county.options.today;
  await putSetting(db, 'office', county.office);
  await insertBatches(db, 'units', county.units.map((u, i) => ({ ...unitRow(u), ledger_updated_on: county.plan[i]?.ledgerUpdatedOn ?? today, created_at: at, updated_at: at })));
  // Inserted in order by one connection: ids follow the county's order.
  const ids = (await db('units').select('id').orderBy('id')).map((r) => Number(r.id));
  if (isSqlite(db)) await db.raw('UPDATE units SET parent_id = (SELECT min(p.id) FROM units p WHERE p.code = units.parent_code) WHERE parent_code IS NOT NULL');
  else await db.raw('UPDATE units u JOIN units p ON p.code = u.parent_code SET u.parent_id = p.id WHERE u.parent_code IS NOT NULL');
  await insertBatches(db, 'internal_offices', county.units.flatMap((u, i) => [...new Set(u.internalOffices ?? [])].map((name) => ({ unit_id: ids[i], name }))));
  await insertBatches(db, 'quotas', county.quotas.map((q, i) => ({ unit_id: ids[county.unitOf.quotas[i]], kind: q.kind, approved: q.approved, approval_no: q.approvalNo ?? null })));
  await insertBatches(db, 'leader_posts', county.leaderPosts.map((q, i) => ({ unit_id: ids[county.unitOf.leaderPosts[i]], kind: q.kind, approved: q.approved, approval_no: q.approvalNo ?? null })));
  await insertBatches(db, 'users', county.users.map((u, i) => {
    const unit = county.unitOf.users[i];
    return { id: u.id, name: u.name, role: u.role, unit_code: u.unitCode ?? null, unit_id: unit == null ? null : ids[unit], mobile: u.mobile ?? null, locked: false, created_at: at, updated_at: at };
  }));
  return ids;
}

/** Streams the county's people and workers in batches; memory stays at one batch. */
export async function bulkLoadPeople(db: Knex, pii: PiiCipher, county: GeneratedCounty, unitIds: number[], onProgress?: (n: number) => void): Promise<{ people: number; workers: number }> {
  const at = nowMoment();
  const today = county.options.today;
  let people: Row[] = [];
  let workers: Row[] = [];
  let np = 0;
  let nw = 0;
  for (const r of generatePeople(county)) {
    if (r.type === 'person') {
      people.push({ ...personRow(r.person, unitIds[r.unit], pii, today), created_at: at, updated_at: at });
      np++;
    } else {
      workers.push({ ...workerRow(r.worker, unitIds[r.unit], pii, today), created_at: at, updated_at: at });
      nw++;
    }
    if (people.length >= 5000) {
      await insertBatches(db, 'people', people);
      people = [];
      onProgress?.(np);
    }
    if (workers.length >= 5000) {
      await insertBatches(db, 'workers', workers);
      workers = [];
    }
  }
  await insertBatches(db, 'people', people);
  await insertBatches(db, 'workers', workers);
  return { people: np, workers: nw };
}

// 市县贯通 in the database: what a county's instance exports (its units and people as they are),
// the counties' public keys, the imported snapshots with their versions, and the facts X-RG-01
// reads: each city unit of a county with a snapshot, against the county's latest copy
// (UnitRecord.agg.countyCopy). Nothing here decides what differs: the rule does (core/rules/cross-system.ts).

import type { Knex } from 'knex';
import type { CountyCopyFacts, UnitRecord } from '../core/model.ts';
import { codesWithin, regionContains } from '../core/regions.ts';
import type { SnapshotBody, SnapshotPerson, SnapshotUnit } from '../core/snapshots.ts';
import { INSERT_BATCH, type Read } from './batch.ts';
import { nowMoment } from './clock.ts';
import { regionParents, unitRegionCodes } from './scope.ts';
import { audit } from './store.ts';

type Row = Record<string, any>;

const live = (q: Knex.QueryBuilder, column = 'status') => q.where((w) => w.whereNull(column).orWhereNot(column, '已出编'));

/** The units (of a region and the regions inside it, or all) and their people as they are now, for a snapshot. */
export async function snapshotContent(db: Knex, region: string | null): Promise<{ units: SnapshotUnit[]; people: SnapshotPerson[] }> {
  let ids: number[] | null = null;
  if (region) {
    const inside = codesWithin(region, (await unitRegionCodes(db)).keys(), await regionParents(db));
    ids = ((await db('units').whereIn('region_code', inside.length ? inside : ['']).select('id')) as Row[]).map((r) => Number(r.id));
  }
  const within = (q: Knex.QueryBuilder, col: string) => (ids ? q.whereIn(col, ids.length ? ids : [0]) : q);
  const [unitRows, quotaRows, postRows, peopleRows] = await Promise.all([
    within(db('units').orderBy('id').select('id', 'code', 'name', 'region_code'), 'id'),
    within(db('quotas').select('unit_id', 'kind', 'approved'), 'unit_id'),
    within(db('leader_posts').select('unit_id', 'kind', 'approved'), 'unit_id'),
    within(db('people as p').join('units as u', 'u.id', 'p.unit_id').orderBy('p.id')
      .select('p.id_hash', 'p.id_masked', 'p.name', 'u.code as unit_code', 'u.name as unit_name', 'p.status', 'p.quota_kind', 'p.posts', 'p.leader_level', 'p.entered_on'), 'p.unit_id'),
  ]) as Row[][];
  const byId = new Map<number, SnapshotUnit>();
  const units = unitRows.map((r) => {
    const u: SnapshotUnit = { code: r.code, name: r.name, region: r.region_code ?? null, quotas: {}, leaderPosts: {} };
    byId.set(Number(r.id), u);
    return u;
  });
  for (const q of quotaRows) { const u = byId.get(Number(q.unit_id)); if (u) u.quotas[q.kind] = Number(q.approved); }
  for (const q of postRows) { const u = byId.get(Number(q.unit_id)); if (u) u.leaderPosts[q.kind] = Number(q.approved); }
  const people = peopleRows.map((r): SnapshotPerson => ({
    idHash: r.id_hash ?? null, idMasked: r.id_masked ?? null, name: r.name, unitCode: r.unit_code ?? null, unitName: r.unit_name ?? null,
    status: r.status ?? null, quotaKind: r.quota_kind ?? null, posts: r.posts ?? null, leaderLevel: r.leader_level ?? null, enteredOn: r.entered_on ?? null,
  }));
  return { units, people };
}

/** A county's registered public key (PEM), or undefined. */
export async function snapshotKey(db: Knex, region: string): Promise<Row | undefined> {
  return db('snapshot_keys').where({ region_code: region }).first();
}

/** The stored snapshot of a county and month (its row), or undefined. */
export async function storedSnapshot(db: Knex, region: string, month: string): Promise<Row | undefined> {
  return db('county_snapshots').where({ region_code: region, month }).first('id', 'sha256', 'version', 'units', 'people');
}

/** Registers (or replaces) a county's public key, audited. */
export async function trustSnapshotKey(db: Knex, k: { region: string; publicKey: string; fingerprint: string; by: string }): Promise<{ replaced: boolean }> {
  return db.transaction(async (trx) => {
    const before = await trx('snapshot_keys').where({ region_code: k.region }).first();
    const row = { public_key: k.publicKey, fingerprint: k.fingerprint, registered_by: k.by, registered_at: nowMoment() };
    if (before) await trx('snapshot_keys').where({ region_code: k.region }).update(row);
    else await trx('snapshot_keys').insert({ region_code: k.region, ...row });
    await audit(trx, k.by, 'snapshot_trust', 'region', null, { region: k.region, fingerprint: k.fingerprint, before: before?.fingerprint ?? null });
    return { replaced: Boolean(before) };
  });
}

export interface StoredSnapshot {
  region: string;
  month: string;
  version: number;
  units: number;
  people: number;
  /** false: the same file was imported before (已导入，无变化). */
  changed: boolean;
  /** A different file replaced an earlier one of this county and month. */
  replaced: boolean;
}

/**
 * Stores a verified snapshot: the same file again (by sha256) changes nothing; a different file
 * of the same county and month replaces the previous rows in one transaction (its version is kept
 * in county_snapshot_versions).
 */
export async function storeSnapshot(db: Knex, body: SnapshotBody, sha256: string, by: string): Promise<StoredSnapshot> {
  const { manifest: m } = body;
  const base = { region: m.region, month: m.month, units: body.units.length, people: body.people.length };
  return db.transaction(async (trx) => {
    const before = await trx('county_snapshots').where({ region_code: m.region, month: m.month }).forUpdate().first();
    if (before && before.sha256 === sha256) return { ...base, version: Number(before.version), changed: false, replaced: false };
    const at = nowMoment();
    const row = { sha256, units: base.units, people: base.people, created_at: String(m.createdAt).slice(0, 25), sanse_version: String(m.sanseVersion ?? '').slice(0, 32) || null, imported_by: by, imported_at: at };
    let id: number;
    let version = 1;
    if (before) {
      id = Number(before.id);
      version = Number(before.version) + 1;
      await trx('county_snapshot_people').where({ snapshot_id: id }).delete();
      await trx('county_snapshot_units').where({ snapshot_id: id }).delete();
      await trx('county_snapshots').where({ id }).update({ ...row, version });
    } else {
      const [newId] = await trx('county_snapshots').insert({ region_code: m.region, month: m.month, ...row, version });
      id = Number(newId);
    }
    await trx('county_snapshot_versions').insert({ region_code: m.region, month: m.month, version, sha256, units: base.units, people: base.people, imported_by: by, imported_at: at });
    const units = body.units.map((u) => ({ snapshot_id: id, code: u.code, name: u.name, region_code: u.region, quotas: JSON.stringify(u.quotas), leader_posts: JSON.stringify(u.leaderPosts) }));
    const people = body.people.map((p) => ({
      snapshot_id: id, id_hash: p.idHash, id_masked: p.idMasked, name: p.name, unit_code: p.unitCode, unit_name: p.unitName,
      status: p.status, quota_kind: p.quotaKind, posts: p.posts, leader_level: p.leaderLevel, entered_on: p.enteredOn,
    }));
    for (let i = 0; i < units.length; i += INSERT_BATCH) await trx('county_snapshot_units').insert(units.slice(i, i + INSERT_BATCH));
    for (let i = 0; i < people.length; i += INSERT_BATCH) await trx('county_snapshot_people').insert(people.slice(i, i + INSERT_BATCH));
    await audit(trx, by, 'snapshot_import', 'county_snapshot', id, { region: m.region, month: m.month, version, sha256, units: base.units, people: base.people });
    return { ...base, version, changed: true, replaced: Boolean(before) };
  });
}

/** Every county's snapshots by month (newest first) with their versions, and the counties' keys. */
export async function listSnapshots(db: Knex): Promise<{ snapshots: Row[]; versions: Row[]; keys: Row[] }> {
  const [snapshots, versions, keys] = await Promise.all([
    db('county_snapshots as s').leftJoin('regions as r', 'r.code', 's.region_code').orderBy([{ column: 's.region_code' }, { column: 's.month', order: 'desc' }])
      .select('s.id', 's.region_code', 'r.name as region_name', 's.month', 's.sha256', 's.units', 's.people', 's.created_at', 's.version', 's.imported_by', 's.imported_at'),
    db('county_snapshot_versions').orderBy([{ column: 'region_code' }, { column: 'month', order: 'desc' }, { column: 'version', order: 'desc' }]).select('region_code', 'month', 'version', 'sha256', 'units', 'people', 'imported_by', 'imported_at'),
    db('snapshot_keys').orderBy('region_code').select('region_code', 'fingerprint', 'registered_by', 'registered_at'),
  ]);
  return { snapshots, versions, keys };
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) { const k = key(x); const l = out.get(k); if (l) l.push(x); else out.set(k, [x]); }
  return out;
}

/** The latest snapshot of each county (id, region, month), as a read for a batch. */
export function latestSnapshotsRead(db: Knex, done: (rows: Array<{ id: number; region: string; month: string }>) => void): Read {
  return {
    query: db('county_snapshots as s').whereNotExists(db('county_snapshots as t').whereRaw('t.region_code = s.region_code and t.month > s.month').select('t.id')).select('s.id', 's.region_code', 's.month'),
    apply: (rows) => done(rows.map((r) => ({ id: Number(r.id), region: String(r.region_code), month: String(r.month) }))),
  };
}

/**
 * X-RG-01's facts: for each unit in `units` whose region lies in a county with a snapshot, that
 * county's latest copy of it (agg.countyCopy). `snapshots`: latestSnapshotsRead's rows, when
 * already read. `whole`: every unit of the deployment is in `units` (the nightly check): a
 * snapshot's rows are read whole; else (a re-check) only the rows of those units and of their
 * people's ID hashes.
 */
export async function addCountyCopies(db: Knex, units: Map<number, UnitRecord>, opts: { whole: boolean; snapshots?: Array<{ id: number; region: string; month: string }> }): Promise<void> {
  const snapshots = opts.snapshots;
  let snaps = snapshots;
  if (!snaps) {
    const r = latestSnapshotsRead(db, (rows) => { snaps = rows; });
    r.apply(await r.query);
  }
  if (!snaps?.length || !units.size) return;
  const parents = await regionParents(db);
  const few = !opts.whole;
  for (const s of snaps) {
    const mine = [...units.values()].filter((u) => u.regionCode && regionContains(s.region, u.regionCode, parents));
    if (!mine.length) continue;
    const ids = mine.map((u) => u.id);
    const codes = [...new Set(mine.map((u) => u.code))];
    // A few units by id; a whole county by its region codes (tens of thousands of ids would pass SQLite's parameter limit).
    const regionCodes = [...new Set(mine.map((u) => u.regionCode!))];
    const cityPeople = (few
      ? await live(db('people').whereIn('unit_id', ids)).select('id', 'unit_id', 'name', 'id_masked', 'id_hash', 'status', 'quota_kind')
      : (await live(db('people as p').join('units as u', 'u.id', 'p.unit_id').whereIn('u.region_code', regionCodes), 'p.status')
        .select('p.id', 'p.unit_id', 'p.name', 'p.id_masked', 'p.id_hash', 'p.status', 'p.quota_kind')).filter((p: Row) => units.has(Number(p.unit_id)))) as Row[];
    const hashes = [...new Set(cityPeople.filter((p) => p.id_hash).map((p) => String(p.id_hash)))];
    const cUnits = (await db('county_snapshot_units').where({ snapshot_id: s.id }).modify((q) => { if (few) q.whereIn('code', codes); }).select('code', 'name', 'quotas', 'leader_posts')) as Row[];
    const cPeople = (await db('county_snapshot_people').where({ snapshot_id: s.id }).modify((q) => {
      if (few) q.where((w) => { w.whereIn('unit_code', codes); if (hashes.length) w.orWhereIn('id_hash', hashes); });
    }).select('id_hash', 'id_masked', 'name', 'unit_code', 'unit_name', 'status', 'quota_kind')) as Row[];
    // A credit code may be shared (U-IN-06): among several units of one code, the one of the same name.
    const pick = <T>(list: T[] | undefined, name: (x: T) => string, wanted: string): T | undefined => (!list || list.length <= 1 ? list?.[0] : list.find((x) => name(x) === wanted) ?? list[0]);
    const countyUnits = groupBy(cUnits, (r) => String(r.code));
    const byHash = groupBy(cPeople.filter((p) => p.id_hash), (p) => String(p.id_hash));
    const facts = new Map<number, CountyCopyFacts>();
    for (const u of mine) {
      const c = pick(countyUnits.get(u.code), (r) => r.name, u.name);
      facts.set(u.id, { region: s.region, month: s.month, unit: c ? { quotas: JSON.parse(c.quotas), leaderPosts: JSON.parse(c.leader_posts) } : null, people: [], onlyInCounty: [] });
    }
    for (const p of cityPeople) {
      const f = facts.get(Number(p.unit_id));
      if (!f || !p.id_hash) continue;
      const u = units.get(Number(p.unit_id))!;
      const rows = byHash.get(p.id_hash) ?? [];
      // The county's row that agrees most (an ID twice in one unit, P-ID-10, pairs each row with its twin).
      const score = (r: Row) => (r.unit_code === u.code ? 8 : 0) + (r.unit_name === u.name ? 4 : 0) + (r.status === p.status ? 2 : 0) + (r.quota_kind === p.quota_kind ? 1 : 0);
      let k: Row | undefined;
      for (const r of rows) if (!k || score(r) > score(k)) k = r;
      f.people.push({ personId: Number(p.id), name: p.name, idMasked: p.id_masked ?? null, status: p.status ?? null, quotaKind: p.quota_kind ?? null, county: k ? { unitCode: k.unit_code ?? null, unitName: k.unit_name ?? null, status: k.status ?? null, quotaKind: k.quota_kind ?? null } : null });
    }
    // People the county's copy puts in these units whose ID is on no live row of the city's copy of
    // the county: with the whole county loaded, the hashes above; for a few units, asked of the
    // database for just those candidates.
    const own = new Set(hashes);
    const codeSet = new Set(codes);
    const candidates = cPeople.filter((p) => p.id_hash && p.status !== '已出编' && codeSet.has(p.unit_code) && !own.has(p.id_hash));
    let known = own;
    if (few && candidates.length) {
      const inside = codesWithin(s.region, (await unitRegionCodes(db)).keys(), parents);
      const asked = [...new Set(candidates.map((p) => String(p.id_hash)))];
      known = new Set<string>();
      for (let i = 0; i < asked.length; i += INSERT_BATCH) {
        const rows = (await live(db('people as p').join('units as u', 'u.id', 'p.unit_id').whereIn('u.region_code', inside.length ? inside : ['']).whereIn('p.id_hash', asked.slice(i, i + INSERT_BATCH)), 'p.status').distinct('p.id_hash')) as Row[];
        for (const r of rows) known.add(String(r.id_hash));
      }
    }
    const cityUnits = groupBy(mine, (u) => u.code);
    for (const p of candidates) {
      if (known.has(p.id_hash)) continue;
      const u = pick(cityUnits.get(p.unit_code), (x) => x.name, p.unit_name);
      if (u) facts.get(u.id)!.onlyInCounty.push({ name: p.name, idMasked: p.id_masked ?? null, status: p.status ?? null, quotaKind: p.quota_kind ?? null });
    }
    for (const [id, f] of facts) units.get(id)!.agg.countyCopy = f;
  }
}

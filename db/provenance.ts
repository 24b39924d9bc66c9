// 首录负责制 (issue 18 deliverable 7; ningbo-data-regulation art. 22): who first entered a record
// and who last changed it, with when and from where, read from the versioned writes
// (record_versions: version 1 is the entry, the highest version the last change). One query per
// list of records, never one per row; the office's search by user goes through the index of
// migration 032 (changed_by, changed_at).

import type { Knex } from 'knex';
import type { Provenance, ProvenanceEntity, UnitEntrant, VersionMark } from '../core/provenance.ts';

export type { Provenance, ProvenanceEntity, UnitEntrant, VersionMark };

type Row = Record<string, any>;

/** Who made a version: the account, the name (系统导入 for the system) and the role when known. */
const authorOf = (r: Row): Pick<VersionMark, 'by' | 'name' | 'role'> => ({
  by: String(r.changed_by),
  name: r.changed_by === 'system' ? '系统导入' : r.user_name ?? String(r.changed_by),
  role: r.changed_by === 'system' ? null : r.user_role ?? null,
});

const markOf = (r: Row): VersionMark => ({
  ...authorOf(r),
  at: String(r.changed_at),
  source: String(r.source),
  version: Number(r.version),
});

/**
 * The first and the last version of each record, in one query: the records' min and max version
 * (by the (entity, entity_id, version) index), then those two rows with their author's name.
 */
export function provenanceQuery(db: Knex, entity: ProvenanceEntity, ids: number[]): Knex.QueryBuilder {
  const ends = db('record_versions').where({ entity }).whereIn('entity_id', ids.length ? ids : [0])
    .groupBy('entity_id').select('entity_id').min({ mn: 'version' }).max({ mx: 'version' }).as('e');
  return db('record_versions as rv')
    .join(ends, function () {
      this.on('e.entity_id', '=', 'rv.entity_id').andOn(function () {
        this.on('rv.version', '=', 'e.mn').orOn('rv.version', '=', 'e.mx');
      });
    })
    .leftJoin('users as us', 'us.id', 'rv.changed_by')
    // The ids again on the outer rows: both engines then read them by the (entity, entity_id, version) index.
    .where('rv.entity', entity).whereIn('rv.entity_id', ids.length ? ids : [0])
    .select('rv.entity_id', 'rv.version', 'rv.changed_by', 'rv.changed_at', 'rv.source', 'us.name as user_name', 'us.role as user_role', 'e.mn', 'e.mx');
}

/** The rows of provenanceQuery by record id. */
export function provenanceFromRows(rows: Row[]): Map<number, Provenance> {
  const out = new Map<number, Provenance>();
  for (const r of rows) {
    const id = Number(r.entity_id);
    const p = out.get(id) ?? { first: null, last: null };
    if (Number(r.version) === Number(r.mn)) p.first = markOf(r);
    if (Number(r.version) === Number(r.mx)) p.last = markOf(r);
    out.set(id, p);
  }
  return out;
}

export async function provenanceOf(db: Knex, entity: ProvenanceEntity, ids: number[]): Promise<Map<number, Provenance>> {
  const out = new Map<number, Provenance>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const [k, v] of provenanceFromRows(await provenanceQuery(db, entity, ids.slice(i, i + 1000)))) out.set(k, v);
  }
  return out;
}

/** Who entered how many of a unit's people records (their first versions), most first. */
export function unitEntrantsQuery(db: Knex, unitId: number): Knex.QueryBuilder {
  return db('record_versions as rv')
    .join('people as p', function () {
      this.on('p.id', '=', 'rv.entity_id').andOnVal('rv.entity', '=', 'person');
    })
    .leftJoin('users as us', 'us.id', 'rv.changed_by')
    .where('p.unit_id', unitId).andWhere('rv.version', 1)
    .groupBy('rv.changed_by', 'rv.source', 'us.name', 'us.role')
    .select('rv.changed_by', 'rv.source', 'us.name as user_name', 'us.role as user_role')
    .count({ n: '*' }).min({ since: 'rv.changed_at' }).max({ until: 'rv.changed_at' })
    .orderBy([{ column: 'n', order: 'desc' }, { column: 'rv.changed_by' }, { column: 'rv.source' }]);
}

export function unitEntrantsFromRows(rows: Row[]): UnitEntrant[] {
  return rows.map((r) => ({
    ...authorOf(r),
    source: String(r.source),
    count: Number(r.n),
    since: String(r.since),
    until: String(r.until),
  }));
}

/** Users whose account is `q` or whose name contains it (at most 20), for the office's search. */
export async function usersMatching(db: Knex, q: string, unitIds: number[] | null = null): Promise<Array<{ id: string; name: string; role: string }>> {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows: Row[] = await db('users').where((w) => { w.where('id', q).orWhere('name', 'like', like); })
    // A county's office: the users of its units and the office users, not another county's unit users.
    .modify((w) => { if (unitIds) w.where((u) => { u.whereNull('unit_id').orWhereIn('unit_id', unitIds); }); })
    .orderBy('id').limit(20).select('id', 'name', 'role');
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), role: String(r.role) }));
}

export interface ProvenanceSearch {
  /** Accounts whose versions are searched (users, or 'system'). */
  by: string[];
  /** 'first': records they entered (version 1); 'last': records whose latest change is theirs. */
  kind: 'first' | 'last';
  /** Moments 'YYYY-MM-DD HH:MM:SS', inclusive. */
  from: string;
  to: string;
  entity?: ProvenanceEntity;
  /** The units whose records are searched (a county's office: its county's); null = every unit. */
  unitIds?: number[] | null;
  limit: number;
}

/**
 * The versions the search finds: by the (changed_by, changed_at) index, a version-1 filter or
 * a correlated check that no later version exists (by the (entity, entity_id, version) index).
 * Returns at most `limit` rows, newest first, and the total.
 */
export async function searchProvenance(db: Knex, s: ProvenanceSearch): Promise<{ rows: Row[]; total: number }> {
  const base = () => {
    const q = db('record_versions as rv').whereIn('rv.changed_by', s.by.length ? s.by : ['\u0000'])
      .whereBetween('rv.changed_at', [s.from, s.to]);
    if (s.entity) q.where('rv.entity', s.entity);
    else q.whereIn('rv.entity', ['person', 'worker', 'unit']);
    if (s.unitIds) {
      const ids = s.unitIds.length ? s.unitIds : [0];
      q.where((w) => {
        w.where((p) => { p.where('rv.entity', 'person').whereIn('rv.entity_id', db('people').whereIn('unit_id', ids).select('id')); })
          .orWhere((p) => { p.where('rv.entity', 'worker').whereIn('rv.entity_id', db('workers').whereIn('unit_id', ids).select('id')); })
          .orWhere((p) => { p.where('rv.entity', 'unit').whereIn('rv.entity_id', ids); });
      });
    }
    if (s.kind === 'first') q.where('rv.version', 1);
    else q.whereNotExists(db('record_versions as later').whereRaw('later.entity = rv.entity and later.entity_id = rv.entity_id and later.version > rv.version').select(db.raw('1')));
    return q;
  };
  const [rows, [{ n }]] = await Promise.all([
    base().leftJoin('users as us', 'us.id', 'rv.changed_by')
      .select('rv.entity', 'rv.entity_id', 'rv.version', 'rv.changed_by', 'rv.changed_at', 'rv.source', 'us.name as user_name', 'us.role as user_role')
      .orderBy([{ column: 'rv.changed_at', order: 'desc' }, { column: 'rv.id', order: 'desc' }]).limit(s.limit),
    base().count({ n: '*' }),
  ]);
  return { rows: rows as Row[], total: Number(n) };
}

/** What the search's records are: name, masked ID, unit, by entity and id (one query per entity). */
export async function recordLabels(db: Knex, refs: Array<{ entity: string; id: number }>): Promise<Map<string, { name: string; idMasked: string | null; unitId: number; unitName: string }>> {
  const out = new Map<string, { name: string; idMasked: string | null; unitId: number; unitName: string }>();
  const ids = (e: string) => [...new Set(refs.filter((r) => r.entity === e).map((r) => r.id))];
  const pe = ids('person');
  const wo = ids('worker');
  const un = ids('unit');
  const [people, workers, units] = await Promise.all([
    pe.length ? db('people as p').join('units as u', 'u.id', 'p.unit_id').whereIn('p.id', pe).select('p.id', 'p.name', 'p.id_masked', 'p.unit_id', 'u.name as unit_name') : [],
    wo.length ? db('workers as w').join('units as u', 'u.id', 'w.unit_id').whereIn('w.id', wo).select('w.id', 'w.name', 'w.id_masked', 'w.unit_id', 'u.name as unit_name') : [],
    un.length ? db('units').whereIn('id', un).select('id', 'name') : [],
  ]) as Row[][];
  for (const r of people) out.set(`person:${r.id}`, { name: r.name, idMasked: r.id_masked ?? null, unitId: Number(r.unit_id), unitName: r.unit_name });
  for (const r of workers) out.set(`worker:${r.id}`, { name: r.name, idMasked: r.id_masked ?? null, unitId: Number(r.unit_id), unitName: r.unit_name });
  for (const r of units) out.set(`unit:${r.id}`, { name: r.name, idMasked: null, unitId: Number(r.id), unitName: r.name });
  return out;
}

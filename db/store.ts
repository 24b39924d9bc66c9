// Writing institution and person data: every change keeps its previous version, who, when, from
// where and why (record_versions), inside the caller's transaction.

import type { Knex } from 'knex';
import { idFacts, normaliseIdNumber } from '../core/idnumber.ts';
import type { DataSet, LeaderPostInput, PersonInput, QuotaInput, UnitInput, UserInput, WorkerInput } from '../core/inputs.ts';
import type { IsoDate } from '../core/model.ts';
import { normaliseUscc } from '../core/uscc.ts';
import { OFFICE_ROLES } from '../core/roles.ts';
import type { PiiCipher } from './pii.ts';
import { nowMoment } from './clock.ts';
import { readAll, writeAll } from './batch.ts';
import { isSqlite } from './connection.ts';

export interface ChangeMeta {
  /** userid, or 'system' */
  by: string;
  /** e.g. 导入：2026年人员.xlsx, 小程序修改, 演示数据 */
  source: string;
  reason?: string | null;
  /** The business day the change belongs to. */
  today: IsoDate;
}

export type Entity = 'unit' | 'quota' | 'leader_post' | 'person' | 'worker' | 'user';

export interface SaveCounts {
  created: number;
  updated: number;
  unchanged: number;
}

type Row = Record<string, unknown>;

const emptyCounts = (): SaveCounts => ({ created: 0, updated: 0, unchanged: 0 });

/** Columns compared for changes (bookkeeping columns are not a change). */
const IGNORED = new Set(['id', 'created_at', 'updated_at', 'id_enc', 'ledger_updated_on', 'birth_key']);

/** Values as comparable text: MySQL and SQLite give booleans back as 0/1. */
const comparable = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

function diff(before: Row, after: Row): { before: Row; after: Row } | null {
  const b: Row = {};
  const a: Row = {};
  for (const [k, v] of Object.entries(after)) {
    if (IGNORED.has(k)) continue;
    if (comparable(before[k]) !== comparable(v)) {
      b[k] = before[k] ?? null;
      a[k] = v ?? null;
    }
  }
  return Object.keys(a).length ? { before: b, after: a } : null;
}

async function lastVersionOf(trx: Knex, entity: Entity, entityId: number): Promise<number> {
  return Number((await trx('record_versions').where({ entity, entity_id: entityId }).max({ v: 'version' }).first())?.v ?? 0);
}

/** Writes the next version of a row. */
export async function writeVersion(trx: Knex, entity: Entity, entityId: number, before: Row | null, after: Row | null, meta: ChangeMeta): Promise<void> {
  await trx('record_versions').insert(versionRow(entity, entityId, (await lastVersionOf(trx, entity, entityId)) + 1, before, after, meta));
}

/**
 * A changed row written over its stored one, with its next version, in one round trip. The
 * latest version is read unless given (`lastVersion`, read under a lock). Returns the new version.
 */
async function writeChange(trx: Knex, table: string, entity: Entity, id: number, row: Row, d: { before: Row; after: Row }, meta: ChangeMeta, lastVersion?: number): Promise<number> {
  const patch: Row = { ...row };
  if (table !== 'quotas' && table !== 'leader_posts') patch.updated_at = nowMoment();
  const version = (lastVersion ?? (await lastVersionOf(trx, entity, id))) + 1;
  await writeAll(trx, [trx(table).where({ id }).update(patch), trx('record_versions').insert(versionRow(entity, id, version, d.before, d.after, meta))]);
  return version;
}

function versionRow(entity: Entity, entityId: number, version: number, before: Row | null, after: Row | null, meta: ChangeMeta): Row {
  return {
    entity,
    entity_id: entityId,
    version,
    before: before ? JSON.stringify(before) : null,
    after: after ? JSON.stringify(after) : null,
    changed_by: meta.by,
    changed_at: nowMoment(),
    source: meta.source,
    reason: meta.reason ?? null,
  };
}

/** Inserts or updates one row found by `key`, writing a version when anything changed. */
async function save(trx: Knex, table: string, entity: Entity, key: Row, row: Row, meta: ChangeMeta, counts: SaveCounts): Promise<{ id: number; changed: boolean }> {
  const existing = (await trx(table).where(key).first()) as Row | undefined;
  const at = nowMoment();
  if (!existing) {
    const inserted = await trx(table).insert({ ...row, ...(table === 'quotas' || table === 'leader_posts' ? {} : { created_at: at, updated_at: at }) });
    const id = Number(Array.isArray(inserted) ? inserted[0] : inserted);
    const { id_enc: _omit, ...shown } = row;
    await writeVersion(trx, entity, id, null, shown, meta);
    counts.created++;
    return { id, changed: true };
  }
  const d = diff(existing, row);
  const id = Number(existing.id);
  if (!d) {
    counts.unchanged++;
    return { id, changed: false };
  }
  await writeChange(trx, table, entity, id, row, d, meta);
  counts.updated++;
  return { id, changed: true };
}

/** The latest version of a person's record (`v`; none yet: null). */
export const personVersionQuery = (db: Knex, personId: number): Knex.QueryBuilder => versionQuery(db, 'person', personId);

/**
 * One person saved over their stored row (the mini-app's save): the row an import would write
 * and its version, without looking the row up again. `stored` is the whole row, read under a
 * lock, and `lastVersion` its latest version. An ID number corrected here moves the row to the
 * new number (hash, ciphertext, facts); the caller checks it is not taken in the unit.
 */
export async function updatePerson(trx: Knex, pii: PiiCipher, stored: Row, next: PersonInput, meta: ChangeMeta, lastVersion: number): Promise<{ changed: boolean; version: number }> {
  const id = Number(stored.id);
  const row = personRow(next, Number(stored.unit_id), pii, meta.today);
  const d = diff(stored, row);
  if (!d) return { changed: false, version: lastVersion };
  return { changed: true, version: await writeChange(trx, 'people', 'person', id, row, d, meta, lastVersion) };
}

/** The latest version of any record (`v`; none yet: null). */
export function versionQuery(db: Knex, entity: Entity, entityId: number): Knex.QueryBuilder {
  return db('record_versions').where({ entity, entity_id: entityId }).max({ v: 'version' });
}

/**
 * What a save of one record starts with: its row under a lock until the transaction ends (MySQL;
 * SQLite has one writer anyway) and its latest version, in one round trip. The caller compares
 * the version the form was read at.
 */
export async function lockWithVersion(trx: Knex, table: 'people' | 'workers' | 'units', entity: Entity, id: number): Promise<{ row: Row | undefined; version: number }> {
  const q = trx(table).where({ id }).select('*');
  const [[row], [last]] = await readAll(trx, [isSqlite(trx) ? q : q.forUpdate(), versionQuery(trx, entity, id)]);
  return { row, version: Number(last?.v ?? 0) };
}

/**
 * A row saved over its stored one (read under a lock, with `lastVersion` its latest version):
 * the changed columns written with the next version, or nothing when nothing changed.
 */
export async function updateRow(trx: Knex, table: string, entity: Entity, stored: Row, row: Row, meta: ChangeMeta, lastVersion: number): Promise<{ changed: boolean; version: number }> {
  const d = diff(stored, row);
  if (!d) return { changed: false, version: lastVersion };
  return { changed: true, version: await writeChange(trx, table, entity, Number(stored.id), row, d, meta, lastVersion) };
}

const n = <T>(v: T | undefined | null): T | null => (v === undefined || v === '' ? null : (v as T));

export function unitRow(u: UnitInput): Row {
  return {
    code: normaliseUscc(u.code),
    name: u.name,
    parent_code: u.parentCode ? normaliseUscc(u.parentCode) : null,
    region_code: n(u.regionCode),
    region_name: n(u.regionName),
    nature: n(u.nature),
    category: n(u.category),
    is_can_gong: u.isCanGong ?? null,
    level: n(u.level),
    funding: n(u.funding),
    approval_no: n(u.approvalNo),
    approval_date: n(u.approvalDate),
    internal_offices: u.internalOffices?.length ? u.internalOffices.join('、') : null,
    internal_offices_approved: u.internalOfficesApproved ?? null,
    duties: n(u.duties),
    annual_report: u.annualReport ?? null,
    worker_cap: u.workerCap ?? null,
    group_id: n(u.groupId),
    extra: u.extra && Object.keys(u.extra).length ? JSON.stringify(u.extra) : null,
  };
}

/** The stored ID columns for an entered number: facts, mask, hash and ciphertext. */
export function idRow(raw: string, pii: PiiCipher, today: IsoDate): Row {
  const { value } = normaliseIdNumber(raw);
  const f = idFacts(raw, today);
  return {
    id_enc: value ? pii.encrypt(value) : null,
    id_hash: value ? pii.hash(value) : null,
    id_masked: f.masked,
    id_kind: f.kind,
    id_check_ok: f.checkOk,
    id_expected_check: f.expectedCheck,
    id_birth: f.birth,
    id_birth_invalid: f.birthInvalid,
    id_gender: f.gender,
    id_province_ok: f.provinceOk,
    id_irregular: f.irregular,
  };
}

export function personRow(p: PersonInput, unitId: number, pii: PiiCipher, today: IsoDate): Row {
  const id = idRow(p.idNumber, pii, today);
  return {
    unit_id: unitId,
    ...id,
    birth_key: n(p.birthDate) ?? id.id_birth ?? null,
    name: p.name,
    gender: n(p.gender),
    ethnicity: n(p.ethnicity),
    birth_date: n(p.birthDate),
    office: n(p.office),
    status: n(p.status),
    quota_kind: n(p.quotaKind),
    posts: n(p.posts),
    leader_level: n(p.leaderLevel),
    rank: n(p.rank),
    post_category: n(p.postCategory),
    title: n(p.title),
    duty_status: n(p.dutyStatus),
    duty_status_since: n(p.dutyStatusSince),
    entered_on: n(p.enteredOn),
    work_start_on: n(p.workStartOn),
    current_post_since: n(p.currentPostSince),
    education: n(p.education),
    identity: n(p.identity),
    late_retire_until: n(p.lateRetireUntil),
    politics: n(p.politics),
    extra: p.extra && Object.keys(p.extra).length ? JSON.stringify(p.extra) : null,
  };
}

export function workerRow(w: WorkerInput, unitId: number, pii: PiiCipher, today: IsoDate): Row {
  return {
    unit_id: unitId,
    ...idRow(w.idNumber, pii, today),
    name: w.name,
    gender: n(w.gender),
    post_class: n(w.postClass),
    post_name: n(w.postName),
    employment: n(w.employment),
    first_contract_on: n(w.firstContractOn),
    extra: w.extra && Object.keys(w.extra).length ? JSON.stringify(w.extra) : null,
  };
}

export interface DataSetCounts {
  units: SaveCounts;
  quotas: SaveCounts;
  leaderPosts: SaveCounts;
  people: SaveCounts;
  workers: SaveCounts;
  users: SaveCounts;
}

/** Looks up stored unit ids by credit code. */
export async function unitIdsByCode(trx: Knex, codes: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await trx('units').whereIn('code', unique.slice(i, i + 500)).select('id', 'code');
    for (const r of rows) out.set(r.code, Number(r.id));
  }
  return out;
}

/**
 * Stores a whole data set in the caller's transaction: units (then their parents), quotas,
 * leader posts, people, workers, users. Unit references must already be valid (the import
 * validates them first); an unknown unit throws and the transaction rolls back.
 */
export async function saveDataSet(trx: Knex, pii: PiiCipher, data: Partial<DataSet>, meta: ChangeMeta): Promise<DataSetCounts> {
  const counts: DataSetCounts = { units: emptyCounts(), quotas: emptyCounts(), leaderPosts: emptyCounts(), people: emptyCounts(), workers: emptyCounts(), users: emptyCounts() };
  const ledgerChanged = new Set<number>();

  for (const u of data.units ?? []) {
    const row = unitRow(u);
    const r = await save(trx, 'units', 'unit', { code: row.code }, row, meta, counts.units);
    if (r.changed) ledgerChanged.add(r.id);
    if (u.internalOffices) {
      await trx('internal_offices').where({ unit_id: r.id }).whereNotIn('name', u.internalOffices).delete();
      for (const name of u.internalOffices) {
        const has = await trx('internal_offices').where({ unit_id: r.id, name }).first();
        if (!has) await trx('internal_offices').insert({ unit_id: r.id, name });
      }
    }
  }
  // Parents are resolved after every unit of the set exists, so a child may come before its parent.
  for (const u of data.units ?? []) {
    const code = normaliseUscc(u.code);
    const parentCode = u.parentCode ? normaliseUscc(u.parentCode) : null;
    const parent = parentCode ? await trx('units').where({ code: parentCode }).first('id') : null;
    if (parentCode && !parent) throw new Error(`上级机构代码 ${parentCode} 不存在`);
    await trx('units').where({ code }).update({ parent_id: parent ? parent.id : null });
  }

  const codes = [
    ...(data.quotas ?? []).map((q) => q.unitCode), ...(data.leaderPosts ?? []).map((q) => q.unitCode),
    ...(data.people ?? []).map((p) => p.unitCode), ...(data.workers ?? []).map((w) => w.unitCode),
    ...(data.users ?? []).flatMap((u) => (u.unitCode ? [u.unitCode] : [])),
  ].map(normaliseUscc);
  const ids = await unitIdsByCode(trx, codes);
  const unitId = (code: string): number => {
    const id = ids.get(normaliseUscc(code));
    if (id === undefined) throw new Error(`统一社会信用代码 ${code} 对应的机构不存在`);
    return id;
  };

  const ledger = async (table: 'quotas' | 'leader_posts', entity: Entity, rows: Array<QuotaInput | LeaderPostInput>, c: SaveCounts) => {
    for (const q of rows) {
      const uid = unitId(q.unitCode);
      const r = await save(trx, table, entity, { unit_id: uid, kind: q.kind }, { unit_id: uid, kind: q.kind, approved: q.approved, approval_no: n(q.approvalNo) }, meta, c);
      if (r.changed) ledgerChanged.add(uid);
    }
  };
  await ledger('quotas', 'quota', data.quotas ?? [], counts.quotas);
  await ledger('leader_posts', 'leader_post', data.leaderPosts ?? [], counts.leaderPosts);
  if (ledgerChanged.size) {
    const changed = [...ledgerChanged];
    for (let i = 0; i < changed.length; i += 500) await trx('units').whereIn('id', changed.slice(i, i + 500)).update({ ledger_updated_on: meta.today });
  }

  for (const p of data.people ?? []) {
    const uid = p.unitId ?? unitId(p.unitCode);
    const row = personRow(p, uid, pii, meta.today);
    await save(trx, 'people', 'person', { unit_id: uid, id_hash: row.id_hash }, row, meta, counts.people);
  }
  for (const w of data.workers ?? []) {
    const uid = unitId(w.unitCode);
    const row = workerRow(w, uid, pii, meta.today);
    await save(trx, 'workers', 'worker', { unit_id: uid, id_hash: row.id_hash }, row, meta, counts.workers);
  }
  for (const u of data.users ?? []) {
    const row: Row = { id: u.id, name: u.name, role: u.role, unit_code: u.unitCode ? normaliseUscc(u.unitCode) : null, unit_id: u.unitCode ? unitId(u.unitCode) : null, mobile: n(u.mobile), region_code: OFFICE_ROLES.has(u.role) ? n(u.regionCode) : null };
    await saveUser(trx, row, meta, counts.users);
  }
  return counts;
}

async function saveUser(trx: Knex, row: Row, meta: ChangeMeta, counts: SaveCounts): Promise<void> {
  const existing = (await trx('users').where({ id: row.id }).first()) as Row | undefined;
  const at = nowMoment();
  if (!existing) {
    await trx('users').insert({ ...row, created_at: at, updated_at: at });
    await writeVersion(trx, 'user', 0, null, row, meta);
    counts.created++;
    return;
  }
  const d = diff(existing, row);
  if (!d) {
    counts.unchanged++;
    return;
  }
  await trx('users').where({ id: row.id }).update({ ...row, updated_at: at });
  await writeVersion(trx, 'user', 0, { id: row.id, ...d.before }, { id: row.id, ...d.after }, meta);
  counts.updated++;
}

// `_extra` (the unit the act concerns, the request's address): the shape the audit trail's writer takes (issue 17); written by it.
export async function audit(db: Knex, actor: string, action: string, entity: string | null, entityId: number | null, detail?: unknown, _extra?: { unitId?: number | null; ip?: string | null }): Promise<void> {
  await db('audit_log').insert({ at: nowMoment(), actor, action, entity, entity_id: entityId, detail: detail === undefined ? null : JSON.stringify(detail) });
}

// Writes the demo county (db/demo/generate.ts) into the database in one transaction: units,
// quotas, leader posts and users, then people and workers streamed in batches, all through
// saveDataSet (source 演示数据, by system), so every row has its version like imported data.
// The few rows saveDataSet cannot store by design (a unit sharing another unit's credit code,
// and a second row with the same ID number in one unit) are inserted directly, with a version.
// Then the auxiliary process tables and the office's settings row.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { FEED_SHEETS } from '../../core/feed-sheets.ts';
import type { FeedKind } from '../../core/feeds.ts';
import { maskId, normaliseIdNumber } from '../../core/idnumber.ts';
import type { PersonInput, WorkerInput } from '../../core/inputs.ts';
import { normaliseUscc } from '../../core/uscc.ts';
import { nowMoment } from '../clock.ts';
import type { PiiCipher } from '../pii.ts';
import { importFeed } from '../feeds.ts';
import { putSetting, setRuleSetting } from '../settings.ts';
import { personRow, saveDataSet, unitIdsByCode, unitRow, workerRow, writeVersion, type ChangeMeta, type Entity } from '../store.ts';
import { createFeedPlanner, type DemoFeedFile, type DemoFeeds } from './feeds.ts';
import { generateCounty, generatePeople, type CountyOptions, type GeneratedCounty, type GeneratedRecord } from './generate.ts';

export interface SeedProgress {
  phase: 'units' | 'people' | 'auxiliary' | 'done';
  done: number;
  total: number;
}

export interface SeedResult {
  units: number;
  quotas: number;
  leaderPosts: number;
  users: number;
  people: number;
  workers: number;
  /** Rows written without saveDataSet (U-IN-06 unit and its rows, P-ID-10 second rows). */
  directRows: number;
  approvalDocuments: number;
  staffingRequests: number;
  selfChecks: number;
  monthlyReports: number;
  regionQuotaTotals: number;
  feedContracts: number;
  /** The other departments' feeds, imported through db/feeds.ts: feed_imports rows, and rows by kind. */
  feedImports: number;
  feedRows: Record<FeedKind, number>;
  ms: number;
}

type Row = Record<string, unknown>;

const PEOPLE_BATCH = 1000;
const INSERT_BATCH = 200;

const insertedId = (r: unknown): number => Number(Array.isArray(r) ? r[0] : r);

async function insertAll(trx: Knex, table: string, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx(table).insert(rows.slice(i, i + INSERT_BATCH));
}

/** True when no institution is stored yet (the demo is seeded only into an empty database). */
export async function isEmpty(db: Knex): Promise<boolean> {
  const r = await db('units').count({ n: '*' }).first();
  return Number(r?.n ?? 0) === 0;
}

/**
 * Generates the county for `opts` and writes it in one transaction. The caller makes sure the
 * database is empty (isEmpty): seeding twice would add a second copy of the auxiliary rows.
 */
export async function seedDemo(db: Knex, pii: PiiCipher, opts: CountyOptions, onProgress?: (p: SeedProgress) => void): Promise<SeedResult> {
  const t0 = performance.now();
  const county = generateCounty(opts);
  const meta: ChangeMeta = { by: 'system', source: '演示数据', today: opts.today };
  const result = await db.transaction((trx) => writeCounty(trx, pii, county, meta, onProgress));
  result.ms = Math.round(performance.now() - t0);
  onProgress?.({ phase: 'done', done: result.people, total: opts.people });
  return result;
}

async function writeCounty(trx: Knex, pii: PiiCipher, county: GeneratedCounty, meta: ChangeMeta, onProgress?: (p: SeedProgress) => void): Promise<SeedResult> {
  const at = nowMoment();
  const res: SeedResult = {
    units: 0, quotas: 0, leaderPosts: 0, users: 0, people: 0, workers: 0, directRows: 0, approvalDocuments: 0,
    staffingRequests: 0, selfChecks: 0, monthlyReports: 0, regionQuotaTotals: 0, feedContracts: 0,
    feedImports: 0, feedRows: { 社保: 0, 工资统发: 0, 组织部任免: 0 }, ms: 0,
  };
  const planner = createFeedPlanner(county);
  await putSetting(trx, 'office', county.office);
  // The demo office reads P-TM-01 strictly: 民族 and 所在处室 are required after 入编 (off by default).
  await setRuleSetting(trx, 'P-TM-01', { enabled: true, params: { alsoRequired: ['民族', '所在处室'] } });

  // ---- units: the first unit with a code goes through saveDataSet, a second one is direct
  const seen = new Set<string>();
  const direct = new Set<number>();
  county.units.forEach((u, i) => {
    const c = normaliseUscc(u.code);
    if (seen.has(c) || county.plan[i].directInsert) direct.add(i);
    else seen.add(c);
  });
  const keep = <T>(rows: T[], unitOf: Array<number | null>, wantDirect: boolean) => rows.filter((_, i) => unitOf[i] != null && direct.has(unitOf[i]!) === wantDirect);
  const officeUsers = county.users.filter((_, i) => county.unitOf.users[i] == null);
  onProgress?.({ phase: 'units', done: 0, total: county.units.length });
  const saved = await saveDataSet(trx, pii, {
    units: county.units.filter((_, i) => !direct.has(i)),
    quotas: keep(county.quotas, county.unitOf.quotas, false),
    leaderPosts: keep(county.leaderPosts, county.unitOf.leaderPosts, false),
    users: [...officeUsers, ...keep(county.users, county.unitOf.users, false)],
  }, meta);
  res.units = saved.units.created;
  res.quotas = saved.quotas.created;
  res.leaderPosts = saved.leaderPosts.created;
  res.users = saved.users.created;

  // Codes resolve to the units saved so far: a unit sharing a code is inserted only after the
  // stream, so saveDataSet never confuses the two.
  const byCode = await unitIdsByCode(trx, county.units.map((u) => normaliseUscc(u.code)));
  const unitIds: number[] = county.units.map((u, i) => (direct.has(i) ? 0 : byCode.get(normaliseUscc(u.code)) ?? 0));
  const version = async (entity: Entity, id: number, row: Row) => {
    const { id_enc: _omit, ...shown } = row;
    await writeVersion(trx, entity, id, null, shown, meta);
    res.directRows++;
  };
  onProgress?.({ phase: 'units', done: county.units.length, total: county.units.length });

  // ---- people and workers
  let people: PersonInput[] = [];
  let workers: WorkerInput[] = [];
  const flush = async () => {
    if (!people.length && !workers.length) return;
    const c = await saveDataSet(trx, pii, { people, workers }, meta);
    res.people += c.people.created + c.people.updated;
    res.workers += c.workers.created + c.workers.updated;
    people = [];
    workers = [];
    onProgress?.({ phase: 'people', done: res.people, total: county.options.people });
  };
  const insertRecord = async (r: GeneratedRecord) => {
    const unitId = unitIds[r.unit];
    const row = r.type === 'person' ? personRow(r.person, unitId, pii, meta.today) : workerRow(r.worker, unitId, pii, meta.today);
    const table = r.type === 'person' ? 'people' : 'workers';
    const id = insertedId(await trx(table).insert({ ...row, created_at: at, updated_at: at }));
    await version(r.type, id, row);
    if (r.type === 'person') res.people++;
    else res.workers++;
  };
  const later: GeneratedRecord[] = [];
  for (const r of generatePeople(county)) {
    planner.add(r);
    if (direct.has(r.unit) || r.directInsert) {
      // after the stream: the unit sharing a code must not exist yet while saveDataSet resolves
      // codes, and a second row with an ID must come after the first (saveDataSet would update it)
      later.push(r); // a few dozen rows at most
      continue;
    }
    if (r.type === 'person') people.push(r.person);
    else workers.push(r.worker);
    if (people.length + workers.length >= PEOPLE_BATCH) await flush();
  }
  await flush();

  // ---- the units that share another unit's code, with their rows
  for (const i of direct) {
    const u = county.units[i];
    const row = unitRow(u);
    const parent = u.parentCode ? byCode.get(normaliseUscc(u.parentCode)) ?? null : null;
    const id = insertedId(await trx('units').insert({ ...row, parent_id: parent, ledger_updated_on: meta.today, created_at: at, updated_at: at }));
    unitIds[i] = id;
    await version('unit', id, row);
    res.units++;
    for (const name of new Set(u.internalOffices ?? [])) await trx('internal_offices').insert({ unit_id: id, name });
  }
  for (const [table, entity, rows, unitOf] of [
    ['quotas', 'quota', county.quotas, county.unitOf.quotas],
    ['leader_posts', 'leader_post', county.leaderPosts, county.unitOf.leaderPosts],
  ] as const) {
    for (let i = 0; i < rows.length; i++) {
      if (!direct.has(unitOf[i])) continue;
      const q = rows[i];
      const row = { unit_id: unitIds[unitOf[i]], kind: q.kind, approved: q.approved, approval_no: q.approvalNo ?? null };
      await version(entity, insertedId(await trx(table).insert(row)), row);
      if (table === 'quotas') res.quotas++;
      else res.leaderPosts++;
    }
  }
  for (let i = 0; i < county.users.length; i++) {
    const ui = county.unitOf.users[i];
    if (ui == null || !direct.has(ui)) continue;
    const u = county.users[i];
    const row = { id: u.id, name: u.name, role: u.role, unit_code: normaliseUscc(u.unitCode ?? ''), unit_id: unitIds[ui], mobile: u.mobile ?? null };
    await trx('users').insert({ ...row, created_at: at, updated_at: at });
    await version('user', 0, row);
    res.users++;
  }

  for (const r of later) await insertRecord(r);

  // ---- the ledger dates the county carries (saveDataSet stamped them with today)
  const byDate = new Map<string, number[]>();
  county.plan.forEach((p, i) => {
    const list = byDate.get(p.ledgerUpdatedOn) ?? [];
    list.push(unitIds[i]);
    byDate.set(p.ledgerUpdatedOn, list);
  });
  for (const [date, ids] of byDate) {
    for (let i = 0; i < ids.length; i += 500) await trx('units').whereIn('id', ids.slice(i, i + 500)).update({ ledger_updated_on: date });
  }

  // ---- auxiliary tables
  onProgress?.({ phase: 'auxiliary', done: 0, total: 6 });
  const a = county.auxiliary;
  const hashOf = (raw: string) => pii.hash(normaliseIdNumber(raw).value);
  await insertAll(trx, 'approval_documents', a.approvalDocuments.map((d) => ({ unit_id: unitIds[d.unit], doc_no: d.docNo, issued_on: d.issuedOn, subject: d.subject })));
  await insertAll(trx, 'staffing_requests', a.staffingRequests.map((r) => ({
    unit_id: unitIds[r.unit], kind: r.kind, quota_kind: r.quotaKind, count: r.count,
    person_id_hash: r.personIdNumber ? hashOf(r.personIdNumber) : null, expected: r.expected, status: r.status,
    approved_on: r.approvedOn, completed_on: r.completedOn, valid_until: r.validUntil, detail: r.detail, created_at: r.createdAt,
  })));
  await insertAll(trx, 'self_checks', a.selfChecks.map((s) => ({ unit_id: unitIds[s.unit], user_id: s.userId, at: s.at, findings: s.findings })));
  await insertAll(trx, 'monthly_reports', a.monthlyReports.map((m) => ({ unit_id: unitIds[m.unit], month: m.month, due_on: m.dueOn, confirmed_on: m.confirmedOn })));
  await insertAll(trx, 'region_quota_totals', a.regionQuotaTotals.map((t) => ({ region_code: t.regionCode, kind: t.kind, approved: t.approved })));
  await insertAll(trx, 'feed_contracts', a.feedContracts.map((f) => {
    const id = normaliseIdNumber(f.idNumber).value;
    return { unit_id: unitIds[f.unit], id_hash: pii.hash(id), id_masked: maskId(id), name: f.name, signed_on: f.signedOn, source: f.source };
  }));
  res.approvalDocuments = a.approvalDocuments.length;
  res.staffingRequests = a.staffingRequests.length;
  res.selfChecks = a.selfChecks.length;
  res.monthlyReports = a.monthlyReports.length;
  res.regionQuotaTotals = a.regionQuotaTotals.length;
  res.feedContracts = a.feedContracts.length;

  // ---- the other departments' feeds (issue 16), and the person 在编 registered as 编外 too (X-ED-01)
  const feeds = county.options.feeds === false ? null : planner.done();
  if (!feeds) {
    onProgress?.({ phase: 'auxiliary', done: 6, total: 6 });
    return res;
  }
  if (feeds.workers.length) {
    const c = await saveDataSet(trx, pii, { workers: feeds.workers.map((w) => ({ ...w.worker, unitCode: county.units[w.unit].code })) }, meta);
    res.workers += c.workers.created;
  }
  await writeFeeds(trx, pii, feeds, meta.today, res);
  onProgress?.({ phase: 'auxiliary', done: 6, total: 6 });
  return res;
}

/** A CSV cell: quoted when it holds a delimiter, a quote or a line break. */
const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Writes the feeds as an office imports them: each file through importFeed (db/feeds.ts), by
 * 'demo', so the rows are parsed, hashed with the people's cipher and resolved to units as an
 * imported file's; then the import's moment is set to the day the office would have imported it.
 */
async function writeFeeds(trx: Knex, pii: PiiCipher, feeds: DemoFeeds, today: string, res: SeedResult): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sanse-demo-feeds-'));
  try {
    const files: Array<[FeedKind, DemoFeedFile]> = [['社保', feeds.si], ...feeds.payroll.map((f): [FeedKind, DemoFeedFile] => ['工资统发', f]), ['组织部任免', feeds.appointments]];
    for (const [i, [kind, file]] of files.entries()) {
      if (!file.rows.length) continue;
      const folder = path.join(dir, String(i));
      await fs.mkdir(folder);
      const columns = FEED_SHEETS[kind].columns.map((c) => c.name);
      const text = [columns, ...file.rows.map((r) => columns.map((c) => r[c] ?? ''))].map((cells) => cells.map(csvCell).join(',')).join('\r\n');
      await fs.writeFile(path.join(folder, `${FEED_SHEETS[kind].sheet}.csv`), `\ufeff${text}\r\n`);
      const r = await importFeed(trx, pii, kind, folder, { by: 'demo', today, month: file.month, fileName: file.fileName });
      if (!r.ok) throw new Error(`演示数据的${kind}名单未能导入：${r.errors.slice(0, 3).map((e) => `第${e.row}行 ${e.field} ${e.message}`).join('；')}`);
      for (const v of r.versions) {
        await trx('feed_imports').where({ id: v.importId }).update({ at: file.at });
        res.feedImports++;
        res.feedRows[kind] += v.rows;
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

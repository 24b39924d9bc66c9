// The other departments' rosters (issue 16, core/feeds.ts): importing a feed file, its versions
// by month, the rows whose unit was not found, and the candidate matching of rows without a valid
// ID number (proposed here, confirmed only by a person: feed_links).
//
// An import reads the file twice and keeps no rows: once to validate (any error: nothing is
// written, and the file is read a third time into the error workbook), once to write, in one
// transaction, in slices. So a feed of a million rows imports in bounded memory (the readers of
// db/import-read.ts hand the rows over one by one).

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { audit } from './audit.ts';
import type { Knex } from 'knex';
import { candidatesFor, nameMatch, normaliseName, OFF_ROSTER, type MatchReason } from '../core/feed-match.ts';
import { FEED_SHEETS, feedHeader, type FeedHeader, type FeedRecord, feedSheetKind, headerIssues, isBlankRow, parseFeedRow } from '../core/feed-sheets.ts';
import { FEED_KINDS, type FeedKind } from '../core/feeds.ts';
import { idFacts, maskId, normaliseIdNumber } from '../core/idnumber.ts';
import type { IsoDate } from '../core/model.ts';
import { type ImportIssue, type RawRow, type RawSheet, toHalfWidth } from '../core/sheets.ts';
import { nowMoment } from './clock.ts';
import { openErrorWorkbook } from './error-workbook.ts';
import type { ImportProgress } from './import.ts';
import { Bounds, IMPORT_LIMITS, type ImportLimits, ImportRefused, readCsvFileBounded, readXlsxBounded } from './import-read.ts';
import type { PiiCipher } from './pii.ts';
import { actorNames } from './users.ts';

type Row = Record<string, any>;

/**
 * A feed is one sheet of up to 1,100,000 rows (a county's or a small city's whole 社保 roster):
 * the readers hand rows over one by one, so the row limit only bounds the time an import takes.
 * An upload through the console is smaller (64 MB); the command line reads any size within these.
 */
export const FEED_LIMITS: ImportLimits = {
  ...IMPORT_LIMITS,
  uploadBytes: 64 * 1024 * 1024,
  uncompressedBytes: 1024 * 1024 * 1024,
  rows: 1_100_000,
  cells: 12_000_000,
};

export interface FeedImportOptions {
  by: string;
  today: IsoDate;
  /** The version month of 社保 and 组织部任免 (default: this month); 工资统发 takes each row's 月份. */
  month?: string;
  errorOut?: string;
  limits?: Partial<ImportLimits>;
  onProgress?: (p: ImportProgress) => void;
  /** The file's name as kept in feed_imports (default: the source's base name). */
  fileName?: string;
  /** The address the upload came from, for the audit log. */
  ip?: string | null;
}

export interface FeedVersion {
  importId: number;
  month: string;
  rows: number;
  unmatchedUnits: number;
  invalidIds: number;
  /** Rows given the hash of a link confirmed earlier for the same name, birth and unit. */
  linked: number;
  /** The import this one replaced, if any. */
  replaced: number | null;
}

export interface FeedImportResult {
  ok: boolean;
  kind: FeedKind;
  errors: ImportIssue[];
  notices: string[];
  versions: FeedVersion[];
  /** The unit names (as the feed writes them) that matched no unit, with their rows (the first 100). */
  unmatchedUnits: Array<{ unit: string; code: string | null; rows: number }>;
  errorFile?: string;
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const WRITE_SLICE = 500;

// ---------------------------------------------------------------------------------------------
// Keys

/** A unit's name as compared: half-width, trimmed. */
export function unitNameKey(name: string): string {
  return toHalfWidth(name.normalize('NFKC')).trim();
}

/** The key of what a feed row says of a person: kind, name, birth and unit as written. Holds no ID number. */
export function sourceKey(kind: FeedKind, name: string, birthKey: string | null, unitText: string | null): string {
  return crypto.createHash('sha256').update(`${kind}|${normaliseName(name)}|${birthKey ?? ''}|${unitNameKey(unitText ?? '')}`).digest('hex');
}

/** The ID number's columns of a feed row, as the people table stores a person's (db/store.ts). */
export function feedIdColumns(raw: string | null, pii: PiiCipher, today: IsoDate): { id_valid: boolean; id_hash: string | null; id_masked: string | null; id_enc: string | null; birth: string | null } {
  const { value } = normaliseIdNumber(raw ?? '');
  if (!value) return { id_valid: false, id_hash: null, id_masked: null, id_enc: null, birth: null };
  const f = idFacts(value, today);
  // 18 characters with the right check character; a legacy 15-digit number is kept and hashed
  // as given, as the roster keeps it (P-ID-06 reports it there).
  const valid = (f.kind === '18' && f.checkOk) || f.kind === '15';
  return valid
    ? { id_valid: true, id_hash: pii.hash(value), id_masked: maskId(value), id_enc: pii.encrypt(value), birth: f.birth }
    : { id_valid: false, id_hash: null, id_masked: maskId(value), id_enc: null, birth: f.birth };
}

// ---------------------------------------------------------------------------------------------
// Units

export interface UnitResolver {
  (code: string | null, text: string): number | null;
}

/** Resolves a feed's unit: by credit code (a shared code: the unit of the same name), else by a unique name. */
export async function unitResolver(db: Knex): Promise<UnitResolver> {
  const byCode = new Map<string, Array<{ id: number; name: string }>>();
  const byName = new Map<string, number[]>();
  const units: Row[] = await db('units').select('id', 'code', 'name');
  for (const u of units) {
    const name = unitNameKey(String(u.name ?? ''));
    if (u.code) (byCode.get(u.code) ?? byCode.set(u.code, []).get(u.code)!).push({ id: Number(u.id), name });
    (byName.get(name) ?? byName.set(name, []).get(name)!).push(Number(u.id));
  }
  return (code, text) => {
    const name = unitNameKey(text);
    if (code) {
      const list = byCode.get(code) ?? [];
      if (list.length === 1) return list[0].id;
      const same = list.filter((u) => u.name === name);
      return same.length === 1 ? same[0].id : null;
    }
    const ids = byName.get(name) ?? [];
    return ids.length === 1 ? ids[0] : null;
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

interface FeedSource {
  isDir: boolean;
  /** CSV files to read (folder), or the workbook. */
  files: string[];
  notices: string[];
}

async function feedSource(source: string, kind: FeedKind): Promise<FeedSource> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new ImportRefused(`找不到要导入的文件：${source}`);
  if (!stat.isDirectory()) {
    if (path.extname(source).toLowerCase() !== '.xlsx') throw new ImportRefused('只能导入 .xlsx 工作簿或存放 CSV 文件的文件夹');
    return { isDir: false, files: [source], notices: [] };
  }
  const sheet = FEED_SHEETS[kind].sheet;
  const csv = (await fs.readdir(source)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  // Files named after the feed (社保.csv, 工资统发-2026-10.csv); a folder holding one CSV file: that one.
  const named = csv.filter((f) => f.normalize('NFC').replace(/\s+/g, '').startsWith(sheet));
  const files = named.length ? named : csv.length === 1 ? csv : [];
  if (!files.length) {
    throw new ImportRefused(csv.length ? `文件夹中没有名为“${sheet}.csv”的文件（找到：${csv.slice(0, 10).join('、')}）` : '文件夹中没有 CSV 文件');
  }
  const notices = csv.filter((f) => !files.includes(f)).map((f) => `文件“${f}”不属于${kind}名单，已跳过`);
  return { isDir: true, files: files.map((f) => path.join(source, f)), notices };
}

/** Reads the feed's sheets, handing each data row to `onRow`; returns the sheets' headers (no rows). */
async function scanFeed(src: FeedSource, kind: FeedKind, limits: ImportLimits, onRow: (sheet: RawSheet, row: RawRow) => void | Promise<void>, onRows?: (n: number) => Promise<void>): Promise<RawSheet[]> {
  const width = FEED_SHEETS[kind].columns.length + limits.extraColumns;
  if (!src.isDir) {
    const sheets = await readXlsxBounded(src.files[0], limits, onRows, { width: (name) => (feedSheetKind(name) === kind ? width : null), onRow });
    const mine = sheets.filter((s) => feedSheetKind(s.name) === kind);
    if (!mine.length) {
      throw new ImportRefused(`工作簿中没有名为“${FEED_SHEETS[kind].sheet}”的工作表（找到：${sheets.map((s) => s.name).slice(0, 10).join('、') || '无'}）。请将名单所在的工作表命名为“${FEED_SHEETS[kind].sheet}”`);
    }
    return mine.slice(0, 1);
  }
  const bounds = new Bounds(limits);
  const out: RawSheet[] = [];
  for (const file of src.files) {
    const { size } = await fs.stat(file);
    const base = path.basename(file);
    if (size > limits.uncompressedBytes) throw new ImportRefused(`文件“${base}”过大（最大 ${Math.round(limits.uncompressedBytes / 1024 / 1024)} MB），请拆分后分批导入`);
    out.push(await readCsvFileBounded(file, base.slice(0, -4), bounds, onRows, { width: () => width, onRow }));
  }
  return out;
}

function errorFilePath(source: string, errorOut?: string): string {
  if (errorOut) return path.resolve(errorOut);
  const abs = path.resolve(source);
  return path.join(path.dirname(abs), `${path.basename(abs, path.extname(abs))}.错误.xlsx`);
}

const THIS_MONTH = (today: IsoDate) => today.slice(0, 7);

// ---------------------------------------------------------------------------------------------
// Import

/**
 * Imports a feed: an .xlsx workbook (its sheet named after the kind) or a folder of CSV files.
 * All-or-nothing: with any import error nothing is written and an error workbook is produced.
 * Otherwise each month the file holds replaces that month's earlier import of the kind, in one
 * transaction (the old feed_imports row keeps replaced_by; its rows are deleted).
 */
export async function importFeed(db: Knex, pii: PiiCipher, kind: FeedKind, source: string, opts: FeedImportOptions): Promise<FeedImportResult> {
  const file = opts.fileName ?? path.basename(source);
  const extra = { ip: opts.ip ?? null };
  let r: FeedImportResult;
  try {
    r = await importFeedRows(db, pii, kind, source, opts);
  } catch (e) {
    await audit(db, opts.by, 'feed_import', null, null, { kind, file, outcome: 'refused', error: (e as Error).message.slice(0, 300) }, extra);
    throw e;
  }
  await audit(db, opts.by, 'feed_import', null, null, r.ok
    ? { kind, file, outcome: 'ok', rows: r.versions.reduce((n, v) => n + v.rows, 0), versions: r.versions.map((v) => ({ month: v.month, importId: v.importId, rows: v.rows })) }
    : { kind, file, outcome: 'errors', errors: r.errors.length }, extra);
  return r;
}

async function importFeedRows(db: Knex, pii: PiiCipher, kind: FeedKind, source: string, opts: FeedImportOptions): Promise<FeedImportResult> {
  const limits: ImportLimits = { ...FEED_LIMITS, ...opts.limits };
  const src = await feedSource(source, kind);
  const progress: ImportProgress = { phase: 'read', read: 0, validated: 0, written: 0, total: 0 };
  const report = (patch: Partial<ImportProgress>) => {
    Object.assign(progress, patch);
    opts.onProgress?.({ ...progress });
  };
  const onRows = async (n: number) => {
    report({ read: n });
    await pause();
  };
  const fixedMonth = opts.month ?? THIS_MONTH(opts.today);
  const monthOf = (r: FeedRecord) => (r.kind === '工资统发' ? r.month : fixedMonth);

  // Pass 1: validate, keeping only the errors, the months and the widest row of each sheet.
  const errors: ImportIssue[] = [];
  const notices = [...src.notices];
  const months = new Map<string, number>();
  const headers = new Map<string, FeedHeader>();
  const widths = new Map<string, number>();
  const sheetErrors = new Map<string, ImportIssue[]>();
  let validated = 0;
  const headerOf = (sheet: RawSheet): FeedHeader => {
    let h = headers.get(sheet.name);
    if (!h) {
      h = feedHeader(kind, sheet.header);
      headers.set(sheet.name, h);
      notices.push(...h.notices);
    }
    return h;
  };
  const addErrors = (sheet: string, list: ImportIssue[]) => {
    if (!list.length) return;
    // The sheet as the user named it (a folder may hold several CSV files).
    for (const e of list) errors.push({ ...e, sheet });
    (sheetErrors.get(sheet) ?? sheetErrors.set(sheet, []).get(sheet)!).push(...list);
  };
  const sheets = await scanFeed(src, kind, limits, (sheet, raw) => {
    widths.set(sheet.name, Math.max(widths.get(sheet.name) ?? 0, raw.cells.length));
    if (isBlankRow(raw.cells)) return;
    const h = headerOf(sheet);
    const { record, issues } = parseFeedRow(kind, h, raw.row, raw.cells);
    addErrors(sheet.name, issues);
    if (record) months.set(monthOf(record), (months.get(monthOf(record)) ?? 0) + 1);
    validated++;
  }, onRows);
  for (const s of sheets) {
    addErrors(s.name, headerIssues(kind, headerOf(s)));
  }
  report({ phase: 'validate', validated, total: validated });
  if (!errors.length && !validated) {
    errors.push({ sheet: '', row: 0, field: '', message: `“${FEED_SHEETS[kind].sheet}”没有数据行` });
    return { ok: false, kind, errors, notices, versions: [], unmatchedUnits: [] };
  }
  if (errors.length) {
    errors.sort((a, b) => (a.sheet === b.sheet ? a.row - b.row : a.sheet < b.sheet ? -1 : 1));
    const file = errorFilePath(source, opts.errorOut);
    const wb = await openErrorWorkbook(file);
    const columns = FEED_SHEETS[kind].columns.map((c) => c.name);
    const writers = new Map<string, ReturnType<typeof wb.sheet>>();
    const writerOf = (sheet: RawSheet) => {
      let w = writers.get(sheet.name);
      if (!w) {
        w = wb.sheet(sheet.name, sheet.header, columns, sheetErrors.get(sheet.name) ?? [], widths.get(sheet.name) ?? 0);
        writers.set(sheet.name, w);
      }
      return w;
    };
    const read = await scanFeed(src, kind, limits, (sheet, raw) => writerOf(sheet).row(raw.row, raw.cells), () => pause());
    for (const s of read) writerOf(s).done();
    await wb.commit();
    report({ phase: 'done' });
    return { ok: false, kind, errors, notices, versions: [], unmatchedUnits: [], errorFile: file };
  }

  // Pass 2: write, in one transaction, in slices.
  report({ phase: 'write' });
  const table = FEED_KINDS[kind].table;
  const fileName = opts.fileName ?? path.basename(path.resolve(source));
  const at = nowMoment();
  const versions = new Map<string, FeedVersion>();
  const unmatched = new Map<string, { unit: string; code: string | null; rows: number }>();
  try {
    await db.transaction(async (trx) => {
      // Nothing is read or written until the first slice is full (or the file ends), and then a
      // write comes first: on SQLite the write lock is held only while writing, so a file of a
      // few hundred rows holds it for a moment (the app's own writes wait on it synchronously).
      let resolve: UnitResolver | null = null;
      const links = new Map<string, { id: number; hash: string }>();
      const start = async () => {
        for (const [month, rows] of [...months].sort()) {
          const [id] = await trx('feed_imports').insert({ kind, month, file_name: fileName.slice(0, 200), rows, unmatched_units: 0, invalid_ids: 0, by: opts.by, at });
          const importId = Number(id);
          const old: Row[] = await trx('feed_imports').where({ kind, month }).whereNull('replaced_by').whereNot({ id: importId }).select('id');
          const oldIds = old.map((o) => Number(o.id));
          if (oldIds.length) {
            await trx('feed_imports').whereIn('id', oldIds).update({ replaced_by: importId });
            await trx(table).whereIn('import_id', oldIds).del();
          }
          versions.set(month, { importId, month, rows, unmatchedUnits: 0, invalidIds: 0, linked: 0, replaced: oldIds.length ? oldIds[oldIds.length - 1] : null });
        }
        for (const l of await trx('feed_links').where({ kind }).whereNull('withdrawn_at').select('id', 'source_key', 'id_hash')) links.set(l.source_key, { id: Number(l.id), hash: l.id_hash });
        return unitResolver(trx);
      };
      const toRow = (record: FeedRecord, rowNo: number, resolveUnit: UnitResolver): Row => {
        const month = monthOf(record);
        const v = versions.get(month)!;
        const id = feedIdColumns(record.idNumber, pii, opts.today);
        const birthKey = record.birthDate ?? id.birth;
        const unitId = resolveUnit(record.unitCode, record.unitText);
        const row: Row = {
          import_id: v.importId, month, row_no: rowNo,
          id_hash: id.id_hash, id_masked: id.id_masked, id_enc: id.id_enc, id_valid: id.id_valid, link_id: null,
          name: record.name, birth_key: birthKey, unit_text: record.unitText, unit_code: record.unitCode, unit_id: unitId,
          source_key: null,
          ...kindColumns(record),
        };
        if (!id.id_valid) {
          v.invalidIds++;
          row.source_key = sourceKey(kind, record.name, birthKey, record.unitText);
          const link = links.get(row.source_key);
          if (link) {
            row.id_hash = link.hash;
            row.link_id = link.id;
            v.linked++;
          }
        }
        if (unitId === null) {
          v.unmatchedUnits++;
          const key = `${record.unitCode ?? ''}|${record.unitText}`;
          const u = unmatched.get(key);
          if (u) u.rows++;
          else if (unmatched.size < 10_000) unmatched.set(key, { unit: record.unitText, code: record.unitCode, rows: 1 });
        }
        return row;
      };
      let pending: Array<{ record: FeedRecord; row: number }> = [];
      let written = 0;
      const flush = async () => {
        resolve ??= await start();
        if (!pending.length) return;
        const batch = pending.map((p) => toRow(p.record, p.row, resolve!));
        pending = [];
        await trx(table).insert(batch);
        written += batch.length;
        report({ written });
        await pause();
      };
      await scanFeed(src, kind, limits, async (sheet, raw) => {
        if (isBlankRow(raw.cells)) return;
        const { record } = parseFeedRow(kind, headerOf(sheet), raw.row, raw.cells);
        if (!record) throw new Error(`第${raw.row}行在两次读取之间发生了变化`);
        pending.push({ record, row: raw.row });
        if (pending.length >= WRITE_SLICE) await flush();
      });
      await flush();
      for (const v of versions.values()) await trx('feed_imports').where({ id: v.importId }).update({ unmatched_units: v.unmatchedUnits, invalid_ids: v.invalidIds });
    });
  } catch (e) {
    if (e instanceof ImportRefused) throw e;
    throw new Error(`导入失败，已全部撤销，未写入任何数据：${(e as Error).message}`, { cause: e });
  }
  const list = [...versions.values()];
  const unmatchedList = [...unmatched.values()].sort((a, b) => b.rows - a.rows);
  notices.push(...resultNotices(kind, list, unmatchedList));
  report({ phase: 'done' });
  return { ok: true, kind, errors: [], notices, versions: list, unmatchedUnits: unmatchedList.slice(0, 100) };
}

function kindColumns(r: FeedRecord): Row {
  if (r.kind === '社保') return { status: r.status, from_month: r.fromMonth, to_month: r.toMonth };
  if (r.kind === '工资统发') return { amount: r.amount, paid: r.paid };
  return { post: r.post, rank: r.rank, action: r.action, doc_no: r.docNo, doc_date: r.docDate };
}

/** What the import tells in Chinese besides the counts: units not found, ID numbers not usable. */
function resultNotices(kind: FeedKind, versions: FeedVersion[], unmatched: Array<{ unit: string; rows: number }>): string[] {
  const out: string[] = [];
  const column = FEED_SHEETS[kind].unitColumn;
  const sum = (f: (v: FeedVersion) => number) => versions.reduce((n, v) => n + f(v), 0);
  const units = sum((v) => v.unmatchedUnits);
  if (units) {
    const shown = unmatched.slice(0, 10).map((u) => `${u.unit}（${u.rows}行）`).join('、');
    out.push(`有 ${units} 行的${column}未能对应到机构：${shown}${unmatched.length > 10 ? ` 等 ${unmatched.length} 个名称` : ''}。请核对单位名称或在名单中填写统一社会信用代码`);
  }
  const invalid = sum((v) => v.invalidIds);
  const linked = sum((v) => v.linked);
  if (invalid) {
    out.push(`有 ${invalid} 行的身份证号为空或无效，不参与按身份证号比对${linked ? `（其中 ${linked} 行按此前确认的对应关系关联到人员）` : ''}；可在控制台“外部数据”中按姓名和出生日期确认候选人员`);
  }
  for (const v of versions) if (v.replaced) out.push(`${v.month} 的${kind}名单已替换此前的导入（第 ${v.replaced} 次导入）`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reads for the console

export interface FeedImportView {
  id: number;
  kind: FeedKind;
  month: string;
  fileName: string;
  rows: number;
  unmatchedUnits: number;
  invalidIds: number;
  by: string;
  /** Who imported, as users read it (db/users.ts actorNames). */
  byName: string;
  at: string;
  replacedBy: number | null;
}

/** The versions of the feeds, by kind and month (latest first). */
export async function listFeedImports(db: Knex, kind?: FeedKind): Promise<FeedImportView[]> {
  const q = db('feed_imports').select('*').orderBy([{ column: 'month', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(500);
  if (kind) q.where({ kind });
  const rows: Row[] = await q;
  const nameOf = await actorNames(db, rows.map((r) => r.by));
  return rows.map((r: Row) => ({
    id: Number(r.id), kind: r.kind, month: r.month, fileName: r.file_name, rows: Number(r.rows), unmatchedUnits: Number(r.unmatched_units),
    invalidIds: Number(r.invalid_ids), by: r.by, byName: nameOf(r.by) ?? r.by, at: r.at, replacedBy: r.replaced_by == null ? null : Number(r.replaced_by),
  }));
}

/** A feed's rows in its current versions (imports not replaced). */
function currentRows(db: Knex, kind: FeedKind) {
  return db(`${FEED_KINDS[kind].table} as r`).join('feed_imports as i', 'i.id', 'r.import_id').whereNull('i.replaced_by');
}

/** The unit names of the current versions that matched no unit, with their rows. */
export async function unmatchedUnitRows(db: Knex, kind: FeedKind, limit = 500): Promise<Array<{ unit: string; code: string | null; rows: number; months: string[] }>> {
  const rows: Row[] = await currentRows(db, kind).whereNull('r.unit_id')
    .groupBy('r.unit_text', 'r.unit_code', 'r.month').select('r.unit_text', 'r.unit_code', 'r.month').count({ n: '*' });
  const out = new Map<string, { unit: string; code: string | null; rows: number; months: string[] }>();
  for (const r of rows) {
    const key = `${r.unit_code ?? ''}|${r.unit_text}`;
    const u = out.get(key) ?? out.set(key, { unit: r.unit_text, code: r.unit_code ?? null, rows: 0, months: [] }).get(key)!;
    u.rows += Number(r.n);
    u.months.push(r.month);
  }
  return [...out.values()].map((u) => ({ ...u, months: u.months.sort() })).sort((a, b) => b.rows - a.rows || (a.unit < b.unit ? -1 : 1)).slice(0, limit);
}

export interface CandidateView {
  personId: number;
  name: string;
  unitId: number;
  unitName: string;
  idMasked: string | null;
  status: string | null;
  reason: MatchReason;
  sameUnit: boolean;
}

export interface UnlinkedEntry {
  kind: FeedKind;
  sourceKey: string;
  name: string;
  birthKey: string | null;
  unitText: string | null;
  unitId: number | null;
  unitName: string | null;
  idMasked: string | null;
  rows: number;
  months: string[];
  candidates: CandidateView[];
}

/** Roster people with these birth dates, as candidate matching reads them. */
async function peopleByBirth(db: Knex, births: string[]): Promise<Array<CandidateView & { birthKey: string | null; id: number }>> {
  const out: Array<CandidateView & { birthKey: string | null; id: number }> = [];
  for (let i = 0; i < births.length; i += 500) {
    const rows: Row[] = await db('people as p').leftJoin('units as u', 'u.id', 'p.unit_id')
      .whereIn('p.birth_key', births.slice(i, i + 500))
      .where((q) => q.whereNull('p.status').orWhereNotIn('p.status', [...OFF_ROSTER]))
      .select('p.id', 'p.name', 'p.birth_key', 'p.unit_id', 'p.status', 'p.id_masked', 'u.name as unit_name');
    for (const r of rows) {
      out.push({
        id: Number(r.id), personId: Number(r.id), name: r.name, birthKey: r.birth_key, unitId: Number(r.unit_id), unitName: r.unit_name ?? '',
        idMasked: r.id_masked ?? null, status: r.status ?? null, reason: '姓名相同', sameUnit: false,
      });
    }
  }
  return out;
}

/**
 * The rows of a feed's current versions without a valid ID number and without a confirmed link
 * (nor marked 无对应人员), one entry per name + birth + unit as written, each with its
 * candidates. Nothing here links anything.
 */
export async function unlinkedFeedRows(db: Knex, kind: FeedKind, opts: { limit?: number } = {}): Promise<UnlinkedEntry[]> {
  const dismissed = db('feed_no_match').where({ kind }).whereNull('withdrawn_at').select('source_key');
  const rows: Row[] = await currentRows(db, kind)
    .where('r.id_valid', false).whereNull('r.link_id').whereNotNull('r.source_key')
    .whereNotIn('r.source_key', dismissed)
    .groupBy('r.source_key', 'r.name', 'r.birth_key', 'r.unit_text', 'r.unit_id', 'r.month')
    .select('r.source_key', 'r.name', 'r.birth_key', 'r.unit_text', 'r.unit_id', 'r.month')
    .max({ id_masked: 'r.id_masked' }).count({ n: '*' })
    .orderBy('r.name').limit(20_000);
  const entries = new Map<string, UnlinkedEntry>();
  for (const r of rows) {
    let e = entries.get(r.source_key);
    if (!e) {
      if (entries.size >= (opts.limit ?? 200)) continue;
      e = {
        kind, sourceKey: r.source_key, name: r.name, birthKey: r.birth_key ?? null, unitText: r.unit_text ?? null,
        unitId: r.unit_id == null ? null : Number(r.unit_id), unitName: null, idMasked: r.id_masked ?? null, rows: 0, months: [], candidates: [],
      };
      entries.set(r.source_key, e);
    }
    e.rows += Number(r.n);
    e.months.push(r.month);
    if (!e.idMasked && r.id_masked) e.idMasked = r.id_masked;
  }
  const list = [...entries.values()];
  const births = [...new Set(list.map((e) => e.birthKey).filter((b): b is string => !!b))];
  const people = await peopleByBirth(db, births);
  const unitIds = [...new Set(list.map((e) => e.unitId).filter((u): u is number => u != null))];
  const unitNames = new Map<number, string>();
  for (let i = 0; i < unitIds.length; i += 500) {
    for (const u of await db('units').whereIn('id', unitIds.slice(i, i + 500)).select('id', 'name')) unitNames.set(Number(u.id), u.name);
  }
  for (const e of list) {
    e.months.sort();
    e.unitName = e.unitId == null ? null : (unitNames.get(e.unitId) ?? null);
    e.candidates = candidatesFor({ name: e.name, birthKey: e.birthKey, unitId: e.unitId }, people).map((c) => {
      const { id: _id, birthKey: _b, ...view } = c.person;
      return { ...view, reason: c.reason, sameUnit: c.sameUnit };
    });
  }
  return list;
}

export interface FeedDecisionView {
  id: number;
  type: 'link' | 'no-match';
  kind: FeedKind;
  name: string;
  birthKey: string | null;
  unitText: string | null;
  person: { id: number; name: string; unitName: string; idMasked: string | null } | null;
  reason: string | null;
  by: string;
  byName: string;
  at: string;
  withdrawnBy: string | null;
  withdrawnByName: string | null;
  withdrawnAt: string | null;
  /** Rows that carry the link now. */
  rows: number;
}

/** The confirmed links and the 无对应人员 marks of a feed (latest first). */
export async function listFeedDecisions(db: Knex, kind: FeedKind): Promise<FeedDecisionView[]> {
  const links: Row[] = await db('feed_links as l').leftJoin('people as p', 'p.id', 'l.person_id').leftJoin('units as u', 'u.id', 'p.unit_id')
    .where('l.kind', kind).select('l.*', 'p.name as person_name', 'p.id_masked as person_masked', 'u.name as unit_name').orderBy('l.id', 'desc').limit(500);
  const counts = new Map<number, number>();
  const ids = links.map((l) => Number(l.id));
  for (let i = 0; i < ids.length; i += 500) {
    const rows: Row[] = await db(FEED_KINDS[kind].table).whereIn('link_id', ids.slice(i, i + 500)).groupBy('link_id').select('link_id').count({ n: '*' });
    for (const r of rows) counts.set(Number(r.link_id), Number(r.n));
  }
  const marks: Row[] = await db('feed_no_match').where({ kind }).orderBy('id', 'desc').limit(500);
  const nameOf = await actorNames(db, [...links.flatMap((l) => [l.confirmed_by, l.withdrawn_by]), ...marks.flatMap((m) => [m.by, m.withdrawn_by])]);
  return [
    ...links.map((l): FeedDecisionView => ({
      id: Number(l.id), type: 'link', kind, name: l.name, birthKey: l.birth_key ?? null, unitText: l.unit_text ?? null,
      person: { id: Number(l.person_id), name: l.person_name ?? '', unitName: l.unit_name ?? '', idMasked: l.person_masked ?? null },
      reason: l.reason, by: l.confirmed_by, byName: nameOf(l.confirmed_by) ?? '', at: l.confirmed_at, withdrawnBy: l.withdrawn_by ?? null, withdrawnByName: nameOf(l.withdrawn_by), withdrawnAt: l.withdrawn_at ?? null,
      rows: counts.get(Number(l.id)) ?? 0,
    })),
    ...marks.map((m): FeedDecisionView => ({
      id: Number(m.id), type: 'no-match', kind, name: m.name, birthKey: m.birth_key ?? null, unitText: m.unit_text ?? null, person: null,
      reason: '无对应人员', by: m.by, byName: nameOf(m.by) ?? '', at: m.at, withdrawnBy: m.withdrawn_by ?? null, withdrawnByName: nameOf(m.withdrawn_by), withdrawnAt: m.withdrawn_at ?? null, rows: 0,
    })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
}

// ---------------------------------------------------------------------------------------------
// Writes (in the caller's transaction; commands/feed-links.ts authorises and validates)

/** One current row of the key, without a valid ID number: what a decision is about. */
export async function unlinkedRowOf(db: Knex, kind: FeedKind, key: string): Promise<Row | undefined> {
  return currentRows(db, kind).where({ 'r.source_key': key, 'r.id_valid': false }).first('r.name', 'r.birth_key', 'r.unit_text', 'r.unit_id', 'r.link_id');
}

export async function activeLinkOf(db: Knex, kind: FeedKind, key: string): Promise<Row | undefined> {
  return db('feed_links').where({ kind, source_key: key }).whereNull('withdrawn_at').first();
}

export async function activeNoMatchOf(db: Knex, kind: FeedKind, key: string): Promise<Row | undefined> {
  return db('feed_no_match').where({ kind, source_key: key }).whereNull('withdrawn_at').first();
}

/** A person as a candidate check reads them. */
export async function candidatePerson(db: Knex, id: number): Promise<Row | undefined> {
  return db('people').where({ id }).first('id', 'name', 'birth_key', 'unit_id', 'status', 'id_hash');
}

/** Whether a person may be linked to a feed row: on the roster, the same birth, a matching name. */
export function candidateReason(row: { name: string; birth_key: string | null }, person: Row): MatchReason | null {
  if (!row.birth_key || person.birth_key !== row.birth_key) return null;
  if (person.status && OFF_ROSTER.has(person.status)) return null;
  return nameMatch(row.name, person.name);
}

/** Writes a confirmed link and gives every row of the key (all months) the person's hash. */
export async function insertFeedLink(trx: Knex, link: { kind: FeedKind; sourceKey: string; name: string; birthKey: string | null; unitText: string | null; personId: number; idHash: string; reason: MatchReason; by: string }): Promise<{ id: number; rows: number }> {
  const [id] = await trx('feed_links').insert({
    kind: link.kind, source_key: link.sourceKey, name: link.name, birth_key: link.birthKey, unit_text: link.unitText, person_id: link.personId,
    id_hash: link.idHash, reason: link.reason, confirmed_by: link.by, confirmed_at: nowMoment(),
  });
  const rows = await trx(FEED_KINDS[link.kind].table).where({ source_key: link.sourceKey, id_valid: false }).update({ id_hash: link.idHash, link_id: Number(id) });
  return { id: Number(id), rows: Number(rows) };
}

export async function insertNoMatch(trx: Knex, mark: { kind: FeedKind; sourceKey: string; name: string; birthKey: string | null; unitText: string | null; by: string }): Promise<number> {
  const [id] = await trx('feed_no_match').insert({ kind: mark.kind, source_key: mark.sourceKey, name: mark.name, birth_key: mark.birthKey, unit_text: mark.unitText, by: mark.by, at: nowMoment() });
  return Number(id);
}

export async function feedLinkById(db: Knex, id: number): Promise<Row | undefined> {
  return db('feed_links').where({ id }).first();
}

export async function noMatchById(db: Knex, id: number): Promise<Row | undefined> {
  return db('feed_no_match').where({ id }).first();
}

/** Withdraws a link: the rows it reached lose the hash again. */
export async function withdrawLink(trx: Knex, link: Row, by: string): Promise<number> {
  await trx('feed_links').where({ id: link.id }).update({ withdrawn_at: nowMoment(), withdrawn_by: by });
  const kind = link.kind as FeedKind;
  return Number(await trx(FEED_KINDS[kind].table).where({ link_id: link.id }).update({ id_hash: null, link_id: null }));
}

export async function withdrawNoMatch(trx: Knex, id: number, by: string): Promise<void> {
  await trx('feed_no_match').where({ id }).update({ withdrawn_at: nowMoment(), withdrawn_by: by });
}

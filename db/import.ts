// Importing the workbook of the data dictionary: an .xlsx file or a folder of CSV files named
// after the sheets. All-or-nothing: every row is validated first (including the units it refers
// to that are stored already); with any error nothing is written and the user gets the workbook
// back with a 错误说明 column. Otherwise everything is stored in one transaction.
// Reading within bounds (rows, columns, cells, uncompressed size) is db/import-read.ts.

export { IMPORT_LIMITS, ImportRefused } from './import-read.ts';

import { audit } from './audit.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { DICTIONARY } from '../core/dictionary.ts';
import type { IsoDate } from '../core/model.ts';
import {
  checkUnitReferences, externalUnitCodes, type ImportIssue, type KeyLists, matchSheetName, parseWorkbookInSteps, type RawSheet,
  SHEETS, type SheetName,
  checkUserRegions,
} from '../core/sheets.ts';
import {
  Bounds, decodeCsvText, IMPORT_LIMITS, type ImportLimits, ImportRefused, readCsvBounded, type ReadProgress, readXlsxBounded,
} from './import-read.ts';
import { openErrorWorkbook } from './error-workbook.ts';
import type { PiiCipher } from './pii.ts';
import { OFFICE_ROLES } from '../core/roles.ts';
import { regionParents, unitRegionCodes } from './scope.ts';
import { type DataSetCounts, saveDataSet, unitIdsByCode } from './store.ts';

export interface ImportOptions {
  /** Who imports (userid, or 'cli'). */
  by: string;
  /** The business day of the import. */
  today: IsoDate;
  /** Where to write the error workbook; default `<name>.错误.xlsx` beside the source. */
  errorOut?: string;
  /** Tighter (or, for the command line, looser) bounds than IMPORT_LIMITS. */
  limits?: Partial<ImportLimits>;
  /** Called as rows are read, validated and written. */
  onProgress?: (p: ImportProgress) => void;
  /** The file's name as the user chose it (an upload's; default the source's base name), for the audit log. */
  fileName?: string;
  /** The address the upload came from, for the audit log. */
  ip?: string | null;
}

export interface ImportResult {
  ok: boolean;
  errors: ImportIssue[];
  notices: string[];
  /** What was stored (all zero when nothing was). */
  counts: DataSetCounts;
  /** The error workbook, when there were errors in the rows. */
  errorFile?: string;
}

const SHEETS_LIST = Object.keys(SHEETS).join('、');

const zeroCounts = (): DataSetCounts => {
  const z = () => ({ created: 0, updated: 0, unchanged: 0 });
  return { units: z(), quotas: z(), leaderPosts: z(), people: z(), workers: z(), users: z() };
};

// ---------------------------------------------------------------------------------------------
// Reading

/** Refuses a CSV file larger than the limit before reading it. */
async function readCsvFolder(dir: string, bounds: Bounds, onRows: ReadProgress): Promise<{ sheets: RawSheet[]; notices: string[] }> {
  const notices: string[] = [];
  const found = new Map<SheetName, string>();
  const files = (await fs.readdir(dir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  for (const f of files) {
    const name = matchSheetName(f.slice(0, -4));
    if (!name) notices.push(`未识别的文件“${f}”已跳过`);
    else if (found.has(name)) notices.push(`文件“${f}”与“${found.get(name)!}”重复，已跳过`);
    else found.set(name, f);
  }
  const sheets: RawSheet[] = [];
  for (const [name, f] of found) {
    const file = path.join(dir, f);
    const { size } = await fs.stat(file);
    if (size > bounds.limits.uncompressedBytes) throw new ImportRefused(`文件“${f}”过大（最大 ${Math.round(bounds.limits.uncompressedBytes / 1024 / 1024)} MB），请拆分后分批导入`);
    const { text } = decodeCsvText(await fs.readFile(file), f);
    sheets.push(await readCsvBounded(name, text, bounds, onRows));
  }
  return { sheets, notices };
}

/** UTF-16 with BOM, UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GBK. */
export function decodeCsv(buf: Buffer): string {
  return decodeCsvText(buf, 'CSV').text;
}

// ---------------------------------------------------------------------------------------------
// The error workbook

/** Writes the recognised sheets as read, with the 错误说明 column (db/error-workbook.ts). */
async function writeErrorWorkbook(file: string, sheets: RawSheet[], recognised: Array<{ name: SheetName; source: string }>, errors: ImportIssue[]): Promise<void> {
  const wb = await openErrorWorkbook(file);
  for (const { name, source } of recognised) {
    const raw = sheets.find((s) => s.name === source);
    if (!raw) continue;
    let width = raw.header.length;
    for (const r of raw.rows) if (r.cells.length > width) width = r.cells.length;
    const ws = wb.sheet(source, raw.header, SHEETS[name].columns, errors.filter((e) => e.sheet === name), width);
    for (const { row, cells } of raw.rows) ws.row(row, cells);
    ws.done();
  }
  await wb.commit();
}

// ---------------------------------------------------------------------------------------------
// Import

/** The key lists as the office configured them (settings 'dictionary': additions to the defaults). */
async function loadKeyLists(db: Knex): Promise<Partial<KeyLists>> {
  const row = await db('settings').where({ key: 'dictionary' }).first();
  if (!row) return {};
  let conf: Record<string, unknown>;
  try {
    conf = JSON.parse(row.value);
  } catch {
    return {};
  }
  const out: Partial<KeyLists> = {};
  for (const name of ['编制类型', '职数类型', '角色'] as const) {
    const extra = conf?.[name];
    if (Array.isArray(extra) && extra.every((v) => typeof v === 'string')) out[name] = [...new Set([...DICTIONARY[name], ...(extra as string[])])];
  }
  return out;
}

function errorFilePath(source: string, isDir: boolean, errorOut?: string): string {
  if (errorOut) return path.resolve(errorOut);
  const abs = path.resolve(source);
  const base = isDir ? path.basename(abs) : path.basename(abs, path.extname(abs));
  return path.join(path.dirname(abs), `${base}.错误.xlsx`);
}

export interface ImportProgress {
  phase: 'read' | 'validate' | 'write' | 'done';
  /** Data rows read so far. */
  read: number;
  /** Rows validated. */
  validated: number;
  /** Rows written. */
  written: number;
  /** Data rows of the workbook (known once it is read). */
  total: number;
}

/** Lets other work (requests, timers) run between slices of a long import. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const SLICE = 1000;
/** Rows written between pauses: about 1 ms each, so other requests wait at most ~0.1 s. */
const WRITE_SLICE = 100;

function addCounts(into: DataSetCounts, more: DataSetCounts): void {
  for (const k of Object.keys(into) as Array<keyof DataSetCounts>) {
    into[k].created += more[k].created;
    into[k].updated += more[k].updated;
    into[k].unchanged += more[k].unchanged;
  }
}

/**
 * Imports an .xlsx workbook or a folder of CSV files. With any error in any row nothing is
 * written, and an error workbook is produced; otherwise everything is stored in one
 * transaction, every change versioned with source `导入：<file name>`. A file over the limits
 * (IMPORT_LIMITS) is refused whole (ImportRefused) before it is loaded. The work is done in
 * slices with pauses between them, so a server importing a large file keeps answering.
 */
export async function importData(db: Knex, pii: PiiCipher, source: string, opts: ImportOptions): Promise<ImportResult> {
  const file = opts.fileName ?? path.basename(source);
  const extra = { ip: opts.ip ?? null };
  let r: ImportResult;
  try {
    r = await importWorkbookData(db, pii, source, opts);
  } catch (e) {
    // A refused file (over a limit, not a workbook…): recorded with the refusal, then rethrown.
    await audit(db, opts.by, 'import', null, null, { file, outcome: 'refused', error: (e as Error).message.slice(0, 300) }, extra);
    throw e;
  }
  const c = r.counts;
  const rows = Object.values(c).reduce((n, k) => n + k.created + k.updated + k.unchanged, 0);
  await audit(db, opts.by, 'import', null, null, r.ok
    ? { file, outcome: 'ok', rows, counts: c }
    : { file, outcome: 'errors', errors: r.errors.length }, extra);
  return r;
}

async function importWorkbookData(db: Knex, pii: PiiCipher, source: string, opts: ImportOptions): Promise<ImportResult> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new ImportRefused(`找不到要导入的文件：${source}`);
  const isDir = stat.isDirectory();
  if (!isDir && path.extname(source).toLowerCase() !== '.xlsx') throw new ImportRefused('只能导入 .xlsx 工作簿或存放 CSV 文件的文件夹');
  const limits: ImportLimits = { ...IMPORT_LIMITS, ...opts.limits };
  const progress: ImportProgress = { phase: 'read', read: 0, validated: 0, written: 0, total: 0 };
  const report = (patch: Partial<ImportProgress>) => {
    Object.assign(progress, patch);
    opts.onProgress?.({ ...progress });
  };
  const onRows = async (read: number) => {
    report({ read });
    await pause();
  };

  const input = isDir
    ? await readCsvFolder(source, new Bounds(limits), onRows)
    : { sheets: await readXlsxBounded(source, limits, onRows), notices: [] as string[] };
  let total = 0;
  for (const s of input.sheets) if (matchSheetName(s.name)) total += s.rows.length;
  report({ phase: 'validate', read: total, total });

  const steps = parseWorkbookInSteps(input.sheets, { lists: await loadKeyLists(db) });
  let validated = 0;
  let step = steps.next();
  while (!step.done) {
    if (++validated % SLICE === 0) {
      report({ validated });
      await pause();
    }
    step = steps.next();
  }
  const parsed = step.value;
  report({ validated: total });
  const notices = [...input.notices, ...parsed.notices];
  if (!parsed.sheets.length) {
    return {
      ok: false,
      errors: [{ sheet: '', row: 0, field: '', message: `没有可识别的工作表：工作表（或CSV文件）应命名为 ${SHEETS_LIST}` }],
      notices,
      counts: zeroCounts(),
    };
  }
  const external = externalUnitCodes(parsed);
  const stored = new Set((await unitIdsByCode(db, external)).keys());
  checkUnitReferences(parsed, stored);
  if (parsed.records.用户.some((r) => r.value.regionCode)) {
    const known = new Set<string>([...(await regionParents(db)).keys(), ...(await unitRegionCodes(db)).keys()]);
    checkUserRegions(parsed, known, OFFICE_ROLES);
  }

  if (parsed.errors.length) {
    const file = errorFilePath(source, isDir, opts.errorOut);
    await writeErrorWorkbook(file, input.sheets, parsed.sheets, parsed.errors);
    report({ phase: 'done' });
    return { ok: false, errors: parsed.errors, notices, counts: zeroCounts(), errorFile: file };
  }

  report({ phase: 'write' });
  const meta = { by: opts.by, source: `导入：${path.basename(path.resolve(source))}`, today: opts.today };
  const counts = zeroCounts();
  const { units, quotas, leaderPosts, people, workers, users } = parsed.data;
  try {
    // One transaction (all or nothing), written in slices with pauses between them.
    await db.transaction(async (trx) => {
      let written = 0;
      addCounts(counts, await saveDataSet(trx, pii, { units, quotas, leaderPosts }, meta));
      written += units.length + quotas.length + leaderPosts.length;
      report({ written });
      for (const [key, rows] of [['people', people], ['workers', workers], ['users', users]] as const) {
        for (let i = 0; i < rows.length; i += WRITE_SLICE) {
          const slice = rows.slice(i, i + WRITE_SLICE);
          addCounts(counts, await saveDataSet(trx, pii, { [key]: slice }, meta));
          written += slice.length;
          report({ written });
          await pause();
        }
      }
    });
  } catch (e) {
    throw new Error(`导入失败，已全部撤销，未写入任何数据：${(e as Error).message}`, { cause: e });
  }
  report({ phase: 'done' });
  return { ok: true, errors: [], notices, counts };
}

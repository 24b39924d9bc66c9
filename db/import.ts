// Importing the workbook of the data dictionary: an .xlsx file or a folder of CSV files named
// after the sheets. All-or-nothing: every row is validated first (including the units it refers
// to that are stored already); with any error nothing is written and the user gets the workbook
// back with a 错误说明 column. Otherwise everything is stored in one transaction.

import { isUtf8 } from 'node:buffer';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Knex } from 'knex';
import { DICTIONARY } from '../core/dictionary.ts';
import type { IsoDate } from '../core/model.ts';
import {
  type CellValue, checkUnitReferences, ERROR_COLUMN, externalUnitCodes, type ImportIssue, isErrorColumn, type KeyLists,
  matchSheetName, messagesByRow, normaliseHeader, parseWorkbook, type RawRow, type RawSheet, SHEETS, type SheetName,
} from '../core/sheets.ts';
import type { PiiCipher } from './pii.ts';
import { type DataSetCounts, saveDataSet, unitIdsByCode } from './store.ts';

export interface ImportOptions {
  /** Who imports (userid, or 'cli'). */
  by: string;
  /** The business day of the import. */
  today: IsoDate;
  /** Where to write the error workbook; default `<name>.错误.xlsx` beside the source. */
  errorOut?: string;
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

interface Source {
  sheets: RawSheet[];
  notices: string[];
  /** Builds the error workbook: the workbook as read, with the 错误说明 column filled in. */
  errorWorkbook(errors: ImportIssue[], recognised: Array<{ name: SheetName; source: string }>): Promise<ExcelJS.Workbook>;
}

/** An exceljs cell value as one of ours: rich text and hyperlinks as text, formulas as their result. */
function fromExcel(v: ExcelJS.CellValue | undefined): CellValue {
  if (v == null) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (v instanceof Date) return v;
  const o = v as unknown as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((t) => t.text).join('');
  if ('formula' in o || 'sharedFormula' in o) return fromExcel(o.result as ExcelJS.CellValue);
  if ('text' in o) return fromExcel(o.text as ExcelJS.CellValue);
  if ('error' in o) return String(o.error);
  return String(v);
}

function sheetFromWorksheet(ws: ExcelJS.Worksheet): RawSheet {
  const header: CellValue[] = [];
  const width = ws.columnCount;
  const first = ws.getRow(1);
  for (let c = 1; c <= width; c++) header.push(fromExcel(first.getCell(c).value));
  const rows: RawRow[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const cells: CellValue[] = [];
    for (let c = 1; c <= width; c++) cells.push(fromExcel(row.getCell(c).value));
    rows.push({ row: n, cells });
  });
  return { name: ws.name, header, rows };
}

async function readXlsx(file: string): Promise<Source> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (e) {
    throw new Error(`无法读取工作簿 ${path.basename(file)}：${(e as Error).message}`);
  }
  return {
    sheets: wb.worksheets.map(sheetFromWorksheet),
    notices: [],
    async errorWorkbook(errors, recognised) {
      for (const { name, source } of recognised) {
        const ws = wb.getWorksheet(source);
        if (ws) markErrors(ws, name, errors);
      }
      return wb;
    },
  };
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise GBK. */
export function decodeCsv(buf: Buffer): string {
  const text = isUtf8(buf) ? buf.toString('utf8') : iconv.decode(buf, 'gbk');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function readCsvFolder(dir: string): Promise<Source> {
  const notices: string[] = [];
  const found = new Map<SheetName, { file: string; records: string[][] }>();
  const files = (await fs.readdir(dir)).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
  for (const f of files) {
    const base = f.slice(0, -4);
    const name = matchSheetName(base);
    if (!name) {
      notices.push(`未识别的文件“${f}”已跳过`);
      continue;
    }
    if (found.has(name)) {
      notices.push(`文件“${f}”与“${found.get(name)!.file}”重复，已跳过`);
      continue;
    }
    let records: string[][];
    try {
      records = parseCsv(decodeCsv(await fs.readFile(path.join(dir, f))), { relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
    } catch (e) {
      throw new Error(`无法读取 ${f}：${(e as Error).message}`);
    }
    found.set(name, { file: f, records });
  }
  const sheets: RawSheet[] = [];
  for (const [name, { records }] of found) {
    const [header = [], ...rest] = records;
    sheets.push({
      name,
      header: header.map((h) => h),
      rows: rest.map((cells, i) => ({ row: i + 2, cells: cells.map((c) => (c === '' ? null : c)) })),
    });
  }
  return {
    sheets,
    notices,
    async errorWorkbook(errors, recognised) {
      const wb = new ExcelJS.Workbook();
      for (const { name } of recognised) {
        const records = found.get(name)!.records;
        const ws = wb.addWorksheet(name);
        records.forEach((cells, i) => {
          ws.getRow(i + 1).values = cells.map((c) => (c === '' ? null : c));
        });
        if (!records.length) ws.getRow(1).values = [];
        markErrors(ws, name, errors);
      }
      return wb;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The error workbook

const RED = 'FFC00000';
const PINK = 'FFFFE0E0';

/** Adds (or refreshes) the 错误说明 column of one sheet and tints the cells in error. */
function markErrors(ws: ExcelJS.Worksheet, sheet: SheetName, errors: ImportIssue[]): void {
  const header = ws.getRow(1);
  let col = 0;
  const columnOf = new Map<string, number>();
  const byHeader = new Map(SHEETS[sheet].columns.map((c) => [normaliseHeader(c), c]));
  for (let c = 1; c <= ws.columnCount; c++) {
    const v = fromExcel(header.getCell(c).value);
    if (isErrorColumn(v)) col = col || c;
    else {
      const known = byHeader.get(normaliseHeader(v));
      if (known && !columnOf.has(known)) columnOf.set(known, c);
    }
  }
  if (!col) col = ws.columnCount + 1;
  const byRow = messagesByRow(errors, sheet);
  const headerProblems = byRow.get(1);
  const head = header.getCell(col);
  head.value = headerProblems ? `${ERROR_COLUMN}（${headerProblems.join('；')}）` : ERROR_COLUMN;
  head.style = { ...head.style, font: { bold: true, color: { argb: RED } } };
  ws.getColumn(col).width = 60;

  const last = Math.max(ws.rowCount, ...[...byRow.keys()]);
  for (let r = 2; r <= last; r++) {
    const messages = byRow.get(r);
    const c = ws.getRow(r).getCell(col);
    if (!messages) {
      if (c.value != null) c.value = null;
      continue;
    }
    c.value = messages.join('；');
    c.style = { ...c.style, font: { color: { argb: RED } }, alignment: { wrapText: true, vertical: 'top' } };
    for (const e of errors) {
      if (e.sheet !== sheet || e.row !== r) continue;
      const at = columnOf.get(e.field);
      if (!at) continue;
      const bad = ws.getRow(r).getCell(at);
      bad.style = { ...bad.style, fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: PINK } } };
    }
  }
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

/**
 * Imports an .xlsx workbook or a folder of CSV files. With any error in any row nothing is
 * written, and an error workbook is produced; otherwise everything is stored in one
 * transaction, every change versioned with source `导入：<file name>`.
 */
export async function importData(db: Knex, pii: PiiCipher, source: string, opts: ImportOptions): Promise<ImportResult> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new Error(`找不到要导入的文件：${source}`);
  const isDir = stat.isDirectory();
  if (!isDir && path.extname(source).toLowerCase() !== '.xlsx') throw new Error('只能导入 .xlsx 工作簿或存放 CSV 文件的文件夹');
  const input = isDir ? await readCsvFolder(source) : await readXlsx(source);

  const parsed = parseWorkbook(input.sheets, { lists: await loadKeyLists(db) });
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

  if (parsed.errors.length) {
    const file = errorFilePath(source, isDir, opts.errorOut);
    const wb = await input.errorWorkbook(parsed.errors, parsed.sheets);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await wb.xlsx.writeFile(file);
    return { ok: false, errors: parsed.errors, notices, counts: zeroCounts(), errorFile: file };
  }

  const meta = { by: opts.by, source: `导入：${path.basename(path.resolve(source))}`, today: opts.today };
  let counts: DataSetCounts;
  try {
    counts = await db.transaction((trx) => saveDataSet(trx, pii, parsed.data, meta));
  } catch (e) {
    throw new Error(`导入失败，已全部撤销，未写入任何数据：${(e as Error).message}`, { cause: e });
  }
  return { ok: true, errors: [], notices, counts };
}

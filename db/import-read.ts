// Reading an import's workbook within bounds. A workbook is a zip of XML: 18 KB can declare a cell
// at column XFD on 3,000 rows, or a million rows, and exceljs's in-memory reader would build all
// of it before we could look. So the zip's central directory is read first (declared uncompressed
// sizes: a zip bomb is refused before anything is inflated), then the sheets are streamed row by
// row (exceljs's WorkbookReader) and reading stops at the first row, column or cell over the
// limits, with a Chinese message naming the sheet, row and column. CSV files get the same bounds,
// and are refused when they are not text.

import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { parse as parseCsvStream } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { type CellValue, matchSheetName, type RawRow, type RawSheet, SHEETS } from '../core/sheets.ts';

export const IMPORT_LIMITS = {
  /** An upload (POST /api/import); larger files are refused whole (413). */
  uploadBytes: 20 * 1024 * 1024,
  /** A workbook's declared uncompressed size, and a CSV file's size. */
  uncompressedBytes: 256 * 1024 * 1024,
  /** Data rows across all sheets. */
  rows: 300_000,
  /** Non-empty cells across all sheets. */
  cells: 8_000_000,
  /** Columns a sheet may have beyond the dictionary's (extra columns are kept or ignored). */
  extraColumns: 30,
  /** Columns of a sheet the dictionary does not know (only its header is looked at). */
  unknownSheetColumns: 200,
} as const;

export type ImportLimits = { -readonly [K in keyof typeof IMPORT_LIMITS]: number };

/** A refusal of the whole file, in Chinese; nothing is written. */
export class ImportRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefused';
  }
}

export const UNREADABLE_XLSX = '无法读取工作簿：文件已损坏或不是 .xlsx 格式';
const MB = 1024 * 1024;
const mb = (n: number) => `${Math.round(n / MB)} MB`;

/** A column number as Excel writes it (1 → A, 16384 → XFD). */
export function columnLetter(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** How many columns a sheet may have: the dictionary's columns plus some slack. */
export function maxColumns(sheetName: string, limits: ImportLimits): number {
  const name = matchSheetName(sheetName);
  return name ? SHEETS[name].columns.length + limits.extraColumns : limits.unknownSheetColumns;
}

const isBlankCell = (v: CellValue | undefined) => v == null || (typeof v === 'string' && v.trim() === '');

/**
 * Counts rows and cells against the limits and trims a row to its last non-empty cell.
 * Trailing empty cells do not count; a non-empty cell beyond the sheet's columns refuses the file.
 */
export class Bounds {
  rows = 0;
  cells = 0;
  constructor(readonly limits: ImportLimits) {}

  /** The row's cells (1-based `at`, as read) as a dense array, or a refusal. */
  row(sheet: string, rowNo: number, width: number, entries: Iterable<[number, CellValue]>): CellValue[] {
    const cells: CellValue[] = [];
    for (const [col, v] of entries) {
      if (isBlankCell(v)) continue;
      if (col > width) {
        throw new ImportRefused(`工作表“${sheet}”第${rowNo}行第${columnLetter(col)}列有内容，超出了该表允许的列数（最多 ${width} 列，即 A–${columnLetter(width)} 列）。请删除多余的列后重新导入`);
      }
      while (cells.length < col - 1) cells.push(null);
      cells[col - 1] = v;
      if (++this.cells > this.limits.cells) {
        throw new ImportRefused(`工作簿的单元格过多（最多 ${this.limits.cells.toLocaleString('en-US')} 个有内容的单元格），读到工作表“${sheet}”第${rowNo}行时超出。请拆分后分批导入`);
      }
    }
    return cells;
  }

  /** Counts a data row (not the header). */
  dataRow(sheet: string, rowNo: number): void {
    if (++this.rows > this.limits.rows) {
      throw new ImportRefused(`工作簿的行数过多（最多 ${this.limits.rows.toLocaleString('en-US')} 行数据），读到工作表“${sheet}”第${rowNo}行时超出。请拆分后分批导入`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The zip's central directory

interface ZipEntry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  /** Where its local header starts. */
  offset: number;
}

/** The entries of a zip file as its central directory declares them; null when it is no zip. */
export async function zipEntries(file: string): Promise<ZipEntry[] | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size < 22) return null;
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65,535.
    const tailLen = Math.min(size, 22 + 65_535);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) return null;
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdSize === 0xffffffff || cdOffset === 0xffffffff || count === 0xffff) {
      // ZIP64: only needed past 4 GB or 65,535 entries, far beyond any import.
      throw new ImportRefused(`工作簿过大（解压后超过 ${mb(IMPORT_LIMITS.uncompressedBytes)}），请拆分后分批导入`);
    }
    if (cdOffset + cdSize > size) return null;
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) return null;
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      entries.push({ name, method: cd.readUInt16LE(p + 10), compressed, uncompressed, offset: cd.readUInt32LE(p + 42) });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Refuses a workbook whose declared uncompressed size is over the limit (a zip bomb, or just too big). */
export async function checkZip(file: string, limits: ImportLimits): Promise<ZipEntry[]> {
  const entries = await zipEntries(file);
  if (!entries) throw new ImportRefused(UNREADABLE_XLSX);
  let total = 0;
  for (const e of entries) {
    if (e.uncompressed === 0xffffffff) total = Infinity;
    else total += e.uncompressed;
  }
  if (total > limits.uncompressedBytes) {
    throw new ImportRefused(bombMessage(total === Infinity ? '超过 4 GB' : mb(total), limits));
  }
  return entries;
}

const bombMessage = (size: string, limits: ImportLimits) =>
  `工作簿解压后过大（${size}，最多 ${mb(limits.uncompressedBytes)}），可能是恶意构造的压缩文件，已拒绝。请拆分后分批导入`;

/**
 * One entry's bytes, inflated, counted against what is left of the uncompressed budget: a zip
 * whose central directory understates its sizes is stopped as it inflates.
 */
async function entryStream(file: string, e: ZipEntry, budget: { left: number }, limits: ImportLimits): Promise<Readable> {
  const fh = await fs.promises.open(file, 'r');
  const head = Buffer.alloc(30);
  try {
    await fh.read(head, 0, 30, e.offset);
  } finally {
    await fh.close();
  }
  if (head.readUInt32LE(0) !== 0x04034b50) throw new ImportRefused(UNREADABLE_XLSX);
  const start = e.offset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
  const raw = fs.createReadStream(file, { start, end: start + Math.max(e.compressed, 1) - 1 });
  if (e.compressed === 0) {
    raw.destroy();
    return Readable.from([]);
  }
  if (e.method !== 0 && e.method !== 8) throw new ImportRefused(UNREADABLE_XLSX);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      budget.left -= chunk.length;
      if (budget.left < 0) done(new ImportRefused(bombMessage(`超过 ${mb(limits.uncompressedBytes)}`, limits)));
      else done(null, chunk);
    },
  });
  const fail = (err: Error) => counter.destroy(err instanceof ImportRefused ? err : new ImportRefused(UNREADABLE_XLSX));
  // The parts are XML in UTF-8: decoded here, across chunk boundaries. exceljs decodes each chunk
  // on its own, which splits a Chinese character cut by a boundary into two U+FFFD.
  counter.setEncoding('utf8');
  if (e.method === 0) {
    raw.on('error', fail).pipe(counter);
    return counter;
  }
  const inflate = zlib.createInflateRaw();
  raw.on('error', fail).pipe(inflate).on('error', fail).pipe(counter);
  return counter;
}

/** An entry's path inside the zip, for a relationship's target seen from xl/. */
function partPath(target: string): string {
  const t = target.replace(/\\/g, '/');
  if (t.startsWith('/')) return t.slice(1);
  const parts = ['xl'];
  for (const seg of t.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg && seg !== '.') parts.push(seg);
  }
  return parts.join('/');
}

// ---------------------------------------------------------------------------------------------
// .xlsx, streamed

/** An exceljs cell value as one of ours: rich text and hyperlinks as text, formulas as their result. */
export function fromExcel(v: ExcelJS.CellValue | undefined): CellValue {
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

export interface ReadProgress {
  (rowsRead: number): void | Promise<void>;
}

/**
 * What a reader other than the main workbook's reads: which sheets (and how wide each may be) and
 * where the rows go. With `onRow` the rows are handed over one by one and not kept (a feed of a
 * million rows is read in bounded memory, once to validate and once to write).
 */
export interface ReadOptions {
  /** The columns a sheet may have, or null for a sheet read for its name only. Default: the dictionary's sheets. */
  width?: (sheetName: string) => number | null;
  /** Receives each data row instead of the sheet's `rows`. */
  onRow?: (sheet: RawSheet, row: RawRow) => void | Promise<void>;
}

/**
 * Streams the sheets of an .xlsx workbook within the limits. Sheets the dictionary does not know
 * are read for their name only (their rows are skipped unparsed).
 */
export async function readXlsxBounded(file: string, limits: ImportLimits, onRows?: ReadProgress, opts: ReadOptions = {}): Promise<RawSheet[]> {
  const widthOf = opts.width ?? ((name: string) => (matchSheetName(name) ? maxColumns(name, limits) : null));
  const entries = await checkZip(file, limits);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const bounds = new Bounds(limits);
  const budget = { left: limits.uncompressedBytes };
  const sheets: RawSheet[] = [];
  // An error of the caller's row sink (a failed write) is its own, not an unreadable workbook.
  let sinkError: unknown = null;
  const sink = async (sheet: RawSheet, row: RawRow) => {
    try {
      await opts.onRow!(sheet, row);
    } catch (e) {
      sinkError = e;
      throw e;
    }
  };
  // exceljs's WorkbookReader parses the parts (rels, workbook, styles, shared strings, sheets);
  // the zip is walked here, in the order the parts are needed, from the central directory (its
  // own walk over unzipper's stream loses the workbook part when it comes after the sheets).
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
  }) as unknown as PartReader;
  const part = (name: string) => {
    const e = byName.get(name);
    return e ? entryStream(file, e, budget, limits) : null;
  };
  try {
    const rels = await part('xl/_rels/workbook.xml.rels');
    const book = await part('xl/workbook.xml');
    if (!rels || !book) throw new ImportRefused(UNREADABLE_XLSX);
    await reader._parseRels(rels);
    await reader._parseWorkbook(book);
    const styles = await part('xl/styles.xml');
    if (styles) await reader._parseStyles(styles);
    const strings = await part('xl/sharedStrings.xml');
    if (strings) for await (const _ of reader._parseSharedStrings(strings)) { /* cached on the reader */ }
    else reader.sharedStrings = [];

    for (const s of reader.model?.sheets ?? []) {
      const name = String(s.name);
      const sheet: RawSheet = { name, header: [], rows: [] };
      sheets.push(sheet);
      const width = widthOf(name);
      if (width === null) continue; // only its name matters
      const rel = (reader.workbookRels ?? []).find((r) => r.Id === s.rId);
      const stream = rel ? await part(partPath(rel.Target)) : null;
      if (!stream) continue;
      const [ws] = [...reader._parseWorksheet(stream, String(s.id))].map((ev) => ev.value);
      try {
        for await (const row of ws as AsyncIterable<ExcelJS.Row>) {
          const cells = bounds.row(name, row.number, width, rowEntries(row));
          if (row.number === 1) sheet.header = cells;
          else if (cells.length) {
            bounds.dataRow(name, row.number);
            if (opts.onRow) await sink(sheet, { row: row.number, cells });
            else sheet.rows.push({ row: row.number, cells });
            if (onRows && bounds.rows % 2000 === 0) await onRows(bounds.rows);
          }
        }
      } finally {
        stream.destroy();
      }
    }
  } catch (e) {
    if (e instanceof ImportRefused || (sinkError !== null && e === sinkError)) throw e;
    // exceljs and zlib speak English and about internals: the user gets one sentence.
    throw new ImportRefused(UNREADABLE_XLSX);
  }
  if (onRows) await onRows(bounds.rows);
  return sheets;
}

/** A streamed row's non-empty cells as [column, value]. */
function rowEntries(row: ExcelJS.Row): Array<[number, CellValue]> {
  const out: Array<[number, CellValue]> = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    out.push([col, fromExcel(cell.value)]);
  });
  return out;
}

/** The parts of exceljs's WorkbookReader used above (not in its typings). */
interface PartReader {
  model?: { sheets?: Array<{ id: number | string; name: string; rId: string }> };
  workbookRels?: Array<{ Id: string; Target: string }>;
  sharedStrings?: unknown[];
  _parseRels(s: Readable): Promise<void>;
  _parseWorkbook(s: Readable): Promise<void>;
  _parseStyles(s: Readable): Promise<void>;
  _parseSharedStrings(s: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(s: Readable, sheetNo: string): Generator<{ eventType: string; value: unknown }>;
}

// ---------------------------------------------------------------------------------------------
// CSV

export interface DecodedCsv {
  text: string;
  /** The encoding found, in the words of Excel's save dialogue. */
  encoding: 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'GBK';
}

/**
 * UTF-16 with its BOM (Excel's "Unicode 文本"), UTF-8 (with or without BOM) when the bytes are
 * valid UTF-8, otherwise GBK. Refuses bytes that are no text (NUL bytes, control characters).
 */
export function decodeCsvText(buf: Buffer, file: string): DecodedCsv {
  let text: string;
  let encoding: DecodedCsv['encoding'];
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    text = iconv.decode(buf.subarray(2), 'utf16le');
    encoding = 'UTF-16LE';
  } else if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    text = iconv.decode(buf.subarray(2), 'utf16be');
    encoding = 'UTF-16BE';
  } else if (isUtf8(buf)) {
    text = buf.toString('utf8');
    encoding = 'UTF-8';
  } else {
    text = iconv.decode(buf, 'gbk');
    encoding = 'GBK';
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A text CSV has no NUL and hardly any other control characters; a binary file (or UTF-16
  // without its BOM) has plenty. One in a thousand is generous for stray characters in real data.
  let control = 0;
  let nul = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) nul = true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) control++;
  }
  if (nul || control > Math.max(10, text.length / 1000)) {
    throw new ImportRefused(`“${file}”不是文本格式的 CSV 文件（含有大量控制字符或二进制内容）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入`);
  }
  return { text, encoding };
}

/** Comma, or tab when the header line has tabs and no commas (Excel's "Unicode 文本" is tab-separated). */
function delimiterOf(text: string): string {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return first.includes('\t') && !first.includes(',') ? '\t' : ',';
}

/** Reads one CSV file (already decoded) within the limits, yielding to the event loop as it goes. */
export async function readCsvBounded(sheetName: string, text: string, bounds: Bounds, onRows?: ReadProgress, opts: ReadOptions = {}): Promise<RawSheet> {
  // Fed in slices, so parsing a large file leaves room for other requests.
  return readCsvRecords(sheetName, delimiterOf(text), async (write) => {
    const SLICE = 256 * 1024;
    for (let i = 0; i < text.length; i += SLICE) await write(text.slice(i, i + SLICE));
  }, bounds, onRows, opts);
}

/**
 * Reads one CSV file from disk within the limits without holding its text: the encoding is found
 * by a first streamed look at the bytes (decodeCsvText's rules: a UTF-16 BOM, else UTF-8 when
 * every byte sequence is valid UTF-8, else GBK), then the file is decoded and parsed as it streams.
 * A file that is no text is refused like decodeCsvText refuses it.
 */
export async function readCsvFileBounded(file: string, sheetName: string, bounds: Bounds, onRows?: ReadProgress, opts: ReadOptions = {}): Promise<RawSheet> {
  const base = path.basename(file);
  const encoding = await csvEncodingOf(file);
  const notText = () => new ImportRefused(`“${base}”不是文本格式的 CSV 文件（含有大量控制字符或二进制内容）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入`);
  const decoded = () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(iconv.decodeStream(encoding === 'UTF-8' ? 'utf8' : encoding === 'GBK' ? 'gbk' : encoding.toLowerCase()));
  // The header line decides the delimiter.
  let head = '';
  for await (const chunk of decoded()) {
    head += chunk as string;
    if (head.includes('\n') || head.length > 64 * 1024) break;
  }
  return readCsvRecords(sheetName, delimiterOf(head.replace(/^\ufeff/, '')), async (write) => {
    let control = 0;
    let total = 0;
    let first = true;
    for await (const raw of decoded()) {
      let chunk = raw as string;
      if (first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c === 0) throw notText();
        if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) control++;
      }
      total += chunk.length;
      if (control > Math.max(10, total / 1000) && total > 64 * 1024) throw notText();
      await write(chunk);
    }
    if (control > Math.max(10, total / 1000)) throw notText();
  }, bounds, onRows, opts);
}

/** The encoding of a CSV file by decodeCsvText's rules, read as a stream. */
async function csvEncodingOf(file: string): Promise<DecodedCsv['encoding']> {
  const fh = await fs.promises.open(file, 'r');
  const bom = Buffer.alloc(2);
  try {
    await fh.read(bom, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (bom[0] === 0xff && bom[1] === 0xfe) return 'UTF-16LE';
  if (bom[0] === 0xfe && bom[1] === 0xff) return 'UTF-16BE';
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) utf8.decode(chunk as Buffer, { stream: true });
    utf8.decode();
    return 'UTF-8';
  } catch {
    return 'GBK';
  }
}

/** Parses CSV text handed over by `pump` (through `write`) within the limits, yielding to the event loop as it goes. */
async function readCsvRecords(sheetName: string, delimiter: string, pump: (write: (text: string) => Promise<void>) => Promise<void>, bounds: Bounds, onRows?: ReadProgress, opts: ReadOptions = {}): Promise<RawSheet> {
  const width = opts.width?.(sheetName) ?? maxColumns(sheetName, bounds.limits);
  const parser = parseCsvStream({
    delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
    max_record_size: 1024 * 1024,
  });
  const sheet: RawSheet = { name: sheetName, header: [], rows: [] };
  let pumpError: unknown = null;
  const feed = (async () => {
    try {
      await pump(async (text) => {
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve));
      });
      parser.end();
    } catch (e) {
      pumpError = e;
      parser.destroy(e as Error);
    }
  })();
  let rowNo = 0;
  let sinkError: unknown = null;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNo++;
      const cells = bounds.row(sheetName, rowNo, width, record.map((c, i): [number, CellValue] => [i + 1, c === '' ? null : c]));
      if (rowNo === 1) sheet.header = cells;
      else {
        bounds.dataRow(sheetName, rowNo);
        if (opts.onRow) {
          try {
            await opts.onRow(sheet, { row: rowNo, cells });
          } catch (e) {
            sinkError = e;
            throw e;
          }
        }
        else sheet.rows.push({ row: rowNo, cells } satisfies RawRow);
      }
      if (onRows && rowNo % 2000 === 0) await onRows(bounds.rows);
    }
  } catch (e) {
    parser.destroy();
    await feed;
    if (e instanceof ImportRefused || (sinkError !== null && e === sinkError)) throw e;
    if (pumpError instanceof ImportRefused) throw pumpError;
    const line = (e as { lines?: number }).lines;
    throw new ImportRefused(`无法读取 ${sheetName}.csv${line ? `（第${line}行附近）` : ''}：CSV 格式有误（如引号不成对或一行过长）`);
  }
  await feed;
  if (pumpError) throw pumpError instanceof ImportRefused ? pumpError : new ImportRefused(`无法读取 ${sheetName}.csv：${(pumpError as Error).message}`);
  return sheet;
}

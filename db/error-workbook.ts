// The error workbook of an import (the main workbook's, db/import.ts, and the feeds', db/feeds.ts):
// the sheets as read, each with a 错误说明 column filled in and the cells in error tinted. Written
// row by row as the rows come (a feed's rows are read again from the file rather than kept), and
// private to the server's user: it holds the uploaded ID numbers in full.

import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type CellValue, ERROR_COLUMN, type ImportIssue, isErrorColumn, normaliseHeader } from '../core/sheets.ts';

const RED = 'FFC00000';
const PINK = 'FFFFE0E0';

/** One sheet being written: its rows in order, then done. */
export interface ErrorSheetWriter {
  row(n: number, cells: CellValue[]): void;
  done(): void;
}

export interface ErrorWorkbookWriter {
  /**
   * A sheet named `source` with the header as read; `columns` are the sheet's known columns (to
   * tint the cells of a row's fields), `errors` the problems of this sheet (row 1: the header's),
   * `width` the widest row (the 错误说明 column goes after it when the header has none).
   */
  sheet(source: string, header: CellValue[], columns: readonly string[], errors: readonly ImportIssue[], width: number): ErrorSheetWriter;
  commit(): Promise<void>;
}

export async function openErrorWorkbook(file: string): Promise<ErrorWorkbookWriter> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.rm(file, { force: true });
  const stream = createWriteStream(file, { mode: 0o600 });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  const used = new Set<string>();
  /** A name Excel takes: no []:*?/\, at most 31 characters, not used twice (a CSV file may be named anything). */
  const sheetName = (source: string) => {
    const clean = [...source.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '')].slice(0, 31).join('') || '工作表';
    let name = clean;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${[...clean].slice(0, 28).join('')}(${i})`;
    used.add(name.toLowerCase());
    return name;
  };
  return {
    sheet(source, rawHeader, columns, errors, width) {
      const ws = wb.addWorksheet(sheetName(source));
      const byHeader = new Map(columns.map((c) => [normaliseHeader(c), c]));
      const columnOf = new Map<string, number>();
      let col = 0;
      rawHeader.forEach((h, i) => {
        if (isErrorColumn(h)) col = col || i + 1;
        else {
          const known = byHeader.get(normaliseHeader(h));
          if (known && !columnOf.has(known)) columnOf.set(known, i + 1);
        }
      });
      if (!col) col = Math.max(width, rawHeader.length) + 1;
      ws.getColumn(col).width = 60;
      const byRow = new Map<number, string[]>();
      const fieldsByRow = new Map<number, string[]>();
      for (const e of errors) {
        (byRow.get(e.row) ?? byRow.set(e.row, []).get(e.row)!).push(e.message);
        (fieldsByRow.get(e.row) ?? fieldsByRow.set(e.row, []).get(e.row)!).push(e.field);
      }
      const put = (row: ExcelJS.Row, cells: CellValue[]) => {
        cells.forEach((v, i) => {
          if (v == null || i + 1 === col) return;
          const c = row.getCell(i + 1);
          c.value = v;
          if (v instanceof Date) c.numFmt = 'yyyy-mm-dd';
        });
      };
      const header = ws.getRow(1);
      put(header, rawHeader);
      const headerProblems = byRow.get(1);
      const head = header.getCell(col);
      head.value = headerProblems ? `${ERROR_COLUMN}（${headerProblems.join('；')}）` : ERROR_COLUMN;
      head.font = { bold: true, color: { argb: RED } };
      header.commit();
      return {
        row(n, cells) {
          const row = ws.getRow(n);
          put(row, cells);
          const messages = byRow.get(n);
          if (messages) {
            const c = row.getCell(col);
            c.value = messages.join('；');
            c.font = { color: { argb: RED } };
            c.alignment = { wrapText: true, vertical: 'top' };
            for (const field of fieldsByRow.get(n) ?? []) {
              const at = columnOf.get(field);
              if (at) row.getCell(at).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: PINK } };
            }
          }
          row.commit();
        },
        done() {
          ws.commit();
        },
      };
    },
    async commit() {
      await wb.commit();
      await fs.chmod(file, 0o600);
    },
  };
}

// The office's monthly analysis reports (core/report-defs.ts) as .xlsx: one generic builder
// reads the figures every definition needs (each unit's stored stats, its 领导职数, the 5-year
// forecast; never the roster), builds the definition's sheets and writes them in the house style
// of db/export.ts (bold frozen header row, widths from the content, Chinese sheet names). The
// files of a month are kept in report_files: the monthly job writes the previous month's once;
// the console's 生成 and `sanse report monthly` make the current month's afresh.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { addMonthsToMonth, monthIndex, monthOf } from '../core/dates.ts';
import { buildForecast, forecastWindow, windowRefusal } from '../core/forecast.ts';
import { buildReport, REPORTS, type BuiltReport, type ReportData, type ReportDef, type ReportUnit } from '../core/report-defs.ts';
import type { StatDim } from '../core/unit-stats.ts';
import { nowMoment } from './clock.ts';
import { readStatsOfUnits, statsAsOf } from './unit-stats.ts';

type Row = Record<string, any>;

const REPORT_DIMS: StatDim[] = ['approved', 'onQuota', 'inTransit', 'vacant', 'over', 'overUnit', 'leaderLevel', 'retire', 'sector'];

/** The figures of every report for a month, as the stored stats now hold them. */
export async function loadReportData(db: Knex, month: string): Promise<ReportData> {
  const rows = (await db('units').select('id', 'name', 'parent_id', 'nature', 'is_can_gong').orderBy('id')) as Row[];
  const stats = await readStatsOfUnits(db, rows.map((r) => Number(r.id)), REPORT_DIMS);
  const posts = new Map<number, Record<string, number>>();
  for (const r of (await db('leader_posts').select('unit_id', 'kind', 'approved')) as Row[]) {
    const id = Number(r.unit_id);
    if (!posts.has(id)) posts.set(id, {});
    posts.get(id)![r.kind] = Number(r.approved);
  }
  const units: ReportUnit[] = rows.map((r) => ({
    id: Number(r.id), name: r.name, parentId: r.parent_id == null ? null : Number(r.parent_id), nature: r.nature ?? null,
    isCanGong: Boolean(Number(r.is_can_gong)), stats: stats.get(Number(r.id)) ?? new Map(), leaderPosts: posts.get(Number(r.id)) ?? {},
  }));
  const asOf = await statsAsOf(db);
  let forecast = null;
  if (asOf) {
    // Five years from the month after the report's (or from the stats' month when that is later).
    const next = addMonthsToMonth(month, 1);
    const from = monthIndex(`${next}-01`) < monthIndex(asOf) ? monthOf(asOf) : next;
    const w = forecastWindow(from, 5);
    if (!windowRefusal(w, monthOf(asOf))) forecast = buildForecast(units.map((u) => ({ id: u.id, name: u.name, stats: u.stats })), w);
  }
  return { month, asOf, units, forecast };
}

const title = (t: string) => t.replace(/[\\/?*[\]:]/g, '').slice(0, 31);

/** A built report as a workbook in the house style; the 小计/合计 lines bold. */
export function reportWorkbook(r: BuiltReport, asOf: string | null): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  wb.title = `${r.title}（${r.month}）`;
  for (const s of r.sheets) {
    const ws = wb.addWorksheet(title(s.title), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(s.headers);
    ws.getRow(1).font = { bold: true };
    s.rows.forEach((cells, i) => {
      const row = ws.addRow(cells);
      if (s.rowKinds[i] !== 'data') row.font = { bold: true };
    });
    s.headers.forEach((h, i) => {
      const col = ws.getColumn(i + 1);
      const widest = Math.max(h.length * 2, ...s.rows.slice(0, 200).map((r) => (typeof r[i] === 'number' ? 8 : String(r[i] ?? '').length * 1.8)));
      col.width = Math.min(Math.max(widest + 2, 8), 60);
      if (s.percentColumns.includes(i)) col.numFmt = '0.0%';
    });
    ws.addRow([]);
    ws.addRow([`${r.title}，${r.month}，数据截至 ${asOf ?? '（尚未检查）'} 的每日检查`]);
  }
  return wb;
}

/** Builds one report for a month from the current figures. */
export async function generateReport(db: Knex, def: ReportDef, month: string, data?: ReportData): Promise<{ report: BuiltReport; bytes: Buffer }> {
  const d = data ?? (await loadReportData(db, month));
  const report = buildReport(def, d);
  const bytes = Buffer.from(await reportWorkbook(report, d.asOf).xlsx.writeBuffer());
  return { report, bytes };
}

export interface StoredReport {
  name: string;
  title: string;
  month: string;
  generatedAt: string;
  generatedBy: string | null;
  jobRunId: number | null;
  size: number;
  rows: number;
}

const storedOf = (r: Row): StoredReport => ({
  name: r.name, title: REPORTS.find((d) => d.name === r.name)?.title ?? r.name, month: r.month, generatedAt: r.generated_at,
  generatedBy: r.generated_by ?? null, jobRunId: r.job_run_id == null ? null : Number(r.job_run_id), size: Number(r.size), rows: Number(r.rows),
});

/**
 * Generates every report (or those named) for `month` and stores them. The job's files are
 * written once per month (a second run skips them); a file made on demand is replaced.
 */
export async function generateMonthReports(db: Knex, month: string, by: { user?: string; jobRunId?: number }, names?: string[]): Promise<{ generated: StoredReport[]; skipped: string[] }> {
  const defs = names ? REPORTS.filter((d) => names.includes(d.name)) : REPORTS;
  const existing = new Map(((await db('report_files').where({ month }).select('name', 'job_run_id')) as Row[]).map((r) => [r.name, r]));
  const todo = defs.filter((d) => !(by.jobRunId !== undefined && existing.get(d.name)?.job_run_id != null));
  const skipped = defs.filter((d) => !todo.includes(d)).map((d) => d.name);
  const generated: StoredReport[] = [];
  if (!todo.length) return { generated, skipped };
  const data = await loadReportData(db, month);
  for (const def of todo) {
    const { report, bytes } = await generateReport(db, def, month, data);
    const row = { name: def.name, month, generated_at: nowMoment(), generated_by: by.user ?? null, job_run_id: by.jobRunId ?? null, bytes, size: bytes.length, rows: report.rows };
    await db.transaction(async (trx) => {
      if (by.jobRunId !== undefined && (await trx('report_files').where({ name: def.name, month }).whereNotNull('job_run_id').first('id'))) return;
      await trx('report_files').where({ name: def.name, month }).delete();
      await trx('report_files').insert(row);
    });
    generated.push(storedOf(row));
  }
  return { generated, skipped };
}

/** The stored files, newest month first (without their bytes). */
export async function listStoredReports(db: Knex, limit = 24 * REPORTS.length): Promise<StoredReport[]> {
  const rows = (await db('report_files').orderBy([{ column: 'month', order: 'desc' }, { column: 'name' }]).limit(limit).select('name', 'month', 'generated_at', 'generated_by', 'job_run_id', 'size', 'rows')) as Row[];
  return rows.map(storedOf);
}

/** A stored file's bytes, or null when that month's report was not generated. */
export async function storedReport(db: Knex, name: string, month: string): Promise<{ info: StoredReport; bytes: Buffer } | null> {
  const r = (await db('report_files').where({ name, month }).first()) as Row | undefined;
  if (!r) return null;
  return { info: storedOf(r), bytes: Buffer.isBuffer(r.bytes) ? r.bytes : Buffer.from(r.bytes) };
}

/**
 * A report's file for a month: the current month (or a later one) generated now from the
 * current figures; a past month the stored file; null when that month's was not generated.
 */
export async function reportFile(db: Knex, def: ReportDef, month: string, today: string): Promise<{ bytes: Buffer; generatedAt: string; fresh: boolean } | null> {
  if (monthIndex(`${month}-01`) >= monthIndex(today)) {
    const { bytes } = await generateReport(db, def, month);
    return { bytes, generatedAt: nowMoment(), fresh: true };
  }
  const s = await storedReport(db, def.name, month);
  return s ? { bytes: s.bytes, generatedAt: s.info.generatedAt, fresh: false } : null;
}

export const notGenerated = (def: ReportDef, month: string) => `${month} 的《${def.title}》未生成：月度报表在次月第一个工作日 08:25 自动生成，该月没有保存的报表`;

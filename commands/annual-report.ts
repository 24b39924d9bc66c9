// The annual reports (haining-digital-office.txt part 4: 两报表、一报告; issue 18 deliverable 6):
// the 编制使用决算报表 of the actor's scope as .xlsx (office roles only) and the draft 机构编制报告
// of one unit as .docx (an OfficialDocument rendered by commands/official-documents.ts) or .xlsx
// of its tables (office roles, and a unit's own roles for the units in their scope). Figures from
// core/annual-report.ts over db/annual-report.ts. Every download writes an audit row.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { annualNotes, FIGURE_COLUMNS, unitAnnualReport, validYear, type AnnualTable } from '../core/annual-report.ts';
import { DateInputError } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import type { OfficialDocument } from '../core/official-document.ts';
import { ACCESS_MSG, inScope, OFFICE_ROLES, type UnitScope } from '../core/roles.ts';
import { annualTable, historyStart, unitName, unitYearFindings, unitYearScores } from '../db/annual-report.ts';
import { audit } from '../db/audit.ts';
import { actingUser } from '../db/scope.ts';
import { loadOffice } from '../db/settings.ts';
import { CommandError } from './errors.ts';
import { DOCUMENT_CONTENT_TYPES, officialDocumentDocx } from './official-documents.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface AnnualActorInput {
  db: Knex;
  /** a user id, or 'system' (the CLI run by the office's operator) */
  actor: string;
  year: unknown;
  today: IsoDate;
  /** where the download came from, for the audit row */
  via: 'console' | 'cli';
  ip?: string | null;
  /** who the audit row names when the actor is 'system' (the CLI: cli:{os user}) */
  auditAs?: string;
}

interface Who { id: string; role: string; scope: UnitScope }

async function who(db: Knex, actor: string): Promise<Who> {
  if (actor === 'system') return { id: 'system', role: '编办管理员', scope: null };
  const a = await actingUser(db, actor);
  if (!a) throw new CommandError(403, ACCESS_MSG.outOfScope);
  return a;
}

function yearOf(value: unknown, today: IsoDate): number {
  try {
    return validYear(value, Number(today.slice(0, 4)), '年度');
  } catch (e) {
    if (e instanceof DateInputError) throw new CommandError(400, e.message, { year: e.message });
    throw e;
  }
}

const OFFICE_ONLY = '编制使用决算报表仅限编办人员下载';

/**
 * The year the console opens on: the last year that has ended when the system holds data from
 * before this year began, else this year (as of today): an office that started using the system
 * this year has no figures for last year.
 */
export function defaultAnnualYear(historyFrom: IsoDate | null, today: IsoDate): number {
  const thisYear = Number(today.slice(0, 4));
  return historyFrom !== null && historyFrom < `${thisYear}-01-01` ? thisYear - 1 : thisYear;
}

/** The table the console's page lists (office roles): the year's figures of the actor's scope; no year: defaultAnnualYear. */
export async function annualReportTable(input: Omit<AnnualActorInput, 'via'>): Promise<AnnualTable> {
  const w = await who(input.db, input.actor);
  if (!OFFICE_ROLES.has(w.role)) throw new CommandError(403, OFFICE_ONLY);
  const year = input.year == null || input.year === '' ? defaultAnnualYear(await historyStart(input.db), input.today) : yearOf(input.year, input.today);
  return annualTable(input.db, year, w.scope, input.today);
}

/** The workbook of a table: 说明 first, then 决算表 (units, then 小计 and 合计). */
export async function annualWorkbook(t: AnnualTable, scopeName: string, today: IsoDate): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  const notes = wb.addWorksheet('说明');
  for (const l of annualNotes(t, scopeName, today)) notes.addRow([l]);
  notes.getColumn(1).width = 120;
  notes.getColumn(1).alignment = { wrapText: true, vertical: 'top' };
  notes.getRow(1).font = { bold: true };

  const head = ['序号', '单位ID', '单位名称', '所属系统', '编制类型', ...FIGURE_COLUMNS.map(([h]) => h)];
  const ws = wb.addWorksheet('决算表', { views: [{ state: 'frozen', ySplit: 1, xSplit: 3 }] });
  ws.addRow(head);
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { wrapText: true, vertical: 'middle' };
  let i = 0;
  for (const r of t.rows) ws.addRow([++i, r.unitId, `${'　'.repeat(r.depth)}${r.unitName}`, r.sector, r.kind, ...FIGURE_COLUMNS.map(([, f]) => f(r))]);
  for (const r of t.sectorRows) {
    const row = ws.addRow([null, null, `${r.sector}系统小计`, r.sector, r.kind === '全部' ? '全部编制类型' : r.kind, ...FIGURE_COLUMNS.map(([, f]) => f(r))]);
    row.font = { bold: r.kind === '全部' };
    row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
  }
  for (const r of t.totalRows) {
    const row = ws.addRow([null, null, '合计', null, r.kind === '全部' ? '全部编制类型' : r.kind, ...FIGURE_COLUMNS.map(([, f]) => f(r))]);
    row.font = { bold: true };
    row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE2EAF4' } };
  }
  ws.getColumn(1).width = 6;
  ws.getColumn(2).width = 8;
  ws.getColumn(3).width = Math.min(50, Math.max(16, ...t.rows.slice(0, 500).map((r) => (r.unitName.length + r.depth) * 2 + 2)));
  ws.getColumn(4).width = 8;
  ws.getColumn(5).width = 14;
  for (let c = 6; c <= head.length; c++) ws.getColumn(c).width = 9;
  ws.getRow(1).height = 32;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The 编制使用决算报表 of the actor's scope as .xlsx (office roles; a county's office sees its county). */
export async function annualReportFile(input: AnnualActorInput): Promise<{ fileName: string; contentType: string; body: Buffer; table: AnnualTable }> {
  const w = await who(input.db, input.actor);
  if (!OFFICE_ROLES.has(w.role)) throw new CommandError(403, OFFICE_ONLY);
  const year = yearOf(input.year, input.today);
  const table = await annualTable(input.db, year, w.scope, input.today);
  const office = await loadOffice(input.db);
  const scopeName = w.scope === null ? office.name ?? '全部单位' : `本辖区 ${table.units.length} 个单位`;
  const body = await annualWorkbook(table, scopeName, input.today);
  const fileName = `${year}年度编制使用决算报表${table.ended ? '' : `（截至${table.asOf}）`}.xlsx`;
  await audit(input.db, input.auditAs ?? w.id, 'annual_report_export', 'report', null, { kind: 'annual', year, file: fileName, units: table.units.length, via: input.via }, { ip: input.ip ?? null });
  return { fileName, contentType: XLSX_TYPE, body, table };
}

export type UnitReportFormat = 'docx' | 'xlsx';

/** The draft 机构编制报告 of one unit: the OfficialDocument (office roles, or the unit's own roles). */
export async function unitAnnualReportDocument(input: Omit<AnnualActorInput, 'via'> & { unitId: unknown }): Promise<{ doc: OfficialDocument; table: AnnualTable; year: number; unitId: number; actor: Who }> {
  const w = await who(input.db, input.actor);
  const unitId = Number(input.unitId);
  if (!Number.isSafeInteger(unitId) || unitId <= 0) throw new CommandError(400, '单位ID 应为正整数', { unit: '应为正整数' });
  const year = yearOf(input.year, input.today);
  const exists = await input.db('units').where({ id: unitId }).first('id');
  if (!exists) throw new CommandError(404, '没有该单位');
  if (!inScope(w, unitId)) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const table = await annualTable(input.db, year, [unitId], input.today);
  const unit = table.units[0];
  const [findings, scores, parentName] = await Promise.all([
    unitYearFindings(input.db, unitId, year, table.asOf), unitYearScores(input.db, unitId, year), unitName(input.db, unit.parentId),
  ]);
  const office = await loadOffice(input.db);
  const doc = unitAnnualReport({ table, unit, parentName, findings, scores, office: office.name ?? '', today: input.today });
  return { doc, table, year, unitId, actor: w };
}

const numeric = (s: string) => /^-?\d+(\.\d+)?$/.test(s);

/** The report's tables as a workbook: 说明, 基本情况, then one sheet per table. */
export async function reportTablesWorkbook(doc: OfficialDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  const notes = wb.addWorksheet('说明');
  notes.addRow([doc.title]).font = { bold: true };
  notes.addRow(['本文件是机构编制报告草稿中各表的数字，与 Word 草稿同时生成；文字部分见 Word 文件。']);
  if (doc.footnote) notes.addRow([doc.footnote]);
  notes.getColumn(1).width = 100;
  for (const b of doc.blocks) {
    if (b.kind === 'form') {
      const ws = wb.addWorksheet('基本情况');
      ws.addRow(['项目', '内容']).font = { bold: true };
      for (const f of b.fields) ws.addRow([f.label, f.value]);
      ws.getColumn(1).width = 16;
      ws.getColumn(2).width = 80;
    } else if (b.kind === 'table') {
      const name = (b.title ?? `表${wb.worksheets.length}`).replace(/[\\/?*[\]:]/g, '').slice(0, 31);
      const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.addRow(b.head).font = { bold: true };
      for (const r of b.rows) ws.addRow(r.map((c) => (numeric(c) ? Number(c) : c)));
      b.head.forEach((h, i) => (ws.getColumn(i + 1).width = Math.max(10, h.length * 2 + 2)));
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The draft report of one unit as a file, audited. */
export async function unitAnnualReportFile(input: AnnualActorInput & { unitId: unknown; format: UnitReportFormat }): Promise<{ fileName: string; contentType: string; body: Buffer; doc: OfficialDocument; table: AnnualTable }> {
  const r = await unitAnnualReportDocument(input);
  const body = input.format === 'xlsx' ? await reportTablesWorkbook(r.doc) : await officialDocumentDocx(r.doc);
  const fileName = `${r.doc.title}${input.format === 'xlsx' ? '·表格' : ''}.${input.format}`;
  await audit(input.db, input.auditAs ?? r.actor.id, 'unit_report_export', 'unit', r.unitId, { kind: 'unit-annual', year: r.year, format: input.format, file: fileName, via: input.via }, { unitId: r.unitId, ip: input.ip ?? null });
  return { fileName, contentType: input.format === 'xlsx' ? XLSX_TYPE : DOCUMENT_CONTENT_TYPES.docx, body, doc: r.doc, table: r.table };
}

// Exports as .xlsx with Chinese headers. Units and people use the import sheets' headers (so an
// export re-imports unchanged); ID numbers are masked unless the caller asks for the full
// numbers, and such an export is written to the audit log.

import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { FindingLight, IsoDate, Scope } from '../core/model.ts';
import { ruleByCode } from '../core/rules/index.ts';
import { type CellValue, maskIdLike, SHEETS, type SheetName, type SheetSpec, type SheetValues } from '../core/sheets.ts';
import { normaliseUscc } from '../core/uscc.ts';
import { FEED_SHEETS } from '../core/feed-sheets.ts';
import type { FeedKind } from '../core/feeds.ts';
import { findingDetailText } from '../cards/details.ts';
import { listFindings } from './findings.ts';
import { subtreeIds } from './scope.ts';
import type { PiiCipher } from './pii.ts';
import { audit } from './store.ts';

export type ExportKind = 'findings' | 'units' | 'people' | 'all';

export interface ExportOptions {
  /** Only this unit and the units below it: by its id (a credit code may be shared, U-IN-06). */
  unitId?: number;
  /** The same by credit code, for a code that names one unit only. */
  unitCode?: string;
  /** Units and people only: exactly these units (a county office's scope). */
  unitIds?: number[];
  /** Findings only: default 'open'. */
  status?: 'open' | 'resolved' | 'explained' | 'all';
  /** The day the lights are computed for. */
  today: IsoDate;
  /** People only: full ID numbers (decrypted with `pii`) instead of masked ones; audited. */
  fullIds?: boolean;
  pii?: PiiCipher;
  /** Who exports, for the audit log (default 'system'). */
  by?: string;
  /** Where the export was asked for (console, cli), for the audit log. */
  via?: string;
  /** The file's name as the user gets it (a download's name; default the written file's), for the audit log. */
  fileName?: string;
  /** The address the request came from, for the audit log. */
  ip?: string | null;
}

export interface ExportResult {
  file: string;
  /** Data rows written, all sheets together. */
  rows: number;
  sheets: Record<string, number>;
}

type Row = Record<string, any>;

const LIGHTS: Record<FindingLight, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', hint: '提示' };
const LIGHT_FILL: Record<FindingLight, string> = { red: 'FFFF9999', yellow: 'FFFFEB84', green: 'FFB7E1A1', hint: 'FFDDE7F3' };
const SUBJECTS: Record<Scope, string> = { person: '人员', unit: '机构', worker: '编外人员' };

export const FINDING_COLUMNS = ['规则代码', '规则名称', '单位', '统一社会信用代码', '对象类型', '姓名/名称', '身份证号(脱敏)', '灯色', '发现日期', '整改日期', '状态', '说明'] as const;

const bool = (v: unknown): boolean | null => (v == null ? null : Boolean(Number(v)));
const num = (v: unknown): number | null => (v == null ? null : Number(v));
const extraOf = (v: unknown): Record<string, string> | null => {
  if (typeof v !== 'string' || !v) return null;
  try {
    return JSON.parse(v) as Record<string, string>;
  } catch {
    return null;
  }
};

function addSheet(wb: ExcelJS.Workbook, name: string, headers: readonly string[], rows: CellValue[][], opts: { textColumns?: string[] } = {}): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([...headers]);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  headers.forEach((h, i) => {
    const col = ws.getColumn(i + 1);
    const widest = Math.max(h.length * 2, ...rows.slice(0, 200).map((r) => String(r[i] ?? '').length * 1.6));
    col.width = Math.min(Math.max(widest + 2, 8), 60);
    if (opts.textColumns?.includes(h)) col.numFmt = '@';
  });
  return ws;
}

/** One import sheet: the dictionary's columns, then the kept extra columns (sorted, as imported). */
function addImportSheet<S extends SheetName>(wb: ExcelJS.Workbook, name: S, values: Array<SheetValues[S]>): number {
  const spec = SHEETS[name] as SheetSpec<S>;
  const extraKeys = new Set<string>();
  for (const v of values) for (const k of Object.keys((v as { extra?: Record<string, string> | null }).extra ?? {})) extraKeys.add(k);
  const extras = [...extraKeys].filter((k) => !spec.columns.includes(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const headers = [...spec.columns, ...extras];
  const rows = values.map((v) => {
    const cells = spec.toCells(v);
    const extra = (v as { extra?: Record<string, string> | null }).extra ?? {};
    return headers.map((h, i) => (i < spec.columns.length ? (cells[h] ?? null) : (extra[h] ?? null)));
  });
  addSheet(wb, name, headers, rows, { textColumns: ['统一社会信用代码', '上级机构代码', '身份证号', '所属区划'] });
  return rows.length;
}

async function unitScope(db: Knex, opts: Pick<ExportOptions, 'unitId' | 'unitCode' | 'unitIds'>): Promise<number[] | null> {
  if (opts.unitIds) return opts.unitIds.length ? opts.unitIds : [0];
  if (opts.unitId !== undefined) {
    const unit = await db('units').where({ id: opts.unitId }).first('id');
    if (!unit) throw new Error(`未找到编号为 ${opts.unitId} 的机构`);
    return subtreeIds(db, Number(unit.id));
  }
  if (!opts.unitCode) return null;
  const code = normaliseUscc(opts.unitCode);
  const units: Row[] = await db('units').where({ code }).orderBy('id').select('id', 'name');
  if (!units.length) throw new Error(`未找到统一社会信用代码为 ${code} 的机构`);
  if (units.length > 1) throw new Error(`统一社会信用代码 ${code} 对应多个机构，请按编号指定：${units.map((u) => `${u.name}（编号 ${u.id}）`).join('、')}`);
  return subtreeIds(db, Number(units[0].id));
}

/** Rows of a table, limited to some units (in chunks, for MySQL's and SQLite's parameter limits). */
async function rowsOf(query: () => Knex.QueryBuilder, column: string, ids: number[] | null): Promise<Row[]> {
  if (!ids) return query();
  const out: Row[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await query().whereIn(column, ids.slice(i, i + 500))));
  return out;
}

async function exportUnits(db: Knex, wb: ExcelJS.Workbook, ids: number[] | null): Promise<Record<string, number>> {
  const units = (await rowsOf(() => db('units').select('*').orderBy(['code', 'id']), 'id', ids)).map((r): SheetValues['机构'] => ({
    code: r.code,
    name: r.name,
    parentCode: r.parent_code,
    regionCode: r.region_code ?? '',
    regionName: r.region_name,
    nature: r.nature,
    category: r.category,
    isCanGong: bool(r.is_can_gong),
    level: r.level,
    funding: r.funding,
    approvalNo: r.approval_no,
    approvalDate: r.approval_date,
    internalOffices: r.internal_offices ? String(r.internal_offices).split('、') : [],
    internalOfficesApproved: num(r.internal_offices_approved),
    duties: r.duties,
    annualReport: bool(r.annual_report),
    workerCap: num(r.worker_cap),
    groupId: r.group_id,
    extra: extraOf(r.extra),
  }));
  const ledger = (table: string) => rowsOf(
    () => db(`${table} as q`).join('units as u', 'u.id', 'q.unit_id').select('u.code', 'q.kind', 'q.approved', 'q.approval_no').orderBy(['u.code', 'q.kind']),
    'q.unit_id', ids,
  ).then((rows) => rows.map((r) => ({ unitCode: r.code, kind: r.kind, approved: Number(r.approved), approvalNo: r.approval_no })));
  return {
    机构: addImportSheet(wb, '机构', units),
    编制: addImportSheet(wb, '编制', await ledger('quotas')),
    领导职数: addImportSheet(wb, '领导职数', await ledger('leader_posts')),
  };
}

async function exportPeople(db: Knex, wb: ExcelJS.Workbook, ids: number[] | null, idOf: (r: Row) => string): Promise<Record<string, number>> {
  const people = (await rowsOf(() => db('people as p').join('units as u', 'u.id', 'p.unit_id').select('p.*', 'u.code as unit_code').orderBy(['u.code', 'p.id']), 'p.unit_id', ids))
    .map((r): SheetValues['人员'] => ({
      unitCode: r.unit_code,
      idNumber: idOf(r),
      name: r.name,
      gender: r.gender,
      ethnicity: r.ethnicity,
      birthDate: r.birth_date,
      office: r.office,
      status: r.status,
      quotaKind: r.quota_kind,
      posts: r.posts,
      leaderLevel: r.leader_level,
      rank: r.rank,
      postCategory: r.post_category,
      title: r.title,
      dutyStatus: r.duty_status,
      dutyStatusSince: r.duty_status_since,
      enteredOn: r.entered_on,
      workStartOn: r.work_start_on,
      currentPostSince: r.current_post_since,
      education: r.education,
      identity: r.identity,
      lateRetireUntil: r.late_retire_until,
      politics: r.politics,
      extra: extraOf(r.extra),
    }));
  const workers = (await rowsOf(() => db('workers as w').join('units as u', 'u.id', 'w.unit_id').select('w.*', 'u.code as unit_code').orderBy(['u.code', 'w.id']), 'w.unit_id', ids))
    .map((r): SheetValues['编外人员'] => ({
      unitCode: r.unit_code,
      idNumber: idOf(r),
      name: r.name,
      gender: r.gender,
      postClass: r.post_class,
      postName: r.post_name,
      employment: r.employment,
      firstContractOn: r.first_contract_on,
      extra: extraOf(r.extra),
    }));
  return { 人员: addImportSheet(wb, '人员', people), 编外人员: addImportSheet(wb, '编外人员', workers) };
}

async function exportFindings(db: Knex, wb: ExcelJS.Workbook, opts: ExportOptions): Promise<Record<string, number>> {
  const ids = await unitScope(db, opts); // an unknown unit is an error, not an empty list
  const list = await listFindings(db, {
    status: opts.status ?? 'open',
    unitId: ids ? ids[0] : undefined,
    withSubordinates: true,
    date: opts.today,
  });
  const rows: CellValue[][] = list.map((f) => [
    f.rule,
    ruleByCode(f.rule)?.title ?? f.rule,
    f.unitName,
    f.unit,
    SUBJECTS[f.subject.kind] ?? f.subject.kind,
    f.subject.name,
    f.subject.id ? maskIdLike(f.subject.id) : null,
    LIGHTS[f.light],
    f.openedOn,
    f.resolvedOn,
    f.status === 'explained' ? '已说明' : f.resolvedOn ? '已整改' : '未整改',
    findingDetailText(f.rule, f.qualifier, f.detail, { qualifier: true }),
  ]);
  // 说明 first, as in every export: what the list is, as of when, of whom, and what it may be used for.
  const scopeName = ids ? ((await db('units').where({ id: ids[0] }).first('name'))?.name ?? '') + '及下属单位' : '全部单位';
  const statusName = { open: '未整改', resolved: '已整改', explained: '已说明', all: '全部' }[opts.status ?? 'open'];
  addNoticeSheet(wb, [
    '三色 问题清单',
    `截至日期：${opts.today}；状态：${statusName}；范围：${scopeName}；共 ${rows.length} 条（红灯在前，再黄灯，提示在后；各按整改期限先后）。`,
    '灯色：问题发现后 3 个工作日内未整改为黄灯，超过 3 个工作日仍未整改为红灯，整改完毕为绿灯。提示类问题（如满编、即将达到退休年龄）只作提醒，不设整改期限，不亮黄灯红灯，也不计入单位灯色。',
    '身份证号已脱敏（只保留前6位地区码和末位校验码）。本文件供核对、督办整改，不能用于导入。',
    '整改：单位专管员在“三色”小程序的“待整改”中逐条打开并修改；需办理机构编制事项才能消除的问题（如超编、退休未出编），在小程序中提交相应申请。',
  ]);
  const ws = addSheet(wb, '问题清单', FINDING_COLUMNS, rows);
  list.forEach((f, i) => {
    ws.getRow(i + 2).getCell(8).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: LIGHT_FILL[f.light] } };
  });
  return { 问题清单: rows.length };
}

// The 说明 sheet, first in every units/people export: whether the file can be imported again.
const MASKED_NOTICE = '本文件中的身份证号已脱敏（只保留前6位地区码和末位校验码），不能用于导入。需要可原样导入的完整数据，请由编办管理员或编办业务人员在控制台选择“导出完整数据（含完整身份证号）”，或在服务器上运行 sanse export all --full-ids --out 文件.xlsx（均记入审计日志）。';
const FULL_NOTICE = '本文件含完整身份证号，属个人敏感信息：导出已记入审计日志，请妥善保管、用后删除、不得转发。本文件可原样导入（sanse import 或控制台“导入数据”）。';

/**
 * Units the import cannot tell apart by their credit code (empty, or shared by several units:
 * U-IN-01, U-IN-06): a workbook with them does not re-import as it is, and the notice says so.
 */
async function unkeyedUnits(db: Knex, ids: number[] | null): Promise<string[]> {
  const units = await rowsOf(() => db('units').select('id', 'code', 'name').orderBy(['code', 'id']), 'id', ids);
  const count = new Map<string, number>();
  for (const u of units) count.set(u.code ?? '', (count.get(u.code ?? '') ?? 0) + 1);
  return units
    .filter((u) => !u.code || (count.get(u.code) ?? 0) > 1)
    .map((u) => (u.code ? `${u.name}（统一社会信用代码 ${u.code} 与其他机构重复）` : `${u.name}（统一社会信用代码为空）`));
}

/**
 * People (or workers) the import cannot key by unit and ID number: without a number (P-ID-01), or
 * entered twice in one unit (P-ID-10).
 */
async function unkeyedPeople(db: Knex, table: 'people' | 'workers', ids: number[] | null): Promise<string[]> {
  const rows = await rowsOf(() => db(`${table} as p`).join('units as u', 'u.id', 'p.unit_id').select('p.unit_id', 'p.id_hash', 'p.id_enc', 'p.name', 'p.id_masked', 'u.name as unit_name').orderBy('p.id'), 'p.unit_id', ids);
  const seen = new Map<string, number>();
  for (const r of rows) if (r.id_enc) seen.set(`${r.unit_id}|${r.id_hash}`, (seen.get(`${r.unit_id}|${r.id_hash}`) ?? 0) + 1);
  const out = new Set<string>();
  for (const r of rows) {
    if (!r.id_enc) out.add(`${r.unit_name} ${r.name}（身份证号为空，规则 P-ID-01）`);
    else if ((seen.get(`${r.unit_id}|${r.id_hash}`) ?? 0) > 1) out.add(`${r.unit_name} ${r.name}（${r.id_masked}，同一单位录入多次，规则 P-ID-10）`);
  }
  return [...out];
}

function addNoticeSheet(wb: ExcelJS.Workbook, lines: string[]): void {
  const ws = wb.addWorksheet('说明');
  for (const l of lines) ws.addRow([l]);
  ws.getColumn(1).width = 120;
  ws.getColumn(1).alignment = { wrapText: true, vertical: 'top' };
  ws.getRow(1).font = { bold: true };
}

/**
 * Writes an .xlsx export: 'findings' (one sheet 问题清单), 'units' (机构, 编制, 领导职数) or
 * 'people' (人员, 编外人员), optionally limited to a unit and the units below it.
 */
export async function exportWorkbook(db: Knex, kind: ExportKind, out: string, opts: ExportOptions): Promise<ExportResult> {
  if (opts.fullIds && !opts.pii) throw new Error('导出完整身份证号需要提供解密密钥（pii）');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  let sheets: Record<string, number>;
  if (kind === 'findings') sheets = await exportFindings(db, wb, opts);
  else {
    const ids = await unitScope(db, opts);
    // 说明 first: what the file is for, before anything else is read.
    const lines = [kind === 'units' ? '本文件可原样导入（sanse import 或控制台“导入数据”）。' : opts.fullIds ? FULL_NOTICE : MASKED_NOTICE];
    const unkeyed = kind === 'people' ? [] : await unkeyedUnits(db, ids);
    if (unkeyed.length) {
      lines.push('以下机构的统一社会信用代码为空或与其他机构重复，导入时无法按代码区分，请先整改（规则 U-IN-01、U-IN-06）再导出，否则本文件不能原样导入：');
      lines.push(...unkeyed.map((u) => `  ${u}`));
    }
    const repeated = kind === 'units' ? [] : [...(await unkeyedPeople(db, 'people', ids)), ...(await unkeyedPeople(db, 'workers', ids))];
    if (repeated.length) {
      lines.push('以下人员缺少身份证号或在同一单位重复录入，导入时按单位和身份证号无法区分，请先整改再导出，否则本文件不能原样导入：');
      lines.push(...repeated.map((u) => `  ${u}`));
    }
    addNoticeSheet(wb, lines);
    const pii = opts.pii;
    const idOf = opts.fullIds && pii ? (r: Row) => (r.id_enc ? pii.decrypt(r.id_enc) : r.id_masked) : (r: Row) => r.id_masked;
    if (kind === 'units') sheets = await exportUnits(db, wb, ids);
    else if (kind === 'people') sheets = await exportPeople(db, wb, ids, idOf);
    else if (kind === 'all') sheets = { ...(await exportUnits(db, wb, ids)), ...(await exportPeople(db, wb, ids, idOf)) };
    else throw new Error(`导出类型应为 findings、units、people 或 all（收到 ${String(kind)}）`);
  }
  const file = path.resolve(out);
  const rows = Object.values(sheets).reduce((a, b) => a + b, 0);
  // Audited before the file exists: no file (and no full-ID file) without its audit row.
  const fileName = opts.fileName ?? path.basename(file);
  const extra = { unitId: opts.unitId ?? null, ip: opts.ip ?? null };
  if ((kind === 'people' || kind === 'all') && opts.fullIds) {
    const people = (sheets.人员 ?? 0) + (sheets.编外人员 ?? 0);
    await audit(db, opts.by ?? 'system', 'export_full_ids', 'person', null, { kind, file: fileName, unitId: opts.unitId ?? null, unitCode: opts.unitCode ? normaliseUscc(opts.unitCode) : null, people, rows: sheets, ...(opts.via ? { via: opts.via } : {}) }, extra);
  } else {
    await audit(db, opts.by ?? 'system', 'export', null, null, { kind, file: fileName, rows, sheets, ...(kind === 'findings' ? { status: opts.status ?? 'open' } : {}), ...(opts.via ? { via: opts.via } : {}) }, extra);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
  return { file, rows, sheets };
}

/**
 * The empty import workbook: every sheet of the data dictionary (core/sheets.ts) with its Chinese
 * headers, required columns in red with a 必填 note, code and ID columns formatted as text, and a
 * 填写说明 sheet first (the import skips sheets it does not know, so the template imports empty).
 */
/** The empty import sheet of a feed (社保, 工资统发, 组织部任免): its headers, required ones marked, ID and code columns as text. */
export async function writeFeedTemplate(kind: FeedKind, out: string): Promise<{ file: string; sheet: string }> {
  const spec = FEED_SHEETS[kind];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  const help = wb.addWorksheet('填写说明');
  help.addRow([`三色 ${kind}名单 导入模板 填写说明`]).font = { bold: true };
  for (const l of [
    `1. 名单填写在工作表“${spec.sheet}”中，表头（第1行）请勿修改；红色表头为必填列。`,
    '2. 身份证号填写完整号码（不能含“*”），该列已设为文本格式；号码有误或为空的行仍可导入，按姓名和出生日期提出候选人员，须经编办确认。',
    '3. 月份填写为 YYYY-MM，日期填写为 YYYY-MM-DD。',
    '4. 导入为整文件生效：任何一处有误则不写入任何数据，并返回标注了错误说明的工作簿；同一月份再次导入时替换该月的上一版本。',
    '',
  ]) help.addRow([l]);
  help.addRow(['列名', '是否必填', '填写要求']).font = { bold: true };
  for (const c of spec.columns) help.addRow([c.name, c.required === 'no' ? '选填' : c.name === '身份证号' ? '主键（可为空）' : '必填', c.format]);
  help.getColumn(1).width = 18;
  help.getColumn(2).width = 14;
  help.getColumn(3).width = 80;
  const ws = addSheet(wb, spec.sheet, spec.columns.map((c) => c.name), [], { textColumns: ['身份证号', '统一社会信用代码'] });
  spec.columns.forEach((c, i) => {
    if (c.required !== 'yes') return;
    const cell = ws.getRow(1).getCell(i + 1);
    cell.font = { bold: true, color: { argb: 'FFC00000' } };
    cell.note = '必填';
  });
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await wb.xlsx.writeFile(out);
  return { file: out, sheet: spec.sheet };
}

export async function writeTemplate(out: string): Promise<{ file: string; sheets: string[] }> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'sanse';
  const names = Object.keys(SHEETS) as SheetName[];
  const help = wb.addWorksheet('填写说明');
  help.addRow(['三色 导入模板 填写说明']).font = { bold: true };
  for (const l of [
    '1. 每个工作表对应一类数据，表头（第1行）请勿修改；红色表头为必填列，其余为选填。可只填写需要导入的工作表，空表不影响导入。',
    '2. 统一社会信用代码为18位，身份证号填写完整的18位号码（不能填写含“*”的脱敏号码），这两列已设为文本格式，请勿让 Excel 转成数字。',
    '3. 日期填写为 YYYY-MM-DD（如 2024-03-01），只知年月时填写 YYYY-MM；是/否类填写“是”或“否”。',
    '4. 机构以统一社会信用代码识别，人员以所在单位的信用代码和身份证号识别：重复导入时按此更新，每次修改都保留历史版本。',
    '5. 导入为整文件生效：任何一处有误则不写入任何数据，并返回标注了错误说明的工作簿。',
    '',
  ]) help.addRow([l]);
  help.addRow(['工作表', '列名', '是否必填']).font = { bold: true };
  for (const name of names) {
    const spec = SHEETS[name] as SheetSpec<SheetName>;
    for (const c of spec.columns) help.addRow([name, c, spec.requiredColumns.includes(c) ? '必填' : '选填']);
  }
  help.getColumn(1).width = 16;
  help.getColumn(2).width = 24;
  help.getColumn(3).width = 10;
  for (const name of names) {
    const spec = SHEETS[name] as SheetSpec<SheetName>;
    const ws = addSheet(wb, name, spec.columns, [], { textColumns: ['统一社会信用代码', '上级机构代码', '身份证号', '所属区划'] });
    spec.columns.forEach((c, i) => {
      if (!spec.requiredColumns.includes(c)) return;
      const cell = ws.getRow(1).getCell(i + 1);
      cell.font = { bold: true, color: { argb: 'FFC00000' } };
      cell.note = '必填';
    });
  }
  const file = path.resolve(out);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
  return { file, sheets: names };
}

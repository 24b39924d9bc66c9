// Reading the audit trail for the 数据安全管理员: the list (audit_log rows, and the edits kept in
// record_versions in the same time order), its export, and the counts the monthly 排查 needs;
// the stored monthly summaries (audit_reviews, migration 025). Details are shown with any ID
// number masked, whatever a writer put there.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { AuditItem } from '../core/audit-console.ts';
import { actionLabel, VERSION_ACTION } from '../core/audit-console.ts';
import { auditDetailLines, auditDetailText, entityText, versionChanges } from '../core/audit-details.ts';
import {
  EXPORT_ACTIONS, FULL_ID_VIEW_ACTIONS, offHours, REFUSED_LOGIN_ACTIONS, zeroCounts, type Counts,
} from '../core/audit-review.ts';
import { addMonthsToMonth } from '../core/dates.ts';
import { maskId } from '../core/idnumber.ts';
import { isDuplicateKey } from './errors.ts';
import { subtreeIds } from './scope.ts';
import { actorNames } from './users.ts';

type Row = Record<string, any>;

export interface AuditFilter {
  /** Actor ids (a name given is resolved to its users' ids, plus the text itself); undefined: everyone. */
  actors?: string[];
  /** Actions (VERSION_ACTION for the edits); undefined: every action, and the edits when `versions`. */
  actions?: string[];
  /** The unit ids the rows concern (a unit, or it and its subtree); undefined: every unit. */
  unitIds?: number[];
  /** Days YYYY-MM-DD, both included (Asia/Shanghai, as stored). */
  from?: string;
  to?: string;
  /** The edits (record_versions) among the rows when no action is asked for. */
  versions: boolean;
  limit: number;
  offset: number;
}


const ID_IN_TEXT = /(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])/g;

/** Any 18-character ID number in a text, masked (core/idnumber.ts maskId). */
export function maskIdsIn(text: string): string {
  return text.replace(ID_IN_TEXT, (m) => maskId(m.toUpperCase()));
}

/** The ids a "who" names: a user id, or the users of that name; the text itself too (cli:…, system). */
export async function actorIdsFor(db: Knex, who: string): Promise<string[]> {
  const t = who.trim();
  const byName = ((await db('users').where({ name: t }).orWhere({ id: t }).select('id')) as Row[]).map((r) => String(r.id));
  return [...new Set([t, ...byName])];
}

/** The unit a person, worker, quota, leader post or unit row concerns (null for the others). */
function entityUnit(db: Knex, entity: string, entityId: string, unitColumn?: string): Knex.Raw {
  const derived = `case when ${entity} = 'unit' then ${entityId} else coalesce(p.unit_id, w.unit_id, q.unit_id, lp.unit_id) end`;
  return db.raw(unitColumn ? `coalesce(${unitColumn}, ${derived})` : derived);
}

function joinSubjects(q: Knex.QueryBuilder, entity: string, entityId: string): Knex.QueryBuilder {
  return q
    .leftJoin('people as p', function () { this.on('p.id', '=', entityId).andOnVal(entity, '=', 'person'); })
    .leftJoin('workers as w', function () { this.on('w.id', '=', entityId).andOnVal(entity, '=', 'worker'); })
    .leftJoin('quotas as q', function () { this.on('q.id', '=', entityId).andOnVal(entity, '=', 'quota'); })
    .leftJoin('leader_posts as lp', function () { this.on('lp.id', '=', entityId).andOnVal(entity, '=', 'leader_post'); });
}

function auditPart(db: Knex, f: AuditFilter): Knex.QueryBuilder {
  const unit = entityUnit(db, 'a.entity', 'a.entity_id', 'a.unit_id');
  const q = joinSubjects(db('audit_log as a'), 'a.entity', 'a.entity_id');
  if (f.actors) q.whereIn('a.actor', f.actors);
  if (f.actions) q.whereIn('a.action', f.actions.filter((x) => x !== VERSION_ACTION).concat(['\u0000']));
  if (f.from) q.where('a.at', '>=', `${f.from} 00:00:00`);
  if (f.to) q.where('a.at', '<=', `${f.to} 23:59:59`);
  if (f.unitIds) q.whereIn(unit as unknown as string, f.unitIds.length ? f.unitIds : [0]);
  return q;
}

function versionPart(db: Knex, f: AuditFilter): Knex.QueryBuilder {
  const unit = entityUnit(db, 'v.entity', 'v.entity_id');
  const q = joinSubjects(db('record_versions as v'), 'v.entity', 'v.entity_id');
  if (f.actors) q.whereIn('v.changed_by', f.actors);
  if (f.from) q.where('v.changed_at', '>=', `${f.from} 00:00:00`);
  if (f.to) q.where('v.changed_at', '<=', `${f.to} 23:59:59`);
  if (f.unitIds) q.whereIn(unit as unknown as string, f.unitIds.length ? f.unitIds : [0]);
  return q;
}

function wantsVersions(f: AuditFilter): boolean {
  return f.actions ? f.actions.includes(VERSION_ACTION) : f.versions;
}

function wantsAudit(f: AuditFilter): boolean {
  return !f.actions || f.actions.some((a) => a !== VERSION_ACTION);
}

const COLUMNS = ['kind', 'id', 'at', 'actor', 'action', 'entity', 'entity_id', 'detail', 'unit_id', 'ip', 'subject_name', 'source', 'reason', 'before_json', 'after_json', 'version'];

/** The rows of a filter, newest first (`limit` rows after `offset`), and how many there are in all. */
export async function auditPage(db: Knex, f: AuditFilter): Promise<{ total: number; items: AuditItem[] }> {
  const parts: Knex.QueryBuilder[] = [];
  let total = 0;
  if (wantsAudit(f)) {
    total += Number((await auditPart(db, f).count({ n: '*' }).first())?.n ?? 0);
    parts.push(auditPart(db, f).select(
      db.raw("'audit' as kind"), 'a.id', 'a.at', 'a.actor', 'a.action', 'a.entity', 'a.entity_id', 'a.detail',
      db.raw(`${entityUnit(db, 'a.entity', 'a.entity_id', 'a.unit_id').toQuery()} as unit_id`), 'a.ip', db.raw('coalesce(p.name, w.name) as subject_name'),
      db.raw('null as source'), db.raw('null as reason'), db.raw('null as before_json'), db.raw('null as after_json'), db.raw('null as version'),
    ));
  }
  if (wantsVersions(f)) {
    total += Number((await versionPart(db, f).count({ n: '*' }).first())?.n ?? 0);
    parts.push(versionPart(db, f).select(
      db.raw("'version' as kind"), 'v.id', 'v.changed_at as at', 'v.changed_by as actor', db.raw(`'${VERSION_ACTION}' as action`), 'v.entity', 'v.entity_id', db.raw('null as detail'),
      db.raw(`${entityUnit(db, 'v.entity', 'v.entity_id').toQuery()} as unit_id`), db.raw('null as ip'), db.raw('coalesce(p.name, w.name) as subject_name'),
      'v.source', 'v.reason', 'v.before as before_json', 'v.after as after_json', 'v.version',
    ));
  }
  if (!parts.length) return { total: 0, items: [] };
  const union = parts.length === 1
    ? db.select(COLUMNS).from(parts[0].as('x'))
    : db.select(COLUMNS).from(db.raw('(select * from ? as a1 union all select * from ? as a2) as x', [parts[0], parts[1]]));
  const rows = (await union.orderBy([{ column: 'at', order: 'desc' }, { column: 'kind', order: 'asc' }, { column: 'id', order: 'desc' }]).limit(f.limit).offset(f.offset)) as Row[];
  return { total, items: await present(db, rows) };
}

function parse(s: unknown): unknown {
  if (typeof s !== 'string' || !s) return null;
  try {
    return JSON.parse(maskIdsIn(s));
  } catch {
    return maskIdsIn(s);
  }
}

/** record_versions.source → Chinese. */
const SOURCES: Record<string, string> = { miniapp: '小程序修改', console: '控制台修改', import: '导入', cli: '命令行', api: '接口', bot: '机器人', demo: '演示数据', sync: '同步', merge: '合并' };

async function present(db: Knex, rows: Row[]): Promise<AuditItem[]> {
  const name = await actorNames(db, rows.map((r) => String(r.actor)));
  const unitIds = [...new Set(rows.map((r) => r.unit_id).filter((u) => u != null).map(Number))];
  const units = new Map(((unitIds.length ? await db('units').whereIn('id', unitIds).select('id', 'name') : []) as Row[]).map((u) => [Number(u.id), String(u.name)]));
  return rows.map((r) => {
    const unitId = r.unit_id == null ? null : Number(r.unit_id);
    const entityId = r.entity_id == null ? null : Number(r.entity_id);
    const item: AuditItem = {
      kind: r.kind === 'version' ? 'version' : 'audit',
      id: Number(r.id),
      at: String(r.at),
      actor: String(r.actor),
      actorName: name(String(r.actor)) ?? String(r.actor),
      action: String(r.action),
      actionLabel: actionLabel(r.kind === 'version' ? VERSION_ACTION : String(r.action)),
      entity: r.entity ?? null,
      entityId,
      subjectName: r.subject_name ?? null,
      unitId,
      unitName: unitId == null ? null : units.get(unitId) ?? null,
      detail: parse(r.detail),
      subject: '',
      lines: [],
      ip: r.ip ?? null,
    };
    const d = item.detail as Record<string, unknown> | null;
    item.subject = entityText(item.entity, entityId, item.subjectName, { requestNo: d && typeof d === 'object' && typeof d.no === 'string' ? d.no : null });
    if (r.kind !== 'version') item.lines = auditDetailLines(item.action, item.detail);
    if (r.kind === 'version') {
      const changes = versionChanges(String(r.entity), parse(r.before_json), parse(r.after_json), maskIdsIn);
      item.version = {
        version: Number(r.version),
        fields: changes.map((c) => c.field),
        changes,
        source: SOURCES[String(r.source ?? '')] ?? String(r.source ?? ''),
        reason: r.reason ?? null,
      };
      item.lines = [`第 ${item.version.version} 版（${item.version.source}）${item.version.reason ? `，原因：${item.version.reason}` : ''}`, ...changes.map((c) => `${c.field}：${c.before} → ${c.after}`)];
      if (!changes.length) item.lines.push('无字段变化');
    }
    return item;
  });
}

// ---- the monthly 排查

/** The first and last moments of a month 'YYYY-MM' as stored. */
function monthBounds(month: string): [string, string] {
  return [`${month}-01 00:00:00`, `${addMonthsToMonth(month, 1)}-01 00:00:00`];
}

/** The rows an export carried, from its detail (rows, people, or units + people). */
function exportedRows(detail: unknown): number {
  if (!detail || typeof detail !== 'object') return 0;
  const d = detail as Row;
  for (const k of ['rows', 'people', 'count']) if (typeof d[k] === 'number') return d[k];
  return 0;
}

/**
 * Per actor, the counts of each month from `first` to `last` ('YYYY-MM', both included): full-ID
 * views, exports and rows exported, refused logins, acts outside working hours. Jobs ('system',
 * job:…) are left out: the 排查 is about people.
 */
export async function auditCountsByMonth(db: Knex, first: string, last: string, isWorkday: (day: string) => boolean): Promise<Map<string, Map<string, Counts>>> {
  const out = new Map<string, Map<string, Counts>>();
  const at = (actor: string, month: string): Counts => {
    let m = out.get(actor);
    if (!m) out.set(actor, (m = new Map()));
    let c = m.get(month);
    if (!c) m.set(month, (c = zeroCounts()));
    return c;
  };
  const [from] = monthBounds(first);
  const [, to] = monthBounds(last);
  const people = (q: Knex.QueryBuilder) => q.where('at', '>=', from).where('at', '<', to).whereNot('actor', 'system').whereNot('actor', 'like', 'job:%');
  // Counted by the database per actor, hour and action (a few rows per active hour, not one per act); only the exports' details are read.
  const hour = db.raw('substr(at, 1, 13)');
  const rows = (await people(db('audit_log')).select('actor', 'action', db.raw('substr(at, 1, 13) as hour')).count({ n: '*' }).groupBy('actor', hour, 'action')) as Row[];
  for (const r of rows) {
    const n = Number(r.n);
    const c = at(String(r.actor), String(r.hour).slice(0, 7));
    if (FULL_ID_VIEW_ACTIONS.includes(r.action)) c.fullIdViews += n;
    if (REFUSED_LOGIN_ACTIONS.includes(r.action)) c.refusedLogins += n;
    if (EXPORT_ACTIONS.includes(r.action)) c.exports += n;
    if (offHours(`${r.hour}:00:00`, isWorkday)) c.offHours += n;
  }
  for (const r of (await people(db('audit_log')).whereIn('action', EXPORT_ACTIONS).select('actor', 'at', 'detail')) as Row[]) {
    at(String(r.actor), String(r.at).slice(0, 7)).exportedRows += exportedRows(parse(r.detail));
  }
  return out;
}

export interface StoredReview {
  month: string;
  reviewedAt: string;
  reviewedBy: string;
  users: number;
  flagged: number;
  summary: Row;
}

function reviewOf(r: Row): StoredReview {
  return { month: r.month, reviewedAt: r.reviewed_at, reviewedBy: r.reviewed_by, users: Number(r.users), flagged: Number(r.flagged), summary: JSON.parse(r.summary) };
}

export async function reviewOfMonth(db: Knex, month: string): Promise<StoredReview | null> {
  const r = await db('audit_reviews').where({ month }).first();
  return r ? reviewOf(r) : null;
}

/** Stores a month's review; false when the month was reviewed already (the first one stays). */
export async function insertReview(trx: Knex, r: Omit<StoredReview, 'summary'> & { summary: Row }): Promise<boolean> {
  if (await trx('audit_reviews').where({ month: r.month }).first('id')) return false;
  try {
    await trx('audit_reviews').insert({ month: r.month, reviewed_at: r.reviewedAt, reviewed_by: r.reviewedBy, users: r.users, flagged: r.flagged, summary: JSON.stringify(r.summary) });
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/** The stored reviews, the latest month first. */
export async function listReviews(db: Knex, limit = 24): Promise<StoredReview[]> {
  return ((await db('audit_reviews').orderBy('month', 'desc').limit(limit)) as Row[]).map(reviewOf);
}

/** A unit's id and name, with the ids below it when `subtree`; null when there is no such unit. */
export async function subtreeOrUnit(db: Knex, unitId: number, subtree: boolean): Promise<{ name: string; ids: number[] } | null> {
  const u = await db('units').where({ id: unitId }).first('id', 'name');
  if (!u) return null;
  return { name: String(u.name), ids: subtree ? await subtreeIds(db, unitId) : [unitId] };
}

/** The export: 审计日志 (the rows, as the list shows them) and 说明 (the filters, the count, who and when). */
export async function auditWorkbook(items: AuditItem[], filters: Array<{ label: string; value: string }>, meta: { total: number; exportedAt: string; by: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  // 说明 first: what the file holds, then the rows.
  const about = wb.addWorksheet('说明');
  const ws = wb.addWorksheet('审计日志');
  about.columns = [{ header: '项目', width: 16 }, { header: '内容', width: 60 }];
  about.addRow(['导出时间', meta.exportedAt]);
  about.addRow(['导出人', meta.by]);
  for (const f of filters) about.addRow([`筛选：${f.label}`, f.value]);
  if (!filters.length) about.addRow(['筛选', '无（全部记录）']);
  about.addRow(['记录条数', items.length]);
  if (meta.total > items.length) about.addRow(['提示', `符合条件的共 ${meta.total} 条，本文件只含最新的 ${items.length} 条，请缩小筛选范围后分批导出`]);
  about.addRow(['身份证号', '详情中的身份证号均已脱敏']);
  about.getRow(1).font = { bold: true };
  ws.columns = [
    { header: '时间', width: 20 }, { header: '操作人', width: 14 }, { header: '操作人账号', width: 18 }, { header: '操作', width: 20 },
    { header: '对象', width: 22 }, { header: '单位', width: 26 }, { header: '详情', width: 70 }, { header: '来源地址', width: 16 },
  ];
  for (const i of items) {
    const detail = i.lines.length ? i.lines.join('；') : auditDetailText(i.action, i.detail);
    ws.addRow([i.at, i.actorName, i.actor, i.actionLabel, i.subject, i.unitName ?? '', maskIdsIn(detail), i.ip ?? '']);
  }
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export type { AuditItem };

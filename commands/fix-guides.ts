// The 错题本's office actions (issue 18): edit a rule's guide, add or edit the office's own entry,
// restore an earlier version (a restore is a new version copying it). Only ADMIN_ROLES; the input
// is checked by core/fix-guides.ts (Chinese errors naming the field); each action writes its
// version and its audit row in one transaction and returns the entry as the console shows it.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { checkOfficeGuideInput, checkRuleGuideInput, GUIDE_FIELD_NAMES, GUIDE_LIMITS, isOfficeEntry, nextOfficeEntry, type EffectiveGuide, type GuideVersion } from '../core/fix-guides.ts';
import { singleLineProblem } from '../core/dictionary.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../core/roles.ts';
import { ruleByCode } from '../core/rules/index.ts';
import { shippedFixGuide } from '../cards/fix-guides.ts';
import { nowMoment } from '../db/clock.ts';
import { fixGuide, fixGuideHistory, fixGuideVersion, monthMistakes, officeEntriesOfRule } from '../db/fix-guides.ts';
import { audit } from '../db/store.ts';
import { isCountyOffice, requireCityLevel } from './city-level.ts';
import { CommandError } from './errors.ts';

export interface GuideActor {
  id: string;
  role: string;
  /** a county's office (市县贯通) reads the guides but does not change them: they serve every county */
  scope?: number[] | null;
}

export interface FixGuideView {
  guide: EffectiveGuide;
  /** the office's versions, newest first (office roles only; [] for the others) */
  history: GuideVersion[];
  /** office entries naming this rule */
  related: EffectiveGuide[];
  /** whether the asker may edit it */
  canEdit: boolean;
  /** a rule with a shipped text (restorable as version 0) */
  shipped: boolean;
}

const REFUSED = '只有编办管理员或编办业务人员可以修改错题本';
const NO_ENTRY = '错题本中没有该条目';

/** One entry as the mini-app and the console show it. */
export async function fixGuideView(db: Knex, actor: GuideActor, entry: string): Promise<FixGuideView> {
  const key = entry.trim().toUpperCase();
  const guide = await fixGuide(db, key);
  if (!guide) throw new CommandError(404, NO_ENTRY);
  const canEdit = ADMIN_ROLES.has(actor.role) && !isCountyOffice(actor);
  return {
    guide,
    history: canEdit ? await fixGuideHistory(db, key) : [],
    related: guide.kind === 'rule' ? await officeEntriesOfRule(db, key) : [],
    canEdit,
    shipped: guide.kind === 'rule' && !!shippedFixGuide(key),
  };
}

function reasonOf(v: unknown): string {
  const s = typeof v === 'string' ? v.trim() : '';
  const name = GUIDE_FIELD_NAMES.reason;
  if (!s) throw new CommandError(400, `请填写${name}`, { reason: `请填写${name}` });
  if ([...s].length > GUIDE_LIMITS.reason) throw new CommandError(400, `${name}最多${GUIDE_LIMITS.reason}个字`, { reason: `最多${GUIDE_LIMITS.reason}个字` });
  const p = singleLineProblem(s);
  if (p) throw new CommandError(400, `${name}${p}`, { reason: p });
  return s;
}

const isDuplicate = (e: unknown) => /UNIQUE constraint|ER_DUP_ENTRY|Duplicate entry/i.test(`${(e as { code?: string }).code ?? ''} ${(e as Error).message ?? ''}`);

async function insertVersion(trx: Knex, actor: GuideActor, entry: string, v: { title: string; what: string; why: string; how: string[]; right: string; wrong: string; related: string[]; reason: string; restoredFrom?: number | null }): Promise<{ id: number; version: number }> {
  const top = await trx('fix_guide_versions').where({ entry }).max({ v: 'version' }).first();
  const version = Number(top?.v ?? 0) + 1;
  const [id] = await trx('fix_guide_versions').insert({
    entry, version, title: v.title, what: v.what, why: v.why, how: JSON.stringify(v.how), right_example: v.right, wrong_example: v.wrong,
    related: v.related.length ? v.related.join(',') : null, reason: v.reason, restored_from: v.restoredFrom ?? null,
    created_by: actor.id, created_at: nowMoment(),
  }).catch((e) => {
    // Two saves of one entry at once: the second is told, nothing half-written.
    if (isDuplicate(e)) throw new CommandError(409, '该条目刚刚被他人修改，请刷新后再保存');
    throw e;
  });
  return { id: Number(id), version };
}

/** Saves a new version of an entry: a rule's guide (its title stays the rule's) or an existing office entry. */
export async function saveFixGuide(db: Knex, actor: GuideActor, entry: string, body: unknown): Promise<FixGuideView> {
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  requireCityLevel(actor, '错题本');
  const key = entry.trim().toUpperCase();
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const reason = reasonOf(b.reason);
  if (isOfficeEntry(key)) {
    const c = checkOfficeGuideInput({ ...b, reason }, (code) => !!ruleByCode(code));
    if (!c.ok) throw new CommandError(400, c.message, c.fields);
    await db.transaction(async (trx) => {
      if (!(await trx('fix_guide_versions').where({ entry: key }).first('id'))) throw new CommandError(404, NO_ENTRY);
      const { id, version } = await insertVersion(trx, actor, key, { ...c.value });
      await audit(trx, actor.id, 'fix_guide_edit', 'fix_guide', id, { entry: key, title: c.value.title, version, reason });
    });
    return fixGuideView(db, actor, key);
  }
  const rule = ruleByCode(key);
  if (!rule) throw new CommandError(404, NO_ENTRY);
  const c = checkRuleGuideInput({ ...b, reason });
  if (!c.ok) throw new CommandError(400, c.message, c.fields);
  await db.transaction(async (trx) => {
    const { id, version } = await insertVersion(trx, actor, key, { ...c.value, title: rule.title, related: [] });
    await audit(trx, actor.id, 'fix_guide_edit', 'fix_guide', id, { entry: key, title: rule.title, version, reason });
  });
  return fixGuideView(db, actor, key);
}

/** Adds an office entry (错题 not tied to one rule): its key is the next O-nnn. */
export async function addOfficeGuide(db: Knex, actor: GuideActor, body: unknown): Promise<FixGuideView> {
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  requireCityLevel(actor, '错题本');
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const c = checkOfficeGuideInput({ ...b, reason: typeof b.reason === 'string' && b.reason.trim() ? b.reason : '新增条目' }, (code) => !!ruleByCode(code));
  if (!c.ok) throw new CommandError(400, c.message, c.fields);
  const key = await db.transaction(async (trx) => {
    const used = (await trx('fix_guide_versions').where('entry', 'like', 'O-%').distinct('entry')).map((r: { entry: string }) => r.entry);
    const entry = nextOfficeEntry(used);
    const { id, version } = await insertVersion(trx, actor, entry, c.value);
    await audit(trx, actor.id, 'fix_guide_add', 'fix_guide', id, { entry, title: c.value.title, version, reason: c.value.reason });
    return entry;
  });
  return fixGuideView(db, actor, key);
}

/** Restores version `version` of an entry: a new version with its text. */
export async function restoreFixGuide(db: Knex, actor: GuideActor, entry: string, version: unknown, reasonIn?: unknown): Promise<FixGuideView> {
  if (!ADMIN_ROLES.has(actor.role)) throw new CommandError(403, REFUSED);
  requireCityLevel(actor, '错题本');
  const key = entry.trim().toUpperCase();
  const n = Number(version);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(400, '请选择要恢复的版本', { version: '版本号无效' });
  // Version 0: a rule's shipped text (cards/fix-guides.ts), back over the office's versions.
  const shipped = n === 0 && !isOfficeEntry(key) ? shippedFixGuide(key) : undefined;
  const old = n === 0 ? (shipped ? { ...shipped, related: [] as string[] } : null) : await fixGuideVersion(db, key, n);
  if (!old) throw new CommandError(404, n === 0 ? '该条目没有系统内置的指引' : `该条目没有第${n}版`, { version: '没有该版本' });
  const reason = typeof reasonIn === 'string' && reasonIn.trim() ? reasonOf(reasonIn) : n === 0 ? '恢复系统内置指引' : `恢复第${n}版`;
  await db.transaction(async (trx) => {
    const { id, version: v } = await insertVersion(trx, actor, key, { ...old, reason, restoredFrom: n });
    await audit(trx, actor.id, 'fix_guide_restore', 'fix_guide', id, { entry: key, title: old.title, version: v, restoredFrom: n, reason });
  });
  return fixGuideView(db, actor, key);
}


/** The month's most frequent mistakes as an .xlsx (the console's 导出): a 说明 row, then one row per rule. */
export async function monthMistakesWorkbook(db: Knex, actor: GuideActor & { scope: number[] | null }, month: string, ip?: string): Promise<{ buffer: Buffer; fileName: string; rows: number }> {
  if (!OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '本月高频错题仅编办可以查看');
  const items = await monthMistakes(db, month, actor.scope);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('本月高频错题');
  ws.addRow([`${month.slice(0, 4)}年${Number(month.slice(5, 7))}月高频错题（按当月发现的问题数排序；统计范围：${actor.scope === null ? '全部单位' : `本账号可见的 ${actor.scope.length} 个单位`}）`]);
  ws.addRow(['名次', '规则编号', '问题', '当月发现问题数', '涉及单位数', '其中仍未整改']);
  items.forEach((m, i) => ws.addRow([i + 1, m.rule, m.title, m.findings, m.units, m.open]));
  ws.getRow(2).font = { bold: true };
  ws.columns.forEach((c, i) => { c.width = [6, 10, 36, 16, 12, 14][i]; });
  const fileName = `本月高频错题-${month}.xlsx`;
  await audit(db, actor.id, 'fix_guide_export', 'fix_guide', null, { month, rows: items.length, file: fileName, via: 'console' }, ip === undefined ? undefined : { ip });
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), fileName, rows: items.length };
}

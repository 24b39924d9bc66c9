// 年度编制使用预算 (issue 18 deliverable 6, 预算报表): the office opens a year's round (validated
// year and due date, a notice to every unit reached, once); a unit's 单位专管员 sees its 核定/实有/空编
// and forecast retirements, saves a draft (kept as entered), submits (every error names the kind
// and field); another unit's user is refused; the office returns with a reason, the unit
// resubmits, the office approves and the budget is locked (the office may reopen it); the
// reminder job reminds only the units that have not submitted; the .xlsx's totals equal sums
// counted here from the stored budgets and quotas. SQLite, or MariaDB with SANSE_TEST_DB=mysql.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { remindBudgets } from '../../commands/open-budget-round.ts';
import { BUDGET_HEADERS } from '../../commands/budget-views.ts';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import { reminderDayFor } from '../../core/monthly-confirmation.ts';
import { subtreeIds } from '../../db/scope.ts';
import { loadCalendar } from '../../db/settings.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;
const BASE = 'http://127.0.0.1:3000';
const T = todayInShanghai();
const YEAR = Number(T.slice(0, 4)) + 1;
const DUE = addDays(T, 20);

let unitA: Row;
let unitB: Row;
let specA: Session;
let specB: Session;
let viewA: Row;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, BASE);
  admin = await login(a.app, 'demo-admin');
  // A: a unit with a specialist and vacancies; B: another unit with a specialist, neither in the other's subtree.
  const specialists: Row[] = await a.t.db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').orderBy('id');
  for (const s of specialists) {
    const q = await a.t.db('quotas').where({ unit_id: s.unit_id }).sum({ n: 'approved' }).first();
    if (!unitA && Number(q?.n ?? 0) > 3) {
      unitA = await a.t.db('units').where({ id: s.unit_id }).first();
      specA = await login(a.app, s.id);
      continue;
    }
    if (unitA && !unitB && Number(s.unit_id) !== Number(unitA.id)) {
      const subA = await subtreeIds(a.t.db, Number(unitA.id));
      const subB = await subtreeIds(a.t.db, Number(s.unit_id));
      if (subA.includes(Number(s.unit_id)) || subB.includes(Number(unitA.id))) continue;
      unitB = await a.t.db('units').where({ id: s.unit_id }).first();
      specB = await login(a.app, s.id);
    }
  }
  expect(unitA && unitB).toBeTruthy();
});
afterAll(async () => {
  await a?.close();
});

const unitUrl = (u: Row) => `/api/budgets/units/${u.id}`;
const view = async (s: Session, u: Row) => a.app.inject({ method: 'GET', url: `${unitUrl(u)}?year=${YEAR}`, headers: s.read });
const save = (s: Session, u: Row, lines: unknown, version?: number | null) => a.app.inject({ method: 'PUT', url: unitUrl(u), headers: s.write, payload: { year: YEAR, lines, ...(version !== undefined ? { version } : {}) } as any });
const submit = (s: Session, u: Row, lines: unknown) => a.app.inject({ method: 'POST', url: `${unitUrl(u)}/submit`, headers: s.write, payload: { year: YEAR, lines } as any });
const review = (s: Session, u: Row, action: string, reason?: string) => a.app.inject({ method: 'POST', url: `${unitUrl(u)}/review`, headers: s.write, payload: { year: YEAR, action, ...(reason !== undefined ? { reason } : {}) } });
const stateOf = async (u: Row) => (await a.t.db('budgets').where({ unit_id: u.id, year: YEAR }).first())?.state ?? null;

describe('opening the year', () => {
  it('refuses a unit, a bad year and a bad due date (naming the field); opens once, with a notice to every unit reached', async () => {
    const open = (s: Session, body: unknown) => a.app.inject({ method: 'POST', url: '/api/budgets/rounds', headers: s.write, payload: body as any });
    expect((await open(specA, { year: YEAR, dueOn: DUE })).statusCode).toBe(403);
    const badYear = await open(admin, { year: 1999, dueOn: DUE });
    expect(badYear.statusCode).toBe(400);
    expect(badYear.json().error).toMatch(/预算年度须在/);
    const badDay = await open(admin, { year: YEAR, dueOn: `${YEAR - 1}-02-30` });
    expect(badDay.statusCode).toBe(400);
    expect(badDay.json().error).toMatch(/填报截止日期 应为 YYYY-MM-DD 格式的真实日期/);
    const past = await open(admin, { year: YEAR, dueOn: addDays(T, -1) });
    expect(past.statusCode).toBe(400);
    expect(past.json().error).toMatch(/早于今天/);
    expect(await a.t.db('budget_rounds').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    // Before the round a unit cannot save.
    expect((await save(specA, unitA, [])).statusCode).toBe(409);
    const ok = await open(admin, { year: YEAR, dueOn: DUE });
    expect(ok.statusCode, ok.body).toBe(200);
    const units = Number((await a.t.db('units').count({ n: '*' }).first())!.n);
    expect(ok.json()).toMatchObject({ year: YEAR, dueOn: DUE, units });
    const notices = await a.t.db('outbox').where('dedup_key', 'like', `budget-open:${YEAR}:%`).select('payload');
    const reachable = await a.t.db('units').where((w) => w.whereNotNull('group_id').andWhereNot('group_id', '')
      .orWhereIn('id', a.t.db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').select('unit_id'))).count({ n: '*' }).first();
    expect(notices.length).toBe(Number(reachable!.n));
    expect(notices.length).toBeGreaterThan(0);
    const text = JSON.stringify(JSON.parse(notices[0].payload));
    expect(text).toContain(`${YEAR}年度编制使用预算填报`);
    expect(text).toMatch(new RegExp(`/m/#/annual-budget/\\d+\\?year=${YEAR}`));
    const again = await open(admin, { year: YEAR, dueOn: DUE });
    expect(again.statusCode).toBe(409);
    expect((await a.t.db('outbox').where('dedup_key', 'like', `budget-open:${YEAR}:%`)).length).toBe(notices.length);
    expect(await a.t.db('audit_log').where({ action: 'budget.open' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });
});

describe('a unit fills its budget', () => {
  it('shows 核定/实有/空编 per 编制类型 as the tables say and the year\'s forecast retirements', async () => {
    const res = await view(specA, unitA);
    expect(res.statusCode, res.body).toBe(200);
    viewA = res.json();
    const pending = (await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: specA.read })).json();
    expect(pending).toEqual([expect.objectContaining({ unitId: Number(unitA.id), year: YEAR, dueOn: DUE, state: 'none', stateText: '未填' })]);
    expect((await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: admin.read })).json()).toEqual([]);
    expect(viewA).toMatchObject({ state: 'none', stateText: '未填', canEdit: true, version: null, round: { year: YEAR, dueOn: DUE } });
    const quotas: Row[] = await a.t.db('quotas').where({ unit_id: unitA.id }).where('approved', '>', 0).select('kind', 'approved');
    for (const q of quotas) {
      const k = viewA.kinds.find((x: Row) => x.kind === q.kind);
      expect(k?.approved, q.kind).toBe(Number(q.approved));
      const n = Number((await a.t.db('people').where({ unit_id: unitA.id, status: '在编', quota_kind: q.kind }).count({ n: '*' }).first())!.n);
      expect(k.actual).toBe(n);
      expect(k.vacant).toBe(Math.max(0, Number(q.approved) - n));
      const r = await a.t.db('unit_stats').where({ unit_id: unitA.id, dim: 'retire' }).where('key', 'like', `${YEAR}-%|${q.kind}`).sum({ n: 'n' }).first();
      expect(k.retireForecast).toBe(Number(r?.n ?? 0));
      expect(k.line.retire).toBe(k.retireForecast);
    }
  });

  it('saves a draft as entered (even beyond the limit), submits only within 核定 with errors naming the kind and field', async () => {
    const k = viewA.kinds.find((x: Row) => x.limit > 0) ?? viewA.kinds[0];
    const lineOf = (over: Row) => viewA.kinds.map((x: Row) => (x.kind === k.kind ? { ...x.line, ...over } : x.line));
    const tooMany = lineOf({ addRecruit: k.limit + 1, note: '急需补充' });
    const d = await save(specA, unitA, tooMany, null);
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json()).toMatchObject({ state: 'draft', stateText: '草稿', version: 1 });
    const kept = (await view(specA, unitA)).json();
    expect(kept.kinds.find((x: Row) => x.kind === k.kind).line).toMatchObject({ addRecruit: k.limit + 1, note: '急需补充' });
    const refused = await submit(specA, unitA, tooMany);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toContain(`${k.kind}的“计划补充（入编）”合计 ${k.limit + 1} 人，超过可补充数 ${k.limit} 人`);
    expect(refused.json().fields[`${k.kind}.addRecruit`]).toBeTruthy();
    const bad = await save(specA, unitA, lineOf({ addTransfer: 'x' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(new RegExp(`${k.kind}的“计划补充（调入）”须为 0 到 9999 之间的整数`));
    const reason = await submit(specA, unitA, lineOf({ retire: k.retireForecast + 1 }));
    expect(reason.statusCode).toBe(400);
    expect(reason.json().fields[`${k.kind}.retireReason`]).toMatch(/请在“退休人数调整原因”中说明/);
    // A stale version is refused; nothing changes.
    expect((await save(specA, unitA, tooMany, 7)).statusCode).toBe(409);
    expect(await stateOf(unitA)).toBe('draft');
    // Full-width digits typed with a Chinese IME (“１”) are the digits they look like.
    const wide = await save(specA, unitA, lineOf({ addTransfer: '１', addMilitary: ' ０ ' }));
    expect(wide.statusCode, wide.body).toBe(200);
    expect((await view(specA, unitA)).json().kinds.find((x: Row) => x.kind === k.kind).line).toMatchObject({ addTransfer: 1, addMilitary: 0 });
    const ok = await submit(specA, unitA, lineOf({ addRecruit: k.limit, addMilitary: 0, note: '公开招考' }));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'submitted', stateText: '已提交' });
    expect((await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: specA.read })).json()).toEqual([]);
    expect((await save(specA, unitA, tooMany)).statusCode).toBe(409);
  });

  it('refuses another unit\'s user, the office\'s filling, and a reader\'s review', async () => {
    const out = await save(specB, unitA, []);
    expect(out.statusCode).toBe(403);
    expect(out.json().error).toBe('超出您的数据范围');
    expect((await view(specB, unitA)).statusCode).toBe(403);
    expect((await submit(specA, unitB, [])).statusCode).toBe(403);
    const office = await save(admin, unitA, []);
    expect(office.statusCode).toBe(403);
    expect(office.json().error).toMatch(/单位专管员填报/);
    const byUnit = await review(specA, unitA, 'approve');
    expect(byUnit.statusCode).toBe(403);
    expect(await stateOf(unitA)).toBe('submitted');
  });

  it('the office returns with a reason, the unit resubmits, the office approves, edits are refused; the office may reopen', async () => {
    const noReason = await review(admin, unitA, 'return', ' ');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error).toBe('退回修改须填写原因');
    const ret = await review(admin, unitA, 'return', '请核实军转安置计划');
    expect(ret.statusCode, ret.body).toBe(200);
    expect(ret.json().state).toBe('returned');
    const back = (await view(specA, unitA)).json();
    expect(back).toMatchObject({ state: 'returned', reason: '请核实军转安置计划', canEdit: true });
    // The unit is told, with the reason and a link to its form.
    const told = await a.t.db('outbox').where('dedup_key', 'like', `budget-review:${YEAR}:${unitA.id}:%`).select('payload');
    expect(told).toHaveLength(1);
    const said = JSON.stringify(JSON.parse(told[0].payload));
    expect(said).toContain('退回修改');
    expect(said).toContain('请核实军转安置计划');
    expect(said).toContain(`/m/#/annual-budget/${unitA.id}?year=${YEAR}`);
    const lines = back.kinds.map((x: Row) => ({ ...x.line, addRecruit: 0 }));
    expect((await submit(specA, unitA, lines)).json().state).toBe('submitted');
    const ok = await review(admin, unitA, 'approve');
    expect(ok.json()).toMatchObject({ state: 'approved', stateText: '已通过' });
    const locked = await save(specA, unitA, lines);
    expect(locked.statusCode).toBe(409);
    expect(locked.json().error).toMatch(/已审核通过并锁定/);
    expect((await submit(specA, unitA, lines)).statusCode).toBe(409);
    expect((await review(admin, unitA, 'approve')).statusCode).toBe(409);
    const v = (await view(specA, unitA)).json();
    expect(v).toMatchObject({ canEdit: false, readOnly: expect.stringMatching(/已锁定/) });
    expect(v.history.map((h: Row) => h.actionText)).toEqual(['审核通过', '提交', '退回修改', '提交', '保存草稿', '保存草稿']);
    expect((await review(admin, unitA, 'reopen')).statusCode).toBe(400);
    expect((await review(admin, unitA, 'reopen', '人数需按新文件调整')).json().state).toBe('returned');
    expect((await submit(specA, unitA, lines)).json().state).toBe('submitted');
    expect((await review(admin, unitA, 'approve')).json().state).toBe('approved');
    const acts = (await a.t.db('audit_log').where('action', 'like', 'budget.%').pluck('action')).sort();
    expect(acts.filter((x: string) => x === 'budget.approve')).toHaveLength(2);
    expect(acts).toContain('budget.return');
    expect(acts).toContain('budget.reopen');
    expect(await a.t.db('outbox').where('dedup_key', 'like', `budget-review:${YEAR}:${unitA.id}:%`)).toHaveLength(4);
  });
});

describe('the reminder and the 预算报表', () => {
  it('the job reminds, on its day only, the units that have not submitted', async () => {
    const cal = await loadCalendar(a.t.db);
    const day = reminderDayFor(DUE, cal);
    const before = await remindBudgets(a.t.db, { date: addDays(day, -1), publicBaseUrl: BASE });
    expect(before.notices.unitIds).toEqual([]);
    const r = await remindBudgets(a.t.db, { date: day, publicBaseUrl: BASE });
    expect(r.notices.unitIds.length).toBeGreaterThan(0);
    expect(r.notices.unitIds).not.toContain(Number(unitA.id));
    const again = await remindBudgets(a.t.db, { date: day, publicBaseUrl: BASE });
    expect(again.notices.unitIds).toEqual([]);
    const sent = await a.t.db('outbox').where('dedup_key', 'like', `budget-remind:${YEAR}:${day}:%`).select('payload');
    expect(sent.length).toBe(r.notices.unitIds.length);
    expect(JSON.stringify(JSON.parse(sent[0].payload))).toContain('尚未提交');
  });

  it('the .xlsx has a 说明 sheet, a row per unit and kind, subtotals, and totals equal to sums counted from the stored budgets', async () => {
    // B submits too: budgets of two units, one approved, one submitted.
    const vb = (await view(specB, unitB)).json();
    const linesB = vb.kinds.map((x: Row) => ({ ...x.line, addTransfer: Math.min(1, x.limit), otherOut: x.actual > x.retireForecast ? 1 : 0 }));
    const sb = await submit(specB, unitB, linesB);
    expect(sb.statusCode, sb.body).toBe(200);
    // One 在编 person of B loses the 编制类型; one quota of another unit drops below its 实有 (超编).
    const p: Row = await a.t.db('people').where({ unit_id: unitB.id, status: '在编' }).whereNotNull('quota_kind').orderBy('id').first();
    await a.t.db('people').where({ id: p.id }).update({ quota_kind: null });
    const full: Row = (await a.t.db('quotas as q').whereNotIn('q.unit_id', [unitA.id, unitB.id]).where('q.approved', '>', 1)
      .whereExists(a.t.db('people as p').whereRaw('p.unit_id = q.unit_id and p.quota_kind = q.kind').where('p.status', '在编').select(a.t.db.raw('1'))).orderBy('q.id').first('q.*'));
    const onFull = Number((await a.t.db('people').where({ unit_id: full.unit_id, quota_kind: full.kind, status: '在编' }).count({ n: '*' }).first())!.n);
    await a.t.db('quotas').where({ id: full.id }).update({ approved: Math.max(0, onFull - 1) });
    const res = await a.app.inject({ method: 'GET', url: `/api/budgets/export?year=${YEAR}`, headers: admin.read });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toContain(`budget-${YEAR}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as any);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '预算报表']);
    const ws = wb.getWorksheet('预算报表')!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual([...BUDGET_HEADERS]);
    // Every row, 小计 and 合计 adds up: 空编 − 超编 = 核定 − 实有 (超编 is not hidden).
    const c = (h: string) => BUDGET_HEADERS.indexOf(h as any);
    for (const r of rows.slice(1)) expect(Number(r[c('空编')]) - Number(r[c('超编')]), String(r.slice(0, 3))).toBe(Number(r[c('核定编制')]) - Number(r[c('实有在编')]));
    // 超编 counted here per unit and kind from the quotas and people tables.
    const qs: Row[] = await a.t.db('quotas').select('unit_id', 'kind', 'approved');
    const ps: Row[] = await a.t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind');
    const cells = new Map<string, { a: number; n: number }>();
    for (const q of qs) cells.set(`${q.unit_id}|${q.kind}`, { a: Number(q.approved), n: 0 });
    for (const x of ps) if (x.quota_kind) { const k = `${x.unit_id}|${x.quota_kind}`; cells.set(k, { a: cells.get(k)?.a ?? 0, n: Number(x.n) }); }
    const overCount = [...cells.values()].reduce((n, x) => n + Math.max(0, x.n - x.a), 0);
    expect(rows[rows.length - 1][c('超编')]).toBe(overCount);
    expect(overCount).toBeGreaterThan(0);
    // 在编 people without a 编制类型 are not 实有 of any kind: the 说明 sheet says how many and where (the 决算报表 counts them).
    const about: string[] = [];
    wb.getWorksheet('说明')!.eachRow((r) => about.push((r.values as unknown[]).slice(1).join(' ')));
    const unkinded = Number((await a.t.db('people').where({ status: '在编' }).where((w) => w.whereNull('quota_kind').orWhere('quota_kind', '')).count({ n: '*' }).first())!.n);
    expect(unkinded).toBeGreaterThan(0);
    expect(about.find((l) => l.startsWith('实有在编的口径'))).toContain(`本次导出范围内有 ${unkinded} 人`);
    expect(about.join('\n')).toContain(`决算报表的实有比本表多 ${unkinded} 人`);
    const col = (h: string) => BUDGET_HEADERS.indexOf(h as any);
    const total = rows[rows.length - 1];
    expect(total[1]).toBe('合计');
    // Independent sums: the stored lines of the year's budgets, and the quotas table.
    const stored: Row[] = await a.t.db('budgets').where({ year: YEAR }).select('lines');
    const all = stored.flatMap((s) => JSON.parse(s.lines) as Row[]);
    const sum = (f: (l: Row) => number) => all.reduce((n, l) => n + f(l), 0);
    expect(total[col('计划补充：公开招考/招聘')]).toBe(sum((l) => l.addRecruit));
    expect(total[col('计划补充：调入')]).toBe(sum((l) => l.addTransfer));
    expect(total[col('计划补充合计')]).toBe(sum((l) => l.addRecruit + l.addTransfer + l.addMilitary + l.addOther));
    expect(total[col('预计减少：退休')]).toBe(sum((l) => l.retire));
    expect(total[col('预计减少：调出等其他')]).toBe(sum((l) => l.otherOut));
    expect(sum((l) => l.addTransfer)).toBeGreaterThan(0);
    const approved = await a.t.db('quotas').sum({ n: 'approved' }).first();
    expect(total[col('核定编制')]).toBe(Number(approved!.n));
    const onQuota = await a.t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').whereNot('quota_kind', '').count({ n: '*' }).first();
    expect(total[col('实有在编')]).toBe(Number(onQuota!.n));
    // Each unit's 小计 is the sum of its kinds' rows.
    const subA = rows.find((r) => r[0] === Number(unitA.id) && r[2] === '小计')!;
    const kindRows = rows.filter((r) => r[0] === Number(unitA.id) && r[2] !== '小计');
    expect(kindRows.length).toBeGreaterThan(0);
    expect(subA[col('核定编制')]).toBe(kindRows.reduce((n, r) => n + Number(r[col('核定编制')]), 0));
    expect(subA[col('计划补充合计')]).toBe(kindRows.reduce((n, r) => n + Number(r[col('计划补充合计')] ?? 0), 0));
    expect(subA[col('状态')]).toBe('已通过');
    expect(rows.find((r) => r[0] === Number(unitB.id) && r[2] === '小计')![col('状态')]).toBe('已提交');
    const units = Number((await a.t.db('units').count({ n: '*' }).first())!.n);
    expect(rows.filter((r) => r[2] === '小计')).toHaveLength(units);
    expect(await a.t.db('audit_log').where({ action: 'budget.export' }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    // The console's list says the same.
    const list = (await a.app.inject({ method: 'GET', url: `/api/budgets?year=${YEAR}`, headers: admin.read })).json();
    expect(list.counts).toMatchObject({ units, approved: 1, submitted: 1 });
    expect(list.total.addTotal).toBe(total[col('计划补充合计')]);
    expect(list.total.vacant - list.total.over).toBe(list.total.approved - list.total.actual);
    expect(list.rows.find((r: Row) => r.unitId === Number(full.unit_id)).sums.over).toBeGreaterThan(0);
    expect(list.rows.find((r: Row) => r.unitId === Number(unitB.id)).unkinded).toBe(1);
    expect((await a.app.inject({ method: 'GET', url: `/api/budgets?year=${YEAR}`, headers: specA.read })).statusCode).toBe(403);
  });

  it('a unit without 单位专管员 is filled by its 单位领导; while it has one, the leader reads and is told whom to ask', async () => {
    const leaders: Row[] = await a.t.db('users').where({ role: '单位领导' }).whereNotNull('unit_id').whereNotIn('unit_id', [unitA.id, unitB.id]).orderBy('id');
    let leader: Row | undefined;
    let specs: Row[] = [];
    for (const l of leaders) {
      specs = await a.t.db('users').where({ role: '单位专管员', unit_id: l.unit_id, locked: false });
      if (specs.length) { leader = l; break; }
    }
    expect(leader).toBeTruthy();
    const unitC: Row = await a.t.db('units').where({ id: leader!.unit_id }).first();
    const lead = await login(a.app, leader!.id);
    const ro = (await view(lead, unitC)).json();
    expect(ro).toMatchObject({ canEdit: false, readOnly: expect.stringContaining(`单位专管员（${specs.map((x) => x.name).join('、')}）填报`) });
    const refused = await save(lead, unitC, []);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain(specs[0].name);
    expect((await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: lead.read })).json()).toEqual([]);
    // The unit's specialists leave (locked): the leader fills and submits.
    await a.t.db('users').whereIn('id', specs.map((x) => x.id)).update({ locked: true });
    const rw = (await view(lead, unitC)).json();
    expect(rw).toMatchObject({ canEdit: true, readOnly: null });
    expect((await a.app.inject({ method: 'GET', url: '/api/budgets/pending', headers: lead.read })).json()).toEqual([expect.objectContaining({ unitId: Number(unitC.id) })]);
    const lines = rw.kinds.map((x: Row) => x.line);
    expect((await save(lead, unitC, lines)).statusCode).toBe(200);
    const sub = await submit(lead, unitC, lines);
    expect(sub.statusCode, sub.body).toBe(200);
    expect(await stateOf(unitC)).toBe('submitted');
    expect((await a.t.db('budgets').where({ unit_id: unitC.id, year: YEAR }).first()).submitted_by).toBe(leader!.id);
  });
});

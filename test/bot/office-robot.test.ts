// The robot for the office roles (every unit in scope), through the sandbox platform on a real
// database (SQLite; MariaDB with SANSE_TEST_DB=mysql): `编制` and `退休` without a unit answer for
// the whole county, `待整改` lists units by red count; the figures are checked against sums taken
// here from the seeded tables. The unit roles keep their answers for their own unit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { sectorOf } from '../../bot/office-answers.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { createCalendar } from '../../core/calendar.ts';
import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { findingLight } from '../../core/lights.ts';
import { personRetirement } from '../../core/rules/retirement.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { loadUnits, PERSON_COLUMNS, personFromRow } from '../../db/records.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { shownText } from './markdown.ts';

type Row = Record<string, any>;
const D0 = '2026-11-23';
const cal = createCalendar();
const D4 = cal.addWorkdays(D0, 4);
let t: TestDb;
let ask: (userId: string, text: string) => Promise<string>;
let sandboxPlatform: ReturnType<typeof createSandboxPlatform>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: D0 });
  await dailyCheck(t.db, D0, 'http://127.0.0.1:3000');
  await dailyCheck(t.db, D4, 'http://127.0.0.1:3000');
  const sandbox = createSandboxPlatform(t.db);
  sandboxPlatform = sandbox;
  await sandbox.start(recordingHandler(t.db, businessHandler(t.db, { today: () => D4 }), { warn: () => {} }));
  ask = async (userId, text) => {
    const user = await t.db('users').where({ id: userId }).first();
    const conv = `user:${userId}`;
    await sandbox.say(conv, { id: userId, name: user.name }, text);
    const last = await t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
    return JSON.parse(last.payload).message.text as string;
  };
}, 120_000);
afterAll(async () => { await t.close(); });

/** The rows of a markdown table whose first cell is `first` (cells trimmed, bold removed). */
function tableRow(text: string, first: string): string[] | undefined {
  return text.split('\n').map((l) => l.split('|').slice(1, -1).map((c) => c.replace(/\*\*/g, '').trim())).find((cells) => cells[0] === first);
}

const office = async () => (await t.db('users').where({ role: '编办业务人员', locked: false }).first()).id as string;

/** What the robot answers in a unit's 工作群, as `userId` asks it there. */
async function askInGroup(groupId: string, userId: string, text: string): Promise<string> {
  const user = await t.db('users').where({ id: userId }).first();
  const conv = `group:${groupId}`;
  await sandboxPlatform.say(conv, { id: userId, name: user.name }, text);
  const last = await t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
  return JSON.parse(last.payload).message.text as string;
}

describe('the robot in a unit\'s 工作群', () => {
  it('answers the office within that unit: its members read the answer, not other units\' people or the county ranking', async () => {
    const unit = await t.db('units').whereNotNull('group_id').whereNull('parent_id').orderBy('id').first();
    const stranger = await t.db('people as p').join('units as u', 'u.id', 'p.unit_id').whereNot('u.id', unit.id).whereNot('u.parent_id', unit.id).first('p.name', 'u.name as unit_name');
    const asker = await office();
    const found = await askInGroup(unit.group_id, asker, `查 ${stranger.name}`);
    expect(found).not.toContain(stranger.unit_name);
    expect(found).toContain('没有找到');
    const todo = await askInGroup(unit.group_id, asker, '待整改');
    const others: string[] = await t.db('units').whereNot({ id: unit.id }).whereNot({ parent_id: unit.id }).orWhereNull('parent_id').whereNot({ id: unit.id }).pluck('name');
    for (const name of others) if (!name.includes(unit.name)) expect(todo, name).not.toContain(name);
    // The same question in a 1:1 chat gets the county.
    expect(await ask(asker, '待整改')).not.toEqual(todo);
  });
});

describe('the robot for the office', () => {
  it('编制: the county by 编制类型, net and gross 空编, the 超编 units', async () => {
    const text = await ask(await office(), '编制');
    expect(text).toContain('全部单位编制情况');
    // Sums of the seeded tables: 核定 by unit and kind, 在编 people by unit and kind.
    const approved: Row[] = await t.db('quotas').select('unit_id', 'kind', 'approved');
    const actual: Row[] = await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind as kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind');
    const cells = new Map<string, { a: number; c: number }>();
    for (const r of approved) cells.set(`${r.unit_id}|${r.kind}`, { a: Number(r.approved), c: 0 });
    for (const r of actual) cells.set(`${r.unit_id}|${r.kind}`, { a: cells.get(`${r.unit_id}|${r.kind}`)?.a ?? 0, c: Number(r.n) });
    const kinds = new Map<string, { a: number; c: number; gross: number; over: number; overUnits: number }>();
    const overUnits = new Set<string>();
    for (const [key, { a, c }] of cells) {
      const [unit, kind] = key.split('|');
      const k = kinds.get(kind) ?? { a: 0, c: 0, gross: 0, over: 0, overUnits: 0 };
      k.a += a; k.c += c; k.gross += Math.max(0, a - c); k.over += Math.max(0, c - a);
      if (c > a) { k.overUnits++; overUnits.add(unit); }
      kinds.set(kind, k);
    }
    let total = { a: 0, c: 0, gross: 0, over: 0 };
    for (const [kind, k] of kinds) {
      const net = k.a - k.c;
      expect(tableRow(text, kind), kind).toEqual([kind, String(k.a), String(k.c), net >= 0 ? String(net) : `净超编 ${-net}`, String(k.gross), String(k.over)]);
      total = { a: total.a + k.a, c: total.c + k.c, gross: total.gross + k.gross, over: total.over + k.over };
    }
    const sum = tableRow(text, '合计')!;
    expect(sum.slice(1)).toEqual([String(total.a), String(total.c), String(total.a - total.c), String(total.gross), String(total.over)]);
    expect(text).toContain(`净空编率 ${(((total.a - total.c) / total.a) * 100).toFixed(1)}%`);
    // Gross exceeds net by exactly the 超编 (domain.md §7).
    expect(total.gross - (total.a - total.c)).toBe(total.over);
    expect(overUnits.size).toBeGreaterThan(0);
    expect(text).toContain(`超编单位 ${overUnits.size} 个`);
    const names: Row[] = await t.db('units').whereIn('id', [...overUnits].map(Number)).select('name');
    for (const { name } of names.slice(0, 10)) if (overUnits.size <= 10) expect(shownText(text)).toContain(name);
  });

  it('退休: the next 5 years by year and by sector, adding up', async () => {
    const text = await ask(await office(), '退休');
    const from = monthOf(D4);
    const to = addMonthsToMonth(from, 60);
    const units = await loadUnits(t.db, D4, null, { regionTotals: false });
    const byYear = new Map<string, number>();
    const bySector = new Map<string, number>();
    for (const r of (await t.db('people').where({ status: '在编' }).select(PERSON_COLUMNS)) as Row[]) {
      const p = personFromRow(r);
      const u = units.get(p.unitId)!;
      const ret = personRetirement(p, u);
      if (!ret || ret.retirement.month < from || ret.retirement.month >= to) continue;
      byYear.set(ret.retirement.month.slice(0, 4), (byYear.get(ret.retirement.month.slice(0, 4)) ?? 0) + 1);
      bySector.set(sectorOf(u), (bySector.get(sectorOf(u)) ?? 0) + 1);
    }
    expect(byYear.size).toBeGreaterThan(0);
    const header = tableRow(text, '年份')!;
    for (const [year, n] of byYear) {
      const row = tableRow(text, `${year}年`)!;
      expect(row[1], year).toBe(String(n));
      expect(row.slice(2).reduce((s, c) => s + Number(c), 0)).toBe(n);
    }
    const sum = tableRow(text, '合计')!;
    for (const [sector, n] of bySector) expect(sum[header.indexOf(sector)], sector).toBe(String(n));
    expect(text).toContain('按单位名称推断');
  });

  it('待整改: units by red count, not people', async () => {
    const text = await ask(await office(), '待整改');
    const open: Row[] = await t.db('findings as f').join('units as u', 'u.id', 'f.unit_id').where('f.status', 'open').select('u.name', 'f.rule', 'f.opened_on');
    const counts = new Map<string, { red: number; yellow: number }>();
    for (const f of open) {
      const l = findingLight({ rule: f.rule, openedOn: f.opened_on, resolvedOn: null }, D4, cal);
      if (l === 'hint') continue; // 提示: not in the ranking
      const c = counts.get(f.name) ?? { red: 0, yellow: 0 };
      if (l === 'red') c.red++;
      else c.yellow++;
      counts.set(f.name, c);
    }
    const ranked = [...counts.entries()].sort(([a, x], [b, y]) => y.red - x.red || y.yellow - x.yellow || a.localeCompare(b, 'zh-CN'));
    expect(ranked[0][1].red).toBeGreaterThan(0);
    const rows = text.split('\n').filter((l) => /^\|/.test(l)).slice(2).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows.length).toBe(Math.min(10, ranked.length));
    rows.forEach((r, i) => expect(r.slice(1), r[0]).toEqual([String(ranked[i][1].red), String(ranked[i][1].yellow)]));
    for (let i = 1; i < rows.length; i++) expect(Number(rows[i - 1][1])).toBeGreaterThanOrEqual(Number(rows[i][1]));
    expect(text).toContain(`${counts.size} 个单位有待整改问题`);
    // No person: no masked ID number, no 人员 line.
    expect(text).not.toMatch(/\d{6}\*+/);
  });

  it('names a unit when asked for one, as before', async () => {
    const unit = await t.db('units').whereExists(t.db('quotas').whereRaw('quotas.unit_id = units.id')).first('name');
    expect(await ask(await office(), `编制 ${unit.name}`)).toContain(`${unit.name} 编制情况`);
  });
});

describe('the robot for unit roles keeps its answers', () => {
  it('编制, 退休 and 待整改 for the asker\'s unit', async () => {
    const specialist = await t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').first();
    const unit = await t.db('units').where({ id: specialist.unit_id }).first('name');
    expect(await ask(specialist.id, '编制')).toMatch(/编制类型\s*\|\s*核定\s*\|\s*实有\s*\|\s*空编\s*\|\s*超编/);
    expect(await ask(specialist.id, '退休')).toContain('今后5年');
    expect(await ask(specialist.id, '退休')).not.toContain('全部单位');
    const todo = await ask(specialist.id, '待整改');
    expect(todo).not.toContain('全部单位待整改情况');
    expect(todo).not.toContain('已 0 个工作日');
    expect(shownText(todo)).toContain(unit.name);
  });
});

describe('sectors', () => {
  it('tells organs by 机构性质, schools and hospitals by name, and says which units have no 机构性质', () => {
    expect(sectorOf({ name: '绍兴市柯桥区教育体育局', nature: '政府机关' })).toBe('党政机关');
    expect(sectorOf({ name: '绍兴市柯桥区柯桥中学', nature: '事业单位' })).toBe('学校');
    expect(sectorOf({ name: '绍兴市柯桥区中心幼儿园', nature: '事业单位' })).toBe('学校');
    expect(sectorOf({ name: '绍兴市柯桥区人民医院', nature: '事业单位' })).toBe('医院和卫生机构');
    expect(sectorOf({ name: '绍兴市柯桥区柯桥街道社区卫生服务中心', nature: '事业单位' })).toBe('医院和卫生机构');
    expect(sectorOf({ name: '绍兴市柯桥区城市建设管理服务中心', nature: '事业单位' })).toBe('其他事业单位');
    expect(sectorOf({ name: '某单位', nature: null })).toBe('机构性质未填');
  });
});

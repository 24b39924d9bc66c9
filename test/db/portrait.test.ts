// 一单位一画像 (server/routes/api/portrait.ts over db/portrait.ts) on the demo county, SQLite and
// MariaDB: every figure against a count made here from the tables (quotas, people, leader_posts,
// internal_offices, findings, unit_daily_lights, unit_scores, staffing_requests, record_versions).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitRequest } from '../../commands/submit-request.ts';
import { addDays } from '../../core/dates.ts';
import { recheck, runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { unitPortrait } from '../../server/routes/api/portrait.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-30';
let t: TestDb;
type Row = Record<string, any>;
let unitId: number;
let leaderUnitId: number;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: TODAY });
  await runCheck(t.db, TODAY);
  // The unit with the most 在编 people, and one whose people hold 领导职务.
  const big = (await t.db('people').where({ status: '在编' }).select('unit_id').count({ n: '*' }).groupBy('unit_id').orderBy('n', 'desc').orderBy('unit_id').first()) as Row;
  unitId = Number(big.unit_id);
  const lead = (await t.db('people').where({ status: '在编' }).whereIn('leader_level', ['单位正职', '单位副职']).select('unit_id').count({ n: '*' }).groupBy('unit_id').orderBy('n', 'desc').orderBy('unit_id').first()) as Row;
  leaderUnitId = Number(lead.unit_id);
  // A month's score and a request, so those parts have something to show.
  await t.db('unit_scores').insert([
    { unit_id: unitId, month: '2026-09', score: 91.5, rank: 3, deductions: JSON.stringify({ completeness: 4, accuracy: 4.5, timeliness: 0, selfCheck: 0 }), computed_at: '2026-10-01 09:00:00' },
    { unit_id: unitId, month: '2026-10', score: 95, rank: 2, deductions: JSON.stringify({ completeness: 2, accuracy: 3, timeliness: 0, selfCheck: 0 }), computed_at: '2026-11-02 09:00:00' },
    { unit_id: leaderUnitId === unitId ? unitId + 1 : leaderUnitId, month: '2026-10', score: 80, rank: 9, deductions: JSON.stringify({}), computed_at: '2026-11-02 09:00:00' },
  ]);
  for (const month of ['2026-09', '2026-10']) await t.db('rankings').insert({ month, state: 'preview', units: month === '2026-10' ? 2 : 1, top: '[]', bottom: '[]', built_at: '2026-11-02 09:00:00' });
  const admin = (await t.db('users').where({ role: '编办管理员' }).first()) as Row;
  const kind = (await t.db('quotas').where({ unit_id: unitId }).orderBy('approved', 'desc').first()) as Row;
  await submitRequest({ db: t.db, pii: t.pii, today: TODAY, publicBaseUrl: 'http://127.0.0.1:3000' }, {
    actor: { id: admin.id, name: admin.name, role: admin.role, unitId: null, scope: null } as any,
    request: { 申请类型: '用编计划', 单位ID: unitId, 编制类型: kind.kind, 数量: 1, 申请理由: '补充空编' },
  }).catch(() => undefined);
}, 120_000);
afterAll(async () => t?.close());

const portraitOf = (id: number, role = '编办业务人员') => unitPortrait({ db: t.db, pii: t.pii, today: TODAY }, { role }, id);

describe('the unit portrait', () => {
  it('has 核定, 实有, 空编 and 超编 by kind as counted from quotas and people', async () => {
    const p = await portraitOf(unitId);
    const approved = new Map((await t.db('quotas').where({ unit_id: unitId }).select('kind', 'approved')).map((r: Row) => [r.kind, Number(r.approved)]));
    const actual = new Map<string, number>();
    for (const r of (await t.db('people').where({ unit_id: unitId, status: '在编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind')) as Row[]) actual.set(r.quota_kind, Number(r.n));
    const waiting = new Map<string, number>();
    for (const r of (await t.db('people').where({ unit_id: unitId, status: '待入编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind')) as Row[]) waiting.set(r.quota_kind, Number(r.n));
    const kinds = new Set([...approved.keys(), ...actual.keys()]);
    expect(new Set(p.quotas.filter((q) => q.approved || q.onQuota).map((q) => q.kind))).toEqual(kinds);
    for (const q of p.quotas) {
      const a = approved.get(q.kind) ?? 0;
      const n = actual.get(q.kind) ?? 0;
      expect([q.kind, q.approved, q.onQuota, q.vacant, q.over]).toEqual([q.kind, a, n, Math.max(0, a - n), Math.max(0, n - a)]);
      expect(q.inTransit).toBeGreaterThanOrEqual(waiting.get(q.kind) ?? 0);
    }
    expect(p.totals.approved).toBe([...approved.values()].reduce((x, y) => x + y, 0));
    expect(p.totals.onQuota).toBe([...actual.values()].reduce((x, y) => x + y, 0));
    expect(p.unit.name).toBe((await t.db('units').where({ id: unitId }).first()).name);
  });

  it('lists the 领导职数 and the 在编 people holding a 领导职务, ID numbers masked unless the role may see them', async () => {
    const p = await portraitOf(leaderUnitId, '单位专管员');
    const posts = (await t.db('leader_posts').where({ unit_id: leaderUnitId }).select('kind', 'approved')) as Row[];
    expect(Object.fromEntries(p.leaderPosts.map((l) => [l.kind, l.approved]))).toEqual(Object.fromEntries(posts.map((r) => [r.kind, Number(r.approved)])));
    const holders = (await t.db('people').where({ unit_id: leaderUnitId, status: '在编' }).whereNotNull('leader_level').whereNotIn('leader_level', ['', '非领导']).select('id', 'name', 'leader_level', 'id_masked')) as Row[];
    expect(holders.length).toBeGreaterThan(0);
    expect(p.leaders.map((l) => l.id).sort()).toEqual(holders.map((h) => Number(h.id)).sort());
    for (const lp of p.leaderPosts) expect(lp.holders).toBe(holders.filter((h) => h.leader_level === lp.kind).length);
    for (const l of p.leaders) {
      expect(l.idNumber).toBe(holders.find((h) => Number(h.id) === l.id)!.id_masked);
      expect(l.idNumber ?? '').toMatch(/\*{4,}/);
    }
    const full = await portraitOf(leaderUnitId, '编办管理员');
    expect(full.leaders[0].idNumber).toMatch(/^\d{17}[\dX]$/);
  });

  it('has the 内设机构, the structure and the retirements of the next 5 years', async () => {
    const p = await portraitOf(unitId);
    const offices = (await t.db('internal_offices').where({ unit_id: unitId }).select('name')).map((r: Row) => r.name);
    expect([...p.offices.names].sort()).toEqual([...offices].sort());
    const people = (await t.db('people').where({ unit_id: unitId, status: '在编' }).select('education', 'gender', 'id_gender')) as Row[];
    const edu: Record<string, number> = {};
    for (const r of people) edu[r.education || '未填'] = (edu[r.education || '未填'] ?? 0) + 1;
    expect(p.structure.find((s) => s.dim === 'education')!.counts).toEqual(edu);
    const total = (dim: string) => Object.values(p.structure.find((s) => s.dim === dim)!.counts).reduce((a, n) => a + n, 0);
    for (const s of p.structure) expect(total(s.dim)).toBe(people.length);
    // By year from the stored figures, the people from the unit's rows: the same definition.
    expect(p.retirements.years).toHaveLength(p.retirements.to.slice(0, 4) === p.retirements.from.slice(0, 4) ? 1 : Number(p.retirements.to.slice(0, 4)) - Number(p.retirements.from.slice(0, 4)) + 1);
    const byYear: Record<string, number> = {};
    for (const r of p.retirements.people) byYear[r.month.slice(0, 4)] = (byYear[r.month.slice(0, 4)] ?? 0) + 1;
    expect(Object.fromEntries(p.retirements.years.filter((y) => y.n).map((y) => [y.year, y.n]))).toEqual(byYear);
    expect(p.retirements.total).toBeGreaterThan(0);
    for (const r of p.retirements.people) expect(r.month >= p.retirements.from && r.month <= p.retirements.to).toBe(true);
  });

  it('has the open findings with their lights and fixes, the light history, scores, requests and versions', async () => {
    const p = await portraitOf(unitId);
    const open = Number((await t.db('findings').where({ unit_id: unitId, status: 'open' }).count({ n: '*' }).first())!.n);
    expect(p.findings.items).toHaveLength(open);
    expect(p.findings.counts.red + p.findings.counts.yellow + p.findings.counts.hint).toBe(open);
    for (const f of p.findings.items) expect(f.fix.href).toMatch(/^#\//);
    const days = Number((await t.db('unit_daily_lights').where({ unit_id: unitId }).where('date', '>', addDays(TODAY, -90)).count({ n: '*' }).first())!.n);
    expect(p.lights.days).toHaveLength(days);
    expect(days).toBeGreaterThan(0);
    expect(p.scores.map((s) => [s.month, s.score, s.rank])).toEqual([['2026-10', 95, 2], ['2026-09', 91.5, 3]]);
    expect(p.scores[0].units).toBe(2);
    const requests = (await t.db('staffing_requests').where({ unit_id: unitId }).whereNotNull('request_no').orderBy('id', 'desc').select('id', 'status')) as Row[];
    expect(requests.length).toBeGreaterThan(0);
    expect(p.requests.map((r) => [r.id, r.state])).toEqual(requests.map((r) => [Number(r.id), r.status]));
    for (const r of p.requests) expect(r.outcome?.step).toBe('提交');
    const versions = (await t.db('record_versions').where({ entity: 'unit', entity_id: unitId }).orderBy('version', 'desc').select('version')) as Row[];
    expect(p.history.map((h) => h.version)).toEqual(versions.map((v) => Number(v.version)).slice(0, 30));
    expect(p.unit.historyHref).toBe(`#/unit/${unitId}/history`);
  });

  it('follows a re-check: a person moved out of 在编 leaves the figures and the lists', async () => {
    const before = await portraitOf(leaderUnitId);
    const leader = before.leaders[0];
    await t.db('people').where({ id: leader.id }).update({ status: '待入编' });
    await recheck(t.db, { unitId: leaderUnitId }, TODAY);
    const after = await portraitOf(leaderUnitId);
    expect(after.leaders.map((l) => l.id)).not.toContain(leader.id);
    expect(after.totals.onQuota).toBe(before.totals.onQuota - (leader.quotaKind ? 1 : 0));
  });
});

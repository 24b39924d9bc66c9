// Card buttons through the sandbox platform, the way a click arrives from DingTalk: the registry
// of actions (bot/card-actions.ts), the clicker's scope, and a refusal answered on the card.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { CARD_ACTIONS } from '../../bot/card-actions.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform, type SandboxPlatform } from '../../bot/sandbox.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { nowMoment } from '../../db/clock.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { subtreeIds } from '../../db/scope.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

const D0 = '2026-11-23';
const D4 = createCalendar().addWorkdays(D0, 4);
let t: TestDb;
let sandbox: SandboxPlatform;
let unit: { id: number; open: number };
let outsider: string;
let insider: string;

/** The re-checks of a unit actually run: its people listed for the re-check (commands/recheck-unit.ts), seen on the wire. */
const runs = new Map<number, number>();
const RUN_SQL = /^select distinct [`"]id_hash[`"] from [`"]people[`"] where [`"]unit_id[`"] = \?/i;
const ranSince = async <T>(unitId: number, f: () => Promise<T>): Promise<{ value: T; runs: number }> => {
  const before = runs.get(unitId) ?? 0;
  const value = await f();
  return { value, runs: (runs.get(unitId) ?? 0) - before };
};
const notice = (r: unknown) => (r as { notice: string }).notice;
/** A write to one of the unit's people now, a second after anything before (moments are stored to the second). */
async function touchUnitPerson(unitId: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  const p = await t.db('people').where({ unit_id: unitId }).first('id');
  await t.db('people').where({ id: p.id }).update({ updated_at: nowMoment() });
}

const openOf = async (unitId: number) => Number((await t.db('findings').where({ unit_id: unitId, status: 'open' }).count({ n: '*' }).first())!.n);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 400, seed: 5, today: D0 });
  await dailyCheck(t.db, D0, 'http://127.0.0.1:3000');
  sandbox = createSandboxPlatform(t.db);
  await sandbox.start(recordingHandler(t.db, businessHandler(t.db, { today: () => D4 })));
  // A unit with open findings and a specialist; an outsider: a specialist of a unit outside its subtree and not above it.
  const specialists = await t.db('users').where({ role: '单位专管员', locked: false }).whereNotNull('unit_id').select('id', 'unit_id');
  for (const s of specialists) {
    const n = await openOf(Number(s.unit_id));
    if (!n) continue;
    const other = [];
    for (const o of specialists) {
      if (o.unit_id === s.unit_id) continue;
      if ((await subtreeIds(t.db, Number(o.unit_id))).includes(Number(s.unit_id))) continue;
      other.push(o);
    }
    if (!other.length) continue;
    unit = { id: Number(s.unit_id), open: n };
    insider = s.id;
    outsider = other[0].id;
    break;
  }
  expect(unit).toBeDefined();
  t.db.on('query', (q: { sql: string; bindings?: unknown[] }) => {
    if (RUN_SQL.test(q.sql)) runs.set(Number(q.bindings?.[0]), (runs.get(Number(q.bindings?.[0])) ?? 0) + 1);
  });
});
afterAll(async () => { await t.close(); });

describe('card actions', () => {
  it('are a registry from action id to a handler', () => {
    expect(Object.keys(CARD_ACTIONS)).toEqual(['recheck', 'approve', 'reject']);
  });

  it('refuse a unit outside the clicker\'s scope on the card, in Chinese, and change nothing', async () => {
    const before = await t.db('findings').where({ unit_id: unit.id }).orderBy('id').select('id', 'status', 'resolved_on');
    const r = await sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: outsider }, 'recheck', { unit: String(unit.id) });
    expect(r).toEqual({ notice: '超出您的数据范围' });
    expect(await t.db('findings').where({ unit_id: unit.id }).orderBy('id').select('id', 'status', 'resolved_on')).toEqual(before);
  });

  it('answer someone not on the 用户 sheet, and an unknown button, instead of ignoring them', async () => {
    expect(await sandbox.press('c1', { id: 'nobody' }, 'recheck', { unit: String(unit.id) })).toEqual({ notice: '您尚未开通“三色”使用权限，请联系本地编办。' });
    expect(await sandbox.press('c1', { id: insider }, 'withdraw', {})).toEqual({ notice: '该按钮已失效，请在小程序中操作' });
    expect(await sandbox.press('c1', { id: insider }, 'approve', {})).toEqual({ notice: '卡片上的申请已不存在或无法确定，请在小程序中查看' });
    expect(await sandbox.press('c1', { id: insider }, 'recheck', { unit: '99999999' })).toEqual({ notice: '卡片上的单位已不存在或无法确定，请在小程序中查看' });
  });

  it('re-check the unit for a clicker within scope and say what is left', async () => {
    const r = await sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) });
    expect(r).toMatchObject({ notice: expect.stringMatching(/^已重新检查：/) });
    expect((r as { notice: string }).notice).toContain(String(await openOf(unit.id)));
  });

  it('answer a second click on the card, and a callback delivered again, with the re-check already done, and run nothing', async () => {
    const rechecks = await t.db('unit_rechecks').where({ unit_id: unit.id }).count({ n: '*' }).first();
    for (const _ of [1, 2]) {
      const r = await ranSince(unit.id, () => sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) }));
      expect(notice(r.value)).toMatch(/^已由.+于\d\d:\d\d重新检查，结果见卡片$/);
      expect(r.runs).toBe(0);
    }
    expect(await t.db('unit_rechecks').where({ unit_id: unit.id }).count({ n: '*' }).first()).toEqual(rechecks);
  });

  it('re-check again once a record of the unit was written after the last re-check', async () => {
    await touchUnitPerson(unit.id);
    const r = await ranSince(unit.id, () => sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) }));
    expect(notice(r.value)).toMatch(/^已重新检查：/);
    expect(r.runs).toBe(1);
  });

  it('run one re-check for two clicks at once; the other is told it is running or done', async () => {
    await touchUnitPerson(unit.id);
    const resolvedBefore = await t.db('findings').where({ unit_id: unit.id, status: 'resolved' }).count({ n: '*' }).first();
    const r = await ranSince(unit.id, () => Promise.all([1, 2].map(() => sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) }))));
    const notices = r.value.map(notice).sort();
    expect(notices.filter((n) => n.startsWith('已重新检查：'))).toHaveLength(1);
    expect(notices.filter((n) => /正在重新检查该单位（\d\d:\d\d开始），完成后结果显示在卡片上$|^已由.+于\d\d:\d\d重新检查，结果见卡片$/.test(n))).toHaveLength(1);
    expect(r.runs).toBe(1);
    expect(await t.db('findings').where({ unit_id: unit.id, status: 'resolved' }).count({ n: '*' }).first()).toEqual(resolvedBefore);
  });

  it('answer a click while a re-check runs, and take one unfinished for over ten minutes for dead', async () => {
    await touchUnitPerson(unit.id);
    const name = (await t.db('users').where({ id: outsider }).first('name')).name;
    const running = await t.db('unit_rechecks').insert({ unit_id: unit.id, user_id: outsider, via: 'card', started_at: nowMoment(Date.now() - 60_000) });
    let r = await ranSince(unit.id, () => sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) }));
    expect(notice(r.value)).toBe(`${name}正在重新检查该单位（${nowMoment(Date.now() - 60_000).slice(11, 16)}开始），完成后结果显示在卡片上`);
    expect(r.runs).toBe(0);
    await t.db('unit_rechecks').where({ id: Number(running[0]) }).update({ started_at: nowMoment(Date.now() - 11 * 60_000) });
    r = await ranSince(unit.id, () => sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) }));
    expect(notice(r.value)).toMatch(/^已重新检查：/);
    expect(r.runs).toBe(1);
  });

  it('give a leader no 重新检查: their card leads to the list, and a click on an older card is refused and runs nothing', async () => {
    // Leaders' cards list red items: those of a later day.
    await dailyCheck(t.db, D4, 'http://127.0.0.1:3000');
    const cards: Array<{ card_id: string; data: string }> = await t.db('cards').select('card_id', 'data');
    const leaderCards = cards.filter((c) => c.card_id.startsWith('leader-digest:'));
    expect(leaderCards.length).toBeGreaterThan(0);
    for (const c of leaderCards) {
      const vars = JSON.parse(c.data).vars;
      expect(vars.recheckText).toBe('');
      expect(vars.url).toMatch(/\/m\/#\/todo\?unit=\d+$/);
    }
    for (const c of cards.filter((c) => c.card_id.startsWith('unit-digest:'))) expect(JSON.parse(c.data).vars.recheckText).toBe('已整改，重新检查');
    const leader = await t.db('users').where({ role: '单位领导', locked: false }).whereNotNull('unit_id').first('id', 'unit_id');
    const r = await ranSince(Number(leader.unit_id), () => sandbox.press(`leader-digest:${leader.id}:${D4}`, { id: leader.id }, 'recheck', { unit: String(leader.unit_id) }));
    expect(r.value).toEqual({ notice: '重新检查由单位专管员在整改后进行，您可在小程序中查看问题清单' });
    expect(r.runs).toBe(0);
  });
});

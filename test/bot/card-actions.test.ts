// Card buttons through the sandbox platform, the way a click arrives from DingTalk: the registry
// of actions (bot/card-actions.ts), the clicker's scope, and a refusal answered on the card.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { CARD_ACTIONS } from '../../bot/card-actions.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform, type SandboxPlatform } from '../../bot/sandbox.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
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
});
afterAll(async () => { await t.close(); });

describe('card actions', () => {
  it('are a registry from action id to a handler', () => {
    expect(Object.keys(CARD_ACTIONS)).toEqual(['recheck']);
  });

  it('refuse a unit outside the clicker\'s scope on the card, in Chinese, and change nothing', async () => {
    const before = await t.db('findings').where({ unit_id: unit.id }).orderBy('id').select('id', 'status', 'resolved_on');
    const r = await sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: outsider }, 'recheck', { unit: String(unit.id) });
    expect(r).toEqual({ notice: '超出您的数据范围' });
    expect(await t.db('findings').where({ unit_id: unit.id }).orderBy('id').select('id', 'status', 'resolved_on')).toEqual(before);
  });

  it('answer someone not on the 用户 sheet, and an unknown button, instead of ignoring them', async () => {
    expect(await sandbox.press('c1', { id: 'nobody' }, 'recheck', { unit: String(unit.id) })).toEqual({ notice: '您尚未开通“三色”使用权限，请联系本地编办。' });
    expect(await sandbox.press('c1', { id: insider }, 'approve', {})).toEqual({ notice: '该按钮已失效，请在小程序中操作' });
    expect(await sandbox.press('c1', { id: insider }, 'recheck', { unit: '99999999' })).toEqual({ notice: '卡片上的单位已不存在或无法确定，请在小程序中查看' });
  });

  it('re-check the unit for a clicker within scope and say what is left', async () => {
    const r = await sandbox.press(`unit-digest:${unit.id}:${D0}`, { id: insider }, 'recheck', { unit: String(unit.id) });
    expect(r).toMatchObject({ notice: expect.stringMatching(/^已重新检查：/) });
    expect((r as { notice: string }).notice).toContain(String(await openOf(unit.id)));
  });
});

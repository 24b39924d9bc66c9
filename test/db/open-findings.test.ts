// One order for open findings (core/lights.ts byUrgency: red first, then the earliest deadline,
// then id), from one query (db/findings.ts openFindingsQuery), and every list that shows open
// findings in it: the API's list (mini-app, console), the robot's 待整改, the digest cards, the
// overview and command line (listFindings) and the export.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byUrgency, openLightsOn } from '../../core/lights.ts';
import { answer } from '../../bot/robot.ts';
import { seedDemoCounty } from '../../commands/demo-county.ts';
import { exportWorkbook } from '../../db/export.ts';
import { listFindings, openFindingsQuery } from '../../db/findings.ts';
import { subtreeIds } from '../../db/scope.ts';
import { loadCalendar } from '../../db/settings.ts';
import { queryFindings } from '../../server/routes/api/common.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-27';
let t: TestDb;
/** Every open finding, sorted here with byUrgency from its computed light and deadline. */
let expected: Array<{ id: number; unitId: number; rule: string; subject: string; openedOn: string; light: string }>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemoCounty(t.db, t.pii, { units: 30, people: 400, seed: 7, today: TODAY }, 'http://127.0.0.1:3000');
  const lightOf = openLightsOn(TODAY, await loadCalendar(t.db));
  const rows = await t.db('findings').where({ status: 'open' }).select('id', 'unit_id', 'rule', 'subject_name', 'opened_on');
  expected = rows.map((r) => {
    const l = lightOf(r.opened_on, r.rule);
    return { id: Number(r.id), unitId: Number(r.unit_id), rule: r.rule, subject: r.subject_name, openedOn: r.opened_on, light: l.light, redFrom: l.redFrom };
  }).sort(byUrgency);
});
afterAll(async () => { await t.close(); });

describe('open findings, one urgency order', () => {
  it('byUrgency: red first, then yellow, then 提示, each by the earliest deadline, then id', () => {
    const list = [
      { id: 4, light: 'hint' as const, redFrom: '2026-11-10' },
      { id: 7, light: 'hint' as const, redFrom: '2026-11-09' },
      { id: 5, light: 'yellow' as const, redFrom: '2026-11-30' },
      { id: 9, light: 'red' as const, redFrom: '2026-11-20' },
      { id: 3, light: 'yellow' as const, redFrom: '2026-11-28' },
      { id: 2, light: 'red' as const, redFrom: '2026-11-24' },
      { id: 1, light: 'red' as const, redFrom: '2026-11-20' },
    ];
    expect(list.sort(byUrgency).map((f) => f.id)).toEqual([1, 9, 2, 3, 5, 7, 4]);
  });

  it('the demo has red, yellow and 提示 findings, several opened the same day', () => {
    expect(new Set(expected.map((f) => f.light))).toEqual(new Set(['red', 'yellow', 'hint']));
    expect(new Set(expected.map((f) => f.openedOn)).size).toBeLessThan(expected.length);
  });

  it('the one query gives that order', async () => {
    expect((await openFindingsQuery(t.db)).map((r: { id: number }) => Number(r.id))).toEqual(expected.map((f) => f.id));
  });

  it('the API list (mini-app 待整改, console) and listFindings (overview, sanse findings) give it', async () => {
    expect((await queryFindings(t.db, { status: 'open', unitIds: null, limit: 100_000 }, TODAY)).map((f) => f.id)).toEqual(expected.map((f) => f.id));
    expect((await listFindings(t.db, { status: 'open', date: TODAY })).map((f) => f.id)).toEqual(expected.map((f) => f.id));
  });

  it('each digest card lists its unit\'s red and yellow findings in it (a 提示 is no alert)', async () => {
    const cards = await t.db('cards').where('card_id', 'like', `unit-digest:%:${TODAY}`).select('data');
    expect(cards.length).toBeGreaterThan(1);
    for (const c of cards) {
      const state = JSON.parse(c.data) as { unitId: number; findingIds: number[] };
      expect(state.findingIds).toEqual(expected.filter((f) => f.unitId === state.unitId && f.light !== 'hint').map((f) => f.id));
    }
  });

  it('the robot\'s 待整改 for a unit lists the first ones in it', async () => {
    // A unit's specialist gets the people of their scope (the office gets units by red count).
    const counts = new Map<number, number>();
    for (const f of expected) counts.set(f.unitId, (counts.get(f.unitId) ?? 0) + 1);
    const specialists = await t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').select('id', 'name', 'unit_id');
    const user = specialists.sort((a, b) => (counts.get(Number(b.unit_id)) ?? 0) - (counts.get(Number(a.unit_id)) ?? 0))[0];
    const scope = new Set(await subtreeIds(t.db, Number(user.unit_id)));
    const mine = expected.filter((f) => scope.has(f.unitId));
    expect(mine.length).toBeGreaterThan(2);
    const reply = await answer(t.db, user.id, user.name, '待整改', TODAY);
    const text = reply.kind === 'text' ? reply.content : reply.text;
    let at = 0;
    for (const f of mine.slice(0, 10)) {
      const i = text.indexOf(f.subject, at);
      expect(i, `${f.subject} after position ${at}`).toBeGreaterThanOrEqual(at);
      at = i + f.subject.length;
    }
  });

  it('the export of findings gives it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-open-')), 'findings.xlsx');
    await exportWorkbook(t.db, 'findings', file, { today: TODAY });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('问题清单')!;
    const rows: Array<[string, string, string]> = [];
    ws.eachRow((row, n) => { if (n > 1) rows.push([String(row.getCell(1).value), String(row.getCell(6).value), String(row.getCell(9).value)]); });
    expect(rows).toEqual(expected.map((f) => [f.rule, f.subject, f.openedOn]));
  });
});

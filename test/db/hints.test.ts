// 提示 (S3 rules of the catalogue: 满编, 即将达到退休年龄, …) on a real database (SQLite, or
// MariaDB with SANSE_TEST_DB=mysql), over two months of daily checks: a hint is listed as 提示,
// after the red and yellow findings, and is never yellow or red, never in a unit's light, its
// counts, the digests or the month close.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../bot/robot.ts';
import { unitsByRed } from '../../bot/office-answers.ts';
import { queueDailyAlerts } from '../../commands/alerts.ts';
import { addDays } from '../../core/dates.ts';
import { idCheckChar } from '../../core/idnumber.ts';
import { unitLight } from '../../core/lights.ts';
import { ruleByCode, type Rule } from '../../core/rules/index.ts';
import { runCheck, type CheckSummary } from '../../db/check.ts';
import { exportWorkbook } from '../../db/export.ts';
import { listFindings, openCounts } from '../../db/findings.ts';
import { suspensionOn } from '../../db/sanctions.ts';
import { loadCalendar } from '../../db/settings.ts';
import { saveDataSet } from '../../db/store.ts';
import { queryFindings } from '../../server/routes/api/common.ts';
import { createTestDb, type TestDb } from './helpers.ts';

/** The catalogue's own rules: 超编 (S1) and the 提示 满编 and 即将达到退休年龄 (S3). */
const RULES = ['U-QT-01', 'U-QT-02', 'P-RT-02'].map((c) => ruleByCode(c)!) as Rule[];

const FULL = '11330603002482189K'; // 满编 only
const MIXED = '13330603123456788P'; // 超编 (red) and a person retiring in 2027-03 (提示)
const id = (body: string) => body + idCheckChar(body);
const RETIRING = id('11010519660915001'); // a man born 1966-09: retires 2027-03
const FIRST = '2026-12-01';
const LAST = '2027-02-01';

let t: TestDb;
let fullId: number;
let mixedId: number;
const summaries: CheckSummary[] = [];

beforeAll(async () => {
  t = await createTestDb();
  const meta = { by: 'tester', source: '测试', today: '2026-11-30' };
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, {
    units: [
      { code: FULL, name: '区满编局', regionCode: '330603', nature: '政府机关' },
      { code: MIXED, name: '区超编会', regionCode: '330603', nature: '群团机关' },
    ],
    quotas: [{ unitCode: FULL, kind: '行政编制', approved: 2 }, { unitCode: MIXED, kind: '行政编制', approved: 1 }],
    people: [
      { unitCode: FULL, idNumber: id('11010519920101001'), name: '赵一', status: '在编', quotaKind: '行政编制' },
      { unitCode: FULL, idNumber: id('11010519930101003'), name: '钱二', status: '在编', quotaKind: '行政编制' },
      { unitCode: MIXED, idNumber: id('11010519940101005'), name: '孙三', status: '在编', quotaKind: '行政编制' },
      { unitCode: MIXED, idNumber: RETIRING, name: '李退休', status: '在编', quotaKind: '行政编制' },
    ],
    users: [
      { id: 'lead-full', name: '满编领导', role: '单位领导', unitCode: FULL },
      { id: 'zgy-full', name: '满编专管', role: '单位专管员', unitCode: FULL },
      { id: 'lead-mixed', name: '超编领导', role: '单位领导', unitCode: MIXED },
      { id: 'zgy-mixed', name: '超编专管', role: '单位专管员', unitCode: MIXED },
      { id: 'office', name: '编办人员', role: '编办业务人员' },
    ],
  }, meta));
  fullId = Number((await t.db('units').where({ code: FULL }).first('id')).id);
  mixedId = Number((await t.db('units').where({ code: MIXED }).first('id')).id);
  await t.db('units').where({ id: fullId }).update({ group_id: 'group-full' });
  await t.db('units').where({ id: mixedId }).update({ group_id: 'group-mixed' });
  const cal = await loadCalendar(t.db);
  for (let d = FIRST; d <= LAST; d = addDays(d, 1)) if (cal.isWorkday(d)) summaries.push(await runCheck(t.db, d, { rules: RULES }));
}, 120_000);
afterAll(async () => { await t.close(); });

describe('提示 findings', () => {
  it('a 满编 unit with no other finding stays green for 30 working days and more', async () => {
    expect(summaries.length).toBeGreaterThanOrEqual(30);
    const full = await t.db('findings').where({ unit_id: fullId });
    expect(full.map((f) => [f.rule, f.status, f.opened_on])).toEqual([['U-QT-02', 'open', FIRST]]);
    const days = await t.db('unit_daily_lights').where({ unit_id: fullId }).orderBy('date');
    expect(days).toHaveLength(summaries.length);
    for (const d of days) expect([d.date, d.light, Number(d.red), Number(d.yellow)]).toEqual([d.date, 'green', 0, 0]);
  });

  it('is counted apart in every check: red and yellow are the 超编 only', () => {
    for (const s of summaries) {
      expect(s.findings.open).toBe(3);
      expect(s.findings.byLight.hint).toBe(2);
      expect(s.findings.byLight.red + s.findings.byLight.yellow).toBe(1);
    }
    expect(summaries.at(-1)!.findings.byLight).toEqual({ red: 1, yellow: 0, hint: 2 });
  });

  it('a unit with one red S1 and one S3 is red with red count 1', async () => {
    const day = await t.db('unit_daily_lights').where({ unit_id: mixedId, date: LAST }).first();
    expect([day.light, Number(day.red), Number(day.yellow)]).toEqual(['red', 1, 0]);
    const c = (await openCounts(t.db, null, LAST)).get(mixedId)!;
    expect(c).toEqual({ red: 1, yellow: 0, hint: 1 });
    expect(unitLight(c)).toBe('red');
    expect((await openCounts(t.db, null, LAST)).get(fullId)).toEqual({ red: 0, yellow: 0, hint: 1 });
  });

  it('closes two months: the 满编 unit green and never sanctioned, the 超编 one reminded then suspended', async () => {
    const status = await t.db('unit_monthly_status').select('unit_id', 'month', 'light', 'red_days', 'action').orderBy(['month', 'unit_id']);
    expect(status.filter((s) => Number(s.unit_id) === fullId).map((s) => [s.month, s.light, Number(s.red_days), s.action]))
      .toEqual([['2026-12', 'green', 0, null], ['2027-01', 'green', 0, null]]);
    expect(status.filter((s) => Number(s.unit_id) === mixedId).map((s) => [s.month, s.light, s.action]))
      .toEqual([['2026-12', 'red', 'reminder'], ['2027-01', 'red', 'suspension']]);
    expect(summaries.filter((s) => s.monthClosed).map((s) => s.monthClosed!.red)).toEqual([1, 1]);
    expect(await t.db('sanctions').where({ unit_id: fullId })).toEqual([]);
    expect(await suspensionOn(t.db, fullId, '2027-03-01')).toBeNull();
    expect(await suspensionOn(t.db, mixedId, '2027-03-01')).toMatchObject({ unit_id: mixedId });
  });

  it('lists P-RT-02 and 满编 as 提示 after the red finding (API list, listFindings)', async () => {
    const api = await queryFindings(t.db, { status: 'open', unitIds: null, limit: 100 }, LAST);
    expect(api[0]).toMatchObject({ rule: 'U-QT-01', light: 'red' });
    expect(api.slice(1).map((f) => f.light)).toEqual(['hint', 'hint']);
    expect(api.slice(1).map((f) => f.rule).sort()).toEqual(['P-RT-02', 'U-QT-02']);
    const hints = await queryFindings(t.db, { status: 'open', unitIds: null, limit: 100, light: 'hint' }, LAST);
    expect(hints.map((f) => f.rule).sort()).toEqual(['P-RT-02', 'U-QT-02']);
    const mixed = await listFindings(t.db, { status: 'open', unitId: mixedId, date: LAST });
    expect(mixed.map((f) => [f.rule, f.light, f.subject.name])).toEqual([['U-QT-01', 'red', '区超编会'], ['P-RT-02', 'hint', '李退休']]);
  });

  it('the robot\'s 待整改 lists the 提示 after the red one; the office ranking leaves the 满编 unit out', async () => {
    const reply = await answer(t.db, 'zgy-mixed', '超编专管', '待整改', LAST);
    const text = reply.kind === 'text' ? reply.content : reply.text;
    const red = text.indexOf('红灯｜超编');
    const hint = text.indexOf('提示｜即将达到退休年龄');
    expect(red).toBeGreaterThanOrEqual(0);
    expect(hint).toBeGreaterThan(red);
    expect(text).not.toContain('黄灯');
    expect(await unitsByRed(t.db, LAST)).toEqual([{ unitId: mixedId, name: '区超编会', red: 1, yellow: 0 }]);
  });

  it('sends no alert card for a 提示: the 满编 unit and its leader get none, the 超编 unit\'s card counts its red only', async () => {
    const cal = await loadCalendar(t.db);
    const s = await t.db.transaction((trx) => queueDailyAlerts(trx, LAST, cal, { unitUrl: (u) => `http://x/#/todo?unit=${u}` }));
    expect(s).toMatchObject({ digests: 1, groupCards: 1, leaderCards: 1 });
    const cards = await t.db('cards').select('card_id', 'data');
    expect(cards.map((c) => c.card_id).sort()).toEqual([`leader-digest:lead-mixed:${LAST}`, `unit-digest:${mixedId}:${LAST}`]);
    const unitCard = JSON.parse(cards.find((c) => c.card_id.startsWith('unit-digest'))!.data);
    const over = await t.db('findings').where({ unit_id: mixedId, rule: 'U-QT-01' }).first('id');
    expect(unitCard.findingIds).toEqual([Number(over.id)]);
    expect(unitCard.vars).toMatchObject({ light: 'red', red: '1', yellow: '0' });
  });

  it('exports the 提示 with 灯色 提示, after the red one', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-hints-')), 'findings.xlsx');
    await exportWorkbook(t.db, 'findings', file, { today: LAST });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('问题清单')!;
    const rows: string[][] = [];
    ws.eachRow((row, n) => { if (n > 1) rows.push([String(row.getCell(1).value), String(row.getCell(8).value)]); });
    expect(rows[0]).toEqual(['U-QT-01', '红灯']);
    expect(rows.slice(1).sort()).toEqual([['P-RT-02', '提示'], ['U-QT-02', '提示']]);
  });
});

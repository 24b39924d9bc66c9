// The daily check engine on a real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql), with
// small rules of its own so the engine is tested apart from the catalogue.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRule, type Rule } from '../../core/rules/define.ts';
import { recheck, runCheck, checkEnv } from '../../db/check.ts';
import { suspensionOn } from '../../db/sanctions.ts';
import { listFindings } from '../../db/findings.ts';
import { setRuleSetting } from '../../db/settings.ts';
import { saveDataSet } from '../../db/store.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const NAME_RULE = defineRule({
  code: 'T-P-01', title: '测试：姓名含“错”', scope: 'person', severity: 'S2', params: { marker: '错' },
  check: (p, ctx) => (p.name.includes(String(ctx.params.marker)) ? { detail: { name: p.name } } : null),
});
const OVER_RULE = defineRule({
  code: 'T-U-01', title: '测试：超编', scope: 'unit', severity: 'S1', params: {},
  check: (u) => {
    const hits = [];
    for (const [kind, n] of Object.entries(u.agg.onQuotaByKind)) if (n > (u.quotas[kind] ?? 0)) hits.push({ qualifier: kind, detail: { actual: n, approved: u.quotas[kind] ?? 0 } });
    return hits;
  },
});
// 提示 is a catalogue rule's S3 (core/lights.ts isHint): a test rule never is; S2 says what this one does.
const HELD_RULE = defineRule({
  code: 'T-U-02', title: '测试：空壳', scope: 'unit', severity: 'S2', params: {},
  check: (u) => (Object.keys(u.quotas).length > 0 && Object.keys(u.agg.onQuotaByKind).length === 0 ? { holdDays: 30 } : null),
});
const RULES = [NAME_RULE, OVER_RULE, HELD_RULE] as Rule[];

const PARENT = '11330603002482189K';
const CHILD = '12330603MB12345621';
const EMPTY = '13330603123456788P';
const ID_A = '11010519491231002X';
const ID_B = '440524188001010014';

let t: TestDb;
const meta = (today: string) => ({ by: 'tester', source: '测试', today });

async function setName(id: string, unitCode: string, name: string, today: string) {
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, { people: [{ unitCode, idNumber: id, name, status: '在编', quotaKind: '行政编制' }] }, meta(today)));
}

beforeAll(async () => {
  t = await createTestDb();
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, {
    units: [
      { code: PARENT, name: '区测试局', regionCode: '330603', nature: '政府机关' },
      { code: CHILD, name: '区测试中心', regionCode: '330603', nature: '事业单位', parentCode: PARENT },
      { code: EMPTY, name: '区空壳会', regionCode: '330603', nature: '群团机关' },
    ],
    quotas: [{ unitCode: PARENT, kind: '行政编制', approved: 1 }, { unitCode: EMPTY, kind: '行政编制', approved: 5 }],
    people: [
      { unitCode: PARENT, idNumber: ID_A, name: '张错', status: '在编', quotaKind: '行政编制' },
      { unitCode: PARENT, idNumber: ID_B, name: '李四', status: '在编', quotaKind: '行政编制' },
    ],
  }, meta('2026-09-29')));
});
afterAll(async () => { await t.close(); });

describe('daily check', () => {
  it('opens findings by fingerprint, keeps them, lights them across the National Day break', async () => {
    const s1 = await runCheck(t.db, '2026-09-30', { rules: RULES });
    expect(s1).toMatchObject({ units: 3, people: 2 });
    expect(s1.findings).toMatchObject({ opened: 2, kept: 0, resolved: 0, open: 2, byRule: { 'T-P-01': 1, 'T-U-01': 1 }, byLight: { yellow: 2, red: 0 } });
    const held = await t.db('findings').where({ rule: 'T-U-02' });
    expect(held.map((f) => f.status)).toEqual(['pending']);

    const s2 = await runCheck(t.db, '2026-10-09', { rules: RULES });
    expect(s2.findings).toMatchObject({ opened: 0, kept: 2, open: 2, byLight: { yellow: 2, red: 0 } });
    const s3 = await runCheck(t.db, '2026-10-12', { rules: RULES });
    expect(s3.findings.byLight).toEqual({ yellow: 0, red: 2, hint: 0 });
    const lights = await t.db('unit_daily_lights').join('units', 'units.id', 'unit_daily_lights.unit_id').where({ date: '2026-10-12' }).select('code', 'light', 'red');
    expect(Object.fromEntries(lights.map((l) => [l.code, l.light]))).toEqual({ [PARENT]: 'red', [CHILD]: 'green', [EMPTY]: 'green' });
    expect(await t.db('findings').count({ n: '*' }).first()).toMatchObject({ n: 3 });
  });

  it('lists findings with masked IDs and computed lights', async () => {
    const list = await listFindings(t.db, { date: '2026-10-12', unitCode: PARENT });
    const person = list.find((f) => f.rule === 'T-P-01')!;
    expect(person).toMatchObject({ unit: PARENT, subject: { kind: 'person', name: '张错', id: '110105***********X' }, light: 'red', openedOn: '2026-09-30', resolvedOn: null });
    expect(list.find((f) => f.rule === 'T-U-01')).toMatchObject({ qualifier: '行政编制', subject: { kind: 'unit', name: '区测试局' } });
    expect(JSON.stringify(list)).not.toContain(ID_A);
  });

  it('re-checks one person at once with the same predicates and resolves the fixed finding', async () => {
    await setName(ID_A, PARENT, '张三', '2026-10-13');
    const env = await checkEnv(t.db, '2026-10-13', RULES);
    const r = await recheck(t.db, { personHash: t.pii.hash(ID_A) }, '2026-10-13', env);
    expect(r!.resolved).toEqual(['T-P-01']);
    expect(r!.subject).toMatchObject({ kind: 'person', name: '张三', idMasked: '110105***********X', unit: PARENT });
    expect(r!.open.map((f) => f.rule)).toEqual(['T-U-01']);
    const f = await t.db('findings').where({ rule: 'T-P-01' }).first();
    expect(f).toMatchObject({ status: 'resolved', resolved_on: '2026-10-13', open_key: null });
  });

  it('opens a new finding when a resolved problem comes back', async () => {
    await setName(ID_A, PARENT, '张错', '2026-10-14');
    const s = await runCheck(t.db, '2026-10-14', { rules: RULES });
    expect(s.findings.opened).toBe(1);
    const rows = await t.db('findings').where({ rule: 'T-P-01' }).orderBy('id');
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'open']);
    expect(rows[1].opened_on).toBe('2026-10-14');
  });

  it('shows a held finding only after its condition lasted long enough', async () => {
    await runCheck(t.db, '2026-10-29', { rules: RULES });
    expect((await t.db('findings').where({ rule: 'T-U-02' }).first()).status).toBe('pending');
    const s = await runCheck(t.db, '2026-10-30', { rules: RULES });
    expect(s.findings.byRule['T-U-02']).toBe(1);
    expect(await t.db('findings').where({ rule: 'T-U-02' }).first()).toMatchObject({ status: 'open', opened_on: '2026-10-30', first_seen_on: '2026-09-30' });
  });

  it('closes the month on its first check: reminder after one red month, 3-month suspension after two, covering subordinate units', async () => {
    // September had no red day (lights started 2026-09-30, yellow); October was red.
    const oct = await t.db('unit_monthly_status').where({ month: '2026-09' });
    expect(oct.every((r) => r.light !== 'red')).toBe(true);
    const s = await runCheck(t.db, '2026-11-02', { rules: RULES });
    expect(s.monthClosed).toEqual({ month: '2026-10', red: 1, reminders: 1, suspensions: 0 });
    const again = await runCheck(t.db, '2026-11-03', { rules: RULES });
    expect(again.monthClosed).toBeNull();
    await runCheck(t.db, '2026-11-30', { rules: RULES });
    const dec = await runCheck(t.db, '2026-12-01', { rules: RULES });
    // The parent is red for the second month running; the empty unit's held finding turned red in November.
    expect(dec.monthClosed).toEqual({ month: '2026-11', red: 2, reminders: 1, suspensions: 1 });
    const parentId = (await t.db('units').where({ code: PARENT }).first()).id;
    const childId = (await t.db('units').where({ code: CHILD }).first()).id;
    const sanction = await t.db('sanctions').where({ unit_id: parentId, kind: 'suspension' }).first();
    expect(sanction).toMatchObject({ month: '2026-11', starts_on: '2026-12-01', ends_on: '2027-02-28', months: 3, consecutive_red: 2 });
    expect(sanction.reason).toContain('连续2个月亮红灯');
    expect(await suspensionOn(t.db, childId, '2027-01-15')).toMatchObject({ unit_id: parentId });
    expect(await suspensionOn(t.db, childId, '2027-03-01')).toBeNull();
    const emptyId = (await t.db('units').where({ code: EMPTY }).first()).id;
    expect(await suspensionOn(t.db, emptyId, '2027-01-15')).toBeNull();
  });

  it('obeys an office disabling a rule or changing its parameters', async () => {
    await setRuleSetting(t.db, 'T-P-01', { enabled: true, params: { marker: '四' } });
    const s = await runCheck(t.db, '2026-12-02', { rules: RULES });
    expect(s.findings.byRule['T-P-01']).toBe(1);
    const open = await listFindings(t.db, { date: '2026-12-02', unitCode: PARENT });
    expect(open.filter((f) => f.rule === 'T-P-01').map((f) => f.subject.name)).toEqual(['李四']);
    await setRuleSetting(t.db, 'T-U-01', { enabled: false });
    const s2 = await runCheck(t.db, '2026-12-03', { rules: RULES });
    expect(s2.findings.byRule['T-U-01']).toBeUndefined();
    expect(s2.findings.resolved).toBe(1);
  });
});

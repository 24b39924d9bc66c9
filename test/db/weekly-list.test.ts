// The weekly supervision list on a real database (SQLite, or MariaDB with SANSE_TEST_DB=mysql)
// with a small county: what goes to the office group and to each unit's group (through the
// dispatcher into the sandbox), the 专管员 @-mentioned, the cards turned 已整改 in place after a
// fix, the workbook read back, a second run of the week sending nothing.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../bot/dispatcher.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { recheckRecord } from '../../commands/daily-check.ts';
import { queueWeeklyCardUpdates, sendWeeklyList, weeklyLinks, weeklyListOn, weeklyListWorkbook } from '../../commands/weekly-list.ts';
import { idCheckChar } from '../../core/idnumber.ts';
import type { CardPayload, SandboxEntry } from '../../core/outbound.ts';
import { putSetting } from '../../db/settings.ts';
import { personRow } from '../../db/store.ts';
import { setRequestLimit } from '../../db/weekly-list.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from './helpers.ts';

// Monday 2026-12-07: the first working day of its week.
const TODAY = '2026-12-07';
const AT = '2026-01-01 00:00:00';
const LINKS = weeklyLinks('http://127.0.0.1:3000');
let t: TestDb;
const ids: Record<string, number> = {};

const idNo = (birth: string, seq: number) => {
  const body = `330602${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return body + idCheckChar(body);
};
const RETIRED_A = idNo('1960-03-15', 11);
const RETIRED_B = idNo('1960-04-15', 13);

async function addRetired(unit: string, code: string, id: string, name: string) {
  const row = personRow({ unitCode: code, idNumber: id, name, gender: '男', status: '在编', quotaKind: '行政编制', identity: '干部', enteredOn: '1985-01-01', workStartOn: '1982-07-01', birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, education: '大学本科', leaderLevel: '非领导' } as any, ids[unit], t.pii, TODAY);
  await t.db('people').insert({ ...row, created_at: AT, updated_at: AT });
  await recheckRecord(t.db, { personHash: t.pii.hash(id) }, TODAY);
}

async function drain() {
  const d = createDispatcher(t.db, createSandboxPlatform(t.db), { ratePerSecond: 1000, log: { info() {}, warn() {}, error() {} } as any });
  await d.drain({ timeoutMs: 10_000 });
  await d.stop();
}

async function cardsIn(conversation: string): Promise<CardPayload[]> {
  const rows = await t.db('sandbox_messages').where({ conversation }).orderBy('id').select('payload');
  return rows.map((r) => JSON.parse(r.payload) as SandboxEntry).flatMap((e) => (e.kind === 'card' ? [e.card] : []));
}

beforeAll(async () => {
  t = await createTestDb();
  const unit = (code: string, name: string, region: [string, string] | null, group: string | null, parent: number | null = null) =>
    ({ code, name, region_code: region?.[0] ?? null, region_name: region?.[1] ?? null, group_id: group, parent_id: parent, created_at: AT, updated_at: AT });
  const YC: [string, string] = ['330602', '越城区'];
  const KQ: [string, string] = ['330603', '柯桥区'];
  [ids.A] = (await t.db('units').insert(unit('11330602MB0000001X', '越城区财政局', YC, 'g-a'))).map(Number);
  [ids.B] = (await t.db('units').insert(unit('11330603MB0000002X', '柯桥区教育局', KQ, null))).map(Number);
  [ids.C] = (await t.db('units').insert(unit('11330602MB0000003X', '越城区水利局', YC, 'g-c'))).map(Number);
  [ids.D] = (await t.db('units').insert(unit('12330602MB0000004X', '越城区水利站', YC, null, ids.C))).map(Number);
  [ids.E] = (await t.db('units').insert(unit('11330603MB0000005X', '柯桥区民政局', KQ, 'g-e'))).map(Number);
  [ids.F] = (await t.db('units').insert(unit('11330603MB0000006X', '柯桥区司法局', KQ, 'g-f'))).map(Number);
  [ids.G] = (await t.db('units').insert(unit('11330603MB0000007X', '柯桥区档案馆', KQ, 'g-g'))).map(Number);
  await t.db('users').insert([
    { id: 'spa', name: '财政小王', role: '单位专管员', unit_id: ids.A, created_at: AT, updated_at: AT },
    { id: 'spb', name: '教育小李', role: '单位专管员', unit_id: ids.B, created_at: AT, updated_at: AT },
    { id: 'spf', name: '司法小赵', role: '单位专管员', unit_id: ids.F, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科小陈', role: '编办业务人员', created_at: AT, updated_at: AT },
  ]);
  await putSetting(t.db, 'office', { name: '测试编办', regionCode: '330600', regionName: '测试市', groupId: 'office-group' });
  // Every unit but F has self-checked twice this month; F once.
  for (const u of ['A', 'B', 'C', 'D', 'E', 'G']) await t.db('self_checks').insert([{ unit_id: ids[u], user_id: 'x', at: '2026-12-01 09:00:00', findings: 0 }, { unit_id: ids[u], user_id: 'x', at: '2026-12-02 09:00:00', findings: 0 }]);
  await t.db('self_checks').insert({ unit_id: ids.F, user_id: 'spf', at: '2026-12-01 09:00:00', findings: 0 });
  // A and B: a retired person still on quota (P-RT-01), open since 2026-11-20: red for 11 working days.
  await addRetired('A', '11330602MB0000001X', RETIRED_A, '老周');
  await addRetired('B', '11330603MB0000002X', RETIRED_B, '老吴');
  await t.db('findings').whereIn('unit_id', [ids.A, ids.B]).where({ status: 'open' }).update({ opened_on: '2026-11-20', first_seen_on: '2026-11-20' });
  // The rest of the units' own findings (no 工作群, no 专管员…) are not part of this test.
  await t.db('findings').whereNotIn('unit_id', [ids.A, ids.B]).del();
  await t.db('findings').whereIn('unit_id', [ids.A, ids.B]).whereNot('rule', 'P-RT-01').del();
  // C suspended until 2027-02-28 (and D below it with it).
  await t.db('sanctions').insert({ unit_id: ids.C, kind: 'suspension', month: '2026-11', starts_on: '2026-12-01', ends_on: '2027-02-28', months: 3, consecutive_red: 3, reason: '连续3个月亮红灯', created_at: AT });
  // E's request waits for 初审 since 2026-11-20 (11 working days); G's only since 12-03 (2).
  await t.db('staffing_requests').insert([
    { unit_id: ids.E, kind: '增人入编', count: 1, status: 'submitted', request_no: 'SQ2026-000901', version: 1, created_at: '2026-11-20 10:00:00', updated_at: '2026-11-20 10:00:00' },
    { unit_id: ids.G, kind: '用编计划', count: 1, status: 'reviewed', request_no: 'SQ2026-000902', version: 2, created_at: '2026-12-03 10:00:00', updated_at: '2026-12-04 10:00:00' },
  ]);
});
afterAll(async () => { await t?.close(); });

describe(`weekly supervision list (${TEST_DB_KIND})`, () => {
  it('lists each kind of item, most urgent first, by region', async () => {
    const list = await weeklyListOn(t.db, TODAY);
    expect(list.units.map((l) => l.unitName)).toEqual(['柯桥区教育局', '越城区财政局', '越城区水利局', '越城区水利站', '柯桥区民政局', '柯桥区司法局']);
    const a = list.units.find((l) => l.unitId === ids.A)!;
    expect(a.red).toEqual({ count: 1, oldestWorkdays: 11, since: '2026-11-26' });
    expect(a.redItems[0]).toMatchObject({ rule: 'P-RT-01', subject: '老周' });
    expect(a.redItems[0].idMasked).not.toContain(RETIRED_A.slice(6, 14));
    expect(list.units.find((l) => l.unitId === ids.D)!.suspension).toEqual({ startsOn: '2026-12-01', endsOn: '2027-02-28', inherited: true });
    expect(list.units.find((l) => l.unitId === ids.E)!.waitingRequests).toEqual([expect.objectContaining({ no: 'SQ2026-000901', workdaysWaiting: 11, state: 'submitted' })]);
    expect(list.units.find((l) => l.unitId === ids.F)!.selfChecks).toEqual({ count: 1, min: 2 });
    expect(list.regions.map((r) => [r.name, r.counts.units])).toEqual([['柯桥区', 3], ['越城区', 3]]);
    expect(list.counts).toEqual({ units: 6, redUnits: 2, redItems: 2, suspended: 2, waitingRequests: 1, noSelfCheck: 1 });
  });

  it('the office limit decides which requests are late', async () => {
    await setRequestLimit(t.db, 1);
    expect((await weeklyListOn(t.db, TODAY)).units.find((l) => l.unitId === ids.G)?.waitingRequests[0]).toMatchObject({ no: 'SQ2026-000902', workdaysWaiting: 2 });
    await setRequestLimit(t.db, 5);
    expect((await weeklyListOn(t.db, TODAY)).units.find((l) => l.unitId === ids.G)).toBeUndefined();
  });

  it('sends the office card to the office group and each unit its part (@ its 专管员), once a week', async () => {
    const r = await sendWeeklyList(t.db, TODAY, LINKS);
    expect(r).toMatchObject({ sent: true, week: TODAY, units: 6, office: 'group', unitGroupCards: 4, unitDirectCards: 1, unreached: 1 });
    await drain();
    const [office] = await cardsIn('group:office-group');
    expect(office.cardId).toBe('weekly-office:2026-12-07');
    expect(office.data.markdown).toContain('本周列入督办 **6** 个单位');
    expect(office.data.markdown).toMatch(/柯桥区\*\*：3 个单位/);
    expect(office.data.markdown).toContain('柯桥区教育局（柯桥区）｜红灯 1 项，最长 11 个工作日');
    expect(office.data.markdown).toContain('越城区水利站（越城区）｜暂停办理至 2027-02-28');
    expect(office.data.url).toBe('http://127.0.0.1:3000/m/#/console/weekly?date=2026-12-07');

    const [a] = await cardsIn('group:g-a');
    expect(a.cardId).toBe(`weekly-unit:${ids.A}:2026-12-07`);
    expect(a.atUsers).toEqual([{ userId: 'spa', name: '财政小王' }]);
    expect(a.data.mentions).toBe('@财政小王');
    expect(a.data.markdown).toContain('红灯问题 **1** 项，最早自 2026-11-26 亮红灯，已 11 个工作日未整改');
    expect(a.data.markdown).toContain('请 @财政小王 尽快整改红灯问题');
    expect(a.data.markdown).not.toContain(RETIRED_A);
    expect(a.data.url).toBe(`http://127.0.0.1:3000/m/#/todo?unit=${ids.A}`);
    // B has no group: its part goes 1:1 to its 专管员.
    expect((await cardsIn('user:spb'))[0].data.markdown).toContain('柯桥区教育局 每周督办');
    expect((await cardsIn('group:g-c'))[0].data.markdown).toContain('暂停办理机构编制事项至 **2027-02-28**');
    expect((await cardsIn('group:g-e'))[0].data.markdown).toContain('增人入编申请 SQ2026-000901 待初审，已等待 11 个工作日');
    expect((await cardsIn('group:g-f'))[0].data.markdown).toContain('本月已自查 1 次，应自查 2 次');
    expect(await cardsIn('group:g-g')).toEqual([]);

    // A second run of the week (the job again, another day of the week, a click) sends nothing.
    const before = Number((await t.db('outbox').count({ n: '*' }).first())!.n);
    const again = await sendWeeklyList(t.db, '2026-12-08', LINKS);
    expect(again).toMatchObject({ sent: false, week: TODAY });
    expect(again.createdAt).toBeTruthy();
    expect(Number((await t.db('outbox').count({ n: '*' }).first())!.n)).toBe(before);
    expect(await t.db('weekly_lists').count({ n: '*' }).first()).toMatchObject({ n: 1 });
  });

  it('a unit that fixes its items sees 已整改 on its card and on the office card, in place', async () => {
    await t.db('people').where({ id_hash: t.pii.hash(RETIRED_A) }).update({ status: '已出编', exit_on: '2026-12-05', exit_reason: '退休' });
    const r = await recheckRecord(t.db, { personHash: t.pii.hash(RETIRED_A) }, TODAY);
    expect(r!.resolved).toContain('P-RT-01');
    await drain();
    const cards = await cardsIn('group:g-a');
    expect(cards).toHaveLength(1); // updated in place, not sent again
    expect(cards[0].data.progress).toBe('已整改');
    expect(cards[0].data.light).toBe('green');
    expect(cards[0].data.markdown).toContain('本单位督办事项已整改');
    const office = await cardsIn('group:office-group');
    expect(office).toHaveLength(1);
    expect(office[0].data.markdown).toContain('✅ ~~越城区财政局~~ 已整改');
    expect(office[0].data.markdown).toContain('已整改 **1** 个单位');
    expect(office[0].data.progress).toBe('已整改 1/6 个单位');
    // B still has its red item: not marked.
    expect(office[0].data.markdown).toContain('柯桥区教育局（柯桥区）｜红灯 1 项');

    // Again: nothing more is queued.
    const before = Number((await t.db('outbox').count({ n: '*' }).first())!.n);
    await t.db.transaction((trx) => queueWeeklyCardUpdates(trx, [ids.A, ids.B, ids.C], TODAY));
    expect(Number((await t.db('outbox').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it('a unit short of self-checks is done once it has self-checked enough', async () => {
    await t.db.transaction((trx) => queueWeeklyCardUpdates(trx, [ids.F], TODAY));
    expect((await t.db('outbox').where('dedup_key', 'like', `card:weekly-unit:${ids.F}:%`).count({ n: '*' }).first())).toMatchObject({ n: 0 });
    await t.db('self_checks').insert({ unit_id: ids.F, user_id: 'spf', at: `${TODAY} 09:30:00`, findings: 0 });
    await t.db.transaction((trx) => queueWeeklyCardUpdates(trx, [ids.F], TODAY));
    await drain();
    expect((await cardsIn('group:g-f'))[0].data.progress).toBe('已整改');
    expect((await cardsIn('group:office-group'))[0].data.progress).toBe('已整改 2/6 个单位');
  });

  it('the workbook has one sheet per kind, one row per item, with the region, no full ID number', async () => {
    const { workbook } = await weeklyListWorkbook(t.db, TODAY);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await workbook.xlsx.writeBuffer()) as any);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '红灯单位', '逾期问题', '暂停办理单位', '超时未办申请', '本月未自查单位']);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((r, i) => { if (i > 1) out.push((r.values as unknown[]).slice(1)); });
      return out;
    };
    // The list as sent this week, A (fixed) and F (self-checked) marked 已整改.
    expect(rows('汇总').map((r) => [r[1], r[5]])).toEqual([['柯桥区教育局', '待整改'], ['越城区财政局', '已整改'], ['越城区水利局', undefined], ['越城区水利站', undefined], ['柯桥区民政局', undefined], ['柯桥区司法局', '已整改']]);
    expect(rows('汇总')[2][4]).toBe('暂停期间不能申请机构编制事项');
    expect(rows('红灯单位')).toEqual([['柯桥区', '柯桥区教育局', '11330603MB0000002X', 1, '2026-11-26', 11, '待整改'], ['越城区', '越城区财政局', '11330602MB0000001X', 1, '2026-11-26', 11, '已整改']]);
    const overdue = rows('逾期问题');
    expect(overdue).toHaveLength(2);
    // Equally old: in the order they were found.
    expect(overdue.map((r) => r.slice(0, 5))).toEqual([['越城区', '越城区财政局', 'P-RT-01', '退休人员未及时出编 / 应退休未退休', '老周'], ['柯桥区', '柯桥区教育局', 'P-RT-01', '退休人员未及时出编 / 应退休未退休', '老吴']]);
    expect(String(overdue[0][5])).toMatch(/\*/);
    expect(JSON.stringify(overdue)).not.toContain(RETIRED_B);
    expect(JSON.stringify(overdue)).not.toContain(RETIRED_A);
    expect(rows('暂停办理单位').map((r) => [r[1], r[4], r[5]])).toEqual([['越城区水利局', '2027-02-28', '本单位连续亮红灯'], ['越城区水利站', '2027-02-28', '上级单位被暂停']]);
    expect(rows('超时未办申请')).toEqual([['柯桥区', '柯桥区民政局', 'SQ2026-000901', '增人入编', '待初审', '2026-11-20', 11]]);
    expect(rows('本月未自查单位')).toEqual([['柯桥区', '柯桥区司法局', '11330603MB0000006X', 1, 2]]);
  });
});

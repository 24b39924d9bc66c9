// The monthly scores of a small county with known findings and self-checks, against values
// computed by hand (core/scores.ts defaults: S1 2, S2 1, red working day 0.2, missing self-check 5),
// on SQLite and MariaDB (SANSE_TEST_DB=mysql): the ranking order with a tie, the history of two
// months, idempotence, the 红黑榜 published once to every unit group and the office group, the
// automatic broadcast, and the robot's 排名 for a unit user and for the office.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../../bot/robot.ts';
import type { OutboundMessage } from '../../core/outbound.ts';
import { closeMonthScores } from '../../commands/close-month-scores.ts';
import { CommandError } from '../../commands/errors.ts';
import { publishRanking } from '../../commands/publish-ranking.ts';
import { monthScores, rankingOfMonth, saveScorePolicyOverrides, unitScoreHistory } from '../../db/scores.ts';
import { putSetting } from '../../db/settings.ts';
import { monthCloseJob } from '../../server/jobs/month-close.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import { createPiiCipher } from '../../db/pii.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const BASE = 'http://127.0.0.1:3000';
const AT = '2026-11-01 00:00:00';
let t: TestDb;
const ids: Record<string, number> = {};

async function unit(name: string, group: string | null): Promise<number> {
  const [id] = await t.db('units').insert({ code: `1133060200${name.padStart(7, '0')}X`.slice(0, 18), name, group_id: group, created_at: AT, updated_at: AT });
  return Number(id);
}

let fp = 0;
async function finding(unitId: number, rule: string, openedOn: string | null, resolvedOn: string | null = null, status = resolvedOn ? 'resolved' : 'open') {
  fp++;
  await t.db('findings').insert({
    fingerprint: `${rule}|${fp}`, open_key: status === 'resolved' ? null : `${rule}|${fp}`, rule, scope: rule.startsWith('U') ? 'unit' : 'person',
    entity_id: fp, unit_id: unitId, status, first_seen_on: openedOn, opened_on: openedOn, resolved_on: resolvedOn, last_seen_on: openedOn,
    subject_kind: 'person', subject_name: `人员${fp}`,
  });
}

async function selfChecks(unitId: number, ...days: string[]) {
  for (const d of days) await t.db('self_checks').insert({ unit_id: unitId, user_id: 'spec-b', at: `${d} 10:00:00`, findings: 0 });
}

beforeAll(async () => {
  t = await createTestDb();
  await putSetting(t.db, 'office', { name: '测试编办', regionCode: '330603', regionName: '柯桥区', groupId: 'office-group' });
  ids.A = await unit('甲单位', 'g-a');
  ids.B = await unit('乙单位', 'g-bc');
  ids.C = await unit('丙单位', 'g-bc'); // shares B's group: one card for both
  ids.D = await unit('丁单位', null);
  ids.E = await unit('戊单位', 'g-e');
  await t.db('users').insert([
    { id: 'admin', name: '编办管理员甲', role: '编办管理员', created_at: AT, updated_at: AT },
    { id: 'viewer', name: '查询用户甲', role: '查询用户', created_at: AT, updated_at: AT },
    { id: 'spec-b', name: '乙专管员', role: '单位专管员', unit_id: ids.B, created_at: AT, updated_at: AT },
  ]);
  // 甲: clean, its two self-checks each month.
  await selfChecks(ids.A, '2026-10-09', '2026-10-20', '2026-11-03', '2026-11-17');
  // 乙 and 戊: 身份证号缺失 (S1 完整度) opened Tue 10-20, red from Mon 10-26, still open.
  await finding(ids.B, 'P-ID-01', '2026-10-20');
  await finding(ids.E, 'P-ID-01', '2026-10-20');
  await selfChecks(ids.B, '2026-11-05', '2026-11-06');
  await selfChecks(ids.E, '2026-11-05', '2026-11-20', '2026-12-01');
  // 丙: 性别与身份证不一致 (S2 准确度) opened Mon 11-02, red from 11-06, resolved 11-10: red 11-06, 11-09.
  await finding(ids.C, 'P-ID-09', '2026-11-02', '2026-11-10');
  // 身份证号校验码错误 (S1 准确度) opened Mon 10-12, red from 10-16, resolved Sat 10-31: October only.
  await finding(ids.C, 'P-ID-03', '2026-10-12', '2026-10-31');
  await finding(ids.C, 'U-QT-02', '2026-10-01'); // 满编（提示）: never deducts
  await finding(ids.C, 'P-ID-02', null, null, 'pending'); // held: not opened, not counted
  await selfChecks(ids.C, '2026-11-25');
  // 丁: 入编后信息未完善 (S2 及时度) opened Wed 11-25, red only from 12-01; U-PR-01 counted as self-checks, not a finding.
  await finding(ids.D, 'P-TM-01', '2026-11-25');
  await finding(ids.D, 'U-PR-01', '2026-11-02');
}, 60_000);
afterAll(async () => { await t.close(); });

const textOf = (m: OutboundMessage) => ('text' in m ? m.text : m.content);
const scoreOf = (rows: Awaited<ReturnType<typeof monthScores>>, id: number) => rows.find((r) => r.unitId === id)!;

describe('the month close with scores', () => {
  it('November, computed by hand, best first with a tie', async () => {
    const r = await closeMonthScores({ db: t.db, month: '2026-11', today: '2026-12-01', publicBaseUrl: BASE });
    expect(r.computed).toBe(true);
    const s = await monthScores(t.db, '2026-11');
    expect(s.map((x) => [x.name, x.score, x.rank])).toEqual([
      ['甲单位', 100, 1],
      ['乙单位', 93.8, 2], // 完整度 2 + 及时度 21 red working days × 0.2 = 4.2
      ['戊单位', 93.8, 2], // the same; listed after 乙 by unit id
      ['丙单位', 93.6, 4], // 准确度 1 + 及时度 2 × 0.2 + 自查 1 short × 5
      ['丁单位', 89, 5], // 及时度 1 + 自查 2 short × 5
    ]);
    expect(scoreOf(s, ids.B).deductions).toEqual({ completeness: 2, accuracy: 0, timeliness: 4.2, selfCheck: 0 });
    expect(scoreOf(s, ids.C).deductions).toEqual({ completeness: 0, accuracy: 1, timeliness: 0.4, selfCheck: 5 });
    expect(scoreOf(s, ids.D).deductions).toEqual({ completeness: 0, accuracy: 0, timeliness: 1, selfCheck: 10 });
    const ranking = await rankingOfMonth(t.db, '2026-11');
    expect(ranking).toMatchObject({ state: 'preview', units: 5, publishedAt: null });
    expect(ranking!.top.map((e) => e.name)).toEqual(['甲单位', '乙单位', '戊单位', '丙单位', '丁单位']);
    expect(ranking!.bottom).toEqual([]);
    expect(await t.db('outbox').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('once per month unless forced', async () => {
    await selfChecks(ids.D, '2026-11-26', '2026-11-27');
    const again = await closeMonthScores({ db: t.db, month: '2026-11', today: '2026-12-02', publicBaseUrl: BASE });
    expect(again.computed).toBe(false);
    expect(scoreOf(again.scores, ids.D).score).toBe(89);
    const forced = await closeMonthScores({ db: t.db, month: '2026-11', today: '2026-12-02', force: true, publicBaseUrl: BASE });
    expect(forced.computed).toBe(true);
    expect(scoreOf(await monthScores(t.db, '2026-11'), ids.D)).toMatchObject({ score: 99, rank: 2 });
    expect(await t.db('unit_scores').where({ month: '2026-11' }).count({ n: '*' }).first()).toMatchObject({ n: 5 });
    expect((await rankingOfMonth(t.db, '2026-11'))!.top.map((e) => e.name)).toEqual(['甲单位', '丁单位', '乙单位', '戊单位', '丙单位']);
  });

  it('the month still running is shown up to today and not stored; a month not begun is refused', async () => {
    const dec = await closeMonthScores({ db: t.db, month: '2026-12', today: '2026-12-03', publicBaseUrl: BASE });
    expect(dec).toMatchObject({ computed: true, stored: false, ranking: null });
    // 乙's P-ID-01, red all along: 12-01…12-03 = 3 working days so far.
    expect(scoreOf(dec.scores, ids.B).deductions).toEqual({ completeness: 2, accuracy: 0, timeliness: 0.6, selfCheck: 10 });
    expect(await t.db('unit_scores').where({ month: '2026-12' }).count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await expect(closeMonthScores({ db: t.db, month: '2027-01', today: '2026-12-03', publicBaseUrl: BASE })).rejects.toThrow('2027-01 尚未开始');
  });

  it('the robot says nothing is published yet', async () => {
    expect(textOf(await answer(t.db, 'spec-b', '乙专管员', '排名', '2026-12-02'))).toContain('尚未发布');
  });

  it('only office staff publish; publishing sends one card to every unit group and the office group, once', async () => {
    await expect(publishRanking({ db: t.db, month: '2026-11', actor: 'spec-b', publicBaseUrl: BASE })).rejects.toThrow(CommandError);
    await expect(publishRanking({ db: t.db, month: '2026-11', actor: 'viewer', publicBaseUrl: BASE })).rejects.toThrow('只有编办管理员和编办业务人员');
    await expect(publishRanking({ db: t.db, month: '2026-09', actor: 'admin', publicBaseUrl: BASE })).rejects.toThrow('尚未生成');
    const p = await publishRanking({ db: t.db, month: '2026-11', actor: 'admin', publicBaseUrl: BASE });
    expect(p).toMatchObject({ published: true, groups: 4 });
    const twice = await publishRanking({ db: t.db, month: '2026-11', actor: 'admin', publicBaseUrl: BASE });
    expect(twice).toMatchObject({ published: false, groups: 0, ranking: { state: 'published', publishedBy: 'admin' } });
    const rows = await t.db('outbox').orderBy('target').select('dedup_key', 'target', 'payload');
    expect(rows.map((r) => r.target)).toEqual(['group:g-a', 'group:g-bc', 'group:g-e', 'group:office-group']);
    const msg = JSON.parse(rows[0].payload).message;
    expect(msg.kind).toBe('actionCard');
    expect(msg.title).toBe('2026年11月 数据质量红黑榜');
    expect(msg.text).toContain('第 1 名｜甲单位｜100 分');
    expect(msg.buttons[0].url).toBe(`${BASE}/m/#/unit/${ids.A}`);
    expect(JSON.parse(rows[3].payload).message.buttons[0].url).toBe(`${BASE}/m/#/console/scores?month=2026-11`);
    expect(await t.db('audit_log').where({ action: 'publish_ranking' }).select('actor')).toEqual([{ actor: 'admin' }]);
    // A forced re-run after publishing keeps the published list as it was sent.
    await closeMonthScores({ db: t.db, month: '2026-11', today: '2026-12-03', force: true, publicBaseUrl: BASE });
    expect((await rankingOfMonth(t.db, '2026-11'))!.state).toBe('published');
    expect(await t.db('outbox').count({ n: '*' }).first()).toMatchObject({ n: 4 });
  });

  it('排名: the published list, and a unit user\'s own rank and score; the office sees the list only', async () => {
    const unitReply = textOf(await answer(t.db, 'spec-b', '乙专管员', '排名', '2026-12-03'));
    expect(unitReply).toContain('2026年11月 实名制数据质量红黑榜');
    expect(unitReply).toContain('**本单位：乙单位**　第 3 名 / 共 5 个单位，得分 **93.8** 分');
    expect(unitReply).toContain('完整度 2，准确度 0，及时度 4.2，自查 0');
    const officeReply = textOf(await answer(t.db, 'admin', '编办管理员甲', '排名', '2026-12-03'));
    expect(officeReply).toContain('第 1 名｜甲单位｜100 分');
    expect(officeReply).not.toContain('本单位');
    // Asked in a unit's 工作群 the answer stays with that group's unit, whoever asks.
    const inGroup = textOf(await answer(t.db, 'admin', '编办管理员甲', '排名', '2026-12-03', { type: 'group', id: 'g-e' }));
    expect(inGroup).toContain('**本单位：戊单位**　第 3 名 / 共 5 个单位');
  });

  it('October by the job on the first working day of November, auto-broadcast on: history of two months', async () => {
    await saveScorePolicyOverrides(t.db, { autoBroadcast: true });
    const job = monthCloseJob({ publicBaseUrl: BASE, log: () => {} });
    expect(job.title).toBe('月末结账与评分');
    const r = await job.run({ db: t.db, runId: 1, slot: '2026-11-02', key: '2026-11-02', manual: false }) as Record<string, unknown>;
    expect(r).toMatchObject({ month: '2026-10', computed: true, units: 5, ranking: 'published', published: 4 });
    const oct = await monthScores(t.db, '2026-10');
    // Nobody but 甲 self-checked in October: 10 off each. 乙: 2 + red 10-26…30 (5 × 0.2). 丙: P-ID-03 2 + red 10-16, 19–23, 26–30 (11 × 0.2).
    expect(oct.map((x) => [x.name, x.score, x.rank])).toEqual([['甲单位', 100, 1], ['丁单位', 90, 2], ['乙单位', 87, 3], ['戊单位', 87, 3], ['丙单位', 85.8, 5]]);
    const again = await job.run({ db: t.db, runId: 2, slot: '2026-11-02', key: '2026-11-02', manual: true }) as Record<string, unknown>;
    expect(again).toMatchObject({ computed: false, published: 0 });
    expect(await t.db('outbox').where('dedup_key', 'like', 'ranking:2026-10:%').count({ n: '*' }).first()).toMatchObject({ n: 4 });
    const history = await unitScoreHistory(t.db, ids.B);
    expect(history.map((h) => [h.month, h.score, h.rank])).toEqual([['2026-11', 93.8, 3], ['2026-10', 87, 3]]);
    // The robot answers with the latest published month.
    expect(textOf(await answer(t.db, 'spec-b', '乙专管员', '排名', '2026-12-03'))).toContain('2026年11月');
  });

  it('month-close is one of the office\'s jobs, due on the first working day of a month at 09:30', async () => {
    const jobs = officeJobs({ pii: createPiiCipher('00112233445566778899aabbccddeeff'), publicBaseUrl: BASE, log: () => {} });
    const job = jobs.find((j) => j.name === 'month-close')!;
    expect(job.schedule!.text).toContain('09:30');
    // 2026-10-01…07 is the National Day break: October's first working day is Thursday 10-08.
    expect(await job.schedule!.latest(t.db, Date.parse('2026-10-08T09:31:00+08:00'))).toMatchObject({ slot: '2026-10-08' });
    expect(await job.schedule!.latest(t.db, Date.parse('2026-10-08T09:29:00+08:00'))).toBeNull();
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-01T10:00:00+08:00'))).toMatchObject({ slot: '2026-12-01' });
    expect(await job.schedule!.latest(t.db, Date.parse('2026-12-03T10:00:00+08:00'))).toMatchObject({ slot: '2026-12-01' });
  });
});

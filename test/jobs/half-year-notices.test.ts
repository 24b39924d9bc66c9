// 半年交叉检查与书面函告 (issue 18, deliverable 5) on the registry (SQLite, or MariaDB with
// SANSE_TEST_DB=mysql): findings inserted with known opening days; the notices of 2026H2 must list
// exactly each unit's overdue findings and repeated mistakes as an independent query over the same
// rows counts them (working days walked one by one with the calendar), units without problems get
// none, numbers run 1, 2, … in the year, masked IDs only, a second run issues nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHalfYearNotices, noticeDetail, noticeFile, replyToNotice, reviewNotice, listNotices, setNoticeSettings } from '../../commands/half-year-notices.ts';
import { CommandError } from '../../commands/errors.ts';
import { noticeDocument, type NoticeFacts } from '../../core/half-year-notices.ts';
import { documentText } from '../../core/official-document.ts';
import { isHint } from '../../core/lights.ts';
import { addDays } from '../../core/dates.ts';
import { putSetting, loadCalendar } from '../../db/settings.ts';
import { createInProcessRunner } from '../../server/jobs/in-process.ts';
import { officeJobs } from '../../server/jobs/office-jobs.ts';
import { HALF_YEAR_NOTICES, halfYearNoticesJob } from '../../server/jobs/half-year-notices.ts';
import { fixedClock } from '../../server/jobs/schedule.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from '../db/helpers.ts';

type Row = Record<string, any>;
const OLD = '2026-01-01 08:00:00';
const BASE = 'http://127.0.0.1:3415';
let t: TestDb;
const ids: Record<string, number> = {};
const FULL_ID = '330602198001011234';
const MASKED = '330602***********4';

// A small deterministic generator, so the rows are many and varied but the same each run.
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];

const RULES = ['P-TM-07', 'P-ST-02', 'P-ID-12', 'U-IN-10', 'P-ID-13' /* 提示 */, 'P-RT-02' /* 提示 */] as const;
let fid = 0;
function finding(unit: string, rule: string, status: string, openedOn: string | null, name = `人员${fid}`, masked: string | null = MASKED): Row {
  fid++;
  return {
    fingerprint: `${rule}|${fid}`, open_key: status === 'open' || status === 'pending' ? `${rule}|${fid}` : null, rule, scope: rule.startsWith('U') ? 'unit' : 'person',
    entity_id: fid, unit_id: ids[unit], qualifier: null, status, first_seen_on: openedOn ?? '2026-12-30', opened_on: openedOn,
    resolved_on: status === 'resolved' || status === 'explained' ? '2027-01-02' : null, last_seen_on: '2027-01-02',
    subject_kind: rule.startsWith('U') ? 'unit' : 'person', subject_name: name, subject_id_masked: rule.startsWith('U') ? null : masked, detail: null,
  };
}

async function seedAll(db: TestDb['db']) {
  await putSetting(db, 'office', { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' });
  // 元旦 2027 (the package does not know 2027 yet): the job's day is Monday 01-04.
  await db('calendar_overrides').insert({ date: '2027-01-01', work: false, note: '元旦' });
  for (const [key, group] of [['A', 'g-a'], ['B', null], ['C', 'g-c'], ['D', 'g-d'], ['E', 'g-e']] as const) {
    const [id] = await db('units').insert({ code: `CODE${key}`, name: `${key}局`, group_id: group, created_at: OLD, updated_at: OLD });
    ids[key] = Number(id);
  }
  const user = (id: string, name: string, role: string, unit: string | null) => ({ id, name, role, unit_id: unit ? ids[unit] : null, unit_code: unit ? `CODE${unit}` : null, mobile: null, locked: false, created_at: OLD, updated_at: OLD });
  await db('users').insert([
    user('admin1', '王管理', '编办管理员', null), user('staff1', '赵业务', '编办业务人员', null), user('q1', '钱查询', '查询用户', null),
    user('sA1', '甲一', '单位专管员', 'A'), user('leadA', '甲领导', '单位领导', 'A'),
    user('sB1', '乙一', '单位专管员', 'B'), user('leadB', '乙领导', '单位领导', 'B'),
    user('sC1', '丙一', '单位专管员', 'C'), user('leadD', '丁领导', '单位领导', 'D'),
  ]);
  const rows: Row[] = [];
  // Boundaries on 2026-12-31 (Thursday): opened 12-17 → 10 working days (18,21,22,23,24,25,28,29,30,31): overdue;
  // opened 12-18 → 9: not. Opened in March and still open: overdue. Opened 2027-01-02, open: not this half-year.
  rows.push(finding('A', 'P-TM-07', 'open', '2026-12-17', '张三', MASKED));
  rows.push(finding('A', 'P-ST-02', 'open', '2026-12-18', '李四'));
  rows.push(finding('A', 'U-IN-10', 'open', '2026-03-02', 'A局'));
  rows.push(finding('A', 'P-TM-07', 'open', '2027-01-02', '王五'));
  // A resolved finding long open does not count as overdue; it counts as an opening for repeats.
  rows.push(finding('B', 'P-ID-12', 'resolved', '2026-08-03'));
  // C: only recent open findings, a resolved one, an explained one: no notice.
  rows.push(finding('C', 'P-TM-07', 'open', '2026-12-28'), finding('C', 'P-ST-02', 'resolved', '2026-09-01'), finding('C', 'P-ST-02', 'explained', '2026-09-02'));
  // D: the same rule opened exactly 3 times in the half-year (one before it, not counted) → repeated; nothing overdue.
  rows.push(finding('D', 'P-ID-12', 'resolved', '2026-07-01'), finding('D', 'P-ID-12', 'resolved', '2026-10-10'), finding('D', 'P-ID-12', 'resolved', '2026-12-31'), finding('D', 'P-ID-12', 'resolved', '2026-06-30'));
  // E: openings that do not count: 提示 rules (5 times), explained (3), pending (no opening day).
  for (let i = 0; i < 5; i++) rows.push(finding('E', 'P-ID-13', 'resolved', '2026-08-0' + (i + 1)));
  for (let i = 0; i < 3; i++) rows.push(finding('E', 'P-ST-02', 'explained', '2026-09-0' + (i + 1)));
  rows.push(finding('E', 'P-TM-07', 'pending', null), finding('E', 'P-TM-07', 'pending', null), finding('E', 'P-TM-07', 'pending', null));
  // Many random findings for A and B across 2026-05 … 2027-01.
  for (let i = 0; i < 160; i++) {
    const day = addDays('2026-05-01', Math.floor(rnd() * 260));
    rows.push(finding(pick(['A', 'B'] as const), pick(RULES), pick(['open', 'open', 'resolved', 'explained'] as const), day));
  }
  for (let i = 0; i < rows.length; i += 50) await db('findings').insert(rows.slice(i, i + 50));
}

beforeAll(async () => {
  t = await createTestDb();
  await seedAll(t.db);
});
afterAll(async () => { await t?.close(); });

/** The independent expectation: plain SQL over the rows, working days walked one day at a time. */
async function expected(unitId: number, limit = 10, times = 3) {
  const cal = await loadCalendar(t.db);
  const walk = (from: string, to: string) => { let n = 0; for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (cal.isWorkday(d)) n++; return n; };
  const open: Row[] = await t.db('findings').where({ unit_id: unitId, status: 'open' }).where('opened_on', '<=', '2026-12-31').select('id', 'opened_on');
  const overdue = open.filter((r) => walk(r.opened_on, '2026-12-31') >= limit).map((r) => Number(r.id)).sort((a, b) => a - b);
  const grouped: Row[] = await t.db('findings').where({ unit_id: unitId }).whereBetween('opened_on', ['2026-07-01', '2026-12-31']).whereNotIn('status', ['pending', 'explained'])
    .groupBy('rule').select('rule').count({ n: '*' });
  const repeated = Object.fromEntries(grouped.filter((g) => !isHint(g.rule) && Number(g.n) >= times).map((g) => [g.rule, Number(g.n)]));
  return { overdue, repeated };
}

const office = { id: 'admin1', role: '编办管理员', scope: null };
const staff = { id: 'staff1', role: '编办业务人员', scope: null };

describe(`半年交叉检查与书面函告 (${TEST_DB_KIND})`, () => {
  it('is an office job on the first working day of January and July, 09:20', async () => {
    const job = officeJobs({ pii: t.pii, publicBaseUrl: BASE, log: () => {} }).find((j) => j.name === HALF_YEAR_NOTICES)!;
    expect(job.schedule!.text).toBe('每年1月、7月第一个工作日 09:20（北京时间）');
    expect(await job.schedule!.latest(t.db, Date.parse('2027-01-04T09:20:00+08:00'))).toMatchObject({ slot: '2027-01-04' });
    expect(await job.schedule!.latest(t.db, Date.parse('2027-01-04T09:19:00+08:00'))).toBeNull();
  });

  it('refuses a half-year not ended yet, and a half-year written wrong', async () => {
    await expect(runHalfYearNotices(t.db, { date: '2026-12-30', half: '2026H2', publicBaseUrl: BASE })).rejects.toThrow('2026年下半年尚未结束');
    await expect(runHalfYearNotices(t.db, { date: '2027-01-04', half: '2026H3', publicBaseUrl: BASE })).rejects.toThrow('格式不对');
  });

  let numbers: Record<string, string> = {};
  it('the job issues one notice per unit with problems, listing exactly its overdue findings and repeated mistakes', async () => {
    let kicked = 0;
    const runner = createInProcessRunner({ db: t.db, jobs: [halfYearNoticesJob({ publicBaseUrl: BASE, kick: () => kicked++, log: () => {} })], clock: fixedClock('2027-01-04T09:21:00+08:00'), log: () => {} });
    const [runId] = await runner.tick();
    await runner.idle();
    const run = await t.db('job_runs').where({ id: runId }).first();
    expect(run.state).toBe('ok');
    const result = JSON.parse(run.result);
    expect(result.half).toBe('2026H2');
    expect(kicked).toBe(1);

    const notices: Row[] = await t.db('notices').orderBy('seq');
    const byUnit = new Map(notices.map((n) => [Number(n.unit_id), n]));
    // Units with neither: C and E get none; A, B (random rows) and D do.
    expect(byUnit.has(ids.C)).toBe(false);
    expect(byUnit.has(ids.E)).toBe(false);
    expect(byUnit.has(ids.D)).toBe(true);
    for (const key of ['A', 'B', 'C', 'D', 'E']) {
      const e = await expected(ids[key]);
      const n = byUnit.get(ids[key]);
      if (!e.overdue.length && !Object.keys(e.repeated).length) { expect(n, key).toBeUndefined(); continue; }
      const facts = JSON.parse(n!.facts) as NoticeFacts;
      expect(facts.overdue.map((o) => o.findingId).sort((a, b) => a - b), key).toEqual(e.overdue);
      expect(Object.fromEntries(facts.repeated.map((r) => [r.rule, r.count])), key).toEqual(e.repeated);
      expect(Number(n!.overdue_count)).toBe(e.overdue.length);
      numbers[key] = n!.number;
    }
    // The planted boundaries of A: 12-17 (10 working days) in, 12-18 (9) out, March in, 2027 out.
    const a = JSON.parse(byUnit.get(ids.A)!.facts) as NoticeFacts;
    const zhang = a.overdue.find((o) => o.record === `张三（${MASKED}）`)!;
    expect(zhang).toMatchObject({ openedOn: '2026-12-17', workdaysOpen: 10, rule: 'P-TM-07' });
    expect(a.overdue.some((o) => o.record.startsWith('李四'))).toBe(false);
    expect(a.overdue.some((o) => o.record === 'A局' && o.openedOn === '2026-03-02')).toBe(true);
    expect(a.overdue.some((o) => o.record.startsWith('王五'))).toBe(false);
    expect(JSON.parse(byUnit.get(ids.D)!.facts)).toMatchObject({ overdue: [], repeated: [{ rule: 'P-ID-12', count: 3 }] });
    // Numbers: 柯编函〔2027〕1号, 2号, … in unit order, unique; reply due 10 working days after 01-04.
    expect(notices.map((n) => n.number)).toEqual(notices.map((_, i) => `柯编函〔2027〕${i + 1}号`));
    expect(notices.every((n) => n.reply_due === '2027-01-18' && n.half === '2026H2' && n.reply_state === 'none')).toBe(true);
    expect(result.issued).toBe(notices.length);
  });

  it('sends each notice to the unit group (@ its people) and 1:1 to its leaders; masked IDs only', async () => {
    const rows: Row[] = await t.db('outbox').where('dedup_key', 'like', 'notice:%').select('dedup_key', 'target', 'payload');
    const n = async (key: string) => (await t.db('notices').where({ unit_id: ids[key] }).first()).id;
    const a = await n('A'), b = await n('B'), d = await n('D');
    const target = (k: string) => rows.find((r) => r.dedup_key === k)?.target;
    expect(target(`notice:${a}:group`)).toBe('group:g-a');
    expect(target(`notice:${a}:users`)).toBe('users:leadA');
    // B has no group: its 专管员 and 领导 1:1.
    expect(target(`notice:${b}:group`)).toBeUndefined();
    expect(target(`notice:${b}:users`)).toBe('users:leadB,sB1');
    expect(target(`notice:${d}:users`)).toBe('users:leadD');
    const all = rows.map((r) => r.payload).join('\n');
    expect(all).not.toContain(FULL_ID);
    expect(all).toContain(MASKED);
    const groupA = JSON.parse(rows.find((r) => r.dedup_key === `notice:${a}:group`)!.payload);
    expect(groupA.message.text).toContain(numbers.A);
    expect(groupA.message.text).toContain(`${BASE}/m/#/notices/${a}`);
    expect(groupA.message.atUserIds).toEqual(['leadA', 'sA1']);
    expect((await t.db('notices').whereNull('sent_at')).length).toBe(0);
  });

  it('a second run of the same half-year issues and sends nothing new', async () => {
    const before = { notices: await t.db('notices').count({ n: '*' }).first(), outbox: await t.db('outbox').count({ n: '*' }).first() };
    const r = await runHalfYearNotices(t.db, { date: '2027-01-05', half: '2026H2', publicBaseUrl: BASE, by: 'admin1' });
    expect(r.issued).toEqual([]);
    expect(r.existing).toBe(r.unitsWithProblems);
    expect(await t.db('notices').count({ n: '*' }).first()).toEqual(before.notices);
    expect(await t.db('outbox').count({ n: '*' }).first()).toEqual(before.outbox);
  });

  it('the document: the unit as addressee, the office as signature, the items with masked IDs; .docx and PDF', async () => {
    const id = (await t.db('notices').where({ unit_id: ids.A }).first()).id;
    const d = await noticeDetail(t.db, staff, id, '2027-01-05');
    const text = documentText(noticeDocument(d.number, d.facts)).join('\n');
    expect(text).toContain('A局');
    expect(text).toContain('柯桥区委编办');
    expect(text).toContain(`张三（${MASKED}）`);
    expect(text).toContain('2027年1月18日');
    expect(text).not.toContain(FULL_ID);
    const docx = await noticeFile(t.db, staff, id, 'docx', '2027-01-05');
    expect(docx.buffer.subarray(0, 2).toString()).toBe('PK');
    expect(docx.fileName).toBe(`${d.number}-A局.docx`);
    const pdf = await noticeFile(t.db, staff, id, 'pdf', '2027-01-05');
    expect(pdf.buffer.subarray(0, 5).toString()).toBe('%PDF-');
    expect(Number((await t.db('audit_log').where({ action: 'notice_download', entity_id: id }).count({ n: '*' }).first())!.n)).toBe(2);
  });

  it('the reply: only the unit\'s own people, validated; the office closes or returns it; states', async () => {
    const a = (await t.db('notices').where({ unit_id: ids.A }).first()).id;
    const sB = { id: 'sB1', role: '单位专管员', scope: [ids.B] };
    const sA = { id: 'sA1', role: '单位专管员', scope: [ids.A] };
    await expect(replyToNotice(t.db, { actor: sB, id: a, input: { text: '我单位已全部整改完毕，请审核。' }, today: '2027-01-06' })).rejects.toMatchObject({ status: 403 });
    await expect(replyToNotice(t.db, { actor: staff, id: a, input: { text: '我单位已全部整改完毕，请审核。' }, today: '2027-01-06' })).rejects.toMatchObject({ status: 403 });
    await expect(replyToNotice(t.db, { actor: sA, id: a, input: { text: '已改' }, today: '2027-01-06' })).rejects.toThrow('至少写 10 个字');
    await expect(replyToNotice(t.db, { actor: sA, id: a, input: { text: '我单位已全部整改完毕，请审核。', items: { f999999: 'x' } }, today: '2027-01-06' })).rejects.toThrow('不是本函所列的问题');
    await expect(reviewNotice(t.db, { actor: staff, id: a, decision: 'close', today: '2027-01-06' })).rejects.toThrow('尚未回复');
    const d0 = await noticeDetail(t.db, sA, a, '2027-01-06');
    const item = `f${d0.facts.overdue[0].findingId}`;
    const r = await replyToNotice(t.db, { actor: sA, id: a, input: { text: '我单位已对所列问题逐项整改。', items: { [item]: '已按规范重新填写时间字段' } }, today: '2027-01-06' });
    expect(r).toMatchObject({ state: 'replied', stateText: '已回复', replyItems: { [item]: '已按规范重新填写时间字段' }, repliedBy: '甲一' });
    await expect(replyToNotice(t.db, { actor: sA, id: a, input: { text: '我单位已对所列问题逐项整改。' }, today: '2027-01-06' })).rejects.toMatchObject({ status: 409 });
    await expect(reviewNotice(t.db, { actor: { id: 'q1', role: '查询用户', scope: null }, id: a, decision: 'close', today: '2027-01-06' })).rejects.toMatchObject({ status: 403 });
    await expect(reviewNotice(t.db, { actor: staff, id: a, decision: 'return', note: '', today: '2027-01-06' })).rejects.toThrow('退回原因');
    const back = await reviewNotice(t.db, { actor: staff, id: a, decision: 'return', note: '请补充未整改问题的计划', today: '2027-01-06', publicBaseUrl: BASE });
    // The unit is told in its group, with the reason and the link.
    const told: Row[] = await t.db('outbox').where('dedup_key', 'like', `notice:${a}:returned:%`).select('target', 'payload');
    expect(told.map((r) => r.target)).toEqual(['group:g-a']);
    expect(JSON.parse(told[0].payload).message.text).toContain('请补充未整改问题的计划');
    expect(JSON.parse(told[0].payload).message.text).toContain(`${BASE}/m/#/notices/${a}`);
    expect(back).toMatchObject({ state: 'open', returned: true, reviewNote: '请补充未整改问题的计划', canReview: false });
    await replyToNotice(t.db, { actor: sA, id: a, input: { text: '补充：剩余问题将于本月底前整改完毕。' }, today: '2027-01-07' });
    const done = await reviewNotice(t.db, { actor: staff, id: a, decision: 'close', today: '2027-01-07' });
    expect(done).toMatchObject({ state: 'closed', stateText: '已办结' });
    // The list: A closed, the others open until 01-18, overdue after.
    const list = await listNotices(t.db, office, { today: '2027-01-19' });
    expect(list.counts.closed).toBe(1);
    expect(list.counts.overdue).toBe(list.rows.length - 1);
    const mine = await listNotices(t.db, sB, { today: '2027-01-10' });
    expect(mine.rows.map((x) => x.unitId)).toEqual([ids.B]);
    expect(mine.rows[0].state).toBe('open');
    expect((await t.db('audit_log').whereIn('action', ['notice_reply', 'notice_review'])).length).toBe(4);
  });

  it('settings: validated, 编办管理员 only; the prefix of the numbers follows the setting', async () => {
    await expect(setNoticeSettings(t.db, staff, { overdueWorkdays: 5 })).rejects.toBeInstanceOf(CommandError);
    await expect(setNoticeSettings(t.db, office, { overdueWorkdays: 0 })).rejects.toThrow('问题超期时限（工作日）应为 1 至 120 之间的整数');
    await expect(setNoticeSettings(t.db, office, { prefix: 'abc' })).rejects.toThrow('文号前缀');
    const s = await setNoticeSettings(t.db, office, { overdueWorkdays: '5', repeatTimes: 2, prefix: '柯编督函' });
    expect(s).toMatchObject({ overdueWorkdays: 5, repeatTimes: 2, replyWorkdays: 10, prefixText: '柯编督函' });
  });

  it('two runs at once (the job and 立即检查): each unit with problems gets one notice, numbers run on without gaps', async () => {
    const before: Row[] = await t.db('notices').where({ year: 2027 }).select('seq');
    const [r1, r2] = await Promise.all([
      runHalfYearNotices(t.db, { date: '2027-01-06', half: '2026H1', publicBaseUrl: BASE }),
      runHalfYearNotices(t.db, { date: '2027-01-06', half: '2026H1', publicBaseUrl: BASE }),
    ]);
    const rows: Row[] = await t.db('notices').where({ half: '2026H1' }).orderBy('seq');
    expect(rows.length).toBe(r1.issued.length + r2.issued.length);
    expect(rows.length).toBe(r1.unitsWithProblems);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => Number(r.unit_id))).size).toBe(rows.length);
    expect(rows.map((r) => r.number)).toEqual(rows.map((_, i) => `柯编督函〔2027〕${before.length + i + 1}号`));
  });
});

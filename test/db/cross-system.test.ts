// The cross-system rules (domain.md §5.9) on a real database through the nightly check and the
// re-check of one person, with feed rows written by test/fixtures/feeds.ts; and 已说明差异:
// an explained difference stays closed through later checks and re-checks until withdrawn.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../core/rules/testing.ts';
import { checkEnv, recheck, runCheck } from '../../db/check.ts';
import { listExplanations } from '../../db/explanations.ts';
import { saveDataSet } from '../../db/store.ts';
import { explainDifference, reviewExplanation, withdrawExplanation } from '../../commands/explain-difference.ts';
import { CommandError } from '../../commands/errors.ts';
import { clearFeeds, putFeed } from '../fixtures/feeds.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const A = '11330603002482189K';
const B = '12330603MB12345621';
const ids = Array.from({ length: 9 }, (_, i) => makeIdNumber(`1980010${i + 1}`, '男', '330603', String(10 + i)));
const NAMES = ['甲一', '乙二', '丙三', '丁四', '戊五', '己六', '庚七', '辛八', '壬九'];
const OFFICE = { id: 'office', role: '编办业务人员', scope: null };

let t: TestDb;
const pid: Record<string, number> = {};
const hash: Record<string, string> = {};
let unitA = 0;
let unitB = 0;

async function xFindings(status: string | string[] = 'open'): Promise<string[]> {
  const rows = await t.db('findings').where('rule', 'like', 'X-%').whereIn('status', Array.isArray(status) ? status : [status]).orderBy(['rule', 'subject_name', 'qualifier']);
  return rows.map((r) => `${r.rule} ${r.subject_name}${r.qualifier ? ` ${r.qualifier}` : ''}`);
}

beforeAll(async () => {
  t = await createTestDb();
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, {
    units: [
      { code: A, name: '区测试局', regionCode: '330603', nature: '政府机关' },
      { code: B, name: '区测试中心', regionCode: '330603', nature: '事业单位', parentCode: A },
    ],
    quotas: [{ unitCode: A, kind: '行政编制', approved: 20 }, { unitCode: B, kind: '事业编制', approved: 20 }],
    people: NAMES.map((name, i) => ({
      unitCode: A, idNumber: ids[i], name, status: i === 7 ? '已出编' : '在编', quotaKind: '行政编制', posts: '科员', rank: '一级主任科员', currentPostSince: '2020-01-01',
    })),
    workers: [{ unitCode: B, idNumber: ids[6], name: '庚七', employment: '劳务派遣', postClass: '窗口服务类', postName: '受理员', firstContractOn: '2020-01-01' }],
  }, { by: 'tester', source: '测试', today: '2026-09-01' }));
  unitA = Number((await t.db('units').where({ code: A }).first('id')).id);
  unitB = Number((await t.db('units').where({ code: B }).first('id')).id);
  for (const r of await t.db('people').select('id', 'name', 'id_hash')) { pid[r.name] = Number(r.id); hash[r.name] = r.id_hash; }
});
afterAll(async () => { await t.close(); });

/** 甲一 clean; 乙二 not on 社保 (X-SI-01); 丙三 退休 (X-SI-03); 丁四 never paid (X-PY-02); 戊五 paid by B (X-PY-03);
 *  己六 appointed 副局长 (X-OR-01, X-OR-02); 庚七 also 编外 (X-ED-01); 辛八 已出编 but paid (X-PY-01); a stranger on A's 社保 and payroll (X-SI-02, X-PY-01). */
async function plantFeeds(): Promise<void> {
  const live = NAMES.filter((n, i) => i !== 7);
  await putFeed(t.db, '社保', '2026-09', [
    ...live.filter((n) => n !== '乙二').map((n) => ({ personId: pid[n], status: n === '丙三' ? '退休' : n === '庚七' ? '暂停' : '参保' })),
    { idHash: 'f'.repeat(64), name: '陌生人', idMasked: '330603********999X', unitId: unitA, status: '参保' },
    // Not resolved to a unit: not a unit's finding (the import reports it).
    { idHash: 'e'.repeat(64), name: '无单位', idMasked: '330603********888X', unitId: null, status: '参保' },
  ]);
  for (const m of ['2026-07', '2026-08', '2026-09']) {
    await putFeed(t.db, '工资统发', m, [
      ...live.filter((n) => n !== '丁四').map((n) => ({ personId: pid[n], unitId: n === '戊五' && m === '2026-09' ? unitB : unitA })),
      { personId: pid['辛八'], unitId: unitA },
      { idHash: 'f'.repeat(64), name: '陌生人', idMasked: '330603********999X', unitId: unitA },
    ]);
  }
  await putFeed(t.db, '组织部任免', '2026-09', [
    { personId: pid['己六'], post: '副局长', rank: '一级主任科员', docNo: '柯委〔2026〕30号', docDate: '2026-09-01' },
    // An older document for the same person: the latest by date counts.
    { personId: pid['己六'], post: '科长', rank: '一级主任科员', docNo: '柯委〔2025〕3号', docDate: '2025-03-01' },
  ]);
}

const PLANTED = [
  'X-ED-01 庚七',
  'X-OR-01 己六',
  'X-OR-02 己六 330603********1x·己六·柯委〔2026〕30号',
  'X-PY-01 辛八 330603********1x·辛八',
  'X-PY-01 陌生人 330603********999X·陌生人',
  'X-PY-02 丁四',
  'X-PY-03 戊五 区测试中心',
  'X-SI-01 丙三',
  'X-SI-01 乙二',
  'X-SI-02 陌生人 330603********999X·陌生人',
  'X-SI-03 丙三',
];
/** The masked IDs in PLANTED written as …1x: fill them from the roster. */
async function planted(): Promise<string[]> {
  const masked = Object.fromEntries((await t.db('people').select('name', 'id_masked')).map((r) => [r.name, r.id_masked]));
  return PLANTED.map((s) => s.replace(/330603\*{8}1x·(\S+?)(·|$)/, (_, n, tail) => `${masked[n]}·${n}${tail}`)).sort();
}

describe('cross-system rules through the nightly check and the re-check', () => {
  it('without any feed: only X-ED-01 (not a feed) fires', async () => {
    await runCheck(t.db, '2026-09-21');
    expect(await xFindings()).toEqual(['X-ED-01 庚七']);
  });

  it('fires each rule on its planted difference and stays silent on the clean match', async () => {
    await plantFeeds();
    await runCheck(t.db, '2026-09-22');
    expect((await xFindings()).sort()).toEqual(await planted());
    expect((await xFindings()).some((f) => f.includes('甲一') || f.includes('无单位'))).toBe(false);
    const py2 = await t.db('findings').where({ rule: 'X-PY-02' }).first('detail');
    expect(JSON.parse(py2.detail)).toEqual({ months: ['2026-09', '2026-08', '2026-07'] });
  });

  it('a re-check of each person finds the same as the nightly check (same predicates, same facts)', async () => {
    const env = await checkEnv(t.db, '2026-09-22');
    for (const n of NAMES) {
      const r = await recheck(t.db, { personHash: hash[n] }, '2026-09-22', env);
      expect({ n, opened: r!.opened, resolved: r!.resolved }).toEqual({ n, opened: [], resolved: [] });
    }
    expect((await xFindings()).sort()).toEqual(await planted());
  });

  it('a re-check after the difference is removed resolves it; the unit re-check sees the unit rules', async () => {
    // 乙二 now on the 社保 roster (a new import of the month replaces the earlier one).
    const si = await t.db('feed_social_insurance as s').join('feed_imports as i', 'i.id', 's.import_id').whereNull('i.replaced_by').select('s.*');
    await putFeed(t.db, '社保', '2026-09', [
      ...si.filter((r) => r.unit_id != null).map((r) => ({ idHash: r.id_hash, name: r.name, idMasked: r.id_masked, unitId: Number(r.unit_id), status: r.status })),
      { personId: pid['乙二'] },
    ]);
    const r = await recheck(t.db, { personHash: hash['乙二'] }, '2026-09-22');
    expect(r!.resolved).toEqual(['X-SI-01']);
    expect(await xFindings()).not.toContain('X-SI-01 乙二');
    // The stranger is registered as 编外 in A: X-SI-02 goes at the unit's re-check (X-PY-01 stays: not 在编).
    await t.db.transaction((trx) => saveDataSet(trx, t.pii, { workers: [{ unitCode: A, idNumber: makeIdNumber('19900101', '女', '330603', '77'), name: '陌生人', employment: '劳务派遣' }] } as any, { by: 'tester', source: '测试', today: '2026-09-22' }));
    await t.db('workers').where({ name: '陌生人' }).update({ id_hash: 'f'.repeat(64) });
    const u = await recheck(t.db, { unitId: unitA }, '2026-09-22');
    expect(u!.resolved).toContain('X-SI-02');
    expect(u!.resolved).not.toContain('X-PY-01');
  });
});

describe('a feed month before 入编时间 or after 出编 does not count against the person', () => {
  it('entered in the feed month (the grace), or left after it: no finding; left before it: X-SI-02 and X-PY-01; the re-check agrees', async () => {
    const idOf = (i: number) => makeIdNumber(`1991020${i}`, '女', '330603', String(40 + i));
    await t.db.transaction((trx) => saveDataSet(trx, t.pii, {
      people: [
        // On no feed of 2026-07…09: entered 2026-09-10, so no month counts yet.
        { unitCode: A, idNumber: idOf(1), name: '新入', status: '在编', quotaKind: '行政编制', enteredOn: '2026-09-10' },
        { unitCode: A, idNumber: idOf(2), name: '九月走', status: '已出编', quotaKind: '行政编制', enteredOn: '2010-09-01' },
        { unitCode: A, idNumber: idOf(3), name: '八月走', status: '已出编', quotaKind: '行政编制', enteredOn: '2010-09-01' },
      ],
    } as any, { by: 'tester', source: '测试', today: '2026-09-22' }));
    await t.db('people').where({ name: '九月走' }).update({ exit_on: '2026-09-25' });
    await t.db('people').where({ name: '八月走' }).update({ exit_on: '2026-08-31' });
    // Both leavers still on A's 2026-09 社保 list and payroll (rows added to the current imports).
    for (const [kind, table] of [['社保', 'feed_social_insurance'], ['工资统发', 'feed_payroll']] as const) {
      const imp = await t.db('feed_imports').where({ kind, month: '2026-09' }).whereNull('replaced_by').first('id');
      const like = await t.db(table).where({ import_id: imp.id, unit_id: unitA }).first();
      for (const n of ['九月走', '八月走']) {
        const p = await t.db('people').where({ name: n }).first('id_hash', 'id_masked');
        const { id: _id, ...row } = like;
        await t.db(table).insert({ ...row, row_no: 9000 + (n === '九月走' ? 1 : 2), id_hash: p.id_hash, id_masked: p.id_masked, name: n });
      }
    }
    await runCheck(t.db, '2026-09-22');
    const found = await xFindings();
    expect(found.filter((f) => /新入|九月走/.test(f))).toEqual([]);
    expect(found.filter((f) => f.includes('八月走')).map((f) => f.split(' ')[0]).sort()).toEqual(['X-PY-01', 'X-SI-02']);
    const env = await checkEnv(t.db, '2026-09-22');
    for (const n of ['新入', '九月走', '八月走']) {
      const h = (await t.db('people').where({ name: n }).first('id_hash')).id_hash;
      const r = await recheck(t.db, { personHash: h }, '2026-09-22', env);
      expect({ n, opened: r!.opened, resolved: r!.resolved }).toEqual({ n, opened: [], resolved: [] });
    }
    const u = await recheck(t.db, { unitId: unitA }, '2026-09-22', env);
    expect({ opened: u!.opened, resolved: u!.resolved }).toEqual({ opened: [], resolved: [] });
    expect(await xFindings()).toEqual(found);
  });
});

describe('已说明差异', () => {
  it('refuses roles other than the office\'s, non-X findings, and missing reason or evidence, in Chinese', async () => {
    const f = await t.db('findings').where({ rule: 'X-PY-03', status: 'open' }).first('id');
    const base = { findingId: Number(f.id), reason: '借调', reasonText: '借调至区测试中心工作', evidenceNo: '柯人社〔2026〕5号', today: '2026-09-22' };
    await expect(explainDifference(t.db, { ...base, actor: { id: 'u1', role: '单位专管员', scope: [unitA] } })).rejects.toThrow(/编办管理员或编办业务人员/);
    await expect(explainDifference(t.db, { ...base, actor: { id: 'q', role: '查询用户', scope: null } })).rejects.toMatchObject({ status: 403 });
    await expect(explainDifference(t.db, { ...base, actor: OFFICE, evidenceNo: '' })).rejects.toThrow(/依据文号或上传依据文件/);
    await expect(explainDifference(t.db, { ...base, actor: OFFICE, reason: '临时' })).rejects.toThrow(/借调、离岗创业/);
    await expect(explainDifference(t.db, { ...base, actor: OFFICE, reasonText: ' ' })).rejects.toThrow(/请填写说明/);
    await runCheck(t.db, '2026-09-23');
    const other = await t.db('findings').where('rule', 'not like', 'X-%').where({ status: 'open' }).first('id');
    if (other) await expect(explainDifference(t.db, { ...base, findingId: Number(other.id), actor: OFFICE })).rejects.toThrow(/跨部门比对/);
    expect(await t.db('explained_differences').count({ n: '*' }).first()).toMatchObject({ n: 0 });
  });

  it('closes the finding as explained, keeps it closed through checks and re-checks, returns it once withdrawn', async () => {
    const f = await t.db('findings').where({ rule: 'X-PY-03', status: 'open' }).first('id', 'fingerprint');
    const data = Buffer.from('借调函（测试）').toString('base64');
    const e = await explainDifference(t.db, { actor: OFFICE, findingId: Number(f.id), reason: '借调', reasonText: '借调至区测试中心，工资由中心发放', evidenceNo: '柯人社〔2026〕5号', evidenceFile: { name: '借调函.pdf', data }, today: '2026-09-23' });
    expect(e.reviewDue).toBe('2027-09-23');
    const row = await t.db('findings').where({ id: f.id }).first();
    expect(row).toMatchObject({ status: 'explained', resolved_on: '2026-09-23', open_key: null });
    expect(await t.db('audit_log').where({ action: 'explain-difference', entity_id: f.id }).count({ n: '*' }).first()).toMatchObject({ n: 1 });
    await expect(explainDifference(t.db, { actor: OFFICE, findingId: Number(f.id), reason: '借调', reasonText: 'x', evidenceNo: 'y', today: '2026-09-23' })).rejects.toThrow(/已标记为已说明/);

    await runCheck(t.db, '2026-09-24');
    const r = await recheck(t.db, { personHash: hash['戊五'] }, '2026-09-24');
    expect(r!.opened).toEqual([]);
    await runCheck(t.db, '2026-09-25');
    expect(await t.db('findings').where({ fingerprint: f.fingerprint }).whereIn('status', ['open', 'pending']).count({ n: '*' }).first()).toMatchObject({ n: 0 });

    const list = await listExplanations(t.db, { filter: 'active', unitIds: null, today: '2026-09-25' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ rule: 'X-PY-03', subjectName: '戊五', reason: '借调', evidenceFile: '借调函.pdf', overdue: false });
    expect(list[0].evidenceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await listExplanations(t.db, { filter: 'due', unitIds: null, today: '2027-09-23' })).toHaveLength(1);
    const reviewed = await reviewExplanation(t.db, { actor: OFFICE, id: e.id, today: '2027-09-24' });
    expect(reviewed.reviewDue).toBe('2028-09-24');
    await expect(withdrawExplanation(t.db, { actor: { id: 'u1', role: '单位专管员', scope: [unitA] }, id: e.id, reason: '借调结束' })).rejects.toBeInstanceOf(CommandError);
    await expect(withdrawExplanation(t.db, { actor: OFFICE, id: e.id, reason: '' })).rejects.toThrow(/撤销原因/);
    await withdrawExplanation(t.db, { actor: OFFICE, id: e.id, reason: '借调结束' });

    // Withdrawn: the re-check opens it again, as a new finding.
    const back = await recheck(t.db, { personHash: hash['戊五'] }, '2026-09-28');
    expect(back!.opened).toEqual(['X-PY-03']);
    const rows = await t.db('findings').where({ fingerprint: f.fingerprint }).orderBy('id').select('status');
    expect(rows.map((x) => x.status)).toEqual(['explained', 'open']);
  });

  it('a county whose feeds are gone gets no X-SI/X-PY/X-OR findings: they resolve', async () => {
    await clearFeeds(t.db);
    await runCheck(t.db, '2026-09-29');
    expect(await xFindings()).toEqual(['X-ED-01 庚七']);
  });
});

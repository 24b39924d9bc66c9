// The demo county carries the 书面函告 (issue 18): seeded as `sanse demo` and `sanse serve` seed it,
// it holds the notices of the half-year that ended last, issued by the real cross-check from
// findings dated in that half-year, one of them replied by its unit, so the office can try the
// reply, 办结 and 退回 on a first start.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listNotices, noticeDetail, reviewNotice } from '../../commands/half-year-notices.ts';
import { seedDemoCounty } from '../../commands/demo-county.ts';
import { halfRange, unitProblems } from '../../core/half-year-notices.ts';
import { halfYearFindings } from '../../db/notices.ts';
import { loadCalendar, loadNoticeSettings } from '../../db/settings.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-12-07';
const OFFICE = { id: 'demo-admin', role: '编办管理员', scope: null };
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemoCounty(t.db, t.pii, { units: 30, people: 400, seed: 7, today: TODAY }, 'http://127.0.0.1:3000');
}, 120_000);
afterAll(async () => t?.close());

describe('the demo county\'s 书面函告', () => {
  it('holds the notices of the half-year ended last, from findings dated in it, issued a few working days ago', async () => {
    const list = await listNotices(t.db, OFFICE, { today: TODAY });
    expect(list.check).toEqual({ half: '2026H1', halfText: '2026年上半年', currentText: '2026年下半年', currentEnds: '2026-12-31' });
    expect(list.halves).toEqual(['2026H1']);
    expect(list.rows.length).toBeGreaterThanOrEqual(3);
    // 未回复 beside 已回复 on a first start; none past its deadline yet.
    expect(list.counts.replied).toBe(1);
    expect(list.counts.open).toBe(list.rows.length - 1);
    const { from, to } = halfRange('2026H1');
    let overdue = 0;
    let repeated = 0;
    for (const n of list.rows) {
      expect(n.issuedOn > to && n.issuedOn < TODAY).toBe(true);
      expect(n.sent).toBe(true);
      const d = await noticeDetail(t.db, OFFICE, n.id, TODAY);
      for (const o of d.facts.overdue) {
        expect(o.openedOn >= from && o.openedOn <= to).toBe(true);
        expect(o.workdaysOpen).toBeGreaterThanOrEqual(10);
      }
      overdue += d.facts.overdue.length;
      repeated += d.facts.repeated.length;
    }
    expect(overdue).toBeGreaterThan(0);
    expect(repeated).toBeGreaterThan(0);
    // The facts are the cross-check's own: recomputed from the findings now, the same units.
    const problems = unitProblems(await halfYearFindings(t.db, '2026H1'), '2026H1', await loadNoticeSettings(t.db), await loadCalendar(t.db));
    expect(problems.map((p) => p.unitId).sort()).toEqual(list.rows.map((n) => n.unitId).sort());
    // Each notice was queued to its unit's group or people.
    expect(Number((await t.db('outbox').where('dedup_key', 'like', 'notice:%').count({ n: '*' }).first())!.n)).toBeGreaterThanOrEqual(list.rows.length);
  });

  it('the replied one can be reviewed by the office at once', async () => {
    const [replied] = (await listNotices(t.db, OFFICE, { today: TODAY, state: 'replied' })).rows;
    const d = await noticeDetail(t.db, OFFICE, replied.id, TODAY);
    expect(d.replyText).toMatch(/整改/);
    expect(d.canReview).toBe(true);
    const closed = await reviewNotice(t.db, { actor: OFFICE, id: replied.id, decision: 'close', today: TODAY });
    expect(closed.state).toBe('closed');
  });
});

// 已说明差异 in a real browser (Chromium through playwright-core): a person of the demo county is
// paid by another unit (the 工资统发 feed written by test/fixtures/feeds.ts), the re-check opens
// X-PY-03; the 编办业务人员 marks it 已说明 from the console's findings view (a missing reason is
// refused in Chinese), the finding leaves the open list and shows under 已说明; the
// 已说明差异 tab lists the mapping, flags it 逾期未复核 once its review date has passed, and the
// review clears the flag. Screenshots: test-output/screenshots/explain-dialog.png and
// explanations-console.png.

import type { Page } from 'playwright-core';
import { dropDemoFeeds } from '../db/helpers.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { recheck } from '../../db/check.ts';
import { putFeed } from '../fixtures/feeds.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 12, people: 150, seed: 5, today: '2026-11-23' };
const POLL = { timeout: 30_000, interval: 200 };

describe.skipIf(!HAVE_CHROMIUM)('已说明差异 in the console (Chromium)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  let person: Record<string, any>;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    await page.setViewportSize({ width: 1280, height: 900 });
    page.on('dialog', (d) => void d.accept('借调已结束'));
    const db = s.ctx.db;
    // The feeds this suite puts in are the first: the demo county's own are removed, with their findings.
    await dropDemoFeeds(db, { findings: true });
    person = await db('people').where({ status: '在编' }).whereNotNull('id_hash').orderBy('id').first();
    const other = await db('units').whereNot({ id: person.unit_id }).orderBy('id').first('id', 'name');
    person.payUnit = other.name;
    await putFeed(db, '工资统发', todayInShanghai().slice(0, 7), [{ personId: Number(person.id), unitId: Number(other.id) }]);
    const r = await recheck(db, { personHash: person.id_hash }, todayInShanghai());
    expect(r!.opened).toContain('X-PY-03');
  }, 180_000);

  it('marks an X finding 已说明 from the findings view', async () => {
    await sandboxLogin(page, s.url, 'demo-staff-01');
    await openMiniApp(page, s.url, '/console/findings?rule=X-PY-03');
    await page.getByTestId('explain-open').first().waitFor(POLL);
    expect(await page.getByTestId('finding').count()).toBe(1);
    await page.getByTestId('explain-open').click();
    await page.getByTestId('explain-submit').click();
    await expect.poll(() => page.getByTestId('explain-error').textContent(), POLL).toContain('请选择说明类别');
    await page.getByTestId('explain-reason').selectOption('借调');
    await page.getByTestId('explain-text').fill(`借调至${person.payUnit}，工资由借调单位发放`);
    await page.getByTestId('explain-docno').fill('柯组〔2026〕12号');
    await phone.shot('explain-dialog');
    await page.getByTestId('explain-submit').click();
    await expect.poll(() => page.getByTestId('finding').count(), POLL).toBe(0);
    const f = await s.ctx.db('findings').where({ rule: 'X-PY-03' }).first('status');
    expect(f.status).toBe('explained');
    // Under 已说明, not 已整改.
    await openMiniApp(page, s.url, '/console/findings?rule=X-PY-03&status=explained');
    await expect.poll(() => page.getByTestId('deadline').first().textContent(), POLL).toContain('已说明');
    await openMiniApp(page, s.url, '/console/findings?rule=X-PY-03&status=resolved');
    await page.getByText('没有符合条件的问题').waitFor(POLL);
  });

  it('lists the mapping, flags it once due for review, and the review clears the flag', async () => {
    await s.ctx.db('explained_differences').update({ review_due: '2026-01-01' });
    await openMiniApp(page, s.url, '/console/explanations');
    await page.getByTestId('explanation').first().waitFor(POLL);
    expect(await page.getByTestId('explanation').count()).toBe(1);
    expect(await page.getByTestId('explanation').textContent()).toContain(person.name);
    await expect.poll(() => page.getByTestId('explanation-overdue').count(), POLL).toBe(1);
    expect(await page.getByTestId('explanations-due').textContent()).toContain('（1）');
    await phone.shot('explanations-console', true);
    await page.getByTestId('explanation-review').click();
    await expect.poll(() => page.getByTestId('explanation-overdue').count(), POLL).toBe(0);
    const e = await s.ctx.db('explained_differences').first('review_due', 'reviewed_by');
    expect(e.reviewed_by).toBe('demo-staff-01');
    expect(e.review_due > todayInShanghai()).toBe(true);
    // Withdrawn (the prompt answers 借调已结束): listed under 已撤销; the next re-check opens the finding again.
    await page.getByTestId('explanation-withdraw').click();
    await expect.poll(() => page.getByTestId('explanation').count(), POLL).toBe(0);
    await page.getByTestId('explanations-withdrawn').click();
    await expect.poll(() => page.getByTestId('explanation-withdrawn').count(), POLL).toBe(1);
    const r = await recheck(s.ctx.db, { personHash: person.id_hash }, todayInShanghai());
    expect(r!.opened).toContain('X-PY-03');
    expect(phone.pageErrors).toEqual([]);
  });
});

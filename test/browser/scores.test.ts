// The console's 评分排名 and a unit's score history in a real browser (Chromium through
// playwright-core, 390×844), on the demo county: the month's table with the deductions by family,
// the 红黑榜 preview published with 发布 (confirmed) to every group once, the policy editor's
// Chinese refusal and save, and the unit page's history of two months. Screenshots in
// test-output/screenshots/ (scores-*.png).

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeMonthScores } from '../../commands/close-month-scores.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';

const COUNTY = { units: 40, people: 600, seed: 3, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('评分排名 in the console, the score history on the unit page (Chromium, 390×844)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    for (const month of ['2026-10', '2026-11']) await closeMonthScores({ db: db(), month, today: '2026-12-01', publicBaseUrl: s.url });
  }, 180_000);

  it('the office previews the month, publishes the 红黑榜 once, and edits the policy', async () => {
    const units = Number((await db()('units').count({ n: '*' }).first())!.n);
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/scores?month=2026-11');
    await expect.poll(() => page.locator('[data-testid="score-table"] tbody tr').count(), POLL).toBe(units);
    expect(await page.locator('[data-testid="ranking-state"]').textContent()).toContain('预览（未发布）');
    expect(await page.locator('[data-testid="board-top"] li').count()).toBe(10);
    expect(await page.locator('[data-testid="board-bottom"] li').count()).toBe(10);
    const first = await page.locator('[data-testid="score-table"] tbody tr').first().locator('td').allTextContents();
    const best = await db()('unit_scores as s').join('units as u', 'u.id', 's.unit_id').where('s.month', '2026-11').orderBy([{ column: 's.rank' }, { column: 's.unit_id' }]).first('u.name', 's.score', 's.rank');
    expect(first.slice(0, 3)).toEqual([String(best.rank), best.name, String(Number(best.score))]);
    await phone.shot('scores-01-preview');
    await page.locator('[data-testid="score-table"]').scrollIntoViewIfNeeded();
    await phone.shot('scores-02-table');

    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); void d.accept(); });
    await page.locator('[data-testid="publish"]').click();
    await expect.poll(() => page.locator('[data-testid="publish-note"]').textContent(), POLL).toContain('已发布');
    expect(asked).toContain('发布后不能撤回');
    await expect.poll(() => page.locator('[data-testid="ranking-state"]').textContent(), POLL).toContain('已发布');
    expect(await page.locator('[data-testid="publish"]').count()).toBe(0);
    const groups = (await db()('units').whereNotNull('group_id').distinct('group_id')).length + 1;
    expect(await db()('outbox').where('dedup_key', 'like', 'ranking:2026-11:%').count({ n: '*' }).first()).toMatchObject({ n: groups });

    await page.locator('[data-testid="w-S2"]').fill('很多');
    await page.locator('[data-testid="policy-save"]').click();
    await expect.poll(() => page.locator('[data-testid="policy-note"]').textContent(), POLL).toContain('一般问题每项扣分应为 0 到 100 之间的数');
    await page.locator('[data-testid="w-S2"]').fill('0.5');
    await page.locator('[data-testid="auto-broadcast"]').check();
    await page.locator('[data-testid="policy-save"]').click();
    await expect.poll(() => page.locator('[data-testid="policy-note"]').textContent(), POLL).toContain('已保存');
    expect(JSON.parse((await db()('settings').where({ key: 'score.policy' }).first()).value)).toMatchObject({ weights: { S2: 0.5 }, autoBroadcast: true });
    await page.locator('[data-testid="score-policy"]').scrollIntoViewIfNeeded();
    await phone.shot('scores-03-policy');
    expect(phone.pageErrors).toEqual([]);
  }, 90_000);

  it('a unit\'s specialist sees its score month by month on the unit page', async () => {
    const spec = await db()('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
    const rows = await db()('unit_scores').where({ unit_id: spec.unit_id }).orderBy('month', 'desc').select('month', 'score', 'rank');
    await sandboxLogin(page, s.url, spec.id);
    await openMiniApp(page, s.url, `/unit/${spec.unit_id}`);
    const history = page.locator('[data-testid="score-history"] .change');
    await expect.poll(() => history.count(), POLL).toBe(2);
    const texts = await history.allTextContents();
    expect(texts[0]).toContain(`2026-11　${Number(rows[0].score)} 分　第 ${rows[0].rank}/`);
    expect(texts[1]).toContain('2026-10');
    expect(texts[0]).toContain('完整度');
    await page.locator('[data-testid="score-history"]').scrollIntoViewIfNeeded();
    await phone.shot('scores-04-unit-history');
    expect(phone.pageErrors).toEqual([]);
  }, 60_000);
});

// The daily alerts within the month's message budget (消息额度), on a real database (SQLite;
// MariaDB with SANSE_TEST_DB=mysql) with the demo county and the sandbox platform: the office
// group is warned once a month at 80 %; when the budget is short the alerts go as office-level
// digests with the red units' cards first and no per-unit cards beyond the day's share; card
// updates in place wait for green while short.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../bot/dispatcher.ts';
import { callsOfDelivery, type Delivery } from '../../bot/platform.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { queueCardUpdates } from '../../commands/alerts.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { createCalendar } from '../../core/calendar.ts';
import { todayInShanghai } from '../../core/dates.ts';
import { countApiCalls, monthApiCalls } from '../../db/api-calls.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';

// November 2026: 21 working days, no holiday. D0 Monday 23rd (16 elapsed, 5 left); D4 Friday 27th (20 elapsed, 1 left).
const D0 = '2026-11-23';
const cal = createCalendar();
const D4 = cal.addWorkdays(D0, 4);
const BASE = 'http://127.0.0.1:3000';
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: D0 });
});
afterAll(async () => { await t.close(); });

/** Sets the month's count of sandbox calls to `n` (as if sent earlier this month). */
async function usedSoFar(n: number, month = '2026-11') {
  await t.db('api_calls').where({ month }).del();
  await countApiCalls(t.db, month, 'sandbox', [{ kind: 'create-card', n }]);
}
async function clearOutbox() {
  await t.db('outbox').del();
  await t.db('cards').del();
}
const rows = async (like: string) => t.db('outbox').where('dedup_key', 'like', like).orderBy('dedup_key');
const payload = (r: { payload: string }) => JSON.parse(r.payload) as Delivery;
const callsOf = (rs: Array<{ payload: string }>) => rs.reduce((n, r) => n + callsOfDelivery(payload(r)).reduce((m, c) => m + c.n, 0), 0);

describe('daily alerts within the message budget', () => {
  it('with budget to spare (100 of 5,000 used), every unit gets its card and nobody is warned', async () => {
    expect(D4).toBe('2026-11-27');
    await usedSoFar(100);
    const s = await dailyCheck(t.db, D0, BASE);
    expect(s.alerts!.budget).toMatchObject({ platform: 'sandbox', budget: 5000, used: 100, state: 'ok', mode: 'cards', allowance: 816 }); // 4,900 over 6 days
    expect(s.alerts!.officeDigests).toBe(0);
    expect(s.alerts!.budgetWarning).toBe(false);
    expect(s.alerts!.groupCards).toBeGreaterThan(20);
    expect(await rows('budget-warning:%')).toHaveLength(0);
    expect(await rows('office-digest:%')).toHaveLength(0);
  });

  it('short (4,970 of 5,000 on the 27th: 15 calls a day): red units get cards first, the rest go to the office group as one digest, red first', async () => {
    await clearOutbox();
    await usedSoFar(4970);
    const s = await dailyCheck(t.db, D4, BASE);
    const a = s.alerts!;
    // 30 left over today and Monday 30th: 15 today.
    expect(a.budget).toMatchObject({ state: 'short', used: 4970, allowance: 15, mode: 'digest' });
    expect(a.officeDigests).toBe(1);
    expect(a.leaderCards).toBe(0);

    const cards = [...(await rows(`digest:%:${D4}`)), ...(await rows(`digest-dm:%:${D4}`))];
    const digest = await rows(`office-digest:${D4}:%`);
    const noGroup = await rows(`no-group:${D4}`);
    const leaders = await rows('leader-digest:%');
    // The day's calls stay within its share: unit cards + the digest + the no-group list ≤ 15.
    const day = [...cards, ...digest, ...noGroup, ...leaders];
    expect(callsOf(day)).toBeLessThanOrEqual(15);
    expect(cards.length).toBe(15 - 1 - noGroup.length);
    expect(cards.length + a.officeDigestUnits).toBeGreaterThan(cards.length);

    // Red first: a unit with red items is left to the digest only when every card went to a red unit.
    const unitOf = (key: string) => Number(key.split(':')[1]);
    const groupCards = cards.filter((c) => payload(c).op === 'createCard').map((c) => (payload(c) as { card: { data: Record<string, string> } }).card.data);
    expect(groupCards.length).toBeGreaterThan(0);
    expect(groupCards.every((d) => d.light === 'red')).toBe(true);
    const maxRedCarded = Math.min(...groupCards.map((d) => Number(d.red)));

    const d = payload(digest[0]);
    expect(d).toMatchObject({ op: 'send', target: { kind: 'group', groupId: 'office-group' }, message: { kind: 'markdown', title: '数据质量预警汇总' } });
    const text = (d as { message: { text: string } }).message.text;
    expect(text).toContain('已用 4970 次，月度额度 5000 次');
    const redAt = text.indexOf('**有红灯的单位**');
    const yellowAt = text.indexOf('**仅有黄灯的单位**');
    expect(redAt).toBeGreaterThan(0);
    if (yellowAt >= 0) expect(yellowAt).toBeGreaterThan(redAt);
    const listed = text.split('\n').filter((l) => l.startsWith('- '));
    expect(listed).toHaveLength(a.officeDigestUnits);
    // No unit both carded and listed.
    const cardedNames = new Set(await Promise.all(cards.map(async (c) => (await t.db('units').where({ id: unitOf(c.dedup_key) }).first('name')).name as string)));
    for (const l of listed) expect(cardedNames.has(l.slice(2).split('：')[0])).toBe(false);
    // Most red first: no unit in the digest has more red items than a carded one.
    const listedRed = listed.map((l) => Number(/红灯 (\d+)/.exec(l)?.[1] ?? 0));
    expect(Math.max(...listedRed)).toBeLessThanOrEqual(maxRedCarded);
    expect(listedRed.some((n) => n > 0)).toBe(true); // there were more red units than the day's share

    // 4,970 is over 80 %: the office group is warned, with what the system does.
    const warn = await rows('budget-warning:%');
    expect(warn).toHaveLength(1);
    expect(warn[0].dedup_key).toBe('budget-warning:sandbox:2026-11');
    const w = payload(warn[0]) as { target: unknown; message: { title: string; text: string } };
    expect(w.target).toEqual({ kind: 'group', groupId: 'office-group' });
    expect(w.message.title).toBe('消息额度提醒');
    expect(w.message.text).toContain('已用 **4970** 次，占月度额度 5000 次的 **99%**');
    expect(w.message.text).toContain('有红灯的单位优先单独发卡片');
  });

  it('while short a card is not updated for each fix, only when it turns green', async () => {
    const card = (await rows(`digest:%:${D4}`)).map((r) => ({ r, unitId: Number(r.dedup_key.split(':')[1]) }));
    // A carded unit with at least two open items.
    let target: number | null = null;
    for (const c of card) {
      const n = (await t.db('findings').where({ unit_id: c.unitId, status: 'open' }).count({ n: '*' }).first())!.n;
      if (Number(n) >= 2) { target = c.unitId; break; }
    }
    expect(target).not.toBeNull();
    const open = await t.db('findings').where({ unit_id: target!, status: 'open' }).orderBy('id').select('id');
    await t.db('findings').where({ id: open[0].id }).update({ status: 'resolved', open_key: null });
    expect(await t.db.transaction((trx) => queueCardUpdates(trx, [target!], D4, cal))).toBe(0);
    await t.db('findings').whereIn('id', open.map((f) => f.id)).update({ status: 'resolved', open_key: null });
    expect(await t.db.transaction((trx) => queueCardUpdates(trx, [target!], D4, cal))).toBeGreaterThanOrEqual(1);
    const up = await rows(`card:unit-digest:${target}:${D4}:%`);
    expect(up).toHaveLength(1);
    expect((payload(up[0]) as { card: { data: Record<string, string> } }).card.data.light).toBe('green');
  });

  it('the warning goes once a month: the next day it is not repeated', async () => {
    const s = await dailyCheck(t.db, cal.addWorkdays(D4, 1), BASE); // Monday 30 November
    expect(s.alerts!.budgetWarning).toBe(false);
    expect(await rows('budget-warning:%')).toHaveLength(1);
  });

  it('the sandbox counts what it sends: the month grows by the calls of the rows delivered', async () => {
    const month = todayInShanghai().slice(0, 7);
    const before = (await monthApiCalls(t.db, month)).find((c) => c.platform === 'sandbox')?.total ?? 0;
    const pending = await t.db('outbox').where({ state: 'pending' }).select('payload');
    const d = createDispatcher(t.db, createSandboxPlatform(t.db), { ratePerSecond: 1000, log: quiet, baseBackoffMs: 1, maxBackoffMs: 5, maxAttempts: 2 });
    const c = await d.drain({ settle: true, timeoutMs: 30_000 });
    expect(c.sent + c.dead).toBe(pending.length);
    const after = (await monthApiCalls(t.db, month)).find((x) => x.platform === 'sandbox')!.total;
    expect(after - before).toBe(callsOf(pending));
    const office = await t.db('sandbox_messages').where({ conversation: 'group:office-group' }).select('payload');
    expect(office.map((r) => String(r.payload)).join('\n')).toContain('数据质量预警汇总');
  });

  it('the weekly list within a short budget: the office card, then the units\' own parts red first up to the day\'s share; the office card says how many were held', async () => {
    const { sendWeeklyList, weeklyLinks } = await import('../../commands/weekly-list.ts');
    await clearOutbox();
    await usedSoFar(4970); // 15 calls today (27 November)
    const r = await sendWeeklyList(t.db, D4, weeklyLinks(BASE));
    expect(r.sent).toBe(true);
    const unitParts = await rows('weekly:%:unit:%');
    expect(unitParts.length).toBeLessThanOrEqual(14); // 15 less the office card
    expect(r.heldForBudget).toBeGreaterThan(0);
    expect(r.unitGroupCards + r.unitDirectCards).toBe(unitParts.length);
    const list = JSON.parse((await t.db('weekly_lists').orderBy('id', 'desc').first()).content);
    const redUnits = new Set(list.units.filter((l: { red: unknown }) => l.red).map((l: { unitId: number }) => l.unitId));
    for (const row of unitParts) expect(redUnits.has(Number(row.dedup_key.split(':').at(-1)))).toBe(true);
    const office = payload((await rows("weekly:%:office"))[0]) as unknown as { card: { data: { markdown: string } } };
    expect(office.card.data.markdown).toContain(`本月消息额度不足：${r.heldForBudget} 个单位未单独发送本周清单`);
  });
});

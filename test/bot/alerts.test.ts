// Alerts after the daily check, through the outbox and the sandbox platform, on a real database
// (SQLite; MariaDB with SANSE_TEST_DB=mysql): digests per unit, 1:1 fall-backs, one card a day
// per unit leader with the red items of their units, cards updated in place as findings are
// resolved (with the items left), robot commands.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { createDispatcher } from '../../bot/dispatcher.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { findingLight, HINT_RULES } from '../../core/lights.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { subtreeIds } from '../../db/scope.ts';
import { saveDataSet } from '../../db/store.ts';
import { dailyCheck, recheckRecord } from '../../commands/daily-check.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { shownText } from './markdown.ts';

const D0 = '2026-11-23';
const cal = createCalendar();
const D4 = cal.addWorkdays(D0, 4);
const BASE = 'http://127.0.0.1:3000';
let t: TestDb;
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 11, today: D0 });
});
afterAll(async () => { await t.close(); });

const outbox = (like: string) => t.db('outbox').where('dedup_key', 'like', like);

/** Corrects a person's 民族 (what P-ID-14 found) as an import would, and re-checks the record. */
async function fixEthnicity(personId: number, date: string) {
  const p = await t.db('people').where({ id: personId }).first();
  const { code } = await t.db('units').where({ id: p.unit_id }).first('code');
  const idNumber = t.pii.decrypt(p.id_enc);
  await t.db.transaction((trx) => saveDataSet(trx, t.pii, { people: [{ unitCode: code, idNumber, name: p.name, status: p.status, quotaKind: p.quota_kind, ethnicity: '汉族', birthDate: p.birth_date, gender: p.gender, office: p.office, posts: p.posts, leaderLevel: p.leader_level, rank: p.rank, postCategory: p.post_category, title: p.title, dutyStatus: p.duty_status, dutyStatusSince: p.duty_status_since, enteredOn: p.entered_on, workStartOn: p.work_start_on, currentPostSince: p.current_post_since, education: p.education, identity: p.identity, lateRetireUntil: p.late_retire_until, politics: p.politics }] }, { by: 'test', source: '测试', today: date, reason: '更正民族' }));
  const r = await recheckRecord(t.db, { personHash: p.id_hash }, date);
  expect(r!.resolved).toContain('P-ID-14');
}

/** The item lines of a card's markdown. */
const itemLines = (markdown: string) => markdown.split('\n').filter((l) => l.startsWith('- '));

describe('daily alerts', () => {
  it('queues one digest card per unit with open yellow or red findings into its group, once (提示 alone sends none)', async () => {
    const s = await dailyCheck(t.db, D0, BASE);
    const units = await t.db('findings as f').join('units as u', 'u.id', 'f.unit_id').where('f.status', 'open').whereNotIn('f.rule', HINT_RULES).distinct('u.id', 'u.code', 'u.group_id');
    const hintOnly = await t.db('findings as f').where('f.status', 'open').whereNotIn('f.unit_id', units.map((u) => u.id)).distinct('f.unit_id');
    expect(hintOnly.length).toBeGreaterThan(0); // the demo has units with 提示 only: no card for them
    const withGroup = units.filter((u) => u.group_id);
    expect(s.alerts!.groupCards).toBe(withGroup.length);
    const cards = await outbox(`digest:%:${D0}`);
    expect(cards).toHaveLength(withGroup.length);
    const one = JSON.parse(cards[0].payload);
    expect(one).toMatchObject({ op: 'createCard', target: { kind: 'group' }, card: { template: 'alert' } });
    expect(one.card.cardId).toMatch(/^unit-digest:.+:2026-11-23$/);
    expect(one.card.data.url).toContain(`${BASE}/m/#/todo?unit=`);
    expect(one.card.data.markdown).toMatch(/已 \d+ 个工作日|今日发现/);
    // A finding of the day reads 今日发现, never 已 0 个工作日.
    const all = cards.map((c) => JSON.parse(c.payload).card.data.markdown as string).join('\n');
    expect(all).not.toContain('已 0 个工作日');
    expect(all).toContain('今日发现');
    expect(cards[0].payload).not.toMatch(/\d{17}[\dX]"/);
    // Units without a group: their specialists get it 1:1, the office gets the list.
    const noGroup = units.filter((u) => !u.group_id);
    expect(s.alerts!.noGroupUnits).toBe(noGroup.length);
    if (noGroup.length) expect(await outbox(`no-group:${D0}`)).toHaveLength(1);
    const before = Number((await t.db('outbox').count({ n: '*' }).first())!.n);
    await dailyCheck(t.db, D0, BASE);
    expect(Number((await t.db('outbox').count({ n: '*' }).first())!.n)).toBe(before);
  });

  it('sends each unit leader one card a day with the red items of their units, not a message per finding', async () => {
    const s = await dailyCheck(t.db, D4, BASE);
    expect(s.findings.byLight.red).toBeGreaterThan(0);
    expect(await outbox('red:%')).toHaveLength(0);
    const rows = await outbox(`leader-digest:%:${D4}`);
    expect(rows.length).toBe(s.alerts!.leaderCards);
    expect(rows.length).toBeGreaterThan(0);
    // Each leader with red items in their scope: one card, 1:1, listing exactly those items.
    const leaders = await t.db('users').where({ role: '单位领导', locked: false }).whereNotNull('unit_id').select('id', 'unit_id');
    const withRed = [];
    for (const l of leaders) {
      const scope = await subtreeIds(t.db, Number(l.unit_id));
      const open = await t.db('findings').whereIn('unit_id', scope).where('status', 'open').select('id', 'rule', 'opened_on');
      const red = open.filter((f) => findingLight({ rule: f.rule, openedOn: f.opened_on, resolvedOn: null }, D4, cal) === 'red').map((f) => Number(f.id)).sort((a, b) => a - b);
      if (!red.length) continue;
      withRed.push(l.id);
      const mine = rows.filter((r) => JSON.parse(r.payload).target.userIds.includes(l.id));
      expect(mine, l.id).toHaveLength(1);
      const payload = JSON.parse(mine[0].payload);
      expect(payload).toMatchObject({ op: 'createCard', target: { kind: 'users', userIds: [l.id] }, card: { template: 'alert', cardId: `leader-digest:${l.id}:${D4}` } });
      expect(payload.card.data.red).toBe(String(red.length));
      const state = JSON.parse((await t.db('cards').where({ card_id: payload.card.cardId }).first()).data);
      expect([...state.findingIds].sort((a: number, b: number) => a - b)).toEqual(red);
      expect(itemLines(payload.card.data.markdown).length).toBe(Math.min(red.length, 10) + (red.length > 10 ? 1 : 0));
      expect(payload.card.data.markdown).not.toMatch(/\d{17}[\dX]/);
    }
    expect(rows).toHaveLength(withRed.length);
    // Once per leader and day: checking the day again sends nothing; the next day, one new card each.
    await dailyCheck(t.db, D4, BASE);
    expect(await outbox(`leader-digest:%:${D4}`)).toHaveLength(rows.length);
    const next = await dailyCheck(t.db, cal.addWorkdays(D4, 1), BASE);
    const nextRows = await outbox(`leader-digest:%:${cal.addWorkdays(D4, 1)}`);
    expect(nextRows.length).toBe(next.alerts!.leaderCards);
    expect(new Set(nextRows.map((r) => JSON.parse(r.payload).target.userIds[0])).size).toBe(nextRows.length);
  });

  it('delivers through the sandbox and turns the card green when the unit fixes its records', async () => {
    const sandbox = createSandboxPlatform(t.db);
    const dispatcher = createDispatcher(t.db, sandbox, { ratePerSecond: 1000, log: quiet });
    await dispatcher.drain({ settle: true, timeoutMs: 20_000 });
    expect(await t.db('outbox').whereNot('state', 'sent').count({ n: '*' }).first()).toMatchObject({ n: 0 });

    // A unit whose only open findings are 民族 written irregularly (P-ID-14) is fixed field by field.
    const date = cal.addWorkdays(D4, 1);
    // (P-ID-14 also finds 政治面貌 and 学历: only its 民族 findings are what fixEthnicity corrects.)
    const candidates = await t.db('findings as f').join('units as u', 'u.id', 'f.unit_id').whereNotNull('u.group_id').where('f.status', 'open').select('f.unit_id', 'f.rule', 'f.qualifier', 'u.code');
    const byUnit = new Map<number, { code: string; rules: Set<string> }>();
    for (const c of candidates) {
      const e = byUnit.get(c.unit_id) ?? { code: c.code, rules: new Set<string>() };
      e.rules.add(c.rule === 'P-ID-14' ? `P-ID-14:${c.qualifier}` : c.rule);
      byUnit.set(c.unit_id, e);
    }
    const target = [...byUnit.entries()].find(([, e]) => [...e.rules].every((r) => r === 'P-ID-14:民族'));
    const [unitId] = target ?? [...byUnit.entries()].find(([, e]) => e.rules.has('P-ID-14:民族'))!;
    const card = await t.db('cards').where('card_id', 'like', `unit-digest:${unitId}:%`).orderBy('card_id', 'desc').first();
    const people = await t.db('findings').where({ unit_id: unitId, rule: 'P-ID-14', qualifier: '民族', status: 'open' }).select('entity_id');
    for (const { entity_id } of people) await fixEthnicity(Number(entity_id), date);
    const updates = await outbox(`card:${card.card_id}:%`);
    expect(updates.length).toBeGreaterThan(0);
    await dispatcher.drain({ settle: true, timeoutMs: 20_000 });
    const shown = await t.db('sandbox_messages').where({ card_id: card.card_id }).first();
    const data = JSON.parse(shown.payload).card.data;
    expect(Number(data.resolved)).toBeGreaterThanOrEqual(people.length);
    if (target) expect(data).toMatchObject({ light: 'green', progress: '已全部整改' });
    else expect(data.progress).toMatch(/^已整改 \d+\/\d+$/);
    await dispatcher.stop();
  });
});

describe('cards after the first fix', () => {
  it('a re-check that opens a finding puts it on the unit\'s card: the card never shows the unit better than it is', async () => {
    const date = cal.addWorkdays(D4, 1);
    const card = await t.db('cards').where('card_id', 'like', `unit-digest:%:${date}`).first();
    const state = JSON.parse(card.data);
    const before = await t.db('findings').where({ unit_id: state.unitId, status: 'open' }).count({ n: '*' }).first();
    // A person of the unit whose 民族 becomes irregular: the re-check opens P-ID-14 for them.
    const p = await t.db('people').where({ unit_id: state.unitId }).whereNotIn('id', t.db('findings').where({ rule: 'P-ID-14', status: 'open' }).select('entity_id')).first();
    const { code } = await t.db('units').where({ id: p.unit_id }).first('code');
    const row = { unitCode: code, idNumber: t.pii.decrypt(p.id_enc), name: p.name, status: p.status, quotaKind: p.quota_kind, ethnicity: '汉', birthDate: p.birth_date, gender: p.gender, office: p.office, posts: p.posts, leaderLevel: p.leader_level, rank: p.rank, postCategory: p.post_category, title: p.title, dutyStatus: p.duty_status, dutyStatusSince: p.duty_status_since, enteredOn: p.entered_on, workStartOn: p.work_start_on, currentPostSince: p.current_post_since, education: p.education, identity: p.identity, lateRetireUntil: p.late_retire_until, politics: p.politics };
    await t.db.transaction((trx) => saveDataSet(trx, t.pii, { people: [row] }, { by: 'test', source: '测试', today: date, reason: '民族' }));
    await recheckRecord(t.db, { personHash: p.id_hash }, date);
    const opened = await t.db('findings').where({ unit_id: state.unitId, status: 'open', rule: 'P-ID-14', entity_id: p.id }).first('id');
    expect(opened).toBeTruthy();
    const after = JSON.parse((await t.db('cards').where({ card_id: card.card_id }).first()).data);
    const open = Number(before!.n) + 1;
    expect(Number(after.vars.total)).toBeGreaterThanOrEqual(open);
    expect(Number(after.vars.red) + Number(after.vars.yellow)).toBe(open);
    expect(after.vars.markdown).toContain(p.name);
  });

  it('list the items left, on the group card and on the leaders\' cards, updated in place', async () => {
    const sandbox = createSandboxPlatform(t.db);
    const dispatcher = createDispatcher(t.db, sandbox, { ratePerSecond: 1000, log: quiet });
    await dispatcher.drain({ settle: true, timeoutMs: 20_000 });
    const date = cal.addWorkdays(D4, 1);
    // A red P-ID-14 (民族, what fixEthnicity corrects) in a unit with a group card and more open findings, under a leader's card.
    const leaderCards = await t.db('cards').where('card_id', 'like', `leader-digest:%:${date}`);
    let pick: { findingId: number; personId: number; unitCard: any; leaderCard: any } | null = null;
    for (const lc of leaderCards) {
      const state = JSON.parse(lc.data);
      const reds = await t.db('findings').whereIn('id', state.findingIds).where({ rule: 'P-ID-14', qualifier: '民族', status: 'open', scope: 'person' }).select('id', 'entity_id', 'unit_id');
      for (const f of reds) {
        const unitCard = await t.db('cards').where('card_id', 'like', `unit-digest:${f.unit_id}:%`).orderBy('card_id', 'desc').first();
        if (!unitCard || !unitCard.target.startsWith('group:')) continue;
        const others = await t.db('findings').where({ unit_id: f.unit_id, status: 'open' }).whereNot('entity_id', f.entity_id).count({ n: '*' }).first();
        if (Number(others!.n) < 1) continue;
        pick = { findingId: Number(f.id), personId: Number(f.entity_id), unitCard, leaderCard: lc };
        break;
      }
      if (pick) break;
    }
    expect(pick, 'a red P-ID-14 on a leader\'s card, in a unit with a group card and more findings').toBeTruthy();
    const { findingId, personId, unitCard, leaderCard } = pick!;
    const leaderState = JSON.parse(leaderCard.data);
    const subject = leaderState.digest.items.find((i: any) => i.findingId === findingId).subject as string;
    await fixEthnicity(personId, date);
    await dispatcher.drain({ settle: true, timeoutMs: 20_000 });

    // The group card: 已整改 and the items still open, as many as the card lists.
    const unitData = JSON.parse((await t.db('sandbox_messages').where({ card_id: unitCard.card_id }).first()).payload).card.data;
    const unitState = JSON.parse((await t.db('cards').where({ card_id: unitCard.card_id }).first()).data);
    const stillOpen = await t.db('findings').whereIn('id', unitState.findingIds).where('status', 'open').select('id');
    expect(unitData.markdown).toContain(`已整改 **${unitState.findingIds.length - stillOpen.length}/${unitState.findingIds.length}**`);
    const lines = itemLines(unitData.markdown);
    expect(lines.filter((l) => !l.includes('另有'))).toHaveLength(Math.min(5, stillOpen.length));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines.filter((x) => !x.includes('另有'))) expect(l).toMatch(/^- (红灯|黄灯)｜.+｜(已 \d+ 个工作日|今日发现)$/);

    // The leader's card, the same card (one message), updated: one fixed, the item gone.
    const shown = await t.db('sandbox_messages').where({ card_id: leaderCard.card_id });
    expect(shown).toHaveLength(1);
    const data = JSON.parse(shown[0].payload).card.data;
    expect(Number(data.resolved)).toBeGreaterThanOrEqual(1);
    expect(data.markdown).toMatch(/已整改 \*\*\d+\/\d+\*\*|已全部整改/);
    const fixedLine = itemLines(data.markdown).filter((l) => l.includes(`｜${subject}｜`) && l.includes('民族/政治面貌/学历'));
    const sameName = leaderState.digest.items.filter((i: any) => i.subject === subject && i.findingId !== findingId && i.title.startsWith('民族/政治面貌/学历')).length;
    expect(fixedLine.length).toBeLessThanOrEqual(sameName);
    await dispatcher.stop();
  });
});

describe('robot commands in the sandbox', () => {
  it('answers 帮助, 待整改 and 编制 in the asker scope, and refuses strangers politely', async () => {
    const sandbox = createSandboxPlatform(t.db);
    await sandbox.start(recordingHandler(t.db, businessHandler(t.db, { today: () => D4 }), { warn: () => {} }));
    const specialist = await t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').first();
    const unit = await t.db('units').where({ id: specialist.unit_id }).first();
    const conv = `user:${specialist.id}`;
    let said = 0;
    const say = async (text: string, who = { id: specialist.id, name: specialist.name }) => {
      said++;
      await sandbox.say(conv, who, text);
      const last = await t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
      return shownText(JSON.parse(last.payload).message.text as string);
    };
    expect(await say('帮助')).toContain('待整改');
    expect(await say('随便说点什么')).toContain('三色助手可以做什么');
    const todo = await say('待整改');
    expect(todo).toContain(unit.name);
    // A unit's own finding names the unit once, not as its subject and again as its unit.
    expect(todo).not.toContain(`｜${unit.name}｜${unit.name}｜`);
    const others = await t.db('findings as f').join('units as u', 'u.id', 'f.unit_id').where('f.status', 'open').whereNot('f.unit_id', unit.id).first('u.name');
    if (others && !(await t.db('units').where({ id: unit.id }).first()).parent_id) expect(todo).not.toContain(`｜${others.name}｜`);
    const quota = await say('编制');
    expect(quota).toMatch(/编制类型\s+核定\s+实有\s+空编\s+超编/);
    expect(await say('退休')).toContain('今后5年');
    const colleague = await t.db('people').where({ unit_id: unit.id, status: '在编' }).whereNotNull('id_enc').first();
    const found = await say(`查 ${colleague.name}`);
    expect(found).toContain(colleague.id_masked);
    expect(found).not.toContain(t.pii.decrypt(colleague.id_enc));
    const outsider = await t.db('people').whereNot('unit_id', unit.id).whereNotIn('unit_id', t.db('units').where({ parent_id: unit.id }).select('id')).first();
    if (!(await t.db('units').where({ parent_id: unit.id }).first()) && outsider.name !== colleague.name) expect(await say(`查 ${outsider.name}`)).not.toContain(outsider.id_masked);
    expect(await say('待整改', { id: 'stranger', name: '路人甲' })).toContain('您尚未开通');
    const events = await t.db('inbound_events').count({ n: '*' }).first();
    expect(Number(events!.n)).toBe(said);
  });
});

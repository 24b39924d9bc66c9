// Markdown injection into chat (issue 11, item 6): a person named like a markdown link and a unit
// whose name carries one must read literally in every card and reply, never as a live link.
// Through the daily check, the outbox, the sandbox platform and the robot commands, on a real
// database (SQLite; MariaDB with SANSE_TEST_DB=mysql).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { linksIn, shownText } from './markdown.ts';

const D0 = '2026-11-23';
const cal = createCalendar();
const D4 = cal.addWorkdays(D0, 4);
const BASE = 'http://127.0.0.1:3000';
const EVIL_PERSON = '[点此整改](http://evil.example/phish)';
const EVIL_UNIT = '柯桥区[财政局](http://evil.example/unit)';
// A value the rules quote in a finding's detail (P-ID-14: 民族 outside the list).
const EVIL_VALUE = '[汉](http://e.x)';
const links = linksIn;
const shown = shownText;
/** A hostile value as a reader sees it: what markdown could read as syntax in its full-width form. */
const lookalike = (v: string) => v.replace(/[`*_[\]()#!|<>~{}\\]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

let t: TestDb;
let person: { id: number; unit_id: number };
let specialist: { id: string; name: string };

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 400, seed: 5, today: D0 });
  // A unit with a work group, a specialist and a leader; one of its people gets the link for a
  // name and an irregular 民族 (P-ID-14), so a finding names them.
  const unit = await t.db('units as u').whereNotNull('u.group_id')
    .whereExists(t.db('users').whereRaw('users.unit_id = u.id').where('role', '单位专管员'))
    .whereExists(t.db('users').whereRaw('users.unit_id = u.id').where('role', '单位领导'))
    .whereExists(t.db('people').whereRaw('people.unit_id = u.id').where('status', '在编'))
    .orderBy('u.id').first('u.id');
  person = await t.db('people').where({ unit_id: unit.id, status: '在编' }).orderBy('id').first('id', 'unit_id');
  await t.db('people').where({ id: person.id }).update({ name: EVIL_PERSON, ethnicity: EVIL_VALUE });
  await t.db('units').where({ id: unit.id }).update({ name: EVIL_UNIT });
  specialist = await t.db('users').where({ unit_id: unit.id, role: '单位专管员' }).first('id', 'name');
});
afterAll(async () => { await t.close(); });

describe('names with markdown links in chat', () => {
  it('the digest card shows the names literally, with no link', async () => {
    await dailyCheck(t.db, D0, BASE);
    const row = await t.db('outbox').where({ dedup_key: `digest:${person.unit_id}:${D0}` }).first();
    const card = JSON.parse(row.payload).card;
    expect(card.data.markdown).toContain('点此整改');
    expect(links(card.data.markdown)).toEqual([]);
    expect(shown(card.data.markdown)).toContain(lookalike(EVIL_PERSON));
    expect(shown(card.data.markdown)).toContain(lookalike(EVIL_UNIT));
    expect(links(card.fallback.text)).toEqual([]);
    // Plain-text variables carry the name as written, in a JSON string; the only link is ours.
    expect(card.data.title).toBe(`${EVIL_UNIT} 数据质量预警`);
    expect(card.fallback.buttons.map((b: { url: string }) => b.url)).toEqual([card.data.url]);
    expect(card.data.url.startsWith(`${BASE}/m/`)).toBe(true);
  });

  it('the leaders\' card of red items shows them literally, with no link', async () => {
    await dailyCheck(t.db, D4, BASE);
    const f = await t.db('findings').where({ scope: 'person', entity_id: person.id, rule: 'P-ID-14' }).first('id');
    const rows = await t.db('outbox').where('dedup_key', 'like', `leader-digest:%:${D4}`);
    const card = rows.map((r) => JSON.parse(r.payload).card).find((c) => c.data.markdown.includes(lookalike(EVIL_PERSON).slice(0, 4)) || c.data.title.includes(EVIL_UNIT));
    expect(card, `a leader's card listing finding ${f.id}`).toBeTruthy();
    for (const text of [card.data.markdown, card.fallback.text]) {
      expect(links(text)).toEqual([]);
      expect(shown(text)).toContain(lookalike(EVIL_PERSON));
      expect(shown(text)).toContain(lookalike(EVIL_UNIT));
    }
  });

  it('the robot answers 查 and 待整改 with the names literally, with no link', async () => {
    const sandbox = createSandboxPlatform(t.db);
    await sandbox.start(recordingHandler(t.db, businessHandler(t.db, { today: () => D4 }), { warn: () => {} }));
    const conv = `user:${specialist.id}`;
    const say = async (text: string) => {
      await sandbox.say(conv, specialist, text);
      const last = await t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
      return JSON.parse(last.payload).message.text as string;
    };
    const found = await say(`查 ${EVIL_PERSON}`);
    expect(links(found)).toEqual([]);
    expect(shown(found)).toContain(lookalike(EVIL_PERSON));
    expect(shown(found)).toContain(lookalike(EVIL_UNIT));
    const todo = await say('待整改');
    expect(links(todo)).toEqual([]);
    expect(shown(todo)).toContain(lookalike(EVIL_PERSON));
    expect(shown(todo)).toContain(lookalike(EVIL_UNIT));
    expect(shown(todo)).toContain(`填写值：${lookalike(EVIL_VALUE)}`);
  });
});

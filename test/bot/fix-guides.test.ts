// The robot's `怎么改` (the 错题本) through the sandbox platform on a real database (SQLite;
// MariaDB with SANSE_TEST_DB=mysql): by rule code (with or without a space, any case), by the
// rule's title or a part of it, every candidate when a part names several (and the 错题本 page
// filtered by the words), how to ask when alone or, after 没有找到…, when nothing matches; the
// office's edited version is what is answered; the reply is short (what and steps) and links to
// the full guide in the mini-app; `待整改` links each item to its guide; a guide's markdown is
// escaped and ID-shaped digits masked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { shippedFixGuide } from '../../cards/fix-guides.ts';
import { saveFixGuide, addOfficeGuide } from '../../commands/fix-guides.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { RULES, ruleByCode } from '../../core/rules/index.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createTestDb, type TestDb } from '../db/helpers.ts';
import { linksIn, shownText } from './markdown.ts';

const D0 = '2026-11-23';
const BASE = 'http://127.0.0.1:3411';
let t: TestDb;
let ask: (userId: string, text: string) => Promise<string>;
let spec: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 12, people: 150, seed: 7, today: D0 });
  await dailyCheck(t.db, D0, BASE);
  const sandbox = createSandboxPlatform(t.db);
  await sandbox.start(recordingHandler(t.db, businessHandler(t.db, { today: () => D0, publicBaseUrl: BASE }), { warn: () => {} }));
  ask = async (userId, text) => {
    const user = await t.db('users').where({ id: userId }).first();
    const conv = `user:${userId}`;
    await sandbox.say(conv, { id: userId, name: user.name }, text);
    const last = await t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
    return JSON.parse(last.payload).message.text as string;
  };
  // A specialist of a unit with open findings.
  const f = await t.db('findings as f').join('users as u', 'u.unit_id', 'f.unit_id').where({ 'f.status': 'open', 'u.role': '单位专管员' }).first('u.id');
  spec = f.id;
}, 180_000);
afterAll(async () => { await t.close(); });

const guideLink = (code: string) => `${BASE}/m/#/guide/${code}`;

describe('怎么改', () => {
  it('by code: the shipped guide\'s what and steps, and a link to the full guide', async () => {
    const g = shippedFixGuide('P-ID-01')!;
    for (const q of ['怎么改 P-ID-01', '怎么改p-id-01', '怎么改 Ｐ－ＩＤ－０１']) {
      const text = await ask(spec, q);
      const shown = shownText(text);
      expect(shown, q).toContain(`怎么改：${ruleByCode('P-ID-01')!.title}（P-ID-01）`);
      expect(shown).toContain(g.what);
      for (const step of g.how) expect(shown).toContain(step);
      // Short: the why and the examples are on the guide's page.
      expect(shown).not.toContain(g.why);
      expect(linksIn(text)).toEqual([`<a href="${guideLink('P-ID-01')}">`]);
    }
  });

  it('a word naming many entries: every one listed, each linking to its guide, and the 错题本 page showing the same ones', async () => {
    // The trial's `怎么改 身份证` named 10 guides and showed 8, then “……另有 2 项” with no way to see them.
    const expected = RULES.filter((r) => r.title.includes('身份证')).map((r) => r.code);
    expect(expected.length).toBeGreaterThan(8);
    const text = await ask(spec, '怎么改 身份证');
    const shown = shownText(text);
    expect(shown).toContain(`“身份证”对应 ${expected.length} 个错题`);
    expect(shown).not.toContain('另有');
    for (const code of expected) {
      expect(shown, code).toContain(`${code}　${ruleByCode(code)!.title}`);
    }
    const listLink = `<a href="${BASE}/m/#/guide?q=${encodeURIComponent('身份证')}">`;
    expect(linksIn(text)).toEqual([...expected.map((c) => `<a href="${guideLink(c)}">`), listLink]);
    expect(shown).toContain(`在错题本中查看这 ${expected.length} 项`);
  });

  it('by the title or a part of it; several matches are listed with their links', async () => {
    const title = ruleByCode('P-ID-01')!.title;
    expect(shownText(await ask(spec, `怎么改 ${title}`))).toContain('（P-ID-01）');
    const office = await t.db('users').where({ role: '编办管理员' }).first();
    await addOfficeGuide(t.db, office, { title: '个人信息中的“时间”选项填写不规范', what: '时间填写说明。', why: '原因。', how: ['第一步'], right: '对', wrong: '错' });
    // A part of a title (quotes and spaces ignored) naming one entry.
    const one = await ask(spec, '怎么改 时间 选项');
    expect(shownText(one)).toContain('（O-001）');
    expect(shownText(one)).toContain('时间填写说明。');
    // An office entry sharing words with the rule's title: the exact title still names the rule, a part both.
    await addOfficeGuide(t.db, office, { title: `${title}时的补录办法`, what: '补录说明。', why: '原因。', how: ['第一步'], right: '对', wrong: '错' });
    expect(shownText(await ask(spec, `怎么改 ${title}`))).toContain('（P-ID-01）');
    const part = await ask(spec, `怎么改 ${title.slice(0, 4)}`);
    expect(shownText(part)).toMatch(/对应 \d+ 个错题/);
    expect(linksIn(part)).toContain(`<a href="${guideLink('P-ID-01')}">`);
    expect(linksIn(part)).toContain(`<a href="${guideLink('O-002')}">`);
  });

  it('alone or with nothing found: how to ask, and the 错题本 link', async () => {
    const alone = await ask(spec, '怎么改');
    expect(shownText(alone)).toContain('怎么改 P-ID-08');
    expect(linksIn(alone)).toEqual([`<a href="${BASE}/m/#/guide">`]);
    // Nothing found: the reply says so first, then how to ask (the trial's `怎么改 ZZ-99` buried it mid-reply).
    for (const [q, said] of [['火星人', '火星人'], ['ZZ-99', 'ZZ-99'], ['330602199001011231', '330602***********1']]) {
      const text = await ask(spec, `怎么改 ${q}`);
      const none = shownText(text).trim();
      expect(none.startsWith(`没有找到与“${said}”对应的错题`), none).toBe(true);
      expect(none.indexOf('怎么改 P-ID-08')).toBeGreaterThan(none.indexOf('没有找到'));
      expect(text).not.toContain('330602199001011231');
      expect(linksIn(text)).toEqual([`<a href="${BASE}/m/#/guide">`]);
    }
    expect(shownText(await ask(spec, '帮助'))).toContain('怎么改 规则编号或问题名称');
  });

  it('answers the office\'s version once edited; its text is escaped and ID numbers masked', async () => {
    const office = await t.db('users').where({ role: '编办管理员' }).first();
    await saveFixGuide(t.db, office, 'P-ID-01', {
      what: '缺号码 [点此](http://evil.example) 如 330602199001011231', why: '原因。', how: ['打开记录', '填写号码 **加粗**'], right: '对', wrong: '错', reason: '修订',
    });
    const text = await ask(spec, '怎么改 P-ID-01');
    expect(linksIn(text)).toEqual([`<a href="${guideLink('P-ID-01')}">`]);
    expect(text).not.toContain('330602199001011231');
    expect(shownText(text)).toContain('本指引由编办于');
    expect(shownText(text)).toContain('填写号码');
  });

  it('待整改: each item links to its rule\'s guide', async () => {
    const text = await ask(spec, '待整改');
    const links = linksIn(text);
    expect(links.length).toBeGreaterThan(0);
    const unitId = (await t.db('users').where({ id: spec }).first()).unit_id;
    const rules: string[] = await t.db('findings').where({ status: 'open' }).whereIn('unit_id', [unitId, ...(await t.db('units').where({ parent_id: unitId }).pluck('id'))]).pluck('rule');
    for (const l of links) {
      const code = /#\/guide\/([^"]+)"/.exec(l)![1];
      expect(rules).toContain(code);
    }
  });
});

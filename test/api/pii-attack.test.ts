// Issue 11 item 2, as the attacker would: log in as a 单位领导 and as a 单位专管员 (roles without
// full-ID rights), collect everything the server sends about their people (the person page with
// idFacts and cross, the history, the findings list, the findings export, the robot's answer to
// `查 姓名`, the unit's alert cards), and for each person count the ID numbers consistent with all
// of it. None may be pinned down, and the real number never appears. An office role allowed full
// numbers still gets them, through /api/people/:id/id-number only, audited.

import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessHandler } from '../../bot/handler.ts';
import { recordingHandler } from '../../bot/inbound.ts';
import { createSandboxPlatform } from '../../bot/sandbox.ts';
import { subtreeIds } from '../../db/scope.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { candidates, masksIn, type Knowledge } from '../pii-attack.ts';
import { D0, login, startApp, type ApiTestApp } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
/** The two people made to differ from their ID's birth date: by a day, by a year. */
let dayOff: Row;
let yearOff: Row;
const ID_RULES = ['P-ID-03', 'P-ID-04', 'P-ID-08', 'P-ID-09'];

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  // One person of the demo whose 出生日期 differs from the ID's birth date by a day, one by a month:
  // P-ID-08 must say so without telling the ID's birth date.
  const people: Row[] = await a.t.db('people').whereNotNull('id_birth').whereNotNull('birth_date').whereRaw('birth_date = id_birth').orderBy('id').limit(2).select('id', 'id_birth');
  const [y, m, d] = people[0].id_birth.split('-').map(Number);
  await a.t.db('people').where({ id: people[0].id }).update({ birth_date: `${y}-${String(m).padStart(2, '0')}-${String(d === 1 ? 2 : d - 1).padStart(2, '0')}` });
  await a.t.db('people').where({ id: people[1].id }).update({ birth_date: `${Number(people[1].id_birth.slice(0, 4)) - 1}${people[1].id_birth.slice(4)}` });
  [dayOff, yearOff] = await a.t.db('people').whereIn('id', [people[0].id, people[1].id]).orderBy('id').select('id', 'unit_id', 'birth_date', 'id_birth');
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
}, 120_000);
afterAll(async () => {
  await a?.close();
});

/** The user of a role whose scope holds the most ID-related findings (P-ID-08 above all). */
async function pickUser(role: string): Promise<{ user: Row; scope: number[] }> {
  const users: Row[] = await a.t.db('users').where({ role }).whereNotNull('unit_id').orderBy('id');
  let best: { user: Row; scope: number[]; score: number } | null = null;
  for (const user of users) {
    const scope = await subtreeIds(a.t.db, Number(user.unit_id));
    const rows: Row[] = await a.t.db('findings').whereIn('unit_id', scope).whereIn('rule', ID_RULES).select('rule');
    const score = rows.reduce((s, r) => s + (r.rule === 'P-ID-08' ? 100 : 1), 0) + Number((await a.t.db('people').whereIn('unit_id', scope).count({ n: '*' }))[0]?.n ?? 0) / 1000;
    if (!best || score > best.score) best = { user, scope, score };
  }
  return best!;
}

async function xlsxText(body: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as any);
  const out: string[][] = [];
  wb.eachSheet((ws) => ws.eachRow((r) => out.push((r.values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v))))));
  return out;
}

for (const role of ['单位领导', '单位专管员']) {
  describe(`as a ${role}`, () => {
    it('no person\'s ID number can be rebuilt from anything sent, and it is never sent', async () => {
      const { user, scope } = await pickUser(role);
      const s = await login(a.app, user.id);
      const sent: string[] = [];
      const get = async (url: string) => {
        const res = await a.app.inject({ method: 'GET', url, headers: s.read });
        expect(res.statusCode, url).toBe(200);
        sent.push(res.body);
        return res;
      };
      const findings: Row[] = (await get('/api/findings?status=all&limit=5000')).json();
      const exportRows = await xlsxText((await get('/api/export/findings?status=all')).rawPayload);
      sent.push(JSON.stringify(exportRows));

      // The robot, asked about every person by name in a 1:1 chat.
      const sandbox = createSandboxPlatform(a.t.db);
      await sandbox.start(recordingHandler(a.t.db, businessHandler(a.t.db, { today: () => D0 }), { warn: () => {} }));
      const conv = `user:${user.id}`;
      const ask = async (text: string) => {
        await sandbox.say(conv, { id: user.id, name: user.name }, text);
        const last = await a.t.db('sandbox_messages').where({ conversation: conv }).orderBy('id', 'desc').first();
        const reply = JSON.parse(last.payload).message.text as string;
        sent.push(reply);
        return reply;
      };

      // Chat cards queued for the user's units (the work group sees them).
      for (const o of await a.t.db('outbox').select('payload')) sent.push(o.payload);

      const people: Row[] = await a.t.db('people').whereIn('unit_id', scope).whereNotNull('id_enc').orderBy('id').select('*');
      const flagged = new Set(findings.filter((f) => f.subject.kind === 'person' && ID_RULES.includes(f.rule)).map((f) => Number(f.subject.id)));
      const tried = [...people.filter((p) => flagged.has(Number(p.id))), ...people.filter((p) => !flagged.has(Number(p.id)))].slice(0, 30);
      expect(tried.length).toBeGreaterThanOrEqual(10);
      let withIdBirthMismatch = 0;
      for (const p of tried) {
        const view = (await get(`/api/people/${p.id}`)).json();
        const history: Row[] = (await get(`/api/people/${p.id}/history`)).json();
        const reply = await ask(`查 ${p.name}`);
        const own = findings.filter((f) => f.subject.kind === 'person' && Number(f.subject.id) === Number(p.id));
        const masks = [view.person.idNumber, view.idFacts?.masked, ...own.map((f) => f.subject.idMasked)];
        for (const h of history) for (const c of h.changes) if (c.field === '身份证号') masks.push(c.before, c.after);
        const replyMasks = masksIn(reply);
        if (replyMasks.length === 1) masks.push(replyMasks[0]);
        for (const r of exportRows) if (r[5] === p.name) masks.push(...masksIn(r.join(' ')));
        // Every birth date the attacker is told or can infer: the number's own if sent, dates in finding details, 出生日期.
        const births = new Set<string>();
        if (view.idFacts?.birth) births.add(view.idFacts.birth);
        for (const f of [...own, ...view.findings]) for (const v of Object.values(f.detail ?? {})) if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) births.add(v);
        if (view.person.birthDate) births.add(view.person.birthDate);
        if (p.id_birth && p.birth_date !== p.id_birth) withIdBirthMismatch++;
        const known = (birth: string | null): Knowledge => ({
          masks: masks.filter(Boolean), birth, gender: view.idFacts?.gender ?? view.person.gender ?? null,
          checkOk: view.idFacts?.checkOk ?? null, expectedCheck: view.idFacts?.expectedCheck ?? null,
        });
        const real = a.t.pii.decrypt(p.id_enc);
        for (const birth of [...births, null]) {
          const n = candidates(known(birth)).length;
          expect(n, `${p.name}: ${n} numbers fit what a ${role} is sent (birth ${birth})`).toBeGreaterThanOrEqual(10);
        }
        // The model is right: told the number's true birth date and sex, the real number is among the candidates.
        if (p.id_kind === '18' && p.id_check_ok && p.id_birth) {
          const truth = candidates({ ...known(p.id_birth), gender: p.id_gender, checkOk: true }, 100_000);
          if (!truth[0]?.startsWith('many')) expect(truth, p.name).toContain(real);
        }
        // What the mask hides beyond the 出生日期 shown: the number's birth date, when it differs, is not
        // in the ID facts or the finding details (the history may show it as a former 出生日期: that is
        // the record's own field, which the specialist sees and edits).
        if (p.id_birth && p.birth_date !== p.id_birth) {
          expect(JSON.stringify([view.idFacts, view.findings, own]), `${p.name}: the ID's birth date`).not.toContain(p.id_birth);
        }
      }
      expect(withIdBirthMismatch, 'people whose 出生日期 differs from the ID tried').toBeGreaterThan(0);
      // Nothing sent shows more of a number than the region code and the check character, and no number in clear.
      const all = sent.join('\n');
      for (const m of masksIn(all)) expect(m.replace(/\*/g, '').length, m).toBeLessThanOrEqual(7);
      for (const p of people) expect(all.includes(a.t.pii.decrypt(p.id_enc)), p.name).toBe(false);
      // Asking for the full number is refused and written down.
      const refused = await a.app.inject({ method: 'GET', url: `/api/people/${tried[0].id}/id-number`, headers: s.read });
      expect(refused.statusCode).toBe(403);
      expect(await a.t.db('audit_log').where({ actor: user.id, action: 'full_id_refused' }).first()).toBeTruthy();
    }, 120_000);
  });
}

describe('an office role allowed full numbers', () => {
  it('gets the full number only through /api/people/:id/id-number, each display audited', async () => {
    const admin = await login(a.app, 'demo-admin');
    const p = await a.t.db('people').whereNotNull('id_enc').orderBy('id').first();
    const real = a.t.pii.decrypt(p.id_enc);
    const page = await a.app.inject({ method: 'GET', url: `/api/people/${p.id}`, headers: admin.read });
    expect(page.body).not.toContain(real);
    expect(page.json().person.idNumber).toBe(p.id_masked);
    const before = Number((await a.t.db('audit_log').where({ action: 'view_full_id', entity_id: p.id }).count({ n: '*' }))[0].n);
    const res = await a.app.inject({ method: 'GET', url: `/api/people/${p.id}/id-number`, headers: admin.read });
    expect(res.statusCode).toBe(200);
    expect(res.json().idNumber).toBe(real);
    const after = Number((await a.t.db('audit_log').where({ action: 'view_full_id', entity_id: p.id }).count({ n: '*' }))[0].n);
    expect(after).toBe(before + 1);
  });
});

describe('P-ID-08 (出生日期与身份证不一致) in 问题详情', () => {
  const textOf = async (userId: string, personId: number): Promise<string> => {
    const s = await login(a.app, userId);
    const page = await a.app.inject({ method: 'GET', url: `/api/people/${personId}`, headers: s.read });
    expect(page.statusCode).toBe(200);
    const f = page.json().findings.find((x: Row) => x.rule === 'P-ID-08');
    expect(f, `P-ID-08 of person ${personId}`).toBeTruthy();
    // The list says the same as the form.
    const { unit_id: unit } = await a.t.db('people').where({ id: personId }).first('unit_id');
    const list = await a.app.inject({ method: 'GET', url: `/api/findings?unit=${unit}&rule=P-ID-08`, headers: s.read });
    expect(list.json().find((x: Row) => x.id === f.id)?.detailText).toBe(f.detailText);
    return f.detailText;
  };

  it('tells a unit role how far apart the dates are, never the ID number\'s date', async () => {
    const specialist = await a.t.db('users').where({ role: '单位专管员', unit_id: dayOff.unit_id }).first('id');
    const day = await textOf(specialist.id, dayOff.id);
    expect(day).toBe(`与身份证号所载出生日期相比：日不同；花名册出生日期：${dayOff.birth_date}`);
    const specialist2 = await a.t.db('users').where({ role: '单位专管员', unit_id: yearOff.unit_id }).first('id');
    const year = await textOf(specialist2.id, yearOff.id);
    expect(year).toBe(`与身份证号所载出生日期相比：年份不同；花名册出生日期：${yearOff.birth_date}`);
    expect(year).not.toContain(yearOff.id_birth);
  });

  it('shows an office role allowed full numbers both dates', async () => {
    expect(await textOf('demo-admin', yearOff.id)).toBe(`与身份证号所载出生日期相比：年份不同；花名册出生日期：${yearOff.birth_date}；身份证号所载出生日期：${yearOff.id_birth}`);
  });
});

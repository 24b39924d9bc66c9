// Names as users read them. A name with a line break is refused by PUT /api/people/:id with the
// field named (issue 11, item 6). A finding names its person or unit as they are called now, not
// as when it opened: after a rename through the mini-app's save (re-check) or through the store
// (the next daily check), the findings list and the next digest show the new name (item 12).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendar } from '../../core/calendar.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

const BASE = 'http://127.0.0.1:3000';
const cal = createCalendar();
let a: ApiTestApp;
let person: Row;
let editor: Session;
let admin: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, BASE);
  // A person with a P-ID-14 民族 finding (which a rename does not fix), in a unit with a work
  // group and a specialist; of those, the unit with the fewest open findings, so that the person's
  // is among the items its digest card lists (DIGEST_ITEMS) whatever the order of equally old ones.
  const openIn = new Map<number, number>((await a.t.db('findings').where({ status: 'open' }).groupBy('unit_id').select('unit_id').count({ n: '*' }))
    .map((r: Row) => [Number(r.unit_id), Number(r.n)]));
  const candidates: Row[] = (await a.t.db('findings as f').join('units as u', 'u.id', 'f.unit_id').whereNotNull('u.group_id')
    .where({ 'f.rule': 'P-ID-14', 'f.status': 'open', 'f.scope': 'person' }).select('f.entity_id', 'f.unit_id').orderBy('f.id'))
    .sort((x: Row, y: Row) => (openIn.get(Number(x.unit_id)) ?? 0) - (openIn.get(Number(y.unit_id)) ?? 0));
  let zgy: Row | undefined;
  for (const c of candidates) {
    zgy = await a.t.db('users').where({ role: '单位专管员', unit_id: c.unit_id }).first();
    if (zgy) {
      person = await a.t.db('people').where({ id: c.entity_id }).first();
      break;
    }
  }
  expect(zgy, 'a P-ID-14 finding in a unit with a group and a specialist').toBeTruthy();
  editor = await login(a.app, zgy!.id);
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

const read = async (id: number) => (await a.app.inject({ method: 'GET', url: `/api/people/${id}`, headers: editor.read })).json();
const save = (id: number, changes: Record<string, unknown>, version: number) =>
  a.app.inject({ method: 'PUT', url: `/api/people/${id}`, headers: editor.write, payload: { changes, reason: '更正姓名', version } });
const findingsOf = async (s: Session, personId: number) =>
  ((await a.app.inject({ method: 'GET', url: '/api/findings?status=open&limit=5000', headers: s.read })).json() as Row[])
    .filter((f) => f.subject.kind === 'person' && f.subject.id === personId);

describe('one-line names through the API', () => {
  it('refuses a 姓名 with a line break, naming the field, and changes nothing', async () => {
    const { version } = await read(person.id);
    const res = await save(person.id, { 姓名: '[点此整改](http://evil.example/phish)\n### 紧急通知' }, version);
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual({ 姓名: '不能换行，请在一行内填写' });
    expect((await a.t.db('people').where({ id: person.id }).first('name')).name).toBe(person.name);
    expect((await read(person.id)).version).toBe(version);
  });
});

describe('findings name the person as they are called now', () => {
  it('after a rename in the mini-app: the findings list at once, and the next digest', async () => {
    const before = await findingsOf(admin, Number(person.id));
    expect(before.map((f) => f.subject.name)).toContain(person.name);
    const { version } = await read(person.id);
    const renamed = `${person.name}新`;
    const res = await save(person.id, { 姓名: renamed }, version);
    expect(res.statusCode, res.body).toBe(200);
    const after = await findingsOf(admin, Number(person.id));
    expect(after.length).toBe(before.length);
    expect(after.every((f) => f.subject.name === renamed)).toBe(true);
    expect((await findingsOf(editor, Number(person.id))).every((f) => f.subject.name === renamed)).toBe(true);

    const next = cal.addWorkdays(D0, 1);
    await dailyCheck(a.t.db, next, BASE);
    const digest = await a.t.db('outbox').where({ dedup_key: `digest:${person.unit_id}:${next}` }).first();
    const markdown: string = JSON.parse(digest.payload).card.data.markdown;
    expect(markdown).toContain(renamed);
    expect(markdown.replaceAll(renamed, '')).not.toContain(person.name);
  });

  it('after a rename in the store: the next daily check refreshes the name (and only where it changed)', async () => {
    const other: Row = await a.t.db('findings').where({ scope: 'person', status: 'open' }).whereNot({ entity_id: person.id }).orderBy('id').first('entity_id');
    const was = (await a.t.db('people').where({ id: other.entity_id }).first('name')).name;
    await a.t.db('people').where({ id: other.entity_id }).update({ name: `${was}改` });
    const unit: Row = await a.t.db('findings').where({ scope: 'unit', status: 'open' }).orderBy('id').first('entity_id');
    const unitName = (await a.t.db('units').where({ id: unit.entity_id }).first('name')).name;
    await a.t.db('units').where({ id: unit.entity_id }).update({ name: `${unitName}（更名）` });
    const day = cal.addWorkdays(D0, 2);
    await dailyCheck(a.t.db, day, BASE);
    const names = await a.t.db('findings').where({ scope: 'person', entity_id: other.entity_id, status: 'open' }).pluck('subject_name');
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set([`${was}改`]));
    const unitNames = await a.t.db('findings').where({ scope: 'unit', entity_id: unit.entity_id, status: 'open' }).pluck('subject_name');
    expect(new Set(unitNames)).toEqual(new Set([`${unitName}（更名）`]));
    // Every open finding names its subject's current name.
    const stale = await a.t.db('findings as f').join('people as p', 'p.id', 'f.entity_id').where({ 'f.scope': 'person', 'f.status': 'open' })
      .whereRaw('f.subject_name <> p.name').count({ n: '*' }).first();
    expect(Number(stale!.n)).toBe(0);
  });
});

describe('findings as the console shows them', () => {
  it('carry their detail in Chinese and no internal qualifier', async () => {
    const list = (await a.app.inject({ method: 'GET', url: '/api/findings?status=open&limit=5000', headers: admin.read })).json() as Row[];
    const detailed = list.filter((f) => f.detail && Object.keys(f.detail).length);
    expect(detailed.length).toBeGreaterThan(0);
    for (const f of detailed) {
      expect(f.detailText, `${f.rule} ${JSON.stringify(f.detail)}`).toBeTruthy();
      expect(f.detailText, f.rule).not.toMatch(/[A-Za-z]+：/);
    }
    for (const f of list.filter((x) => x.rule === 'W-07')) expect(f.qualifierText).toBeNull();
    for (const f of list.filter((x) => x.rule === 'U-QT-01')) expect(f.qualifierText).toBe(f.qualifier);
  });
});

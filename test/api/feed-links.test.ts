// A confirmed candidate takes effect at once: the demo county's 社保 roster carries a row with a
// wrong check character for a 在编 person, so that person is 在编未参保 (X-SI-01) after the
// morning's check. The office confirms the candidate in 外部数据: the person's finding is resolved
// there and then (the re-check a save runs), not at the next check; withdrawing the link opens it
// again the same way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let admin: Session;

beforeAll(async () => {
  a = await startApp();
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  admin = await login(a.app, 'demo-admin');
});
afterAll(async () => {
  await a?.close();
});

const openSi01 = (personId: number) => a.t.db('findings').where({ rule: 'X-SI-01', scope: 'person', entity_id: personId, status: 'open' }).first('id');

describe('confirming a feed candidate', () => {
  it('resolves the person\'s 在编未参保 at once, and withdrawing the link brings it back', async () => {
    const list = (await a.app.inject({ method: 'GET', url: '/api/feeds/si/candidates', headers: admin.read })).json() as Row[];
    // A row whose only candidate is 在编 and flagged 在编未参保 in the unit the 社保 row names.
    let pick: { row: Row; personId: number } | null = null;
    for (const row of list) {
      for (const c of row.candidates as Row[]) {
        if (c.status === '在编' && (await openSi01(Number(c.personId)))) pick = { row, personId: Number(c.personId) };
      }
      if (pick) break;
    }
    expect(pick, 'the demo plants a 社保 row with a wrong check character for a 在编 person').not.toBeNull();
    const { row, personId } = pick!;
    const confirm = await a.app.inject({ method: 'POST', url: '/api/feeds/si/links', headers: admin.write, payload: { sourceKey: row.sourceKey, personId } });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(await openSi01(personId)).toBeUndefined();
    const resolved = await a.t.db('findings').where({ rule: 'X-SI-01', scope: 'person', entity_id: personId, status: 'resolved' }).first('id');
    expect(resolved).toBeTruthy();

    const withdraw = await a.app.inject({ method: 'POST', url: `/api/feeds/links/${confirm.json().linkId}/withdraw`, headers: admin.write, payload: {} });
    expect(withdraw.statusCode, withdraw.body).toBe(200);
    expect(await openSi01(personId)).toBeTruthy();
  });
});

// Two real `sanse serve` processes on one MariaDB database and one Redis, behind one round-robin
// proxy without sticky sessions (test/two-instances.ts): a login on A is a session on B (cookie
// and CSRF token), a logout on B ends it on A, the login limits are one limit across both, a
// check asked of both at once is one run, and the API's main flows (read units, save a person
// with its re-check, a staffing request decided, a workbook imported and polled, its error
// workbook downloaded) pass through the proxy whichever instance answers. Always on MariaDB (a database of its own on 127.0.0.1:3306), whatever SANSE_TEST_DB says.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticIdNumber } from '../fixtures/import-files.ts';
import { REDIS_URL, startTwoInstances, type InstanceName, type TwoInstances } from '../two-instances.ts';

type Row = Record<string, any>;

let two: TwoInstances;
const db = () => two.ctx.db;
const AT = '2026-01-01 00:00:00';

beforeAll(async () => {
  two = await startTwoInstances({ name: 'api', county: { units: 30, people: 400, seed: 5 } });
  // A unit of its own for the staffing request, and the three accounts of its path.
  const [unitId] = (await db()('units').insert({ code: '11330603MB0000017X', name: '双实例测试局', region_code: '330603', created_at: AT, updated_at: AT })).map(Number);
  await db()('quotas').insert({ unit_id: unitId, kind: '行政编制', approved: 2 });
  await db()('users').insert([
    { id: 'two-spec', name: '专管员甲', role: '单位专管员', unit_id: unitId, created_at: AT, updated_at: AT },
    { id: 'two-clerk', name: '业务科乙', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'two-lead', name: '领导丙', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
  requestUnit = unitId!;
  await two.settled();
}, 240_000);
afterAll(async () => {
  await two?.close();
}, 60_000);

let requestUnit: number;
let ipSeq = 0;
/** A client address of its own (through X-Forwarded-For, which the instances trust from the proxy). */
const nextIp = () => `10.88.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

interface Answer { status: number; body: any; instance: InstanceName; cookie: string | null; setCookie: string[] }

/** A request through the proxy; `to` asks for one instance, else the proxy takes turns. */
async function call(method: string, path: string, o: { to?: InstanceName; cookie?: string; csrf?: string; json?: unknown; ip?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.to) headers['x-sanse-instance'] = o.to;
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.ip) headers['x-forwarded-for'] = o.ip;
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${two.url}${path}`, { method, headers, body: o.json === undefined ? undefined : JSON.stringify(o.json) });
  const text = await res.text();
  const setCookie = res.headers.getSetCookie();
  const sid = setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('sanse_sid=') && c !== 'sanse_sid=');
  return { status: res.status, body: text ? JSON.parse(text) : null, instance: res.headers.get('x-sanse-instance') as InstanceName, cookie: sid ?? null, setCookie };
}

interface Session { userId: string; cookie: string; csrf: string }
async function login(userId: string, to?: InstanceName): Promise<Session> {
  const r = await call('POST', '/auth/sandbox/login', { to, json: { userId }, ip: nextIp() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { userId, cookie: r.cookie!, csrf: r.body.csrfToken };
}
const as = (s: Session) => ({ cookie: s.cookie, csrf: s.csrf });

describe('two instances behind one address', () => {
  it('both instances answer, and the proxy takes turns', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await call('GET', '/api/health')).instance);
    expect([...seen].sort()).toEqual(['A', 'B']);
  });

  it('a login on A is a session on B: the same user and CSRF token; a write on B with A\'s token passes, without it is refused', async () => {
    const s = await login('demo-admin', 'A');
    const onB = await call('GET', '/api/me', { to: 'B', cookie: s.cookie });
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({ id: 'demo-admin', role: '编办管理员', csrfToken: s.csrf });
    // A write on B: the CSRF token A gave is the session's, so B accepts it.
    const person: Row = await db()('people').orderBy('id').first('id');
    const noToken = await call('PUT', `/api/people/${person.id}`, { to: 'B', cookie: s.cookie, json: { changes: {}, reason: '核对', version: 0 } });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toMatch(/x-csrf-token/);
    const check = await call('GET', `/api/people/${person.id}`, { to: 'B', cookie: s.cookie });
    expect(check.status).toBe(200);
    const stale = await call('PUT', `/api/people/${person.id}`, { to: 'B', ...as(s), json: { changes: { ethnicity: '汉族' }, reason: '核对', version: check.body.version - 1 } });
    expect(stale.status).toBe(409); // past the CSRF check: refused for the stale version, nothing written
  });

  it('a logout on B ends the session on A', async () => {
    const s = await login('demo-staff-01', 'A');
    expect((await call('GET', '/api/me', { to: 'A', cookie: s.cookie })).status).toBe(200);
    const out = await call('POST', '/auth/logout', { to: 'B', ...as(s), ip: nextIp() });
    expect(out.status).toBe(200);
    const onA = await call('GET', '/api/me', { to: 'A', cookie: s.cookie });
    expect(onA.status).toBe(401);
    expect((await call('GET', '/api/units', { to: 'A', cookie: s.cookie })).status).toBe(401);
  });

  it('a session that timed out on one instance has timed out on the other', async () => {
    const s = await login('demo-staff-02', 'B');
    const sid = s.cookie.slice('sanse_sid='.length).split('.')[0];
    const { nowMoment } = await import('../../db/clock.ts');
    await db()('sessions').where({ id: sid }).update({ last_seen_at: nowMoment(Date.now() - 31 * 60_000) });
    const onA = await call('GET', '/api/units', { to: 'A', cookie: s.cookie });
    expect(onA.status).toBe(401);
    expect(onA.body).toEqual({ error: '登录已超时，请重新登录', timedOut: true });
    expect((await call('GET', '/api/units', { to: 'B', cookie: s.cookie })).status).toBe(401);
  });

  it('the login limit per address is one limit across both: 10 attempts split over A and B, the 11th refused on either', async () => {
    const ip = nextIp();
    const seen: InstanceName[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await call('GET', '/auth/sandbox/users', { to: i % 2 ? 'B' : 'A', ip });
      expect(r.status).toBe(200);
      seen.push(r.instance);
    }
    expect(seen.filter((x) => x === 'A')).toHaveLength(5);
    expect(seen.filter((x) => x === 'B')).toHaveLength(5);
    for (const to of ['A', 'B'] as const) {
      const r = await call('POST', '/auth/sandbox/login', { to, json: { userId: 'demo-admin' }, ip });
      expect(r.status).toBe(429);
      expect(r.body.error).toBe('登录尝试过于频繁，请稍后再试');
    }
    // Another address is not held up: the limit is per client, not per balancer.
    expect((await call('GET', '/auth/sandbox/users', { to: 'A', ip: nextIp() })).status).toBe(200);
  });

  it('the login limit per account is one limit across both', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', '/auth/sandbox/login', { to: i % 2 ? 'B' : 'A', json: { userId: 'demo-staff-03' }, ip: nextIp() });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    for (const to of ['A', 'B'] as const) {
      const r = await call('POST', '/auth/sandbox/login', { to, json: { userId: 'demo-staff-03' }, ip: nextIp() });
      expect(r.status).toBe(429);
    }
    expect((await call('POST', '/auth/sandbox/login', { to: 'B', json: { userId: 'demo-leader' }, ip: nextIp() })).status).toBe(200);
    // The counts are in Redis under this deployment's prefix, not in either process.
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL);
    try {
      const keys = await r.keys(`${two.redisPrefix}:sanse-login-limit:*`);
      // (the per-account limiter's keys carry the plugin's child prefix before the account)
      expect(keys.filter((k) => k.endsWith('account:demo-staff-03'))).toHaveLength(1);
    } finally {
      await r.quit();
    }
  });

  it('a check asked of both instances at once is one run, done once', async () => {
    const a = await login('demo-admin', 'A');
    const b = await login('demo-staff-01', 'B');
    const before = Number((await db()('check_runs').count({ n: '*' }).first())!.n);
    const [ra, rb] = await Promise.all([
      call('POST', '/api/check', { to: 'A', ...as(a), json: {} }),
      call('POST', '/api/check', { to: 'B', ...as(b), json: {} }),
    ]);
    expect([ra.status, rb.status]).toEqual([202, 202]);
    expect(ra.body.runId).toBe(rb.body.runId);
    expect([ra.body.created, rb.body.created].filter(Boolean)).toHaveLength(1);
    let state = '';
    const end = Date.now() + 90_000;
    while (Date.now() < end) {
      state = (await call('GET', `/api/check/runs/${ra.body.runId}`, { cookie: a.cookie })).body.state;
      if (state === 'ok' || state === 'failed') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(state).toBe('ok');
    expect(Number((await db()('check_runs').count({ n: '*' }).first())!.n)).toBe(before + 1);
    // Every slot of every job ran at most once, though both registries woke for each.
    const twice = await db()('job_runs').groupBy('job', 'slot').havingRaw('count(*) > 1').select('job', 'slot');
    expect(twice).toEqual([]);
  });
});

describe('the main flows through the proxy', () => {
  it('reads units, whichever instance answers', async () => {
    const s = await login('demo-admin');
    const answers: InstanceName[] = [];
    let first: unknown = null;
    for (let i = 0; i < 4; i++) {
      const r = await call('GET', '/api/units', { cookie: s.cookie });
      expect(r.status).toBe(200);
      answers.push(r.instance);
      first ??= r.body;
      expect(r.body).toEqual(first);
    }
    expect(new Set(answers).size).toBe(2);
  });

  it('saves a person with a reason on one instance and the re-check shows on the other', async () => {
    const rows: Row[] = await db()('findings as f').where({ 'f.rule': 'P-ID-14', 'f.qualifier': '民族', 'f.status': 'open', 'f.scope': 'person' }).select('f.entity_id', 'f.unit_id');
    let pick: { personId: number; specialist: string } | null = null;
    for (const r of rows) {
      const zgy: Row | undefined = await db()('users').where({ role: '单位专管员', unit_id: r.unit_id, locked: 0 }).first();
      if (zgy) {
        pick = { personId: Number(r.entity_id), specialist: zgy.id };
        break;
      }
    }
    expect(pick, 'a P-ID-14 民族 finding with a specialist').toBeTruthy();
    const s = await login(pick!.specialist, 'A');
    const read = await call('GET', `/api/people/${pick!.personId}`, { to: 'B', cookie: s.cookie });
    expect(read.status).toBe(200);
    expect(read.body.findings.some((f: Row) => f.rule === 'P-ID-14')).toBe(true);
    const saved = await call('PUT', `/api/people/${pick!.personId}`, { to: 'A', ...as(s), json: { changes: { ethnicity: '汉族', idNumber: read.body.person.idNumber }, reason: '按户籍信息更正民族', version: read.body.version } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.resolved).toContain('P-ID-14');
    const after = await call('GET', `/api/people/${pick!.personId}`, { to: 'B', cookie: s.cookie });
    expect(after.body.version).toBe(read.body.version + 1);
    expect(after.body.person.ethnicity).toBe('汉族');
    expect(after.body.findings.some((f: Row) => f.rule === 'P-ID-14' && f.qualifier === '民族')).toBe(false);
    // B refuses the old version A has replaced.
    const stale = await call('PUT', `/api/people/${pick!.personId}`, { to: 'B', ...as(s), json: { changes: { ethnicity: '回族' }, reason: '再改', version: read.body.version } });
    expect(stale.status).toBe(409);
  });

  it('a staffing request submitted on one instance, reviewed and decided on the others, decided once', async () => {
    // The registries' catch-up at start locked the new unit's specialist (no self-checks last month): unlocked here.
    await db()('users').where({ id: 'two-spec' }).update({ locked: 0 });
    const spec = await login('two-spec');
    const clerk = await login('two-clerk');
    const lead = await login('two-lead');
    const s = await call('POST', '/api/requests', { to: 'A', ...as(spec), json: { 申请类型: '用编计划', 单位ID: requestUnit, 编制类型: '行政编制', 数量: 2, 申请理由: '补充' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const id = s.body.id;
    const r = await call('POST', `/api/requests/${id}/review`, { to: 'B', ...as(clerk), json: { decision: 'pass', comment: '同意报送' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // The leader's two clicks land on both instances at once: one decides, the other is told.
    const [d1, d2] = await Promise.all([
      call('POST', `/api/requests/${id}/decide`, { to: 'A', ...as(lead), json: { decision: 'approve', comment: '同意' } }),
      call('POST', `/api/requests/${id}/decide`, { to: 'B', ...as(lead), json: { decision: 'approve', comment: '同意' } }),
    ]);
    expect([d1.status, d2.status].sort()).toEqual([200, 409]);
    const loser = d1.status === 409 ? d1 : d2;
    expect(loser.body.error).toMatch(/^该申请已由领导丙于.+终审（已批准），无需重复操作$/);
    const one = await call('GET', `/api/requests/${id}`, { cookie: spec.cookie });
    expect(one.body.steps.map((x: Row) => x.decision)).toEqual(['submit', 'pass', 'approve']);
  });

  /** An upload through the proxy (multipart: fetch sets the boundary). */
  async function upload(s: Session, name: string, body: Buffer): Promise<Answer> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(body)], { type: 'text/csv' }), name);
    const res = await fetch(`${two.url}/api/import`, { method: 'POST', headers: { accept: 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf }, body: form });
    return { status: res.status, body: await res.json(), instance: res.headers.get('x-sanse-instance') as InstanceName, cookie: null, setCookie: [] };
  }

  /** Polls the job through the proxy (taking turns) until it ends; every answer and who gave it. */
  async function pollUntilDone(s: Session, id: string): Promise<{ job: Row; answers: Answer[] }> {
    const answers: Answer[] = [];
    const end = Date.now() + 180_000;
    for (;;) {
      const r = await call('GET', `/api/import/${id}`, { cookie: s.cookie });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      answers.push(r);
      if (r.body.state === 'done' || r.body.state === 'failed') return { job: r.body, answers };
      if (Date.now() > end) throw new Error(`the import did not end: ${JSON.stringify(r.body)}\n${two.log()}`);
      await new Promise((res) => setTimeout(res, 150));
    }
  }

  it('an import uploaded through the proxy is polled through it until done, answered by both instances alike', async () => {
    const s = await login('demo-admin');
    const unit: Row = await db()('units').whereNotNull('code').orderBy('id').first('code');
    const rows = 3000;
    const lines = ['统一社会信用代码,身份证号,姓名,性别'];
    for (let i = 0; i < rows; i++) lines.push(`${unit.code},${syntheticIdNumber(700_000 + i)},双实例导入${i},${i % 2 ? '男' : '女'}`);
    const before = Number((await db()('people').count({ n: '*' }).first())!.n);
    const posted = await upload(s, '人员.csv', Buffer.from(`${lines.join('\r\n')}\r\n`));
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const { job, answers } = await pollUntilDone(s, posted.body.id);
    expect(job, JSON.stringify(job).slice(0, 500)).toMatchObject({ state: 'done', fileName: '人员.csv', result: { ok: true } });
    // The instance that did not run the import answered from the stored row too (none said 中断).
    expect(new Set(answers.map((a) => a.instance))).toEqual(new Set(['A', 'B']));
    const ranOn = posted.instance;
    const other: InstanceName = ranOn === 'A' ? 'B' : 'A';
    expect(answers.filter((a) => a.instance === other).every((a) => ['queued', 'running', 'done'].includes(a.body.state))).toBe(true);
    // Asked of each instance after the end: the same answer.
    const onA = await call('GET', `/api/import/${posted.body.id}`, { to: 'A', cookie: s.cookie });
    const onB = await call('GET', `/api/import/${posted.body.id}`, { to: 'B', cookie: s.cookie });
    expect(onA.status).toBe(200);
    expect(onB.body).toEqual(onA.body);
    expect(Number((await db()('people').count({ n: '*' }).first())!.n)).toBe(before + rows);
    // Another user is told there is no such job by either instance.
    const clerk = await login('two-clerk');
    for (const to of ['A', 'B'] as const) expect((await call('GET', `/api/import/${posted.body.id}`, { to, cookie: clerk.cookie })).status).toBe(404);
  }, 240_000);

  it('a failing workbook\'s error file is downloaded through the proxy from either instance, by its importer only', async () => {
    const s = await login('demo-admin');
    const unit: Row = await db()('units').whereNotNull('code').orderBy('id').first('code');
    const posted = await upload(s, '人员.csv', Buffer.from(`统一社会信用代码,身份证号,姓名\r\n${unit.code},${syntheticIdNumber(795_000)},\r\n`));
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const { job } = await pollUntilDone(s, posted.body.id);
    expect(job.result.ok).toBe(false);
    const url = job.result.errorFile as string;
    expect(url).toMatch(/^\/api\/import\/errors\/[0-9a-f]{32}\.xlsx$/);
    for (const to of ['A', 'B'] as const) {
      const res = await fetch(`${two.url}${url}`, { headers: { cookie: s.cookie, 'x-sanse-instance': to } });
      expect(res.status, `${to}: ${res.status}`).toBe(200);
      expect(res.headers.get('x-sanse-instance')).toBe(to);
      expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    }
    const downloads = await db()('audit_log').where({ actor: 'demo-admin', action: 'download_import_errors' }).count({ n: '*' }).first();
    expect(Number(downloads!.n)).toBe(2);
    const clerk = await login('two-clerk');
    for (const to of ['A', 'B'] as const) {
      const res = await fetch(`${two.url}${url}`, { headers: { cookie: clerk.cookie, 'x-sanse-instance': to } });
      expect(res.status).toBe(404);
    }
  }, 240_000);

  it('both instances served the flows', () => {
    expect(two.hits.A).toBeGreaterThan(10);
    expect(two.hits.B).toBeGreaterThan(10);
  });
});


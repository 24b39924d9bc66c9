// The scheduled jobs and the broadcast history over the API (server/routes/api/jobs.ts): who may
// read, change and run them; a retime as the list shows it; a run by hand with the messages it
// sent; the history of what went to groups and people, delivered and dead. The app as serve
// builds it on a seeded county (SQLite, or MariaDB with SANSE_TEST_DB=mysql).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMoment } from '../../db/clock.ts';
import { getSetting } from '../../db/settings.ts';
import { login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let admin: Session;
let staff: Session;
let leader: Session;
let viewer: Session;
let specialist: Session;

beforeAll(async () => {
  a = await startApp();
  const at = nowMoment();
  const unit = await a.t.db('units').whereNotNull('group_id').first('id');
  await a.t.db('users').insert([
    { id: 'viewer', name: '审计查询', role: '查询用户', created_at: at, updated_at: at },
    { id: 'zgy', name: '专管员甲', role: '单位专管员', unit_id: unit.id, created_at: at, updated_at: at },
  ]);
  [admin, staff, leader, viewer, specialist] = await Promise.all(['demo-admin', 'demo-staff-01', 'demo-leader', 'viewer', 'zgy'].map((u) => login(a.app, u)));
}, 120_000);
afterAll(async () => {
  await a?.close();
});

const get = (s: Session, url: string) => a.app.inject({ method: 'GET', url, headers: s.read });

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /api/jobs', () => {
  it('lists the office\'s jobs with their schedules, last and next run, for office roles only', async () => {
    const res = await get(viewer, '/api/jobs');
    expect(res.statusCode).toBe(200);
    const list = res.json() as Array<Record<string, any>>;
    const check = list.find((j) => j.name === 'daily-check')!;
    expect(check).toMatchObject({ title: '每日数据检查', schedule: '每个工作日 08:30（北京时间）', enabled: true, time: '08:30' });
    expect(check.nextRun).toMatch(/^\d{4}-\d{2}-\d{2}T08:30:00\+08:00$/);
    expect(list.find((j) => j.name === 'expire-plans')).toMatchObject({ title: '用编计划到期处理' });
    const refused = await get(specialist, '/api/jobs');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain('编办');
    expect((await a.app.inject({ method: 'GET', url: '/api/jobs' })).statusCode).toBe(401);
  });
});

describe('PUT /api/jobs/:name/schedule', () => {
  const put = (s: Session, name: string, payload: unknown) => a.app.inject({ method: 'PUT', url: `/api/jobs/${name}/schedule`, headers: s.write, payload: payload as object });

  it('is for 编办管理员 only', async () => {
    for (const s of [staff, leader, viewer, specialist]) {
      const res = await put(s, 'daily-check', { time: '09:00' });
      expect(res.statusCode, s.userId).toBe(403);
      expect(res.json().error).toBe('只有编办管理员可以修改计划任务的排程');
    }
    expect(await getSetting(a.t.db, 'job-schedules')).toBeNull();
  });

  it('refuses a bad time or an unknown job in Chinese, writing nothing', async () => {
    const bad = await put(admin, 'daily-check', { time: '25:00' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.time).toContain('HH:MM');
    const notBool = await put(admin, 'daily-check', { enabled: 'no' });
    expect(notBool.statusCode).toBe(400);
    expect(notBool.json().fields.enabled).toBeTruthy();
    const unknown = await put(admin, 'no-such-job', { time: '09:00' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toContain('没有名为“no-such-job”的计划任务');
    expect(await getSetting(a.t.db, 'job-schedules')).toBeNull();
  });

  it('retimes a job and switches it off and on: the list says so, the audit log keeps it', async () => {
    const res = await put(admin, 'daily-check', { time: '9:05' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ name: 'daily-check', schedule: '每个工作日 09:05（北京时间）', time: '09:05', defaultTime: '08:30', enabled: true });
    expect(res.json().nextRun).toMatch(/T09:05:00\+08:00$/);
    const off = await put(admin, 'daily-check', { enabled: false });
    expect(off.json()).toMatchObject({ enabled: false, nextRun: null, schedule: '每个工作日 09:05（北京时间）（已停用）' });
    const listed = (await get(staff, '/api/jobs')).json().find((j: { name: string }) => j.name === 'daily-check');
    expect(listed).toMatchObject({ enabled: false, nextRun: null });
    await put(admin, 'daily-check', { enabled: true, time: '08:30' });
    expect(await getSetting(a.t.db, 'job-schedules')).toEqual({});
    const audits = await a.t.db('audit_log').where({ action: 'set_job_schedule' }).orderBy('id');
    expect(audits.map((r) => r.actor)).toEqual(['demo-admin', 'demo-admin', 'demo-admin']);
    expect(JSON.parse(audits[0].detail)).toEqual({ job: 'daily-check', before: {}, after: { time: '09:05' } });
  });
});

describe('runs and what they sent', () => {
  let runId = 0;

  it('runs a job by hand for 编办管理员 and 编办业务人员 (others refused), and shows the run with its messages', async () => {
    for (const s of [leader, viewer, specialist]) {
      const res = await a.app.inject({ method: 'POST', url: '/api/jobs/daily-check/run', headers: s.write, payload: {} });
      expect(res.statusCode, s.userId).toBe(403);
    }
    const badDate = await a.app.inject({ method: 'POST', url: '/api/jobs/daily-check/run', headers: staff.write, payload: { date: '2026-02-30' } });
    expect(badDate.statusCode).toBe(400);
    const res = await a.app.inject({ method: 'POST', url: '/api/jobs/daily-check/run', headers: staff.write, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    runId = res.json().runId;
    const run = await until(async () => (await get(viewer, `/api/jobs/runs/${runId}`)).json(), (r) => r.state === 'ok' || r.state === 'failed');
    expect(run).toMatchObject({ id: runId, job: 'daily-check', title: '每日数据检查', state: 'ok', stateText: '成功', manual: true });
    expect(run.startedAt).toMatch(/\+08:00$/);
    expect(run.summary).toContain('工作群预警卡片');
    const cards = run.sent.filter((m: { kindText: string }) => m.kindText === '单位预警卡片');
    expect(cards.length).toBeGreaterThan(0);
    expect(cards.length).toBe(run.result.alerts.groupCards);
    expect(cards[0]).toMatchObject({ kind: 'card', state: 'pending', stateText: '发送中', sentAt: null });
    expect(cards[0].targetText).toMatch(/工作群$/);
    expect(run.messages).toBe(run.sent.length);
    expect((await get(specialist, `/api/jobs/runs/${runId}`)).statusCode).toBe(403);
    expect((await get(admin, '/api/jobs/runs/999999')).statusCode).toBe(404);
  });

  it('lists a job\'s runs, the latest first, with how many messages each sent', async () => {
    const res = await get(admin, '/api/jobs/daily-check/runs?limit=5');
    expect(res.statusCode).toBe(200);
    const [first] = res.json();
    expect(first).toMatchObject({ id: runId, state: 'ok' });
    expect(first.messages).toBeGreaterThan(0);
    expect((await get(admin, '/api/jobs/daily-check/runs?limit=0')).statusCode).toBe(400);
    expect((await get(admin, '/api/jobs/nope/runs')).statusCode).toBe(404);
  });

  it('keeps the broadcast history: what went to which group or people, delivered, sending or failed, newest first, by group, in pages', async () => {
    const rows = await a.t.db('outbox').where({ job_run_id: runId }).whereNotNull('target').orderBy('id');
    const group = rows.find((r) => String(r.target).startsWith('group:'))!;
    const other = rows.find((r) => String(r.target).startsWith('group:') && r.target !== group.target)!;
    await a.t.db('outbox').where({ id: group.id }).update({ state: 'sent', sent_at: nowMoment() });
    await a.t.db('outbox').where({ id: other.id }).update({ state: 'dead', last_error: '[40035] ECONNREFUSED 127.0.0.1:9' });
    const res = await get(viewer, '/api/broadcasts?limit=200');
    expect(res.statusCode).toBe(200);
    const page = res.json();
    const ids = page.items.map((m: { id: number }) => m.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => y - x));
    expect(page.items.find((m: { id: number }) => m.id === Number(group.id))).toMatchObject({ state: 'sent', stateText: '已送达', error: null });
    const dead = page.items.find((m: { id: number }) => m.id === Number(other.id));
    expect(dead).toMatchObject({ state: 'dead', stateText: '失败' });
    expect(dead.error).toMatch(/^无法连接聊天平台/);
    expect(page.groups.length).toBeGreaterThan(1);
    // One group's history only.
    const groupId = String(group.target).slice(6);
    const mine = (await get(admin, `/api/broadcasts?group=${encodeURIComponent(groupId)}`)).json();
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((m: { target: { groupId: string } }) => m.target.groupId === groupId)).toBe(true);
    // Pages: `next` is the `before` of the next one.
    const p1 = (await get(admin, '/api/broadcasts?limit=2')).json();
    expect(p1.items).toHaveLength(2);
    const p2 = (await get(admin, `/api/broadcasts?limit=2&before=${p1.next}`)).json();
    expect(p2.items[0].id).toBeLessThan(p1.items[1].id);
    expect((await get(specialist, '/api/broadcasts')).statusCode).toBe(403);
  });
});

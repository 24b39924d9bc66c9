// bench:api — the HTTP API under load: a plain route (GET /api/health) beside the mini-app's
// save with its re-check (PUT /api/people/:id), then the decision path (POST
// /api/requests/:id/decide, 终审 by 分管领导), 50 concurrent users by default.
//
//   npm run bench:api [-- --db mysql|sqlite --connections 50 --duration 20 --warmup 3
//                         --units 200 --people 3000 --per-connection 4 --rate 0
//                         --decisions N --race
//                         --log-level warn --mysql mysql://root@127.0.0.1:3306
//                         --cpu-prof DIR]
//
// --mysql takes a server URL, also one through a Unix socket: mysql://root@localhost?socket=/run/mysqld/mysqld.sock
//
// The database (MariaDB `sanse_bench_api` on 127.0.0.1:3306, dropped and created again; or a
// SQLite file in a temp folder) gets the demo county the way `sanse serve` seeds it; then the
// server runs as `node bin/sanse.js serve` in a process of its own (PLATFORM=sandbox), so the load
// generator (autocannon, in this process) does not share its event loop.
//
// Users: one 单位专管员 per connection (distinct users, each logged in once through
// /auth/sandbox/login; the login limit is 10 a minute per address, so each login comes from its
// own loopback address 127.0.0.x, as 50 phones would come from 50 addresses). Each connection
// owns `--per-connection` people of its user's units and rotates over them; it sends each save
// with the version the previous answer gave for that person, so saves never conflict (a 409 is
// counted and the version it carries taken). The change toggles 政治面貌 between 中共党员 and
// 群众 (both valid, so each save stores a new version and runs the re-check), with a reason.
//
// --cpu-prof DIR writes the server's V8 CPU profile (.cpuprofile, for Chrome DevTools) to DIR.
//
// --rate N: an open loop instead: the 50 users offer N saves/s in all, each user's saves evenly
// spaced (a user waits for an answer before the next save), the users' starts staggered. The
// latency of a save counts from when it was due, so a server that falls behind is not excused
// by the saves it delayed (no coordinated omission). The plain route runs the same way.
//
// Decisions: before the server starts, the office setting requests.blockOnRed is turned off (the
// demo's units mostly have open red findings; printed) and `--decisions` 用编计划 of 1 名 each are
// made in units whose 可用 编制 covers them (round robin over units; short of 可用, each unit's
// first 核定 is raised in the bench's database, and that is printed), each submitted and passed at
// 初审 in-process through the real commands (submitRequest, reviewRequest); their approval cards
// count as sent. Default: 100/s (or 1.2 × --rate) for warm-up plus run, plus one per leader.
// Then --connections 分管领导 (demo-leader and bench-leader-NN, added) log in like the
// specialists, from loopback addresses after theirs, and each approves, with a comment, its own
// queue of distinct requests (closed loop, or paced as --rate). When a leader's queue runs dry the
// run stops early and says so (figures of decisions, not of 409s). After the run the database is
// checked: each approved request with exactly one 终审 step and its effect, none decided twice, no
// record version written for a plan, no unit and 编制类型 booked beyond 核定.
// --race: leaders in pairs share a queue, so every request is decided by two leaders at once;
// prints how many had exactly one winner (the 409 `already` of the other is then expected).
//
// Prints requests/s, p50/p99 latency and non-2xx answers of the runs (decisions/s for the
// decisions), and whether the target holds: the save with re-check at p99 under 100 ms with 50
// concurrent users.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addMonths, todayInShanghai } from '../core/dates.ts';
import { openDb, type Db } from '../db/connection.ts';
import { nowMoment } from '../db/clock.ts';
import { BLOCK_ON_RED, unitAvailability } from '../db/requests.ts';
import { subtreeIds } from '../db/scope.ts';
import { getSetting, putSetting } from '../db/settings.ts';
import { reviewRequest } from '../commands/review-request.ts';
import { submitRequest } from '../commands/submit-request.ts';
import type { RequestDeps } from '../commands/request-effects.ts';
import { openContext, type AppContext } from '../server/context.ts';
import { dropMysqlDatabase, FIXED_PII_KEY, freePort, seedCounty } from '../test/browser/app.ts';

// ---- autocannon (no type declarations of its own): the part of its API used here ------------
interface Histogram { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number }
interface AcResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  non2xx: number; errors: number; timeouts: number; duration: number;
  '2xx': number; '4xx': number; '5xx': number;
  statusCodeStats: Record<string, { count: number }>;
  /** Open loop only: seconds into the run at which the slowest request was due. */
  worstAt?: number;
}
interface AcRequest {
  method?: string; path?: string; headers?: Record<string, string>; body?: string;
  setupRequest?: (req: AcRequest, context: object) => AcRequest;
  onResponse?: (status: number, body: string, context: object, headers: Record<string, string>) => void;
}
interface AcClient { setRequests(r: AcRequest[]): void }
interface AcOptions {
  url: string; connections: number; duration: number; pipelining?: number; timeout?: number; overallRate?: number;
  setupClient?: (client: AcClient) => void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (o: AcOptions) => Promise<AcResult>;

// ---- options --------------------------------------------------------------------------------
const { values: a } = parseArgs({
  options: {
    db: { type: 'string', default: 'mysql' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    units: { type: 'string', default: '200' },
    people: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '20260603' },
    'per-connection': { type: 'string', default: '4' },
    rate: { type: 'string', default: '0' },
    decisions: { type: 'string' },
    race: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    'cpu-prof': { type: 'string' },
    mysql: { type: 'string', default: process.env.SANSE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306' },
  },
});
const dbKind = a.db === 'sqlite' ? 'sqlite' : 'mysql';
const connections = Number(a.connections);
const duration = Number(a.duration);
const warmup = Number(a.warmup);
const perConnection = Math.max(1, Number(a['per-connection']));
const rate = Number(a.rate);
const county = { units: Number(a.units), people: Number(a.people), seed: Number(a.seed), today: todayInShanghai() };
const TARGET_P99_MS = 100;
const REPO = fileURLToPath(new URL('../', import.meta.url));

const POLITICS = ['中共党员', '群众'];
const toggled = (v: string | null) => (v === POLITICS[0] ? POLITICS[1] : POLITICS[0]);

// ---- a small HTTP client (logins come from a chosen loopback address) -------------------------
interface Reply { status: number; body: any; headers: http.IncomingHttpHeaders }
function call(port: number, method: string, urlPath: string, o: { json?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath, agent: false, localAddress: o.from,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}), ...o.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---- the server -------------------------------------------------------------------------------
let server: ChildProcess | null = null;
let serverLog = '';

async function startServer(env: Record<string, string>, port: number): Promise<void> {
  const profile = a['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(a['cpu-prof'])}`] : [];
  server = spawn(process.execPath, [...profile, path.join(REPO, 'bin/sanse.js'), 'serve'], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (c: Buffer) => { serverLog = (serverLog + c.toString('utf8')).slice(-20_000); };
  server.stdout!.on('data', keep);
  server.stderr!.on('data', keep);
  const end = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${serverLog}`);
    const ok = await call(port, 'GET', '/api/health').then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > end) throw new Error(`the server did not answer /api/health within 60 s:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer(): Promise<void> {
  const p = server;
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

// ---- users and people -------------------------------------------------------------------------
interface Person { id: number; version: number; politics: string | null }
interface Conn { userId: string; cookie: string; csrf: string; people: Person[]; next: number; current: number }

/** Specialists with the people of their units (and subordinate units), most people first. */
async function specialists(db: Db): Promise<Array<{ id: string; people: number[] }>> {
  const users = await db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').select('id', 'unit_id', 'locked');
  const out: Array<{ id: string; people: number[] }> = [];
  for (const u of users) {
    if (Number(u.locked)) continue;
    const scope = await subtreeIds(db, Number(u.unit_id));
    const people = (await db('people').whereIn('unit_id', scope).orderBy('id').select('id')).map((r) => Number(r.id));
    if (people.length) out.push({ id: u.id, people });
  }
  return out;
}

/**
 * Waits until what the server does at its start is over: the registry's catch-up of the day's
 * slots (the check, the weekly list, the month close…) and the messages they queued, which the
 * dispatcher sends at SEND_RATE. Measured saves would otherwise share the machine with them.
 */
async function settle(db: Db): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const [{ n: runs }] = await db('job_runs').whereIn('state', ['queued', 'running']).count({ n: '*' });
    const [{ n: msgs }] = await db('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' });
    if (Number(runs) === 0 && Number(msgs) === 0) break;
    if (Date.now() - t0 > 180_000) { console.log(`start-up still busy after 180 s (${runs} job runs, ${msgs} messages): measuring anyway`); return; }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`start-up settled in ${((Date.now() - t0) / 1000).toFixed(1)} s (the day's job slots run, their messages sent)`);
}

async function prepareConnections(port: number, db: Db): Promise<{ conns: Conn[]; dropped: number; notStored: number[] }> {
  const pool = await specialists(db);
  if (!pool.length) throw new Error('no 单位专管员 with people in scope');
  const taken = new Set<number>();
  const conns: Conn[] = [];
  let dropped = 0;
  const notStored: number[] = [];
  for (let c = 0; c < connections; c++) {
    // Distinct users while there are enough of them; then users are shared, people never.
    const candidates = pool.filter((u) => u.people.some((p) => !taken.has(p)));
    const u = candidates.find((x) => !conns.some((k) => k.userId === x.id)) ?? candidates[c % candidates.length];
    if (!u) throw new Error(`not enough people for ${connections} connections × ${perConnection}`);
    const same = conns.find((k) => k.userId === u.id);
    let conn: Conn;
    if (!same) {
      const from = `127.0.0.${2 + (c % 250)}`;
      const r = await call(port, 'POST', '/auth/sandbox/login', { json: { userId: u.id }, from });
      if (r.status !== 200) throw new Error(`login ${u.id} from ${from}: ${r.status} ${JSON.stringify(r.body)}`);
      const cookie = String([r.headers['set-cookie']].flat().find((s) => s?.startsWith('sanse_sid='))).split(';')[0];
      conn = { userId: u.id, cookie, csrf: r.body.csrfToken, people: [], next: 0, current: 0 };
    } else conn = { userId: same.userId, cookie: same.cookie, csrf: same.csrf, people: [], next: 0, current: 0 };
    // Its people: each read, then saved once (a record the 人员 schema refuses cannot be saved: skipped).
    for (const id of u.people) {
      if (conn.people.length >= perConnection) break;
      if (taken.has(id)) continue;
      taken.add(id);
      const g = await call(port, 'GET', `/api/people/${id}`, { headers: { cookie: conn.cookie } });
      if (g.status !== 200) throw new Error(`GET /api/people/${id} as ${u.id}: ${g.status} ${JSON.stringify(g.body)}`);
      const politics = toggled(g.body.person.politics ?? null);
      const s = await call(port, 'PUT', `/api/people/${id}`, {
        headers: { cookie: conn.cookie, 'x-csrf-token': conn.csrf },
        json: { changes: { politics }, reason: '基准测试：核对政治面貌', version: g.body.version },
      });
      if (s.status !== 200) {
        dropped++;
        continue;
      }
      if (s.body.version === g.body.version || s.body.person?.politics !== politics) {
        // Answered 200 but did not store the change on this record: see the warning printed.
        notStored.push(id);
        continue;
      }
      conn.people.push({ id, version: s.body.version, politics: s.body.person.politics });
    }
    if (!conn.people.length) {
      c--; // this user had nobody left that can be saved: the next one
      pool.splice(pool.indexOf(u), 1);
      if (!pool.length) throw new Error('ran out of people that can be saved');
      continue;
    }
    conns.push(conn);
  }
  return { conns, dropped, notStored };
}

/**
 * After a run: the saves still in flight when autocannon stopped were stored without their
 * answer being read, so the versions held are re-read from the database (else the next run
 * would start with a few stale versions, i.e. 409s).
 */
async function resync(db: Db, conns: Conn[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  for (const c of conns) {
    for (const p of c.people) {
      const v = await db('record_versions').where({ entity: 'person', entity_id: p.id }).max({ v: 'version' }).first();
      const row = await db('people').where({ id: p.id }).first('politics');
      p.version = Number(v?.v ?? 0);
      p.politics = row?.politics ?? null;
    }
  }
}

// ---- the runs ---------------------------------------------------------------------------------
interface SaveStats { ok: number; unchanged: number; conflicts: number; other: Map<number, number> }

function saveClients(conns: Conn[], stats: SaveStats): (client: AcClient) => void {
  let n = 0;
  return (client) => {
    const conn = conns[n++ % conns.length];
    client.setRequests([{
      method: 'PUT',
      setupRequest: (req) => {
        const i = conn.next++ % conn.people.length;
        conn.current = i;
        const p = conn.people[i];
        return {
          ...req,
          method: 'PUT',
          path: `/api/people/${p.id}`,
          headers: { cookie: conn.cookie, 'x-csrf-token': conn.csrf, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ changes: { politics: toggled(p.politics) }, reason: '基准测试：核对政治面貌', version: p.version }),
        };
      },
      onResponse: (status, body) => {
        const p = conn.people[conn.current];
        let b: any = null;
        try { b = JSON.parse(body); } catch { /* counted below */ }
        if (status === 200 && b) {
          stats.ok++;
          if (b.version === p.version) stats.unchanged++;
          p.version = b.version;
          p.politics = b.person?.politics ?? p.politics;
        } else if (status === 409 && b && typeof b.version === 'number') {
          stats.conflicts++;
          p.version = b.version;
        } else stats.other.set(status, (stats.other.get(status) ?? 0) + 1);
      },
    }]);
  };
}

/**
 * The open loop of --rate: one keep-alive connection per user, each user's requests due every
 * connections/rate seconds (starts staggered), sent when due or, if the user's previous request is
 * still unanswered, as soon as it is answered; latency from the due time. Same requests and
 * answers as the autocannon run (setupRequest/onResponse), same result shape.
 */
async function paced(port: number, conns: Conn[], total: number, o: { url: string; duration: number; setupClient?: (client: AcClient) => void }): Promise<AcResult> {
  const n = conns.length;
  const every = (1000 * n) / total;
  const latencies: number[] = [];
  const worst = { ms: 0, at: 0 };
  const codes = { '2xx': 0, '4xx': 0, '5xx': 0, non2xx: 0, errors: 0 };
  const start = performance.now() + 50;
  const end = start + o.duration * 1000;
  const urlPath = new URL(o.url).pathname;
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    let req: AcRequest = { method: 'GET', path: urlPath };
    if (o.setupClient) o.setupClient({ setRequests: (r) => { req = r[0]; } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let due = start + (every * i) / n; due < end; due += every) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const r = req.setupRequest ? req.setupRequest({ ...req }, {}) : req;
      // From when it was due, or from when it went out if a timer fired a little early.
      const t0 = Math.min(due, performance.now());
      const res = await new Promise<{ status: number; body: string }>((resolve) => {
        const body = r.body === undefined ? undefined : Buffer.from(r.body);
        const q = http.request({ host: '127.0.0.1', port, agent, method: r.method ?? 'GET', path: r.path ?? urlPath, headers: { ...r.headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        q.on('error', () => resolve({ status: 0, body: '' }));
        q.end(body);
      });
      const took = performance.now() - t0;
      latencies.push(took);
      if (took > worst.ms) Object.assign(worst, { ms: took, at: (due - start) / 1000 });
      if (res.status === 0) codes.errors++;
      else {
        const k = `${Math.floor(res.status / 100)}xx` as '2xx' | '4xx' | '5xx';
        if (k in codes) codes[k]++;
        if (k !== '2xx') codes.non2xx++;
        req.onResponse?.(res.status, res.body, {}, {});
      }
    }
    agent.destroy();
  }));
  latencies.sort((x, y) => x - y);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const secs = (performance.now() - start) / 1000;
  const h = (v: Partial<Histogram>) => ({ average: 0, mean: 0, stddev: 0, min: 0, max: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, ...v });
  return {
    requests: { ...h({ average: latencies.length / secs, mean: latencies.length / secs }), total: latencies.length, sent: latencies.length },
    latency: h({ p50: at(50), p90: at(90), p97_5: at(97.5), p99: at(99), max: latencies[latencies.length - 1] ?? 0, min: latencies[0] ?? 0 }),
    ...codes, timeouts: 0, duration: secs, statusCodeStats: {}, worstAt: worst.at,
  };
}

// ---- the decision path (终审 by 分管领导) -------------------------------------------------------
/** A guess at the closed loop's decisions/s, for the default --decisions (the run stops early, and says so, if it runs dry). */
const PLAUSIBLE_DECISIONS_PER_S = 100;
const LEADERS = connections;
const BENCH_ACTOR_SUBMIT = 'demo-staff-01';
const BENCH_ACTOR_REVIEW = 'demo-admin';

interface Prepared { ids: number[]; capacity: number; raised: { by: number; units: number }; units: number; blockOnRedWas: boolean | null; leadersAdded: number; seconds: number }

/**
 * Before the server starts: the office's requests.blockOnRed turned off (the demo's units mostly
 * have open red findings, which would refuse every request), `want` 用编计划 of 1 名 each where a
 * unit's 可用 covers them (round robin over units and 编制类型, so no unit is asked beyond its
 * 可用), each submitted and passed at 初审 through the real commands (submitRequest, reviewRequest:
 * same rows, steps and card as in use), then the 分管领导 up to LEADERS (demo-leader and
 * bench-leader-NN, office scope). The approval cards queued by the 初审 are marked sent: they
 * went out before the run, not during it.
 */
async function prepareRequests(ctx: AppContext, want: number): Promise<Prepared> {
  const t0 = performance.now();
  const db = ctx.db;
  const blockOnRedWas = await getSetting<boolean>(db, BLOCK_ON_RED);
  await putSetting(db, BLOCK_ON_RED, false);
  const deps: RequestDeps = { db, pii: ctx.pii, today: county.today, publicBaseUrl: ctx.config.publicBaseUrl };
  const submitter = { id: BENCH_ACTOR_SUBMIT, role: '编办业务人员', scope: null };
  const reviewer = { id: BENCH_ACTOR_REVIEW, role: '编办管理员', scope: null };
  // Slots: one per 可用 编制 of each unit and kind, taken round robin across units.
  const slotsByUnit = async () => {
    const out: Array<Array<string>> = [];
    for (const u of await db('units').orderBy('id').select('id')) {
      const av = await unitAvailability(db, Number(u.id), county.today);
      const kinds: string[] = [];
      for (const q of av.quotas) for (let i = 0; i < q.available; i++) kinds.push(q.kind);
      if (kinds.length) out.push([String(u.id), ...kinds]);
    }
    return out;
  };
  let perUnit = await slotsByUnit();
  const capacity = perUnit.reduce((n, k) => n + k.length - 1, 0);
  // The demo county has a few hundred 可用 编制 in all: short of them, each unit's first 核定 row
  // is raised (in the bench's database only) so that the requests stay within 可用.
  let raised = { by: 0, units: 0 };
  if (capacity < want) {
    const rows: Array<Record<string, any>> = await db('quotas').orderBy('unit_id').orderBy('id').select('id', 'unit_id');
    // A Map keeps the last value set per key: over the rows reversed, each unit's lowest id.
    const ids = [...new Map(rows.slice().reverse().map((r) => [Number(r.unit_id), Number(r.id)])).values()];
    raised = { by: Math.ceil((want - capacity) / Math.max(1, ids.length)), units: ids.length };
    for (let i = 0; i < ids.length; i += 500) await db('quotas').whereIn('id', ids.slice(i, i + 500)).increment('approved', raised.by);
    perUnit = await slotsByUnit();
  }
  const slots: Array<{ unitId: string; kind: string }> = [];
  for (let round = 1; slots.length < want; round++) {
    let any = false;
    for (const k of perUnit) {
      if (round >= k.length || slots.length >= want) continue;
      slots.push({ unitId: k[0], kind: k[round] });
      any = true;
    }
    if (!any) break;
  }
  const validUntil = addMonths(county.today, 6);
  const ids: number[] = [];
  let refused = 0;
  for (const s of slots) {
    try {
      const r = await submitRequest(deps, { actor: submitter, request: { 申请类型: '用编计划', 单位ID: s.unitId, 编制类型: s.kind, 数量: 1, 申请理由: '基准测试：补充人员', 有效期至: validUntil } });
      await reviewRequest(deps, { actor: reviewer, id: r.id, decision: 'pass', comment: '基准测试：初审通过' });
      ids.push(r.id);
    } catch (e) {
      // A unit suspended from staffing matters, say: the command refuses it, as it would a user.
      if ((e as { status?: number }).status === 409 || (e as { status?: number }).status === 422) refused++;
      else throw e;
    }
  }
  if (refused) console.log(`  ${refused} requests refused at submission or 初审 (e.g. a suspended unit): left out`);
  await db('outbox').where('dedup_key', 'like', 'request:%:create:%').andWhere({ state: 'pending' }).update({ state: 'sent', sent_at: nowMoment() });
  const have: string[] = (await db('users').where({ role: '分管领导', locked: false }).orderBy('id').select('id')).map((r) => r.id);
  const at = nowMoment();
  const add: Array<Record<string, unknown>> = [];
  for (let i = have.length + 1; i <= LEADERS; i++) add.push({ id: `bench-leader-${String(i).padStart(2, '0')}`, name: `基准领导${String(i).padStart(2, '0')}`, role: '分管领导', unit_id: null, locked: false, created_at: at, updated_at: at });
  if (add.length) await db('users').insert(add);
  return { ids, capacity, raised, units: new Set(slots.map((x) => x.unitId)).size, blockOnRedWas, leadersAdded: add.length, seconds: (performance.now() - t0) / 1000 };
}

interface Leader { userId: string; cookie: string; csrf: string; queue: number[]; next: number }

async function loginLeaders(port: number, db: Db, ids: number[]): Promise<Leader[]> {
  const users: string[] = (await db('users').where({ role: '分管领导', locked: false }).orderBy('id').limit(LEADERS).select('id')).map((r) => r.id);
  const leaders: Leader[] = [];
  for (let i = 0; i < users.length; i++) {
    // Addresses after the specialists' (127.0.0.2…): a login limit of its own per address.
    const k = connections + i;
    const from = `127.0.${Math.floor(k / 250)}.${2 + (k % 250)}`;
    const r = await call(port, 'POST', '/auth/sandbox/login', { json: { userId: users[i] }, from });
    if (r.status !== 200) throw new Error(`login ${users[i]} from ${from}: ${r.status} ${JSON.stringify(r.body)}`);
    const cookie = String([r.headers['set-cookie']].flat().find((x) => x?.startsWith('sanse_sid='))).split(';')[0];
    leaders.push({ userId: users[i], cookie, csrf: r.body.csrfToken, queue: [], next: 0 });
  }
  if (!a.race || leaders.length < 2) {
    // Each leader its own queue of distinct requests: no two leaders ever decide the same one.
    ids.forEach((id, i) => leaders[i % leaders.length].queue.push(id));
  } else {
    // --race: leaders in pairs share one queue (each its own place in it), so both decide every
    // request of it at about the same moment: exactly one of them should win.
    const pairs = Math.floor(leaders.length / 2);
    const queues: number[][] = Array.from({ length: pairs }, () => []);
    ids.forEach((id, i) => queues[i % pairs].push(id));
    leaders.forEach((l, i) => { l.queue = queues[Math.min(Math.floor(i / 2), pairs - 1)]; });
  }
  return leaders;
}

interface DecideStats { approved: number; already: number; refused: number; other: Map<number, number>; dryAt: number | null; wins: Map<number, number> }

/**
 * POST /api/requests/:id/decide {approve, comment} by each leader over its own queue, one
 * keep-alive connection each: a closed loop (next decision when the answer comes), or with --rate
 * the open loop of paced() (each leader's decisions due every LEADERS/rate s, latency from when
 * due). A leader whose queue is empty ends the whole run at once (recorded in dryAt): the figures
 * are of decisions, never of 409s on decided requests.
 */
async function decide(port: number, leaders: Leader[], secs: number, stats: DecideStats): Promise<AcResult> {
  const n = leaders.length;
  const every = rate > 0 ? (1000 * n) / rate : 0;
  const latencies: number[] = [];
  const codes = { '2xx': 0, '4xx': 0, '5xx': 0, non2xx: 0, errors: 0 };
  const start = performance.now() + 50;
  let end = start + secs * 1000;
  let last = start;
  await Promise.all(leaders.map(async (l, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let due = start + (every * i) / n;
    for (;;) {
      if (rate > 0) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      if (performance.now() >= end) break;
      if (l.next >= l.queue.length) {
        if (stats.dryAt === null) stats.dryAt = (performance.now() - start) / 1000;
        end = Math.min(end, performance.now());
        break;
      }
      const id = l.queue[l.next++];
      const t0 = rate > 0 ? Math.min(due, performance.now()) : performance.now();
      const body = Buffer.from(JSON.stringify({ decision: 'approve', comment: '同意（基准测试）' }));
      const res = await new Promise<{ status: number; body: string }>((resolve) => {
        const q = http.request({
          host: '127.0.0.1', port, agent, method: 'POST', path: `/api/requests/${id}/decide`,
          headers: { cookie: l.cookie, 'x-csrf-token': l.csrf, 'content-type': 'application/json', accept: 'application/json', 'content-length': String(body.length) },
        }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        q.on('error', () => resolve({ status: 0, body: '' }));
        q.end(body);
      });
      last = performance.now();
      latencies.push(last - t0);
      if (res.status === 0) codes.errors++;
      else {
        const k = `${Math.floor(res.status / 100)}xx` as '2xx' | '4xx' | '5xx';
        if (k in codes) codes[k]++;
        if (k !== '2xx') codes.non2xx++;
        let b: any = null;
        try { b = JSON.parse(res.body); } catch { /* counted below */ }
        if (res.status === 200 && b?.outcome === 'decided' && b.request?.state === 'approved') {
          stats.approved++;
          stats.wins.set(id, (stats.wins.get(id) ?? 0) + 1);
        } else if (a.race && res.status === 409 && b?.outcome === 'already') {
          stats.already++;
          if (!stats.wins.has(id)) stats.wins.set(id, 0);
        }
        else if (res.status === 409 && b?.outcome === 'already') stats.already++;
        else if (res.status === 409 && Array.isArray(b?.reasons)) stats.refused++;
        else stats.other.set(res.status, (stats.other.get(res.status) ?? 0) + 1);
      }
      if (rate > 0) due += every;
    }
    agent.destroy();
  }));
  latencies.sort((x, y) => x - y);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  // Decisions answered over the time until the last answer (those in flight at the end included).
  const took = (last - start) / 1000 || 1e-9;
  const h = (v: Partial<Histogram>) => ({ average: 0, mean: 0, stddev: 0, min: 0, max: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, ...v });
  return {
    requests: { ...h({ average: latencies.length / took, mean: latencies.length / took }), total: latencies.length, sent: latencies.length },
    latency: h({ p50: at(50), p90: at(90), p97_5: at(97.5), p99: at(99), max: latencies[latencies.length - 1] ?? 0, min: latencies[0] ?? 0 }),
    ...codes, timeouts: 0, duration: took, statusCodeStats: {},
  };
}

/** After the run, from the database: every prepared request decided at most once, each approval with exactly one effect. */
async function checkDecisions(db: Db, ids: number[]): Promise<{ approved: number; withEffect: number; missingEffect: number; twice: number; versions: number; overBooked: number; units: number }> {
  let approved = 0;
  let withEffect = 0;
  let missingEffect = 0;
  let twice = 0;
  let versions = 0;
  const touched = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const rows: Array<Record<string, any>> = await db('staffing_requests').whereIn('id', part).select('id', 'status', 'effect', 'request_no', 'unit_id', 'quota_kind');
    const steps: Array<Record<string, any>> = await db('request_steps').whereIn('request_id', part).where({ step: '终审' }).select('request_id').count({ n: '*' }).groupBy('request_id');
    const finals = new Map(steps.map((s) => [Number(s.request_id), Number(s.n)]));
    const nos: string[] = [];
    for (const r of rows) {
      if ((finals.get(Number(r.id)) ?? 0) > 1) twice++;
      if (r.status !== 'approved') continue;
      approved++;
      touched.add(`${r.unit_id}|${r.quota_kind}`);
      nos.push(`审批：${r.request_no}`);
      let e: any = null;
      try { e = r.effect ? JSON.parse(r.effect) : null; } catch { /* missing */ }
      if (e && typeof e.text === 'string' && (finals.get(Number(r.id)) ?? 0) === 1) withEffect++;
      else missingEffect++;
    }
    // A 用编计划 writes no record version (it counts as 在途): any version with its source would be a second effect.
    if (nos.length) versions += Number((await db('record_versions').whereIn('source', nos).count({ n: '*' }).first())?.n ?? 0);
  }
  // No 编制 booked beyond 核定 by the approvals (the per-unit lock of decideRequest): each unit and
  // kind a plan was approved in had 可用 for it, so 实有 + 在途 stays within 核定.
  let overBooked = 0;
  const units = new Set([...touched].map((t) => Number(t.split('|')[0])));
  for (const u of units) {
    const av = await unitAvailability(db, u, county.today);
    for (const q of av.quotas) if (touched.has(`${u}|${q.kind}`) && q.actual + q.inTransit > q.approved) overBooked++;
  }
  return { approved, withEffect, missingEffect, twice, versions, overBooked, units: units.size };
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

function line(label: string, r: AcResult): string {
  return `${label.padEnd(36)} ${String(Math.round(r.requests.average)).padStart(7)} req/s   p50 ${ms(r.latency.p50).padStart(7)}   p99 ${ms(r.latency.p99).padStart(7)}   max ${ms(r.latency.max).padStart(8)}   `
    + `${r['2xx']} × 2xx, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}${r.worstAt !== undefined ? `, slowest due at ${r.worstAt.toFixed(1)} s` : ''}`;
}

async function main(): Promise<void> {
  const port = await freePort();
  let tmp: string | null = null;
  let databaseUrl: string;
  if (dbKind === 'mysql') {
    const m = new URL(a.mysql!);
    m.pathname = '/sanse_bench_api';
    databaseUrl = m.toString();
    await dropMysqlDatabase(databaseUrl);
  } else {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-api-'));
    databaseUrl = `sqlite:${path.join(tmp, 'sanse.db')}`;
  }
  const env = { PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, PII_KEY: FIXED_PII_KEY, LOG_LEVEL: a['log-level']! };
  console.log(`bench:api  db=${dbKind}  connections=${connections}  duration=${duration} s (+${warmup} s warm-up)  county ${county.units} units / ${county.people} people  `
    + `node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? '?'})`);

  let db: Db | null = null;
  try {
    const t0 = performance.now();
    const ctx = await openContext(env);
    const seeded = await seedCounty(ctx, county);
    console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${seeded.units} units, ${seeded.people} people, ${seeded.open} open findings, ${seeded.groupCards} alert cards`);
    const want = a.decisions ? Math.max(1, Number(a.decisions)) : Math.ceil((rate > 0 ? rate * 1.2 : PLAUSIBLE_DECISIONS_PER_S) * (duration + warmup)) + LEADERS;
    const prep = await prepareRequests(ctx, want);
    console.log(`decisions: requests.blockOnRed turned OFF for the bench (was ${prep.blockOnRedWas === null ? 'unset, i.e. on' : prep.blockOnRedWas ? 'on' : 'off'}; the demo's units have open red findings, which would refuse them); `
      + `${prep.ids.length} 用编计划 of 1 名 each in ${prep.units} units submitted and passed at 初审 (submitRequest + reviewRequest, ${prep.seconds.toFixed(1)} s) of ${want} asked, `
      + `the county's 可用 编制 being ${prep.capacity}${prep.raised.by ? ` (too few: 核定 raised by ${prep.raised.by} in each of ${prep.raised.units} units, in the bench's database)` : ''}; ${prep.leadersAdded} 分管领导 added (bench-leader-NN) to make ${LEADERS}`);
    await ctx.close();

    await startServer(env, port);
    console.log(`server: node bin/sanse.js serve on 127.0.0.1:${port} (pid ${server!.pid}, LOG_LEVEL=${env.LOG_LEVEL})`);

    db = openDb(databaseUrl);
    await settle(db);
    const { conns, dropped, notStored } = await prepareConnections(port, db);
    const people = conns.reduce((n, c) => n + c.people.length, 0);
    const users = new Set(conns.map((c) => c.userId)).size;
    console.log(`${conns.length} connections as ${users} 单位专管员 (own sessions and CSRF tokens), ${people} people (${dropped} skipped: their first save was refused, e.g. a stored record the 人员 schema rejects)`);
    if (notStored.length) {
      const where: Array<Record<string, any>> = await db('people as p').join('units as u', 'u.id', 'p.unit_id').whereIn('p.id', notStored).select('p.id', 'u.name', 'u.code');
      const shared = await db('units').whereIn('code', [...new Set(where.map((w) => w.code))]).select('code').count({ n: '*' }).groupBy('code');
      console.log(`WARNING: PUT /api/people/:id answered 200 for ${notStored.length} people without storing the change on their record (left out of the run): `
        + `${where.slice(0, 5).map((w) => `${w.id} (${w.name}, ${w.code || '无代码'})`).join(', ')}${where.length > 5 ? ', …' : ''}; `
        + `units sharing those credit codes: ${shared.map((r: Record<string, any>) => `${r.code}×${r.n}`).join(', ')}`);
    }

    const base = `http://127.0.0.1:${port}`;
    const common = { connections, pipelining: 1, timeout: 10 };
    const run = (o: { url: string; duration: number; setupClient?: (client: AcClient) => void }) => (rate > 0 ? paced(port, conns, rate, o) : autocannon({ ...common, ...o }));

    if (warmup > 0) await run({ url: `${base}/api/health`, duration: warmup });
    const health = await run({ url: `${base}/api/health`, duration });

    const warm: SaveStats = { ok: 0, unchanged: 0, conflicts: 0, other: new Map() };
    if (warmup > 0) {
      await run({ url: base, duration: warmup, setupClient: saveClients(conns, warm) });
      await resync(db, conns);
    }
    const versionsAtStart = Number((await db('record_versions').where({ entity: 'person', source: '小程序修改' }).count({ n: '*' }).first())?.n ?? 0);
    const stats: SaveStats = { ok: 0, unchanged: 0, conflicts: 0, other: new Map() };
    const saves = await run({ url: base, duration, setupClient: saveClients(conns, stats) });

    await new Promise((r) => setTimeout(r, 1000));
    const versionsAfter = Number((await db('record_versions').where({ entity: 'person', source: '小程序修改' }).count({ n: '*' }).first())?.n ?? 0);
    const stored = versionsAfter - versionsAtStart;
    const tail = stored - stats.ok;

    console.log('');
    console.log(line('GET /api/health (hello world)', health));
    console.log(line('PUT /api/people/:id (save + recheck)', saves));
    const other = [...stats.other].map(([s, n]) => `${s}: ${n}`).join(', ') || 'none';
    console.log(`saves: ${stats.ok} answered 200 (${stats.unchanged} of them without a new version), ${stats.conflicts} version conflicts (409), other answers ${other}; new versions in record_versions during the run ${stored} `
      + `(= the 200s + ${tail} still in flight when the run stopped)`);
    const holds = saves.latency.p99 < TARGET_P99_MS && saves.non2xx === 0 && saves.errors === 0 && saves.timeouts === 0;
    console.log(`target: save with re-check p99 < ${TARGET_P99_MS} ms at ${connections} concurrent users${rate > 0 ? ` (offered ${rate} req/s)` : ' (closed loop)'} → `
      + `${holds ? 'HOLDS' : 'DOES NOT HOLD'} (p99 ${ms(saves.latency.p99)}${saves.non2xx ? `, ${saves.non2xx} non-2xx` : ''})`);
    if (tail < 0 || tail > connections) console.log(`WARNING: ${stored} versions stored for ${stats.ok} successful saves (at most ${connections} more expected, from the requests in flight at the end)`);

    // ---- decisions: 终审 (approve, with a comment) by 50 分管领导, each over its own queue
    const leaders = await loginLeaders(port, db, prep.ids);
    console.log(`${leaders.length} 分管领导 logged in (own sessions, own loopback addresses), ${prep.ids.length} requests 待终审, about ${Math.floor(prep.ids.length / leaders.length)} each`);
    const dstats = (): DecideStats => ({ approved: 0, already: 0, refused: 0, other: new Map(), dryAt: null, wins: new Map() });
    const dwarm = dstats();
    if (warmup > 0) await decide(port, leaders, warmup, dwarm);
    const ds = dstats();
    let decisions: AcResult | null = null;
    if (dwarm.dryAt !== null) console.log(`decisions: the queue ran dry in the warm-up (${dwarm.approved} approved): no run; give more --decisions`);
    else decisions = await decide(port, leaders, duration, ds);
    await new Promise((r) => setTimeout(r, 1000));
    const chk = await checkDecisions(db, prep.ids);
    if (decisions) {
      console.log(line('POST /api/requests/:id/decide (终审)', decisions).replace(' req/s', ' dec/s'));
      const dother = [...ds.other].map(([s, n]) => `${s}: ${n}`).join(', ') || 'none';
      console.log(`decisions: ${ds.approved} approved (200), ${ds.already} already decided (409), ${ds.refused} refused by the checks (409 with reasons), other answers ${dother}; `
        + `${rate > 0 ? `offered ${rate}/s` : 'closed loop'}${ds.dryAt !== null ? `; STOPPED EARLY at ${ds.dryAt.toFixed(1)} s of ${duration} s: a leader's queue ran dry (give more --decisions)` : ''}`);
      if (a.race) {
        // A request both leaders of a pair answered for in this run: one 200 and one 409 (already) is the right outcome.
        const both = [...ds.wins].filter(([, w]) => w >= 0);
        const one = both.filter(([, w]) => w === 1).length;
        const two = both.filter(([, w]) => w > 1).length;
        const none = both.filter(([, w]) => w === 0).length;
        console.log(`race: ${both.length} requests decided by two leaders at once: ${one} with exactly one winner, ${two} with more than one (WRONG if any), ${none} with none in this run (won in the warm-up)`);
      }
    }
    console.log(`decisions in the database (warm-up and run): ${chk.approved} approved in ${chk.units} units (the answers said ${dwarm.approved + ds.approved}), ${chk.withEffect} with exactly one 终审 step and its effect, `
      + `${chk.missingEffect} without; ${chk.twice} decided twice; ${chk.versions} record versions with their source (a 用编计划 writes none); ${chk.overBooked} unit/编制类型 booked beyond 核定`);
    if (chk.missingEffect || chk.twice || chk.versions || chk.overBooked || chk.approved !== dwarm.approved + ds.approved) console.log('WARNING: the decisions stored do not match the answers (see the line above)');
    process.exitCode = 0;
  } finally {
    await stopServer();
    await db?.destroy();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(async (e) => {
  console.error(e);
  await stopServer().catch(() => {});
  process.exit(1);
});

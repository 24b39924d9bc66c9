// The fault drill (issue 17): the real `sanse serve` as a child process on a real database
// (SQLite, or MariaDB with SANSE_TEST_DB=mysql), killed with SIGKILL while work is in flight —
// an import writing, a check running, the dispatcher sending a broadcast — then started again:
// nothing lost, nothing half-written, no card twice; and a backup job killed while it writes:
// nothing half-written listed, the run closed as interrupted, the next backup restores whole.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayInShanghai } from '../../core/dates.ts';
import { tableChecksums } from '../../db/backup-verify.ts';
import { openDb } from '../../db/connection.ts';
import { enqueueMany } from '../../db/outbox.ts';
import { FIXED_PII_KEY } from '../browser/app.ts';
import { createTestDb, MYSQL_BASE, TEST_DB_KIND, type TestDb } from '../db/helpers.ts';
import { FakeDingTalk } from '../dingtalk/fake-dingtalk.ts';
import { peopleCsv } from '../fixtures/import-files.ts';
import { runSanse } from '../sanse-cli.ts';
import { api, cloneDatabase, columnsOf, login, settled, sleep, startServe, tableChecksum, until, type ServeProcess } from './drill-server.ts';

const TIMEOUT = 900_000;

function envOf(t: TestDb, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: t.url, PII_KEY: FIXED_PII_KEY, PLATFORM: 'sandbox', ...extra };
}

async function seed(t: TestDb, units: number, people: number): Promise<void> {
  const r = await runSanse({ ...process.env, ...envOf(t) }, 'demo', '--units', String(units), '--people', String(people), '--seed', '7', '--reset');
  if (r.code !== 0) throw new Error(`sanse demo failed (${r.code}): ${r.stderr}`);
}

/** The register as stored: units, people, workers and their versions, every column. */
async function registerChecksums(t: TestDb): Promise<Record<string, { rows: number; sha: string }>> {
  const out: Record<string, { rows: number; sha: string }> = {};
  for (const table of ['units', 'people', 'workers', 'record_versions']) out[table] = await tableChecksum(t.db, table, await columnsOf(t.db, table), ['id']);
  return out;
}

/** The findings as a check leaves them, without ids: what two copies of one county must share. */
async function findingsChecksum(t: TestDb): Promise<{ rows: number; sha: string }> {
  return tableChecksum(t.db, 'findings', await columnsOf(t.db, 'findings', ['id']), ['fingerprint', 'first_seen_on', 'status']);
}

const servers: ServeProcess[] = [];
async function serve(env: Record<string, string>): Promise<ServeProcess> {
  const s = await startServe(env);
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.kill();
});

describe.sequential(`fault drill: sanse serve killed with SIGKILL and started again (${TEST_DB_KIND})`, () => {
  describe('an import killed while it writes', () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb();
      await seed(t, 30, 600);
    }, TIMEOUT);
    afterAll(async () => t?.close());

    it('leaves the register exactly as before, says the import was interrupted, and the same file then imports whole', async () => {
      let s = await serve(envOf(t));
      await settled(t.db);
      const before = await registerChecksums(t);
      const codes = [...new Set((await t.db('units').whereNotNull('code').orderBy('id').pluck('code')) as string[])].filter(Boolean);
      const rows = 40_000;
      const csv = peopleCsv(rows, { unitCode: (i) => codes[i % codes.length], name: (i) => `演练${i}`, status: '在编' });
      const upload = () => {
        const form = new FormData();
        form.append('file', new Blob([csv], { type: 'text/csv' }), '人员.csv');
        return form;
      };

      const session = await login(s.url);
      const posted = await api(s.url, session, 'POST', '/api/import', upload());
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const jobId = posted.body.id as string;
      // Killed once the import has written part of the file inside its transaction.
      let seen: any = null;
      await until(async () => {
        seen = (await api(s.url, session, 'GET', `/api/import/${jobId}`)).body;
        if (seen.state === 'done' || seen.state === 'failed') throw new Error(`the import ended before the kill: ${JSON.stringify(seen).slice(0, 300)}`);
        return seen.progress?.phase === 'write' && seen.progress.written > 0;
      }, 'the import to write', 300_000, 20);
      const killedPid = s.child.pid!;
      await s.kill();
      expect(seen.progress.written).toBeLessThan(seen.progress.total);

      // Started again: not one row of the file, nothing changed.
      s = await serve(envOf(t));
      expect(await registerChecksums(t)).toEqual(before);
      // The upload (full ID numbers) left by the killed process is gone.
      const left = fs.readdirSync(path.join(os.tmpdir(), 'sanse')).filter((n) => n.startsWith(`upload-${killedPid}-`));
      expect(left).toEqual([]);
      // The console polling the killed job is told, in Chinese, that it was interrupted and wrote nothing.
      const session2 = await login(s.url);
      const lost = await api(s.url, session2, 'GET', `/api/import/${jobId}`);
      expect(lost.status).toBe(404);
      expect(lost.body.error).toMatch(/中断/);
      expect(lost.body.error).toMatch(/未写入任何数据/);

      // The same file again: imported whole.
      const again = await api(s.url, session2, 'POST', '/api/import', upload());
      expect(again.status).toBe(202);
      let job: any = null;
      await until(async () => {
        job = (await api(s.url, session2, 'GET', `/api/import/${again.body.id}`)).body;
        return job.state === 'done' || job.state === 'failed';
      }, 'the second import', 600_000, 250);
      expect(job.state, JSON.stringify(job).slice(0, 500)).toBe('done');
      expect(job.result.ok, JSON.stringify(job.result?.errors?.slice(0, 3))).toBe(true);
      const people = job.result.counts.people;
      expect(people.created + people.updated + people.unchanged).toBe(rows);
      const after = await registerChecksums(t);
      expect(after.people.rows).toBe(before.people.rows + people.created);
      await s.stop();
    }, TIMEOUT);
  });

  describe('a check killed while it runs', () => {
    let drill: TestDb;
    let control: TestDb;
    const UNITS = 150;
    const PEOPLE = TEST_DB_KIND === 'mysql' ? 6000 : 10_000;
    // A later day in the console's window: lights age, findings open and resolve.
    const date = addDays(todayInShanghai(), 3);
    beforeAll(async () => {
      drill = await createTestDb();
      control = await createTestDb();
      await seed(drill, UNITS, PEOPLE);
      await cloneDatabase(drill, control);
    }, TIMEOUT);
    afterAll(async () => {
      await drill?.close();
      await control?.close();
    });

    /** 立即检查 of `date` through the console's route; answers the run's id. */
    async function askCheck(s: ServeProcess): Promise<number> {
      const r = await api(s.url, await login(s.url), 'POST', '/api/check', { date });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return Number(r.body.runId);
    }

    it('leaves the findings of before or of the whole check, closes the run as interrupted, and a check again gives what an untouched copy gives', async () => {
      // The untouched copy (the same rows, ids and all): the same start, the same check, no kill.
      const c = await serve(envOf(control));
      await settled(control.db);
      const controlBefore = await findingsChecksum(control);
      const cRun = await askCheck(c);
      await until(async () => (await control.db('job_runs').where({ id: cRun }).first('state'))?.state === 'ok', 'the control check', 600_000, 200);
      const controlAfter = await findingsChecksum(control);
      await c.stop();
      expect(controlAfter).not.toEqual(controlBefore); // the check of that day changes something, or the drill proves nothing

      let s = await serve(envOf(drill));
      await settled(drill.db);
      const before = await findingsChecksum(drill);
      expect(before).toEqual(controlBefore);
      const runId = await askCheck(s);
      await until(async () => (await drill.db('check_runs').whereNull('finished_at').where({ date }).first('id')) !== undefined, 'the check to start', 120_000, 10);
      await sleep(Math.floor(Math.random() * 400));
      const stateAtKill = (await drill.db('job_runs').where({ id: runId }).first('state'))?.state;
      await s.kill();
      expect(stateAtKill).toBe('running');

      const mid = await findingsChecksum(drill);
      expect([before.sha, controlAfter.sha]).toContain(mid.sha);

      s = await serve(envOf(drill));
      // The killed runs are closed as interrupted (in Chinese), never left running.
      const checkRun = await drill.db('check_runs').where({ date }).orderBy('id').first();
      expect(checkRun.finished_at).not.toBeNull();
      if (checkRun.outcome !== 'ok') expect(checkRun.error).toMatch(/中途退出/);
      const jobRun = await drill.db('job_runs').where({ id: runId }).first();
      expect(['failed', 'ok']).toContain(jobRun.state);
      if (jobRun.state === 'failed') expect(jobRun.error).toMatch(/[\u4e00-\u9fa5]/);
      await settled(drill.db);
      expect([before.sha, controlAfter.sha]).toContain((await findingsChecksum(drill)).sha);

      // Checked again: exactly the findings of the untouched copy.
      const again = await askCheck(s);
      await until(async () => (await drill.db('job_runs').where({ id: again }).first('state'))?.state === 'ok', 'the check again', 600_000, 200);
      expect(await findingsChecksum(drill)).toEqual(controlAfter);
      expect(await drill.db('check_runs').whereNull('finished_at').count({ n: '*' }).first()).toMatchObject({ n: 0 });
      await s.stop();
    }, TIMEOUT);
  });

  describe('a broadcast killed while the dispatcher sends', () => {
    let t: TestDb;
    let fake: FakeDingTalk;
    const GROUPS_TEXT = 200;
    beforeAll(async () => {
      t = await createTestDb();
      await seed(t, 200, 2000);
      fake = await FakeDingTalk.start({ latencyMs: [5, 40], strictCards: true });
    }, TIMEOUT);
    afterAll(async () => {
      await fake?.close();
      await t?.close();
    });

    it('delivers every card exactly once and every message at least once across kills at random moments', async () => {
      // The day's alert cards of the demo are queued; a plain broadcast to groups beside them.
      const groups = (await t.db('units').whereNotNull('group_id').orderBy('id').limit(GROUPS_TEXT).pluck('group_id')) as string[];
      await t.db.transaction((trx) => enqueueMany(trx, groups.map((g, i) => ({
        dedupKey: `drill-broadcast:${i}`,
        delivery: { op: 'send' as const, target: { kind: 'group' as const, groupId: g }, message: { kind: 'markdown' as const, title: '演练通知', text: `故障演练广播第 ${i} 条` } },
      }))));
      const env = envOf(t, {
        PLATFORM: 'dingtalk', DINGTALK_CLIENT_ID: fake.clientId, DINGTALK_CLIENT_SECRET: fake.clientSecret,
        DINGTALK_API_BASE: fake.base, DINGTALK_OAPI_BASE: fake.base,
        DINGTALK_CARD_TEMPLATE_ALERT: 'tpl-alert', DINGTALK_CARD_TEMPLATE_APPROVAL: 'tpl-approval', SEND_RATE: '40',
      });
      const sends = () => fake.requests.filter((r) => r.path === '/v1.0/robot/groupMessages/send' || r.path === '/v1.0/card/instances/createAndDeliver' || r.path === '/v1.0/robot/oToMessages/batchSend' || r.path === '/v1.0/card/instances').length;
      const kills = 5;
      let killedInFlight = 0;
      for (let k = 0; k < kills; k++) {
        const s = await serve(env);
        const from = sends();
        const atLeast = 5 + Math.floor(Math.random() * 40);
        await until(() => sends() - from >= atLeast, 'the dispatcher to send', 120_000, 5);
        killedInFlight += fake.inFlight;
        await s.kill();
      }
      const [{ n: left }] = await t.db('outbox').whereIn('state', ['pending', 'sending']).count({ n: '*' });
      expect(Number(left)).toBeGreaterThan(0); // the kills came while there was work left

      // The last start sends the rest, the rows a killed process held once their lock expires (60 s).
      const s = await serve(env);
      await settled(t.db, { timeoutMs: 400_000 });
      await s.stop();

      const rows = await t.db('outbox').select('id', 'op', 'state', 'payload', 'attempts');
      expect(rows.filter((r) => r.state !== 'sent').map((r) => `${r.id}:${r.state}`)).toEqual([]);
      const created = fake.deliveredCards();
      const texts = fake.deliveredGroupMessages();
      for (const r of rows) {
        const d = JSON.parse(r.payload);
        if (d.op === 'createCard') expect(created.get(d.card.cardId), `card ${d.card.cardId}`).toBe(1);
        if (d.op === 'send' && d.target.kind === 'group') {
          const n = [...texts.entries()].filter(([k]) => k.startsWith(`${d.target.groupId}|`) && k.includes(JSON.stringify(d.message.text ?? d.message.content).slice(1, -1))).reduce((a, [, v]) => a + v, 0);
          expect(n, `message ${r.id}`).toBeGreaterThanOrEqual(1);
        }
      }
      const dupTexts = [...texts.values()].filter((n) => n > 1).length;
      console.log(`故障演练（广播，${TEST_DB_KIND}）：${rows.length} 条消息，杀进程 ${kills} 次（其时平台正在处理的调用 ${killedInFlight} 个）；卡片 ${created.size} 张，无一重复；群消息重复 ${dupTexts} 条`);
    }, TIMEOUT);
  });

  describe('a backup killed while it writes', () => {
    let t: TestDb;
    let dir: string;
    let restoredUrl: string;
    let dropRestored: () => Promise<void>;
    beforeAll(async () => {
      t = await createTestDb();
      await seed(t, 30, 600);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-drill-backups-'));
      if (TEST_DB_KIND === 'mysql') {
        const name = `sanse_test_restore_${crypto.randomBytes(4).toString('hex')}`;
        restoredUrl = `${MYSQL_BASE}/${name}`;
        dropRestored = async () => {
          const admin = openDb(`${MYSQL_BASE}/mysql`);
          try { await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await admin.destroy(); }
        };
      } else {
        restoredUrl = `sqlite:${path.join(dir, '..', `${path.basename(dir)}-restored.db`)}`;
        dropRestored = async () => fs.rmSync(restoredUrl.slice('sqlite:'.length), { force: true });
      }
    }, TIMEOUT);
    afterAll(async () => {
      await dropRestored?.();
      fs.rmSync(dir, { recursive: true, force: true });
      await t?.close();
    });

    it('leaves no half-written backup, closes the killed run as interrupted, and the next backup restores equal table by table', async () => {
      const env = envOf(t, { BACKUP_DIR: dir });
      const cli = { ...process.env, ...env };
      const listed = async () => {
        const r = await runSanse(cli, 'backup', 'list', '--json');
        expect(r.code, r.stderr).toBe(0);
        return (JSON.parse(r.stdout) as Array<{ id: string }>).map((m) => m.id);
      };
      const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.part') || n.startsWith('.scratch-'));
      const runState = async (id: number) => t.db('job_runs').where({ id }).first();

      // The start catches up the half-month's full backup (and the day's incremental) as the schedule would.
      let s = await serve(env);
      // backup-incremental is the registry's last job: the start's catch-up has ended with its run.
      await until(async () => (await t.db('job_runs').where({ job: 'backup-incremental' }).whereIn('state', ['ok', 'failed']).first('id')) !== undefined, 'the catch-up backups of the start', 300_000, 100);
      await settled(t.db);
      await s.stop();
      const before = await listed();
      expect(before.length).toBeGreaterThan(0);
      expect((await t.db('job_runs').where('job', 'like', 'backup-%').whereNot({ state: 'ok' })).map((r) => `${r.job}@${r.slot}:${r.state}:${r.error}`)).toEqual([]);

      // 立即运行 全量备份 from the console; killed while it writes (the writer held after its first chunk).
      s = await serve({ ...env, SANSE_BACKUP_TEST_PAUSE: '1' });
      await settled(t.db);
      const session = await login(s.url);
      const asked = await api(s.url, session, 'POST', '/api/jobs/backup-full/run', {});
      expect(asked.status, JSON.stringify(asked.body)).toBe(202);
      const killedRun = Number(asked.body.runId);
      await until(() => s.log().includes('SANSE_BACKUP_PAUSED'), 'the backup to write', 120_000, 20);
      expect((await runState(killedRun)).state).toBe('running');
      const halfWritten = leftovers();
      expect(halfWritten.some((n) => n.endsWith('.bak.part'))).toBe(true);
      await s.kill();

      // Nothing of the killed run is listed.
      expect(await listed()).toEqual(before);

      // Started again: the killed run is closed as interrupted, in Chinese, not left running.
      s = await serve(env);
      const closed = await runState(killedRun);
      expect(closed.state).toBe('failed');
      expect(closed.error).toMatch(/中途退出/);
      await settled(t.db);
      expect(await listed()).toEqual(before);

      // The next backup through the registry: whole, and the leftovers gone. (The login's audit
      // row is chained first: a chaining after the snapshot would be a write after the backup.)
      const session2 = await login(s.url);
      await until(async () => (await t.db('audit_log').whereNull('seq').first('id')) === undefined, 'the audit rows to be chained', 60_000, 50);
      const again = await api(s.url, session2, 'POST', '/api/jobs/backup-full/run', {});
      expect(again.status, JSON.stringify(again.body)).toBe(202);
      const nextRun = Number(again.body.runId);
      expect(nextRun).not.toBe(killedRun);
      await until(async () => ['ok', 'failed'].includes((await runState(nextRun)).state), 'the next backup', 300_000, 100);
      const done = await runState(nextRun);
      expect(done.state, done.error).toBe('ok');
      const result = JSON.parse(done.result) as { id: string; kind: string; notes: string[] };
      expect(result.kind).toBe('full');
      expect(result.notes.join('；')).toMatch(/已清除上次中断的备份留下的 \d+ 个未完成文件/);
      expect(leftovers()).toEqual([]);
      expect(await listed()).toEqual([...before, result.id]);
      expect((await runState(killedRun)).state).toBe('failed');
      await s.stop();

      // A restore of it into an empty database equals the live one table by table, but for the
      // backup's own run: running in the copy, ended after the snapshot. And so says the drill.
      const restored = await runSanse(cli, 'restore', '--to', result.id, '--target', restoredUrl);
      expect(restored.code, restored.stderr).toBe(0);
      const rdb = openDb(restoredUrl);
      try {
        expect(await tableChecksums(rdb, { job_runs: [nextRun] })).toEqual(await tableChecksums(t.db, { job_runs: [nextRun] }));
        expect(await rdb('job_runs').where({ id: nextRun }).first('state', 'finished_at')).toEqual({ state: 'running', finished_at: null });
        expect(await rdb('job_runs').where({ id: killedRun }).first('state', 'error')).toEqual({ state: 'failed', error: closed.error });
      } finally {
        await rdb.destroy();
      }
      const drill = await runSanse(cli, 'backup', 'drill', '--json');
      const report = JSON.parse(drill.stdout) as { ok: boolean; chain: string[]; openRuns: number[]; tables: Array<{ table: string; same: boolean }> };
      expect(report.tables.filter((x) => !x.same).map((x) => x.table)).toEqual([]);
      expect(drill.code, drill.stderr).toBe(0);
      expect(report.chain).toEqual([result.id]);
      expect(report.openRuns).toEqual([nextRun]);
      expect(report.tables.length).toBeGreaterThan(50);
    }, TIMEOUT);
  });
});

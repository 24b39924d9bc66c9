// npm run bench:paperwork -- [--people N] [--db sqlite|mysql] [--reuse] (--help)
//
// Issue 18's paperwork on a generated county of N people (its own database, MariaDB
// `sanse_bench_paperwork_N` or the SQLite file `sanse-bench-paperwork-N.db` in the temp folder,
// reused with --reuse) given a history: every person, quota and leader post entered (version 1,
// 70% by the demo import, 30% by three users through the mini-app, in 2025-12) and a year of
// edits by those users (versions 2 and 3, written as db/store.ts writes them), and the demo's
// findings (runCheck on 2026-11-23). Prints, each the median of 5 runs unless said:
//   首录人查询   one user's first entries, last changes (searchProvenance, the /api/provenance
//                search); provenance of 500 records and of one (provenanceOf)
//   决算报表     annualReportTable (commands/annual-report.ts → annualTable) of 2026: time and peak heap (one run)
//   登记表       issue one 减人出编 form (issueRegistrationForm), render it as .docx and as PDF (chromium)
//   书面函告     runHalfYearNotices of 2026H2 on 2027-01-04 over the demo's findings (one run): time, notices
//   错题本       the month's frequent mistakes (monthMistakes, the /api/mistakes query) of 2026-11

import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { annualReportTable } from '../commands/annual-report.ts';
import { runHalfYearNotices } from '../commands/half-year-notices.ts';
import { issueRegistrationForm, registrationFormFile } from '../commands/registration-form.ts';
import { runCheck } from '../db/check.ts';
import { ensureMysqlDatabase, isSqlite, migrate, openDb, type Db } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { monthMistakes } from '../db/fix-guides.ts';
import { createPiiCipher } from '../db/pii.ts';
import { provenanceOf, searchProvenance } from '../db/provenance.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, db: { type: 'string' }, reuse: { type: 'boolean' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log([
    'npm run bench:paperwork -- [--people N] [--db sqlite|mysql] [--reuse]',
    '  --people  people to generate (default 20000, about 15 per unit)',
    '  --db      sqlite (default) or mysql (BENCH_MYSQL, default mysql://root@127.0.0.1:3306)',
    '  --reuse   reuse the county (and its history and findings) an earlier run generated for the same N',
    'Prints 首录人查询, 决算报表, 登记表, 书面函告 and 错题本 timings (ms, median of 5 unless said) and one JSON line.',
  ].join('\n'));
  process.exit(0);
}
const N = Number(values.people ?? 20_000);
const kind = (values.db ?? 'sqlite') as 'mysql' | 'sqlite';
const KEY = '0123456789abcdef0123456789abcdef';
const pii = createPiiCipher(KEY);
const CHECK_DAY = '2026-11-23';
const BASE = 'http://127.0.0.1:3415';
const IGNORED = new Set(['id', 'created_at', 'updated_at', 'id_enc', 'ledger_updated_on', 'birth_key']);
type Row = Record<string, any>;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function med5(fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}
const mb = (n: number) => Math.round(n / 1048576);

async function openPaperworkDb(): Promise<{ db: Db; url: string; fresh: boolean }> {
  const url = kind === 'mysql'
    ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_paperwork_${N}`
    : `sqlite:${os.tmpdir()}/sanse-bench-paperwork-${N}.db`;
  const file = url.slice('sqlite:'.length);
  if (kind === 'mysql') await ensureMysqlDatabase(url);
  else if (!values.reuse) for (const x of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(x, { force: true });
  const db = openDb(url);
  const has = !!values.reuse && (await db.schema.hasTable('check_runs')) && Number((await db('people').count({ n: '*' }).first())?.n) === N
    && Number((await db('check_runs').count({ n: '*' }).first())?.n) > 0;
  if (!has && kind === 'mysql') {
    await db.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1');
  }
  return { db, url, fresh: !has };
}

async function insertBatches(db: Db, table: string, rows: Row[]): Promise<void> {
  const cols = rows.length ? Object.keys(rows[0]).length : 1;
  const size = Math.max(1, Math.min(isSqlite(db) ? 400 : 1000, Math.floor(30000 / cols)));
  for (let i = 0; i < rows.length; i += size) await db(table).insert(rows.slice(i, i + size));
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The history: version 1 of every person, quota and leader post (after = the stored row, as
 * db/store.ts's save writes an insert), 70% by the import, 30% by the users; then versions 2 (a
 * quarter of the people) and 3 (a twentieth) by the users during 2026 (after = the changed field).
 */
async function writeHistory(db: Db, users: string[]): Promise<number> {
  let n = 0;
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [table, entity] of [['people', 'person'], ['quotas', 'quota'], ['leader_posts', 'leader_post']] as const) {
    let last = 0;
    for (;;) {
      const rows: Row[] = await db(table).where('id', '>', last).orderBy('id').limit(2000);
      if (!rows.length) break;
      last = Number(rows[rows.length - 1].id);
      const out: Row[] = [];
      for (const r of rows) {
        const after: Row = {};
        for (const [k, v] of Object.entries(r)) if (!IGNORED.has(k)) after[k] = v;
        const byUser = rnd() < 0.3;
        const by = byUser ? users[Math.floor(rnd() * users.length)] : 'system';
        out.push({ entity, entity_id: r.id, version: 1, before: null, after: JSON.stringify(after), changed_by: by, changed_at: `2025-12-${pad(1 + Math.floor(rnd() * 28))} 09:${pad(Math.floor(rnd() * 60))}:00`, source: byUser ? '小程序录入' : '演示数据', reason: null });
        if (entity !== 'person') continue;
        let v = 1;
        for (const p of [0.25, 0.2]) {
          if (rnd() >= p) break;
          v++;
          const field = rnd() < 0.5 ? 'posts' : 'education';
          out.push({
            entity, entity_id: r.id, version: v, before: JSON.stringify({ [field]: r[field] ?? null }), after: JSON.stringify({ [field]: `${r[field] ?? ''}·${v}` }),
            changed_by: users[Math.floor(rnd() * users.length)], changed_at: `2026-${pad(v === 2 ? 1 + Math.floor(rnd() * 5) : 6 + Math.floor(rnd() * 5))}-${pad(1 + Math.floor(rnd() * 28))} 10:${pad(Math.floor(rnd() * 60))}:00`,
            source: '小程序修改', reason: null,
          });
        }
      }
      await insertBatches(db, 'record_versions', out);
      n += out.length;
    }
  }
  return n;
}

/** A 减人出编 approved at 终审 (the request and its steps as commands/decide-request.ts leaves them), not yet issued. */
async function approvedExit(db: Db, reviewer: string, approver: string, i: number): Promise<number> {
  const p: Row = await db('people').orderBy('id').offset(Math.floor(N / 2) + i).first('id', 'unit_id', 'id_enc', 'id_masked', 'id_hash', 'name');
  const at = '2026-11-24 10:00:00';
  const [rid] = (await db('staffing_requests').insert({
    unit_id: p.unit_id, kind: '减人出编', count: 1, person_id_hash: p.id_hash, status: 'approved', approved_on: '2026-11-24', created_at: at, updated_at: at, version: 3,
    requested_by: reviewer, reason: `${p.name}已办理退休手续`, payload: JSON.stringify({ kind: '减人出编', exitReason: '退休', exitDate: '2026-11-20', reason: `${p.name}已办理退休手续` }),
    id_enc: p.id_enc, id_masked: p.id_masked, person_id: p.id, decided_by: approver, decided_at: at,
  })).map(Number);
  await db('staffing_requests').where({ id: rid }).update({ request_no: `SQBENCH-${rid}` });
  await db('request_steps').insert([
    { request_id: rid, step: '提交', by: reviewer, decision: 'submit', comment: null, at: '2026-11-20 09:00:00' },
    { request_id: rid, step: '初审', by: reviewer, decision: 'pass', comment: '材料齐全', at: '2026-11-21 09:00:00' },
    { request_id: rid, step: '终审', by: approver, decision: 'approve', comment: '同意', at },
  ]);
  return rid;
}

async function main() {
  console.log(`bench:paperwork  people=${N}  db=${kind}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, url, fresh } = await openPaperworkDb();
  const out: Row = { people: N, db: kind };
  try {
    await migrate(db);
    if (fresh) {
      const t0 = performance.now();
      const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: CHECK_DAY });
      const ids = await bulkLoadUnits(db, county);
      await bulkLoadPeople(db, pii, county, ids);
      const users = (await db('users').whereIn('role', ['编办业务人员', '编办管理员', '单位专管员']).orderBy('id').limit(3).select('id')).map((r) => String(r.id));
      const versions = await writeHistory(db, users);
      const check = await runCheck(db, CHECK_DAY);
      if (kind === 'mysql') await db.raw('ANALYZE TABLE people, record_versions, findings, units');
      console.log(`generated ${url}: ${versions} versions, ${check.findings.open} findings open, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      console.log(`reusing ${url}`);
      // Each run issues anew: the forms and notices of earlier runs go.
      for (const t of ['registration_forms', 'notices', 'outbox']) await db(t).delete();
      const old = (await db('staffing_requests').where('request_no', 'like', 'SQBENCH-%').select('id')).map((r) => Number(r.id));
      await db('request_steps').whereIn('request_id', old.length ? old : [0]).delete();
      await db('staffing_requests').whereIn('id', old.length ? old : [0]).delete();
    }
    const [{ n: versions }] = await db('record_versions').count({ n: '*' });
    out.versions = Number(versions);
    const office: Row = await db('users').where('role', '编办管理员').orderBy('id').first('id');
    const top = (await db('record_versions').whereNot('changed_by', 'system').groupBy('changed_by').select('changed_by').count({ n: '*' }).orderBy('n', 'desc').first()) as Row | undefined;
    const user = String(top?.changed_by);
    const rows: Array<[string, string]> = [];
    const row = (label: string, figure: string) => { rows.push([label, figure]); console.log(`${label.padEnd(40)} ${figure}`); };
    console.log(`${out.versions} record versions; the search's user: ${user}`);

    // 首录人查询
    const search = (k: 'first' | 'last') => searchProvenance(db, { by: [user], kind: k, from: '2025-01-01 00:00:00', to: '2026-12-31 23:59:59', unitIds: null, limit: 500 });
    const first = await search('first');
    const lastCh = await search('last');
    out.provFirstMs = +(await med5(() => search('first'))).toFixed(1);
    row(`首录人 one user's first entries (${first.total}, ${first.rows.length} listed)`, `${out.provFirstMs} ms`);
    out.provLastMs = +(await med5(() => search('last'))).toFixed(1);
    row(`首录人 one user's last changes (${lastCh.total}, ${lastCh.rows.length} listed)`, `${out.provLastMs} ms`);
    const pids = (await db('people').orderBy('id').offset(Math.floor(N / 3)).limit(500).select('id')).map((r) => Number(r.id));
    out.prov500Ms = +(await med5(() => provenanceOf(db, 'person', pids))).toFixed(1);
    row('首录人 provenance of 500 records', `${out.prov500Ms} ms`);
    out.prov1Ms = +(await med5(() => provenanceOf(db, 'person', [pids[7]]))).toFixed(1);
    row('首录人 provenance of one record', `${out.prov1Ms} ms`);

    // 决算报表: one run, heap sampled (and gc'd before when --expose-gc).
    if (global.gc) global.gc();
    let peak = process.memoryUsage().heapUsed;
    const base = peak;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 20);
    let t0 = performance.now();
    const table = await annualReportTable({ db, actor: String(office.id), year: 2026, today: '2026-12-06' });
    out.annualMs = Math.round(performance.now() - t0);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    out.annualPeakHeapMB = mb(peak);
    out.annualHeapGrowthMB = mb(peak - base);
    row(`决算报表 2026 (${table.units.length} units)`, `${out.annualMs} ms, peak heap ${out.annualPeakHeapMB} MB (+${out.annualHeapGrowthMB} MB over the start)`);

    // 登记表
    const approver = String(office.id);
    const reviewer = String((await db('users').whereIn('role', ['编办业务人员', '编办管理员']).orderBy('id', 'desc').first('id')).id);
    const issueTimes: number[] = [];
    let rid = 0;
    for (let i = 0; i < 5; i++) {
      rid = await approvedExit(db, reviewer, approver, i);
      t0 = performance.now();
      await db.transaction((trx) => issueRegistrationForm(trx, { today: '2026-11-24', publicBaseUrl: BASE }, rid, approver));
      issueTimes.push(performance.now() - t0);
    }
    out.formIssueMs = +median(issueTimes).toFixed(1);
    row('登记表 issue one form', `${out.formIssueMs} ms`);
    const actor = { id: approver, role: '编办管理员', scope: null };
    await registrationFormFile(db, pii, actor, rid, 'docx', 'bench'); // warm-up
    out.formDocxMs = Math.round(await med5(() => registrationFormFile(db, pii, actor, rid, 'docx', 'bench')));
    row('登记表 render .docx', `${out.formDocxMs} ms`);
    await registrationFormFile(db, pii, actor, rid, 'pdf', 'bench'); // warm-up
    out.formPdfMs = Math.round(await med5(() => registrationFormFile(db, pii, actor, rid, 'pdf', 'bench')));
    row('登记表 render PDF (chromium)', `${out.formPdfMs} ms`);

    // 书面函告: one run (a second issues nothing).
    t0 = performance.now();
    const notices = await runHalfYearNotices(db, { date: '2027-01-04', half: '2026H2', publicBaseUrl: BASE, by: approver });
    out.noticesMs = Math.round(performance.now() - t0);
    out.notices = notices.issued.length;
    row(`书面函告 2026H2 (${notices.unitsWithProblems} units with problems)`, `${out.noticesMs} ms, ${out.notices} notices`);
    t0 = performance.now();
    const again = await runHalfYearNotices(db, { date: '2027-01-04', half: '2026H2', publicBaseUrl: BASE, by: approver });
    out.noticesAgainMs = Math.round(performance.now() - t0);
    row('书面函告 second run (issues nothing)', `${out.noticesAgainMs} ms, ${again.issued.length} notices`);

    // 错题本
    const mistakes = await monthMistakes(db, '2026-11', null);
    out.mistakesMs = +(await med5(() => monthMistakes(db, '2026-11', null))).toFixed(1);
    row(`错题本 2026-11, every unit (${mistakes.length} rules)`, `${out.mistakesMs} ms`);
    const someUnits = (await db('units').orderBy('id').limit(50).select('id')).map((r) => Number(r.id));
    out.mistakesScopedMs = +(await med5(() => monthMistakes(db, '2026-11', someUnits))).toFixed(1);
    row('错题本 2026-11, a scope of 50 units', `${out.mistakesScopedMs} ms`);

    console.log('\n| what | figure |\n|---|---|');
    for (const [l, f] of rows) console.log(`| ${l} | ${f} |`);
    console.log(JSON.stringify(out));
  } finally {
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

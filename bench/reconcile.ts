// npm run bench:reconcile -- [--people N] [--months 12] [--reuse] [--no-full] (--help)
//
// The cross-system reconciliation (issue 16) on MariaDB: N people (the demo's generator), N
// 社保 rows (mostly matching, a planted share of differences) and 12 months of 工资统发 rows
// (about N per month), in the database sanse_bench_reconcile_N (reused with --reuse: the people
// and each feed are loaded only when missing). Times
//   (a) a plain scan of the three tables (the columns the rules match on, streamed, discarded);
//   (b) the reconciliation: the phase of the check that gathers the X facts (db/feed-facts.ts:
//       the feeds' state, the units' facts, the people's exceptions), reads the roster rows of the
//       people it names and evaluates the rules on them;
//   (c) unless --no-full, the whole daily check with the feeds, and without them (the feed
//       imports hidden for the run), and their difference;
// and prints seconds, the ratio (b)/(a) (goal ≤ 3) and peak RSS.

import os from 'node:os';
import { parseArgs } from 'node:util';
import { createCalendar } from '../core/calendar.ts';
import { addMonthsToMonth, monthOf } from '../core/dates.ts';
import { CROSS_SYSTEM_RULES } from '../core/rules/cross-system.ts';
import { checkEnv, runCheck } from '../db/check.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { generateCounty } from '../db/demo/generate.ts';
import { feedsFor, loadFeedIndex, loadFeedState, unitFeedReads } from '../db/feed-facts.ts';
import { runReads } from '../db/batch.ts';
import { createPiiCipher } from '../db/pii.ts';
import { crossFor, emptyCrossIndex, loadUnits, PERSON_COLUMNS, personFromRow } from '../db/records.ts';
import { scanTable } from '../db/scan.ts';
import { bulkLoadPeople, bulkLoadUnits } from './bulk-load.ts';

const { values } = parseArgs({ options: { people: { type: 'string' }, months: { type: 'string' }, reuse: { type: 'boolean' }, 'no-full': { type: 'boolean' }, date: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log([
    'npm run bench:reconcile -- [--people N] [--months M] [--reuse] [--no-full] [--date YYYY-MM-DD]',
    '  --people   roster size and 社保 rows (default 1000000)',
    '  --months   payroll months imported (default 12), about N rows each',
    '  --reuse    keep what an earlier run loaded into sanse_bench_reconcile_N',
    '  --no-full  skip the two whole checks (with and without the feeds)',
    'MariaDB at 127.0.0.1:3306 (BENCH_MYSQL to change).',
  ].join('\n'));
  process.exit(0);
}
const N = Number(values.people ?? 1_000_000);
const MONTHS = Number(values.months ?? 12);
const DATE = values.date ?? '2026-11-23';
const LATEST = monthOf(DATE);
const KEY = '0123456789abcdef0123456789abcdef';
const cal = createCalendar();

const mb = (n: number) => Math.round(n / 1048576);
let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T; rss: number }> {
  if (global.gc) global.gc();
  peakRss = 0;
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const rss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`${label.padEnd(46)} ${(ms / 1000).toFixed(2).padStart(8)} s   peak RSS ${mb(rss)} MB`);
  return { ms, value, rss };
}

async function main() {
  console.log(`bench:reconcile  people=${N}  payroll months=${MONTHS}  date=${DATE}  node ${process.version}, ${os.cpus().length} CPU`);
  const url = `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_reconcile_${N}`;
  await ensureMysqlDatabase(url);
  const db = openDb(url);
  await migrate(db);
  const pii = createPiiCipher(KEY);
  const count = async (t: string, where: Record<string, unknown> = {}) => Number((await db(t).where(where).count({ n: '*' }).first())?.n ?? 0);

  if (!values.reuse || (await count('people')) !== N) {
    for (const t of ['feed_payroll', 'feed_social_insurance', 'feed_appointments', 'feed_imports', 'findings', 'people', 'workers', 'quotas', 'leader_posts', 'internal_offices', 'users', 'units']) await db(t).delete();
    await timed(`generate + load ${N} people`, async () => {
      const county = generateCounty({ units: Math.max(1, Math.round(N / 15)), people: N, seed: 7, today: DATE });
      const ids = await bulkLoadUnits(db, county);
      return bulkLoadPeople(db, pii, county, ids, (n) => { if (n % 200_000 === 0) console.log(`  … ${n}`); });
    });
  } else console.log(`reusing ${url}`);
  const at = '2026-11-20 10:00:00';
  const maxUnit = Number((await db('units').max({ m: 'id' }).first())?.m ?? 1);

  // 社保: every live roster row with an ID, with planted differences by id (server-side, one statement).
  if (!values.reuse || (await count('feed_imports', { kind: '社保' })) === 0) {
    await timed(`load 社保 rows (${LATEST})`, async () => {
      await db('feed_social_insurance').delete();
      await db('feed_imports').where({ kind: '社保' }).delete();
      const [imp] = await db('feed_imports').insert({ kind: '社保', month: LATEST, file_name: 'bench-si.xlsx', rows: 0, by: 'bench', at });
      // id % 100: 1 = missing (X-SI-01), 2 = 退休 (X-SI-03), 3 = another unit (X-SI-01 and X-SI-02); the rest 参保 (a few 暂停).
      await db.raw(`INSERT INTO feed_social_insurance (import_id, month, row_no, id_hash, id_masked, id_valid, name, unit_id, status)
        SELECT ?, ?, p.id, p.id_hash, p.id_masked, 1, p.name,
          CASE WHEN p.id % 100 = 3 THEN (p.unit_id % ?) + 1 ELSE p.unit_id END,
          CASE WHEN p.id % 100 = 2 THEN '退休' WHEN p.id % 100 = 9 THEN '暂停' ELSE '参保' END
        FROM people p WHERE p.id_hash IS NOT NULL AND (p.status IS NULL OR p.status <> '已出编') AND p.id % 100 <> 1`, [imp, LATEST, maxUnit]);
      const rows = await count('feed_social_insurance');
      await db('feed_imports').where({ id: imp }).update({ rows });
      return rows;
    });
  }
  // 工资统发: MONTHS months, each the 在编 rows; id % 100 = 4 never paid (X-PY-02), 5 paid by another unit (X-PY-03),
  // and 已出编 rows with id % 10 = 0 still paid (X-PY-01).
  const months = Array.from({ length: MONTHS }, (_, i) => addMonthsToMonth(LATEST, -i)).reverse();
  for (const m of months) {
    if (values.reuse && (await count('feed_imports', { kind: '工资统发', month: m })) > 0) continue;
    await timed(`load 工资统发 rows (${m})`, async () => {
      const old = (await db('feed_imports').where({ kind: '工资统发', month: m }).select('id')).map((r) => r.id);
      if (old.length) { await db('feed_payroll').whereIn('import_id', old).delete(); await db('feed_imports').whereIn('id', old).delete(); }
      const [imp] = await db('feed_imports').insert({ kind: '工资统发', month: m, file_name: `bench-payroll-${m}.xlsx`, rows: 0, by: 'bench', at });
      await db.raw(`INSERT INTO feed_payroll (import_id, month, row_no, id_hash, id_masked, id_valid, name, unit_id, amount, paid)
        SELECT ?, ?, p.id, p.id_hash, p.id_masked, 1, p.name,
          CASE WHEN p.id % 100 = 5 THEN (p.unit_id % ?) + 1 ELSE p.unit_id END, 8000 + (p.id % 5000), 1
        FROM people p WHERE p.id_hash IS NOT NULL AND ((p.status = '在编' AND p.id % 100 <> 4) OR (p.status = '已出编' AND p.id % 10 = 0))`, [imp, m, maxUnit]);
      const rows = Number((await db('feed_payroll').where({ import_id: imp }).count({ n: '*' }).first())?.n);
      await db('feed_imports').where({ id: imp }).update({ rows });
      return rows;
    });
  }
  await db.raw('ANALYZE TABLE people, units, workers, feed_social_insurance, feed_payroll, feed_imports');
  const siRows = await count('feed_social_insurance');
  const payRows = await count('feed_payroll');
  console.log(`rows: people ${await count('people')}, 社保 ${siRows}, 工资统发 ${payRows}`);

  // (a) A plain scan of the three tables: the columns the rules match on, streamed and discarded.
  const scan = await timed('(a) plain scan: people + 社保 + 工资统发', async () => {
    const a = await scanTable(db, 'people', ['id', 'id_hash', 'unit_id', 'status'], () => {});
    const b = await scanTable(db, 'feed_social_insurance', ['id', 'month', 'id_hash', 'unit_id', 'status'], () => {});
    const c = await scanTable(db, 'feed_payroll', ['id', 'month', 'id_hash', 'unit_id', 'paid'], () => {});
    return a + b + c;
  });

  // (b) The reconciliation phase of the check, as db/check.ts runs it.
  // The X rules alone: the other rules' share of the check is not the reconciliation's.
  const env = await checkEnv(db, DATE, CROSS_SYSTEM_RULES);
  const units = await loadUnits(db, DATE);
  const rec = await timed('(b) reconciliation (X facts + X rules)', async () => {
    const state = await loadFeedState(db);
    const [, idx] = await Promise.all([runReads(db, unitFeedReads(db, state, null, units), false), loadFeedIndex(db, state)]);
    const byRule: Record<string, number> = {};
    const tally = (code: string) => { byRule[code] = (byRule[code] ?? 0) + 1; };
    const hashes = [...idx.hashes];
    const cross = emptyCrossIndex();
    for (let i = 0; i < hashes.length; i += 500) {
      for (const r of await db('people').whereIn('id_hash', hashes.slice(i, i + 500)).select(PERSON_COLUMNS)) {
        const unit = units.get(Number(r.unit_id));
        if (!unit) continue;
        const feeds = feedsFor(idx, r);
        for (const e of env.evaluator('person', personFromRow(r, { ...crossFor(cross, r), feeds }), unit)) tally(e.rule.code);
      }
    }
    for (const u of units.values()) if (u.agg.feeds) for (const e of env.evaluator('unit', u, null)) tally(e.rule.code);
    return { byRule, named: hashes.length };
  });
  console.log(`  people named by the feeds' exceptions: ${rec.value.named}; X findings by rule: ${JSON.stringify(rec.value.byRule)}`);
  const ratio = rec.ms / scan.ms;
  console.log(`\nreconciliation / plain scan = ${ratio.toFixed(2)}× (goal ≤ 3×)`);

  const result: Record<string, unknown> = {
    people: N, siRows, payrollRows: payRows, payrollMonths: MONTHS, scanS: +(scan.ms / 1000).toFixed(2), reconcileS: +(rec.ms / 1000).toFixed(2),
    reconcileOverScan: +ratio.toFixed(2), reconcilePeakRssMB: mb(rec.rss),
  };
  if (!values['no-full']) {
    await db('findings').delete();
    await db('explained_differences').delete();
    const next = cal.addWorkdays(DATE, 1);
    const withFeeds = await timed('(c) whole check with the feeds', () => runCheck(db, DATE));
    // Without: the imports hidden for the run (replaced_by pointing at themselves), then restored.
    const ids = (await db('feed_imports').whereNull('replaced_by').select('id')).map((r) => Number(r.id));
    await db('feed_imports').whereIn('id', ids).update({ replaced_by: db.raw('id') });
    let without;
    try {
      await db('findings').delete();
      without = await timed('(c) whole check without the feeds', () => runCheck(db, next));
    } finally {
      await db('feed_imports').whereIn('id', ids).update({ replaced_by: null });
    }
    const extra = withFeeds.ms - without.ms;
    console.log(`whole check: with feeds ${(withFeeds.ms / 1000).toFixed(2)} s, without ${(without.ms / 1000).toFixed(2)} s, difference ${(extra / 1000).toFixed(2)} s = ${(extra / scan.ms).toFixed(2)}× the plain scan`);
    console.log(`phases with the feeds (ms): ${JSON.stringify(withFeeds.value.phases)}`);
    Object.assign(result, {
      checkWithFeedsS: +(withFeeds.ms / 1000).toFixed(2), checkWithoutFeedsS: +(without.ms / 1000).toFixed(2),
      checkDifferenceOverScan: +(extra / scan.ms).toFixed(2), checkPeakRssMB: mb(Math.max(withFeeds.rss, without.rss)),
    });
  }
  clearInterval(sampler);
  console.log(JSON.stringify(result));
  await db.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

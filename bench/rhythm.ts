// npm run bench:rhythm -- [--units N] [--findings F] [--db mysql|sqlite] [--month YYYY-MM] (--help)
//
// The month close with scores at scale: generates N units (default 10,000), each with a work
// group and a specialist, about F findings per unit (default 30: open, resolved during and before
// the month, a share of 提示, a spread of opening days so red days vary) and 0–3 self-checks in the
// month, into a fresh database (MariaDB `sanse_bench_rhythm_N` on 127.0.0.1:3306 by default, or
// DATABASE_URL; SQLite in the temp folder with --db sqlite). Times the facts' grouped queries
// alone, the month close (facts, scores, ranks, unit_scores and the 红黑榜 preview written), a
// forced re-close (the month's rows replaced), and the publication (one outbox row per group);
// prints rows, ms and peak RSS, then one JSON line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCalendar } from '../core/calendar.ts';
import { addDays, validMonth } from '../core/dates.ts';
import { HINT_RULES } from '../core/lights.ts';
import { RULES } from '../core/rules/index.ts';
import { monthSpan } from '../core/scores.ts';
import { closeMonthScores } from '../commands/close-month-scores.ts';
import { publishRanking } from '../commands/publish-ranking.ts';
import { INSERT_BATCH } from '../db/batch.ts';
import { ensureMysqlDatabase, migrate, openDb, type Db } from '../db/connection.ts';
import { gatherMonthFacts } from '../db/scores.ts';
import { putSetting } from '../db/settings.ts';

const { values } = parseArgs({ options: { units: { type: 'string' }, findings: { type: 'string' }, db: { type: 'string' }, month: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('npm run bench:rhythm -- [--units 10000] [--findings 30] [--db mysql|sqlite] [--month 2026-11]');
  process.exit(0);
}
const N = Number(values.units ?? 10_000);
const PER_UNIT = Number(values.findings ?? 30);
const kind = (values.db ?? 'mysql') as 'mysql' | 'sqlite';
const MONTH = validMonth(values.month ?? '2026-11', '--month');
const span = monthSpan(MONTH);
const TODAY = addDays(span.last, 1);
const BASE = 'http://127.0.0.1:3000';
const AT = `${span.first} 00:00:00`;

const mb = (n: number) => Math.round(n / 1048576);
let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 25);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; value: T; rss: number }> {
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const rss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`${label.padEnd(40)} ${ms.toFixed(0).padStart(7)} ms   peak RSS ${mb(rss)} MB`);
  return { ms, value, rss };
}

async function openBenchDb(): Promise<{ db: Db; where: string }> {
  if (kind === 'mysql') {
    const url = process.env.DATABASE_URL?.startsWith('mysql') ? process.env.DATABASE_URL : `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_rhythm_${N}`;
    await ensureMysqlDatabase(url);
    const db = openDb(url);
    await db.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const t of (await db.raw('SHOW TABLES'))[0].map((r: Record<string, string>) => Object.values(r)[0])) await db.schema.dropTableIfExists(t);
    await db.raw('SET FOREIGN_KEY_CHECKS = 1');
    return { db, where: url.replace(/\/\/[^@]*@/, '//') };
  }
  const file = path.join(os.tmpdir(), `sanse-bench-rhythm-${N}.db`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  return { db: openDb(`sqlite:${file}`), where: file };
}

/** A small deterministic generator (mulberry32), so two runs load the same county. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertAll(db: Db, table: string, rows: Record<string, unknown>[]) {
  await db.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx(table).insert(rows.slice(i, i + INSERT_BATCH));
  });
}

async function load(db: Db) {
  const r = rng(11);
  const cal = createCalendar();
  const days: string[] = [];
  for (let d = addDays(span.first, -60); d <= span.last; d = addDays(d, 1)) if (cal.isWorkday(d)) days.push(d);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const deducting = RULES.map((x) => x.code).filter((c) => !HINT_RULES.includes(c) && c !== 'U-PR-01');
  await putSetting(db, 'office', { name: '压测编办', regionCode: '330603', regionName: '柯桥区', groupId: 'office-group' });
  const units = Array.from({ length: N }, (_, i) => ({ id: i + 1, code: `11330603MB${String(i + 1).padStart(7, '0')}X`, name: `压测单位${i + 1}`, group_id: `grp-${i + 1}`, created_at: AT, updated_at: AT }));
  await insertAll(db, 'units', units);
  await insertAll(db, 'users', [{ id: 'bench-admin', name: '编办管理员', role: '编办管理员', created_at: AT, updated_at: AT }]);
  const findings: Record<string, unknown>[] = [];
  let fp = 0;
  for (const u of units) {
    const n = Math.floor(r() * PER_UNIT * 2);
    for (let k = 0; k < n; k++) {
      fp++;
      const rule = r() < 0.15 ? pick(HINT_RULES) : pick(deducting);
      const opened = pick(days);
      const x = r();
      // About half still open, a third resolved during the month, the rest before it (not counted).
      const resolved = x < 0.5 ? null : x < 0.83 ? pick(days.filter((d) => d >= span.first && d > opened)) ?? null : opened < span.first ? pick(days.filter((d) => d > opened && d < span.first)) ?? null : null;
      findings.push({
        fingerprint: `${rule}|${fp}`, open_key: resolved ? null : `${rule}|${fp}`, rule, scope: rule.startsWith('P') ? 'person' : rule.startsWith('W') ? 'worker' : 'unit',
        entity_id: fp, unit_id: u.id, status: resolved ? 'resolved' : 'open', first_seen_on: opened, opened_on: opened, resolved_on: resolved, last_seen_on: resolved ?? span.last,
        subject_kind: 'person', subject_name: `人员${fp}`, subject_id_masked: '330602***********4',
      });
    }
  }
  await insertAll(db, 'findings', findings);
  const checks: Record<string, unknown>[] = [];
  const monthDays = days.filter((d) => d >= span.first);
  for (const u of units) for (let k = Math.floor(r() * 4); k > 0; k--) checks.push({ unit_id: u.id, user_id: `zgy-${u.id}`, at: `${pick(monthDays)} 10:00:00`, findings: 0 });
  await insertAll(db, 'self_checks', checks);
  if (kind === 'mysql') await db.raw('ANALYZE TABLE findings, self_checks, units');
  return { units: units.length, findings: findings.length, selfChecks: checks.length };
}

async function main() {
  console.log(`bench:rhythm  units=${N}  findings/unit≈${PER_UNIT}  month=${MONTH}  db=${kind}  node ${process.version}, ${os.cpus().length} CPU`);
  const { db, where } = await openBenchDb();
  console.log(`database ${where}`);
  try {
    await migrate(db);
    const loaded = await timed('generate + load', () => load(db));
    console.log(`  ${loaded.value.units} units, ${loaded.value.findings} findings, ${loaded.value.selfChecks} self-checks`);
    const cal = createCalendar();
    const facts = await timed('facts only (grouped queries + red days)', () => gatherMonthFacts(db, MONTH, cal));
    const groups = facts.value.reduce((n, u) => n + u.facts.findings.length, 0);
    console.log(`  ${groups} (unit, rule, opened, resolved) groups`);
    const close = await timed('month close with scores + 红黑榜 preview', () => closeMonthScores({ db, month: MONTH, today: TODAY, publicBaseUrl: BASE }));
    const again = await timed('second close (already scored: read)', () => closeMonthScores({ db, month: MONTH, today: TODAY, publicBaseUrl: BASE }));
    const forced = await timed('forced re-close (rows replaced)', () => closeMonthScores({ db, month: MONTH, today: TODAY, force: true, publicBaseUrl: BASE }));
    const publish = await timed('publish 红黑榜 (outbox row per group)', () => publishRanking({ db, month: MONTH, actor: 'bench-admin', publicBaseUrl: BASE }));
    const stored = Number((await db('unit_scores').where({ month: MONTH }).count({ n: '*' }).first())!.n);
    const top = close.value.scores[0];
    const last = close.value.scores[close.value.scores.length - 1];
    console.log(`  scores stored ${stored}; best ${top.score} (rank ${top.rank}), worst ${last.score} (rank ${last.rank}); ${publish.value.groups} group cards queued`);
    console.log(JSON.stringify({
      units: loaded.value.units, findings: loaded.value.findings, selfChecks: loaded.value.selfChecks, groups,
      factsMs: Math.round(facts.ms), closeMs: Math.round(close.ms), readMs: Math.round(again.ms), forcedMs: Math.round(forced.ms), publishMs: Math.round(publish.ms),
      peakRssMB: mb(Math.max(facts.rss, close.rss, forced.rss, publish.rss)), db: kind,
    }));
  } finally {
    clearInterval(sampler);
    await db.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

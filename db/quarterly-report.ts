// The figures of a quarter for the quarterly analysis report (core/quarterly-report.ts), read
// from what the check and the month close already keep: month snapshots of the unit stats, the
// check runs' summaries, unit_scores, unit_monthly_status, sanctions and decided requests. Every
// read is by month or date range on small indexed tables, never a scan of the roster.

import type { Knex } from 'knex';
import { previousQuarter, scoreBand, type QualityFigures, type Quarter, type QuarterlyInputs, type QuarterSnapshot } from '../core/quarterly-report.ts';
import { SECTORS, type Sector } from '../core/unit-stats.ts';
import { monthSnapshot } from './unit-stats.ts';

type Row = Record<string, any>;

/** The snapshot of the quarter's latest month that has one (in all and by sector), or null. */
export async function quarterSnapshot(db: Knex, q: Quarter): Promise<QuarterSnapshot | null> {
  for (const month of [...q.months].reverse()) {
    const all = await monthSnapshot(db, month);
    if (!all) continue;
    const bySector: QuarterSnapshot['bySector'] = {};
    for (const s of SECTORS) {
      const snap = await monthSnapshot(db, month, { sector: s as Sector });
      if (snap) bySector[s as Sector] = snap.stats;
    }
    return { month, asOf: all.asOf, all: all.stats, bySector };
  }
  return null;
}

const endOf = (q: Quarter) => `${q.last}-31`;

/** Open yellow / red findings after the quarter's last finished check run. */
export async function lastRunOfQuarter(db: Knex, q: Quarter): Promise<QualityFigures['lastRun']> {
  const r = (await db('check_runs').whereBetween('date', [q.first, endOf(q)]).whereNotNull('finished_at').whereNotNull('summary')
    .orderBy([{ column: 'date', order: 'desc' }, { column: 'id', order: 'desc' }]).first('date', 'summary')) as Row | undefined;
  if (!r) return null;
  const s = JSON.parse(r.summary) as { findings?: { byLight?: { yellow: number; red: number } } };
  return { date: r.date, yellow: s.findings?.byLight?.yellow ?? 0, red: s.findings?.byLight?.red ?? 0 };
}

async function unitNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!ids.length) return out;
  for (const r of (await db('units').whereIn('id', [...new Set(ids)]).select('id', 'name')) as Row[]) out.set(Number(r.id), r.name);
  return out;
}

export async function qualityOfQuarter(db: Knex, q: Quarter): Promise<QualityFigures> {
  const scoreRows = (await db('unit_scores').whereIn('month', q.months).select('unit_id', 'month', 'score')) as Row[];
  const bands: Record<string, number> = {};
  let sum = 0;
  const perUnit = new Map<number, number[]>();
  for (const r of scoreRows) {
    const s = Number(r.score);
    sum += s;
    bands[scoreBand(s)] = (bands[scoreBand(s)] ?? 0) + 1;
    const id = Number(r.unit_id);
    if (!perUnit.has(id)) perUnit.set(id, []);
    perUnit.get(id)!.push(s);
  }
  const avg = [...perUnit].map(([id, ss]) => ({ id, score: Math.round((ss.reduce((a, b) => a + b, 0) / ss.length) * 10) / 10 }));
  avg.sort((a, b) => b.score - a.score || a.id - b.id);
  const best = avg.slice(0, Math.min(5, Math.floor(avg.length / 2)));
  const worst = avg.slice(-Math.min(5, Math.floor(avg.length / 2))).reverse().filter((w) => !best.includes(w));
  const red = (await db('unit_monthly_status').whereIn('month', q.months).where({ light: 'red' }).select('unit_id', 'month')) as Row[];
  const susp = (await db('sanctions').whereIn('month', q.months).where({ kind: 'suspension' }).orderBy('id').select('unit_id', 'month', 'months')) as Row[];
  const names = await unitNames(db, [...best, ...worst].map((b) => b.id).concat(red.map((r) => Number(r.unit_id)), susp.map((s) => Number(s.unit_id))));
  const name = (id: number) => names.get(id) ?? `单位${id}`;
  return {
    lastRun: await lastRunOfQuarter(db, q),
    scores: {
      count: scoreRows.length,
      average: scoreRows.length ? Math.round((sum / scoreRows.length) * 10) / 10 : null,
      bands,
      best: best.map((b) => ({ unit: name(b.id), score: b.score })),
      worst: worst.map((b) => ({ unit: name(b.id), score: b.score })),
    },
    redUnits: q.months.map((month) => ({ month, units: red.filter((r) => r.month === month).map((r) => name(Number(r.unit_id))) })).filter((m) => m.units.length),
    suspensions: susp.map((s) => ({ unit: name(Number(s.unit_id)), month: s.month, months: s.months == null ? null : Number(s.months) })),
  };
}

/** Staffing requests decided (approved or rejected) in the quarter: kind → outcome → count. */
export async function requestsDecidedIn(db: Knex, q: Quarter): Promise<Record<string, Record<string, number>>> {
  const rows = (await db('staffing_requests').whereBetween('decided_at', [`${q.first} 00:00:00`, `${endOf(q)} 23:59:59`]).whereIn('status', ['approved', 'rejected', 'completed'])
    .groupBy('kind', 'status').select('kind', 'status').count({ n: '*' })) as Row[];
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    const outcome = r.status === 'rejected' ? 'rejected' : 'approved';
    out[r.kind] ??= {};
    out[r.kind][outcome] = (out[r.kind][outcome] ?? 0) + Number(r.n);
  }
  return out;
}

export async function quarterlyInputs(db: Knex, q: Quarter): Promise<QuarterlyInputs> {
  const p = previousQuarter(q);
  return {
    quarter: q,
    current: await quarterSnapshot(db, q),
    previous: await quarterSnapshot(db, p),
    quality: await qualityOfQuarter(db, q),
    previousQuality: { lastRun: await lastRunOfQuarter(db, p) },
    requests: await requestsDecidedIn(db, q),
  };
}

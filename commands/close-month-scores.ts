// The month close's scores (Keqiao: 每月系统自动赋分排名): every unit of the office scored for the
// month by core/scores.ts, ranked, stored (unit_scores, the units' history), and the 红黑榜 built
// as a preview for the office to publish (commands/publish-ranking.ts). Once per month: a second
// run returns what is stored unless forced by hand. The month still running is scored up to today
// and shown, never stored (so the close on the first working day after it is not skipped). With the office setting autoBroadcast on, the
// 红黑榜 is published at once.

import type { Knex } from 'knex';
import { monthOf } from '../core/dates.ts';
import type { IsoDate } from '../core/model.ts';
import { board, rank, scoreUnit } from '../core/scores.ts';
import { nowMoment } from '../db/clock.ts';
import { gatherMonthFacts, loadScorePolicy, monthScores, monthScoresExist, rankingOfMonth, saveMonthScores, saveRankingPreview, type BoardEntry, type Ranking, type ScoreRow } from '../db/scores.ts';
import { loadCalendar } from '../db/settings.ts';
import { CommandError } from './errors.ts';
import { publishRanking, type PublishResult } from './publish-ranking.ts';

export interface CloseMonthScoresInput {
  db: Knex;
  month: string;
  /** Today: a month not yet over is scored up to this day. */
  today: IsoDate;
  /** Recompute a month already scored (by hand only). */
  force?: boolean;
  publicBaseUrl: string;
}

export interface CloseMonthScoresResult {
  month: string;
  /** false: the month was scored before and not forced; the stored scores are returned. */
  computed: boolean;
  /** false for the month still running: its scores so far are shown, not stored (the close stores them once it is over). */
  stored: boolean;
  scores: ScoreRow[];
  ranking: Ranking | null;
  /** The automatic broadcast, when the office's setting is on. */
  published: PublishResult | null;
  ms: number;
}

export async function closeMonthScores(input: CloseMonthScoresInput): Promise<CloseMonthScoresResult> {
  const t0 = Date.now();
  const { db, month } = input;
  const current = monthOf(input.today);
  if (month > current) throw new CommandError(400, `${month} 尚未开始，不能评分`);
  if (!input.force && (await monthScoresExist(db, month))) {
    return { month, computed: false, stored: true, scores: await monthScores(db, month), ranking: await rankingOfMonth(db, month), published: null, ms: Date.now() - t0 };
  }
  const [cal, policy] = await Promise.all([loadCalendar(db), loadScorePolicy(db)]);
  const running = month === current;
  const units = await gatherMonthFacts(db, month, cal, running ? input.today : undefined);
  const ranked = rank(units.map((u) => ({ unitId: u.unitId, unit: u.unit, name: u.name, ...scoreUnit(u.facts, policy) })));
  const at = nowMoment();
  const scores: ScoreRow[] = ranked.map((r) => ({ unitId: r.unitId, unit: r.unit, name: r.name, month, score: r.score, rank: r.rank, deductions: r.deductions, computedAt: at }));
  if (running) return { month, computed: true, stored: false, scores, ranking: null, published: null, ms: Date.now() - t0 };
  const entry = (r: (typeof ranked)[number]): BoardEntry => ({ unitId: r.unitId, unit: r.unit, name: r.name, score: r.score, rank: r.rank });
  const b = board(ranked);
  await db.transaction(async (trx) => {
    await saveMonthScores(trx, month, ranked.map((r) => ({ unitId: r.unitId, score: r.score, rank: r.rank, deductions: r.deductions })), at);
    await saveRankingPreview(trx, month, { units: ranked.length, top: b.top.map(entry), bottom: b.bottom.map(entry) }, at);
  });
  let published: PublishResult | null = null;
  if (policy.autoBroadcast && ranked.length) published = await publishRanking({ db, month, actor: 'system', publicBaseUrl: input.publicBaseUrl });
  return { month, computed: true, stored: true, scores, ranking: await rankingOfMonth(db, month), published, ms: Date.now() - t0 };
}

// The office's changes to the monthly score (weights, caps, automatic broadcast of the 红黑榜):
// 编办管理员 only, validated (core/scores.ts, Chinese errors naming the field), stored in settings
// and audited. The next month close scores with them; months already scored keep their scores.

import type { Knex } from 'knex';
import { DEFAULT_SCORE_POLICY, mergeScorePolicy, ScorePolicyError, validScorePolicyOverrides, type ScorePolicy, type ScorePolicyOverrides } from '../core/scores.ts';
import { loadScorePolicyOverrides, saveScorePolicyOverrides, selfChecksRequired } from '../db/scores.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export interface ScorePolicyView {
  policy: ScorePolicy;
  defaults: ScorePolicy;
  overrides: ScorePolicyOverrides;
  /** Self-checks a month the office asks for (rule U-PR-01, `sanse rules set U-PR-01 --param minPerMonth=N`). */
  selfChecksRequired: number;
}

export async function scorePolicyView(db: Knex): Promise<ScorePolicyView> {
  const overrides = await loadScorePolicyOverrides(db);
  return { policy: mergeScorePolicy(overrides), defaults: DEFAULT_SCORE_POLICY, overrides, selfChecksRequired: await selfChecksRequired(db) };
}

export async function updateScorePolicy(db: Knex, actor: { id: string; role: string }, body: unknown): Promise<ScorePolicyView> {
  if (actor.role !== '编办管理员') throw new CommandError(403, '只有编办管理员可以修改评分规则');
  let overrides: ScorePolicyOverrides;
  try {
    overrides = validScorePolicyOverrides(body);
  } catch (e) {
    if (e instanceof ScorePolicyError) throw new CommandError(400, e.message);
    throw e;
  }
  await db.transaction(async (trx) => {
    const before = await loadScorePolicyOverrides(trx);
    await saveScorePolicyOverrides(trx, overrides);
    await audit(trx, actor.id, 'score_policy', null, null, { before, after: overrides });
  });
  return scorePolicyView(db);
}

// Publishing a month's 红黑榜 (Keqiao: 每月对得分前10名及后10名予以公开晾晒): office staff (编办管理员,
// 编办业务人员) publish the preview built at the month close, or the month close itself does when
// the office's autoBroadcast is on. One action card to every unit's 工作群 (each group once) and to the
// office's group, each deduplicated per month and group; audited. Publishing twice sends once.

import type { Knex } from 'knex';
import type { OutboundMessage } from '../core/outbound.ts';
import { ADMIN_ROLES } from '../core/roles.ts';
import { rankingBoardMessage } from '../cards/builders.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueueMany } from '../db/outbox.ts';
import { markRankingPublished, rankingOfMonth, unitGroups, type Ranking } from '../db/scores.ts';
import { findActor } from '../db/scope.ts';
import { loadOffice } from '../db/settings.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export interface PublishRankingInput {
  db: Knex;
  month: string;
  /** A user id, or 'system' for the automatic broadcast. */
  actor: string;
  publicBaseUrl: string;
}

export interface PublishResult {
  month: string;
  /** false: it had been published before (by whom and when in `ranking`); nothing was sent again. */
  published: boolean;
  /** Groups the card was queued for now. */
  groups: number;
  ranking: Ranking;
}

export async function publishRanking(input: PublishRankingInput): Promise<PublishResult> {
  const { db, month } = input;
  let by = input.actor;
  if (input.actor !== 'system') {
    const a = await findActor(db, input.actor);
    if (!a || !ADMIN_ROLES.has(a.role)) throw new CommandError(403, '只有编办管理员和编办业务人员可以发布红黑榜');
    by = a.id;
  }
  return db.transaction(async (trx) => {
    const r = await rankingOfMonth(trx, month, { lock: true });
    if (!r) throw new CommandError(404, `${month} 的评分尚未生成，请先进行月末评分`);
    if (r.state === 'published') return { month, published: false, groups: 0, ranking: r };
    const at = nowMoment();
    if (!(await markRankingPublished(trx, month, by, at))) return { month, published: false, groups: 0, ranking: (await rankingOfMonth(trx, month))! };
    const office = await loadOffice(trx);
    // Each unit's group links to that unit's page (its score history); the office's to the console.
    const groups = new Map<string, string>();
    for (const g of await unitGroups(trx)) groups.set(g.groupId, `${input.publicBaseUrl}/m/#/unit/${g.unitId}`);
    if (office.groupId) groups.set(office.groupId, `${input.publicBaseUrl}/m/#/console/scores?month=${month}`);
    const card = rankingBoardMessage(r, '');
    const withUrl = (url: string): OutboundMessage => (card.kind === 'actionCard' ? { ...card, buttons: card.buttons.map((b) => ({ ...b, url })) } : card);
    const queued = await enqueueMany(trx, [...groups].map(([groupId, url]) => ({ dedupKey: `ranking:${month}:${groupId}`, delivery: { op: 'send' as const, target: { kind: 'group' as const, groupId }, message: withUrl(url) } })));
    await audit(trx, by, 'publish_ranking', null, null, { month, groups: queued, units: r.units });
    return { month, published: true, groups: queued, ranking: { ...r, state: 'published', publishedAt: at, publishedBy: by } };
  });
}

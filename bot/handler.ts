// The business side of inbound callbacks: robot messages get answers, card buttons act.

import type { Knex } from 'knex';
import { todayInShanghai } from '../core/dates.ts';
import { recheckRecord } from '../commands/daily-check.ts';
import { findActor as findAsker, scopeOf } from '../db/scope.ts';
import { answer } from './robot.ts';
import type { InboundHandler } from './platform.ts';

export interface HandlerDeps {
  /** Called after a callback wrote outbox rows, so they go out without waiting for the next poll. */
  kick?: () => void;
  today?: () => string;
}

export function businessHandler(db: Knex, deps: HandlerDeps = {}): InboundHandler {
  const today = deps.today ?? (() => todayInShanghai());
  return async (event) => {
    if (event.kind === 'message') {
      return { reply: await answer(db, event.senderId, event.senderName, event.text, today()) };
    }
    // 重新检查 on an alert card: re-check the unit's records now; resolved findings update the card.
    if (event.actionId === 'recheck' && event.params.unit) {
      const asker = await findAsker(db, event.userId);
      if (!asker) return;
      // The button names the unit by its id; cards sent before ids name it by credit code, which
      // is followed only while it names one unit (a shared code, U-IN-06, is left alone).
      const param = String(event.params.unit);
      const units = await db('units').where(/^[1-9]\d{0,9}$/.test(param) ? { id: Number(param) } : { code: param }).limit(2).select('id');
      const unit = units.length === 1 ? units[0] : null;
      const scope = await scopeOf(db, asker);
      if (!unit || (scope && !scope.includes(Number(unit.id)))) return;
      const people = await db('people').where({ unit_id: unit.id }).whereNotNull('id_hash').distinct('id_hash');
      for (const p of people) await recheckRecord(db, { personHash: p.id_hash }, today());
      await recheckRecord(db, { unitId: Number(unit.id) }, today());
      deps.kick?.();
    }
    return;
  };
}

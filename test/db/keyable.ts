// Corrects what the import cannot key (as rules U-IN-01, U-IN-06, P-ID-01 and P-ID-10 ask): a code
// of its own for each unit without one or sharing one, a number for each person without one, the
// second entry of a person entered twice in one unit removed. The demo plants all four.

import { idCheckChar } from '../../core/idnumber.ts';
import { makeUscc } from '../../core/uscc.ts';
import { idRow } from '../../db/store.ts';
import type { TestDb } from './helpers.ts';

type Row = Record<string, any>;

export async function makeKeyable(t: TestDb, today: string): Promise<void> {
  let n = 0;
  const shared: Row[] = await t.db('units').whereIn('code', t.db('units').groupBy('code').havingRaw('count(*) > 1').select('code')).orderBy('id').select('id', 'code');
  const seen = new Set<string>();
  for (const u of [...(await t.db('units').where({ code: '' }).select('id', 'code')), ...shared]) {
    if (u.code && !seen.has(u.code)) {
      seen.add(u.code);
      continue;
    }
    await t.db('units').where({ id: u.id }).update({ code: makeUscc('12330603', String(90_000_000 + ++n)) });
  }
  const dup: Row[] = await t.db('people').whereIn('id_hash', t.db('people').groupBy('unit_id', 'id_hash').havingRaw('count(*) > 1').select('id_hash')).orderBy('id').select('id', 'unit_id', 'id_hash');
  const kept = new Set<string>();
  for (const p of dup) {
    const k = `${p.unit_id}|${p.id_hash}`;
    if (kept.has(k)) await t.db('people').where({ id: p.id }).delete();
    else kept.add(k);
  }
  for (const p of await t.db('people').whereNull('id_enc').select('id')) {
    const body = `33062119700101${String(900 + ++n).slice(-3)}`;
    await t.db('people').where({ id: p.id }).update(idRow(body + idCheckChar(body), t.pii, today));
  }
}

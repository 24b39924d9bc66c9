// `sanse pii rotate`: every stored ID number re-encrypted, and every keyed hash recomputed, from
// the previous key (PII_KEY_PREVIOUS) to the new one (PII_KEY), in batches of one transaction
// each, while the instances keep serving (they read both keys and write the new one).
//
// The steps, in order: the tables that hold the number's ciphertext beside its hash (people,
// workers, staffing requests, the three feeds, the 入(出)编登记表) are decrypted and written again under the new
// key, and each old hash met is kept with its new hash (pii_rotation_hashes); then the columns
// that hold a hash without a number (feed links, feed rows matched through a link, requests
// without a number, contracts, the counties' snapshots) take the new hash of their old one. A
// hash nobody on this instance has the number for (a county's person the city does not have)
// stays as it is and is counted. Progress (step and last row id) is the setting `pii.rotation`,
// written in each batch's transaction, so a run killed midway continues where it stopped.
// A row written meanwhile by an instance is already under the new key; each update is
// conditional on the value read, so a row changed between the read and the write is left as
// its writer left it (under the new key).
//
// A batch is written with one statement per table (rowsUpdate): on MySQL/MariaDB an UPDATE
// joined, row by primary key, to a derived table of the batch's (id, value read, new values);
// on SQLite an UPDATE … FROM a VALUES list. One UPDATE per row (a round trip each) was 5.5 times
// slower on MariaDB (README, bench:pii-rotate).
//
// While `pii.rotation` says running, the daily check skips (server/jobs/daily-check.ts):
// people and feed rows are joined by hash, and half of them would carry the old one.

import type { Knex } from 'knex';
import { audit } from '../db/store.ts';
import { nowMoment } from '../db/clock.ts';
import { isSqlite } from '../db/connection.ts';
import { storedKeyId, type PiiCipher } from '../db/pii.ts';
import { AUDIT_PREVIOUS_KEYS, PII_ROTATION, readRotation, type RotationState } from '../db/pii-rotation.ts';
import { getSetting, putSetting } from '../db/settings.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

interface Step {
  table: string;
  title: string;
  hash: string;
  /** The ciphertext column: the row is decrypted and written again. Without: the hash alone is mapped. */
  enc?: string;
  /** For a table that has a ciphertext column: its rows without one (hash-only pass). */
  encNull?: string;
}

const STEPS: Step[] = [
  { table: 'people', title: '实名制人员', enc: 'id_enc', hash: 'id_hash' },
  { table: 'workers', title: '编外人员', enc: 'id_enc', hash: 'id_hash' },
  { table: 'staffing_requests', title: '机构编制事项申请', enc: 'id_enc', hash: 'person_id_hash' },
  { table: 'feed_social_insurance', title: '社保名单', enc: 'id_enc', hash: 'id_hash' },
  { table: 'feed_payroll', title: '工资统发名单', enc: 'id_enc', hash: 'id_hash' },
  { table: 'feed_appointments', title: '组织部任免名单', enc: 'id_enc', hash: 'id_hash' },
  { table: 'feed_links', title: '外部名单人工对应', hash: 'id_hash' },
  { table: 'feed_social_insurance', title: '社保名单（人工对应的行）', hash: 'id_hash', encNull: 'id_enc' },
  { table: 'feed_payroll', title: '工资统发名单（人工对应的行）', hash: 'id_hash', encNull: 'id_enc' },
  { table: 'feed_appointments', title: '组织部任免名单（人工对应的行）', hash: 'id_hash', encNull: 'id_enc' },
  { table: 'staffing_requests', title: '机构编制事项申请（无身份证号密文）', hash: 'person_id_hash', encNull: 'id_enc' },
  { table: 'feed_contracts', title: '编外合同名单', hash: 'id_hash' },
  { table: 'county_snapshot_people', title: '区县快照人员', hash: 'id_hash' },
  // Issue 18 (appended last, so a rotation in progress keeps its step numbers).
  { table: 'registration_forms', title: '入(出)编登记表', enc: 'id_enc', hash: 'id_hash' },
];

/** Rows per batch, one transaction each: about 0.27 s from read to commit on MariaDB (README, bench:pii-rotate). */
export const ROTATION_BATCH = 5000;

export interface RotateOptions {
  actor: string;
  batchSize?: number;
  /** Progress lines in Chinese. */
  progress?: (line: string) => void;
  /** Called after each committed batch (tests save a person here, or stop the run). */
  afterBatch?: (n: number) => Promise<void> | void;
  /** Called when a batch's rows are read, before they are written (tests change one of them here, as an instance would). */
  afterRead?: (table: string, ids: number[]) => Promise<void> | void;
}

export interface RotateResult {
  from: string;
  to: string;
  /** Already finished before this run: nothing was done. */
  alreadyDone: boolean;
  rows: Record<string, number>;
  unmapped: Record<string, number>;
  ms: number;
}

/** The rows of a step after `lastId`, in id order. */
function stepRows(db: Knex, s: Step, lastId: number): Knex.QueryBuilder {
  const q = db(s.table).where('id', '>', lastId);
  if (s.enc) q.whereNotNull(s.enc);
  else q.whereNotNull(s.hash);
  if (s.encNull) q.whereNull(s.encNull);
  return q;
}

export async function rotatePiiKey(db: Knex, pii: PiiCipher, opts: RotateOptions): Promise<RotateResult> {
  const t0 = Date.now();
  const log = opts.progress ?? (() => {});
  const size = opts.batchSize ?? ROTATION_BATCH;
  const prev = pii.previous;
  let state = await readRotation(db);
  if (state && state.to === pii.keyId && state.finishedAt) {
    return { from: state.from, to: state.to, alreadyDone: true, rows: state.rows, unmapped: state.unmapped, ms: Date.now() - t0 };
  }
  if (!prev) {
    throw new CommandError(422, '未设置 PII_KEY_PREVIOUS：轮换时请把新密钥设为 PII_KEY、原密钥设为 PII_KEY_PREVIOUS（每个实例都这样设置并逐个重启），再运行 sanse pii rotate');
  }
  if (state && !state.finishedAt && state.to !== pii.keyId) {
    throw new CommandError(409, `上一次密钥轮换（从密钥 ${state.from} 到 ${state.to}）尚未完成：请用那一对密钥再次运行 sanse pii rotate 完成它`);
  }
  if (!state || state.finishedAt) {
    await checkPreviousKeyReads(db, pii);
    state = { from: prev.keyId, to: pii.keyId, by: opts.actor, startedAt: nowMoment(), step: 0, lastId: 0, rows: {}, unmapped: {} };
    await db.transaction(async (trx) => {
      await keepPreviousAuditKey(trx, pii);
      await trx('pii_rotation_hashes').delete();
      await putSetting(trx, PII_ROTATION, state);
      await audit(trx, opts.actor, 'pii_rotate_start', null, null, { from: prev.keyId, to: pii.keyId });
    });
    log(`开始轮换身份证号密钥：原密钥 ${prev.keyId} → 新密钥 ${pii.keyId}（每批 ${size} 行）`);
  } else {
    log(`继续上次未完成的密钥轮换（原密钥 ${state.from} → 新密钥 ${state.to}），从第 ${state.step + 1} 步、编号 ${state.lastId} 之后继续`);
  }

  let batches = 0;
  for (; state.step < STEPS.length; state.step++, state.lastId = 0) {
    const s = STEPS[state.step];
    const left = Number((await stepRows(db, s, state.lastId).count({ n: '*' }))[0].n);
    let done = 0;
    if (left) log(`第 ${state.step + 1}/${STEPS.length} 步 ${s.title}：待处理 ${left.toLocaleString('en-US')} 行`);
    for (;;) {
      const rows: Row[] = await stepRows(db, s, state.lastId).orderBy('id').limit(size).select('id', s.hash, ...(s.enc ? [s.enc] : []));
      if (!rows.length) break;
      await opts.afterRead?.(s.table, rows.map((r) => Number(r.id)));
      const cur = state;
      await db.transaction(async (trx) => {
        const changed = s.enc ? await reencrypt(trx, pii, s, rows) : await remap(trx, s, rows, cur);
        cur.rows[s.table] = (cur.rows[s.table] ?? 0) + changed;
        cur.lastId = Number(rows[rows.length - 1].id);
        await putSetting(trx, PII_ROTATION, cur);
      });
      done += rows.length;
      batches++;
      log(`  ${s.title}：已处理 ${done.toLocaleString('en-US')} / ${left.toLocaleString('en-US')} 行`);
      await opts.afterBatch?.(batches);
    }
  }
  // Rows written between a step's last batch and now are the new key's (the instances write it).
  const finished = { ...state, finishedAt: nowMoment() };
  await db.transaction(async (trx) => {
    await trx('pii_rotation_hashes').delete();
    await putSetting(trx, PII_ROTATION, finished);
    await audit(trx, opts.actor, 'pii_rotate_finish', null, null, { from: finished.from, to: finished.to, rows: finished.rows, unmapped: finished.unmapped });
  });
  const unmapped = Object.values(finished.unmapped).reduce((a, b) => a + b, 0);
  const where = Object.entries(finished.unmapped).map(([table, n]) => `${STEPS.find((x) => x.table === table && !x.enc)?.title ?? table} ${n} 个`).join('、');
  log(`密钥轮换完成：共改写 ${Object.values(finished.rows).reduce((a, b) => a + b, 0).toLocaleString('en-US')} 行${unmapped ? `；${unmapped} 个散列在本实例没有对应的身份证号，保持原样（${where}：未登记的人员，比对结果不变；区县快照请在区县换用同一新密钥后重新导出）` : ''}。`);
  return { from: finished.from, to: finished.to, alreadyDone: false, rows: finished.rows, unmapped: finished.unmapped, ms: Date.now() - t0 };
}

/**
 * Rows of `table` set by id, each only while `match` still holds the value read (a row an
 * instance changed meanwhile is left as it is): one statement per slice of rows. Returns the
 * rows changed.
 */
async function rowsUpdate(trx: Knex, table: string, match: string, set: string[], rows: Array<{ id: number; was: string; to: Knex.Value[] }>): Promise<number> {
  if (!rows.length) return 0;
  const cols = 2 + set.length;
  const q = (c: string) => (isSqlite(trx) ? `"${c}"` : `\`${c}\``);
  // SQLite binds at most 32766 variables per statement; MySQL's statement is bound by max_allowed_packet (16 MB).
  const per = Math.max(1, Math.floor((isSqlite(trx) ? 30_000 : 20_000) / cols));
  let changed = 0;
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const bindings = part.flatMap((r) => [r.id, r.was, ...r.to]);
    if (isSqlite(trx)) {
      const values = part.map(() => `(${Array(cols).fill('?').join(', ')})`).join(', ');
      const res = await trx.raw(
        `UPDATE ${q(table)} SET ${set.map((c, j) => `${q(c)} = v.column${j + 3}`).join(', ')} FROM (VALUES ${values}) AS v WHERE ${q(table)}.id = v.column1 AND ${q(table)}.${q(match)} = v.column2`,
        bindings,
      );
      changed += Number(res?.changes ?? 0);
    } else {
      // The derived table first (STRAIGHT_JOIN), each of its rows finding its row by primary key.
      const first = `SELECT ? AS id, ? AS was, ${set.map((_, j) => `? AS c${j}`).join(', ')}`;
      const rest = ` UNION ALL SELECT ${Array(cols).fill('?').join(', ')}`.repeat(part.length - 1);
      const [res] = await trx.raw(
        `UPDATE (${first}${rest}) AS v STRAIGHT_JOIN ${q(table)} AS t ON t.id = v.id AND t.${q(match)} = v.was SET ${set.map((c, j) => `t.${q(c)} = v.c${j}`).join(', ')}`,
        bindings,
      );
      changed += Number(res?.affectedRows ?? 0);
    }
  }
  return changed;
}

/** A batch of ciphertext rows written again under the new key, with their new hash; old → new hashes kept. */
async function reencrypt(trx: Knex, pii: PiiCipher, s: Step, rows: Row[]): Promise<number> {
  const prev = pii.previous!;
  const pairs = new Map<string, string>();
  const updates: Array<{ id: number; was: string; to: Knex.Value[] }> = [];
  for (const r of rows) {
    const stored = String(r[s.enc!]);
    if (storedKeyId(stored) === pii.keyId) continue; // written by an instance under the new key
    let plain: string;
    try {
      plain = pii.decrypt(stored);
    } catch {
      throw new CommandError(422, `${s.table} 第 ${r.id} 行的身份证号无法用 PII_KEY_PREVIOUS 或 PII_KEY 解密：请确认 PII_KEY_PREVIOUS 是原来的密钥（已处理的批次已保存，改正后再次运行会继续）`);
    }
    const oldHash = r[s.hash] == null ? null : String(r[s.hash]);
    const newHash = oldHash == null ? null : pii.hash(plain);
    if (oldHash && newHash && oldHash !== newHash) pairs.set(oldHash, newHash);
    updates.push({ id: Number(r.id), was: stored, to: [pii.encrypt(plain), newHash] });
    // The previous key's hash of the number, even when the stored hash was already the new one.
    const prevHash = prev.hash(plain);
    if (newHash && prevHash !== newHash) pairs.set(prevHash, newHash);
  }
  const changed = await rowsUpdate(trx, s.table, s.enc!, [s.enc!, s.hash], updates);
  // In slices: SQLite's compound SELECT (knex's multi-row insert there) takes at most 500 terms.
  const list = [...pairs].map(([old_hash, new_hash]) => ({ old_hash, new_hash }));
  const slice = isSqlite(trx) ? 200 : 2000;
  for (let i = 0; i < list.length; i += slice) await trx('pii_rotation_hashes').insert(list.slice(i, i + slice)).onConflict('old_hash').ignore();
  return changed;
}

/** A batch of hash-only rows moved to the new hash of their old one; a hash without a known number stays. */
async function remap(trx: Knex, s: Step, rows: Row[], state: RotationState): Promise<number> {
  const hashes = [...new Set(rows.map((r) => String(r[s.hash])))];
  const map = new Map<string, string>();
  const known = new Set<string>();
  const slice = isSqlite(trx) ? 500 : 2000;
  for (let i = 0; i < hashes.length; i += slice) {
    const part = hashes.slice(i, i + slice);
    for (const m of (await trx('pii_rotation_hashes').whereIn('old_hash', part).select('old_hash', 'new_hash')) as Row[]) map.set(m.old_hash, m.new_hash);
  }
  // A hash with no mapping may already be a new one (the row saved meanwhile): looked up by new_hash
  // (not indexed: a scan of the map), so only for those, which are few.
  const missing = hashes.filter((h) => !map.has(h));
  for (let i = 0; i < missing.length; i += slice) {
    for (const m of (await trx('pii_rotation_hashes').whereIn('new_hash', missing.slice(i, i + slice)).select('new_hash')) as Row[]) known.add(m.new_hash);
  }
  const updates: Array<{ id: number; was: string; to: Knex.Value[] }> = [];
  for (const r of rows) {
    const old = String(r[s.hash]);
    const next = map.get(old);
    if (next) updates.push({ id: Number(r.id), was: old, to: [next] });
    else if (!known.has(old)) state.unmapped[s.table] = (state.unmapped[s.table] ?? 0) + 1;
  }
  return rowsUpdate(trx, s.table, s.hash, [s.hash], updates);
}

/** Before anything is written: PII_KEY_PREVIOUS must read a stored number that is not the new key's. */
async function checkPreviousKeyReads(db: Knex, pii: PiiCipher): Promise<void> {
  for (const s of STEPS.filter((x) => x.enc)) {
    const r = await db(s.table).whereNotNull(s.enc!).whereNot(s.enc!, 'like', `${pii.keyId}:%`).orderBy('id').first('id', s.enc!);
    if (!r) continue;
    try {
      pii.previous!.decrypt(String(r[s.enc!]));
    } catch {
      throw new CommandError(422, `PII_KEY_PREVIOUS 无法解密已保存的身份证号（${s.table} 第 ${r.id} 行）：请把当前在用的原密钥设为 PII_KEY_PREVIOUS。未做任何改动`);
    }
    return;
  }
}

/** The previous key's audit key kept, encrypted under the new key (setting audit.previousKeys). */
async function keepPreviousAuditKey(trx: Knex, pii: PiiCipher): Promise<void> {
  const prev = pii.previous!;
  const stored = await getSetting<string>(trx, AUDIT_PREVIOUS_KEYS);
  const list: Array<{ keyId: string; keyHex: string }> = stored ? JSON.parse(pii.decrypt(stored)) : [];
  if (!list.some((k) => k.keyId === prev.keyId)) list.push({ keyId: prev.keyId, keyHex: prev.deriveKey('sanse:audit-chain').toString('hex') });
  await putSetting(trx, AUDIT_PREVIOUS_KEYS, pii.encrypt(JSON.stringify(list)));
}

// Writing to the outbox: the only way a message leaves sanse. A row is written in the same
// transaction as the change that caused it, under a dedup key: writing the same key twice
// keeps the first row (a plain insert refused by the unique key, so a transaction stays usable
// on MySQL; on PostgreSQL-like engines a savepoint would be needed), so a re-run of the daily check or a re-delivered callback sends nothing twice.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import { nowMoment } from './clock.ts';
import { isDuplicateKey } from './errors.ts';
import type { Delivery, Target } from '../core/outbound.ts';

type Row = Record<string, any>;

/** Moments in next_attempt_at and locked_until: ISO UTC with milliseconds, 23 characters. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

export function targetText(t: Target | undefined): string | null {
  if (!t) return null;
  return (t.kind === 'group' ? `group:${t.groupId}` : `users:${t.userIds.join(',')}`).slice(0, 255);
}

// The run of the job registry under way in this async context (server/jobs/registry.ts): every
// row enqueued within it carries the run's id, so a run lists what it sent without any job or
// command passing the id down. Rows written elsewhere (a route, a card action) carry none.
const currentRun = new AsyncLocalStorage<number>();

/** Job runs under way in this process (their async contexts carry their ids). */
let runsUnderWay = 0;

/**
 * Runs `fn` as the work of job run `runId`: the outbox rows it enqueues are that run's.
 * While an AsyncLocalStorage is enabled Node 20 tracks every promise of the process (async hooks:
 * the mini-app's saves lost a fifth of their throughput on MariaDB), so it is enabled only while
 * a job runs here and disabled again when the last one has ended.
 */
export async function asJobRun<T>(runId: number, fn: () => Promise<T>): Promise<T> {
  runsUnderWay++;
  try {
    return await currentRun.run(runId, fn);
  } finally {
    if (--runsUnderWay === 0) currentRun.disable();
  }
}

/** The job run whose work this is, if any. */
export function currentJobRunId(): number | null {
  return currentRun.getStore() ?? null;
}

/** Queues one delivery. Returns false when a row with this dedup key already exists. */
export async function enqueue(trx: Knex, dedupKey: string, delivery: Delivery, notBefore: Date = new Date()): Promise<boolean> {
  const target = 'target' in delivery ? targetText(delivery.target) : null;
  try {
    await trx('outbox').insert({
      dedup_key: dedupKey,
      op: delivery.op,
      target,
      payload: JSON.stringify(delivery),
      state: 'pending',
      attempts: 0,
      next_attempt_at: isoMs(notBefore.getTime()),
      created_at: nowMoment(),
      job_run_id: currentJobRunId(),
    });
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/**
 * Queues many deliveries, a few statements for hundreds of rows (the 红黑榜 to every group):
 * as `enqueue`, a key already queued keeps its first row. Returns how many rows were added.
 */
export async function enqueueMany(trx: Knex, items: Array<{ dedupKey: string; delivery: Delivery }>, notBefore: Date = new Date()): Promise<number> {
  let added = 0;
  const at = nowMoment();
  for (let i = 0; i < items.length; i += 500) {
    const batch = items.slice(i, i + 500);
    const keys = batch.map((b) => b.dedupKey);
    const had = Number((await trx('outbox').whereIn('dedup_key', keys).count({ n: '*' }).first())?.n ?? 0);
    await trx('outbox').insert(batch.map(({ dedupKey, delivery }) => ({
      dedup_key: dedupKey,
      op: delivery.op,
      target: 'target' in delivery ? targetText(delivery.target) : null,
      payload: JSON.stringify(delivery),
      state: 'pending',
      attempts: 0,
      next_attempt_at: isoMs(notBefore.getTime()),
      created_at: at,
      job_run_id: currentJobRunId(),
    }))).onConflict('dedup_key').ignore();
    added += batch.length - had;
  }
  return added;
}

/** A dead row back to pending, due now; false when there is no dead row of this id. */
export async function resendDead(db: Knex, id: number): Promise<boolean> {
  const n = await db('outbox').where({ id, state: 'dead' }).update({ state: 'pending', attempts: 0, next_attempt_at: isoMs(Date.now()), locked_until: null, last_error: null });
  return Number(n) === 1;
}

/** Dead rows as the console lists them (no payload), the latest first; `before`: only ids below it. */
export async function deadOutboxRows(db: Knex, o: { before: number | null; limit: number }): Promise<Row[]> {
  const q = db('outbox').where('state', 'dead');
  if (o.before !== null) q.andWhere('id', '<', o.before);
  return q.orderBy('id', 'desc').limit(o.limit).select('id', 'dedup_key', 'op', 'target', 'attempts', 'last_error', 'created_at');
}

/** An outbox row as the console's lists show it: no payload but what names it. */
export interface OutboxListRow {
  id: number;
  dedupKey: string;
  op: string;
  target: string | null;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  jobRunId: number | null;
  /** The payload's title or text head (cards: the card's title), for people to tell rows apart. */
  payload: string;
}

const LIST_COLUMNS = ['id', 'dedup_key', 'op', 'target', 'state', 'attempts', 'last_error', 'created_at', 'sent_at', 'job_run_id', 'payload'];

function toListRow(r: Row): OutboxListRow {
  return {
    id: Number(r.id), dedupKey: r.dedup_key, op: r.op, target: r.target ?? null, state: r.state, attempts: Number(r.attempts),
    lastError: r.last_error ?? null, createdAt: r.created_at, sentAt: r.sent_at ?? null, jobRunId: r.job_run_id == null ? null : Number(r.job_run_id), payload: r.payload,
  };
}

/** The rows a job run wrote (outbox.job_run_id), in the order written. */
export async function outboxRowsOfRun(db: Knex, runId: number): Promise<OutboxListRow[]> {
  return (await db('outbox').where('job_run_id', runId).orderBy('id').select(LIST_COLUMNS)).map(toListRow);
}

/**
 * What went to groups and people (rows with a target), the latest first: `group` only that
 * group's; `before` only ids below it (the next page).
 */
export async function broadcastRows(db: Knex, o: { limit: number; before?: number | null; group?: string | null }): Promise<OutboxListRow[]> {
  const q = db('outbox').whereNotNull('target');
  if (o.group) q.andWhere('target', targetText({ kind: 'group', groupId: o.group }));
  if (o.before) q.andWhere('id', '<', o.before);
  return (await q.orderBy('id', 'desc').limit(o.limit).select(LIST_COLUMNS)).map(toListRow);
}

/** Names of the groups (a unit's group_id) and users a list's targets name. */
export async function targetNames(db: Knex, groupIds: string[], userIds: string[]): Promise<{ groups: Map<string, string>; users: Map<string, string> }> {
  const groups = new Map<string, string>();
  const users = new Map<string, string>();
  if (groupIds.length) for (const r of await db('units').whereIn('group_id', groupIds).select('group_id', 'name')) if (!groups.has(r.group_id)) groups.set(r.group_id, r.name);
  if (userIds.length) for (const r of await db('users').whereIn('id', userIds).select('id', 'name')) users.set(r.id, r.name);
  return { groups, users };
}

/** The units' work groups (group_id, the unit's name), for choosing one. */
export async function unitGroups(db: Knex): Promise<Array<{ groupId: string; name: string }>> {
  const rows = await db('units').whereNotNull('group_id').andWhere('group_id', '<>', '').orderBy('id').select('group_id', 'name');
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.group_id) && seen.add(r.group_id)).map((r) => ({ groupId: r.group_id, name: r.name }));
}

/** How many rows are in each state (states without rows are absent). */
export async function outboxCountsByState(db: Knex): Promise<Map<string, number>> {
  const rows = (await db('outbox').select('state').count({ n: '*' }).groupBy('state')) as Array<{ state: string; n: number | string }>;
  return new Map(rows.map((r) => [r.state, Number(r.n)]));
}

// ---- the dispatcher's side (bot/dispatcher.ts): claims, locks and outcomes -----------------

/** Ids of rows that may be claimed at `now` (isoMs): stuck claims first, then pending rows by due time. */
export async function dueOutboxIds(db: Knex, limit: number, now: string): Promise<number[]> {
  const stuck = await db('outbox').where('state', 'sending').andWhere('locked_until', '<', now).orderBy('locked_until').limit(limit).pluck('id');
  const rest = limit - stuck.length;
  const pending = rest > 0 ? await db('outbox').where('state', 'pending').andWhere('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(rest).pluck('id') : [];
  return [...stuck, ...pending].map(Number);
}

/** The rows still to be sent, by state: `state`, `n`, the earliest `due` (next_attempt_at) and `lock` (locked_until). */
export async function outboxBacklog(db: Knex): Promise<Array<{ state: string; n: number | string; due: string | null; lock: string | null }>> {
  return db('outbox').whereIn('state', ['pending', 'sending'])
    .select('state')
    .count({ n: '*' })
    .min({ due: 'next_attempt_at' })
    .min({ lock: 'locked_until' })
    .groupBy('state');
}

/**
 * The claim: one conditional UPDATE moves a row due at `now` (pending and due, or sending with an
 * expired lock) to sending under `lock`, counting the call it starts. True only for the caller
 * whose UPDATE changed the row.
 */
export async function claimOutboxRow(db: Knex, id: number, now: string, lock: string): Promise<boolean> {
  const claimed = await db('outbox')
    .where('id', id)
    .andWhere((q) =>
      q.where((p) => p.where('state', 'pending').andWhere('next_attempt_at', '<=', now))
        .orWhere((s) => s.where('state', 'sending').andWhere('locked_until', '<', now)),
    )
    .update({ attempts: db.raw('attempts + 1'), state: 'sending', locked_until: lock });
  return Number(claimed) === 1;
}

/** What a claimed row sends: `dedup_key`, `payload`, `attempts`. */
export async function outboxRowToSend(db: Knex, id: number): Promise<Row | undefined> {
  return db('outbox').where('id', id).first('dedup_key', 'payload', 'attempts');
}

/** The columns a claim holder may change on its row. */
export interface ClaimedRowChange {
  state?: 'pending' | 'sent' | 'dead';
  attempts?: number;
  next_attempt_at?: string;
  locked_until?: string | null;
  last_error?: string | null;
  sent_at?: string;
}

/** Changes a row only while this claim holds it (sending, under `lock`); 1 when it did, 0 when the lock was lost. */
export async function updateClaimedOutboxRow(db: Knex, id: number, lock: string, change: ClaimedRowChange): Promise<number> {
  return Number(await db('outbox').where({ id, state: 'sending', locked_until: lock }).update(change));
}

export function parseTarget(text: string | null): Target | undefined {
  if (!text) return undefined;
  if (text.startsWith('group:')) return { kind: 'group', groupId: text.slice(6) };
  if (text.startsWith('users:')) return { kind: 'users', userIds: text.slice(6).split(',') };
  return undefined;
}

// The login sessions of the console and the mini-app (server/auth/session.ts): a row per session,
// read with its user (and the units below the user's unit) in one round trip.

import type { Knex } from 'knex';
import { readAll } from './batch.ts';
import { subtreeQuery } from './scope.ts';

type Row = Record<string, any>;

export interface NewSession {
  id: string;
  userId: string;
  csrfToken: string;
  /** Moments (db/clock.ts nowMoment). */
  now: string;
  expiresAt: string;
  /** Sessions that ended before this moment go first (no timer needed). */
  purgeBefore: string;
}

/** Stores a new session; sessions that ended before `purgeBefore` go first (no timer needed). */
export async function openSession(db: Knex, s: NewSession): Promise<void> {
  await db('sessions').where('expires_at', '<', s.purgeBefore).delete();
  await db('sessions').insert({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.now, last_seen_at: s.now, expires_at: s.expiresAt });
}

export async function deleteSession(db: Knex, id: string): Promise<void> {
  await db('sessions').where({ id }).delete();
}

/**
 * A session and its user in one read: the session's columns renamed (`session_id`,
 * `session_user_id`, `csrf_token`, `expires_at`, `last_seen_at`, `session_created_at`) beside the user's (`id` null when
 * the user is gone); and the ids of the user's unit and the units below it, in the same trip.
 */
export async function sessionWithUser(db: Knex, sid: string): Promise<{ session: Row | undefined; subtree: number[] }> {
  const [[session], subtree] = await readAll(db, [
    db('sessions as s').leftJoin('users as u', 'u.id', 's.user_id').where('s.id', sid)
      .select('s.id as session_id', 's.user_id as session_user_id', 's.csrf_token', 's.expires_at', 's.last_seen_at', 's.created_at as session_created_at', 'u.*'),
    subtreeQuery(db, db('users as u').join('sessions as s', 's.user_id', 'u.id').where('s.id', sid).select('u.unit_id')),
  ]);
  return { session, subtree: subtree.map((r) => Number(r.id)) };
}

/** Marks a session seen now and moves its idle expiry. */
export async function touchSession(db: Knex, id: string, now: string, expiresAt: string): Promise<void> {
  await db('sessions').where({ id }).update({ last_seen_at: now, expires_at: expiresAt });
}

// The state of a PII key rotation (commands/rotate-pii-key.ts) as stored in `settings`.

import type { Knex } from 'knex';
import { getSetting } from './settings.ts';

/** The rotation's progress: which key to which, the step and the last row id done, counts. */
export const PII_ROTATION = 'pii.rotation';
/** The audit MAC keys of earlier PII keys: pii.encrypt(JSON.stringify([{ keyId, keyHex }])) under the key in force. */
export const AUDIT_PREVIOUS_KEYS = 'audit.previousKeys';

export interface RotationState {
  from: string;
  to: string;
  by: string;
  startedAt: string;
  finishedAt?: string;
  step: number;
  lastId: number;
  /** Rows rewritten, by table. */
  rows: Record<string, number>;
  /** Hashes without a number on this instance, left as they were, by table. */
  unmapped: Record<string, number>;
}

export async function readRotation(db: Knex): Promise<RotationState | null> {
  return getSetting<RotationState>(db, PII_ROTATION);
}

/** A rotation started and not finished: hashes are half old, half new. */
export async function rotationInProgress(db: Knex): Promise<RotationState | null> {
  const s = await readRotation(db);
  return s && !s.finishedAt ? s : null;
}

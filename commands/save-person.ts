// Save a change to a person from the mini-app's form: authorised (a writing role, the person's
// unit in scope), the changes merged into the stored record and validated with the 人员 sheet's
// schema, written as a new version under the version the form was read at (one save at a time
// per person), then the person re-checked at once with the unit's card update queued.

import type { Knex } from 'knex';
import { normaliseIdNumber } from '../core/idnumber.ts';
import type { IsoDate } from '../core/model.ts';
import type { PersonInput } from '../core/inputs.ts';
import { EDITABLE, FIELD_BY_KEY, FIELD_BY_LABEL, inputOf } from '../core/person-fields.ts';
import { ACCESS_MSG, inScope, WRITE_ROLES, type UnitScope } from '../core/roles.ts';
import { SHEETS } from '../core/sheets.ts';
import type { PiiCipher } from '../db/pii.ts';
import { updatePerson, lockWithVersion } from '../db/store.ts';
import { recheckRecord } from './daily-check.ts';
import { CommandError } from './errors.ts';

type Row = Record<string, any>;

const SOURCE = '小程序修改';

export interface SavePersonInput {
  actor: { id: string; role: string; scope: UnitScope };
  /** The stored row (with `unit_code`), as read for the request. */
  row: Row;
  /** By PersonInput name or by the sheet's Chinese header. */
  changes: Record<string, unknown>;
  reason: string;
  /** The version the form was read at. */
  version: number;
  today: IsoDate;
}

export interface SavePersonResult {
  changed: boolean;
  version: number;
  /** Findings the re-check resolved. */
  resolved: unknown[];
}

export async function savePerson(db: Knex, pii: PiiCipher, { actor, row, changes, reason, version, today }: SavePersonInput): Promise<SavePersonResult> {
  if (!WRITE_ROLES.has(actor.role)) throw new CommandError(403, '您的角色无权修改人员信息');
  if (!inScope(actor, Number(row.unit_id))) throw new CommandError(403, ACCESS_MSG.outOfScope);
  const id = Number(row.id);
  const fields: Record<string, string> = {};
  const current = inputOf(row, row.unit_code ?? '', row.id_enc ? pii.decrypt(row.id_enc) : '');
  const merged: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(changes)) {
    const f = FIELD_BY_KEY.get(k) ?? FIELD_BY_LABEL.get(k);
    if (!f || !EDITABLE.has(f.key)) {
      fields[f?.label ?? k.slice(0, 32)] = f ? '此项不能在此修改' : '没有这一项';
      continue;
    }
    if (v !== null && typeof v !== 'string' && typeof v !== 'number') {
      fields[f.label] = '应为文本';
      continue;
    }
    // The form sends the masked number back when the ID was not touched.
    if (f.key === 'idNumber' && v === row.id_masked) continue;
    merged[f.key] = v === null || v === '' ? null : String(v);
  }
  if (Object.keys(fields).length) throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);

  const parsed = SHEETS.人员.schema.safeParse(SHEETS.人员.toCells(merged as unknown as PersonInput));
  if (!parsed.success) {
    for (const is of parsed.error.issues) {
      const label = String(is.path[0] ?? '');
      fields[label] ??= is.message;
    }
    throw new CommandError(400, '修改内容有误，请检查标注的项目', fields);
  }
  // The row's own unit, not the one its credit code resolves to: two units may share a code.
  // A number typed into the form is written as it should be (upper-case X, half-width digits):
  // P-ID-07 reports irregular writing in the source files, not what sanse's own form normalises.
  const next: PersonInput = { ...parsed.data, idNumber: normaliseIdNumber(parsed.data.idNumber).value, extra: current.extra, unitId: Number(row.unit_id) };
  const newHash = pii.hash(normaliseIdNumber(next.idNumber).value);
  // During a key rotation a colleague's row may still carry the previous key's hash.
  const newHashes = pii.hashes(normaliseIdNumber(next.idNumber).value);

  const saved = await db.transaction(async (trx) => {
    // One save at a time per person: the row as it is now, and its latest version.
    const { row: locked, version: stored } = await lockWithVersion(trx, 'people', 'person', id);
    if (!locked) throw new CommandError(404, '没有该人员');
    if (stored !== version) throw new CommandError(409, '该人员的信息已被他人修改，请刷新后重试', undefined, { version: stored });
    if (locked.id_hash !== newHash) {
      // A corrected ID number: the row keeps its id, found by the new number from now on.
      const clash = await trx('people').where({ unit_id: locked.unit_id }).whereIn('id_hash', newHashes).whereNot({ id }).first('id');
      if (clash) throw new CommandError(409, '本单位已有该身份证号的人员', { 身份证号: '本单位已有该身份证号的人员' });
    }
    return updatePerson(trx, pii, locked, next, { by: actor.id, source: SOURCE, reason, today }, stored);
  });

  const result = saved.changed ? await recheckRecord(db, { personHash: newHash }, today) : null;
  return { changed: saved.changed, version: saved.version, resolved: result?.resolved ?? [] };
}

// One person: read (ID masked), save a change (validated with the 人员 sheet's schema, versioned,
// re-checked at once with the card update queued), the history of changes, and the full ID
// number for the roles allowed to see it (audited).

import type { FastifyPluginAsync } from 'fastify';
import { crossFor, crossReads, emptyCrossIndex, idFactsOf, unitReads, unitRecordRead } from '../../../db/records.ts';
import { audit, personVersionQuery } from '../../../db/store.ts';
import { openFindingsQuery } from '../../../db/findings.ts';
import { personHistory, personWithUnitCodeQuery } from '../../../db/people.ts';
import { unitNames } from '../../../db/units.ts';
import { unitSpecialistsRead, userNames } from '../../../db/users.ts';
import { runReads, type Read } from '../../../db/batch.ts';
import { calendarFromRows, calendarRowsQuery } from '../../../db/settings.ts';
import type { IdFacts, IsoDate, UnitRecord } from '../../../core/model.ts';
import { FULL_ID_ROLES, WRITE_ROLES } from '../../../core/roles.ts';
import { ApiError, birthMismatchFor, openFindingItems, personInScope, requireRole, userOf, type ApiDeps } from './common.ts';
import { HIDDEN_COLUMNS, inputOf, LABEL_BY_COLUMN, PERSON_FIELDS } from '../../../core/person-fields.ts';
import { savePerson } from '../../../commands/save-person.ts';
import { withFixes } from './fixes.ts';
import { fixSuggestions } from '../../../core/fix-suggestions.ts';
import { provenanceFromRows, provenanceQuery, type Provenance } from '../../../db/provenance.ts';

type Row = Record<string, any>;

const MAX_REASON = 500;

/**
 * The stored number's facts as a role may see them. The birth date the number encodes is part of
 * what the mask hides: a role without full-ID rights gets it only when it is the 出生日期 the
 * record shows anyway; otherwise null, and the form leaves the rules that need it (P-ID-08, the
 * birth-based ones) to the server's re-check on saving.
 */
function idFactsFor(role: string, row: Row): IdFacts {
  const facts = idFactsOf(row);
  if (FULL_ID_ROLES.has(role) || facts.birth === null || facts.birth === row.birth_date) return facts;
  return { ...facts, birth: null };
}



export const personRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, pii } = deps;

  /**
   * The person as the form shows them (ID masked) with their open findings: the reads (for one
   * round trip, alone or with others), then `page()` once they have run.
   */
  function personPageReads(id: number, today: IsoDate, fullIds: boolean, role = '') {
    let row: Row = {};
    let calendarRows: Row[] = [];
    let findingRows: Row[] = [];
    const reads: Read[] = [
      { query: personWithUnitCodeQuery(db, id), apply: (rows) => { row = rows[0]; } },
      { query: calendarRowsQuery(db), apply: (rows) => { calendarRows = rows; } },
      { query: openFindingsQuery(db, { personId: id }), apply: (rows) => { findingRows = rows; } },
    ];
    const page = () => ({
      row,
      person: { id: Number(row.id), ...inputOf(row, row.unit_code ?? '', row.id_masked ?? '') },
      findings: withFixes(openFindingItems(findingRows, today, calendarFromRows(calendarRows), { limit: 1000 }).map((f) => birthMismatchFor(f, row.id_birth, fullIds)), role),
    });
    return { reads, page };
  }

  app.get('/api/people/:id', async (req) => {
    const user = userOf(req);
    const p = await personInScope(db, user, (req.params as { id: string }).id, ['id', 'unit_id', 'id_hash', 'name', 'birth_key']);
    const id = Number(p.id);
    const unitId = Number(p.unit_id);
    const today = deps.today();
    // Every view of one person's record is an audit row (issue 17: 全程留痕).
    await audit(db, user.id, 'view_person', 'person', id, undefined, { unitId, ip: req.ip });
    // One round trip: the unit and its ledgers, the person's cross-row facts, the record, its
    // open findings, its version. idFacts and cross let the form run the person rules as the
    // server would (miniapp/src/person/recheck.ts); neither holds the ID number.
    const units = new Map<number, UnitRecord>();
    const cross = emptyCrossIndex();
    const person = personPageReads(id, today, FULL_ID_ROLES.has(user.role), user.role);
    let version = 0;
    // The unit's 专管员 by name: who a read-only role is told to ask.
    let specialists: string[] = [];
    // 首录负责制 (issue 18): who entered the record first and who changed it last.
    let provenance: Provenance = { first: null, last: null };
    await runReads(db, [
      { query: provenanceQuery(db, 'person', [id]), apply: (rows) => { provenance = provenanceFromRows(rows).get(id) ?? provenance; } },
      unitSpecialistsRead(db, unitId, (names) => { specialists = names; }),
      ...unitReads(db, today, [unitId], units),
      ...(p.id_hash ? crossReads(db, p.id_hash, { name: p.name, birth: p.birth_key }, cross) : []),
      ...person.reads,
      { query: personVersionQuery(db, id), apply: (rows) => { version = Number(rows[0]?.v ?? 0); } },
    ], true);
    const { agg: _agg, ...unit } = units.get(unitId)!;
    const { row, ...page } = person.page();
    const idFacts = idFactsFor(user.role, row);
    // 自动修正 (issue 18): what the system can derive with certainty, offered, never applied.
    const suggestions = fixSuggestions({ kind: 'person', idFacts, gender: row.gender ?? null, birthDate: row.birth_date ?? null, office: row.office ?? null, unitOffices: unit.internalOffices, leaderLevel: row.leader_level ?? null });
    return { ...page, unit, version, idFacts, cross: crossFor(cross, row), specialists, suggestions, provenance };
  });

  app.put('/api/people/:id', async (req) => {
    const user = userOf(req);
    requireRole(user, WRITE_ROLES, '您的角色无权修改人员信息');
    const row = await personInScope(db, user, (req.params as { id: string }).id);
    const body = (req.body ?? {}) as { changes?: unknown; reason?: unknown; version?: unknown };

    const fields: Record<string, string> = {};
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (!reason) fields['修改原因'] = '请填写修改原因';
    else if ([...reason].length > MAX_REASON) fields['修改原因'] = `最多${MAX_REASON}个字符`;
    const version = typeof body.version === 'number' ? body.version : typeof body.version === 'string' && /^\d+$/.test(body.version) ? Number(body.version) : NaN;
    if (!Number.isInteger(version) || version < 0) fields['版本'] = '缺少版本号（version），请刷新后重试';
    const changes = body.changes;
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) fields['修改内容'] = '缺少修改内容（changes）';
    if (Object.keys(fields).length) throw new ApiError(400, Object.values(fields)[0], fields);

    const today = deps.today();
    const saved = await savePerson(db, pii, { actor: user, row, changes: changes as Record<string, unknown>, reason, version, today });
    if (saved.changed) deps.kick();
    // The saved record as the form shows it afterwards: its findings, and (issue 18) its
    // provenance and the suggestions still open, so the form needs no reload to show them.
    const id = Number(row.id);
    const person = personPageReads(id, today, FULL_ID_ROLES.has(user.role), user.role);
    let provenance: Provenance = { first: null, last: null };
    let unit: UnitRecord | null = null;
    // One trip: the page, the provenance and the unit's 内设机构 (a save does not move a person to another unit).
    await runReads(db, [
      ...person.reads,
      { query: provenanceQuery(db, 'person', [id]), apply: (rows) => { provenance = provenanceFromRows(rows).get(id) ?? provenance; } },
      unitRecordRead(db, Number(row.unit_id), (u) => { unit = u; }),
    ], true);
    const { row: after, ...page } = person.page();
    const offices = (unit as UnitRecord | null)?.internalOffices;
    const suggestions = fixSuggestions({ kind: 'person', idFacts: idFactsFor(user.role, after), gender: after.gender ?? null, birthDate: after.birth_date ?? null, office: after.office ?? null, unitOffices: offices, leaderLevel: after.leader_level ?? null });
    return { person: page.person, findings: page.findings, resolved: saved.resolved, version: saved.version, suggestions, provenance };
  });

  app.get('/api/people/:id/history', async (req) => {
    const user = userOf(req);
    const p = await personInScope(db, user, (req.params as { id: string }).id, ['id', 'unit_id']);
    await audit(db, user.id, 'view_person', 'person', Number(p.id), { page: 'history' }, { unitId: Number(p.unit_id), ip: req.ip });
    const rows = await personHistory(db, Number(p.id));
    const who = await userNames(db, [...new Set(rows.map((r) => String(r.changed_by)))]);
    const unitIds = new Set<number>();
    const parsed = rows.map((r) => {
      const before = (r.before ? JSON.parse(r.before) : {}) as Row;
      const after = (r.after ? JSON.parse(r.after) : {}) as Row;
      for (const v of [before.unit_id, after.unit_id]) if (v != null) unitIds.add(Number(v));
      return { r, before, after };
    });
    const unitName = await unitNames(db, [...unitIds]);
    const shown = (column: string, v: unknown): unknown => {
      if (v == null) return null;
      if (column === 'unit_id') return unitName.get(Number(v)) ?? String(v);
      return v;
    };
    return parsed.map(({ r, before, after }) => {
      const columns = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((c) => !HIDDEN_COLUMNS.has(c) && c !== 'id');
      const order = (c: string) => {
        const i = PERSON_FIELDS.findIndex((f) => f.column === c);
        return i < 0 ? 999 : i;
      };
      columns.sort((a, b) => order(a) - order(b));
      return {
        version: Number(r.version),
        changedBy: r.changed_by === 'system' ? '系统' : who.get(r.changed_by) ?? r.changed_by,
        changedAt: r.changed_at,
        source: r.source,
        reason: r.reason ?? null,
        changes: columns
          .map((c) => ({ field: LABEL_BY_COLUMN.get(c) ?? c, before: shown(c, before[c]), after: shown(c, after[c]) }))
          .filter((c) => c.before !== c.after),
      };
    });
  });

  app.get('/api/people/:id/id-number', async (req) => {
    const user = userOf(req);
    const idParam = (req.params as { id: string }).id;
    if (!FULL_ID_ROLES.has(user.role)) {
      await audit(db, user.id, 'full_id_refused', 'person', /^\d{1,9}$/.test(idParam) ? Number(idParam) : null, { role: user.role }, { ip: req.ip });
      throw new ApiError(403, '您的角色无权查看完整身份证号');
    }
    const p = await personInScope(db, user, idParam, ['id', 'unit_id', 'id_enc']);
    // Written before the number leaves: no display without its audit row.
    await audit(db, user.id, 'view_full_id', 'person', Number(p.id), { via: 'api' }, { unitId: Number(p.unit_id), ip: req.ip });
    return { idNumber: p.id_enc ? pii.decrypt(p.id_enc) : null };
  });
};

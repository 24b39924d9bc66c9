// Issue 18, the 《人员入(出)编登记表》: issued by the 终审 approval of a 增人入编 or 减人出编
// (commands/decide-request.ts, in its transaction: the card's button, the mini-app and console,
// the CLI all go through it), numbered per year without gaps, its facts frozen (migration 033),
// sent to the unit's work group as a link to the request page; downloaded as PDF or Word from the
// request (the unit's users and the office; the full ID number only for FULL_ID_ROLES, masked for
// everyone else, in the file too); the office's register of issued forms, and its .xlsx export.

import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { registrationFormMessage } from '../cards/builders.ts';
import { documentDate, issuerName, numberShortName } from '../core/official-document.ts';
import { REGISTRATION_KIND_OF, REGISTRATION_KINDS, registrationDocument, registrationNumber, registrationTitle, type ApproverFact, type RegistrationFacts, type RegistrationKind } from '../core/registration-form.ts';
import type { RequestBody } from '../core/requests.ts';
import { FULL_ID_ROLES, inScope, OFFICE_ROLES, scopeIds, type UnitScope } from '../core/roles.ts';
import type { Target } from '../core/outbound.ts';
import { audit } from '../db/audit.ts';
import { nowMoment } from '../db/clock.ts';
import { enqueue } from '../db/outbox.ts';
import type { PiiCipher } from '../db/pii.ts';
import { nextRegistrationSeq, registerRows, registerYears, registrationFormOfRequest } from '../db/registration-forms.ts';
import { loadOffice } from '../db/settings.ts';
import { specialistsOf, unitGroupIds } from '../db/user-locks.ts';
import { CommandError } from './errors.ts';
import { DOCUMENT_CONTENT_TYPES, officialDocumentFile, type DocumentFormat } from './official-documents.ts';
import { requestInScope, requestUrl } from './request-effects.ts';

type Row = Record<string, any>;

export interface FormActor {
  id: string;
  role: string;
  scope: UnitScope;
  ip?: string | null;
}

const s = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/**
 * The form of an approved request, in the approval's transaction `trx`, after its effect and its
 * 终审 step are written: numbered, its facts frozen, an audit row and the unit's message queued.
 * Once per request (request_id is unique; a second call returns the form already issued).
 */
export async function issueRegistrationForm(trx: Knex, deps: { today: string; publicBaseUrl: string }, requestId: number, actorId: string): Promise<{ id: number; number: string } | null> {
  const req: Row | undefined = await trx('staffing_requests').where({ id: requestId }).first();
  const kind = req ? REGISTRATION_KIND_OF[req.kind] : undefined;
  if (!req || !kind || req.status !== 'approved') return null;
  const had = await registrationFormOfRequest(trx, requestId);
  if (had) return { id: Number(had.id), number: had.number };
  const body = JSON.parse(req.payload) as RequestBody;
  const [unit, person, steps, office] = await Promise.all([
    trx('units').where({ id: req.unit_id }).first('id', 'name', 'code'),
    req.person_id == null ? Promise.resolve(undefined) : trx('people').where({ id: req.person_id }).first(),
    trx('request_steps as s').leftJoin('users as u', 'u.id', 's.by').where('s.request_id', requestId).orderBy('s.id').select('s.step', 's.by', 'u.name as by_name', 's.decision', 's.comment', 's.at'),
    loadOffice(trx),
  ]);
  if (!person) throw new CommandError(409, '登记表缺少人员信息，不能签发');
  const act = (decision: string): ApproverFact | null => {
    const st = [...steps].reverse().find((x: Row) => x.decision === decision);
    return st ? { userId: st.by, name: st.by_name ?? st.by, at: st.at, comment: st.comment ?? null } : null;
  };
  const approver = act('approve');
  if (!approver) throw new CommandError(409, '没有终审记录，不能签发登记表');
  const approvedOn: string = req.approved_on ?? deps.today;
  const facts: RegistrationFacts = {
    kind,
    unit: { id: Number(unit.id), name: unit.name, code: s(unit.code) },
    person: { id: Number(person.id), name: person.name, gender: s(person.gender), birthDate: s(person.birth_date), idMasked: req.id_masked ?? person.id_masked ?? '' },
    quotaKind: body.kind === '增人入编' ? body.quotaKind : s(person.quota_kind),
    reason: s(req.reason) ?? s((body as { reason?: string }).reason),
    approval: { requestId, no: req.request_no ?? String(requestId), date: approvedOn },
    reviewer: act('pass'),
    approver,
    office: issuerName(office),
  };
  if (body.kind === '增人入编') {
    const plan = body.planId != null ? await trx('staffing_requests').where({ id: body.planId }).first('request_no') : null;
    facts.entry = { enteredOn: s(person.entered_on), workStartOn: s(person.work_start_on), office: s(person.office), posts: s(person.posts), education: s(person.education), identity: s(person.identity), planNo: s(plan?.request_no) };
  }
  if (body.kind === '减人出编') facts.exit = { reason: body.exitReason, date: body.exitDate };
  const year = Number(approvedOn.slice(0, 4));
  const seq = await nextRegistrationSeq(trx, year);
  const number = registrationNumber(numberShortName(office), year, seq);
  const issuedAt = nowMoment();
  const inserted = await trx('registration_forms').insert({
    year, seq, number, request_id: requestId, kind, unit_id: facts.unit.id, person_id: facts.person.id, person_name: facts.person.name,
    id_enc: req.id_enc ?? person.id_enc ?? null, id_hash: req.person_id_hash ?? person.id_hash ?? null, id_masked: facts.person.idMasked || null, facts: JSON.stringify(facts), approved_on: approvedOn, issued_at: issuedAt, issued_by: actorId,
  });
  const id = Number(Array.isArray(inserted) ? inserted[0] : inserted);
  await audit(trx, actorId, 'registration_form_issue', 'reg_form', id, { no: facts.approval.no, number, kind }, { unitId: facts.unit.id });
  // To the unit's work group, else its 单位专管员 1:1: a link to the request page, no ID number.
  const group = (await unitGroupIds(trx, [facts.unit.id])).get(facts.unit.id);
  const specialists = group ? [] : await specialistsOf(trx, [facts.unit.id], { locked: false });
  const target: Target | null = group ? { kind: 'group', groupId: group } : specialists.length ? { kind: 'users', userIds: specialists.map((x) => String(x.id)) } : null;
  if (target) {
    const message = registrationFormMessage({
      unitName: facts.unit.name, personName: facts.person.name, requestKind: req.kind, no: facts.approval.no, approvedText: documentDate(approvedOn), title: registrationTitle(kind), number,
    }, requestUrl(deps.publicBaseUrl, requestId));
    await enqueue(trx, `registration-form:${requestId}`, { op: 'send', target, message });
  }
  return { id, number };
}

/** What the request page shows of its form (no ID number). */
export interface RegistrationFormInfo {
  id: number;
  number: string;
  kind: RegistrationKind;
  title: string;
  issuedAt: string;
  approvedOn: string;
  personName: string;
  unitName: string;
}

/** The form of a request the actor may see (null: none issued). 404/403 as the request's. */
export async function registrationFormInfo(db: Knex, actor: FormActor, requestId: number): Promise<RegistrationFormInfo | null> {
  await requestInScope(db, actor, requestId);
  const f = await registrationFormOfRequest(db, requestId);
  if (!f) return null;
  const facts = JSON.parse(f.facts) as RegistrationFacts;
  return { id: Number(f.id), number: f.number, kind: f.kind, title: registrationTitle(f.kind), issuedAt: f.issued_at, approvedOn: f.approved_on, personName: f.person_name, unitName: facts.unit.name };
}

/**
 * The form as a file, for a request the actor may see: the ID number in full for FULL_ID_ROLES,
 * masked for everyone else; audited (registration_form_download).
 */
export async function registrationFormFile(db: Knex, pii: PiiCipher, actor: FormActor, requestId: number, format: DocumentFormat, via = 'miniapp'): Promise<{ body: Buffer; contentType: string; fileName: string; number: string }> {
  if (format !== 'pdf' && format !== 'docx') throw new CommandError(400, '格式应为 pdf 或 docx');
  await requestInScope(db, actor, requestId);
  const f = await registrationFormOfRequest(db, requestId);
  if (!f) throw new CommandError(404, '该申请没有登记表：增人入编、减人出编经终审同意后才签发登记表');
  const facts = JSON.parse(f.facts) as RegistrationFacts;
  const full = FULL_ID_ROLES.has(actor.role) && f.id_enc ? pii.decrypt(f.id_enc) : null;
  const doc = registrationDocument(facts, { number: f.number, issuedAt: f.issued_at }, full ?? facts.person.idMasked);
  const body = await officialDocumentFile(doc, format);
  await audit(db, actor.id, 'registration_form_download', 'reg_form', Number(f.id), { number: f.number, no: facts.approval.no, file: format, fullId: Boolean(full), via }, { unitId: facts.unit.id, ip: actor.ip ?? null });
  return { body, contentType: DOCUMENT_CONTENT_TYPES[format], fileName: `${registrationTitle(f.kind)}-${f.number}.${format}`, number: f.number };
}

// ---- the register (登记表台账)

export interface RegisterLine {
  id: number;
  number: string;
  kind: RegistrationKind;
  requestId: number;
  requestNo: string;
  unitId: number;
  unitName: string;
  personName: string;
  idMasked: string;
  quotaKind: string | null;
  approvedOn: string;
  issuedAt: string;
}

export interface Register {
  filter: { year: number | null; kind: RegistrationKind | null; unitId: number | null };
  years: number[];
  rows: RegisterLine[];
}

function registerFilter(q: Record<string, unknown>): Register['filter'] {
  const raw = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v));
  const y = raw(q.year);
  if (y && !/^\d{4}$/.test(y)) throw new CommandError(400, '年份应为四位数字，如 2026', { year: '应为四位数字' });
  const k = raw(q.kind);
  if (k && !REGISTRATION_KINDS.includes(k as RegistrationKind)) throw new CommandError(400, '类型应为 入编 或 出编', { kind: '应为 入编 或 出编' });
  const u = raw(q.unit);
  if (u && !/^\d{1,9}$/.test(u)) throw new CommandError(400, '单位应为单位ID（数字）', { unit: '应为单位ID' });
  return { year: y ? Number(y) : null, kind: (k || null) as RegistrationKind | null, unitId: u ? Number(u) : null };
}

/** The office's register of issued forms (office roles, within their scope), filtered by year, kind and unit; ID numbers masked. */
export async function registrationRegister(db: Knex, actor: FormActor, query: Record<string, unknown>): Promise<Register> {
  if (!OFFICE_ROLES.has(actor.role)) throw new CommandError(403, '登记表台账仅限编办人员查看');
  const filter = registerFilter(query);
  if (filter.unitId !== null && !inScope(actor, filter.unitId)) throw new CommandError(403, '超出您的数据范围');
  const rows = await registerRows(db, { unitIds: scopeIds(actor), year: filter.year ?? undefined, kind: filter.kind ?? undefined, unitId: filter.unitId ?? undefined });
  return {
    filter,
    years: await registerYears(db),
    rows: rows.map((r) => {
      const facts = JSON.parse(r.facts) as RegistrationFacts;
      return {
        id: Number(r.id), number: r.number, kind: r.kind, requestId: Number(r.request_id), requestNo: r.request_no ?? facts.approval.no, unitId: Number(r.unit_id), unitName: facts.unit.name,
        personName: r.person_name, idMasked: r.id_masked ?? '', quotaKind: facts.quotaKind, approvedOn: r.approved_on, issuedAt: r.issued_at,
      };
    }),
  };
}

export const REGISTER_HEADERS = ['表号', '类型', '单位ID', '单位名称', '姓名', '身份证号', '编制类型', '审批编号', '批准日期', '签发时间'] as const;

/** The register as .xlsx (ID numbers masked for every role), audited (registration_register_export). */
export async function registrationRegisterWorkbook(db: Knex, actor: FormActor, query: Record<string, unknown>): Promise<{ body: Buffer; fileName: string; rows: number }> {
  const reg = await registrationRegister(db, actor, query);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('登记表台账');
  ws.addRow([...REGISTER_HEADERS]);
  ws.getRow(1).font = { bold: true };
  for (const r of reg.rows) ws.addRow([r.number, r.kind, r.unitId, r.unitName, r.personName, r.idMasked, r.quotaKind ?? '', r.requestNo, r.approvedOn, r.issuedAt]);
  ws.columns.forEach((c, i) => { c.width = i === 3 ? 32 : i === 0 || i === 5 ? 22 : 14; });
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  const f = reg.filter;
  await audit(db, actor.id, 'registration_register_export', 'reg_form', null, { rows: reg.rows.length, filters: { year: f.year, kind: f.kind, unitId: f.unitId }, via: 'console' }, { ip: actor.ip ?? null });
  const suffix = [f.year, f.kind, f.unitId !== null ? `单位${f.unitId}` : null].filter((x) => x !== null).join('-');
  return { body, fileName: `登记表台账${suffix ? `-${suffix}` : ''}.xlsx`, rows: reg.rows.length };
}

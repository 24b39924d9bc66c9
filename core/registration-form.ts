// The 《人员入(出)编登记表》 (shengzhou-big-data.txt: the basis on which payroll and social
// insurance act): the facts frozen when a 增人入编 or 减人出编 is finally approved, its number,
// and the form as an OfficialDocument (rendered to Word and PDF by commands/official-documents.ts).
// Pure: commands/registration-form.ts reads the facts in the approval's transaction and stores them.

import { documentDate, type OfficialDocument } from './official-document.ts';
import type { IsoDate } from './model.ts';

export type RegistrationKind = '入编' | '出编';

/** The request kinds that issue a form, and the form's kind for each. */
export const REGISTRATION_KIND_OF: Record<string, RegistrationKind> = { 增人入编: '入编', 减人出编: '出编' };
export const REGISTRATION_KINDS: readonly RegistrationKind[] = ['入编', '出编'];

/** One approver's act: who (name and 用户ID), when, and the comment. */
export interface ApproverFact {
  userId: string;
  name: string;
  at: string;
  comment: string | null;
}

/** What the form says, frozen at issue; the ID number here is masked (the full one is kept encrypted apart). */
export interface RegistrationFacts {
  kind: RegistrationKind;
  /** The unit: its id (the register's filter, never printed) and its 统一社会信用代码 (printed; absent on forms issued before it was kept). */
  unit: { id: number; name: string; code?: string | null };
  person: { id: number | null; name: string; gender: string | null; birthDate: string | null; idMasked: string };
  /** 编制类型. */
  quotaKind: string | null;
  /** 入编: what the approved request carried (empty values left out). */
  entry?: { enteredOn: string | null; workStartOn: string | null; office: string | null; posts: string | null; education: string | null; identity: string | null; planNo: string | null };
  /** 出编: 出编原因 and 出编日期. */
  exit?: { reason: string; date: IsoDate };
  /** 申请理由. */
  reason: string | null;
  approval: { requestId: number; no: string; date: IsoDate };
  /** 初审 (null only for a request approved without one). */
  reviewer: ApproverFact | null;
  /** 终审. */
  approver: ApproverFact;
  /** The office's name (落款). */
  office: string;
}

/**
 * The form's number: `{short}登〔{year}〕{seq}号`, where `short` is the office's short name
 * (core/official-document.ts numberShortName: 柯编 → 柯编登〔2026〕12号; none at all: 编登〔2026〕12号).
 */
export function registrationNumber(shortName: string, year: number, seq: number): string {
  return `${shortName}登〔${year}〕${seq}号`;
}

/** 2026-11-23 10:05:00 → 2026年11月23日 10:05. */
export function momentText(at: string): string {
  const day = at.slice(0, 10);
  const time = at.slice(11, 16);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${documentDate(day)}${time ? ` ${time}` : ''}` : at;
}

const approverText = (a: ApproverFact | null): string => (a ? `${a.name}　${momentText(a.at)}${a.comment ? `　意见：${a.comment}` : ''}` : '—');

/** The unit as the official form prints it: its name and 统一社会信用代码, never the internal database id. */
export const unitText = (u: RegistrationFacts['unit']): string => (u.code ? `${u.name}（统一社会信用代码 ${u.code}）` : u.name);

/** The form's title by kind. */
export const registrationTitle = (kind: RegistrationKind): string => (kind === '入编' ? '人员入编登记表' : '人员出编登记表');

/**
 * The form as an OfficialDocument. `idText` is what the reader may see of the ID number: the full
 * number for FULL_ID_ROLES, the masked one (facts.person.idMasked) for everyone else.
 */
export function registrationDocument(f: RegistrationFacts, meta: { number: string; issuedAt: string }, idText: string): OfficialDocument {
  const v = (s: string | null | undefined) => (s == null || s === '' ? '—' : s);
  const person: Array<{ label: string; value: string; wide?: boolean }> = [
    { label: '姓名', value: f.person.name },
    { label: '性别', value: v(f.person.gender) },
    { label: '身份证号', value: idText },
    { label: '出生日期', value: v(f.person.birthDate) },
    { label: '所在单位', value: unitText(f.unit), wide: true },
    { label: '编制类型', value: v(f.quotaKind) },
  ];
  if (f.kind === '入编' && f.entry) {
    person.push(
      { label: '入编日期', value: v(f.entry.enteredOn) },
      { label: '参加工作时间', value: v(f.entry.workStartOn) },
      { label: '所在处室', value: v(f.entry.office) },
      { label: '职务', value: v(f.entry.posts) },
      { label: '学历', value: v(f.entry.education) },
      { label: '人员身份', value: v(f.entry.identity) },
    );
  }
  if (f.kind === '出编' && f.exit) person.push({ label: '出编原因', value: f.exit.reason }, { label: '出编日期', value: f.exit.date });
  const approval: Array<{ label: string; value: string; wide?: boolean }> = [
    { label: '审批编号', value: f.approval.no },
    { label: '批准日期', value: f.approval.date },
  ];
  if (f.kind === '入编' && f.entry?.planNo) approval.push({ label: '使用用编计划', value: f.entry.planNo, wide: true });
  approval.push(
    { label: '申请理由', value: v(f.reason), wide: true },
    { label: '初审', value: approverText(f.reviewer), wide: true },
    { label: '终审', value: approverText(f.approver), wide: true },
  );
  const act = f.kind === '入编' ? '增人入编' : '减人出编';
  return {
    title: registrationTitle(f.kind),
    number: meta.number,
    blocks: [
      { kind: 'form', title: '人员信息', fields: person },
      { kind: 'form', title: '审批信息', fields: approval },
      { kind: 'paragraph', text: `上述人员${act}事项已经批准（审批编号 ${f.approval.no}），特此登记。本表作为工资发放、社会保险办理的依据。` },
    ],
    signature: { issuer: f.office, date: f.approval.date },
    footnote: `由三色系统于${momentText(meta.issuedAt)}签发，表号 ${meta.number}`,
  };
}

// The shapes of server/API.md as the browser reads them.

import type { PersonInput } from '../../core/inputs.ts';
import type { FindingLight, IdFacts, Light, PersonCross, Scope, Severity, UnitRecord } from '../../core/model.ts';
import type { ImportIssue } from '../../core/sheets.ts';

export type Role = '编办管理员' | '编办业务人员' | '分管领导' | '单位领导' | '单位专管员' | '查询用户' | '数据安全管理员';

export interface Me {
  id: string;
  name: string;
  role: Role | string;
  /** The user's unit: `id` is what routes and links address (a credit code may be shared). */
  unit: { id?: number; code: string; name: string } | null;
  /** 所属区划 of a county's office (sees its county only); absent or null: the whole deployment. */
  regionCode?: string | null;
  fullIds: boolean;
  /** The page the role starts on: '/console' (office) or '/todo' (unit). */
  home: string;
  csrfToken: string;
  platform: string;
  login?: { dingtalk?: { corpId: string; clientId: string }; zhengding?: Record<string, unknown> };
}

/** The platform and its no-login ids, as the 401 of GET /api/me gives them (`platform`, `login`). */
export interface AuthConfig {
  platform: 'dingtalk' | 'zhengding' | 'sandbox' | string;
  dingtalk?: { corpId: string; clientId: string };
  zhengding?: Record<string, unknown>;
}

export interface SandboxUser {
  id: string;
  name: string;
  role: string;
  unitName: string | null;
  /** Of the unit of the card the user came from (the server puts them first). */
  named?: boolean;
}

export interface Finding {
  id: number;
  rule: string;
  title: string;
  severity: Severity;
  unit: string;
  /** The unit's id: what links and filters address. */
  unitId?: number;
  unitName: string;
  subject: { kind: Scope; id: number | string | null; name: string; idMasked: string | null };
  qualifier: string | null;
  /** 'hint' for an open 提示 (an S3 rule): no deadline, not in the unit's light. */
  light: FindingLight;
  openedOn: string;
  redFrom: string | null;
  resolvedOn: string | null;
  /** open, resolved (已整改) or explained (已说明). */
  status?: string;
  detail: Record<string, unknown> | null;
  /** The detail in Chinese (cards/details.ts on the server). */
  detailText?: string | null;
  /** The qualifier as users see it (null where it only tells findings apart). */
  qualifierText?: string | null;
  /** Where it is fixed (core/finding-fixes.ts): the link to follow and what it says. */
  fix?: { kind: string; label: string; href: string };
}

export interface PersonView {
  person: PersonInput;
  unit: Omit<UnitRecord, 'agg'> & { agg?: UnitRecord['agg'] };
  findings: Finding[];
  version: number | string;
  /** The rules' view of the stored ID number, to re-check it here. */
  idFacts?: IdFacts;
  /** The cross-row facts of the record. */
  cross?: PersonCross;
  /** The names of the unit's 单位专管员 (whom a read-only role is told to ask). */
  specialists?: string[];
  /** Not in API.md: the stored record's id (taken from the route when absent). */
  id?: number;
}

export interface SaveResult {
  person: PersonInput;
  findings: Finding[];
  resolved: string[];
  version: number | string;
}

export interface HistoryEntry {
  version: number | string;
  changedBy: string;
  changedAt: string;
  source: string;
  reason: string | null;
  changes: Array<{ field: string; before: unknown; after: unknown }>;
}

export interface UnitSummary {
  /** The unit's id: what routes and links address (its credit code may be shared, U-IN-06). */
  id: number;
  code: string;
  name: string;
  light?: Light;
  red?: number;
  yellow?: number;
  hint?: number;
  open?: number | { red?: number; yellow?: number; total?: number };
  [k: string]: unknown;
}

/** The counts the server gives as `findings` of a self-check (API.md leaves the shape open). */
export interface SelfCheckCounts {
  open: number;
  red?: number;
  yellow?: number;
  hint?: number;
  opened?: number;
  resolved?: number;
  people?: number;
}

export interface SelfCheckResult {
  unit?: { code: string; name: string };
  findings: Finding[] | SelfCheckCounts;
  selfChecksThisMonth: number;
}

export interface ImportResponse {
  ok: boolean;
  errors: ImportIssue[];
  notices: string[];
  counts: Record<string, { created: number; updated: number; unchanged: number } | number>;
  errorFile?: string;
  /** All errors (the answer lists at most the first 1,000; the error workbook has them all). */
  errorCount?: number;
}

/** GET /api/import/:id: an import running on the server, then its result. */
export interface ImportJobView {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  fileName: string;
  progress: { phase: 'read' | 'validate' | 'write' | 'done'; read: number; validated: number; written: number; total: number };
  result?: ImportResponse;
  error?: string;
}

export interface CheckSummaryView {
  date: string;
  units: number;
  people: number;
  workers: number;
  findings: { opened: number; kept: number; resolved: number; open: number; byRule: Record<string, number>; byLight: { yellow: number; red: number; hint?: number } };
  monthClosed: null | { month: string; red: number; reminders: number; suspensions: number };
  ms: number;
}

/** Roles that see every unit and the console; that may import and run the check; that may change records. */
export { SECURITY_ROLES } from '../../core/roles.ts';
export { OFFICE_ROLES, ADMIN_ROLES as OPERATOR_ROLES, WRITE_ROLES as WRITER_ROLES } from '../../core/roles.ts';

/** A staffing request as the server shows it (server/API.md "Requests"). */
export type { RequestView } from '../../core/requests.ts';

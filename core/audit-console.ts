// What the 数据安全管理员's console shows of the audit vocabulary (core/audit-actions.ts, the one
// list of actions, its own export and monthly 排查 included): the edits of record_versions shown
// among the rows (修改记录), the filter's choices by group, and the export actions the monthly 排查
// counts. One label function for the list, the export and the filter.

import { AUDIT_ACTION_GROUPS, AUDIT_ACTIONS, auditActionLabel, type AuditActionGroup } from './audit-actions.ts';

/** The edits (record_versions) as the list's filter names them. */
export const VERSION_ACTION = 'record_version';
export const VERSION_LABEL = '修改记录';

/** The Chinese label of an action (an unknown one by its own name). */
export function actionLabel(action: string): string {
  if (action === VERSION_ACTION) return VERSION_LABEL;
  return auditActionLabel(action);
}

/** The filter's choices by group: [group label, [[action, label]…]]. */
export function actionChoices(): Array<[string, Array<[string, string]>]> {
  const groups = new Map<AuditActionGroup, Array<[string, string]>>();
  for (const [k, v] of Object.entries(AUDIT_ACTIONS)) {
    const g = groups.get(v.group) ?? [];
    g.push([k, v.label]);
    groups.set(v.group, g);
  }
  return [...groups].map(([g, list]) => [AUDIT_ACTION_GROUPS[g], list]);
}

/** The export actions (their rows are counted by the monthly 排查): the vocabulary's 导出 group, refusals left out, and the audit trail's own export. */
export const EXPORT_ACTIONS: readonly string[] = [
  ...Object.entries(AUDIT_ACTIONS).filter(([k, v]) => v.group === 'export' && !k.endsWith('_refused')).map(([k]) => k),
  'audit_export',
];

// The shapes the audit API answers with (db/audit-queries.ts, db/audit-integrity.ts) and the console page reads.

export interface AuditItem {
  /** 'audit' (an audit_log row) or 'version' (an edit, record_versions). */
  kind: 'audit' | 'version';
  id: number;
  at: string;
  actor: string;
  actorName: string;
  action: string;
  actionLabel: string;
  entity: string | null;
  entityId: number | null;
  /** The person's name when the row is about a person. */
  subjectName: string | null;
  unitId: number | null;
  unitName: string | null;
  /** The detail as stored, ID numbers masked. */
  detail: unknown;
  /** The object in Chinese (人员：张三, 申请 SQ2026-000065, 计划任务…). */
  subject: string;
  /** The detail in Chinese lines (core/audit-details.ts). */
  lines: string[];
  ip: string | null;
  /** Edits: the version, the changed fields (Chinese where known), source and reason, and where its history is. */
  version?: { version: number; fields: string[]; changes: Array<{ field: string; before: string; after: string }>; source: string; reason: string | null };
}

export interface AuditIntegrity {
  ok: boolean;
  rows: number;
  unsealed: number;
  problems: number;
  broken: { id: number | null; seq: number | null; at: string | null; action: string | null; actionLabel: string | null; problem: string } | null;
  checkedAt: string;
}

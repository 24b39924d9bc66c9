// What the 数据安全管理员's console adds to the audit vocabulary (core/audit-actions.ts, written by
// the audit trail): the edits of record_versions shown among the rows (修改记录), and the two acts
// of the console itself (its export, the monthly 排查). One label function for the list, the
// export and the filter.

import { AUDIT_ACTION_GROUPS, AUDIT_ACTIONS, auditActionLabel, type AuditActionGroup } from './audit-actions.ts';

/** The edits (record_versions) as the list's filter names them. */
export const VERSION_ACTION = 'record_version';
export const VERSION_LABEL = '修改记录';

/** The console's own acts, audited. */
export const CONSOLE_ACTIONS = {
  audit_export: '导出审计日志',
  audit_review: '审计日志月度排查',
} as const;

/** The Chinese label of an action (an unknown one by its own name). */
export function actionLabel(action: string): string {
  if (action === VERSION_ACTION) return VERSION_LABEL;
  return (CONSOLE_ACTIONS as Record<string, string>)[action] ?? auditActionLabel(action);
}

/** The filter's choices by group: [group label, [[action, label]…]]. */
export function actionChoices(): Array<[string, Array<[string, string]>]> {
  const groups = new Map<AuditActionGroup, Array<[string, string]>>();
  for (const [k, v] of Object.entries(AUDIT_ACTIONS)) {
    const g = groups.get(v.group) ?? [];
    g.push([k, v.label]);
    groups.set(v.group, g);
  }
  const out: Array<[string, Array<[string, string]>]> = [...groups].map(([g, list]) => [AUDIT_ACTION_GROUPS[g], list]);
  const audit = out.find(([g]) => g === AUDIT_ACTION_GROUPS.audit);
  const own = Object.entries(CONSOLE_ACTIONS) as Array<[string, string]>;
  if (audit) audit[1].push(...own);
  else out.push([AUDIT_ACTION_GROUPS.audit, own]);
  return out;
}

/** The export actions (their rows are counted by the monthly 排查): the vocabulary's 导出 group, refusals left out, and the audit trail's own export. */
export const EXPORT_ACTIONS: readonly string[] = [
  ...Object.entries(AUDIT_ACTIONS).filter(([k, v]) => v.group === 'export' && !k.endsWith('_refused')).map(([k]) => k),
  'audit_export',
];

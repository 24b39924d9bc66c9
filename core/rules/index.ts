// The rule catalogue of domain.md §5, in catalogue order.

import type { Rule } from './define.ts';
import { CROSS_SYSTEM_RULES } from './cross-system.ts';
import { IDENTITY_RULES } from './identity.ts';
import { INSTITUTION_RULES } from './institution.ts';
import { LEADER_RULES } from './leaders.ts';
import { PROCESS_RULES } from './process.ts';
import { QUOTA_RULES } from './quotas.ts';
import { RETIREMENT_RULES } from './retirement.ts';
import { STATUS_RULES } from './status.ts';
import { TIMELINESS_RULES } from './timeliness.ts';
import { WORKER_RULES } from './workers.ts';

export const RULES: Rule[] = [
  ...IDENTITY_RULES, // 5.1 P-ID-01…14
  ...RETIREMENT_RULES, // 5.2 P-RT-01…06
  ...TIMELINESS_RULES, // 5.3 P-TM-01…08
  ...STATUS_RULES, // 5.4 P-ST-01…14
  ...LEADER_RULES, // 5.5 U-LD-01…07
  ...QUOTA_RULES, // 5.6 U-QT-01…07
  ...INSTITUTION_RULES, // 5.7 U-IN-01…13
  ...PROCESS_RULES, // 5.8 U-PR-01…03
  ...CROSS_SYSTEM_RULES, // 5.9 X-SI, X-PY, X-OR, X-ED, X-RG
  ...WORKER_RULES, // 5.10 W-01…07
];

const BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.code, r]));

export function ruleByCode(code: string): Rule | undefined {
  return BY_CODE.get(code);
}

/** A finding's title as users read it: the rule's title, with its qualifier (e.g. 超编（行政编制）). */
export function findingTitle(code: string, qualifier: string | null | undefined): string {
  const title = BY_CODE.get(code)?.title ?? code;
  return qualifier ? `${title}（${qualifier}）` : title;
}

export type { Hit, Rule, RuleContext } from './define.ts';

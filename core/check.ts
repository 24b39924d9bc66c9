// Running the catalogue over one record: the only place rules are called from.

import type { Scope, UnitRecord } from './model.ts';
import type { Hit, OfficeSettings, RecordOf, Rule, RuleContext } from './rules/define.ts';
import type { WorkdayCalendar } from './calendar.ts';
import type { IsoDate } from './model.ts';

export interface RuleSetting {
  enabled: boolean;
  params?: Record<string, unknown>;
}

export interface Evaluation {
  rule: Rule;
  hit: Hit;
}

/** The catalogue as an office configured it: disabled rules dropped, parameters merged. */
export interface ConfiguredRule {
  rule: Rule;
  params: Record<string, unknown>;
}

export function configureRules(rules: Rule[], settings: Record<string, RuleSetting | undefined>): ConfiguredRule[] {
  const out: ConfiguredRule[] = [];
  for (const rule of rules) {
    const s = settings[rule.code];
    if (s && !s.enabled) continue;
    out.push({ rule, params: { ...(rule.params as object), ...(s?.params ?? {}) } });
  }
  return out;
}

export type Evaluator = <S extends Scope>(scope: S, record: RecordOf<S>, unit: UnitRecord | null) => Evaluation[];

/**
 * Binds the configured rules to a day. The contexts are built once and reused for every record,
 * so the nightly scan allocates nothing per rule and record.
 */
export function createEvaluator(rules: ConfiguredRule[], env: { date: IsoDate; calendar: WorkdayCalendar; office: OfficeSettings }): Evaluator {
  const byScope: Record<Scope, Array<{ rule: Rule; ctx: RuleContext & { unit: UnitRecord | null } }>> = { person: [], unit: [], worker: [] };
  for (const { rule, params } of rules) byScope[rule.scope].push({ rule, ctx: { ...env, params, unit: null } });
  return (scope, record, unit) => {
    const out: Evaluation[] = [];
    for (const entry of byScope[scope]) {
      entry.ctx.unit = unit;
      const r = (entry.rule.check as (r: unknown, c: unknown) => Hit | Hit[] | null)(record, entry.ctx);
      if (!r) continue;
      if (Array.isArray(r)) for (const hit of r) out.push({ rule: entry.rule, hit });
      else out.push({ rule: entry.rule, hit: r });
    }
    return out;
  };
}

export function fingerprint(rule: string, scope: Scope, entityId: number, qualifier?: string): string {
  return `${rule}|${scope}:${entityId}|${qualifier ?? ''}`;
}

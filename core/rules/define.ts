// The shape of a rule. Each rule is written once, as a pure predicate over a normalised record
// (core/model.ts). Cross-row rules read grouped facts that db/ attached to the record
// (UnitRecord.agg, PersonRecord.cross), so the nightly batch and the instant re-check of one
// record run the same code.

import type { WorkdayCalendar } from '../calendar.ts';
import type { IsoDate, PersonRecord, Scope, Severity, UnitRecord, WorkerRecord } from '../model.ts';

export interface RuleContext<P = Record<string, unknown>> {
  /** The day being checked. */
  date: IsoDate;
  calendar: WorkdayCalendar;
  /** This rule's parameters, after the office's overrides. */
  params: P;
  /** The office's own settings. */
  office: OfficeSettings;
}

export interface OfficeSettings {
  /** The office's administrative division code (e.g. 330603); U-IN-05 compares credit codes with it. */
  regionCode: string | null;
}

/** What a predicate returns when the record breaks the rule. */
export interface Hit {
  /** Separates several findings of one rule on one record, e.g. the 编制类型 for 超编. */
  qualifier?: string;
  /** Facts shown to the user next to the rule's title (values only, no sentences). */
  detail?: Record<string, unknown>;
  /** When the subject is not the record itself (e.g. a contract not yet registered, W-07). */
  subject?: { kind: Scope; name: string; idMasked: string | null };
  /** The finding stays hidden until the condition has lasted this many calendar days (U-QT-04, U-LD-07). */
  holdDays?: number;
}

export type RecordOf<S extends Scope> = S extends 'person' ? PersonRecord : S extends 'unit' ? UnitRecord : WorkerRecord;

/** Person and worker rules also see their unit. */
export type Predicate<S extends Scope, P> = (record: RecordOf<S>, ctx: RuleContext<P> & { unit: S extends 'unit' ? null : UnitRecord }) => Hit | Hit[] | null;

export interface Rule<S extends Scope = Scope, P = any> {
  code: string;
  title: string;
  scope: S;
  severity: Severity;
  /** Defaults; an office may override them (db table rule_settings). */
  params: P;
  /** Human description of the grace period, e.g. '入编后5个工作日'. */
  grace?: string;
  /** For a list parameter, the values an office may choose from (checked when it is set). */
  choices?: { [K in keyof P]?: readonly string[] };
  check: Predicate<S, P>;
}

export function defineRule<S extends Scope, P extends Record<string, unknown> = Record<string, never>>(rule: Rule<S, P>): Rule<S, P> {
  return rule;
}

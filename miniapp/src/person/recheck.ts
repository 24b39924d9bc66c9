// The person rules run in the browser on the record being edited (core/check.ts with the
// catalogue of core/rules), to tell before saving which of the person's open findings the edit
// fixes. The browser lacks some facts the server has (office rule settings, calendar overrides,
// and — unless the server sends them — the ID number's facts and the cross-row facts), so a
// finding is judged only when the stored record, run through the same code here, reproduces it;
// the others are left to the re-check the server does on saving.

import { createCalendar, type WorkdayCalendar } from '../../../core/calendar.ts';
import { configureRules, createEvaluator, type Evaluator } from '../../../core/check.ts';
import { emptyAggregates } from '../../../core/aggregates.ts';
import { todayInShanghai } from '../../../core/dates.ts';
import { idFacts } from '../../../core/idnumber.ts';
import type { PersonInput } from '../../../core/inputs.ts';
import type { IdFacts, PersonCross, PersonRecord, UnitRecord } from '../../../core/model.ts';
import { RULES } from '../../../core/rules/index.ts';
import type { Finding, PersonView } from '../types.ts';
import { isMaskedId } from './form.ts';

const NO_CROSS: PersonCross = { sameIdInUnit: 0, otherQuotaUnits: 0, sameNameBirthOtherIds: 0, pendingChanges: [] };

let calendar: WorkdayCalendar | null = null;
let evaluators = new Map<string, Evaluator>();

/** The person rules with their default parameters, bound to a day. */
export function personEvaluator(date: string = todayInShanghai()): Evaluator {
  let e = evaluators.get(date);
  if (!e) {
    calendar ??= createCalendar();
    const rules = configureRules(RULES.filter((r) => r.scope === 'person'), {});
    e = createEvaluator(rules, { date, calendar, office: { regionCode: null } });
    evaluators = new Map([[date, e]]);
  }
  return e;
}

/**
 * The ID facts for a record when the server did not send them: a well-formed number whose birth
 * and gender are unknown. Rules that need them then agree on the stored and the edited record, so
 * they never claim a fix; the server's re-check judges them.
 */
export function unknownIdFacts(masked: string): IdFacts {
  return { kind: '18', checkOk: true, expectedCheck: null, birth: null, birthInvalid: false, gender: null, provinceOk: true, irregular: false, masked };
}

export interface RecordContext {
  id: number;
  unit: UnitRecord;
  /** The stored number's facts (server-sent or unknownIdFacts). */
  storedIdFacts: IdFacts;
  /** The server sent the stored number's facts. */
  idFactsKnown: boolean;
  cross: PersonCross;
  date: string;
}

export function recordContext(view: PersonView, id: number, date: string = todayInShanghai()): RecordContext {
  const unit: UnitRecord = { ...(view.unit as UnitRecord), agg: view.unit.agg ?? emptyAggregates(), quotas: view.unit.quotas ?? {}, leaderPosts: view.unit.leaderPosts ?? {}, internalOffices: view.unit.internalOffices ?? [] };
  return {
    id: view.id ?? id,
    unit,
    storedIdFacts: view.idFacts ?? unknownIdFacts(view.person.idNumber ?? ''),
    idFactsKnown: !!view.idFacts,
    cross: view.cross ?? NO_CROSS,
    date,
  };
}

/** A form value (PersonInput) as the normalised record the rules read. */
export function toPersonRecord(p: PersonInput, ctx: RecordContext): PersonRecord {
  const typedId = p.idNumber && !isMaskedId(p.idNumber) ? p.idNumber : null;
  const n = <T>(v: T | null | undefined): T | null => (v === undefined || v === '' ? null : v);
  return {
    id: ctx.id,
    unitId: ctx.unit.id,
    idFacts: typedId ? idFacts(typedId, ctx.date) : ctx.storedIdFacts,
    name: p.name,
    gender: n(p.gender),
    ethnicity: n(p.ethnicity),
    birthDate: n(p.birthDate),
    office: n(p.office),
    status: n(p.status),
    quotaKind: n(p.quotaKind),
    posts: n(p.posts),
    leaderLevel: n(p.leaderLevel),
    rank: n(p.rank),
    postCategory: n(p.postCategory),
    title: n(p.title),
    dutyStatus: n(p.dutyStatus),
    dutyStatusSince: n(p.dutyStatusSince),
    enteredOn: n(p.enteredOn),
    workStartOn: n(p.workStartOn),
    currentPostSince: n(p.currentPostSince),
    education: n(p.education),
    identity: n(p.identity),
    lateRetireUntil: n(p.lateRetireUntil),
    politics: n(p.politics),
    // A changed ID number is another person's cross-row facts: unknown here.
    cross: typedId ? NO_CROSS : ctx.cross,
  };
}

export interface LocalHit {
  rule: string;
  title: string;
  qualifier: string;
  detail: Record<string, unknown> | null;
}

/** Rules that read nothing but the ID number's facts: not judged on a stored number whose facts are unknown. */
const ID_FACT_RULES: ReadonlySet<string> = new Set(['P-ID-01', 'P-ID-02', 'P-ID-03', 'P-ID-04', 'P-ID-05', 'P-ID-06', 'P-ID-07']);

export function localHits(p: PersonInput, ctx: RecordContext): LocalHit[] {
  const evaluate = personEvaluator(ctx.date);
  const record = toPersonRecord(p, ctx);
  const factsUnknown = !ctx.idFactsKnown && record.idFacts === ctx.storedIdFacts;
  return evaluate('person', record, ctx.unit).filter(({ rule }) => !(factsUnknown && ID_FACT_RULES.has(rule.code))).map(({ rule, hit }) => ({
    rule: rule.code,
    title: rule.title,
    qualifier: hit.qualifier ?? '',
    detail: hit.detail ?? null,
  }));
}

const keyOf = (rule: string, qualifier: string | null | undefined) => `${rule}|${qualifier ?? ''}`;

export type FindingOutlook = 'fixed' | 'still' | 'unknown';

export interface Outlook {
  /** Each open finding of the person: fixed by the edit, still broken, or not judged here. */
  findings: Array<{ finding: Finding; outlook: FindingOutlook }>;
  /** Problems the edit would bring that the stored record does not have. */
  added: LocalHit[];
}

/**
 * Compares the stored record and the edited one under the same rules. `stored` is the stored
 * record as a PersonInput; `edited` is null while the form has errors (nothing is judged then).
 */
export function outlook(findings: Finding[], stored: PersonInput, edited: PersonInput | null, ctx: RecordContext): Outlook {
  const before = new Set(localHits(stored, ctx).map((h) => keyOf(h.rule, h.qualifier)));
  if (!edited) return { findings: findings.map((finding) => ({ finding, outlook: 'unknown' })), added: [] };
  const afterHits = localHits(edited, ctx);
  const after = new Set(afterHits.map((h) => keyOf(h.rule, h.qualifier)));
  const open = new Set(findings.map((f) => keyOf(f.rule, f.qualifier)));
  return {
    findings: findings.map((finding) => {
      const k = keyOf(finding.rule, finding.qualifier);
      const outlook: FindingOutlook = !before.has(k) ? 'unknown' : after.has(k) ? 'still' : 'fixed';
      return { finding, outlook };
    }),
    added: afterHits.filter((h) => {
      const k = keyOf(h.rule, h.qualifier);
      return !before.has(k) && !open.has(k);
    }),
  };
}

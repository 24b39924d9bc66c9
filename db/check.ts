// The daily check: one streamed scan of people, workers and units through every rule, diffed
// against the live findings by fingerprint (open, keep, resolve), and each unit's light for the
// day; the first check of a month closes the previous one (db/month-close.ts). Also the re-check
// of one record, which runs the same predicates.

import type { Knex } from 'knex';
import { addPerson, addWorker } from '../core/aggregates.ts';
import { configureRules, createEvaluator, fingerprint, type Evaluation, type Evaluator } from '../core/check.ts';
import type { WorkdayCalendar } from '../core/calendar.ts';
import { daysBetween } from '../core/dates.ts';
import { DEFAULT_ESCALATION, type EscalationPolicy } from '../core/escalation.ts';
import { openLightsOn } from '../core/lights.ts';
import type { FindingLight, IsoDate, Light, Scope, UnitRecord } from '../core/model.ts';
import { RULES } from '../core/rules/index.ts';
import type { Rule } from '../core/rules/define.ts';
import { INSERT_BATCH as BATCH, runReads, type Read } from './batch.ts';
import { failCheckRun, finishCheckRun, startCheckRun } from './check-runs.ts';
import { closeMonthIfDue, type MonthClose } from './month-close.ts';
import { crossFor, crossReads, emptyCrossIndex, highApproved, loadCrossIndex, loadUnits, PERSON_COLUMNS, unitReads, personFromRow, WORKER_COLUMNS, workerFromRow, type CrossIndex } from './records.ts';
import { scanTable } from './scan.ts';
import { emptyFeedIndex, feedStateRead, feedsFor, loadFeedIndex, loadFeedState, personFeedReads, unitFeedReads, type FeedIndex, type FeedState } from './feed-facts.ts';
import { activeExplainedRead, loadActiveExplained } from './explanations.ts';
import type { PersonCross } from '../core/model.ts';
import { calendarOf, checkConfigReads, getSetting, type CheckConfig } from './settings.ts';
import { addPersonStats, finishUnitStats, sameStats, sectorOf, splitStatKey, statKey, townsOf, type SectorMapping, type UnitStats } from '../core/unit-stats.ts';
import { loadSectorMapping, loadStatHashes, replaceUnitStats, writeAllUnitStats } from './unit-stats.ts';
import { addCountyCopies, latestSnapshotsRead } from './snapshots.ts';

type Row = Record<string, any>;

interface LiveFinding {
  id: number;
  status: 'pending' | 'open';
  firstSeenOn: IsoDate;
  openedOn: IsoDate | null;
  unitId: number;
  rule: string;
  detail: string | null;
  /** The subject as the finding names it: refreshed on every keep when the record was renamed. */
  subjectName: string;
  subjectIdMasked: string | null;
  seen: boolean;
}

interface NewFinding {
  fingerprint: string;
  rule: string;
  scope: Scope;
  entityId: number;
  unitId: number;
  qualifier: string | null;
  status: 'pending' | 'open';
  subject: { kind: Scope; name: string; idMasked: string | null };
  detail: string | null;
}

export interface CheckSummary {
  date: IsoDate;
  units: number;
  people: number;
  workers: number;
  findings: {
    opened: number;
    kept: number;
    resolved: number;
    open: number;
    byRule: Record<string, number>;
    /** Open findings by light (提示 apart: not counted in the units' lights). */
    byLight: { yellow: number; red: number; hint: number };
  };
  monthClosed: MonthClose | null;
  ms: number;
  /** Milliseconds by phase, to see where a slow check spends its time. */
  phases: Record<string, number>;
}

export interface CheckEnv {
  date: IsoDate;
  calendar: WorkdayCalendar;
  evaluator: Evaluator;
  rules: Rule[];
}

export async function checkEnv(db: Knex, date: IsoDate, rules: Rule[] = RULES): Promise<CheckEnv> {
  let config: CheckConfig | undefined;
  await runReads(db, checkConfigReads(db, (c) => { config = c; }), true);
  return envOf(date, config!, rules);
}

// The environment of the last configuration seen, kept: a save re-checks one record, and
// configuring 79 rules each time would cost more than the check. The stored rows are read every
// time; the environment is built again as soon as they (or the date) differ.
let lastEnv: { key: string; calendar: WorkdayCalendar; rules: Rule[]; env: CheckEnv } | null = null;

export function envOf(date: IsoDate, config: CheckConfig, rules: Rule[] = RULES): CheckEnv {
  const calendar = calendarOf(config.overrides);
  const key = `${date}|${JSON.stringify(config.office)}|${JSON.stringify(config.ruleSettings)}`;
  if (lastEnv && lastEnv.key === key && lastEnv.calendar === calendar && lastEnv.rules === rules) return lastEnv.env;
  const env = { date, calendar, rules, evaluator: createEvaluator(configureRules(rules, config.ruleSettings), { date, calendar, office: config.office }) };
  lastEnv = { key, calendar, rules, env };
  return env;
}

/** Diffs hits against the live findings; collects what to write. */
class FindingDiff {
  readonly created: NewFinding[] = [];
  readonly promoted: Array<{ id: number }> = [];
  readonly detailChanged: Array<{ id: number; detail: string | null }> = [];
  /** Findings whose person or unit was renamed (or re-masked) since they opened. */
  readonly subjectChanged: Array<{ id: number; subject: NewFinding['subject'] }> = [];
  kept = 0;

  /** `explained`: fingerprints an active 已说明 mapping keeps closed (never opened or kept). */
  constructor(readonly live: Map<string, LiveFinding>, readonly date: IsoDate, readonly explained: ReadonlySet<string> = new Set()) {}

  add(scope: Scope, entityId: number, unitId: number, subject: NewFinding['subject'], evals: Evaluation[]): void {
    for (const { rule, hit } of evals) {
      const fp = fingerprint(rule.code, scope, entityId, hit.qualifier);
      if (this.explained.has(fp)) continue;
      const detail = hit.detail ? JSON.stringify(hit.detail) : null;
      const existing = this.live.get(fp);
      const held = hit.holdDays && hit.holdDays > 0 ? hit.holdDays : 0;
      if (existing) {
        if (existing.seen) continue;
        existing.seen = true;
        if (existing.status === 'pending') {
          if (daysBetween(existing.firstSeenOn, this.date) >= held) {
            this.promoted.push({ id: existing.id });
            existing.status = 'open';
            existing.openedOn = this.date;
          }
        } else {
          this.kept++;
        }
        if (existing.detail !== detail) this.detailChanged.push({ id: existing.id, detail });
        // The name shown is the record's current one. Compared here, written only when it
        // differs: the scan already holds the row, so the check reads nothing more for it.
        const now = hit.subject ?? subject;
        if (existing.subjectName !== now.name || existing.subjectIdMasked !== now.idMasked) {
          this.subjectChanged.push({ id: existing.id, subject: now });
          existing.subjectName = now.name;
          existing.subjectIdMasked = now.idMasked;
        }
        continue;
      }
      const f: NewFinding = {
        fingerprint: fp, rule: rule.code, scope, entityId, unitId, qualifier: hit.qualifier ?? null,
        status: held ? 'pending' : 'open', subject: hit.subject ?? subject, detail,
      };
      this.created.push(f);
      this.live.set(fp, {
        id: 0, status: f.status, firstSeenOn: this.date, openedOn: f.status === 'open' ? this.date : null, unitId, rule: rule.code, detail,
        subjectName: f.subject.name, subjectIdMasked: f.subject.idMasked, seen: true,
      });
    }
  }

  /** Live findings the scan did not meet again. */
  gone(filter: (f: LiveFinding) => boolean = () => true): LiveFinding[] {
    const out: LiveFinding[] = [];
    for (const f of this.live.values()) if (!f.seen && f.id && filter(f)) out.push(f);
    return out;
  }
}

async function loadLive(db: Knex, where?: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<Map<string, LiveFinding>> {
  let q = liveQuery(db);
  if (where) q = where(q);
  return addLive(new Map(), await q);
}

function liveQuery(db: Knex): Knex.QueryBuilder {
  return db('findings').whereIn('status', ['pending', 'open']).select('id', 'fingerprint', 'status', 'first_seen_on', 'opened_on', 'unit_id', 'rule', 'detail', 'subject_name', 'subject_id_masked');
}

function addLive(live: Map<string, LiveFinding>, rows: Row[]): Map<string, LiveFinding> {
  for (const r of rows) {
    live.set(r.fingerprint, {
      id: Number(r.id), status: r.status, firstSeenOn: r.first_seen_on, openedOn: r.opened_on ?? null,
      unitId: Number(r.unit_id), rule: r.rule, detail: r.detail ?? null,
      subjectName: r.subject_name ?? '', subjectIdMasked: r.subject_id_masked ?? null, seen: false,
    });
  }
  return live;
}


async function writeDiff(trx: Knex, diff: FindingDiff, date: IsoDate, gone: LiveFinding[]): Promise<number> {
  for (let i = 0; i < diff.created.length; i += BATCH) {
    await trx('findings').insert(diff.created.slice(i, i + BATCH).map((f) => ({
      fingerprint: f.fingerprint, open_key: f.fingerprint, rule: f.rule, scope: f.scope, entity_id: f.entityId, unit_id: f.unitId,
      qualifier: f.qualifier, status: f.status, first_seen_on: date, opened_on: f.status === 'open' ? date : null,
      resolved_on: null, last_seen_on: date, subject_kind: f.subject.kind, subject_name: f.subject.name,
      subject_id_masked: f.subject.idMasked, detail: f.detail,
    })));
  }
  const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id);
  for (let i = 0; i < diff.promoted.length; i += BATCH) {
    await trx('findings').whereIn('id', ids(diff.promoted.slice(i, i + BATCH))).update({ status: 'open', opened_on: date });
  }
  for (const d of diff.detailChanged) await trx('findings').where({ id: d.id }).update({ detail: d.detail });
  for (const c of diff.subjectChanged) await trx('findings').where({ id: c.id }).update({ subject_name: c.subject.name, subject_id_masked: c.subject.idMasked });
  const resolved = gone.filter((f) => f.status === 'open');
  const dropped = gone.filter((f) => f.status === 'pending');
  for (let i = 0; i < resolved.length; i += BATCH) {
    await trx('findings').whereIn('id', ids(resolved.slice(i, i + BATCH))).update({ status: 'resolved', resolved_on: date, open_key: null });
  }
  for (let i = 0; i < dropped.length; i += BATCH) await trx('findings').whereIn('id', ids(dropped.slice(i, i + BATCH))).delete();
  return resolved.length;
}

function effectsOf(env: CheckEnv, diff: FindingDiff, gone: LiveFinding[]): CheckEffects {
  return {
    date: env.date,
    calendar: env.calendar,
    resolvedUnitIds: [...new Set(gone.filter((f) => f.status === 'open').map((f) => f.unitId))],
    openedUnitIds: [...new Set(diff.created.map((f) => f.unitId))],
  };
}

function personSubject(r: Row): NewFinding['subject'] {
  return { kind: 'person', name: r.name, idMasked: r.id_masked || null };
}

/** What a check tells the code that runs inside its transaction (alerts, card updates). */
export interface CheckEffects {
  date: IsoDate;
  calendar: WorkdayCalendar;
  /** Units where at least one finding was resolved. */
  resolvedUnitIds: number[];
  /** Units where a finding was opened. */
  openedUnitIds: number[];
}

export type AfterWrite = (trx: Knex, effects: CheckEffects) => Promise<void>;

/** A person's cross-row facts with their feed facts (X rules). */
function withFeeds(cross: PersonCross, feeds: PersonCross['feeds']): PersonCross {
  return feeds ? { ...cross, feeds } : cross;
}

/** The rows the cross-row index has facts for: by ID hash, and by name (same name and birth date). */
async function peopleNamedBy(db: Knex, cross: CrossIndex, feeds: FeedIndex): Promise<Row[]> {
  const out: Row[] = [];
  const seen = new Set<number>();
  const take = (rows: Row[]) => {
    for (const r of rows) if (!seen.has(Number(r.id))) { seen.add(Number(r.id)); out.push(r); }
  };
  const hashes = [...new Set([...cross.hashes, ...feeds.hashes])];
  for (let i = 0; i < hashes.length; i += 500) take(await db('people').whereIn('id_hash', hashes.slice(i, i + 500)).select(PERSON_COLUMNS));
  // By name and birth date through the (name, birth_key, …) index, keeping the rows whose pair is named.
  const pairs = [...cross.sameNameBirth.keys()].map((k) => k.split('|') as [string, string]);
  for (let i = 0; i < pairs.length; i += 200) {
    const chunk = pairs.slice(i, i + 200);
    // One equality range per pair: (name IN … AND birth_key IN …) makes MariaDB cross every name with every date.
    const rows: Row[] = await db('people').where((b) => { for (const [name, birth] of chunk) b.orWhere({ name, birth_key: birth }); }).select(PERSON_COLUMNS);
    take(rows);
  }
  return out;
}

export interface CheckOptions {
  rules?: Rule[];
  policy?: EscalationPolicy;
  /** Runs in the check's transaction, after its writes: outbox rows belong here. */
  afterWrite?: AfterWrite;
  /** Stops the check between phases (SIGTERM on the command line); nothing is written after. */
  signal?: AbortSignal;
}

/** The daily check for `date` over every unit, person and worker, recorded in check_runs. */
export async function runCheck(db: Knex, date: IsoDate, opts: CheckOptions = {}): Promise<CheckSummary> {
  const run = await startCheckRun(db, date);
  try {
    const summary = await checkEverything(db, date, opts);
    await finishCheckRun(db, run, summary);
    return summary;
  } catch (e) {
    await failCheckRun(db, run, e).catch(() => {});
    throw e;
  }
}

async function checkEverything(db: Knex, date: IsoDate, opts: CheckOptions): Promise<CheckSummary> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const lap = async (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
    // Stopped between phases, never once the write has committed. With a signal, each phase
    // ends with a turn of the event loop: SQLite's reads are synchronous, and a SIGTERM
    // handler runs only there.
    if (opts.signal && name !== 'write') {
      await new Promise((resolve) => setImmediate(resolve));
      opts.signal.throwIfAborted();
    }
  };
  const env = await checkEnv(db, date, opts.rules);
  const [units, feedState] = await Promise.all([loadUnits(db, date), loadFeedState(db)]);
  await addCountyCopies(db, units, { whole: true }); // X-RG-01 (市县贯通): nothing to read without a county's snapshot
  await lap('units');
  // The cross-row facts and the live findings are read while the scan runs (other connections
  // on MySQL). Meanwhile every row is checked without cross-row facts and its hits are kept; the
  // few people the cross-row index names are checked again with them afterwards.
  const crossP = loadCrossIndex(db);
  // The other departments' rosters (X rules): the units' facts and the people's exceptions.
  const feedsP = Promise.all([runReads(db, unitFeedReads(db, feedState, null, units), false), loadFeedIndex(db, feedState)]).then(([, idx]) => idx);
  const explainedP = loadActiveExplained(db);
  const liveP = loadLive(db);
  const hashesP = loadStatHashes(db);
  const sectorsP = loadSectorMapping(db);
  crossP.catch(() => {});
  feedsP.catch(() => {});
  explainedP.catch(() => {});
  liveP.catch(() => {});
  hashesP.catch(() => {});
  sectorsP.catch(() => {});
  // Each unit's figures (core/unit-stats.ts), accumulated from the same rows.
  const stats = new Map<number, UnitStats>();
  const statsOf = (id: number) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = new Map()));
    return s;
  };
  const hits: Array<{ scope: Scope; entityId: number; unitId: number; subject: NewFinding['subject']; evals: Evaluation[] }> = [];

  // People and workers stream side by side (two connections on MySQL): while one waits for
  // rows, the other's are checked.
  const [people, workers] = await Promise.all([scanTable(db, 'people', PERSON_COLUMNS, (r) => {
    const unit = units.get(Number(r.unit_id));
    if (!unit) return;
    const p = personFromRow(r);
    addPerson(unit.agg, p, unit, highApproved(r));
    const evals = env.evaluator('person', p, unit);
    if (evals.length) hits.push({ scope: 'person', entityId: p.id, unitId: unit.id, subject: personSubject(r), evals });
    addPersonStats(statsOf(unit.id), p, unit, date);
  }), scanTable(db, 'workers', WORKER_COLUMNS, (r) => {
    const unit = units.get(Number(r.unit_id));
    if (!unit) return;
    addWorker(unit.agg);
    const evals = env.evaluator('worker', workerFromRow(r), unit);
    if (evals.length) hits.push({ scope: 'worker', entityId: Number(r.id), unitId: unit.id, subject: { kind: 'worker', name: r.name, idMasked: r.id_masked || null }, evals });
  })]);
  await lap('scan');
  const [cross, live, storedStats, sectors] = await Promise.all([crossP, liveP, hashesP, sectorsP]);
  const [feedIdx, explained] = await Promise.all([feedsP, explainedP]);
  const towns = townsOf(units.values());
  for (const unit of units.values()) finishUnitStats(statsOf(unit.id), unit, sectorOf(unit, sectors), towns.get(unit.id) ?? null);
  await lap('crossAndLive');
  const diff = new FindingDiff(live, date, explained);
  for (const h of hits) diff.add(h.scope, h.entityId, h.unitId, h.subject, h.evals);
  hits.length = 0;
  await lap('diff');
  // The people with cross-row facts, checked again with them: their other hits are already in.
  for (const r of await peopleNamedBy(db, cross, feedIdx)) {
    const unit = units.get(Number(r.unit_id));
    if (!unit) continue;
    const evals = env.evaluator('person', personFromRow(r, withFeeds(crossFor(cross, r), feedsFor(feedIdx, r))), unit);
    if (evals.length) diff.add('person', Number(r.id), unit.id, personSubject(r), evals);
  }
  await lap('crossRow');
  for (const unit of units.values()) {
    const evals = env.evaluator('unit', unit, null);
    if (evals.length) diff.add('unit', unit.id, unit.id, { kind: 'unit', name: unit.name, idMasked: null }, evals);
  }

  const gone = diff.gone();
  const lightsOn = openLightsOn(date, env.calendar);
  const byRule: Record<string, number> = {};
  const byLight = { yellow: 0, red: 0, hint: 0 };
  const perUnit = new Map<number, { yellow: number; red: number }>();
  let open = 0;
  for (const f of live.values()) {
    if (!f.seen || f.status !== 'open' || !f.openedOn) continue;
    open++;
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
    const l = lightsOn(f.openedOn, f.rule).light;
    if (l === 'hint') { byLight.hint++; continue; } // a 提示 is not counted in the unit's light
    const c = perUnit.get(f.unitId) ?? { yellow: 0, red: 0 };
    if (l === 'red') { c.red++; byLight.red++; } else { c.yellow++; byLight.yellow++; }
    perUnit.set(f.unitId, c);
  }

  await lap('unitsAndLights');
  let resolved = 0;
  let monthClosed: MonthClose | null = null;
  await db.transaction(async (trx) => {
    resolved = await writeDiff(trx, diff, date, gone);
    await trx('unit_daily_lights').where({ date }).delete();
    const rows = [...units.keys()].map((id) => {
      const c = perUnit.get(id) ?? { yellow: 0, red: 0 };
      return { unit_id: id, date, light: c.red ? 'red' : c.yellow ? 'yellow' : 'green', yellow: c.yellow, red: c.red };
    });
    for (let i = 0; i < rows.length; i += BATCH) await trx('unit_daily_lights').insert(rows.slice(i, i + BATCH));
    await writeAllUnitStats(trx, stats, storedStats, date, new Map([...units.values()].map((u) => [u.id, u.parentId])));
    monthClosed = await closeMonthIfDue(trx, date, units, opts.policy ?? (await getSetting<EscalationPolicy>(trx, 'escalation')) ?? DEFAULT_ESCALATION);
    if (opts.afterWrite) await opts.afterWrite(trx, effectsOf(env, diff, gone));
  });

  await lap('write');
  const summary: CheckSummary = {
    date, units: units.size, people, workers, phases,
    findings: { opened: diff.created.filter((f) => f.status === 'open').length + diff.promoted.length, kept: diff.kept, resolved, open, byRule, byLight },
    monthClosed,
    ms: Math.round(performance.now() - t0),
  };
  return summary;
}

/** What a re-check is of: a person (by the hash of their ID number; `personId` picks the row where the number is entered twice), a 编外人员 (by id) or a unit (by id). */
export type RecheckTarget = { personHash: string; personId?: number } | { workerId: number } | { unitId: number };

export interface RecheckResult {
  subject: { kind: Scope; id: number; name: string; idMasked: string | null; unit: string };
  open: Array<{ rule: string; title: string; qualifier: string | null; light: FindingLight; openedOn: IsoDate }>;
  opened: string[];
  resolved: string[];
  ms: number;
}

/**
 * Rules judged on county-wide sums (Σ核定 of a region against its total): a re-check of one
 * record does not recompute them and leaves their findings to the nightly check.
 */
const NIGHTLY_ONLY = new Set(['U-QT-06']);

/**
 * Re-checks one person (found by the hash of their ID number) or one unit now, with the same
 * predicates as the nightly check. A person is checked together with their unit, since the
 * unit's counts (实有, 超编, 超职数) follow from the person.
 */
export async function recheck(db: Knex, target: RecheckTarget, date: IsoDate, env?: CheckEnv, afterWrite?: AfterWrite): Promise<RecheckResult | null> {
  const t0 = performance.now();
  let unitId: number;
  let personRows: Row[] = [];
  let workerRow: Row | undefined;
  // The feeds' state (which months are current) comes in the same round trip as the subject.
  let feedState: FeedState | undefined;
  const stateRead = feedStateRead(db, (x) => { feedState = x; });
  if ('workerId' in target) {
    // A 编外人员 with their unit (the unit's rules count workers, U-QT-05).
    await runReads(db, [{ query: db('workers').where({ id: target.workerId }).select(WORKER_COLUMNS).limit(1), apply: (rows) => { workerRow = rows[0]; } }, stateRead], true);
    if (!workerRow) return null;
    unitId = Number(workerRow.unit_id);
  } else if ('personHash' in target) {
    await runReads(db, [{ query: db('people').where({ id_hash: target.personHash }).select(PERSON_COLUMNS).orderBy('id'), apply: (rows) => { personRows = rows; } }, stateRead], true);
    // The row that counts is a live one (not 已出编), else the latest.
    personRows.sort((a, b) => Number(a.status === '已出编') - Number(b.status === '已出编'));
    // A person entered in two units (P-ID-11) is re-checked in the row asked for, when one is.
    if (target.personId !== undefined) personRows.sort((a, b) => Number(Number(b.id) === target.personId) - Number(Number(a.id) === target.personId));
    if (!personRows.length) return null;
    unitId = Number(personRows[0].unit_id);
  } else {
    // By the unit's own id: a credit code may be shared by two units (U-IN-06).
    let u: Row | undefined;
    await runReads(db, [{ query: db('units').where({ id: target.unitId }).select('id').limit(1), apply: (rows) => { u = rows[0]; } }, stateRead], true);
    if (!u) return null;
    unitId = Number(u.id);
  }
  const first = personRows[0];
  const subjectRow = personRows.find((r) => Number(r.unit_id) === unitId);

  // Everything else in one round trip: configuration, the unit and its facts, the person's
  // cross-row facts, the unit's people and workers, the live findings of both.
  let e = env;
  const units = new Map<number, UnitRecord>();
  const cross = emptyCrossIndex();
  // The feeds' state comes with the person's rows; a unit or worker re-check reads it in the batch.
  const feedIdx = emptyFeedIndex(feedState!);
  let explained: ReadonlySet<string> = new Set();
  let unitPeople: Row[] = [];
  let workerCount = 0;
  const live = new Map<string, LiveFinding>();
  let sectors: SectorMapping = {};
  const storedStats: UnitStats = new Map();
  let snapshots: Array<{ id: number; region: string; month: string }> = [];
  const reads: Read[] = [
    ...(env ? [] : checkConfigReads(db, (c) => { e = envOf(date, c); })),
    ...unitReads(db, date, [unitId], units),
    latestSnapshotsRead(db, (rows) => { snapshots = rows; }),
    ...(first?.id_hash ? crossReads(db, first.id_hash, { name: first.name, birth: first.birth_key }, cross) : []),
    activeExplainedRead(db, unitId, (s) => { explained = s; }),
    // The feeds' facts of the unit and of the person: the nightly check's queries, narrowed to them
    // (after unitReads: they attach to the unit read above).
    ...unitFeedReads(db, feedState!, [unitId], units),
    ...(first?.id_hash ? personFeedReads(db, feedIdx, first.id_hash) : []),
    { query: db('people').where({ unit_id: unitId }).select(PERSON_COLUMNS), apply: (rows) => { unitPeople = rows; } },
    { query: db('workers').where({ unit_id: unitId }).count({ n: '*' }), apply: (rows) => { workerCount = Number(rows[0]?.n ?? 0); } },
    { query: db('settings').where({ key: 'sectors' }).select('value'), apply: (rows) => { sectors = rows[0] ? JSON.parse(rows[0].value) : {}; } },
    { query: db('unit_stats').where({ unit_id: unitId }).whereNot({ dim: '#' }).select('dim', 'key', 'n'), apply: (rows) => { for (const r of rows) storedStats.set(statKey(r.dim, r.key), Number(r.n)); } },
    {
      query: liveQuery(db).where((w) => {
        w.where({ scope: 'unit', entity_id: unitId });
        if (subjectRow) w.orWhere({ scope: 'person', entity_id: Number(subjectRow.id) });
        if (workerRow) w.orWhere({ scope: 'worker', entity_id: Number(workerRow.id) });
      }),
      apply: (rows) => addLive(live, rows),
    },
  ];
  await runReads(db, reads, true);
  if (snapshots.length) await addCountyCopies(db, units, { whole: false, snapshots });
  const ev = e!;
  const unit = units.get(unitId)!;
  const diff = new FindingDiff(live, date, explained);

  // The unit's counts and figures come from its people, through the same accumulation as the nightly scan.
  const stats: UnitStats = new Map();
  for (const r of unitPeople) {
    const p = personFromRow(r, withFeeds(crossFor(cross, r), feedsFor(feedIdx, r)));
    addPerson(unit.agg, p, unit, highApproved(r));
    addPersonStats(stats, p, unit, date);
    if (subjectRow && Number(r.id) === Number(subjectRow.id)) {
      const evals = ev.evaluator('person', p, unit);
      diff.add('person', p.id, unitId, personSubject(r), evals);
    }
  }
  unit.agg.workers = workerCount;
  // The unit's town comes from the whole tree, which the nightly check walks: a re-check keeps it.
  const storedTown = [...storedStats.keys()].map(splitStatKey).find((k) => k.dim === 'town');
  finishUnitStats(stats, unit, sectorOf(unit, sectors), storedTown ? Number(storedTown.key) : null);
  const statsChanged = !sameStats(storedStats, stats);
  if (workerRow) diff.add('worker', Number(workerRow.id), unitId, { kind: 'worker', name: workerRow.name, idMasked: workerRow.id_masked || null }, ev.evaluator('worker', workerFromRow(workerRow), unit));
  diff.add('unit', unitId, unitId, { kind: 'unit', name: unit.name, idMasked: null }, ev.evaluator('unit', unit, null));

  const gone = diff.gone((f) => !NIGHTLY_ONLY.has(f.rule));
  // Nothing changed (the usual save: a field no rule was flagging): no transaction at all.
  const findingsChanged = !!(diff.created.length || diff.promoted.length || diff.detailChanged.length || diff.subjectChanged.length || gone.length);
  if (findingsChanged || statsChanged) {
    await db.transaction(async (trx) => {
      if (statsChanged) await replaceUnitStats(trx, unitId, stats);
      if (!findingsChanged) return;
      await writeDiff(trx, diff, date, gone);
      if (afterWrite) await afterWrite(trx, effectsOf(ev, diff, gone));
    });
  }
  const titles = new Map(ev.rules.map((r) => [r.code, r.title]));
  const lightsOn = openLightsOn(date, ev.calendar);
  const open: RecheckResult['open'] = [];
  for (const [fp, f] of live) {
    if (!f.seen || f.status !== 'open' || !f.openedOn) continue;
    open.push({ rule: f.rule, title: titles.get(f.rule) ?? f.rule, qualifier: fp.split('|')[2] || null, light: lightsOn(f.openedOn, f.rule).light, openedOn: f.openedOn });
  }
  return {
    subject: subjectRow
      ? { kind: 'person', id: Number(subjectRow.id), name: subjectRow.name, idMasked: subjectRow.id_masked, unit: unit.code }
      : workerRow ? { kind: 'worker', id: Number(workerRow.id), name: workerRow.name, idMasked: workerRow.id_masked || null, unit: unit.code }
      : { kind: 'unit', id: unitId, name: unit.name, idMasked: null, unit: unit.code },
    open,
    opened: diff.created.filter((f) => f.status === 'open').map((f) => f.rule),
    resolved: gone.filter((f) => f.status === 'open').map((f) => f.rule),
    ms: Math.round((performance.now() - t0) * 10) / 10,
  };
}

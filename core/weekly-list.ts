// The weekly supervision list (每周督办清单; haining part 4, ningbo art. 10 每周审核): from the
// facts of a day (red findings, suspensions, staffing requests waiting on the office, self-checks
// of the month), one line per unit that needs supervising, the office's whole list and the same
// grouped by region, most urgent first. Pure: db/weekly-list.ts reads the facts, cards/ words
// the lines, commands/weekly-list.ts sends them.

import type { WorkdayCalendar } from './calendar.ts';
import { addDays } from './dates.ts';
import { workdaysOpenOn, YELLOW_WORKDAYS } from './lights.ts';
import type { IsoDate } from './model.ts';
import { mondayOf } from './rhythms.ts';

/** The office's default: a request waiting longer than this many working days is listed. */
export const DEFAULT_REQUEST_LIMIT_WORKDAYS = 5;
/** The upper bound an office may set (a limit beyond it would list nothing useful). */
export const MAX_REQUEST_LIMIT_WORKDAYS = 60;

export interface WeeklyUnitFact {
  id: number;
  name: string;
  code: string | null;
  regionCode: string | null;
  regionName: string | null;
}

/** An open finding of a deadline rule (no 提示), with the day it opened. */
export interface WeeklyFindingFact {
  findingId: number;
  unitId: number;
  rule: string;
  title: string;
  subject: string;
  /** Masked ID number of the person, if any: never the full number. */
  idMasked: string | null;
  openedOn: IsoDate;
}

export interface WeeklySuspensionFact {
  unitId: number;
  startsOn: IsoDate;
  endsOn: IsoDate;
  /** The unit whose red months caused it (the unit itself, or a unit above it). */
  byUnitId: number;
}

export interface WeeklyRequestFact {
  id: number;
  no: string;
  unitId: number;
  kind: string;
  /** submitted (待初审) or reviewed (待终审). */
  state: 'submitted' | 'reviewed';
  /** The day it was submitted. */
  submittedOn: IsoDate;
}

export interface WeeklyFacts {
  date: IsoDate;
  /** Every unit a fact below names. */
  units: WeeklyUnitFact[];
  /** Open findings of deadline rules (the red ones are picked here). */
  findings: WeeklyFindingFact[];
  /** Suspensions in force on `date`. */
  suspensions: WeeklySuspensionFact[];
  /** Requests waiting on the office (待初审, 待终审). */
  requests: WeeklyRequestFact[];
  /** Self-checks of the month of `date`, by unit, for every unit that must self-check (units absent: 0). */
  selfChecks: Map<number, number>;
  /** The units that must self-check (all units of the office). */
  selfCheckUnitIds: number[];
  settings: WeeklySettings;
}

export interface WeeklySettings {
  /** A request waiting on the office longer than this (working days) is listed. */
  requestLimitWorkdays: number;
  /** Fewer self-checks this month than this: listed (U-PR-01's minPerMonth). */
  minSelfChecks: number;
}

export interface WeeklyRedItem {
  findingId: number;
  rule: string;
  title: string;
  subject: string;
  idMasked: string | null;
  openedOn: IsoDate;
  /** Working days open on the list's date (the opening day not counted). */
  workdaysOpen: number;
  /** The first red day. */
  redSince: IsoDate;
}

export interface WeeklyRequestItem {
  id: number;
  no: string;
  kind: string;
  state: 'submitted' | 'reviewed';
  submittedOn: IsoDate;
  workdaysWaiting: number;
}

/** What a unit is asked to do (cards/ words each). */
export type WeeklyAction = 'fix-red' | 'self-check' | 'suspended' | 'await-office';

export interface WeeklyUnitLine {
  unitId: number;
  unitName: string;
  unitCode: string | null;
  regionCode: string | null;
  regionName: string | null;
  /** Red findings: how many, the oldest's working days open and its first red day. */
  red: { count: number; oldestWorkdays: number; since: IsoDate } | null;
  /** The red items, the longest open first (all of them; a card shows the first few). */
  redItems: WeeklyRedItem[];
  suspension: { startsOn: IsoDate; endsOn: IsoDate; inherited: boolean } | null;
  waitingRequests: WeeklyRequestItem[];
  selfChecks: { count: number; min: number } | null;
  actions: WeeklyAction[];
}

export interface WeeklyRegion {
  /** The region's code ('' for units without one). */
  code: string;
  name: string;
  units: WeeklyUnitLine[];
  counts: WeeklyCounts;
}

export interface WeeklyCounts {
  units: number;
  redUnits: number;
  redItems: number;
  suspended: number;
  waitingRequests: number;
  noSelfCheck: number;
}

export interface WeeklyList {
  date: IsoDate;
  /** The Monday of the week: one list per week. */
  week: IsoDate;
  /** The month (YYYY-MM) the self-checks are counted for. */
  month: string;
  settings: WeeklySettings;
  counts: WeeklyCounts;
  /** Every listed unit, most urgent first. */
  units: WeeklyUnitLine[];
  /** The same units by region (regions in order of their most urgent unit). */
  regions: WeeklyRegion[];
}

/** The week a date's list belongs to. */
export function weekOf(date: IsoDate): IsoDate {
  return mondayOf(date);
}

/**
 * Most urgent first: the oldest red item first (longest open), then suspended units, then the
 * longest-waiting request, then the fewest self-checks, then by name and id.
 */
export function compareLines(a: WeeklyUnitLine, b: WeeklyUnitLine): number {
  const redA = a.red?.oldestWorkdays ?? -1;
  const redB = b.red?.oldestWorkdays ?? -1;
  if (redA !== redB) return redB - redA;
  if (!!a.suspension !== !!b.suspension) return a.suspension ? -1 : 1;
  const waitA = a.waitingRequests[0]?.workdaysWaiting ?? -1;
  const waitB = b.waitingRequests[0]?.workdaysWaiting ?? -1;
  if (waitA !== waitB) return waitB - waitA;
  const scA = a.selfChecks ? a.selfChecks.count : Infinity;
  const scB = b.selfChecks ? b.selfChecks.count : Infinity;
  if (scA !== scB) return scA - scB;
  return a.unitName < b.unitName ? -1 : a.unitName > b.unitName ? 1 : a.unitId - b.unitId;
}

export function countsOf(lines: WeeklyUnitLine[]): WeeklyCounts {
  const c: WeeklyCounts = { units: lines.length, redUnits: 0, redItems: 0, suspended: 0, waitingRequests: 0, noSelfCheck: 0 };
  for (const l of lines) {
    if (l.red) { c.redUnits++; c.redItems += l.red.count; }
    if (l.suspension) c.suspended++;
    c.waitingRequests += l.waitingRequests.length;
    if (l.selfChecks) c.noSelfCheck++;
  }
  return c;
}

/** The list of a day from its facts. */
export function buildWeeklyList(facts: WeeklyFacts, cal: WorkdayCalendar): WeeklyList {
  const { date, settings } = facts;
  const units = new Map(facts.units.map((u) => [u.id, u]));
  const lines = new Map<number, WeeklyUnitLine>();
  const lineOf = (unitId: number): WeeklyUnitLine | null => {
    let l = lines.get(unitId);
    if (l) return l;
    const u = units.get(unitId);
    if (!u) return null;
    l = { unitId, unitName: u.name, unitCode: u.code, regionCode: u.regionCode, regionName: u.regionName, red: null, redItems: [], suspension: null, waitingRequests: [], selfChecks: null, actions: [] };
    lines.set(unitId, l);
    return l;
  };

  // Red: open longer than the yellow window (core/lights.ts), memoised by opening day.
  const open = new Map<IsoDate, number>();
  for (const f of facts.findings) {
    if (f.openedOn > date) continue;
    let n = open.get(f.openedOn);
    if (n === undefined) open.set(f.openedOn, (n = workdaysOpenOn(f.openedOn, date, cal)));
    if (n <= YELLOW_WORKDAYS) continue;
    const l = lineOf(f.unitId);
    if (!l) continue;
    l.redItems.push({ findingId: f.findingId, rule: f.rule, title: f.title, subject: f.subject, idMasked: f.idMasked, openedOn: f.openedOn, workdaysOpen: n, redSince: cal.addWorkdays(f.openedOn, YELLOW_WORKDAYS + 1) });
  }
  for (const l of lines.values()) {
    l.redItems.sort((a, b) => b.workdaysOpen - a.workdaysOpen || a.findingId - b.findingId);
    const oldest = l.redItems[0];
    if (oldest) l.red = { count: l.redItems.length, oldestWorkdays: oldest.workdaysOpen, since: oldest.redSince };
  }

  for (const s of facts.suspensions) {
    if (s.startsOn > date || s.endsOn < date) continue;
    const l = lineOf(s.unitId);
    if (!l) continue;
    // The longest suspension in force wins (an own one and an inherited one may overlap).
    if (!l.suspension || s.endsOn > l.suspension.endsOn) l.suspension = { startsOn: s.startsOn, endsOn: s.endsOn, inherited: s.byUnitId !== s.unitId };
  }

  for (const r of facts.requests) {
    if (r.submittedOn > date) continue;
    const waiting = cal.workdaysBetween(r.submittedOn, date);
    if (waiting <= settings.requestLimitWorkdays) continue;
    const l = lineOf(r.unitId);
    if (!l) continue;
    l.waitingRequests.push({ id: r.id, no: r.no, kind: r.kind, state: r.state, submittedOn: r.submittedOn, workdaysWaiting: waiting });
  }
  for (const l of lines.values()) l.waitingRequests.sort((a, b) => b.workdaysWaiting - a.workdaysWaiting || a.id - b.id);

  for (const unitId of facts.selfCheckUnitIds) {
    const count = facts.selfChecks.get(unitId) ?? 0;
    if (count >= settings.minSelfChecks) continue;
    const l = lineOf(unitId);
    if (l) l.selfChecks = { count, min: settings.minSelfChecks };
  }

  const all = [...lines.values()].filter((l) => l.red || l.suspension || l.waitingRequests.length || l.selfChecks);
  for (const l of all) {
    if (l.red) l.actions.push('fix-red');
    if (l.selfChecks) l.actions.push('self-check');
    if (l.suspension) l.actions.push('suspended');
    if (l.waitingRequests.length) l.actions.push('await-office');
  }
  all.sort(compareLines);

  const regions = new Map<string, WeeklyRegion>();
  for (const l of all) {
    const code = l.regionCode ?? '';
    let r = regions.get(code);
    if (!r) regions.set(code, (r = { code, name: l.regionName ?? '', units: [], counts: countsOf([]) }));
    r.units.push(l);
  }
  for (const r of regions.values()) r.counts = countsOf(r.units);

  return { date, week: weekOf(date), month: date.slice(0, 7), settings, counts: countsOf(all), units: all, regions: [...regions.values()] };
}

/** A unit's own part of the list: its line, or null when it is not listed. */
export function unitPart(list: WeeklyList, unitId: number): WeeklyUnitLine | null {
  return list.units.find((l) => l.unitId === unitId) ?? null;
}

/**
 * Whether a listed unit has fixed what it could: its listed red items are all resolved and it
 * has self-checked enough this month. A line with nothing the unit can fix (only a suspension,
 * or requests waiting on the office) is never done by the unit.
 */
export function lineDone(line: Pick<WeeklyUnitLine, 'red' | 'selfChecks'>, now: { openListedRed: number; selfChecks: number }): boolean {
  if (!line.red && !line.selfChecks) return false;
  if (line.red && now.openListedRed > 0) return false;
  if (line.selfChecks && now.selfChecks < line.selfChecks.min) return false;
  return true;
}

/** A list's lines the office card shows (the rest are in the console and the workbook). */
export const OFFICE_CARD_LINES = 15;

/** The last day of the week of a date's list (Sunday): the card and the console say "本周". */
export function weekEnd(week: IsoDate): IsoDate {
  return addDays(week, 6);
}

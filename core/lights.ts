// The three colours (Ningbo art. 10): a finding is yellow while it has been open for at most
// 3 working days (the opening day not counted), red after that, green once resolved.
// A finding of an S3 rule (提示: a missing optional value, a forecast, a reminder) is 'hint' while
// open: it informs and has no fix window, so it never turns yellow or red, never counts in a
// unit's light (daily lights, digests, month close) and comes after yellow in every list.

import { MAX_WALK_DAYS, type WorkdayCalendar } from './calendar.ts';
import { addDays, daysBetween } from './dates.ts';
import type { FindingLight, IsoDate, Light } from './model.ts';
import { RULES } from './rules/index.ts';

export const YELLOW_WORKDAYS = 3;

/** The codes of the 提示 rules (severity S3 in the catalogue; an office cannot change a severity). */
export const HINT_RULES: readonly string[] = RULES.filter((r) => r.severity === 'S3').map((r) => r.code);
const HINTS = new Set(HINT_RULES);

/** A finding of this rule is a 提示: listed, never yellow or red. */
export function isHint(rule: string): boolean {
  return HINTS.has(rule);
}

export function findingLight(f: { rule: string; openedOn: IsoDate; resolvedOn: IsoDate | null }, date: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): FindingLight {
  if (f.resolvedOn && f.resolvedOn <= date) return 'green';
  if (isHint(f.rule)) return 'hint';
  return workdaysOpenOn(f.openedOn, date, cal) <= yellowWorkdays ? 'yellow' : 'red';
}

/**
 * Working days a finding has been open, counted over at most the calendar's walk (ten years):
 * a finding opened longer ago is red either way, and its count stops at the bound instead of
 * walking to a far opening day.
 */
export function workdaysOpenOn(openedOn: IsoDate, date: IsoDate, cal: WorkdayCalendar): number {
  const from = daysBetween(openedOn, date) > MAX_WALK_DAYS ? addDays(date, -MAX_WALK_DAYS) : openedOn;
  return cal.workdaysBetween(from, date);
}

/** The day a finding opened on turns red if still open (a 提示 never does: its list order only). */
export function redFrom(openedOn: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): IsoDate {
  return cal.addWorkdays(openedOn, yellowWorkdays + 1);
}

/** A unit's light for a day: the worst of its open findings (提示 not counted). */
export function unitLight(counts: { yellow: number; red: number }): Light {
  return counts.red > 0 ? 'red' : counts.yellow > 0 ? 'yellow' : 'green';
}

export interface OpenFindingLight {
  light: 'yellow' | 'red' | 'hint';
  /** Working days since the finding opened (the opening day not counted). */
  workdaysOpen: number;
  /** The first red day (for a 提示, the day it would be: its place in the list). */
  redFrom: IsoDate;
}

/**
 * Lights of open findings on one day, memoised by opening day: thousands of findings share a
 * few dozen opening days, so the calendar is walked once per day, not once per finding.
 */
export function openLightsOn(date: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): (openedOn: IsoDate, rule: string) => OpenFindingLight {
  const memo = new Map<IsoDate, OpenFindingLight>();
  const hints = new Map<IsoDate, OpenFindingLight>();
  return (openedOn, rule) => {
    let l = memo.get(openedOn);
    if (!l) {
      const workdaysOpen = workdaysOpenOn(openedOn, date, cal);
      l = { light: workdaysOpen <= yellowWorkdays ? 'yellow' : 'red', workdaysOpen, redFrom: redFrom(openedOn, cal, yellowWorkdays) };
      memo.set(openedOn, l);
    }
    if (!isHint(rule)) return l;
    let h = hints.get(openedOn);
    if (!h) hints.set(openedOn, (h = { ...l, light: 'hint' }));
    return h;
  };
}

const RANK: Record<FindingLight, number> = { red: 0, yellow: 1, hint: 2, green: 3 };

/**
 * The urgency order of open findings, the one every list uses (mini-app, console, robot, cards,
 * overview, exports): red, then yellow, then 提示; within each by deadline (the first red day,
 * earliest first, i.e. the opening day), then id.
 */
export function byUrgency(a: { light: FindingLight; redFrom: IsoDate; id: number }, b: { light: FindingLight; redFrom: IsoDate; id: number }): number {
  if (a.light !== b.light) return RANK[a.light] - RANK[b.light];
  return a.redFrom < b.redFrom ? -1 : a.redFrom > b.redFrom ? 1 : a.id - b.id;
}

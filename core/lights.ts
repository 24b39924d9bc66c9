// The three colours (Ningbo art. 10): a finding is yellow while it has been open for at most
// 3 working days (the opening day not counted), red after that, green once resolved.

import { MAX_WALK_DAYS, type WorkdayCalendar } from './calendar.ts';
import { addDays, daysBetween } from './dates.ts';
import type { IsoDate, Light } from './model.ts';

export const YELLOW_WORKDAYS = 3;

export function findingLight(openedOn: IsoDate, resolvedOn: IsoDate | null, date: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): Light {
  if (resolvedOn && resolvedOn <= date) return 'green';
  return workdaysOpenOn(openedOn, date, cal) <= yellowWorkdays ? 'yellow' : 'red';
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

/** The day a finding opened on turns red if still open. */
export function redFrom(openedOn: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): IsoDate {
  return cal.addWorkdays(openedOn, yellowWorkdays + 1);
}

/** A unit's light for a day: the worst of its open findings. */
export function unitLight(counts: { yellow: number; red: number }): Light {
  return counts.red > 0 ? 'red' : counts.yellow > 0 ? 'yellow' : 'green';
}

export interface OpenFindingLight {
  light: 'yellow' | 'red';
  /** Working days since the finding opened (the opening day not counted). */
  workdaysOpen: number;
  /** The first red day. */
  redFrom: IsoDate;
}

/**
 * Lights of open findings on one day, memoised by opening day: thousands of findings share a
 * few dozen opening days, so the calendar is walked once per day, not once per finding.
 */
export function openLightsOn(date: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): (openedOn: IsoDate) => OpenFindingLight {
  const memo = new Map<IsoDate, OpenFindingLight>();
  return (openedOn) => {
    let l = memo.get(openedOn);
    if (!l) {
      const workdaysOpen = workdaysOpenOn(openedOn, date, cal);
      l = { light: workdaysOpen <= yellowWorkdays ? 'yellow' : 'red', workdaysOpen, redFrom: redFrom(openedOn, cal, yellowWorkdays) };
      memo.set(openedOn, l);
    }
    return l;
  };
}

/**
 * The urgency order of open findings, the one every list uses (mini-app, console, robot, cards,
 * overview, exports): red first, then by deadline (the first red day, earliest first), then id.
 */
export function byUrgency(a: { light: Light; redFrom: IsoDate; id: number }, b: { light: Light; redFrom: IsoDate; id: number }): number {
  if (a.light !== b.light) return a.light === 'red' ? -1 : b.light === 'red' ? 1 : 0;
  return a.redFrom < b.redFrom ? -1 : a.redFrom > b.redFrom ? 1 : a.id - b.id;
}

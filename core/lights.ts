// The three colours (Ningbo art. 10): a finding is yellow while it has been open for at most
// 3 working days (the opening day not counted), red after that, green once resolved.

import type { WorkdayCalendar } from './calendar.ts';
import type { IsoDate, Light } from './model.ts';

export const YELLOW_WORKDAYS = 3;

export function findingLight(openedOn: IsoDate, resolvedOn: IsoDate | null, date: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): Light {
  if (resolvedOn && resolvedOn <= date) return 'green';
  return cal.workdaysBetween(openedOn, date) <= yellowWorkdays ? 'yellow' : 'red';
}

/** The day a finding opened on turns red if still open. */
export function redFrom(openedOn: IsoDate, cal: WorkdayCalendar, yellowWorkdays = YELLOW_WORKDAYS): IsoDate {
  return cal.addWorkdays(openedOn, yellowWorkdays + 1);
}

/** A unit's light for a day: the worst of its open findings. */
export function unitLight(counts: { yellow: number; red: number }): Light {
  return counts.red > 0 ? 'red' : counts.yellow > 0 ? 'yellow' : 'green';
}

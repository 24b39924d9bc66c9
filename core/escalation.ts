// The monthly assessment (Ningbo art. 21): a unit red in a month is reminded; red in 2
// consecutive months, all its (and its subordinate units') staffing requests are suspended for
// 3 months; 3 consecutive months, 6 months. The thresholds are an office's parameters.

import { addMonthsToMonth } from './dates.ts';
import type { Light } from './model.ts';

export interface EscalationPolicy {
  /** consecutive red months → suspension months; the highest threshold reached applies. */
  suspensions: Array<{ consecutive: number; months: number }>;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  suspensions: [
    { consecutive: 2, months: 3 },
    { consecutive: 3, months: 6 },
  ],
};

export interface MonthAssessment {
  light: Light;
  consecutiveRed: number;
  action: null | { kind: 'reminder' } | { kind: 'suspension'; months: number; startsMonth: string; endsMonth: string };
}

/**
 * Assesses one unit for `month` from the worst light it had in that month and the consecutive
 * red count of the month before. A suspension starts with the month after the assessed one.
 */
export function assessMonth(month: string, worstLight: Light, previousConsecutiveRed: number, policy: EscalationPolicy = DEFAULT_ESCALATION): MonthAssessment {
  if (worstLight !== 'red') return { light: worstLight, consecutiveRed: 0, action: null };
  const consecutiveRed = previousConsecutiveRed + 1;
  let months = 0;
  for (const s of policy.suspensions) if (consecutiveRed >= s.consecutive) months = Math.max(months, s.months);
  if (!months) return { light: 'red', consecutiveRed, action: { kind: 'reminder' } };
  const startsMonth = addMonthsToMonth(month, 1);
  return { light: 'red', consecutiveRed, action: { kind: 'suspension', months, startsMonth, endsMonth: addMonthsToMonth(startsMonth, months - 1) } };
}

export function worstLight(lights: Iterable<Light>): Light {
  let w: Light = 'green';
  for (const l of lights) {
    if (l === 'red') return 'red';
    if (l === 'yellow') w = 'yellow';
  }
  return w;
}

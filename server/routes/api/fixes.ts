// Every finding the API lists carries where it is fixed (`fix: {label, href, kind}`), from the
// one mapping of core/finding-fixes.ts, by the role of who asks.

import { findingFix, type FixLink } from '../../../core/finding-fixes.ts';
import type { FindingItem } from './common.ts';

export function withFixes<T extends FindingItem>(items: T[], role: string): Array<T & { fix: FixLink }> {
  return items.map((i) => ({ ...i, fix: findingFix(i, role) }));
}

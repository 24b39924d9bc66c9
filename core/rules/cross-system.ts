// domain.md §5.9 Cross-system checks (issue 16): the 实名制 roster against the other departments'
// rosters (core/feeds.ts) and, in a city's deployment, against the counties' own copies. Matched
// by the ID number's keyed hash, never by the number in clear. Each rule is one predicate over
// facts db/ attaches to the record, as for every other cross-row rule.

import type { Rule } from './define.ts';

export const CROSS_SYSTEM_RULES: Rule[] = [];

// domain.md §5.9 Cross-system checks (issue 16): the 实名制 roster against the other departments'
// rosters (core/feeds.ts) and, in a city's deployment, against the counties' own copies. Matched
// by the ID number's keyed hash, never by the number in clear. Each rule is one predicate over
// facts db/ attaches to the record, as for every other cross-row rule.

import { defineRule, type Hit, type Rule } from './define.ts';

/**
 * X-RG-01 市县数据不一致: a county that runs its own instance sends its monthly snapshot to the
 * city (sanse snapshot export / import). The city's copy of the county's units and people is
 * compared with the latest one: a person on one side only, or in another unit, status or 编制类型;
 * a unit the county's copy lacks, or whose 核定 of a 编制类型 or 领导职数 of a kind differs. Unit-scope hits, the person
 * as the subject (as W-07); the qualifier is a stable key with no ID hash. Silent for a county
 * without a snapshot.
 */
export const countyCopyMismatch = defineRule({
  code: 'X-RG-01', title: '市县数据不一致', scope: 'unit', severity: 'S2', params: {},
  check: (u) => {
    const c = u.agg.countyCopy;
    if (!c) return null;
    const hits: Hit[] = [];
    const base = { countyRegion: c.region, countyMonth: c.month };
    if (!c.unit) hits.push({ qualifier: 'unit', detail: { ...base, differences: ['县级数据中没有本单位（按统一社会信用代码）'] } });
    else {
      for (const kind of [...new Set([...Object.keys(u.quotas), ...Object.keys(c.unit.quotas)])].sort()) {
        const city = u.quotas[kind] ?? 0;
        const county = c.unit.quotas[kind] ?? 0;
        if (city !== county) hits.push({ qualifier: `quota:${kind}`, detail: { ...base, kind, differences: [`核定${kind}：市级${city}名，县级${county}名`] } });
      }
      for (const kind of [...new Set([...Object.keys(u.leaderPosts), ...Object.keys(c.unit.leaderPosts)])].sort()) {
        const city = u.leaderPosts[kind] ?? 0;
        const county = c.unit.leaderPosts[kind] ?? 0;
        if (city !== county) hits.push({ qualifier: `post:${kind}`, detail: { ...base, differences: [`领导职数（${kind}）：市级${city}名，县级${county}名`] } });
      }
    }
    for (const p of c.people) {
      const subject = { kind: 'person' as const, name: p.name, idMasked: p.idMasked };
      const k = p.county;
      const differences: string[] = [];
      if (!k) differences.push('县级数据中没有此人');
      else {
        if ((k.unitCode ?? '') !== u.code) differences.push(`所在单位：市级“${u.name}”，县级“${k.unitName ?? k.unitCode ?? '（空）'}”`);
        if ((k.status ?? '') !== (p.status ?? '')) differences.push(`人员状态：市级${p.status ?? '（空）'}，县级${k.status ?? '（空）'}`);
        if ((k.quotaKind ?? '') !== (p.quotaKind ?? '')) differences.push(`编制类型：市级${p.quotaKind ?? '（空）'}，县级${k.quotaKind ?? '（空）'}`);
      }
      if (differences.length) hits.push({ qualifier: `person:${p.personId}`, subject, detail: { ...base, differences } });
    }
    for (const p of c.onlyInCounty) {
      hits.push({
        qualifier: `county:${p.idMasked ?? ''}:${p.name}`, subject: { kind: 'person', name: p.name, idMasked: p.idMasked },
        detail: { ...base, differences: [`市级数据中没有此人（县级：${p.status ?? '状态空'}${p.quotaKind ? `，${p.quotaKind}` : ''}）`] },
      });
    }
    return hits.length ? hits : null;
  },
});

export const CROSS_SYSTEM_RULES: Rule[] = [countyCopyMismatch as Rule];

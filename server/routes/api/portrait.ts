// 一单位一画像 (server/API.md "Unit portrait"): GET /api/units/:id/portrait, the portrait of one
// unit by its own id within the user's scope, shaped from the rows db/portrait.ts reads in one
// round trip. Figures are the stored ones (unit_stats,
// kept by the check and the re-check); lights are computed for today (core/lights.ts); ID numbers
// are masked unless the role is in FULL_ID_ROLES; every item carries where it is acted on.

import type { FastifyPluginAsync } from 'fastify';
import type { Knex } from 'knex';
import { unitLight } from '../../../core/lights.ts';
import type { IsoDate, Light } from '../../../core/model.ts';
import { STATE_TEXT, type RequestState } from '../../../core/requests.ts';
import { FULL_ID_ROLES } from '../../../core/roles.ts';
import { statKey, statsOf } from '../../../core/unit-stats.ts';
import { leaderHolders, portraitUnitRecord, readPortrait, retirementsByYear, retirementWindow, retiringPeople, structureOf } from '../../../db/portrait.ts';
import type { PiiCipher } from '../../../db/pii.ts';
import { calendarFromRows } from '../../../db/settings.ts';
import { viewOf } from '../../../commands/request-effects.ts';
import { ApiError, birthMismatchFor, openFindingItems, unitInScope, userOf, type ApiDeps } from './common.ts';
import { withFixes } from './fixes.ts';
import { historyOf } from './workers.ts';
import { provenanceFromRows, provenanceQuery, unitEntrantsFromRows, unitEntrantsQuery, type Provenance, type UnitEntrant } from '../../../db/provenance.ts';
import { runReads } from '../../../db/batch.ts';

type Row = Record<string, any>;

const UNIT_FIELD_LABEL: Record<string, string> = {
  code: '统一社会信用代码', name: '机构名称', parent_code: '上级机构代码', parent_id: '上级机构', region_code: '所属区划', region_name: '区划名称', nature: '机构性质',
  category: '事业单位类别', is_can_gong: '是否参公', level: '机构规格', funding: '经费形式', approval_no: '批准文号', approval_date: '批准日期',
  internal_offices: '内设机构', internal_offices_approved: '内设机构核定数', duties: '主要职责', annual_report: '是否年报单位', worker_cap: '编外用工控制数', group_id: '工作群',
};

export interface PortraitDeps {
  db: Knex;
  pii: PiiCipher;
  today: IsoDate;
}

export type UnitPortrait = Awaited<ReturnType<typeof unitPortrait>>;

/** The portrait of a unit the caller has already found in the user's scope. */
export async function unitPortrait(deps: PortraitDeps, user: { role: string }, unitId: number) {
  const { db, pii, today } = deps;
  const fullIds = FULL_ID_ROLES.has(user.role);
  const r = await readPortrait(db, unitId, today, { fullIds });
  const u = r.unit!;
  const unit = portraitUnitRecord(r);
  const s = r.stats;
  const asOf = r.statsAsOf ?? today;
  const fig = (dim: Parameters<typeof statKey>[0], key: string) => s.get(statKey(dim, key)) ?? 0;

  // 编制 by kind: 核定 from the ledger (with its 批准文号), the rest as the check counted them.
  const approvalNo = new Map(r.quotas.map((q) => [q.kind as string, q.approval_no ?? null]));
  const ledger = new Map(r.quotas.map((q) => [q.kind as string, Number(q.approved)]));
  const kinds = [...new Set([...ledger.keys(), ...Object.keys(statsOf(s, 'approved')), ...Object.keys(statsOf(s, 'onQuota')), ...Object.keys(statsOf(s, 'inTransit'))])];
  const quotas = kinds.map((kind) => ({
    kind, approved: s.size ? fig('approved', kind) : ledger.get(kind) ?? 0, onQuota: fig('onQuota', kind), inTransit: fig('inTransit', kind),
    vacant: fig('vacant', kind), over: fig('over', kind), approvalNo: approvalNo.get(kind) ?? null,
  }));
  const approved = quotas.reduce((a, q) => a + q.approved, 0);
  const onQuota = quotas.reduce((a, q) => a + q.onQuota, 0);
  const totals = {
    approved, onQuota, inTransit: quotas.reduce((a, q) => a + q.inTransit, 0),
    vacant: fig('unitTotal', 'vacant'), over: fig('unitTotal', 'over'),
    /** 实有 / 核定 in per cent, one decimal (null without a quota). */
    saturation: approved > 0 ? Math.round((onQuota / approved) * 1000) / 10 : null,
    available: Math.max(0, approved - onQuota - quotas.reduce((a, q) => a + q.inTransit, 0)),
  };

  const idOf = (row: Row): string | null => {
    if (fullIds && row.id_enc) {
      try {
        return pii.decrypt(row.id_enc);
      } catch {
        return row.id_masked ?? null;
      }
    }
    return row.id_masked ?? null;
  };
  const holders = leaderHolders(r.people);
  const leaders = holders.map(({ record: p, row }) => ({
    id: p.id, name: p.name, leaderLevel: p.leaderLevel, posts: p.posts, rank: p.rank, currentPostSince: p.currentPostSince, quotaKind: p.quotaKind,
    idNumber: idOf(row), href: `#/person/${p.id}`,
  }));
  const leaderPosts = r.leaderPosts.map((lp) => {
    const n = holders.filter((h) => h.record.leaderLevel === lp.kind).length;
    return { kind: lp.kind as string, approved: Number(lp.approved), holders: n, available: Math.max(0, Number(lp.approved) - n), over: Math.max(0, n - Number(lp.approved)), approvalNo: lp.approval_no ?? null };
  });

  const w = retirementWindow(asOf);
  const retiring = retiringPeople(r.people, unit, asOf, w);

  const cal = calendarFromRows(r.calendar);
  const births = new Map(r.people.map(({ row }) => [Number(row.id), row.id_birth ?? null]));
  const findings = withFixes(openFindingItems(r.findings, today, cal, { limit: r.findings.length }), user.role)
    .map((f) => (f.rule === 'P-ID-08' ? { ...birthMismatchFor(f, f.subject.kind === 'person' ? births.get(f.subject.id) : null, fullIds), fix: f.fix } : f));
  const counts = { red: 0, yellow: 0, hint: 0 };
  for (const f of findings) if (f.light === 'red' || f.light === 'yellow' || f.light === 'hint') counts[f.light]++;

  const lightToday: Light = unitLight(counts);
  const stepsBy = new Map<number, Row[]>();
  for (const st of r.steps) {
    const id = Number(st.request_id);
    if (!stepsBy.has(id)) stepsBy.set(id, []);
    stepsBy.get(id)!.push(st);
  }
  const requests = r.requests.map((row) => {
    const v = viewOf(row, u.name, (stepsBy.get(Number(row.id)) ?? []).map((st) => ({ step: st.step, by: st.by, byName: st.by_name ?? null, decision: st.decision, comment: st.comment ?? null, at: st.at })));
    const last = v.steps[v.steps.length - 1];
    return {
      id: v.id, no: v.no, kind: v.kind, state: v.state, stateText: STATE_TEXT[v.state as RequestState] ?? v.stateText, summary: v.summary, reason: v.reason,
      submittedAt: v.submittedAt, decidedAt: v.decidedAt, decidedBy: v.decidedBy, outcome: last ? { step: last.step, by: last.byName ?? last.by, comment: last.comment, at: last.at } : null,
      href: `#/requests/${v.id}`,
    };
  });

  return {
    unitId,
    asOf: r.statsAsOf,
    today,
    unit: {
      id: unitId, name: u.name as string, code: (u.code as string) || null, nature: u.nature ?? null, category: u.category ?? null, level: u.level ?? null, funding: u.funding ?? null,
      isCanGong: u.is_can_gong == null ? null : Boolean(Number(u.is_can_gong)), regionCode: u.region_code ?? null, regionName: u.region_name ?? null,
      approvalNo: u.approval_no ?? null, approvalDate: u.approval_date ?? null, duties: u.duties ?? null,
      parent: r.parent ? { ...r.parent, href: `#/portrait/${r.parent.id}` } : null,
      href: `#/unit/${unitId}`, consoleHref: `#/console/unit/${unitId}`, historyHref: `#/unit/${unitId}/history`,
    },
    quotas,
    totals,
    leaderPosts,
    leaders,
    offices: { approved: u.internal_offices_approved == null ? null : Number(u.internal_offices_approved), count: r.offices.length, names: r.offices },
    structure: structureOf(s),
    retirements: {
      from: w.from, to: w.to,
      total: retiring.length,
      years: retirementsByYear(s, w),
      people: retiring.map(({ person: p, row, month, quotaKind }) => ({ id: p.id, name: p.name, month, quotaKind, leaderLevel: p.leaderLevel, rank: p.rank, idNumber: idOf(row), href: `#/person/${p.id}` })),
    },
    findings: { counts, items: findings },
    lights: {
      today: lightToday,
      days: r.dailyLights.map((d) => ({ date: d.date as string, light: d.light as Light, yellow: Number(d.yellow), red: Number(d.red) })),
      months: r.monthly.map((m) => ({ month: m.month as string, light: m.light as Light, redDays: Number(m.red_days), consecutiveRed: Number(m.consecutive_red), action: m.action ?? null })),
    },
    scores: r.scores.map((sc) => ({ month: sc.month as string, score: Number(sc.score), rank: Number(sc.rank), units: r.scoredUnits.get(sc.month) ?? 0, deductions: JSON.parse(sc.deductions) as Record<string, number> })),
    requests,
    history: historyOf(r.versions, UNIT_FIELD_LABEL),
  };
}

export const portraitRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/api/units/:unit/portrait', {
    schema: { params: { type: 'object', properties: { unit: { type: 'string', maxLength: 40 } }, required: ['unit'] } },
  }, async (req) => {
    const user = userOf(req);
    const p = String((req.params as { unit: string }).unit);
    // The unit by its own id (never a credit code: codes may be shared).
    if (!/^[1-9]\d{0,9}$/.test(p)) throw new ApiError(404, '没有该单位');
    const unit = await unitInScope(deps.db, user, p);
    const id = Number(unit.id);
    // 首录负责制 (issue 18): the unit record's own first entry and last change, and who entered its people.
    let provenance: Provenance = { first: null, last: null };
    let entrants: UnitEntrant[] = [];
    const [portrait] = await Promise.all([
      unitPortrait({ db: deps.db, pii: deps.pii, today: deps.today() }, user, id),
      runReads(deps.db, [
        { query: provenanceQuery(deps.db, 'unit', [id]), apply: (rows) => { provenance = provenanceFromRows(rows).get(id) ?? provenance; } },
        { query: unitEntrantsQuery(deps.db, id), apply: (rows) => { entrants = unitEntrantsFromRows(rows); } },
      ], true),
    ]);
    return { ...portrait, provenance, entrants };
  });
};

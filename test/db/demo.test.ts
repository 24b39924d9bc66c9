// The demo county: deterministic generation, valid ID numbers and credit codes except the planted
// defects, a unit tree without accidental cycles, seeding counts (SQLite, or MariaDB with
// SANSE_TEST_DB=mysql), and the daily check finding every rule the generator planted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFacts, normaliseIdNumber } from '../../core/idnumber.ts';
import { RULES } from '../../core/rules/index.ts';
import { usccFacts, normaliseUscc } from '../../core/uscc.ts';
import { recheck, runCheck } from '../../db/check.ts';
import { DEFECTS, DEMO_DEFAULTS, generateCounty, generatePeople, type CountyOptions, type GeneratedCounty, type GeneratedRecord } from '../../db/demo/generate.ts';
import { createFeedPlanner, type DemoFeeds } from '../../db/demo/feeds.ts';
import { isEmpty, seedDemo, type SeedResult } from '../../db/demo/seed.ts';
import { unlinkedFeedRows } from '../../db/feeds.ts';
import { createTestDb, TEST_DB_KIND, type TestDb } from './helpers.ts';

/** The last working day of November 2026: the month-end rule U-PR-01 is judged on it. */
const TODAY = '2026-11-30';
const DEFAULT: CountyOptions = { ...DEMO_DEFAULTS, today: TODAY };

const take = (county: GeneratedCounty, n: number): GeneratedRecord[] => {
  const out: GeneratedRecord[] = [];
  for (const r of generatePeople(county)) {
    out.push(r);
    if (out.length >= n) break;
  }
  return out;
};

const ID_DEFECTS = new Set(['P-ID-01', 'P-ID-02', 'P-ID-03', 'P-ID-04', 'P-ID-05', 'P-ID-06', 'P-ID-07', 'W-01']);
const CODE_DEFECTS = new Set(['U-IN-01', 'U-IN-02', 'U-IN-03', 'U-IN-04', 'U-IN-05']);
const PREFIX: Record<string, string> = { 事业单位: '12', 群团机关: '13' };

describe('demo county generation', () => {
  const small: CountyOptions = { units: 60, people: 900, seed: 7, today: TODAY };

  it('is deterministic: the same seed gives the same county and people, another seed others', () => {
    const a = generateCounty(small);
    const b = generateCounty(small);
    expect(b.units).toEqual(a.units);
    expect(b.quotas).toEqual(a.quotas);
    expect(b.leaderPosts).toEqual(a.leaderPosts);
    expect(b.users).toEqual(a.users);
    expect(b.auxiliary).toEqual(a.auxiliary);
    expect(b.plan).toEqual(a.plan);
    expect([...generatePeople(b)]).toEqual([...generatePeople(a)]);
    expect(feeds0(b)).toEqual(feeds0(a));

    const c = generateCounty({ ...small, seed: 8 });
    expect(c.units.map((u) => u.code)).not.toEqual(a.units.map((u) => u.code));
    const pa = take(a, 50).map((r) => (r.person ?? r.worker)!.idNumber);
    const pc = take(c, 50).map((r) => (r.person ?? r.worker)!.idNumber);
    expect(pc).not.toEqual(pa);
  });

  it('yields exactly the requested people, about one worker per four, and refuses mismatched options', () => {
    const county = generateCounty(small);
    let people = 0;
    let workers = 0;
    for (const r of generatePeople(county, { people: small.people, seed: small.seed })) {
      if (r.type === 'person') people++;
      else workers++;
    }
    expect(people).toBe(small.people);
    expect(workers).toBeGreaterThan(small.people * 0.2);
    expect(workers).toBeLessThan(small.people * 0.3);
    expect(() => generatePeople(county, { seed: 99 }).next()).toThrow(/seed/);
  });

  const county = generateCounty(DEFAULT);
  const records = [...generatePeople(county)];

  it('writes valid ID numbers except the planted ID defects, and consistent birth dates and genders', () => {
    let invalid = 0;
    for (const r of records) {
      const rec = (r.person ?? r.worker)!;
      const f = idFacts(rec.idNumber, TODAY);
      const valid = f.kind === '18' && f.checkOk && f.provinceOk && !!f.birth && !f.irregular;
      const planted = r.defects.some((d) => ID_DEFECTS.has(d));
      if (!valid) invalid++;
      expect({ id: f.masked, valid, defects: r.defects }).toEqual({ id: f.masked, valid: !planted, defects: r.defects });
      if (valid && r.person && !r.defects.some((d) => ['P-ID-08', 'P-TM-01'].includes(d))) expect(r.person.birthDate).toBe(f.birth);
      if (valid && !r.defects.includes('P-ID-09')) expect(rec.gender).toBe(f.gender);
    }
    // a realistic share, not a mess
    expect(invalid / records.length).toBeGreaterThan(0.005);
    expect(invalid / records.length).toBeLessThan(0.05);
  });

  it('repeats an ID number only where a duplicate was planted', () => {
    const byId = new Map<string, GeneratedRecord[]>();
    for (const r of records) {
      const id = normaliseIdNumber((r.person ?? r.worker)!.idNumber).value;
      if (!id) continue;
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    for (const list of byId.values()) {
      if (list.length < 2) continue;
      expect(list.every((r) => r.type === 'person')).toBe(true);
      expect(list.some((r) => r.defects.includes('P-ID-10') || r.defects.includes('P-ID-11'))).toBe(true);
    }
  });

  it('gives every unit a valid credit code of its nature and region, except the planted ones', () => {
    const seen = new Map<string, number>();
    county.units.forEach((u, i) => {
      const plan = county.plan[i];
      const code = normaliseUscc(u.code);
      seen.set(code, (seen.get(code) ?? 0) + 1);
      const f = usccFacts(code);
      const ok = f.formatOk && f.checkOk && f.orgCodeOk && f.category === (PREFIX[u.nature ?? ''] ?? '11') && f.regionCode === '330603';
      expect({ name: u.name, ok }).toEqual({ name: u.name, ok: !plan.defects.some((d) => CODE_DEFECTS.has(d)) });
    });
    for (const [code, n] of seen) {
      if (n === 1) continue;
      const holders = county.plan.filter((p) => normaliseUscc(p.code) === code);
      expect(holders.every((p) => p.defects.includes('U-IN-06'))).toBe(true);
    }
  });

  it('builds a unit tree whose only cycle is the planted one', () => {
    const byCode = new Map<string, number>();
    county.units.forEach((u, i) => { if (!byCode.has(u.code)) byCode.set(u.code, i); });
    let inCycle = 0;
    county.units.forEach((u, i) => {
      const seen = new Set<number>([i]);
      let cur = u.parentCode ? byCode.get(u.parentCode) : undefined;
      if (u.parentCode) expect(cur).toBeDefined();
      while (cur !== undefined && !seen.has(cur)) {
        seen.add(cur);
        const p = county.units[cur].parentCode;
        cur = p ? byCode.get(p) : undefined;
      }
      if (cur === i) {
        inCycle++;
        expect(county.plan[i].defects).toContain('U-IN-11');
      }
      // organs are the roots; an institution without a parent is a planted defect
      if (!u.parentCode && u.nature === '事业单位') expect(county.plan[i].defects).toContain('U-IN-11');
    });
    expect(inCycle).toBe(2);
  });

  it('plants a lively but limited share of defects', () => {
    const people = records.filter((r) => r.type === 'person');
    const withDefect = people.filter((r) => r.defects.length).length / people.length;
    expect(withDefect).toBeGreaterThan(0.04);
    expect(withDefect).toBeLessThan(0.1);
    const cleanUnits = county.plan.filter((p) => p.defects.length === 0).length / county.plan.length;
    expect(cleanUnits).toBeGreaterThan(0.5);
    // every rule of the table is planted at least once in the default county
    const planted = new Set([...Object.keys(county.planned), ...records.flatMap((r) => r.defects), ...Object.keys(feeds0(county).planted)]);
    expect(DEFECTS.map((d) => d.code).filter((c) => !planted.has(c))).toEqual([]);
  });
});

describe(`seeding the demo county (${TEST_DB_KIND})`, () => {
  let t: TestDb;
  let seeded: SeedResult;
  let county: GeneratedCounty;
  let emptyBefore = false;

  beforeAll(async () => {
    t = await createTestDb();
    emptyBefore = await isEmpty(t.db);
    county = generateCounty(DEFAULT);
    const phases = new Set<string>();
    seeded = await seedDemo(t.db, t.pii, DEFAULT, (p) => phases.add(p.phase));
    expect([...phases]).toEqual(['units', 'people', 'auxiliary', 'done']);
    console.log(`demo seed on ${TEST_DB_KIND}: ${DEFAULT.units} units, ${DEFAULT.people} people in ${seeded.ms} ms`);
  });
  afterAll(async () => { await t.close(); });

  const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())?.n ?? 0);

  it('writes the expected counts, in well under a minute', async () => {
    expect(emptyBefore).toBe(true);
    expect(await isEmpty(t.db)).toBe(false);
    const feeds = feeds0(county);
    const workers = county.plan.reduce((a, p) => a + p.workers, 0) + feeds.workers.length;
    expect(await count('units')).toBe(county.units.length);
    expect(await count('people')).toBe(DEFAULT.people);
    expect(await count('workers')).toBe(workers);
    expect(await count('quotas')).toBe(county.quotas.length);
    expect(await count('leader_posts')).toBe(county.leaderPosts.length);
    expect(await count('users')).toBe(county.users.length);
    expect(await count('internal_offices')).toBe(county.units.reduce((a, u) => a + (u.internalOffices?.length ?? 0), 0));
    const a = county.auxiliary;
    expect(await count('approval_documents')).toBe(a.approvalDocuments.length);
    expect(await count('staffing_requests')).toBe(a.staffingRequests.length);
    expect(await count('self_checks')).toBe(a.selfChecks.length);
    expect(await count('monthly_reports')).toBe(a.monthlyReports.length);
    expect(await count('region_quota_totals')).toBe(a.regionQuotaTotals.length);
    expect(await count('feed_contracts')).toBe(a.feedContracts.length);
    expect(seeded).toMatchObject({ units: county.units.length, people: DEFAULT.people, workers });
    // the feeds, as the office imports them: one version per file, by demo, the rows of the files
    const imports = await t.db('feed_imports').orderBy('id').select('kind', 'month', 'rows', 'by', 'file_name', 'replaced_by');
    expect(imports.map((i) => [i.kind, i.month, Number(i.rows), i.by, i.replaced_by])).toEqual([
      ['社保', feeds.si.month, feeds.si.rows.length, 'demo', null],
      ...feeds.payroll.map((f) => ['工资统发', f.month, f.rows.length, 'demo', null]),
      ['组织部任免', feeds.appointments.month, feeds.appointments.rows.length, 'demo', null],
    ]);
    expect(feeds.si.rows.length).toBeGreaterThan(DEFAULT.people * 0.8);
    expect(imports.every((i) => /\.xlsx$/.test(i.file_name))).toBe(true);
    expect(await count('feed_social_insurance')).toBe(feeds.si.rows.length);
    expect(await count('feed_payroll')).toBe(feeds.payroll.reduce((n, f) => n + f.rows.length, 0));
    expect(await count('feed_appointments')).toBe(feeds.appointments.rows.length);
    expect(seeded.feedRows).toEqual({ 社保: feeds.si.rows.length, 工资统发: feeds.payroll.reduce((n, f) => n + f.rows.length, 0), 组织部任免: feeds.appointments.rows.length });
    // hashed with the people's cipher: a roster person's hash finds their 社保 row, and no row keeps a number in clear
    const listed = await t.db('feed_social_insurance as s').join('people as p', 'p.id_hash', 's.id_hash').count({ n: '*' }).first();
    expect(Number(listed?.n)).toBeGreaterThan(feeds.si.rows.length * 0.95);
    expect(JSON.stringify(await t.db('feed_social_insurance').select('id_masked', 'name').limit(50))).not.toContain(feeds.si.rows[0].身份证号);

    const office = await t.db('settings').where({ key: 'office' }).first();
    expect(JSON.parse(office.value)).toEqual({ regionCode: '330603', regionName: '柯桥区', groupId: 'office-group', name: '柯桥区委编办' });
    // every stored row has its version, from the demo source, and no ID number in clear
    const versions = await t.db('record_versions').where({ source: '演示数据', changed_by: 'system' }).count({ n: '*' }).first();
    expect(Number(versions?.n)).toBeGreaterThanOrEqual(county.units.length + DEFAULT.people + workers + county.users.length);
    const someone = records0(county).find((r) => r.type === 'person' && r.defects.length === 0)!;
    const stored = await t.db('record_versions').where({ entity: 'person' }).select('after').limit(50);
    expect(JSON.stringify(stored)).not.toContain(someone.person!.idNumber);
    // the ledger dates the county carries, not the seeding day
    const ledgers = await t.db('units').whereNot('ledger_updated_on', TODAY).count({ n: '*' }).first();
    expect(Number(ledgers?.n)).toBeGreaterThan(county.units.length * 0.9);
  });

  it('keeps the person named by an approved request findable by the hash of their ID number', async () => {
    const named = county.auxiliary.staffingRequests.filter((r) => r.personIdNumber);
    expect(named.length).toBeGreaterThan(0);
    for (const r of named) {
      const hash = t.pii.hash(normaliseIdNumber(r.personIdNumber).value);
      const person = await t.db('people').where({ id_hash: hash }).first('id');
      expect(person).toBeDefined();
    }
  });

  it('shows every planted rule in the daily check', async () => {
    const summary = await runCheck(t.db, TODAY);
    expect(summary).toMatchObject({ units: county.units.length, people: DEFAULT.people });
    const rows = (await t.db('findings').select('rule').count({ n: '*' }).groupBy('rule')) as Array<{ rule: string; n: number | string }>;
    const hit = new Map(rows.map((r) => [String(r.rule), Number(r.n)]));
    const planted = new Set([...Object.keys(county.planned), ...records0(county).flatMap((r) => r.defects), ...Object.keys(feeds0(county).planted)]);
    const known = new Set(RULES.map((r) => r.code));
    const missing = [...planted].filter((c) => known.has(c) && !hit.has(c)).sort();
    expect(missing).toEqual([]);
    // every cross-system rule (X-RG-01 needs a county's own instance: no demo has one)
    const xRules = RULES.map((r) => r.code).filter((c) => c.startsWith('X-') && c !== 'X-RG-01');
    expect(xRules.length).toBe(9);
    expect(xRules.filter((c) => !hit.has(c))).toEqual([]);
    // a few findings each, not a flood
    for (const c of xRules) expect({ c, n: hit.get(c)! < 60 }).toEqual({ c, n: true });
    // a lively mix, but most units stay clean
    const unitsWithFindings = await t.db('findings').countDistinct({ n: 'unit_id' }).first();
    expect(Number(unitsWithFindings?.n)).toBeGreaterThan(county.units.length * 0.2);
    expect(Number(unitsWithFindings?.n)).toBeLessThan(county.units.length * 0.65);
  });

  it('offers the feed rows without a valid ID number as candidates to confirm, never linked', async () => {
    const entries = [...await unlinkedFeedRows(t.db, '社保'), ...await unlinkedFeedRows(t.db, '工资统发')];
    const planted = entries.filter((e) => e.candidates.length > 0);
    expect(planted.length).toBe(feeds0(county).candidates);
    expect(planted.some((e) => e.candidates.some((c) => c.reason === '读音相同'))).toBe(true);
    expect(planted.every((e) => e.candidates[0].sameUnit)).toBe(true);
    expect(Number((await t.db('feed_links').count({ n: '*' }).first())?.n)).toBe(0);
    const payroll = planted.find((e) => e.kind === '工资统发');
    expect(payroll?.months.length).toBe(3);
  });

  it('re-checks every unit, and every person with a finding, to what the nightly check found', async () => {
    // The re-check reads one unit's facts by query (in one round trip on MySQL); the nightly
    // check reads all units at once and counts duplicates and cycles in memory. Right after the
    // check, a re-check must open and resolve nothing.
    const before = await t.db('findings').where({ status: 'open' }).count({ n: '*' }).first();
    const changed: string[] = [];
    for (const u of await t.db('units').select('id', 'code')) {
      const r = await recheck(t.db, { unitId: Number(u.id) }, TODAY);
      if (r && (r.opened.length || r.resolved.length)) changed.push(`${u.code}: +${r.opened} -${r.resolved}`);
    }
    const people = await t.db('findings as f').join('people as p', 'p.id', 'f.entity_id').where({ 'f.scope': 'person', 'f.status': 'open' }).distinct('p.id_hash').limit(300);
    expect(people.length).toBeGreaterThan(50);
    for (const p of people) {
      const r = await recheck(t.db, { personHash: p.id_hash }, TODAY);
      if (r && (r.opened.length || r.resolved.length)) changed.push(`${r.subject.name}: +${r.opened} -${r.resolved}`);
    }
    expect(changed).toEqual([]);
    const after = await t.db('findings').where({ status: 'open' }).count({ n: '*' }).first();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });
});

let feedCache: { county: GeneratedCounty; feeds: DemoFeeds } | null = null;
function feeds0(county: GeneratedCounty): DemoFeeds {
  if (feedCache?.county !== county) {
    const planner = createFeedPlanner(county);
    for (const r of generatePeople(county)) planner.add(r);
    feedCache = { county, feeds: planner.done() };
  }
  return feedCache.feeds;
}

let cache: { county: GeneratedCounty; records: GeneratedRecord[] } | null = null;
function records0(county: GeneratedCounty): GeneratedRecord[] {
  if (cache?.county !== county) cache = { county, records: [...generatePeople(county)] };
  return cache.records;
}

// 镇街三色图 (db/towns.ts, core/town-map.ts, commands/town-map.ts) on the demo county, SQLite and
// MariaDB: each town's figures against counts made here from units, quotas and people over the
// town's subtree (walked here by parent_id); the colours follow the thresholds (a town planted
// over-staffed, one planted in the green band); the uploaded GeoJSON is checked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTownMap, updateTownThresholds, uploadTownMap } from '../../commands/town-map.ts';
import { DEFAULT_TOWN_THRESHOLDS, MAX_MAP_BYTES, TOWN_NATURE } from '../../core/town-map.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { subtreeIds } from '../../db/scope.ts';
import { currentTownMap, listTowns, loadTownThresholds } from '../../db/towns.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const TODAY = '2026-11-30';
let t: TestDb;
type Row = Record<string, any>;
const ADMIN = { id: 'test-admin', role: '编办管理员' };
let towns: Row[];

/** Each town's units, walked here by parent_id. */
async function subtrees(): Promise<Map<number, number[]>> {
  const units = (await t.db('units').select('id', 'parent_id')) as Row[];
  const children = new Map<number, number[]>();
  for (const u of units) if (u.parent_id != null) children.set(Number(u.parent_id), [...(children.get(Number(u.parent_id)) ?? []), Number(u.id)]);
  const out = new Map<number, number[]>();
  for (const town of towns) {
    const seen = [Number(town.id)];
    for (let i = 0; i < seen.length; i++) for (const c of children.get(seen[i]) ?? []) if (!seen.includes(c)) seen.push(c);
    out.set(Number(town.id), seen);
  }
  return out;
}

/** 核定, 实有, gross 空编 and 超编 of some units, counted from quotas and people. */
async function counted(ids: number[]) {
  const approved = new Map<string, number>();
  for (const r of (await t.db('quotas').whereIn('unit_id', ids).select('unit_id', 'kind', 'approved')) as Row[]) approved.set(`${r.unit_id}|${r.kind}`, Number(r.approved));
  const actual = new Map<string, number>();
  for (const r of (await t.db('people').whereIn('unit_id', ids).where({ status: '在编' }).whereNotNull('quota_kind').select('unit_id', 'quota_kind').count({ n: '*' }).groupBy('unit_id', 'quota_kind')) as Row[]) actual.set(`${r.unit_id}|${r.quota_kind}`, Number(r.n));
  let a = 0, n = 0, vacant = 0, over = 0;
  const overUnits = new Set<string>();
  for (const k of new Set([...approved.keys(), ...actual.keys()])) {
    const x = approved.get(k) ?? 0;
    const y = actual.get(k) ?? 0;
    a += x; n += y; vacant += Math.max(0, x - y); over += Math.max(0, y - x);
    if (y > x) overUnits.add(k.split('|')[0]);
  }
  return { approved: a, onQuota: n, vacant, over, overUnits: overUnits.size };
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 60, people: 900, seed: 7, today: TODAY });
  towns = (await t.db('units').where({ nature: TOWN_NATURE }).orderBy('id').select('id', 'name', 'region_name')) as Row[];
  // Plant: the first town over-staffed (its organ's quota cut below its 在编), the second exactly full (green).
  const trees = await subtrees();
  const [over, full] = towns;
  const overKind = (await t.db('people').where({ unit_id: over.id, status: '在编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind').orderBy('n', 'desc').first()) as Row;
  await t.db('quotas').where({ unit_id: over.id, kind: overKind.quota_kind }).update({ approved: Math.max(0, Number(overKind.n) - 3) });
  for (const id of trees.get(Number(full.id))!) {
    await t.db('quotas').where({ unit_id: id }).delete();
    const rows = (await t.db('people').where({ unit_id: id, status: '在编' }).whereNotNull('quota_kind').select('quota_kind').count({ n: '*' }).groupBy('quota_kind')) as Row[];
    if (rows.length) await t.db('quotas').insert(rows.map((r) => ({ unit_id: id, kind: r.quota_kind, approved: Number(r.n) })));
  }
  await runCheck(t.db, TODAY);
}, 120_000);
afterAll(async () => t?.close());

describe('the town map', () => {
  it('has towns, each with figures equal to counts over its subtree', async () => {
    expect(towns.length).toBeGreaterThanOrEqual(2);
    const { towns: lines } = await listTowns(t.db, null, DEFAULT_TOWN_THRESHOLDS);
    expect(new Set(lines.map((l) => l.id))).toEqual(new Set(towns.map((x) => Number(x.id))));
    const trees = await subtrees();
    for (const line of lines) {
      const ids = trees.get(line.id)!;
      const c = await counted(ids);
      expect({ name: line.name, approved: line.approved, onQuota: line.onQuota, vacant: line.vacant, over: line.over, overUnits: line.overUnits }).toEqual({ name: line.name, ...c });
      expect(line.units).toEqual([]);
      const opened = (await listTowns(t.db, null, DEFAULT_TOWN_THRESHOLDS, { unitsOf: line.id })).towns.find((x) => x.id === line.id)!;
      expect(opened.units.map((u) => u.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      expect(opened.units[0].id).toBe(line.id);
      if (c.approved) {
        expect(line.saturation).toBe(Math.round((c.onQuota / c.approved) * 1000) / 10);
        expect(line.vacancyRate).toBe(Math.round((c.vacant / c.approved) * 1000) / 10);
      }
      for (const u of opened.units) expect({ approved: u.approved, onQuota: u.onQuota, vacant: u.vacant, over: u.over }).toEqual((({ approved, onQuota, vacant, over }) => ({ approved, onQuota, vacant, over }))(await counted([u.id])));
    }
  });

  it('colours the planted towns by the thresholds, with the reason', async () => {
    const { towns: lines } = await listTowns(t.db, null, DEFAULT_TOWN_THRESHOLDS);
    const over = lines.find((l) => l.id === Number(towns[0].id))!;
    expect(over.over).toBeGreaterThanOrEqual(3);
    expect(over.colour).toBe('red');
    expect(over.reason).toBe(`超编 ${over.over} 名（${over.overUnits} 个单位超编）`);
    const full = lines.find((l) => l.id === Number(towns[1].id))!;
    expect([full.saturation, full.vacancyRate, full.over]).toEqual([100, 0, 0]);
    expect(full.colour).toBe('green');
    expect(full.reason).toBe('饱和度 100.0%，空编率 0.0%');
    // With 超编 no longer red, the over-staffed town is judged by its 饱和度 instead.
    const lenient = await listTowns(t.db, null, { ...DEFAULT_TOWN_THRESHOLDS, redOnOver: false, greenSaturation: 0, redSaturation: 0, yellowVacancy: 100, redVacancy: 100 });
    expect(lenient.towns.find((l) => l.id === over.id)!.colour).toBe('yellow');
  });

  it('a unit role sees only the towns in its scope', async () => {
    // The town's own leader: the scope is the town's organ and every unit below it.
    const id = Number(towns[0].id);
    const scope = await subtreeIds(t.db, id);
    const { towns: lines } = await listTowns(t.db, scope, DEFAULT_TOWN_THRESHOLDS, { unitsOf: id });
    expect(lines.map((l) => l.id)).toEqual([id]);
    expect(lines[0].approved).toBe((await counted(scope)).approved);
    expect(lines[0].units.map((u) => u.id).sort((a, b) => a - b)).toEqual([...scope].sort((a, b) => a - b));
    // Someone in a unit below the town (not its organ) sees no town.
    if (scope.length > 1) expect((await listTowns(t.db, await subtreeIds(t.db, scope[1]), DEFAULT_TOWN_THRESHOLDS)).towns).toEqual([]);
    expect((await listTowns(t.db, [], DEFAULT_TOWN_THRESHOLDS)).towns).toEqual([]);
  });

  it('changes the thresholds only for 编办管理员, validated and audited', async () => {
    await expect(updateTownThresholds(t.db, { id: 'x', role: '编办业务人员' }, { greenSaturation: 95 })).rejects.toMatchObject({ status: 403 });
    await expect(updateTownThresholds(t.db, ADMIN, { greenSaturation: 120 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('绿色饱和度下限') });
    await expect(updateTownThresholds(t.db, ADMIN, { redSaturation: 95 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('不能高于') });
    await expect(updateTownThresholds(t.db, ADMIN, { colour: 1 })).rejects.toMatchObject({ status: 400 });
    const next = await updateTownThresholds(t.db, ADMIN, { greenSaturation: 95, redSaturation: 85 });
    expect(next).toEqual({ ...DEFAULT_TOWN_THRESHOLDS, greenSaturation: 95, redSaturation: 85 });
    expect(await loadTownThresholds(t.db)).toEqual(next);
    const a = (await t.db('audit_log').where({ action: 'town_thresholds' }).orderBy('id', 'desc').first()) as Row;
    expect(JSON.parse(a.detail).after).toEqual(next);
  });
});

const square = (x: number, y: number) => [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]];
const feature = (name: string, i: number) => ({ type: 'Feature', properties: { name }, geometry: { type: 'Polygon', coordinates: square(120 + i * 0.1, 30) } });

describe('the uploaded map', () => {
  it('stores a good file (features named after towns by region or organ name) and reports the towns without a shape', async () => {
    const fc = { type: 'FeatureCollection', features: [feature(towns[0].region_name, 0), feature(towns[1].name, 1)] };
    const r = await uploadTownMap(t.db, ADMIN, JSON.stringify(fc), 'towns.geojson');
    expect(r.features).toBe(2);
    expect(r.missing.map((m) => m.id).sort()).toEqual(towns.slice(2).map((x) => Number(x.id)).sort());
    const stored = await currentTownMap(t.db);
    expect(JSON.parse(stored!.geojson).features.map((f: Row) => f.properties.name)).toEqual([towns[0].region_name, towns[1].name]);
    expect(stored!.uploadedBy).toBe(ADMIN.id);
    expect(await t.db('audit_log').where({ action: 'town_map_upload' }).first()).toBeTruthy();
  });

  it('refuses a file naming an unknown town, a non-GeoJSON file and an oversized one, in Chinese, keeping the stored map', async () => {
    const unknown = { type: 'FeatureCollection', features: [feature(towns[0].region_name, 0), feature('火星街道', 1)] };
    await expect(uploadTownMap(t.db, ADMIN, JSON.stringify(unknown), null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('火星街道'), extra: { unmatched: ['火星街道'] } });
    await expect(uploadTownMap(t.db, ADMIN, 'name,lat,lng\n柯桥,30,120', null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('不是有效的 JSON') });
    await expect(uploadTownMap(t.db, ADMIN, JSON.stringify({ type: 'Topology', objects: {} }), null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('FeatureCollection') });
    const line = { type: 'Feature', properties: { name: towns[0].region_name }, geometry: { type: 'LineString', coordinates: [[120, 30], [120.1, 30]] } };
    await expect(uploadTownMap(t.db, ADMIN, JSON.stringify({ type: 'FeatureCollection', features: [line] }), null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Polygon') });
    const big = JSON.stringify({ type: 'FeatureCollection', features: [feature(towns[0].region_name, 0)], pad: 'x'.repeat(MAX_MAP_BYTES) });
    await expect(uploadTownMap(t.db, ADMIN, big, null)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('超过 5 MB') });
    await expect(uploadTownMap(t.db, { id: 'y', role: '编办业务人员' }, JSON.stringify(unknown), null)).rejects.toMatchObject({ status: 403 });
    expect((await currentTownMap(t.db))!.features).toBe(2);
  });

  it('keeps a map over 64 KB whole, and deletes it', async () => {
    const many = { type: 'FeatureCollection', features: [{ ...feature(towns[0].region_name, 0), geometry: { type: 'Polygon', coordinates: [Array.from({ length: 4000 }, (_, i) => [120 + Math.cos(i) * 0.05, 30 + Math.sin(i) * 0.05]).concat([[120 + 0.05, 30]])] } }] };
    many.features[0].geometry.coordinates[0][0] = [120 + 0.05, 30];
    const text = JSON.stringify(many);
    expect(text.length).toBeGreaterThan(70_000);
    await uploadTownMap(t.db, ADMIN, text, 'big.json');
    expect(JSON.parse((await currentTownMap(t.db))!.geojson)).toEqual(many);
    expect(await deleteTownMap(t.db, ADMIN)).toEqual({ deleted: 1 });
    expect(await currentTownMap(t.db)).toBeNull();
  });
});

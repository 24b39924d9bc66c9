// 镇街三色图 (Haining part 1): each town (镇/街道: a unit whose 机构性质 is 乡镇(街道)机关, with the
// units below it) coloured by how it uses its 编制, against thresholds the office sets (settings
// `town-map`); and the check of the GeoJSON of the county's towns the office uploads from its
// approved source (标准地图/天地图). Pure: db/towns.ts reads, commands/town-map.ts writes.

/** The 机构性质 of a town's organ (core/unit-stats.ts keeps each unit's town). */
export { TOWN_NATURE } from './unit-stats.ts';

export type TownColour = 'green' | 'yellow' | 'red' | 'grey';

/** The office's thresholds, in per cent. */
export interface TownThresholds {
  /** 饱和度 (实有/核定) at or above this (and no 超编) is green. */
  greenSaturation: number;
  /** 饱和度 below this is red. */
  redSaturation: number;
  /** 空编率 (空编/核定) at or above this is at least yellow. */
  yellowVacancy: number;
  /** 空编率 at or above this is red. */
  redVacancy: number;
  /** Any 超编 (a unit over its quota of a kind) makes the town red. */
  redOnOver: boolean;
}

export const DEFAULT_TOWN_THRESHOLDS: TownThresholds = { greenSaturation: 90, redSaturation: 80, yellowVacancy: 10, redVacancy: 20, redOnOver: true };

export class TownMapError extends Error {
  constructor(message: string, readonly fields: Record<string, string> = {}, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

const LABEL: Record<keyof TownThresholds, string> = {
  greenSaturation: '绿色饱和度下限', redSaturation: '红色饱和度下限', yellowVacancy: '黄色空编率下限', redVacancy: '红色空编率下限', redOnOver: '超编即红色',
};

/** The office's change of the thresholds checked against the current ones: a complete set, or a Chinese error naming the field. */
export function validTownThresholds(body: unknown, current: TownThresholds = DEFAULT_TOWN_THRESHOLDS): TownThresholds {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TownMapError('请求内容应为 JSON 对象');
  const b = body as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const k of Object.keys(b)) if (!(k in LABEL)) fields[k] = `没有设置项“${k.slice(0, 32)}”`;
  const next: TownThresholds = { ...current };
  for (const k of ['greenSaturation', 'redSaturation', 'yellowVacancy', 'redVacancy'] as const) {
    if (b[k] === undefined) continue;
    const v = typeof b[k] === 'string' && (b[k] as string).trim() !== '' ? Number(b[k]) : b[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100 || Math.round(v * 10) !== v * 10) fields[LABEL[k]] = `${LABEL[k]}应为 0 到 100 之间的数（百分比，最多一位小数）`;
    else next[k] = v;
  }
  if (b.redOnOver !== undefined) {
    if (typeof b.redOnOver !== 'boolean') fields[LABEL.redOnOver] = `${LABEL.redOnOver}应为是或否`;
    else next.redOnOver = b.redOnOver;
  }
  if (!Object.keys(fields).length) {
    if (next.redSaturation > next.greenSaturation) fields[LABEL.redSaturation] = `红色饱和度下限（${next.redSaturation}%）不能高于绿色饱和度下限（${next.greenSaturation}%）`;
    if (next.yellowVacancy > next.redVacancy) fields[LABEL.yellowVacancy] = `黄色空编率下限（${next.yellowVacancy}%）不能高于红色空编率下限（${next.redVacancy}%）`;
  }
  if (Object.keys(fields).length) throw new TownMapError(Object.values(fields)[0], fields);
  return next;
}

/** A town's figures: sums over its units (Σ per unit and kind for 空编 and 超编: gross, domain.md §7). */
export interface TownFigures {
  approved: number;
  onQuota: number;
  vacant: number;
  over: number;
  overUnits: number;
}

const pct = (n: number) => `${n.toFixed(1)}%`;

/** 空编率 and 饱和度 in per cent (one decimal), null without a quota. */
export function townRates(f: TownFigures): { vacancyRate: number | null; saturation: number | null } {
  if (f.approved <= 0) return { vacancyRate: null, saturation: null };
  return { vacancyRate: Math.round((f.vacant / f.approved) * 1000) / 10, saturation: Math.round((f.onQuota / f.approved) * 1000) / 10 };
}

/** A town's colour and the reason in Chinese. */
export function townColour(f: TownFigures, t: TownThresholds): { colour: TownColour; reason: string } {
  const { vacancyRate, saturation } = townRates(f);
  if (vacancyRate === null || saturation === null) return { colour: 'grey', reason: '未核定编制' };
  if (t.redOnOver && f.over > 0) return { colour: 'red', reason: `超编 ${f.over} 名（${f.overUnits} 个单位超编）` };
  if (saturation < t.redSaturation) return { colour: 'red', reason: `饱和度 ${pct(saturation)}，低于 ${t.redSaturation}%` };
  if (vacancyRate >= t.redVacancy) return { colour: 'red', reason: `空编率 ${pct(vacancyRate)}，达到 ${t.redVacancy}%` };
  if (saturation < t.greenSaturation) return { colour: 'yellow', reason: `饱和度 ${pct(saturation)}，在 ${t.redSaturation}%–${t.greenSaturation}% 之间` };
  if (vacancyRate >= t.yellowVacancy) return { colour: 'yellow', reason: `空编率 ${pct(vacancyRate)}，在 ${t.yellowVacancy}%–${t.redVacancy}% 之间` };
  if (f.over > 0) return { colour: 'yellow', reason: `超编 ${f.over} 名（${f.overUnits} 个单位超编）` };
  return { colour: 'green', reason: `饱和度 ${pct(saturation)}，空编率 ${pct(vacancyRate)}` };
}

/** The largest map file accepted (a county's towns simplified for the screen are well under this). */
export const MAX_MAP_BYTES = 5 * 1024 * 1024;
export const MAX_MAP_FEATURES = 500;

/** A town the map's features are matched against: its names (the organ's and its region's). */
export interface TownName {
  id: number;
  name: string;
  regionName: string | null;
}

export interface CheckedMap {
  /** The FeatureCollection as stored (only type, properties.name and geometry kept). */
  geojson: { type: 'FeatureCollection'; features: Array<{ type: 'Feature'; properties: { name: string }; geometry: { type: string; coordinates: unknown } }> };
  /** Feature name → town id. */
  matched: Record<string, number>;
  /** Towns no feature names. */
  missing: Array<{ id: number; name: string }>;
}

function isPosition(p: unknown): boolean {
  return Array.isArray(p) && p.length >= 2 && p.length <= 3 && p.every((x) => typeof x === 'number' && Number.isFinite(x)) && Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90;
}

function isPolygon(c: unknown): boolean {
  return Array.isArray(c) && c.length > 0 && c.every((ring) => Array.isArray(ring) && ring.length >= 4 && ring.every(isPosition));
}

/**
 * Checks an uploaded map: its size, that it is a GeoJSON FeatureCollection of Polygon or
 * MultiPolygon features each named (properties.name) after one town (its region's name or the
 * organ's), no name twice. A feature naming no town is refused (the map must be the county's
 * towns); towns without a shape are reported and drawn grey.
 */
export function checkTownMap(text: string, towns: TownName[]): CheckedMap {
  if (Buffer.byteLength(text, 'utf8') > MAX_MAP_BYTES) throw new TownMapError(`地图文件超过 ${MAX_MAP_BYTES / 1024 / 1024} MB，请简化边界后再上传`, { file: '文件过大' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TownMapError('地图文件不是有效的 JSON（应为 GeoJSON FeatureCollection）', { file: '不是 JSON' });
  }
  const fc = data as { type?: unknown; features?: unknown };
  if (typeof fc !== 'object' || fc === null || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new TownMapError('地图文件不是 GeoJSON FeatureCollection（应有 "type": "FeatureCollection" 和 features 列表）', { file: '不是 GeoJSON' });
  }
  if (!fc.features.length) throw new TownMapError('地图文件没有任何区域（features 为空）', { file: '没有区域' });
  if (fc.features.length > MAX_MAP_FEATURES) throw new TownMapError(`地图文件的区域超过 ${MAX_MAP_FEATURES} 个`, { file: '区域过多' });
  const byName = new Map<string, TownName>();
  for (const t of towns) {
    byName.set(t.name, t);
    if (t.regionName && !byName.has(t.regionName)) byName.set(t.regionName, t);
  }
  const problems: string[] = [];
  const unknown: string[] = [];
  const seen = new Map<string, number>();
  const matched: Record<string, number> = {};
  const features: CheckedMap['geojson']['features'] = [];
  fc.features.forEach((f: any, i: number) => {
    const at = `第 ${i + 1} 个区域`;
    if (typeof f !== 'object' || f === null || f.type !== 'Feature') { problems.push(`${at}不是 Feature`); return; }
    const name = typeof f.properties?.name === 'string' ? f.properties.name.trim() : '';
    if (!name) { problems.push(`${at}缺少名称（properties.name）`); return; }
    const g = f.geometry;
    const ok = g && (g.type === 'Polygon' ? isPolygon(g.coordinates) : g.type === 'MultiPolygon' ? Array.isArray(g.coordinates) && g.coordinates.length > 0 && g.coordinates.every(isPolygon) : false);
    if (!ok) { problems.push(`${at}“${name.slice(0, 32)}”的边界不是有效的 Polygon 或 MultiPolygon（${typeof g?.type === 'string' ? g.type.slice(0, 24) : '缺少 geometry'}）`); return; }
    const town = byName.get(name);
    if (!town) { unknown.push(name.slice(0, 32)); return; }
    if (seen.has(name)) { problems.push(`${at}“${name.slice(0, 32)}”与第 ${seen.get(name)! + 1} 个区域重名`); return; }
    if (Object.values(matched).includes(town.id)) { problems.push(`${at}“${name.slice(0, 32)}”与另一个区域对应同一个镇街（${town.name}）`); return; }
    seen.set(name, i);
    matched[name] = town.id;
    features.push({ type: 'Feature', properties: { name }, geometry: { type: g.type, coordinates: g.coordinates } });
  });
  const have = new Set(Object.values(matched));
  const missing = towns.filter((t) => !have.has(t.id)).map((t) => ({ id: t.id, name: t.regionName || t.name }));
  if (unknown.length) problems.unshift(`以下区域没有对应的镇街（按区划名称或机构名称匹配）：${unknown.join('、')}`);
  if (problems.length) throw new TownMapError(`地图文件有 ${problems.length} 处问题：${problems.slice(0, 10).join('；')}`, { file: '内容有误' }, { problems, unmatched: unknown, missing });
  return { geojson: { type: 'FeatureCollection', features }, matched, missing };
}

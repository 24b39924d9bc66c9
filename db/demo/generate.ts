// The demo county (柯桥区): institutions, quotas, leader posts, users, the auxiliary process rows
// and a stream of people and 编外 workers, with a realistic share of defects for every rule of
// domain.md §5.1–5.8 and §5.10. PURE and deterministic: a seeded PRNG, no Math.random, no I/O,
// so the same options always give the same county, and a benchmark can stream 1,000,000 people.
//
// How determinism survives streaming: each person (unit u, slot k) is built from its own PRNG,
// seeded by (seed, u, k), so any person can be rebuilt alone. generateCounty uses that to name
// the people its auxiliary rows refer to (P-TM-02/03) and the people others copy (P-ID-10/11/13);
// those slots are "reserved" (kept clean) and their ID numbers are registered first in the
// stream's duplicate guard, so only deliberate duplicates ever share an ID number.

import { addDays, daysBetween, monthFromIndex, monthIndex, yearsBetween } from '../../core/dates.ts';
import { idCheckChar } from '../../core/idnumber.ts';
import type { LeaderPostInput, PersonInput, QuotaInput, UnitInput, UserInput, WorkerInput } from '../../core/inputs.ts';
import type { IsoDate } from '../../core/model.ts';
import { retirement, type RetirementCategory } from '../../core/retirement.ts';
import { makeUscc } from '../../core/uscc.ts';

// ---------------------------------------------------------------------------------------------
// Options and results

export interface CountyOptions {
  /** Number of institutions (units). */
  units: number;
  /** Number of people on the real-name roster (the stream yields exactly this many person rows). */
  people: number;
  seed: number;
  /** The business day the data is generated for ('YYYY-MM-DD'): ages and deadlines count from it. */
  today: IsoDate;
  /** false: seeded without the other departments' feeds (db/demo/feeds.ts) and their X-ED-01 worker. Default true. */
  feeds?: boolean;
}

/** `sanse demo`'s default size. */
export const DEMO_DEFAULTS = { units: 200, people: 3000, seed: 20260603 } as const;

/** The demo office; groupId: its own work group (编办工作群), where the office's lists and rankings go. */
export const DEMO_OFFICE = { regionCode: '330603', regionName: '柯桥区', name: '柯桥区委编办', groupId: 'office-group' } as const;

export interface AuxApprovalDocument { unit: number; unitCode: string; docNo: string; issuedOn: IsoDate; subject: string }
export interface AuxStaffingRequest {
  unit: number;
  unitCode: string;
  kind: string;
  quotaKind: string | null;
  count: number;
  /** The person the request names, in clear: the seeder stores only its keyed hash (person_id_hash). */
  personIdNumber: string | null;
  expected: string | null;
  status: 'draft' | 'submitted' | 'approved' | 'rejected' | 'completed';
  approvedOn: IsoDate | null;
  completedOn: IsoDate | null;
  validUntil: IsoDate | null;
  detail: string | null;
  createdAt: string;
}
export interface AuxSelfCheck { unit: number; unitCode: string; userId: string; at: string; findings: number }
export interface AuxMonthlyReport { unit: number; unitCode: string; month: string; dueOn: IsoDate; confirmedOn: IsoDate | null }
export interface AuxRegionQuotaTotal { regionCode: string; kind: string; approved: number }
export interface AuxFeedContract { unit: number; unitCode: string; idNumber: string; name: string; signedOn: IsoDate; source: string }

export interface CountyAuxiliary {
  approvalDocuments: AuxApprovalDocument[];
  staffingRequests: AuxStaffingRequest[];
  selfChecks: AuxSelfCheck[];
  monthlyReports: AuxMonthlyReport[];
  regionQuotaTotals: AuxRegionQuotaTotal[];
  feedContracts: AuxFeedContract[];
}

/** What the generator decided for one unit (parallel to `units`). */
export interface UnitPlan {
  index: number;
  /** The stored credit code (may carry a deliberate defect, may be '' or shared with another unit). */
  code: string;
  name: string;
  nature: string;
  sector: Sector;
  /** The unit's real 机构规格 (the stored value may carry a U-IN-07 defect). */
  level: string;
  canGong: boolean;
  parent: number | null;
  offices: string[];
  /** Post titles of the unit's 正职 and 副职 (局长/副局长, 校长/副校长, …). */
  heads: [string, string];
  /** Person slots: 在编 first (leaders, then staff), then 待入编, then 已出编. */
  size: number;
  inQuota: number;
  pending: number;
  left: number;
  /** 在编 slots by 编制类型, in slot order (the first kind holds the leaders). */
  kinds: Array<{ kind: string; count: number }>;
  /** Leader holders on the roster. */
  leaders: { heads: number; deputies: number; midHeads: number; midDeputies: number };
  workers: number;
  /**
   * How careless the unit is with its data: a factor on every defect share (mean about 1). Most
   * units are tidy (65%: 0.1), some average (25%: 1.5), a few sloppy (10%: 5.5): problems
   * cluster, as they do.
   */
  sloppiness: number;
  /** Deliberate unit-level defects (rule codes). */
  defects: string[];
  /** When the unit's ledger last changed: the seeder writes it over saveDataSet's default (today). */
  ledgerUpdatedOn: IsoDate;
  /** Written by direct insert, not saveDataSet (a unit sharing another unit's credit code, U-IN-06). */
  directInsert: boolean;
}

export interface GeneratedCounty {
  options: CountyOptions;
  office: typeof DEMO_OFFICE;
  units: UnitInput[];
  quotas: QuotaInput[];
  leaderPosts: LeaderPostInput[];
  users: UserInput[];
  /** The unit (index into `units`) of each quota, leader-post and user row: codes may be shared or empty. */
  unitOf: { quotas: number[]; leaderPosts: number[]; users: Array<number | null> };
  auxiliary: CountyAuxiliary;
  plan: UnitPlan[];
  /** Deliberate defects planned at county level, per rule code (unit and person rules alike). */
  planned: Record<string, number>;
  /** Internal state for generatePeople. */
  internal: CountyInternal;
}

/**
 * One streamed record. `unit` is the index into county.units (credit codes may be deliberately
 * empty or shared); `defects` lists the rule codes deliberately planted in it; `directInsert`
 * marks rows saveDataSet cannot store (a second row with the same ID in a unit, P-ID-10, and the
 * rows of a unit sharing another's credit code, U-IN-06).
 */
export type GeneratedRecord =
  | { type: 'person'; unit: number; slot: number; person: PersonInput; worker?: undefined; defects: string[]; directInsert: boolean }
  | { type: 'worker'; unit: number; slot: number; worker: WorkerInput; person?: undefined; defects: string[]; directInsert: boolean };

// ---------------------------------------------------------------------------------------------
// The defect table: rule → share. `per` says what the share is of: 'person' of the people on the
// roster (drawn among a unit's 在编 non-leaders, scaled up so the share holds for all its people;
// leaders get their defects through unit rules), 'unit' of units, 'worker' of 编外 workers.
// Every share is scaled per unit by its sloppiness (mean about 1), so problems cluster.

export interface DefectSpec {
  code: string;
  per: 'person' | 'unit' | 'worker' | 'county';
  share: number;
  how: string;
  /** Planned at county level (relational, or needs auxiliary rows) rather than drawn per record. */
  planned?: boolean;
}

export const DEFECTS: readonly DefectSpec[] = [
  // §5.1 identity (per person)
  { code: 'P-ID-01', per: 'person', share: 0.001, how: '身份证号为空（每单位至多1人：它是人员在单位内的键）' },
  { code: 'P-ID-02', per: 'person', share: 0.0015, how: '17位号码，或中间混入字母' },
  { code: 'P-ID-03', per: 'person', share: 0.01, how: '校验码错误' },
  { code: 'P-ID-04', per: 'person', share: 0.001, how: '号码中的出生日期不是真实日期（如0230、1331），校验码正确' },
  { code: 'P-ID-05', per: 'person', share: 0.0005, how: '省份码无效（39、20、00开头），校验码正确' },
  { code: 'P-ID-06', per: 'person', share: 0.0015, how: '15位旧号码' },
  { code: 'P-ID-07', per: 'person', share: 0.005, how: '小写x、全角数字或号码中间有空格' },
  { code: 'P-ID-08', per: 'person', share: 0.005, how: '出生日期字段与身份证不一致（差一年、一个月或几天）' },
  { code: 'P-ID-09', per: 'person', share: 0.001, how: '性别与身份证第17位不符' },
  { code: 'P-ID-10', per: 'person', share: 0.001, how: '同一人在本单位录入两次（直接写入）', planned: true },
  { code: 'P-ID-11', per: 'person', share: 0.005, how: '同一人在两个单位同时在编', planned: true },
  { code: 'P-ID-12', per: 'person', share: 0.0025, how: '姓名含空格、数字、字母或只有一个字' },
  { code: 'P-ID-13', per: 'person', share: 0.0005, how: '同名同生日、身份证号不同', planned: true },
  { code: 'P-ID-14', per: 'person', share: 0.006, how: '民族“汉”、政治面貌“党员”、学历“大学/本科”' },
  // §5.2 retirement (per person)
  { code: 'P-RT-01', per: 'person', share: 0.01, how: '已过退休月2–14个月仍在编（退休未出编）' },
  { code: 'P-RT-02', per: 'person', share: 0.005, how: '未来1–3个月内到龄' },
  { code: 'P-RT-03', per: 'person', share: 0.0005, how: '弹性延迟退休已到期仍在编，或延迟超过36个月' },
  { code: 'P-RT-04', per: 'person', share: 0.0005, how: '67–70岁仍在编' },
  { code: 'P-RT-05', per: 'person', share: 0.0015, how: '女性人员身份与岗位矛盾（工人在专技岗、干部在工勤岗）或取值无效' },
  { code: 'P-RT-06', per: 'person', share: 0.001, how: '女性副高/正高职称或二级调研员，按55岁规则已到龄、未满60' },
  // §5.3 dates (per person)
  { code: 'P-TM-01', per: 'person', share: 0.005, how: '入编后民族或所在处室未填（演示县要求填写）' },
  { code: 'P-TM-02', per: 'person', share: 0.001, how: '中层职数核定已批准60–150天，职务未更新（辅助表 staffing_requests）', planned: true },
  { code: 'P-TM-03', per: 'person', share: 0.001, how: '职务任免/减人出编/岗位调整已批准20–60天未登记（辅助表）', planned: true },
  { code: 'P-TM-04', per: 'person', share: 0.0015, how: '在编人员无入编时间' },
  { code: 'P-TM-05', per: 'person', share: 0.001, how: '入编时间早于参加工作时间或在未来' },
  { code: 'P-TM-06', per: 'person', share: 0.002, how: '任现职时间在未来或早于参加工作时间' },
  { code: 'P-TM-07', per: 'person', share: 0.0015, how: '时间不规范：2018-06-31、1900-01-01、2015.03.12、2016-13-01' },
  { code: 'P-TM-08', per: 'person', share: 0.001, how: '参加工作时不满14岁' },
  // §5.4 status (per person, two per unit)
  { code: 'P-ST-01', per: 'person', share: 0.0005, how: '在编状态为空' },
  { code: 'P-ST-02', per: 'person', share: 0.0005, how: '编外人员担任中层副职' },
  { code: 'P-ST-03', per: 'person', share: 0.001, how: '在编但无使用编制类型' },
  { code: 'P-ST-04', per: 'person', share: 0.0015, how: '使用本单位没有核定的编制类型（机关工勤编制、参公事业编制）' },
  { code: 'P-ST-05', per: 'person', share: 0.0005, how: '事业单位人员用行政编制，机关人员用事业编制' },
  { code: 'P-ST-06', per: 'person', share: 0.0025, how: '行政编制填岗位类别、事业编制缺岗位类别、工勤编制填管理岗位' },
  { code: 'P-ST-07', per: 'person', share: 0.001, how: '事业编制用公务员职级，行政编制用职员等级' },
  { code: 'P-ST-08', per: 'person', share: 0.004, how: '所在处室不在本单位内设机构中（旧名称）' },
  { code: 'P-ST-09', per: 'unit', share: 0.02, how: '单位领导的所在处室填了内设机构', planned: true },
  { code: 'P-ST-10', per: 'person', share: 0.001, how: '在岗状态为空' },
  { code: 'P-ST-11', per: 'person', share: 0.0015, how: '借调/挂职已13–30个月（借调两年）' },
  { code: 'P-ST-12', per: 'person', share: 0.0005, how: '离岗创业已37–60个月' },
  { code: 'P-ST-13', per: 'person', share: 0.001, how: '长期病休/待岗/下落不明/其他已7–24个月' },
  { code: 'P-ST-14', per: 'unit', share: 0.015, how: '正科级机关正职的职级为一级科员', planned: true },
  // §5.5 leader posts (per unit)
  { code: 'U-LD-01', per: 'unit', share: 0.01, how: '两名单位正职（核定1名）' },
  { code: 'U-LD-02', per: 'unit', share: 0.015, how: '单位副职比核定多1名' },
  { code: 'U-LD-03', per: 'unit', share: 0.015, how: '中层正职比核定多1名' },
  { code: 'U-LD-04', per: 'unit', share: 0.015, how: '中层副职比核定多1名' },
  { code: 'U-LD-05', per: 'unit', share: 0.01, how: '正科级机关正职四级调研员以上、副职二级主任科员以上，未报高配' },
  { code: 'U-LD-06', per: 'unit', share: 0.01, how: '有领导在岗却没有领导职数核定行' },
  { code: 'U-LD-07', per: 'unit', share: 0.01, how: '单位正职空缺' },
  // §5.6 quotas (per unit)
  { code: 'U-QT-01', per: 'unit', share: 0.03, how: '超编1–3名' },
  { code: 'U-QT-02', per: 'unit', share: 0.04, how: '满编（实有=核定）' },
  { code: 'U-QT-03', per: 'unit', share: 0.01, how: '已批准未办结的用编计划多于空编' },
  { code: 'U-QT-04', per: 'unit', share: 0.01, how: '有核定编制、无在编人员（空壳）' },
  { code: 'U-QT-05', per: 'unit', share: 0.015, how: '编外人员多于控制数' },
  { code: 'U-QT-06', per: 'county', share: 1, how: '一个编制类型（政法专项编制，无则行政编制）的区域总量比各单位核定之和少2–8名' },
  { code: 'U-QT-07', per: 'unit', share: 0.01, how: '用编计划已过有效期未使用' },
  // §5.7 institution record (per unit)
  { code: 'U-IN-01', per: 'unit', share: 0.005, how: '统一社会信用代码为空（全县至多1个：它是机构的键）' },
  { code: 'U-IN-02', per: 'unit', share: 0.008, how: '信用代码17位或含字母O/I' },
  { code: 'U-IN-03', per: 'unit', share: 0.012, how: '信用代码校验码错误' },
  { code: 'U-IN-04', per: 'unit', share: 0.008, how: '事业单位用11开头、机关用12开头的代码' },
  { code: 'U-IN-05', per: 'unit', share: 0.008, how: '代码第3–8位为外市区划（330106等）' },
  { code: 'U-IN-06', per: 'unit', share: 0.005, how: '两个单位同一信用代码（直接写入）' },
  { code: 'U-IN-07', per: 'unit', share: 0.008, how: '机构规格“科级”、经费形式“财政拨款”或为空' },
  { code: 'U-IN-08', per: 'unit', share: 0.02, how: '事业单位没有类别（按事业单位计）' },
  { code: 'U-IN-09', per: 'unit', share: 0.01, how: '公益一类差额拨款、参公单位非全额、生产经营类全额拨款' },
  { code: 'U-IN-10', per: 'unit', share: 0.025, how: '批准文件比台账更新（辅助表 approval_documents）' },
  { code: 'U-IN-11', per: 'unit', share: 0.008, how: '事业单位无主管部门；另有一对互为上级的单位（循环）' },
  { code: 'U-IN-12', per: 'unit', share: 0.015, how: '内设机构比核定多1个' },
  { code: 'U-IN-13', per: 'unit', share: 0.008, how: '名称末尾有空格，或与另一单位同名' },
  // §5.8 process (per unit)
  { code: 'U-PR-01', per: 'unit', share: 0.03, how: '本月自查少于2次（月末才判定）' },
  { code: 'U-PR-02', per: 'unit', share: 0.025, how: '上月月报过了截止日未核对' },
  { code: 'U-PR-03', per: 'unit', share: 0.025, how: '没有单位专管员' },
  // §5.10 workers
  { code: 'W-01', per: 'worker', share: 0.015, how: '身份证号校验码错误或格式错误' },
  { code: 'W-02', per: 'worker', share: 0.008, how: '用工方式为空或“临时工”' },
  { code: 'W-03', per: 'worker', share: 0.008, how: '岗位分类为空或“辅助类”' },
  { code: 'W-04', per: 'worker', share: 0.01, how: '具体工作岗位为财务、人事、涉密、行政管理' },
  { code: 'W-05', per: 'worker', share: 0.008, how: '首次签订合同时间为空、在未来或不满16岁' },
  { code: 'W-06', per: 'worker', share: 0.01, how: '男64–68岁、女56–60岁（劳务派遣/劳动合同）' },
  { code: 'W-07', per: 'unit', share: 0.02, how: '人社/工资数据中的合同未登记为编外人员（辅助表 feed_contracts）', planned: true },
  // §5.9 cross-system: the demo's feeds (db/demo/feeds.ts), imported through db/feeds.ts
  { code: 'X-SI-01', per: 'person', share: 0.004, how: '社保名单（上月）中没有此人（另：身份证号有误的人员也对不上）', planned: true },
  { code: 'X-SI-02', per: 'county', share: 3, how: '社保名单中有3名参保人员不在实名制', planned: true },
  { code: 'X-SI-03', per: 'person', share: 0.0015, how: '54岁以上在编人员在社保名单中为退休或领取待遇', planned: true },
  { code: 'X-PY-01', per: 'county', share: 4, how: '工资统发（近3个月）发放给2名已出编人员和2名实名制中没有的人员', planned: true },
  { code: 'X-PY-02', per: 'person', share: 0.003, how: '近3个月工资统发名单中都没有此人', planned: true },
  { code: 'X-PY-03', per: 'person', share: 0.003, how: '工资由同一主管部门下的另一单位发放', planned: true },
  { code: 'X-OR-01', per: 'county', share: 4, how: '任免文件晚于实名制任现职时间：2名中层晋升职级、2名单位副职（其中1名领导职数使用已核准）', planned: true },
  { code: 'X-OR-02', per: 'county', share: 1, how: '1名单位副职的任职文件所在单位没有已核准的领导职数使用申请', planned: true },
  { code: 'X-ED-01', per: 'county', share: 1, how: '1名在编人员同时在另一单位登记为编外人员', planned: true },
];

/** rule code → share (of people, units or workers, see DEFECTS). */
export const DEFECT_SHARES: Readonly<Record<string, number>> = Object.fromEntries(DEFECTS.map((d) => [d.code, d.share]));

/** Counties at least this big get every defect at least once (forced when the dice missed it). */
const MIN_UNITS_FOR_ALL = 20;
const MIN_PEOPLE_FOR_ALL = 300;

// ---------------------------------------------------------------------------------------------
// PRNG

function mix(h: number, x: number): number {
  h = Math.imul(h ^ (x | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export function hash32(a: number, b = 0, c = 0, d = 0): number {
  return mix(mix(mix(mix(0x9e3779b9, a), b), c), d) >>> 0;
}

/** mulberry32 with a few conveniences. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** A draw from a precomputed table (binary search). */
  from<T>(t: WeightedTable<T>): T {
    const x = this.next() * t.total;
    let lo = 0;
    let hi = t.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.cum[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return t.values[lo];
  }
  weighted<T>(xs: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of xs) total += w;
    let r = this.next() * total;
    for (const [v, w] of xs) {
      r -= w;
      if (r < 0) return v;
    }
    return xs[xs.length - 1][0];
  }
}

interface WeightedTable<T> { values: T[]; cum: Float64Array; total: number }

function table<T>(xs: ReadonlyArray<readonly [T, number]>): WeightedTable<T> {
  const cum = new Float64Array(xs.length);
  let total = 0;
  xs.forEach(([, w], i) => { cum[i] = total += w; });
  return { values: xs.map(([v]) => v), cum, total };
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const SURNAMES = ('王 李 张 刘 陈 杨 黄 赵 周 吴 徐 孙 朱 马 胡 郭 林 何 高 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤').split(' ');
/** Zhejiang flavour: 沈, 金, 陈, 徐, 钱, 俞-like names are commoner around Shaoxing. */
const SURNAME_BOOST: Record<string, number> = { 陈: 2, 沈: 4, 金: 3, 徐: 1.5, 钱: 3, 王: 1.3, 孙: 1.5, 胡: 1.5, 周: 1.3, 杨: 1.2, 朱: 1.3, 傅: 1, 陆: 2, 邵: 2, 娄: 1 };
const SURNAME_TABLE = table(SURNAMES.map((s, i) => [s, (100 / (i + 4)) * (SURNAME_BOOST[s] ?? 1)] as const));

const MALE_CHARS = '伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 健 俊 帆 旭 宁 龙 林 洋 峰 晨 阳 建 国 志 文 海 东 亮 成 栋 毅 锋 坤 彬 骏 昊 哲 睿 晖 荣 忠 良 兵'.split(' ');
const FEMALE_CHARS = '芳 娜 敏 静 丽 艳 娟 霞 燕 玲 丹 萍 红 婷 雪 琳 洁 颖 倩 慧 佳 琴 云 莉 蓉 晶 璐 怡 欣 悦 梅 兰 萱 薇 瑶 婧 妍 菲 露 英 珍 芬'.split(' ');
const MALE_FIRST = '建 志 国 文 海 晓 俊 家 永 伟 子 宇 浩 思 一 嘉 明 立 振 学 卫 利 金 德'.split(' ');
const FEMALE_FIRST = '晓 丽 雅 佳 思 雨 梦 欣 慧 秀 美 春 海 玉 静 婉 诗 若 亚 紫 一 彩 凤'.split(' ');

const ETHNICITIES = table([
  ['汉族', 986], ['畲族', 4], ['回族', 2], ['土家族', 2], ['苗族', 2], ['满族', 1], ['壮族', 1], ['布依族', 1], ['彝族', 1],
] as const);
const DEMOCRATIC_PARTIES = ['民盟盟员', '民进会员', '九三学社社员', '农工党党员', '民革党员', '民建会员', '致公党党员'];

/**
 * Address codes for ID numbers (GB/T 2260; old codes stay valid: 330621 is the former 绍兴县, now
 * 柯桥区). At most 127 entries: the index is packed into the duplicate guard's key.
 */
const ID_ADDRESSES: ReadonlyArray<readonly [string, number]> = [
  ['330621', 40], ['330603', 3], ['330602', 10], ['330682', 6], ['330604', 2], ['330681', 6], ['330683', 5], ['330624', 3],
  ['330102', 1], ['330106', 1], ['330108', 1], ['330110', 1], ['330183', 1], ['330203', 1], ['330212', 1], ['330281', 1],
  ['330302', 1], ['330381', 1], ['330382', 1], ['330402', 1], ['330424', 1], ['330481', 1], ['330502', 1], ['330521', 1],
  ['330702', 1], ['330781', 1], ['330782', 1], ['330802', 1], ['330881', 1], ['330902', 1], ['331002', 1], ['331082', 1],
  ['331102', 1], ['331121', 1], ['340104', 1], ['341182', 0.5], ['360102', 1], ['362329', 0.5], ['410102', 0.5], ['411502', 0.5],
  ['420102', 0.5], ['430102', 0.5], ['510104', 0.5], ['500101', 0.5], ['320106', 0.5], ['320506', 0.5], ['350102', 0.5],
  ['370102', 0.5], ['450102', 0.3], ['520102', 0.3], ['610102', 0.3], ['130102', 0.3], ['210102', 0.3], ['230102', 0.3],
];
const ADDRESS_TABLE = table(ID_ADDRESSES.map(([, w], i) => [i, w] as const));

// ---------------------------------------------------------------------------------------------
// Dates

const EPOCH = '1940-01-01';
const dayIndex = (d: IsoDate) => daysBetween(EPOCH, d);
const fromDayIndex = (i: number) => addDays(EPOCH, i);
const clampDay = (d: IsoDate, min: IsoDate, max: IsoDate) => (d < min ? min : d > max ? max : d);
const moment = (d: IsoDate, rng: Rng) => `${d} ${String(rng.int(8, 17)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// Duplicate guard: ID bodies packed into 32 bits (address index 7, day index 15, sequence 10).

class KeySet {
  private keys: Uint32Array;
  private used: Uint8Array;
  private mask: number;
  private shift: number;
  size = 0;
  constructor(expected: number) {
    let bits = 10;
    while (1 << bits < expected * 2) bits++;
    this.keys = new Uint32Array(1 << bits);
    this.used = new Uint8Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }
  private slot(k: number): number {
    let i = Math.imul(k, 0x9e3779b1) >>> this.shift;
    while (this.used[i] && this.keys[i] !== k) i = (i + 1) & this.mask;
    return i;
  }
  has(k: number): boolean {
    return this.used[this.slot(k)] === 1;
  }
  /** Adds; false when it was there already. */
  add(k: number): boolean {
    const i = this.slot(k);
    if (this.used[i]) return false;
    this.used[i] = 1;
    this.keys[i] = k;
    if (++this.size * 10 > this.keys.length * 6) this.grow();
    return true;
  }
  private grow(): void {
    const old = this.keys;
    const oldUsed = this.used;
    const bits = 32 - this.shift + 1;
    this.keys = new Uint32Array(1 << bits);
    this.used = new Uint8Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.size = 0;
    for (let i = 0; i < old.length; i++) if (oldUsed[i]) this.add(old[i]);
  }
}

/** A clean ID number's parts. */
export interface IdParts { addr: number; birth: IsoDate; seq: number }

const packId = (p: IdParts) => ((p.addr << 25) | (dayIndex(p.birth) << 10) | p.seq) >>> 0;

export function idFromParts(p: IdParts): string {
  const body = ID_ADDRESSES[p.addr][0] + p.birth.replace(/-/g, '') + String(p.seq).padStart(3, '0');
  return body + idCheckChar(body);
}

/** The next sequence code of the same parity (men odd 001–999, women even 002–998). */
export function nextSeq(seq: number): number {
  const s = seq + 2;
  return s <= 999 ? s : seq % 2 === 1 ? 1 : 2;
}

export function drawIdParts(rng: Rng, gender: '男' | '女', birth: IsoDate): IdParts {
  const addr = rng.from(ADDRESS_TABLE);
  const seq = gender === '男' ? 2 * rng.int(0, 499) + 1 : 2 * rng.int(0, 498) + 2;
  return { addr, birth, seq };
}

// ---------------------------------------------------------------------------------------------
// Institutions: the template of 柯桥区

export type Sector = 'party' | 'gov' | 'police' | 'court' | 'mass' | 'town' | 'school' | 'hospital' | 'centre';

interface Tpl {
  key: string;
  name: string;
  nature: string;
  sector: Sector;
  level: string;
  /** Relative headcount. */
  size: number;
  tier: number;
  offices: string[];
  parent?: string;
  category?: string;
  funding?: string;
  canGong?: boolean;
  heads: [string, string];
  /** Has 机关工勤编制. */
  gq?: boolean;
  /** A second quota kind (e.g. 政法专项编制 for the 司法局). */
  second?: string;
  region?: string;
  /** 编外 workers per person. */
  workerRate: number;
  credit: '11' | '12' | '13';
}

const CITY = '绍兴市柯桥区';

function organHeads(name: string): [string, string] {
  if (/纪律检查委员会/.test(name) || /政法委员会$/.test(name) || /共产主义青年团/.test(name)) return ['书记', '副书记'];
  if (/人民法院$/.test(name)) return ['院长', '副院长'];
  if (/人民检察院$/.test(name)) return ['检察长', '副检察长'];
  if (/镇人民政府$/.test(name)) return ['镇长', '副镇长'];
  if (/(总工会|联合会|协会)$/.test(name)) return ['主席', '副主席'];
  if (/部$/.test(name)) return ['部长', '副部长'];
  if (/局$/.test(name)) return ['局长', '副局长'];
  return ['主任', '副主任'];
}

function institutionHeads(name: string): [string, string] {
  if (/(中学|小学|学校|党校)$/.test(name)) return ['校长', '副校长'];
  if (/幼儿园$/.test(name)) return ['园长', '副园长'];
  if (/(医院|保健院|卫生院|仲裁院)$/.test(name)) return ['院长', '副院长'];
  if (/馆$/.test(name)) return ['馆长', '副馆长'];
  if (/所$/.test(name)) return ['所长', '副所长'];
  if (/站$/.test(name)) return ['站长', '副站长'];
  return ['主任', '副主任'];
}

/** The 职务 of an internal office's head. */
function officeHeadTitle(office: string): string {
  if (/(组织部|宣传部)$/.test(office)) return '部长';
  if (/大队$/.test(office)) return '大队长';
  if (/科$/.test(office)) return '科长';
  if (/股$/.test(office)) return '股长';
  if (/庭$/.test(office)) return '庭长';
  if (/局$/.test(office)) return '局长';
  if (/所$/.test(office)) return '所长';
  if (/队$/.test(office)) return '队长';
  return '主任';
}

const SCHOOL_OFFICES = ['校长办公室', '教务处', '德育处', '总务处', '教科室'];
const KINDER_OFFICES = ['园务办公室', '保教处'];
const HOSPITAL_OFFICES = ['院办公室', '医务科', '护理部', '财务科', '公共卫生科', '药剂科', '信息科'];
const CENTRE_OFFICES = ['综合科', '业务科'];

function organ(key: string, name: string, nature: string, size: number, tier: number, offices: string[], extra: Partial<Tpl> = {}): Tpl {
  return {
    key, name, nature, sector: nature === '群团机关' ? 'mass' : 'gov', level: '正科级', size, tier, offices,
    heads: organHeads(name), workerRate: 0.3, credit: nature === '群团机关' ? '13' : '11', ...extra,
  };
}

function inst(key: string, name: string, parent: string, size: number, tier: number, extra: Partial<Tpl> = {}): Tpl {
  const sector: Sector = /(中学|小学|学校|幼儿园)$/.test(name) || /职业教育中心$/.test(name) ? 'school' : /(医院|保健院|卫生院|卫生服务中心)$/.test(name) ? 'hospital' : 'centre';
  const offices = sector === 'school' ? (/幼儿园$/.test(name) ? KINDER_OFFICES : SCHOOL_OFFICES) : sector === 'hospital' ? HOSPITAL_OFFICES : CENTRE_OFFICES;
  return {
    key, name, nature: '事业单位', sector, level: '副科级', size, tier, offices, parent, category: '公益一类', funding: '全额拨款',
    heads: institutionHeads(name), workerRate: sector === 'hospital' ? 0.35 : sector === 'school' ? 0.15 : 0.2, credit: '12', ...extra,
  };
}

const canGong = (extra: Partial<Tpl> = {}): Partial<Tpl> => ({ category: '承担行政职能', canGong: true, funding: '全额拨款', level: '正科级', ...extra });
const publicTwo = (funding = '差额拨款', extra: Partial<Tpl> = {}): Partial<Tpl> => ({ category: '公益二类', funding, ...extra });

const REAL_TOWNS: ReadonlyArray<readonly [string, '街道' | '镇', number]> = [
  ['柯桥', '街道', 1], ['华舍', '街道', 1], ['齐贤', '街道', 1], ['漓渚', '镇', 1], ['柯岩', '街道', 3], ['湖塘', '街道', 3],
  ['安昌', '街道', 3], ['马鞍', '街道', 3], ['钱清', '街道', 3], ['杨汛桥', '街道', 3], ['兰亭', '街道', 3], ['福全', '街道', 3],
  ['平水', '镇', 3], ['王坛', '镇', 3], ['稽东', '镇', 3], ['夏履', '镇', 3],
];

function districtTemplates(): Tpl[] {
  const P = '党委机关';
  const G = '政府机关';
  const M = '群团机关';
  const t: Tpl[] = [
    // tier 1: the core organs
    organ('qwb', '中共绍兴市柯桥区委办公室', P, 26, 1, ['秘书科', '综合科', '信息科', '督查科', '机要科'], { gq: true }),
    organ('zzb', '中共绍兴市柯桥区委组织部', P, 30, 1, ['办公室', '组织科', '干部科', '干部监督科', '人才工作科', '公务员管理科']),
    organ('bb', '中共绍兴市柯桥区委机构编制委员会办公室', P, 10, 1, ['综合科', '机构编制科', '监督检查科']),
    organ('jw', '中共绍兴市柯桥区纪律检查委员会机关', '纪检监察机关', 60, 1, ['办公室', '组织部', '宣传部', '党风政风监督室', '信访室', '案件监督管理室', '第一监督检查室', '第二监督检查室', '第一审查调查室', '第二审查调查室', '案件审理室'], { gq: true }),
    organ('rd', '绍兴市柯桥区人大常委会办公室', '人大机关', 22, 1, ['综合科', '法制工作室', '财政经济工作室', '代表联络工作室'], { gq: true }),
    organ('zx', '中国人民政治协商会议绍兴市柯桥区委员会办公室', '政协机关', 18, 1, ['综合科', '提案委员会办公室', '经济委员会办公室']),
    organ('zfb', `${CITY}人民政府办公室`, G, 26, 1, ['秘书科', '综合科', '督查科', '信息科', '政务公开科'], { gq: true }),
    organ('fgj', `${CITY}发展和改革局`, G, 28, 1, ['办公室', '发展规划科', '投资科', '产业发展科', '价格管理科', '能源科']),
    organ('jtj', `${CITY}教育体育局`, G, 30, 1, ['办公室', '组织人事科', '基础教育科', '职业与成人教育科', '计划财务科', '体育科', '安全保卫科'], { gq: true }),
    organ('czj', `${CITY}财政局`, G, 40, 1, ['办公室', '预算科', '国库科', '行政政法科', '经济建设科', '社会保障科', '会计科', '政府采购监管科'], { gq: true }),
    organ('rsj', `${CITY}人力资源和社会保障局`, G, 30, 1, ['办公室', '就业促进科', '人才开发科', '事业单位人事管理科', '工资福利科', '劳动关系科']),
    organ('wjj', `${CITY}卫生健康局`, G, 30, 1, ['办公室', '医政医管科', '基层卫生科', '疾病预防控制科', '人事科', '财务审计科', '妇幼健康科']),
    organ('gaj', '绍兴市公安局柯桥区分局', G, 300, 1, ['指挥中心', '政治处', '警务保障室', '法制大队', '刑事侦查大队', '治安大队', '交通警察大队', '经济犯罪侦查大队', '网络警察大队', '柯桥派出所', '华舍派出所', '齐贤派出所', '钱清派出所', '安昌派出所'], { sector: 'police', level: '副处级', gq: true, workerRate: 0.9 }),
    organ('fy', `${CITY}人民法院`, '审判机关', 90, 1, ['政治部', '办公室', '立案庭', '刑事审判庭', '民事审判第一庭', '民事审判第二庭', '行政审判庭', '执行局', '审判管理办公室'], { sector: 'court', gq: true, workerRate: 0.6 }),
    organ('jcy', `${CITY}人民检察院`, '检察机关', 50, 1, ['办公室', '政治部', '第一检察部', '第二检察部', '第三检察部', '第四检察部', '第五检察部'], { sector: 'court', gq: true, workerRate: 0.4 }),
    organ('zgh', `${CITY}总工会`, M, 15, 1, ['办公室', '组织宣传部', '权益保障部']),
    // tier 2: the big institutions
    inst('kqzx', '浙江省柯桥中学', 'jtj', 160, 2, { level: '正科级' }),
    inst('rmyy', `${CITY}人民医院`, 'wjj', 240, 2, publicTwo('差额拨款', { level: '正科级' })),
    inst('cdc', `${CITY}疾病预防控制中心`, 'wjj', 55, 2, { level: '正科级' }),
    inst('sbzx', `${CITY}社会保险事业管理中心`, 'rsj', 40, 2, canGong()),
    inst('rmt', `${CITY}融媒体中心`, 'qwb', 80, 2, publicTwo('差额拨款', { level: '正科级' })),
    inst('jsfz', `${CITY}教师发展中心`, 'jtj', 30, 2),
    inst('xzfw', `${CITY}行政服务中心`, 'zfb', 20, 2, canGong()),
    inst('gkzf', `${CITY}财政国库支付中心`, 'czj', 15, 2, canGong({ level: '副科级' })),
    inst('bbsj', `${CITY}机构编制数据中心`, 'bb', 4, 2, { level: '股级' }),
    // tier 3: the other organs
    organ('xcb', '中共绍兴市柯桥区委宣传部', P, 22, 3, ['办公室', '宣传教育科', '新闻科', '文明创建科', '网络宣传管理科']),
    organ('tzb', '中共绍兴市柯桥区委统战部', P, 16, 3, ['办公室', '党派工作科', '经济联络科', '民族宗教科']),
    organ('zfw', '中共绍兴市柯桥区委政法委员会', P, 18, 3, ['办公室', '执法监督科', '维稳指导科', '平安建设科']),
    organ('shgzb', '中共绍兴市柯桥区委社会工作部', P, 12, 3, ['办公室', '基层治理科', '社会工作科']),
    organ('jxj', `${CITY}经济和信息化局`, G, 24, 3, ['办公室', '运行监测科', '工业投资科', '数字经济科', '中小企业科']),
    organ('kjj', `${CITY}科学技术局`, G, 14, 3, ['办公室', '高新技术科', '科技合作科']),
    organ('mzj', `${CITY}民政局`, G, 20, 3, ['办公室', '社会救助科', '养老服务科', '社会组织管理科', '区划地名科']),
    organ('sfj', `${CITY}司法局`, G, 40, 3, ['办公室', '法治调研科', '行政复议与应诉科', '社区矫正科', '公共法律服务管理科'], { second: '政法专项编制' }),
    organ('zjj', `${CITY}住房和城乡建设局`, G, 30, 3, ['办公室', '建筑业管理科', '房地产市场监管科', '城乡建设科', '村镇建设科']),
    organ('jtysj', `${CITY}交通运输局`, G, 20, 3, ['办公室', '规划建设科', '运输管理科', '安全监督科']),
    organ('slj', `${CITY}水利局`, G, 16, 3, ['办公室', '规划建设科', '水资源与河湖管理科', '农村水利科']),
    organ('nyj', `${CITY}农业农村局`, G, 30, 3, ['办公室', '发展规划科', '乡村产业科', '农田建设管理科', '畜牧兽医科']),
    organ('swj', `${CITY}商务局`, G, 18, 3, ['办公室', '对外贸易科', '外资科', '市场运行科']),
    organ('wgl', `${CITY}文化广电旅游局`, G, 20, 3, ['办公室', '文化艺术科', '文物保护科', '旅游发展科', '广播电视科']),
    organ('tyjr', `${CITY}退役军人事务局`, G, 12, 3, ['办公室', '移交安置科', '褒扬纪念科']),
    organ('yjj', `${CITY}应急管理局`, G, 24, 3, ['办公室', '安全生产综合监管科', '危险化学品监管科', '应急指挥中心']),
    organ('sjj', `${CITY}审计局`, G, 20, 3, ['办公室', '财政审计科', '经济责任审计科', '企业审计科']),
    organ('scj', `${CITY}市场监督管理局`, G, 110, 3, ['办公室', '登记注册科', '信用监督管理科', '价格监督检查和反不正当竞争科', '食品安全协调科', '药品医疗器械化妆品监督管理科', '特种设备安全监察科', '质量发展科'], { gq: true, workerRate: 0.4 }),
    organ('tjj', `${CITY}统计局`, G, 14, 3, ['办公室', '综合统计科', '工业交通统计科', '服务业统计科']),
    organ('ybj', `${CITY}医疗保障局`, G, 12, 3, ['办公室', '待遇保障科', '基金监管科']),
    organ('zhzf', `${CITY}综合行政执法局`, G, 50, 3, ['办公室', '法规科', '执法指导科', '市容环境卫生管理科'], { workerRate: 0.9 }),
    organ('xfj', `${CITY}信访局`, G, 12, 3, ['办公室', '来访接待科', '督查督办科']),
    organ('kfq', '绍兴柯桥经济技术开发区管理委员会', G, 40, 3, ['党政办公室', '经济发展局', '规划建设局', '招商局'], { level: '正处级' }),
    organ('tqw', '中国共产主义青年团绍兴市柯桥区委员会', M, 6, 3, ['办公室', '学少部']),
    organ('fl', `${CITY}妇女联合会`, M, 6, 3, ['办公室', '发展部']),
    organ('kx', `${CITY}科学技术协会`, M, 5, 3, []),
    organ('wl', `${CITY}文学艺术界联合会`, M, 4, 3, []),
    organ('cl', `${CITY}残疾人联合会`, M, 8, 3, ['办公室', '康复就业部']),
    organ('gsl', `${CITY}工商业联合会`, M, 8, 3, ['办公室', '会员部']),
    // tier 4: the other institutions of the departments
    inst('dangxiao', '中共绍兴市柯桥区委党校', 'zzb', 25, 4, { level: '正科级' }),
    inst('rcfw', `${CITY}人才发展服务中心`, 'zzb', 10, 4),
    inst('dyjy', '中共绍兴市柯桥区委党员教育中心', 'zzb', 6, 4, { level: '股级' }),
    inst('dag', `${CITY}档案馆`, 'qwb', 15, 4, canGong({ level: '副科级' })),
    inst('jwxx', `${CITY}纪检监察信息中心`, 'jw', 6, 4, { level: '股级' }),
    inst('wmsj', `${CITY}新时代文明实践指导中心`, 'xcb', 6, 4, { level: '股级' }),
    inst('shzl', `${CITY}社会治理中心`, 'zfw', 12, 4),
    inst('dsj', `${CITY}大数据发展管理中心`, 'zfb', 20, 4),
    inst('jgsw', `${CITY}机关事务服务中心`, 'zfb', 25, 4),
    inst('zdxm', `${CITY}重大项目推进中心`, 'fgj', 10, 4),
    inst('jgrz', `${CITY}价格认证中心`, 'fgj', 5, 4, { level: '股级' }),
    inst('zxqy', `${CITY}中小企业服务中心`, 'jxj', 8, 4),
    inst('jyks', `${CITY}教育考试中心`, 'jtj', 6, 4, { level: '股级' }),
    inst('tyfz', `${CITY}体育发展中心`, 'jtj', 10, 4),
    inst('zjzx', `${CITY}职业教育中心`, 'jtj', 140, 4, { level: '正科级' }),
    inst('flzx', `${CITY}社会福利中心`, 'mzj', 30, 4, publicTwo()),
    inst('byg', `${CITY}殡仪馆`, 'mzj', 20, 4, publicTwo()),
    inst('jzgl', `${CITY}救助管理站`, 'mzj', 8, 4, { level: '股级' }),
    inst('gzc', `${CITY}公证处`, 'sfj', 15, 4, publicTwo('自收自支')),
    inst('flyz', `${CITY}法律援助中心`, 'sfj', 8, 4, { level: '股级' }),
    inst('zczx', `${CITY}政府采购中心`, 'czj', 6, 4, { level: '股级' }),
    inst('zcaq', `${CITY}建设工程质量安全管理中心`, 'zjj', 30, 4),
    inst('fwaq', `${CITY}房屋安全服务中心`, 'zjj', 12, 4, publicTwo()),
    inst('cjda', `${CITY}城市建设档案馆`, 'zjj', 6, 4, { level: '股级' }),
    inst('glys', `${CITY}公路与运输管理中心`, 'jtysj', 60, 4, canGong()),
    inst('slsd', `${CITY}水利水电工程管理中心`, 'slj', 20, 4),
    inst('hhgl', `${CITY}河湖管理中心`, 'slj', 10, 4, { level: '股级' }),
    inst('njtg', `${CITY}农业技术推广中心`, 'nyj', 35, 4),
    inst('ncjy', `${CITY}农村经营管理服务中心`, 'nyj', 10, 4),
    inst('dwyf', `${CITY}动物疫病预防控制中心`, 'nyj', 15, 4),
    inst('gjmy', `${CITY}国际贸易促进中心`, 'swj', 10, 4),
    inst('hzfw', `${CITY}会展服务中心`, 'swj', 12, 4, { category: '生产经营类', funding: '自收自支' }),
    inst('whg', `${CITY}文化馆`, 'wgl', 18, 4),
    inst('tsg', `${CITY}图书馆`, 'wgl', 20, 4),
    inst('bwg', `${CITY}博物馆`, 'wgl', 12, 4),
    inst('wwbh', `${CITY}文物保护管理所`, 'wgl', 8, 4, { level: '股级' }),
    inst('lyfz', `${CITY}旅游发展中心`, 'wgl', 10, 4, publicTwo()),
    inst('zyy', `${CITY}中医医院`, 'wjj', 170, 4, publicTwo('差额拨款', { level: '正科级' })),
    inst('fby', `${CITY}妇幼保健院`, 'wjj', 110, 4, publicTwo()),
    inst('tyjrfw', `${CITY}退役军人服务中心`, 'tyjr', 8, 4, { level: '股级' }),
    inst('yjfw', `${CITY}应急管理服务中心`, 'yjj', 12, 4),
    inst('tjpc', `${CITY}统计普查中心`, 'tjj', 8, 4, { level: '股级' }),
    inst('ybfw', `${CITY}医疗保障服务中心`, 'ybj', 18, 4, canGong({ level: '副科级' })),
    inst('zjjc', `${CITY}质量技术监督检测中心`, 'scj', 40, 4, publicTwo()),
    inst('hjws', `${CITY}环境卫生管理中心`, 'zhzf', 25, 4),
    inst('ldzc', `${CITY}劳动人事争议仲裁院`, 'rsj', 8, 4),
    inst('jyfw', `${CITY}就业管理服务中心`, 'rsj', 12, 4),
    inst('kfzx', `${CITY}残疾人康复中心`, 'cl', 10, 4, { level: '股级' }),
    inst('zgfw', `${CITY}职工服务中心`, 'zgh', 6, 4, { level: '股级' }),
  ];
  for (const [town, type, tier] of REAL_TOWNS) t.push(...townTemplates(town, type, tier, tier === 1 ? 2 : 5, false));
  return t;
}

/** A town's organ, its institutions, and the schools and health centre of the district in it. */
function townTemplates(town: string, type: '街道' | '镇', organTier: number, instTier: number, generic: boolean): Tpl[] {
  const region = `${town}${type}`;
  const key = `town:${town}`;
  const organName = type === '街道' ? `${CITY}${town}街道办事处` : `${CITY}${town}镇人民政府`;
  const t: Tpl[] = [
    {
      ...organ(key, organName, '乡镇(街道)机关', 40, organTier, ['党政综合办公室', '党建工作办公室', '经济发展办公室', '公共服务办公室', '平安建设办公室', '自然资源和城乡建设办公室'], { gq: true }),
      sector: 'town', region, heads: type === '街道' ? ['主任', '副主任'] : ['镇长', '副镇长'],
    },
    inst(`${key}:dq`, `${CITY}${region}党群服务中心`, key, 8, instTier, { level: '股级', region }),
    inst(`${key}:bm`, `${CITY}${region}便民服务中心`, key, 8, instTier, { level: '股级', region }),
    inst(`${key}:fw`, type === '街道' ? `${CITY}${region}城市建设管理服务中心` : `${CITY}${region}农业农村服务中心`, key, 10, instTier, { level: '股级', region }),
    inst(`${key}:zx`, `${CITY}${town}中学`, 'jtj', 70, instTier, { region }),
    inst(`${key}:xx`, `${CITY}${town}中心小学`, 'jtj', 60, instTier, { region }),
    inst(`${key}:yey`, `${CITY}${town}中心幼儿园`, 'jtj', 25, instTier, { level: '股级', region }),
    inst(`${key}:ws`, type === '街道' ? `${CITY}${region}社区卫生服务中心` : `${CITY}${town}镇中心卫生院`, 'wjj', 40, instTier, publicTwo('差额拨款', { region })),
  ];
  if (generic) {
    t.push(
      inst(`${key}:xx2`, `${CITY}${town}第二小学`, 'jtj', 50, instTier, { region }),
      inst(`${key}:syxx`, `${CITY}${town}实验小学`, 'jtj', 55, instTier, { region }),
      inst(`${key}:yey2`, `${CITY}${town}第二幼儿园`, 'jtj', 20, instTier, { level: '股级', region }),
      inst(`${key}:wh`, `${CITY}${region}综合文化站`, key, 4, instTier, { level: '股级', region }),
    );
  }
  return t;
}

const GENERIC_A = '东 西 南 北 新 青 白 金 银 凤 龙 云 石 梅 桃 柳 枫 竹 松 鉴 若 越 禹 秀 清 安 永 和 宝 丰 长 双 古 庙 黄 红 紫 翠 丹 华'.split(' ');
const GENERIC_B = '湖 山 溪 桥 港 浦 塘 岙 源 江 岭 坞 湾 洲 墩 泾 埠 渡 堰 田'.split(' ');
const GENERIC_C = '阳 家 口 头 前 后 上 下 坂 林'.split(' ');
const REAL_TOWN_NAMES = new Set(REAL_TOWNS.map(([t]) => t));

/** The i-th generic town (a county bigger than 柯桥区 needs more of them). */
function genericTown(i: number): [string, '街道' | '镇'] {
  const nAB = GENERIC_A.length * GENERIC_B.length;
  let name: string;
  if (i < nAB) name = GENERIC_A[i % GENERIC_A.length] + GENERIC_B[Math.floor(i / GENERIC_A.length)];
  else if (i < nAB * (GENERIC_C.length + 1)) {
    const j = i - nAB;
    name = GENERIC_A[j % GENERIC_A.length] + GENERIC_C[Math.floor(j / nAB)] + GENERIC_B[Math.floor(j / GENERIC_A.length) % GENERIC_B.length];
  } else name = `新城${i - nAB * (GENERIC_C.length + 1) + 1}`;
  return [REAL_TOWN_NAMES.has(name) ? `${name}新` : name, i % 3 === 2 ? '镇' : '街道'];
}

/** The first `n` templates: tiers in order, parents always before their children. */
function selectTemplates(n: number): Tpl[] {
  const base = districtTemplates();
  const ordered = [...base].sort((a, b) => a.tier - b.tier); // stable: parents come first within a tier
  if (n <= ordered.length) return ordered.slice(0, n);
  const out = ordered;
  for (let i = 0; out.length < n; i++) {
    const [town, type] = genericTown(i);
    for (const t of townTemplates(town, type, 6, 6, true)) {
      if (out.length >= n) break;
      out.push(t);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ranks

type Family = 'civil' | 'gq' | 'manage' | 'tech' | 'worker';

const CIVIL_BY_LEVEL: Record<string, { head: string[]; deputy: string[] }> = {
  正处级: { head: ['一级调研员', '二级调研员'], deputy: ['三级调研员', '四级调研员'] },
  副处级: { head: ['三级调研员', '四级调研员'], deputy: ['一级主任科员', '二级主任科员'] },
  正科级: { head: ['一级主任科员', '二级主任科员'], deputy: ['三级主任科员', '四级主任科员'] },
  副科级: { head: ['三级主任科员', '四级主任科员'], deputy: ['一级科员'] },
  股级: { head: ['一级科员'], deputy: ['二级科员'] },
};
const MANAGE_BY_LEVEL: Record<string, { head: string; deputy: string; mid: string }> = {
  正处级: { head: '四级职员', deputy: '五级职员', mid: '六级职员' },
  副处级: { head: '五级职员', deputy: '六级职员', mid: '七级职员' },
  正科级: { head: '六级职员', deputy: '七级职员', mid: '八级职员' },
  副科级: { head: '七级职员', deputy: '八级职员', mid: '八级职员' },
  股级: { head: '八级职员', deputy: '九级职员', mid: '九级职员' },
};

function civilStaffRank(age: number, rng: Rng): string {
  if (age < 27) return rng.pick(['二级科员', '一级科员']);
  if (age < 33) return rng.pick(['一级科员', '四级主任科员']);
  if (age < 42) return rng.pick(['四级主任科员', '三级主任科员']);
  if (age < 50) return rng.pick(['三级主任科员', '二级主任科员']);
  return rng.pick(['二级主任科员', '一级主任科员', '三级主任科员']);
}

function techRank(age: number, rng: Rng): { rank: string; title: string } {
  let level: number;
  if (age < 27) level = rng.int(11, 13);
  else if (age < 34) level = rng.int(9, 12);
  else if (age < 42) level = rng.chance(0.2) ? rng.int(6, 7) : rng.int(8, 10);
  else level = rng.chance(0.45) ? rng.int(5, 7) : rng.chance(0.05) ? 4 : rng.int(8, 10);
  const names = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二', '十三'];
  const title = level <= 4 ? '正高级' : level <= 7 ? '副高级' : level <= 10 ? '中级' : '初级';
  return { rank: `专技${names[level - 1]}级`, title };
}

function manageStaffRank(age: number, rng: Rng): string {
  if (age < 30) return rng.pick(['九级职员', '十级职员']);
  if (age < 45) return rng.pick(['八级职员', '九级职员']);
  return rng.pick(['七级职员', '八级职员']);
}

function workerRank(age: number, rng: Rng): string {
  if (age < 30) return rng.pick(['技术工五级', '普通工']);
  if (age < 40) return rng.pick(['技术工四级', '技术工五级']);
  return rng.pick(['技术工三级', '技术工四级', '技术工二级']);
}

// ---------------------------------------------------------------------------------------------
// Internal county state

type Directive =
  | { kind: 'reserved' }
  | { kind: 'forced'; code: string }
  | { kind: 'copy'; code: 'P-ID-10' | 'P-ID-11' | 'P-ID-13'; identity: Identity };

interface Identity {
  gender: '男' | '女';
  birth: IsoDate;
  name: string;
  /** Present when the ID number itself is copied (P-ID-10, P-ID-11). */
  idNumber?: string;
}

interface CountyInternal {
  seed: number;
  today: IsoDate;
  todayMonth: number;
  /** Slot directives by unit * 1e6 + slot. */
  directives: Map<number, Directive>;
  workerDirectives: Map<number, Directive>;
  /** Packed IDs registered before the stream starts (reserved people, reserved workers, feed contracts). */
  reservedKeys: number[];
  /** Person random-defect table: cumulative shares. */
  personTable: Array<{ code: string; upTo: number }>;
  workerTable: Array<{ code: string; upTo: number }>;
}

const slotKey = (u: number, k: number) => u * 1e6 + k;

interface SlotRole {
  status: '在编' | '待入编' | '已出编';
  kind: string;
  leader: '单位正职' | '单位副职' | '中层正职' | '中层副职' | null;
  /** The internal office of a 中层 leader. */
  office: string | null;
}

function slotRole(p: UnitPlan, k: number): SlotRole {
  const primary = p.kinds[0]?.kind ?? '事业编制';
  if (k >= p.inQuota) return { status: k < p.inQuota + p.pending ? '待入编' : '已出编', kind: primary, leader: null, office: null };
  let c = 0;
  let kind = primary;
  for (const q of p.kinds) {
    c += q.count;
    if (k < c) {
      kind = q.kind;
      break;
    }
  }
  const L = p.leaders;
  if (k < L.heads) return { status: '在编', kind, leader: '单位正职', office: null };
  if (k < L.heads + L.deputies) return { status: '在编', kind, leader: '单位副职', office: null };
  const m = k - L.heads - L.deputies;
  if (m < L.midHeads) return { status: '在编', kind, leader: '中层正职', office: p.offices[m % p.offices.length] };
  if (m < L.midHeads + L.midDeputies) return { status: '在编', kind, leader: '中层副职', office: p.offices[(m - L.midHeads) % p.offices.length] };
  return { status: '在编', kind, leader: null, office: null };
}

function familyOf(p: UnitPlan, role: SlotRole, rng: Rng): Family {
  if (role.kind === '机关工勤编制') return 'gq';
  if (role.kind !== '事业编制') return 'civil';
  if (role.leader === '单位正职' || role.leader === '单位副职') return 'manage';
  const s = p.sector;
  if (role.leader) return s === 'school' || s === 'hospital' ? (rng.chance(0.6) ? 'tech' : 'manage') : rng.chance(0.3) ? 'tech' : 'manage';
  const r = rng.next();
  if (s === 'school' || s === 'hospital') return r < 0.86 ? 'tech' : r < 0.95 ? 'manage' : 'worker';
  return r < 0.4 ? 'tech' : r < 0.9 ? 'manage' : 'worker';
}

// ---------------------------------------------------------------------------------------------
// People

interface BuiltPerson {
  record: PersonInput;
  defects: string[];
  /** Packed key of the clean ID number to register in the duplicate guard (null: do not register). */
  idKey: number | null;
  parts: IdParts | null;
  identity: Identity;
}

export function personName(rng: Rng, gender: '男' | '女'): string {
  const surname = rng.from(SURNAME_TABLE);
  const chars = gender === '男' ? MALE_CHARS : FEMALE_CHARS;
  if (rng.chance(0.3)) return surname + rng.pick(chars);
  return surname + rng.pick(gender === '男' ? MALE_FIRST : FEMALE_FIRST) + rng.pick(chars);
}

function retireCategory(gender: '男' | '女', family: Family): RetirementCategory {
  if (gender === '男') return 'male';
  return family === 'gq' || family === 'worker' ? 'female50' : 'female55';
}

const retireIdx = (birth: IsoDate, cat: RetirementCategory) => monthIndex(retirement(Number(birth.slice(0, 4)), Number(birth.slice(5, 7)), cat).month);

/** A birth date whose statutory retirement month index lies in [from, to], or null. */
function birthRetiringIn(rng: Rng, cat: RetirementCategory, from: number, to: number): IsoDate | null {
  const base = cat === 'male' ? 60 : cat === 'female55' ? 55 : cat === 'female50' ? 50 : 60;
  const candidates: number[] = [];
  for (let m = from - (base + 6) * 12; m <= to - base * 12; m++) {
    const y = Math.floor(m / 12);
    const r = monthIndex(retirement(y, (m % 12) + 1, cat).month);
    if (r >= from && r <= to) candidates.push(m);
  }
  if (!candidates.length) return null;
  const m = rng.pick(candidates);
  const month = monthFromIndex(m);
  return `${month}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

export function birthForAge(rng: Rng, today: IsoDate, age: number): IsoDate {
  return fromDayIndex(dayIndex(today) - Math.round(age * 365.2425) - rng.int(1, 364));
}

function education(rng: Rng, family: Family, sector: Sector, age: number): string {
  let e: string;
  if (family === 'worker' || family === 'gq') e = rng.weighted([['大学本科', 10], ['大学专科', 30], ['中专', 20], ['高中', 35], ['其他', 5]]);
  else if (sector === 'hospital' && family === 'tech') e = rng.weighted([['博士研究生', 2], ['硕士研究生', 20], ['大学本科', 60], ['大学专科', 15], ['中专', 3]]);
  else if (sector === 'school' && family === 'tech') e = rng.weighted([['硕士研究生', 12], ['大学本科', 78], ['大学专科', 10]]);
  else e = rng.weighted([['博士研究生', 1], ['硕士研究生', 18], ['大学本科', 70], ['大学专科', 10], ['其他', 1]]);
  if (age > 50 && (e === '硕士研究生' || e === '博士研究生') && rng.chance(0.6)) e = '大学本科';
  if (age > 52 && e === '大学本科' && rng.chance(0.3)) e = '大学专科';
  return e;
}

const WORK_START_AGE: Record<string, number> = { 博士研究生: 28, 硕士研究生: 25, 大学本科: 22, 大学专科: 21, 中专: 19, 高中: 18, 其他: 18 };

function politics(rng: Rng, family: Family, sector: Sector, age: number): string {
  if (age < 28 && rng.chance(0.35)) return '共青团员';
  if (family === 'civil') return rng.weighted([['中共党员', 80], ['中共预备党员', 2], ['群众', 12], ['民主党派', 4], ['无党派人士', 2]]) === '民主党派' ? rng.pick(DEMOCRATIC_PARTIES) : rng.weighted([['中共党员', 82], ['中共预备党员', 2], ['群众', 14], ['无党派人士', 2]]);
  if (family === 'worker' || family === 'gq') return rng.weighted([['中共党员', 30], ['群众', 70]]);
  const p = rng.weighted([['中共党员', sector === 'hospital' || sector === 'school' ? 42 : 60], ['群众', 45], ['民主党派', 8], ['无党派人士', 3]]);
  return p === '民主党派' ? rng.pick(DEMOCRATIC_PARTIES) : p;
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

interface BuildContext {
  county: GeneratedCounty;
  internal: CountyInternal;
}

/**
 * One person of unit u, slot k: a pure function of (seed, u, k, defect, identity). `defect` is a
 * random or forced rule code to apply; `identity` copies another person (P-ID-10/11/13).
 */
function buildPerson(ctx: BuildContext, u: number, k: number, defect: string | null, identity: Identity | null): BuiltPerson {
  const { county, internal } = ctx;
  const plan = county.plan[u];
  const today = internal.today;
  const cur = internal.todayMonth;
  const rng = new Rng(hash32(internal.seed, u, k, 0x50));
  const role = slotRole(plan, k);
  let family = familyOf(plan, role, rng);
  if (defect === 'P-RT-06' && plan.nature === '事业单位' && role.kind === '事业编制') family = 'tech';
  if (defect === 'P-RT-05' && plan.nature === '事业单位' && role.kind === '事业编制') family = rng.chance(0.5) ? 'tech' : 'worker';

  // gender, age, birth
  let gender: '男' | '女';
  if (identity) gender = identity.gender;
  else if (defect === 'P-RT-06' || defect === 'P-RT-05') gender = '女';
  else if (defect === 'P-RT-01' || defect === 'P-RT-03' || defect === 'P-RT-04') gender = rng.chance(0.8) ? '男' : '女';
  else {
    const pMale = plan.sector === 'police' ? 0.82 : family === 'gq' || family === 'worker' ? 0.7 : plan.sector === 'school' ? 0.32 : plan.sector === 'hospital' ? 0.3 : role.leader === '单位正职' ? 0.8 : role.leader ? 0.65 : 0.52;
    gender = rng.chance(pMale) ? '男' : '女';
  }
  const cat = retireCategory(gender, family);
  const minAge = role.status === '待入编' ? 22 : role.leader === '单位正职' ? 44 : role.leader === '单位副职' ? 36 : role.leader ? 30 : 23;
  let birth: IsoDate | null = identity ? identity.birth : null;
  if (!birth && role.status === '已出编' && rng.chance(0.6)) birth = birthRetiringIn(rng, cat, cur - 30, cur - 1); // retired and left the quota
  if (!birth && (defect === 'P-RT-01' || defect === 'P-RT-03')) birth = birthRetiringIn(rng, cat, cur - 14, cur - 2);
  if (!birth && defect === 'P-RT-02') birth = birthRetiringIn(rng, cat, cur + 1, cur + 3);
  if (!birth && defect === 'P-RT-04') birth = birthForAge(rng, today, rng.int(67, 69));
  if (!birth && defect === 'P-RT-06') {
    // female55 month over, but not yet 60
    const b = birthRetiringIn(rng, 'female55', cur - 40, cur - 2);
    birth = b && yearsBetween(b, today) < 60 ? b : birthForAge(rng, today, 57);
  }
  if (!birth) {
    const maxAge = role.status === '待入编' ? 30 : defect === 'P-ID-09' || defect === 'P-RT-05' ? 44 : defect === 'P-ID-08' ? 50 : 60;
    const low = defect === 'P-ID-06' ? Math.max(minAge, 30) : minAge;
    for (let tries = 0; tries < 30; tries++) {
      const r = (rng.next() + rng.next()) / 2;
      const age = low + Math.floor(r * (Math.max(low, maxAge) - low + 1));
      const b = birthForAge(rng, today, age);
      if (retireIdx(b, cat) > cur + 3 || role.status === '已出编') {
        birth = b;
        break;
      }
    }
    birth ??= birthForAge(rng, today, Math.max(low, 35));
  }
  const age = yearsBetween(birth, today);

  // ID number
  const name = identity ? identity.name : personName(rng, gender);
  let parts: IdParts | null = null;
  let idNumber: string;
  if (identity?.idNumber) idNumber = identity.idNumber;
  else {
    parts = drawIdParts(rng, gender, birth);
    idNumber = idFromParts(parts);
  }

  // career
  const edu = education(rng, family, plan.sector, age);
  const startAge = Math.min(WORK_START_AGE[edu] + rng.next() * 1.5, Math.max(18, age - 0.3));
  const maxDay = addDays(today, -20);
  let workStartOn: IsoDate | null = clampDay(fromDayIndex(dayIndex(birth) + Math.round(startAge * 365.25) + rng.int(0, 120)), '1960-01-01', maxDay);
  let enteredOn: IsoDate | null;
  if (rng.chance(0.7)) enteredOn = clampDay(addDays(workStartOn, rng.int(0, 90)), workStartOn, addDays(today, -10));
  else enteredOn = clampDay(addDays(workStartOn, rng.int(365, 365 * 10)), workStartOn, addDays(today, -10));
  let currentPostSince: IsoDate | null;
  if (role.leader) currentPostSince = clampDay(addDays(today, -rng.int(200, 365 * 9)), enteredOn, addDays(today, -30));
  else currentPostSince = clampDay(addDays(today, -rng.int(60, 365 * 12)), enteredOn, addDays(today, -30));
  if (role.status === '待入编') {
    workStartOn = null;
    enteredOn = null;
    currentPostSince = null;
  }

  // post
  const leaderLevel = role.status === '在编' && role.leader ? role.leader : '非领导';
  let posts: string | null = null;
  let office: string | null = null;
  if (leaderLevel === '单位正职') posts = plan.heads[0];
  else if (leaderLevel === '单位副职') posts = plan.heads[1];
  else if (leaderLevel === '中层正职') posts = officeHeadTitle(role.office!);
  else if (leaderLevel === '中层副职') posts = `副${officeHeadTitle(role.office!)}`;
  if (leaderLevel === '单位正职' || leaderLevel === '单位副职') office = plan.offices.length ? plan.name : null;
  else if (role.office) office = role.office;
  else if (plan.offices.length) office = rng.pick(plan.offices);

  const extra: Record<string, string> = {};
  let rank: string;
  let title = '无';
  let postCategory: string | null = null;
  const civil = CIVIL_BY_LEVEL[plan.level] ?? CIVIL_BY_LEVEL.正科级;
  const manage = MANAGE_BY_LEVEL[plan.level] ?? MANAGE_BY_LEVEL.副科级;
  switch (family) {
    case 'civil':
      rank = leaderLevel === '单位正职' ? rng.pick(civil.head) : leaderLevel === '单位副职' ? rng.pick(civil.deputy)
        : leaderLevel === '中层正职' ? rng.pick(['三级主任科员', '四级主任科员', '二级主任科员']) : leaderLevel === '中层副职' ? rng.pick(['四级主任科员', '一级科员'])
          : civilStaffRank(age, rng);
      break;
    case 'gq':
      rank = workerRank(age, rng);
      break;
    case 'manage':
      postCategory = '管理岗位';
      rank = leaderLevel === '单位正职' ? manage.head : leaderLevel === '单位副职' ? manage.deputy : role.leader ? manage.mid : manageStaffRank(age, rng);
      break;
    case 'tech': {
      postCategory = '专业技术岗位';
      const t = techRank(age, rng);
      rank = t.rank;
      title = t.title;
      break;
    }
    default:
      postCategory = '工勤技能岗位';
      rank = workerRank(age, rng);
  }
  if (role.status === '待入编') rank = family === 'civil' ? '二级科员' : family === 'tech' ? '专技十二级' : family === 'manage' ? '九级职员' : '普通工';
  if (plan.sector === 'police' && leaderLevel === '单位正职' && family === 'civil' && rng.chance(0.5)) {
    rank = '二级调研员'; // 高配: approved above the unit's 规格
    extra.是否高配 = '是';
  }
  const identityValue = family === 'gq' || family === 'worker' ? '工人' : '干部';
  const ethnicity: string = rng.from(ETHNICITIES);
  const pol = politics(rng, family, plan.sector, age);

  // duty status: almost everyone 在岗; a few benign short absences
  let dutyStatus: string | null = role.status === '在编' ? '在岗' : null;
  let dutyStatusSince: IsoDate | null = null;
  let lateRetireUntil: IsoDate | null = null;
  if (role.status === '在编' && !role.leader && !defect && !identity) {
    const r = rng.next();
    if (r < 0.006) [dutyStatus, dutyStatusSince] = ['借调', addDays(today, -rng.int(30, 300))];
    else if (r < 0.009) [dutyStatus, dutyStatusSince] = ['挂职', addDays(today, -rng.int(30, 300))];
    else if (r < 0.011) [dutyStatus, dutyStatusSince] = ['进修学习', addDays(today, -rng.int(10, 200))];
    else if (r < 0.013) [dutyStatus, dutyStatusSince] = ['长期病休', addDays(today, -rng.int(20, 150))];
  }
  if (role.status === '已出编') {
    dutyStatus = null;
    currentPostSince = null;
  }

  const rec: PersonInput = {
    unitCode: plan.code, idNumber, name, gender, ethnicity, birthDate: birth, office,
    status: role.status, quotaKind: role.kind, posts, leaderLevel, rank, postCategory, title,
    dutyStatus, dutyStatusSince, enteredOn, workStartOn, currentPostSince, education: edu,
    identity: identityValue, lateRetireUntil, politics: pol,
  };
  const defects: string[] = [];

  // benign: an approved flexible late retirement still running (no rule fires)
  if (!defect && !identity && role.status === '在编' && !role.leader && rng.chance(0.0008)) {
    const b = birthRetiringIn(rng, 'male', cur - 8, cur - 2);
    if (b) {
      rec.gender = '男';
      rec.name = personName(rng, '男');
      rec.birthDate = b;
      const p2 = drawIdParts(rng, '男', b);
      parts = p2;
      rec.idNumber = idFromParts(p2);
      rec.lateRetireUntil = addDays(today, rng.int(120, 600));
      rec.workStartOn = clampDay(addDays(b, 22 * 365), '1960-01-01', maxDay);
      rec.enteredOn = rec.workStartOn;
      rec.currentPostSince = clampDay(rec.currentPostSince ?? rec.enteredOn, rec.enteredOn, maxDay);
    }
  }

  if (defect) {
    if (applyPersonDefect(rec, defect, { rng, plan, role, family, today, cur, parts, age })) defects.push(defect);
    // a woman overdue under the 55/58 table must not be in the 60 group (that is P-RT-06)
    if ((defect === 'P-RT-01' || defect === 'P-RT-02' || defect === 'P-RT-03' || defect === 'P-RT-04') && rec.gender === '女' && (rec.title === '正高级' || rec.title === '副高级')) {
      rec.title = '中级';
      rec.rank = '专技八级';
    }
  }
  if (Object.keys(extra).length) rec.extra = extra;
  const clean = defects.every((d) => !ID_DEFECTS.has(d)) && parts != null;
  return { record: rec, defects: defects.filter(Boolean), idKey: clean ? packId(parts!) : null, parts, identity: { gender, birth, name } };
}

/** Defects that change the ID number itself (its key is then not registered). */
const ID_DEFECTS = new Set(['P-ID-01', 'P-ID-02', 'P-ID-03', 'P-ID-04', 'P-ID-05', 'P-ID-06', 'P-ID-07']);

interface DefectEnv {
  rng: Rng;
  plan: UnitPlan;
  role: SlotRole;
  family: Family;
  today: IsoDate;
  cur: number;
  parts: IdParts | null;
  age: number;
}

/** Slots a random person defect may land on (a clean 在编 non-leader, with what the rule needs). */
function personDefectEligible(code: string, plan: UnitPlan, role: SlotRole): boolean {
  if (role.status !== '在编' || role.leader) return false;
  switch (code) {
    case 'P-ST-07':
      return role.kind === '事业编制' ? !plan.canGong : role.kind === '行政编制' || role.kind === '政法专项编制';
    case 'P-ST-08':
      return plan.offices.length > 0;
    case 'P-ST-04':
      return plan.nature !== '事业单位' ? !plan.kinds.some((q) => q.kind === '机关工勤编制') : !plan.canGong;
    case 'P-ST-06':
      return role.kind !== '参公事业编制';
    case 'P-RT-06':
      return role.kind !== '机关工勤编制';
    default:
      return true;
  }
}

function applyPersonDefect(rec: PersonInput, code: string, e: DefectEnv): boolean {
  const { rng, plan, role, today } = e;
  const body17 = () => rec.idNumber.slice(0, 17);
  switch (code) {
    case 'P-ID-01':
      rec.idNumber = '';
      return true;
    case 'P-ID-02':
      rec.idNumber = rng.chance(0.5) ? rec.idNumber.slice(0, 17) : `${rec.idNumber.slice(0, 10)}A${rec.idNumber.slice(11)}`;
      return true;
    case 'P-ID-03': {
      const good = rec.idNumber[17];
      const options = '0123456789X'.split('').filter((c) => c !== good);
      rec.idNumber = body17() + rng.pick(options);
      return true;
    }
    case 'P-ID-04': {
      const y = rec.idNumber.slice(6, 10);
      const bad = rng.pick([`${y}0230`, `${y}1331`, `${y}0631`, `${y}0001`]);
      const body = rec.idNumber.slice(0, 6) + bad + rec.idNumber.slice(14, 17);
      rec.idNumber = body + idCheckChar(body);
      return true;
    }
    case 'P-ID-05': {
      const body = rng.pick(['39', '20', '00', '48']) + rec.idNumber.slice(2, 17);
      rec.idNumber = body + idCheckChar(body);
      return true;
    }
    case 'P-ID-06': {
      const b = rec.birthDate!;
      if (b >= '2000-01-01') return false;
      rec.idNumber = rec.idNumber.slice(0, 6) + rec.idNumber.slice(8, 14) + rec.idNumber.slice(14, 17);
      return true;
    }
    case 'P-ID-07': {
      const r = rng.next();
      if (r < 0.6 && e.parts) {
        // a number whose check character is X, written with a lower-case x
        let seq = e.parts.seq;
        for (let i = 0; i < 60; i++) {
          const id = idFromParts({ ...e.parts, seq });
          if (id.endsWith('X')) {
            e.parts.seq = seq;
            rec.idNumber = `${id.slice(0, 17)}x`;
            return true;
          }
          seq = nextSeq(seq);
        }
      }
      rec.idNumber = r < 0.85 ? FULL_WIDTH(rec.idNumber) : `${rec.idNumber.slice(0, 6)} ${rec.idNumber.slice(6, 14)} ${rec.idNumber.slice(14)}`;
      return true;
    }
    case 'P-ID-08': {
      const b = rec.birthDate!;
      const r = rng.next();
      if (r < 0.5) rec.birthDate = `${Number(b.slice(0, 4)) + rng.pick([-1, 1])}${b.slice(4)}`.replace(/-02-29$/, '-02-28');
      else if (r < 0.75) rec.birthDate = addDays(`${b.slice(0, 8)}15`, rng.pick([-31, 31]));
      else {
        const d = Number(b.slice(8, 10));
        rec.birthDate = `${b.slice(0, 8)}${String(d <= 14 ? d + rng.int(1, 13) : d - rng.int(1, 13)).padStart(2, '0')}`;
      }
      return true;
    }
    case 'P-ID-09':
      rec.gender = rec.gender === '男' ? '女' : '男';
      return true;
    case 'P-ID-12': {
      const n = rec.name;
      rec.name = rng.pick([`${n[0]} ${n.slice(1)}`, `${n}2`, `${n[0]}${rng.pick(['Wei', 'Li', 'A'])}`, n[0]]);
      return true;
    }
    case 'P-ID-14': {
      const r = rng.next();
      if (r < 0.5) rec.ethnicity = '汉';
      else if (r < 0.75) rec.politics = '党员';
      else rec.education = rng.pick(['大学', '本科', '研究生']);
      return true;
    }
    case 'P-RT-01':
    case 'P-RT-02':
    case 'P-RT-04':
      return true; // the birth date was chosen for it
    case 'P-RT-03':
      if (rng.chance(0.6)) rec.lateRetireUntil = addDays(today, -rng.int(15, 120));
      else {
        const r = retirement(Number(rec.birthDate!.slice(0, 4)), Number(rec.birthDate!.slice(5, 7)), retireCategory(rec.gender as '男' | '女', e.family));
        rec.lateRetireUntil = `${monthFromIndex(monthIndex(r.month) + rng.int(38, 48))}-28`;
      }
      return true;
    case 'P-RT-05':
      if (plan.nature === '事业单位' && role.kind === '事业编制') rec.identity = rec.postCategory === '工勤技能岗位' ? '干部' : '工人';
      else rec.identity = rng.pick(['职工', '聘用人员', '工勤']);
      return true;
    case 'P-RT-06':
      if (rec.postCategory === '专业技术岗位') {
        rec.title = rng.chance(0.8) ? '副高级' : '正高级';
        rec.rank = rec.title === '正高级' ? '专技四级' : rng.pick(['专技五级', '专技六级', '专技七级']);
      } else rec.rank = '二级调研员';
      return true;
    case 'P-TM-01': {
      const r = rng.next();
      // The demo office requires 民族 and 所在处室 (P-TM-01 alsoRequired, set by seed.ts).
      if (plan.offices.length && r < 0.5) rec.office = null;
      else rec.ethnicity = null;
      return true;
    }
    case 'P-TM-04':
      rec.enteredOn = null;
      return true;
    case 'P-TM-05':
      if (rng.chance(0.6) && rec.workStartOn) rec.enteredOn = addDays(rec.workStartOn, -rng.int(200, 900));
      else rec.enteredOn = addDays(today, rng.int(10, 200));
      return true;
    case 'P-TM-06':
      if (rng.chance(0.5)) rec.currentPostSince = addDays(today, rng.int(15, 400));
      else if (rec.workStartOn) rec.currentPostSince = addDays(rec.workStartOn, -rng.int(100, 1500));
      else rec.currentPostSince = addDays(today, 30);
      return true;
    case 'P-TM-07': {
      const r = rng.next();
      if (r < 0.3) rec.enteredOn = `${rec.enteredOn?.slice(0, 4) ?? '2018'}-06-31`;
      else if (r < 0.55) rec.currentPostSince = '1900-01-01';
      else if (r < 0.8) rec.workStartOn = (rec.workStartOn ?? '2015-03-12').replace(/-/g, '.');
      else rec.enteredOn = `${rec.enteredOn?.slice(0, 4) ?? '2016'}-13-01`;
      return true;
    }
    case 'P-TM-08':
      rec.workStartOn = addDays(rec.birthDate ?? today, 365 * 13 + rng.int(0, 300));
      return true;
    case 'P-ST-01':
      rec.status = null;
      return true;
    case 'P-ST-02':
      rec.status = '编外';
      rec.leaderLevel = '中层副职';
      rec.posts = plan.offices.length ? `副${officeHeadTitle(rec.office ?? plan.offices[0])}` : '副主任';
      return true;
    case 'P-ST-03':
      rec.quotaKind = null;
      return true;
    case 'P-ST-04':
      rec.quotaKind = plan.nature === '事业单位' ? '参公事业编制' : '机关工勤编制';
      if (rec.quotaKind === '机关工勤编制') {
        rec.rank = workerRank(e.age, rng);
        rec.identity = '工人';
      }
      return true;
    case 'P-ST-05':
      rec.quotaKind = plan.nature === '事业单位' ? '行政编制' : '事业编制';
      return true;
    case 'P-ST-06':
      if (role.kind === '事业编制') rec.postCategory = null;
      else if (role.kind === '机关工勤编制') rec.postCategory = '管理岗位';
      else rec.postCategory = rng.pick(['管理岗位', '专业技术岗位']);
      return true;
    case 'P-ST-07':
      rec.rank = role.kind === '事业编制' ? rng.pick(['四级主任科员', '一级科员', '三级主任科员']) : rng.pick(['八级职员', '九级职员', '专技十级']);
      return true;
    case 'P-ST-08':
      rec.office = rng.pick(['综合办', '原办公室', '业务一科', '行政科', '后勤保障组']);
      return true;
    case 'P-ST-10':
      rec.dutyStatus = rng.chance(0.8) ? null : '正常';
      return true;
    case 'P-ST-11':
      rec.dutyStatus = rng.chance(0.75) ? '借调' : '挂职';
      rec.dutyStatusSince = addDays(today, -rng.int(400, 900));
      return true;
    case 'P-ST-12':
      rec.dutyStatus = '离岗创业';
      rec.dutyStatusSince = addDays(today, -rng.int(37 * 31, 60 * 30));
      return true;
    case 'P-ST-13':
      rec.dutyStatus = rng.pick(['长期病休', '待岗', '下落不明', '其他']);
      rec.dutyStatusSince = addDays(today, -rng.int(7 * 31, 24 * 30));
      return true;
    // unit-leader defects (planned per unit on slot 0 or 1)
    case 'P-ST-09':
      rec.office = plan.offices[0];
      return true;
    case 'P-ST-14':
      rec.rank = '一级科员';
      return true;
    case 'U-LD-05':
      rec.rank = rec.leaderLevel === '单位正职' ? rng.pick(['四级调研员', '三级调研员']) : '二级主任科员';
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Workers

const WORKER_POSTS: Record<string, string[]> = {
  执法辅助类: ['交通协管员', '治安巡逻队员', '综合执法协管员', '辅警'],
  普通辅助类: ['文字辅助', '档案整理', '社区工作辅助', '数据录入'],
  窗口服务类: ['窗口受理员', '导办员', '咨询服务员'],
  技术技能类: ['信息系统运维', '驾驶员', '电工', '护理员'],
  后勤服务类: ['保洁员', '食堂厨师', '保安', '门卫'],
};

interface BuiltWorker { record: WorkerInput; defects: string[]; idKey: number | null; parts: IdParts | null }

function buildWorker(ctx: BuildContext, u: number, j: number, defect: string | null): BuiltWorker {
  const { county, internal } = ctx;
  const plan = county.plan[u];
  const today = internal.today;
  const rng = new Rng(hash32(internal.seed, u, j, 0x57));
  const postClass = plan.sector === 'police' || (plan.sector === 'gov' && rng.chance(0.15)) ? (rng.chance(0.85) ? '执法辅助类' : '后勤服务类')
    : plan.sector === 'hospital' ? rng.weighted([['技术技能类', 3], ['后勤服务类', 5], ['窗口服务类', 2]])
      : rng.weighted([['普通辅助类', 4], ['窗口服务类', 2], ['技术技能类', 2], ['后勤服务类', 4]]);
  let gender: '男' | '女' = rng.chance(postClass === '执法辅助类' ? 0.85 : 0.5) ? '男' : '女';
  let age = gender === '男' ? rng.int(20, 55) : rng.int(20, 47);
  if (defect === 'W-06') {
    gender = rng.chance(0.6) ? '男' : '女';
    age = gender === '男' ? rng.int(64, 67) : rng.int(56, 59);
  }
  const birth = birthForAge(rng, today, age);
  const parts = drawIdParts(rng, gender, birth);
  let idNumber = idFromParts(parts);
  let employment: string | null = rng.weighted([['劳务派遣', 60], ['劳动合同', 25], ['劳务协议', 10], ['公益性岗位', 5]]);
  if (defect === 'W-06' && employment !== '劳务派遣') employment = '劳动合同';
  let post: string | null = rng.pick(WORKER_POSTS[postClass]);
  let pc: string | null = postClass;
  const earliest = addDays(birth, 365 * 18 + 30);
  let firstContractOn: IsoDate | null = clampDay(addDays(today, -rng.int(15, 365 * 12)), earliest < addDays(today, -15) ? earliest : addDays(today, -15), addDays(today, -15));
  const defects: string[] = [];
  let idKey: number | null = packId(parts);
  switch (defect) {
    case 'W-01':
      if (rng.chance(0.7)) idNumber = idNumber.slice(0, 17) + '0123456789X'.split('').filter((c) => c !== idNumber[17])[rng.int(0, 9)];
      else idNumber = idNumber.slice(0, 16);
      idKey = null;
      break;
    case 'W-02':
      employment = rng.chance(0.5) ? null : '临时工';
      break;
    case 'W-03':
      pc = rng.chance(0.5) ? null : '辅助类';
      break;
    case 'W-04':
      pc = '普通辅助类';
      post = rng.pick(['财务', '人事', '涉密', '行政管理']);
      break;
    case 'W-05': {
      const r = rng.next();
      firstContractOn = r < 0.4 ? null : r < 0.7 ? addDays(today, rng.int(10, 90)) : addDays(birth, 365 * 15 + rng.int(0, 200));
      break;
    }
    default:
      break;
  }
  if (defect) defects.push(defect);
  return {
    record: { unitCode: plan.code, idNumber, name: personName(rng, gender), gender, postClass: pc, postName: post, employment, firstContractOn },
    defects, idKey, parts,
  };
}

// ---------------------------------------------------------------------------------------------
// The county

function cumulative(specs: readonly DefectSpec[], per: DefectSpec['per']): Array<{ code: string; upTo: number }> {
  let acc = 0;
  return specs.filter((d) => d.per === per && !d.planned).map((d) => ({ code: d.code, upTo: (acc += d.share) }));
}

function groupId(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = 'cid';
  for (let i = 0; i < 22; i++) s += alphabet[rng.int(0, 63)];
  return `${s}==`;
}

/** Unit-level defects that cannot go together on one unit. */
const EXCLUSIVE_GROUPS: string[][] = [
  ['U-IN-01', 'U-IN-02', 'U-IN-03', 'U-IN-04', 'U-IN-05', 'U-IN-06'],
  ['U-QT-01', 'U-QT-02', 'U-QT-03', 'U-QT-04'],
  ['U-LD-01', 'U-LD-02', 'U-LD-03', 'U-LD-04', 'U-LD-05', 'U-LD-06', 'U-LD-07', 'P-ST-09', 'P-ST-14', 'U-QT-04'],
  ['U-IN-07', 'U-IN-08', 'U-IN-09'],
  ['U-IN-11', 'U-IN-06', 'U-IN-01'],
  ['U-QT-04', 'U-QT-05'],
];

function conflicts(existing: string[], code: string): boolean {
  for (const g of EXCLUSIVE_GROUPS) if (g.includes(code) && existing.some((e) => g.includes(e))) return true;
  return false;
}

export function generateCounty(options: CountyOptions): GeneratedCounty {
  const { units: nUnits, people: nPeople, seed, today } = options;
  if (!(nUnits >= 1) || !Number.isInteger(nUnits)) throw new Error('units 必须是正整数');
  if (!(nPeople >= 0) || !Number.isInteger(nPeople)) throw new Error('people 必须是非负整数');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error('today 必须是 YYYY-MM-DD');
  const rng = new Rng(hash32(seed, 0xc0));
  const cur = monthIndex(today);
  const tpls = selectTemplates(nUnits);
  const keyIndex = new Map(tpls.map((t, i) => [t.key, i]));
  const big = nUnits >= MIN_UNITS_FOR_ALL;

  // ---- plans (structure)
  const plans: UnitPlan[] = tpls.map((t, i) => ({
    index: i, code: '', name: t.name, nature: t.nature, sector: t.sector, level: t.level, canGong: !!t.canGong,
    parent: t.parent !== undefined ? keyIndex.get(t.parent) ?? null : null, offices: [...t.offices], heads: t.heads,
    size: 0, inQuota: 0, pending: 0, left: 0, kinds: [], leaders: { heads: 0, deputies: 0, midHeads: 0, midDeputies: 0 },
    workers: 0, sloppiness: 1, defects: [], ledgerUpdatedOn: today, directInsert: false,
  }));
  for (const p of plans) {
    const r = rng.next();
    p.sloppiness = r < 0.65 ? 0.1 : r < 0.9 ? 1.5 : 5.5;
  }
  /** A weighted draw by sloppiness over a fixed list (binary search: counties may be large). */
  const picker = (cands: UnitPlan[]): (() => UnitPlan) => {
    const cum = new Float64Array(cands.length);
    let acc = 0;
    cands.forEach((p, i) => { cum[i] = acc += p.sloppiness; });
    return () => {
      const x = rng.next() * acc;
      let lo = 0;
      let hi = cands.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] > x) hi = mid;
        else lo = mid + 1;
      }
      return cands[lo];
    };
  };
  const weightedPick = (cands: UnitPlan[]): UnitPlan => picker(cands)();
  const hasChildren = new Set(plans.filter((p) => p.parent != null).map((p) => p.parent!));
  const isLeafInst = (p: UnitPlan) => p.nature === '事业单位' && !hasChildren.has(p.index);

  // ---- unit-level defects, step 1: the empty shells get no people
  const addDefect = (p: UnitPlan, code: string) => {
    if (!p.defects.includes(code)) p.defects.push(code);
  };
  const assign = (code: string, eligible: (p: UnitPlan) => boolean, force = big) => {
    const share = DEFECT_SHARES[code];
    const candidates = plans.filter((p) => eligible(p) && !conflicts(p.defects, code));
    let n = 0;
    for (const p of candidates) if (rng.chance(Math.min(0.9, share * p.sloppiness))) { addDefect(p, code); n++; }
    if (n === 0 && force && candidates.length) { addDefect(weightedPick(candidates), code); n++; }
    return n;
  };
  assign('U-QT-04', (p) => isLeafInst(p) && tpls[p.index].size <= 12 && p.sector === 'centre', big && nPeople >= MIN_PEOPLE_FOR_ALL);

  // ---- headcount
  const weights = plans.map((p, i) => (p.defects.includes('U-QT-04') ? 0 : tpls[i].size * (0.75 + rng.next() * 0.5)));
  const totalW = weights.reduce((a, b) => a + b, 0) || 1;
  const sizes = weights.map((w) => Math.floor((nPeople * w) / totalW));
  let rest = nPeople - sizes.reduce((a, b) => a + b, 0);
  const order = weights.map((w, i) => [i, (nPeople * w) / totalW - sizes[i]] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const fillable = order.filter(([i]) => weights[i] > 0);
  for (let i = 0; rest > 0 && fillable.length; i = (i + 1) % fillable.length) { sizes[fillable[i][0]]++; rest--; }
  // every unit with a quota gets at least one person, taken from the biggest
  for (let i = 0; i < plans.length; i++) {
    if (sizes[i] > 0 || weights[i] === 0 || nPeople < plans.length) continue;
    let maxI = 0;
    for (let j = 1; j < sizes.length; j++) if (sizes[j] > sizes[maxI]) maxI = j;
    if (sizes[maxI] <= 2) break;
    sizes[maxI]--;
    sizes[i]++;
  }

  // ---- composition (before the defects that depend on it)
  for (const p of plans) {
    const t = tpls[p.index];
    const h = sizes[p.index];
    p.size = h;
    p.pending = h >= 8 && rng.chance(0.15) ? rng.int(1, 2) : 0;
    p.left = h >= 6 && rng.chance(0.3) ? rng.int(1, Math.max(1, Math.round(h * 0.04))) : 0;
    p.inQuota = Math.max(0, h - p.pending - p.left);
    if (p.inQuota === 0 && h > 0) { p.inQuota = h; p.pending = 0; p.left = 0; }
    const nOff = Math.min(p.offices.length, Math.floor(p.inQuota / 3));
    p.offices = p.offices.slice(0, p.inQuota >= 6 ? nOff : 0);
    const primary = p.nature === '事业单位' ? (p.canGong ? '参公事业编制' : '事业编制') : t.sector === 'police' || t.sector === 'court' ? '政法专项编制' : '行政编制';
    const gq = t.gq && p.inQuota >= 10 ? rng.int(1, Math.max(1, Math.round(p.inQuota * 0.05))) : 0;
    const second = t.second && p.inQuota >= 6 ? Math.max(1, Math.round(p.inQuota * (0.2 + rng.next() * 0.2))) : 0;
    p.kinds = [{ kind: primary, count: p.inQuota - gq - second }];
    if (second) p.kinds.push({ kind: t.second!, count: second });
    if (gq) p.kinds.push({ kind: '机关工勤编制', count: gq });
    p.workers = 0;
  }
  // workers: about one per four people
  const targetWorkers = Math.round(nPeople / 4);
  const wWeights = plans.map((p) => p.size * tpls[p.index].workerRate * (0.5 + rng.next()));
  const totalWW = wWeights.reduce((a, b) => a + b, 0) || 1;
  let wSum = 0;
  for (const p of plans) { p.workers = Math.floor((targetWorkers * wWeights[p.index]) / totalWW); wSum += p.workers; }
  for (let i = 0; wSum < targetWorkers && plans.length; i = (i + 1) % plans.length) {
    if (plans[i].size > 0) { plans[i].workers++; wSum++; }
    if (i === plans.length - 1 && plans.every((p) => p.size === 0)) break;
  }

  // ---- unit-level defects, step 2
  const civilOrgan = (p: UnitPlan) => p.nature !== '事业单位' && p.kinds[0]?.kind !== '事业编制';
  assign('U-LD-01', (p) => p.inQuota >= 5);
  assign('U-LD-02', (p) => p.inQuota >= 6);
  assign('U-LD-03', (p) => p.offices.length >= 1 && p.inQuota >= 8);
  assign('U-LD-04', (p) => p.offices.length >= 1 && p.inQuota >= 8);
  assign('U-LD-05', (p) => civilOrgan(p) && p.level === '正科级' && p.inQuota >= 4);
  assign('U-LD-06', (p) => p.inQuota >= 2);
  assign('U-LD-07', (p) => p.inQuota >= 4);
  assign('P-ST-09', (p) => p.offices.length >= 1 && p.inQuota >= 4);
  assign('P-ST-14', (p) => civilOrgan(p) && p.level === '正科级' && p.inQuota >= 3);
  assign('U-QT-01', (p) => p.inQuota >= 4);
  assign('U-QT-02', (p) => p.inQuota >= 2);
  assign('U-QT-03', (p) => p.inQuota >= 3);
  assign('U-QT-05', (p) => p.workers >= 3);
  assign('U-QT-07', (p) => p.inQuota >= 3);
  // at most one unit without a code, and the shared code (U-IN-06) needs a partner
  assign('U-IN-01', (p) => isLeafInst(p) && p.size > 0, big);
  let emptyCode = false;
  for (const p of plans) {
    if (!p.defects.includes('U-IN-01')) continue;
    if (emptyCode) p.defects = p.defects.filter((d) => d !== 'U-IN-01');
    emptyCode = true;
  }
  assign('U-IN-02', () => true);
  assign('U-IN-03', () => true);
  assign('U-IN-04', () => true);
  assign('U-IN-05', () => true);
  assign('U-IN-06', (p) => isLeafInst(p) && p.index > 0);
  assign('U-IN-07', () => true);
  assign('U-IN-08', (p) => p.nature === '事业单位');
  assign('U-IN-09', (p) => p.nature === '事业单位');
  assign('U-IN-10', () => true);
  assign('U-IN-11', (p) => isLeafInst(p));
  assign('U-IN-12', (p) => p.offices.length >= 2);
  assign('U-IN-13', () => true);
  assign('U-PR-01', () => true);
  assign('U-PR-02', () => true);
  assign('U-PR-03', (p) => p.index > 0);
  assign('W-07', (p) => p.size > 0);

  // ---- leader posts and roster leaders, quotas
  const quotas: QuotaInput[] = [];
  const quotaUnit: number[] = [];
  const leaderPosts: LeaderPostInput[] = [];
  const leaderPostUnit: number[] = [];
  const vacancyOf = new Map<number, Map<string, number>>();
  for (const p of plans) {
    const inQ = p.inQuota;
    const has = (c: string) => p.defects.includes(c);
    const nOff = p.offices.length;
    // 副职: organs 2–4 (fewer only in tiny ones), institutions by size
    const dA = p.nature !== '事业单位'
      ? inQ >= 15 ? rng.int(3, 4) : inQ >= 6 ? rng.int(2, 3) : inQ >= 3 ? 1 : 0
      : inQ >= 30 ? rng.int(2, 4) : inQ >= 12 ? rng.int(1, 2) : inQ >= 4 ? 1 : 0;
    const mA = inQ >= 6 ? nOff : 0;
    const mdA = inQ >= 15 ? Math.round(nOff * (0.4 + rng.next() * 0.4)) : 0;
    const ap = inQ > 0 ? { heads: 1, deputies: dA, midHeads: mA, midDeputies: mdA } : null;
    if (inQ > 0) {
      const L = {
        heads: has('U-LD-07') ? 0 : has('U-LD-01') ? 2 : 1,
        deputies: has('U-LD-02') ? dA + 1 : rng.chance(0.75) ? dA : Math.max(0, dA - 1),
        midHeads: has('U-LD-03') ? mA + 1 : rng.chance(0.7) ? mA : Math.max(0, mA - 1),
        midDeputies: has('U-LD-04') ? mdA + 1 : rng.chance(0.7) ? mdA : Math.max(0, mdA - 1),
      };
      // leave at least one non-leader (or fewer leaders in tiny units)
      const cap = Math.max(1, inQ - 1);
      while (L.heads + L.deputies + L.midHeads + L.midDeputies > cap) {
        if (L.midDeputies > (has('U-LD-04') ? 1 : 0)) L.midDeputies--;
        else if (L.midHeads > (has('U-LD-03') ? 1 : 0)) L.midHeads--;
        else if (L.deputies > (has('U-LD-02') ? 1 : 0)) L.deputies--;
        else break;
      }
      // the leaders all sit in the primary kind
      const total = L.heads + L.deputies + L.midHeads + L.midDeputies;
      if (p.kinds[0].count < total) {
        const need = total - p.kinds[0].count;
        for (let i = p.kinds.length - 1; i > 0 && p.kinds[0].count < total; i--) {
          const take = Math.min(need, p.kinds[i].count);
          p.kinds[i].count -= take;
          p.kinds[0].count += take;
        }
        p.kinds = p.kinds.filter((q, i) => i === 0 || q.count > 0);
      }
      p.leaders = L;
    }
    if (ap && !has('U-LD-06')) {
      const add = (kind: string, n: number) => {
        leaderPosts.push({ unitCode: '', kind, approved: n, approvalNo: null });
        leaderPostUnit.push(p.index);
      };
      add('单位正职', ap.heads);
      add('单位副职', ap.deputies);
      if (ap.midHeads > 0) add('中层正职', ap.midHeads);
      if (ap.midDeputies > 0) add('中层副职', ap.midDeputies);
    }
    // quotas
    const vac = new Map<string, number>();
    const addQuota = (kind: string, approved: number) => {
      quotas.push({ unitCode: '', kind, approved, approvalNo: null });
      quotaUnit.push(p.index);
      vac.set(kind, approved);
    };
    if (has('U-QT-04')) addQuota(p.canGong ? '参公事业编制' : '事业编制', rng.int(2, 5));
    if ((has('U-QT-01') || has('U-QT-02')) && p.pending) {
      p.left += p.pending; // no room for people in transit: they are history instead
      p.pending = 0;
    }
    if (!has('U-QT-04')) p.kinds.forEach((q, i) => {
      let approved: number;
      if (i === 0 && has('U-QT-01')) approved = Math.max(0, q.count - (q.count >= 6 ? rng.int(2, 3) : q.count >= 4 ? 2 : 1));
      else if (i === 0 && has('U-QT-02')) approved = q.count;
      else {
        const extraPending = i === 0 ? p.pending : 0;
        approved = q.count + extraPending + Math.max(1, Math.round(q.count * (0.03 + rng.next() * 0.15)));
      }
      addQuota(q.kind, approved);
      vac.set(q.kind, approved - q.count);
    });
    vacancyOf.set(p.index, vac);
  }

  // ---- codes and names
  const codeOf = (p: UnitPlan): string => {
    const t = tpls[p.index];
    const n = String((p.index * 7919 + (hash32(seed, 0xc0de) % 1000003)) % 1000000).padStart(6, '0');
    const body = t.credit === '11' ? `00${n}` : t.credit === '12' ? `MB${n}` : `50${n}`;
    return makeUscc(`${t.credit}330603`, body);
  };
  for (const p of plans) p.code = codeOf(p);
  const cleanCode = plans.map((p) => p.code);
  for (const p of plans) {
    const t = tpls[p.index];
    const body = p.code.slice(8, 16);
    if (p.defects.includes('U-IN-01')) p.code = '';
    else if (p.defects.includes('U-IN-02')) p.code = rng.chance(0.5) ? p.code.slice(0, 17) : `${p.code.slice(0, 9)}O${p.code.slice(10)}`;
    else if (p.defects.includes('U-IN-03')) {
      const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'.split('').filter((c) => c !== p.code[17]);
      p.code = p.code.slice(0, 17) + rng.pick(alphabet);
    } else if (p.defects.includes('U-IN-04')) p.code = makeUscc(`${t.credit === '12' ? '11' : '12'}330603`, body);
    else if (p.defects.includes('U-IN-05')) p.code = makeUscc(`${t.credit}${rng.pick(['330106', '330102', '330521', '330782'])}`, body);
  }
  for (const p of plans) {
    if (!p.defects.includes('U-IN-06')) continue;
    let q: UnitPlan | null = null;
    for (let tries = 0; tries < 200 && !q && p.index > 0; tries++) {
      const c = plans[rng.int(0, p.index - 1)];
      if (c.nature === '事业单位' && c.code && c.code === cleanCode[c.index] && !c.directInsert && !c.defects.includes('U-IN-06')) q = c;
    }
    if (!q) { p.defects = p.defects.filter((d) => d !== 'U-IN-06'); continue; }
    p.code = q.code;
    p.directInsert = true;
    addDefect(q, 'U-IN-06');
  }
  // names: U-IN-13
  for (const p of plans) {
    if (!p.defects.includes('U-IN-13')) continue;
    if (rng.chance(0.5)) p.name = `${p.name} `;
    else {
      let q: UnitPlan | null = null;
      for (let tries = 0; tries < 200 && !q; tries++) {
        const c = rng.pick(plans);
        if (c !== p && c.nature === p.nature && !c.defects.includes('U-IN-13')) q = c;
      }
      if (q) {
        p.name = q.name;
        addDefect(q, 'U-IN-13');
      } else p.name = `${p.name} `;
    }
  }

  // ---- the unit rows
  const approval = (p: UnitPlan): { no: string; date: IsoDate } => {
    const organ = p.nature !== '事业单位';
    const year = organ && rng.chance(0.7) ? 2019 : rng.int(2012, Number(today.slice(0, 4)) - 1);
    const date = clampDay(`${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`, '2012-01-01', addDays(today, -90));
    const no = organ && year === 2019 ? `柯委办发〔2019〕${rng.int(10, 99)}号` : `绍柯编〔${date.slice(0, 4)}〕${rng.int(1, 120)}号`;
    return { no, date };
  };
  const unitInputs: UnitInput[] = [];
  const cycle: number[] = [];
  if (big && plans.some((p) => p.defects.includes('U-IN-11'))) {
    // one pair of units naming each other as parent
    const cands = plans.filter((p) => isLeafInst(p) && !p.directInsert && p.code && !p.defects.includes('U-IN-11') && !conflicts(p.defects, 'U-IN-11'));
    if (cands.length >= 2) {
      const a = rng.pick(cands);
      const b = rng.pick(cands.filter((c) => c !== a));
      cycle.push(a.index, b.index);
      addDefect(a, 'U-IN-11');
      addDefect(b, 'U-IN-11');
    }
  }
  const approvals: Array<{ no: string; date: IsoDate }> = [];
  for (const p of plans) {
    const t = tpls[p.index];
    const has = (c: string) => p.defects.includes(c);
    let parentCode = p.parent != null ? plans[p.parent].code : null;
    if (has('U-IN-11')) {
      const at = cycle.indexOf(p.index);
      parentCode = at >= 0 ? plans[cycle[1 - at]].code : null;
    }
    let level: string | null = p.level;
    let funding: string | null = t.funding ?? '全额拨款';
    let category: string | null = p.nature === '事业单位' ? t.category ?? '公益一类' : null;
    if (has('U-IN-07')) {
      const r = rng.next();
      if (r < 0.4 && !['U-LD-05', 'P-ST-14'].some(has)) level = rng.pick(['科级', '正科', '']);
      else funding = rng.pick(['财政拨款', '财政全额', '']);
      if (level === '') level = null;
      if (funding === '') funding = null;
    }
    if (has('U-IN-08')) category = null;
    if (has('U-IN-09')) {
      if (category === '公益一类' || p.canGong) funding = '差额拨款';
      else { category = '生产经营类'; funding = '全额拨款'; }
    }
    const nOff = p.offices.length;
    const officesApproved = has('U-IN-12') ? nOff - 1 : nOff + (rng.chance(0.3) ? 1 : 0);
    const ap = approval(p);
    approvals.push(ap);
    const workerCap = p.workers > 0 || rng.chance(0.5)
      ? has('U-QT-05') ? Math.max(0, p.workers - rng.int(1, 2)) : p.workers + rng.int(0, 2) + Math.round(p.workers * 0.1)
      : null;
    unitInputs.push({
      code: p.code,
      name: p.name,
      parentCode,
      regionCode: '330603',
      regionName: t.region ?? '柯桥区',
      nature: p.nature,
      category,
      isCanGong: p.nature === '事业单位' ? p.canGong : null,
      level,
      funding,
      approvalNo: ap.no,
      approvalDate: ap.date,
      internalOffices: p.offices,
      internalOfficesApproved: nOff ? officesApproved : null,
      duties: null,
      annualReport: p.nature === '事业单位' ? true : null,
      workerCap,
      groupId: rng.chance(0.95) ? groupId(rng) : null,
    });
    // the ledger changed with the latest approval, sometimes later (a quota adjustment)
    p.ledgerUpdatedOn = clampDay(rng.chance(0.6) ? addDays(ap.date, rng.int(0, 20)) : addDays(ap.date, rng.int(20, 900)), ap.date, addDays(today, -1));
  }
  quotas.forEach((q, i) => { q.unitCode = plans[quotaUnit[i]].code; q.approvalNo = approvals[quotaUnit[i]].no; });
  leaderPosts.forEach((q, i) => { q.unitCode = plans[leaderPostUnit[i]].code; q.approvalNo = approvals[leaderPostUnit[i]].no; });

  // ---- users
  const users: UserInput[] = [];
  const userUnit: Array<number | null> = [];
  const officeNames = new Rng(hash32(seed, 0x05e));
  users.push({ id: 'demo-admin', name: personName(officeNames, '男'), role: '编办管理员', unitCode: null });
  const staff = officeNames.int(2, 3);
  for (let i = 1; i <= staff; i++) users.push({ id: `demo-staff-${String(i).padStart(2, '0')}`, name: personName(officeNames, officeNames.chance(0.5) ? '男' : '女'), role: '编办业务人员', unitCode: null });
  users.push({ id: 'demo-leader', name: personName(officeNames, '男'), role: '分管领导', unitCode: null });
  // The 数据安全管理员 (audit trail, monthly 排查): a fixed name, so the draws after it stay as they were.
  users.push({ id: 'demo-security', name: '沈安宁', role: '数据安全管理员', unitCode: null });
  while (userUnit.length < users.length) userUnit.push(null);
  const width = Math.max(4, String(plans.length).length);
  const specialistOf = new Map<number, string>();
  for (const p of plans) {
    if (p.code === '' && p.defects.includes('U-IN-01')) continue; // a unit without a code has no account
    const no = String(p.index + 1).padStart(width, '0');
    if (!p.defects.includes('U-PR-03')) {
      users.push({ id: `demo-zgy-${no}`, name: personName(rng, rng.chance(0.6) ? '女' : '男'), role: '单位专管员', unitCode: p.code });
      userUnit.push(p.index);
      specialistOf.set(p.index, `demo-zgy-${no}`);
    }
    users.push({ id: `demo-dwld-${no}`, name: personName(rng, rng.chance(0.7) ? '男' : '女'), role: '单位领导', unitCode: p.code });
    userUnit.push(p.index);
  }

  const internal: CountyInternal = {
    seed, today, todayMonth: cur, directives: new Map(), workerDirectives: new Map(), reservedKeys: [],
    personTable: cumulative(DEFECTS, 'person'), workerTable: cumulative(DEFECTS, 'worker'),
  };
  const county: GeneratedCounty = {
    options: { ...options }, office: DEMO_OFFICE, units: unitInputs, quotas, leaderPosts, users, unitOf: { quotas: quotaUnit, leaderPosts: leaderPostUnit, users: userUnit },
    auxiliary: { approvalDocuments: [], staffingRequests: [], selfChecks: [], monthlyReports: [], regionQuotaTotals: [], feedContracts: [] },
    plan: plans, planned: {}, internal,
  };
  const ctx: BuildContext = { county, internal };
  const aux = county.auxiliary;
  const reserved = new KeySet(1024);

  // ---- slot directives: unit-leader defects
  for (const p of plans) {
    for (const code of ['P-ST-09', 'P-ST-14', 'U-LD-05']) {
      if (!p.defects.includes(code)) continue;
      let slot = 0;
      if (code === 'U-LD-05' && p.leaders.deputies > 0 && rng.chance(0.5)) slot = p.leaders.heads;
      if (code === 'P-ST-09' && p.leaders.heads === 0) slot = 0;
      if (slotRole(p, slot).leader !== '单位正职' && slotRole(p, slot).leader !== '单位副职') { p.defects = p.defects.filter((d) => d !== code); continue; }
      internal.directives.set(slotKey(p.index, slot), { kind: 'forced', code });
    }
  }

  const staffSlots = (p: UnitPlan) => {
    const first = p.leaders.heads + p.leaders.deputies + p.leaders.midHeads + p.leaders.midDeputies;
    return { first, last: p.inQuota - 1 };
  };
  /** A free 在编 non-leader slot of a unit (null when none). */
  const freeSlot = (p: UnitPlan, r: Rng, from = 0): number | null => {
    const { first, last } = staffSlots(p);
    if (last < first) return null;
    for (let tries = 0; tries < 12; tries++) {
      const k = r.int(Math.max(first, from), last);
      if (k >= Math.max(first, from) && !internal.directives.has(slotKey(p.index, k))) return k;
    }
    return null;
  };
  const staffedUnits = plans.filter((p) => !p.directInsert && p.inQuota - (p.leaders.heads + p.leaders.deputies + p.leaders.midHeads + p.leaders.midDeputies) >= 2);
  const pickStaffed = staffedUnits.length ? picker(staffedUnits) : () => null;
  /** Reserves a clean slot and returns the person it will hold. */
  const reserve = (p: UnitPlan, k: number): BuiltPerson | null => {
    const b = buildPerson(ctx, p.index, k, null, null);
    if (b.idKey == null || !reserved.add(b.idKey)) return null;
    internal.directives.set(slotKey(p.index, k), { kind: 'reserved' });
    internal.reservedKeys.push(b.idKey);
    return b;
  };
  const pickReserved = (filter: (p: UnitPlan) => boolean = () => true, young = false): { p: UnitPlan; k: number; b: BuiltPerson } | null => {
    for (let tries = 0; tries < 40; tries++) {
      const p = pickStaffed();
      if (!p || !filter(p)) continue;
      const k = freeSlot(p, rng);
      if (k == null) continue;
      const probe = buildPerson(ctx, p.index, k, null, null);
      if (young && yearsBetween(probe.identity.birth, today) > 45) continue;
      const b = reserve(p, k);
      if (b) return { p, k, b };
    }
    return null;
  };
  const plannedCount = (code: string) => {
    const expected = DEFECT_SHARES[code] * nPeople;
    const n = Math.floor(expected) + (rng.next() < expected - Math.floor(expected) ? 1 : 0);
    return Math.max(n, nPeople >= MIN_PEOPLE_FOR_ALL && big ? 1 : 0);
  };
  const bump = (code: string) => { county.planned[code] = (county.planned[code] ?? 0) + 1; };

  // ---- P-ID-11: the same person 在编 in two units
  for (let i = plannedCount('P-ID-11'); i > 0; i--) {
    const src = pickReserved(() => true, true);
    if (!src) break;
    const q = pickStaffed();
    if (!q || q === src.p) continue;
    const k = freeSlot(q, rng);
    if (k == null) continue;
    internal.directives.set(slotKey(q.index, k), { kind: 'copy', code: 'P-ID-11', identity: { ...src.b.identity, idNumber: src.b.record.idNumber } });
    bump('P-ID-11');
  }
  // ---- P-ID-10: one person entered twice in the same unit
  for (let i = plannedCount('P-ID-10'); i > 0; i--) {
    const src = pickReserved((p) => p.inQuota >= 6);
    if (!src) break;
    const k = freeSlot(src.p, rng);
    if (k == null) continue;
    internal.directives.set(slotKey(src.p.index, k), { kind: 'copy', code: 'P-ID-10', identity: { ...src.b.identity, idNumber: src.b.record.idNumber } });
    bump('P-ID-10');
  }
  // ---- P-ID-13: same name and birth date, another ID number
  for (let i = plannedCount('P-ID-13'); i > 0; i--) {
    const src = pickReserved(() => true, true);
    if (!src) break;
    const q = pickStaffed();
    const k = q ? freeSlot(q, rng) : null;
    if (!q || k == null) continue;
    internal.directives.set(slotKey(q.index, k), { kind: 'copy', code: 'P-ID-13', identity: { ...src.b.identity } });
    bump('P-ID-13');
  }

  // ---- staffing requests: P-TM-02 / P-TM-03, and ordinary traffic
  const request = (p: UnitPlan, r: Partial<AuxStaffingRequest> & Pick<AuxStaffingRequest, 'kind' | 'status'>): void => {
    const approvedOn = r.approvedOn ?? null;
    const created = addDays(approvedOn ?? addDays(today, -rng.int(1, 20)), -rng.int(2, 12));
    aux.staffingRequests.push({
      unit: p.index, unitCode: p.code, quotaKind: null, count: 1, personIdNumber: null, expected: null, approvedOn: null,
      completedOn: null, validUntil: null, detail: null, createdAt: moment(created, rng), ...r,
    });
  };
  for (let i = plannedCount('P-TM-02'); i > 0; i--) {
    const t = pickReserved((p) => p.offices.length > 0);
    if (!t) break;
    const office = t.b.record.office ?? t.p.offices[0];
    const post = rng.chance(0.5) ? officeHeadTitle(office) : `副${officeHeadTitle(office)}`;
    request(t.p, {
      kind: '中层职数核定', status: 'approved', personIdNumber: t.b.record.idNumber, expected: `职务 ${post}`,
      approvedOn: addDays(today, -rng.int(60, 150)), detail: JSON.stringify({ field: 'posts', value: post, office }),
    });
    bump('P-TM-02');
  }
  for (let i = plannedCount('P-TM-03'); i > 0; i--) {
    const t = pickReserved();
    if (!t) break;
    const r = rng.next();
    const approvedOn = addDays(today, -rng.int(20, 60));
    if (r < 0.45) {
      const post = t.p.heads[1];
      request(t.p, { kind: '职务任免', status: 'approved', personIdNumber: t.b.record.idNumber, expected: `职务 ${post}`, approvedOn, detail: JSON.stringify({ field: 'posts', value: post }) });
    } else if (r < 0.75) {
      request(t.p, { kind: '减人出编', status: 'approved', personIdNumber: t.b.record.idNumber, quotaKind: t.b.record.quotaKind ?? null, expected: '在编状态 已出编', approvedOn, detail: JSON.stringify({ field: 'status', value: '已出编', reason: rng.pick(['调出', '辞职', '退休']) }) });
    } else {
      const to = t.b.record.postCategory === '专业技术岗位' ? '管理岗位' : '专业技术岗位';
      request(t.p, { kind: '岗位调整', status: 'approved', personIdNumber: t.b.record.idNumber, expected: `岗位类别 ${to}`, approvedOn, detail: JSON.stringify({ field: 'postCategory', value: to }) });
    }
    bump('P-TM-03');
  }
  // approved within their grace period (no finding yet), and completed history
  for (let i = Math.max(1, Math.round(nPeople * 0.0005)); i > 0 && nPeople >= 50; i--) {
    const t = pickReserved((p) => p.offices.length > 0);
    if (!t) break;
    const post = officeHeadTitle(t.b.record.office ?? t.p.offices[0]);
    request(t.p, { kind: '中层职数核定', status: 'approved', personIdNumber: t.b.record.idNumber, expected: `职务 副${post}`, approvedOn: addDays(today, -rng.int(1, 10)), detail: JSON.stringify({ field: 'posts', value: `副${post}` }) });
  }
  for (const p of plans) {
    if (p.leaders.heads > 0 && rng.chance(0.08)) {
      const b = buildPerson(ctx, p.index, 0, null, null);
      if (b.idKey != null && !internal.directives.has(slotKey(p.index, 0)) && reserved.add(b.idKey)) {
        internal.directives.set(slotKey(p.index, 0), { kind: 'reserved' });
        internal.reservedKeys.push(b.idKey);
        const approvedOn = b.record.currentPostSince ?? addDays(today, -400);
        request(p, { kind: '职务任免', status: 'completed', personIdNumber: b.record.idNumber, expected: `职务 ${p.heads[0]}`, approvedOn: addDays(approvedOn, -rng.int(5, 20)), completedOn: approvedOn, detail: JSON.stringify({ field: 'posts', value: p.heads[0] }) });
      }
    }
    if (p.leaders.heads + p.leaders.deputies > 0 && rng.chance(0.05)) {
      request(p, { kind: '领导职数使用', status: 'completed', count: 1, approvedOn: addDays(today, -rng.int(100, 700)), completedOn: addDays(today, -rng.int(30, 90)) });
    }
  }
  // 用编计划: ordinary ones fit the vacancies; U-QT-03 more than the vacancies; U-QT-07 expired
  for (const p of plans) {
    const has = (c: string) => p.defects.includes(c);
    const kind = p.kinds[0]?.kind;
    if (!kind) continue;
    const vac = (vacancyOf.get(p.index)?.get(kind) ?? 0) - p.pending;
    if (has('U-QT-03')) {
      request(p, { kind: '用编计划', status: 'approved', quotaKind: kind, count: Math.max(1, vac + rng.int(1, 2)), approvedOn: addDays(today, -rng.int(10, 60)), validUntil: addDays(today, rng.int(60, 150)) });
    } else if (!has('U-QT-01') && !has('U-QT-02') && vac >= 2 && rng.chance(0.1)) {
      request(p, { kind: '用编计划', status: 'approved', quotaKind: kind, count: rng.int(1, Math.min(3, vac - 1)), approvedOn: addDays(today, -rng.int(10, 120)), validUntil: addDays(today, rng.int(30, 150)) });
    }
    if (has('U-QT-07')) {
      const approvedOn = addDays(today, -rng.int(200, 400));
      request(p, { kind: '用编计划', status: 'approved', quotaKind: kind, count: 1, approvedOn, validUntil: addDays(approvedOn, 180) });
    }
    if (rng.chance(0.06)) {
      const approvedOn = addDays(today, -rng.int(120, 700));
      request(p, { kind: '用编计划', status: 'completed', quotaKind: kind, count: rng.int(1, 3), approvedOn, validUntil: addDays(approvedOn, 180), completedOn: addDays(approvedOn, rng.int(30, 150)) });
    }
    if (rng.chance(0.02)) request(p, { kind: '增人入编', status: 'submitted', quotaKind: kind, count: 1 });
  }

  // ---- approval documents (U-IN-10: a newer document than the ledger)
  for (const p of plans) {
    const ap = approvals[p.index];
    aux.approvalDocuments.push({ unit: p.index, unitCode: p.code, docNo: ap.no, issuedOn: ap.date, subject: p.nature === '事业单位' ? `关于${p.name.trim()}机构编制事项的批复` : `${p.name.trim()}职能配置、内设机构和人员编制规定` });
    if (p.defects.includes('U-IN-10')) {
      const latest = addDays(today, -rng.int(20, 120));
      p.ledgerUpdatedOn = clampDay(addDays(latest, -rng.int(30, 600)), '2012-01-01', addDays(latest, -1));
      aux.approvalDocuments.push({ unit: p.index, unitCode: p.code, docNo: `绍柯编〔${latest.slice(0, 4)}〕${rng.int(121, 180)}号`, issuedOn: latest, subject: `关于调整${p.name.trim()}内设机构和领导职数的批复` });
    }
  }

  // ---- self-checks: this month and last month; U-PR-01 units fewer than 2 this month
  const monthStart = `${today.slice(0, 7)}-01`;
  const lastMonth = monthFromIndex(cur - 1);
  for (const p of plans) {
    const user = specialistOf.get(p.index);
    if (!user) continue;
    const short = p.defects.includes('U-PR-01');
    const nThis = short ? rng.int(0, 1) : rng.int(2, 4);
    const span = Math.max(0, daysBetween(monthStart, today));
    for (let i = 0; i < nThis; i++) aux.selfChecks.push({ unit: p.index, unitCode: p.code, userId: user, at: moment(addDays(monthStart, rng.int(0, span)), rng), findings: rng.int(0, 4) });
    const nLast = short ? rng.int(1, 2) : rng.int(2, 4);
    for (let i = 0; i < nLast; i++) aux.selfChecks.push({ unit: p.index, unitCode: p.code, userId: user, at: moment(`${lastMonth}-${String(rng.int(1, 28)).padStart(2, '0')}`, rng), findings: rng.int(0, 6) });
  }
  aux.selfChecks.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.unit - b.unit));

  // ---- monthly reports: the last three months, due on the 5th of the month after
  for (const p of plans) {
    for (let back = 3; back >= 1; back--) {
      const month = monthFromIndex(cur - back);
      const dueOn = `${monthFromIndex(cur - back + 1)}-05`;
      let confirmedOn: IsoDate | null = addDays(dueOn, -rng.int(0, 4));
      if (back === 1 && p.defects.includes('U-PR-02')) confirmedOn = null;
      else if (p.defects.includes('U-PR-02') && rng.chance(0.5)) confirmedOn = addDays(dueOn, rng.int(1, 6));
      if (confirmedOn && confirmedOn > today) confirmedOn = back === 1 && dueOn >= today ? null : today;
      aux.monthlyReports.push({ unit: p.index, unitCode: p.code, month, dueOn, confirmedOn });
    }
  }

  // ---- region totals: every kind covered, 行政编制 below Σ核定 (U-QT-06)
  const sums = new Map<string, number>();
  for (const q of quotas) sums.set(q.kind, (sums.get(q.kind) ?? 0) + q.approved);
  // 政法专项编制 is allocated centrally and a county exceeding it is a classic; the finding lands
  // on every unit holding the kind, so a kind held by few units keeps the demo readable.
  const overKind = (sums.get('政法专项编制') ?? 0) > 3 ? '政法专项编制' : '行政编制';
  for (const [kind, sum] of [...sums].sort()) {
    const over = kind === overKind && sum > 3;
    aux.regionQuotaTotals.push({ regionCode: '330603', kind, approved: over ? sum - rng.int(2, Math.max(2, Math.min(8, Math.round(sum * 0.02)))) : sum + Math.max(2, Math.round(sum * (0.02 + rng.next() * 0.05))) });
    if (over) county.planned['U-QT-06'] = 1;
  }

  // ---- feed contracts (W-07): registered workers' contracts, plus unregistered ones
  for (const p of plans) {
    if (p.workers > 0 && rng.chance(0.2)) {
      const w = buildWorker(ctx, p.index, 0, null);
      if (w.idKey != null && reserved.add(w.idKey)) {
        internal.workerDirectives.set(slotKey(p.index, 0), { kind: 'reserved' });
        internal.reservedKeys.push(w.idKey);
        aux.feedContracts.push({ unit: p.index, unitCode: p.code, idNumber: w.record.idNumber, name: w.record.name, signedOn: w.record.firstContractOn ?? addDays(today, -100), source: rng.pick(['人社劳动合同备案', '劳务派遣公司报送']) });
      }
    }
    const missing = p.defects.includes('W-07') ? rng.int(1, 2) : 0;
    const fresh = p.size > 0 && rng.chance(0.01) ? 1 : 0; // signed two days ago: still within the 5 working days
    for (let i = 0; i < missing + fresh; i++) {
      const fr = new Rng(hash32(seed, p.index, i, 0xfeed));
      const gender: '男' | '女' = fr.chance(0.5) ? '男' : '女';
      const birth = birthForAge(fr, today, fr.int(21, 45));
      let parts = drawIdParts(fr, gender, birth);
      while (!reserved.add(packId(parts))) parts = { ...parts, seq: nextSeq(parts.seq) };
      internal.reservedKeys.push(packId(parts));
      aux.feedContracts.push({
        unit: p.index, unitCode: p.code, idNumber: idFromParts(parts), name: personName(fr, gender),
        signedOn: i < missing ? addDays(today, -fr.int(12, 60)) : addDays(today, -1), source: fr.pick(['人社劳动合同备案', '工资统发系统', '劳务派遣公司报送']),
      });
    }
  }

  // ---- forced person and worker defects: every rule at least once in a county this big
  if (big && nPeople >= MIN_PEOPLE_FOR_ALL) {
    for (const { code } of internal.personTable) {
      for (let tries = 0; tries < 60; tries++) {
        const p = pickStaffed();
        if (!p) break;
        const k = freeSlot(p, rng);
        if (k == null || !personDefectEligible(code, p, slotRole(p, k))) continue;
        internal.directives.set(slotKey(p.index, k), { kind: 'forced', code });
        break;
      }
    }
    const withWorkers = plans.filter((p) => p.workers >= 2 && !p.directInsert);
    const pickWithWorkers = withWorkers.length ? picker(withWorkers) : null;
    for (const { code } of internal.workerTable) {
      if (!pickWithWorkers) break;
      for (let tries = 0; tries < 20; tries++) {
        const p = pickWithWorkers();
        const j = rng.int(1, p.workers - 1);
        if (internal.workerDirectives.has(slotKey(p.index, j))) continue;
        internal.workerDirectives.set(slotKey(p.index, j), { kind: 'forced', code });
        break;
      }
    }
  }

  for (const p of plans) for (const d of p.defects) if (!d.startsWith('P-') && d !== 'W-07') bump(d);
  for (const p of plans) {
    if (p.defects.includes('W-07')) bump('W-07');
    for (const d of ['P-ST-09', 'P-ST-14']) if (p.defects.includes(d)) bump(d);
  }
  return county;
}

// ---------------------------------------------------------------------------------------------
// The stream

/**
 * People and workers of the county, unit by unit (people first, then workers), one record at a
 * time. Holds no records: only an 8-byte-per-ID duplicate guard. `opts`, when given, must agree
 * with the county's own options.
 */
export function* generatePeople(county: GeneratedCounty, opts?: Partial<Pick<CountyOptions, 'people' | 'seed' | 'today'>>): Generator<GeneratedRecord> {
  const o = county.options;
  if (opts) {
    for (const k of ['people', 'seed', 'today'] as const) {
      if (opts[k] !== undefined && opts[k] !== o[k]) throw new Error(`generatePeople: ${k} (${opts[k]}) 与 generateCounty 的 ${k} (${o[k]}) 不一致`);
    }
  }
  const internal = county.internal;
  const ctx: BuildContext = { county, internal };
  const guard = new KeySet(Math.round(o.people * 1.3) + internal.reservedKeys.length + 1024);
  for (const k of internal.reservedKeys) guard.add(k);
  /** The rule a record draws: the shares are scaled by the unit's sloppiness. */
  const drawCode = (table: Array<{ code: string; upTo: number }>, r: number, factor: number): string | null => {
    const x = r / factor;
    const total = table.length ? table[table.length - 1].upTo : 0;
    if (x >= total) return null;
    for (const t of table) if (x < t.upTo) return t.code;
    return null;
  };
  /** Keeps an ID number unique: moves the sequence code on while the body is taken. */
  const unique = (b: { record: { idNumber: string }; parts: IdParts | null; idKey: number | null }): void => {
    if (b.idKey == null || !b.parts) return;
    if (guard.add(b.idKey)) return;
    const parts = b.parts;
    const tail = b.record.idNumber.slice(17);
    const checkWasRight = tail === idFromParts(parts).slice(17);
    do parts.seq = nextSeq(parts.seq); while (!guard.add(packId(parts)));
    const id = idFromParts(parts);
    b.record.idNumber = checkWasRight ? id : id.slice(0, 17) + tail;
    b.idKey = packId(parts);
  };

  for (const plan of county.plan) {
    const u = plan.index;
    let emptyIdUsed = false;
    const L = plan.leaders;
    const eligible = Math.max(1, plan.inQuota - L.heads - L.deputies - L.midHeads - L.midDeputies);
    const personFactor = plan.sloppiness * (plan.size / eligible);
    for (let k = 0; k < plan.size; k++) {
      const d = internal.directives.get(slotKey(u, k));
      const role = slotRole(plan, k);
      let built: BuiltPerson;
      if (d?.kind === 'reserved') {
        built = buildPerson(ctx, u, k, null, null); // registered already
      } else if (d?.kind === 'copy') {
        built = buildPerson(ctx, u, k, null, d.identity);
        built.defects = [d.code];
        if (d.code === 'P-ID-13') unique(built);
      } else {
        let code: string | null = d?.kind === 'forced' ? d.code : null;
        if (!code && role.status === '在编' && !role.leader) {
          const r = new Rng(hash32(o.seed, u, k, 0xde)).next();
          code = drawCode(internal.personTable, r, personFactor);
          if (code && !personDefectEligible(code, plan, role)) code = null;
        }
        if (code === 'P-ID-01' && (emptyIdUsed || plan.directInsert)) code = 'P-ID-02';
        built = buildPerson(ctx, u, k, code, null);
        if (built.defects.includes('P-ID-01')) emptyIdUsed = true;
        if (built.idKey != null) unique(built);
        else if (built.parts && built.defects.some((x) => ID_DEFECTS.has(x)) && !guard.add(packId(built.parts))) {
          // the body of a deliberately mis-written number is taken (rare in a big county): the
          // person stays clean rather than become an unplanned duplicate
          built = buildPerson(ctx, u, k, null, null);
          unique(built);
        }
      }
      const directInsert = plan.directInsert || (d?.kind === 'copy' && d.code === 'P-ID-10');
      yield { type: 'person', unit: u, slot: k, person: built.record, defects: built.defects, directInsert };
    }
    for (let j = 0; j < plan.workers; j++) {
      const d = internal.workerDirectives.get(slotKey(u, j));
      let code: string | null = d?.kind === 'forced' ? d.code : null;
      if (!d) code = drawCode(internal.workerTable, new Rng(hash32(o.seed, u, j, 0xdf)).next(), plan.sloppiness);
      const w = buildWorker(ctx, u, j, code);
      if (d?.kind !== 'reserved') {
        if (w.idKey != null) unique(w);
        else if (w.parts) guard.add(packId(w.parts));
      }
      yield { type: 'worker', unit: u, slot: j, worker: w.record, defects: w.defects, directInsert: plan.directInsert };
    }
  }
}

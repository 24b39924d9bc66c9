// Record builders for the rule tests: a fully valid, clean baseline that no rule flags, and a
// helper that runs one rule the way core/check.ts does (defaults merged with overrides).

import { createCalendar, type WorkdayCalendar } from '../calendar.ts';
import { idCheckChar, idFacts } from '../idnumber.ts';
import type { IsoDate, PersonCross, PersonRecord, UnitAggregates, UnitRecord, WorkerRecord } from '../model.ts';
import type { Hit, OfficeSettings, Rule, RuleContext } from './define.ts';

/** The day the baseline records are clean on (a Monday and a working day). */
export const BASE_DATE: IsoDate = '2025-06-16';

const calendar: WorkdayCalendar = createCalendar();
export function testCalendar(): WorkdayCalendar {
  return calendar;
}

/** A valid 18-character ID number: `birth` as YYYYMMDD, gender by the parity of the 17th digit. */
export function makeIdNumber(birth: string, gender: '男' | '女' = '男', area = '330603', seq = '12'): string {
  const body = area + birth + seq + (gender === '男' ? '3' : '4');
  return body + idCheckChar(body);
}

export type PersonOverrides = Partial<Omit<PersonRecord, 'cross'>> & { cross?: Partial<PersonCross>; idNumber?: string | null };

export function makePerson(o: PersonOverrides = {}): PersonRecord {
  const { idNumber, cross, ...rest } = o;
  return {
    id: 1,
    unitId: 1,
    idFacts: idFacts(idNumber === undefined ? makeIdNumber('19850315', '男') : idNumber, BASE_DATE),
    name: '张三',
    gender: '男',
    ethnicity: '汉族',
    birthDate: '1985-03-15',
    office: '办公室',
    status: '在编',
    quotaKind: '行政编制',
    posts: '科员',
    leaderLevel: '非领导',
    rank: '一级主任科员',
    postCategory: null,
    title: null,
    dutyStatus: '在岗',
    dutyStatusSince: null,
    enteredOn: '2008-08-01',
    workStartOn: '2008-07-01',
    currentPostSince: '2019-06-01',
    education: '大学本科',
    identity: '干部',
    lateRetireUntil: null,
    politics: '中共党员',
    ...rest,
    cross: { sameIdInUnit: 0, otherQuotaUnits: 0, sameNameBirthOtherIds: 0, pendingChanges: [], ...cross },
  };
}

export function makeAggregates(o: Partial<UnitAggregates> = {}): UnitAggregates {
  return {
    onQuotaByKind: { 行政编制: 8 },
    inTransitByKind: {},
    leadersByLevel: { 单位正职: 1, 单位副职: 2, 中层正职: 3, 中层副职: 2 },
    overLevelLeaders: 0,
    people: 9,
    workers: 3,
    sameCodeUnits: 0,
    sameNameUnits: 0,
    inCycle: false,
    latestApprovalDate: '2023-03-01',
    selfChecksThisMonth: 2,
    specialists: 1,
    monthlyReport: { month: '2025-05', dueOn: '2025-06-10', confirmedOn: '2025-06-05' },
    expiredPlans: 0,
    unregisteredContracts: [],
    regionOverTotal: [],
    ...o,
  };
}

export type UnitOverrides = Partial<Omit<UnitRecord, 'agg'>> & { agg?: Partial<UnitAggregates> };

/** A 政府机关 at 正处级 in 柯桥区 with a valid 11-prefixed credit code. */
export function makeUnit(o: UnitOverrides = {}): UnitRecord {
  const { agg, ...rest } = o;
  return {
    id: 1,
    code: '11330603002482189K',
    name: '绍兴市柯桥区示例局',
    parentId: 100,
    parentCode: '11330603MB0000000X',
    regionCode: '330603',
    regionName: '柯桥区',
    nature: '政府机关',
    category: null,
    isCanGong: false,
    level: '正处级',
    funding: '全额拨款',
    approvalNo: '绍柯编〔2023〕12号',
    approvalDate: '2023-03-01',
    internalOffices: ['办公室', '综合科', '业务科'],
    internalOfficesApproved: 3,
    workerCap: 10,
    groupId: null,
    ledgerUpdatedOn: '2023-03-05',
    quotas: { 行政编制: 10 },
    leaderPosts: { 单位正职: 1, 单位副职: 2, 中层正职: 3, 中层副职: 3 },
    ...rest,
    agg: makeAggregates(agg),
  };
}

export type WorkerOverrides = Partial<WorkerRecord> & { idNumber?: string | null };

export function makeWorker(o: WorkerOverrides = {}): WorkerRecord {
  const { idNumber, ...rest } = o;
  return {
    id: 1,
    unitId: 1,
    idFacts: idFacts(idNumber === undefined ? makeIdNumber('19900601', '女') : idNumber, BASE_DATE),
    name: '李四',
    gender: '女',
    postClass: '窗口服务类',
    postName: '窗口受理员',
    employment: '劳务派遣',
    firstContractOn: '2015-03-01',
    alsoOnQuota: false,
    ...rest,
  };
}

export const TEST_OFFICE: OfficeSettings = { regionCode: '330603' };

export function makeCtx(date: IsoDate = BASE_DATE, extra: { params?: Record<string, unknown>; unit?: UnitRecord | null; office?: OfficeSettings } = {}): RuleContext & { unit: UnitRecord | null } {
  return { date, calendar, params: extra.params ?? {}, office: extra.office ?? TEST_OFFICE, unit: extra.unit === undefined ? null : extra.unit };
}

/**
 * Runs one rule on a record as core/check.ts does: the rule's default params merged with
 * `params`; person and worker rules see `unit` (the baseline unit unless given). Always an array.
 */
export function runRule(rule: Rule, record: unknown, opts: { date?: IsoDate; unit?: UnitRecord | null; params?: Record<string, unknown>; office?: OfficeSettings } = {}): Hit[] {
  const unit = rule.scope === 'unit' ? null : opts.unit === undefined ? makeUnit() : opts.unit;
  const ctx = makeCtx(opts.date ?? BASE_DATE, { params: { ...(rule.params as object), ...opts.params }, unit, office: opts.office });
  const r = (rule.check as (r: unknown, c: unknown) => Hit | Hit[] | null)(record, ctx);
  return r == null ? [] : Array.isArray(r) ? r : [r];
}

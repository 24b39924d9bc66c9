// The normalised records every rule reads. Built by db/ from stored rows (and by the mini-app
// from a form), never holding a plain ID number: what rules need of it is in `IdFacts`,
// derived once when the record is written (see core/idnumber.ts).

/** Dates are ISO strings: 'YYYY-MM-DD', or 'YYYY-MM' where only the month is known. */
export type IsoDate = string;

export type Light = 'green' | 'yellow' | 'red';
/**
 * A finding's light: a unit's three colours, or 提示 for an open finding of an S3 rule (a hint
 * informs and has no fix window: never yellow or red, never counted in a unit's light).
 */
export type FindingLight = Light | 'hint';
export type Severity = 'S1' | 'S2' | 'S3';
export type Scope = 'person' | 'unit' | 'worker';

/** What the rules may know of an ID number without seeing it. */
export interface IdFacts {
  /** '18' valid shape, '15' legacy digits, 'bad' any other shape, 'empty' none. */
  kind: '18' | '15' | 'bad' | 'empty';
  /** MOD 11-2 check character correct (18-character numbers only). */
  checkOk: boolean;
  /** The check character the body calls for, when the shape allows computing it. */
  expectedCheck: string | null;
  /** Birth date encoded in the number, when it is a real calendar date. */
  birth: IsoDate | null;
  /** The encoded birth digits are not a real date. */
  birthInvalid: boolean;
  /** Gender by the parity of the sequence code. */
  gender: '男' | '女' | null;
  /** First two digits are a province code. */
  provinceOk: boolean;
  /** Written irregularly (lower-case x, full-width digits, spaces) and normalised on entry. */
  irregular: boolean;
  /** Masked form for display: 330602***********4 (core/idnumber.ts maskId). */
  masked: string;
}

export interface UnitRecord {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
  parentCode: string | null;
  regionCode: string | null;
  regionName: string | null;
  nature: string | null;
  category: string | null;
  isCanGong: boolean | null;
  level: string | null;
  funding: string | null;
  approvalNo: string | null;
  approvalDate: IsoDate | null;
  internalOffices: string[];
  internalOfficesApproved: number | null;
  workerCap: number | null;
  groupId: string | null;
  /** When the unit's own ledger (institution, quota, leader-post rows) last changed. */
  ledgerUpdatedOn: IsoDate | null;
  /** 核定数 by 编制类型. */
  quotas: Record<string, number>;
  /** 核定数 by 职数类型. */
  leaderPosts: Record<string, number>;
  /** Grouped facts from the roster, supplied by db/ (one aggregate query per family). */
  agg: UnitAggregates;
}

export interface UnitAggregates {
  /** 在编 people by 使用编制类型. */
  onQuotaByKind: Record<string, number>;
  /** 待入编 people plus approved, unfinished 增人入编 / 用编计划 counts, by 编制类型 (在途). */
  inTransitByKind: Record<string, number>;
  /** People (在编) holding each 领导职务层次. */
  leadersByLevel: Record<string, number>;
  /** People holding a leader level whose rank suggests a post above the unit's 规格. */
  overLevelLeaders: number;
  /** People on the roster in any status other than 已出编. */
  people: number;
  /** Non-quota workers registered. */
  workers: number;
  /** Other units carrying the same credit code. */
  sameCodeUnits: number;
  /** Other units in the same region with the same name. */
  sameNameUnits: number;
  /** The parent chain loops back to this unit. */
  inCycle: boolean;
  /** Latest approval document registered for the unit (U-IN-10). */
  latestApprovalDate: IsoDate | null;
  /** Self-checks recorded this month. */
  selfChecksThisMonth: number;
  /** Users with role 单位专管员 for the unit. */
  specialists: number;
  /** The unit's monthly report for the previous month: due date and confirmation, if any. */
  monthlyReport: { month: string; dueOn: IsoDate; confirmedOn: IsoDate | null } | null;
  /** Approved 用编计划 past their validity and not used. */
  expiredPlans: number;
  /** Contracts reported by the HR/payroll feed and not registered as 编外人员 (W-07). */
  unregisteredContracts: Array<{ key: string; name: string; idMasked: string; signedOn: IsoDate }>;
  /** Region totals exceeded for a 编制类型 (U-QT-06), with Σ核定 and the area total. */
  regionOverTotal: Array<{ kind: string; sum: number; total: number }>;
  /** The other departments' rosters against this unit's (X-SI-02, X-PY-01, X-OR-02); absent = no feed. */
  feeds?: UnitFeedFacts;
  /** The latest snapshot of the unit's county against the city's copy (X-RG-01); absent without one. */
  countyCopy?: CountyCopyFacts;
}

/**
 * 市县贯通 (X-RG-01): a county's latest signed snapshot as it concerns one of the city's units,
 * matched by the unit's credit code and by the people's ID hash (db/snapshots.ts).
 */
export interface CountyCopyFacts {
  region: string;
  month: string;
  /** The county's copy of this unit (its 核定 by 编制类型 and its 领导职数 by kind), or null when the county's copy lacks it. */
  unit: { quotas: Record<string, number>; leaderPosts: Record<string, number> } | null;
  /** The city's people of this unit (not 已出编), each with the county's row of the same ID (null: the county's copy lacks it). */
  people: Array<{ personId: number; name: string; idMasked: string | null; status: string | null; quotaKind: string | null; county: { unitCode: string | null; unitName: string | null; status: string | null; quotaKind: string | null } | null }>;
  /** People (not 已出编) the county's copy puts in this unit whose ID is on none of the city's live rows of the county. */
  onlyInCounty: Array<{ name: string; idMasked: string | null; status: string | null; quotaKind: string | null }>;
}

export interface PersonRecord {
  id: number;
  unitId: number;
  idFacts: IdFacts;
  name: string;
  gender: string | null;
  ethnicity: string | null;
  birthDate: IsoDate | null;
  office: string | null;
  status: string | null;
  quotaKind: string | null;
  posts: string | null;
  leaderLevel: string | null;
  rank: string | null;
  postCategory: string | null;
  title: string | null;
  dutyStatus: string | null;
  dutyStatusSince: IsoDate | null;
  enteredOn: IsoDate | null;
  workStartOn: IsoDate | null;
  currentPostSince: IsoDate | null;
  education: string | null;
  identity: string | null;
  lateRetireUntil: IsoDate | null;
  politics: string | null;
  /** Cross-row facts supplied by db/ (grouped queries); zero when nothing is known. */
  cross: PersonCross;
}

export interface PersonCross {
  /** Other rows in the same unit with the same ID number (P-ID-10). */
  sameIdInUnit: number;
  /** Other units where the same ID number is 在编 (P-ID-11), counted only when this row is 在编. */
  otherQuotaUnits: number;
  /** Other ID numbers with the same name and birth date (P-ID-13). */
  sameNameBirthOtherIds: number;
  /** Approved requests naming the person whose effect is not on the roster (P-TM-02/03). */
  pendingChanges: Array<{ kind: string; approvedOn: IsoDate; expected: string }>;
  /** What the other departments' rosters say of this ID number (X-SI, X-PY, X-OR, X-ED); absent = nothing to compare. */
  feeds?: PersonFeedFacts;
}

/**
 * The facts of one ID number in the other departments' current rosters (domain.md §5.9), matched
 * by the keyed hash. A feed never imported is null: its rules stay silent.
 */
export interface PersonFeedFacts {
  /** 社保: the current month; whether the person's unit lists them as 参保 or 暂停; a pensioner's status anywhere. */
  si: { month: string; inUnitRoster: boolean; pensionStatus: string | null } | null;
  /**
   * 工资统发: the latest imported months (up to 3, newest first), whether any of them paid the
   * person, and the units that paid them in the newest month (resolved units only).
   */
  payroll: { months: string[]; paidInMonths: boolean; latestPayUnits: Array<{ unitId: number; name: string }> } | null;
  /** 组织部任免: the latest 任职 document naming the person (by document date), null when none or never imported. */
  appointment: { post: string | null; rank: string | null; docNo: string | null; docDate: string } | null;
  /** 编外 registrations (workers) with the same ID number, in any unit (X-ED-01). */
  workerRegistrations: number;
}

/** A person the feeds name in a unit who is not on the unit's roster (X-SI-02, X-PY-01, X-OR-02). */
export interface FeedSubject {
  /** Separates the people in the unit: the masked ID and the name as the feed gives them (never the hash). */
  key: string;
  name: string;
  idMasked: string | null;
}

export interface UnitFeedFacts {
  /** 社保 rows of the unit (参保/暂停) whose ID is neither on the 实名制 roster (any status but 已出编) nor on the 编外 roster of the unit (X-SI-02). */
  siUnregistered: Array<FeedSubject & { status: string; month: string }>;
  /** Paid in the newest payroll month by the unit, with no live (not 已出编) roster row anywhere (X-PY-01). */
  paidWithoutRecord: Array<FeedSubject & { month: string; amount: number | null }>;
  /** 任职 documents of the unit, with the approval dates of the unit's 领导职数使用 requests (X-OR-02). */
  appointments: Array<FeedSubject & { post: string | null; rank: string | null; docNo: string | null; docDate: string | null }>;
  /** approved_on of the unit's approved (or completed) 领导职数使用 requests. */
  leaderApprovals: string[];
}

export interface WorkerRecord {
  id: number;
  unitId: number;
  idFacts: IdFacts;
  name: string;
  gender: string | null;
  postClass: string | null;
  postName: string | null;
  employment: string | null;
  firstContractOn: IsoDate | null;
  /** The same ID is also on the quota roster (for later cross-system checks). */
  alsoOnQuota: boolean;
}


// The records as they come in (from a sheet row, a mini-app form or the demo generator), with
// English field names. Values are already typed: text trimmed, dates ISO, integers numbers.
// core/sheets.ts maps the Chinese columns of the import workbook onto these.

import type { IsoDate } from './model.ts';

export interface UnitInput {
  code: string;
  name: string;
  parentCode?: string | null;
  regionCode: string;
  regionName?: string | null;
  nature?: string | null;
  category?: string | null;
  isCanGong?: boolean | null;
  level?: string | null;
  funding?: string | null;
  approvalNo?: string | null;
  approvalDate?: IsoDate | null;
  internalOffices?: string[];
  internalOfficesApproved?: number | null;
  duties?: string | null;
  annualReport?: boolean | null;
  workerCap?: number | null;
  groupId?: string | null;
  extra?: Record<string, string> | null;
}

export interface QuotaInput {
  unitCode: string;
  kind: string;
  approved: number;
  approvalNo?: string | null;
}

export interface LeaderPostInput {
  unitCode: string;
  kind: string;
  approved: number;
  approvalNo?: string | null;
}

export interface PersonInput {
  unitCode: string;
  /**
   * The stored unit, when the caller knows it (an edit of an existing row): credit codes may be
   * shared by two units (U-IN-06), and the edit must land on the row it was made to.
   */
  unitId?: number;
  /** As entered: normalised and encrypted by db/, never stored in clear. */
  idNumber: string;
  name: string;
  gender?: string | null;
  ethnicity?: string | null;
  birthDate?: IsoDate | null;
  office?: string | null;
  status?: string | null;
  quotaKind?: string | null;
  posts?: string | null;
  leaderLevel?: string | null;
  rank?: string | null;
  postCategory?: string | null;
  title?: string | null;
  dutyStatus?: string | null;
  dutyStatusSince?: IsoDate | null;
  enteredOn?: IsoDate | null;
  workStartOn?: IsoDate | null;
  currentPostSince?: IsoDate | null;
  education?: string | null;
  identity?: string | null;
  lateRetireUntil?: IsoDate | null;
  politics?: string | null;
  extra?: Record<string, string> | null;
}

export interface WorkerInput {
  unitCode: string;
  idNumber: string;
  name: string;
  gender?: string | null;
  postClass?: string | null;
  postName?: string | null;
  employment?: string | null;
  firstContractOn?: IsoDate | null;
  extra?: Record<string, string> | null;
}

export interface UserInput {
  id: string;
  name: string;
  role: string;
  unitCode?: string | null;
  mobile?: string | null;
  /** 所属区划 of an office role: a county's code scopes it to that county; empty = the whole deployment. Unit roles: ignored. */
  regionCode?: string | null;
}

/** A whole workbook's worth of records, in the order they are stored. */
export interface DataSet {
  units: UnitInput[];
  quotas: QuotaInput[];
  leaderPosts: LeaderPostInput[];
  people: PersonInput[];
  workers: WorkerInput[];
  users: UserInput[];
}

// 首录负责制 (ningbo-data-regulation art. 22): the answer shapes of who first entered a record and
// who last changed it (db/provenance.ts reads them from record_versions; the mini-app's record
// forms and the unit portrait show them: miniapp/src/record/Provenance.tsx). Written once here.

export type ProvenanceEntity = 'person' | 'worker' | 'unit';

export interface VersionMark {
  /** The user's account (userid), or 'system'. */
  by: string;
  /** The user's name; 系统导入 for changes made by the system. */
  name: string;
  /** The user's role when known (null for the system or a user since removed). */
  role: string | null;
  at: string;
  /** 导入：文件名, 小程序修改, 审批：编号, 演示数据… */
  source: string;
  version: number;
}

export interface Provenance {
  first: VersionMark | null;
  last: VersionMark | null;
}

/** Who entered how many of a unit's people records, from which source, between which moments. */
export interface UnitEntrant { by: string; name: string; role: string | null; source: string; count: number; since: string; until: string }

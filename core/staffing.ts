// Staffing arithmetic (domain.md §7): 核定, 实有, 在途, 空编, 超编, per unit and kind, and the
// area's gross and net figures. Net 空编 nets over-staffed units against vacant ones; gross does not.

export interface QuotaLine {
  kind: string;
  /** 核定编制数 */
  approved: number;
  /** 实有在编人数 */
  actual: number;
  /** 在途: approved (用编计划 / 增人入编 / 待入编) but not yet entered */
  inTransit: number;
}

export interface QuotaFigures extends QuotaLine {
  /** 空编数 = max(0, 核定 − 实有) */
  vacant: number;
  /** 超编数 = max(0, 实有 − 核定) */
  over: number;
  /** 可申请数 / 可使用数 = max(0, 核定 − 实有 − 在途) */
  available: number;
  /** 空编率 = 空编 / 核定 (null when 核定 is 0) */
  vacancyRate: number | null;
  /** 饱和度 = 实有 / 核定 (null when 核定 is 0) */
  saturation: number | null;
  full: boolean;
}

export function quotaFigures(line: QuotaLine): QuotaFigures {
  const { approved, actual, inTransit } = line;
  return {
    ...line,
    vacant: Math.max(0, approved - actual),
    over: Math.max(0, actual - approved),
    available: Math.max(0, approved - actual - inTransit),
    vacancyRate: approved > 0 ? Math.max(0, approved - actual) / approved : null,
    saturation: approved > 0 ? actual / approved : null,
    full: approved > 0 && actual === approved,
  };
}

export interface AreaFigures {
  approved: number;
  actual: number;
  inTransit: number;
  /** Σ per-unit 空编 */
  grossVacant: number;
  /** Σ per-unit 超编 */
  grossOver: number;
  /** Σ核定 − Σ实有, what reports usually call 空编数 (may hide over-staffed units) */
  netVacant: number;
  netVacancyRate: number | null;
  overUnits: number;
  fullUnits: number;
}

/** Sums unit lines (one per unit and kind, or one per unit in total) into area figures. */
export function areaFigures(lines: QuotaLine[]): AreaFigures {
  const a: AreaFigures = { approved: 0, actual: 0, inTransit: 0, grossVacant: 0, grossOver: 0, netVacant: 0, netVacancyRate: null, overUnits: 0, fullUnits: 0 };
  for (const l of lines) {
    const f = quotaFigures(l);
    a.approved += l.approved;
    a.actual += l.actual;
    a.inTransit += l.inTransit;
    a.grossVacant += f.vacant;
    a.grossOver += f.over;
    if (f.over > 0) a.overUnits++;
    if (f.full) a.fullUnits++;
  }
  a.netVacant = a.approved - a.actual;
  a.netVacancyRate = a.approved > 0 ? a.netVacant / a.approved : null;
  return a;
}

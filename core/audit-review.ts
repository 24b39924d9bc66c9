// The monthly 排查 of the audit trail (ningbo art. 17: 数据安全管理员 月排查): per user and month,
// how many full ID numbers they viewed, how many exports they made and how many rows those
// exports held, how often their login was refused, and how many acts fell outside working hours;
// and which of those are unusual, by one rule stated here (and in README and every summary):
//
//   a measure is unusual when it is above its fixed threshold, or when it is at least
//   RATIO_FLOOR and more than 3 × the user's median of the previous 6 months (months without
//   rows count as 0).
//
// Pure: db/audit-queries.ts counts the rows, commands/audit-review.ts stores and sends.

export const MEASURES = ['fullIdViews', 'exports', 'exportedRows', 'refusedLogins', 'offHours'] as const;
export type Measure = (typeof MEASURES)[number];
export type Counts = Record<Measure, number>;

export const MEASURE_LABEL: Record<Measure, string> = {
  fullIdViews: '查看完整身份证号',
  exports: '导出次数',
  exportedRows: '导出行数',
  refusedLogins: '登录被拒绝',
  offHours: '非工作时间操作',
};

/** Above this in one month is unusual whatever the user's history. */
export const THRESHOLD: Counts = { fullIdViews: 50, exports: 20, exportedRows: 5000, refusedLogins: 10, offHours: 30 };
/** The history rule: more than RATIO × the median of the previous HISTORY_MONTHS months… */
export const RATIO = 3;
export const HISTORY_MONTHS = 6;
/** …and at least this many (a user going from 0 to 2 views is not unusual). */
export const RATIO_FLOOR: Counts = { fullIdViews: 10, exports: 5, exportedRows: 500, refusedLogins: 5, offHours: 10 };
/** Working hours: acts from 08:00 to before 18:00 on a working day are inside; the rest outside. */
export const WORK_HOURS = { from: 8, to: 18 } as const;

/** The audit actions that are exports (one row each; the rows exported are detail.rows or detail.people): core/audit-console.ts. */
export { EXPORT_ACTIONS } from './audit-console.ts';
export const FULL_ID_VIEW_ACTIONS: readonly string[] = ['view_full_id'];
export const REFUSED_LOGIN_ACTIONS: readonly string[] = ['login_refused'];

/** The rule in one sentence, as the summary and README state it. */
export function ruleText(): string {
  const t = MEASURES.map((m) => `${MEASURE_LABEL[m]} ${THRESHOLD[m]}`).join('、');
  const f = MEASURES.map((m) => `${MEASURE_LABEL[m]} ${RATIO_FLOOR[m]}`).join('、');
  return `某人某项当月数量超过固定阈值（${t}），或不少于下限（${f}）且超过其前${HISTORY_MONTHS}个月月度中位数的${RATIO}倍（无记录的月份按0计），即列为异常。` +
    `非工作时间指工作日${WORK_HOURS.from}:00前、${WORK_HOURS.to}:00后及休息日全天。`;
}

export const zeroCounts = (): Counts => ({ fullIdViews: 0, exports: 0, exportedRows: 0, refusedLogins: 0, offHours: 0 });

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Flag {
  measure: Measure;
  label: string;
  count: number;
  /** The user's median of the previous months. */
  median: number;
  /** Which part of the rule it met. */
  reason: 'threshold' | 'history';
  /** The sentence the summary shows: 查看完整身份证号 62 次，超过阈值 50. */
  text: string;
}

const UNIT: Record<Measure, string> = { fullIdViews: '次', exports: '次', exportedRows: '行', refusedLogins: '次', offHours: '次' };

/** The unusual measures of one user's month; `history`: their counts of the previous months (missing months: zero). */
export function flagsOf(month: Counts, history: Counts[]): Flag[] {
  const out: Flag[] = [];
  const months = [...history, ...Array.from({ length: Math.max(0, HISTORY_MONTHS - history.length) }, zeroCounts)].slice(0, HISTORY_MONTHS);
  for (const m of MEASURES) {
    const count = month[m];
    const med = median(months.map((h) => h[m]));
    const over = count > THRESHOLD[m];
    const hist = count >= RATIO_FLOOR[m] && count > RATIO * med;
    if (!over && !hist) continue;
    const text = over
      ? `${MEASURE_LABEL[m]} ${count} ${UNIT[m]}，超过阈值 ${THRESHOLD[m]}`
      : `${MEASURE_LABEL[m]} ${count} ${UNIT[m]}，超过前${HISTORY_MONTHS}个月中位数 ${med} 的${RATIO}倍`;
    out.push({ measure: m, label: MEASURE_LABEL[m], count, median: med, reason: over ? 'threshold' : 'history', text });
  }
  return out;
}

/** Whether an act at this moment ('YYYY-MM-DD HH:MM:SS', Asia/Shanghai) is outside working hours. */
export function offHours(at: string, isWorkday: (day: string) => boolean): boolean {
  const hour = Number(at.slice(11, 13));
  return !isWorkday(at.slice(0, 10)) || hour < WORK_HOURS.from || hour >= WORK_HOURS.to;
}

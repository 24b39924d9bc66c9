// The other departments' rosters sanse reconciles the 实名制 data with (issue 16, domain.md §5.9):
// their names as users read them and the values their status columns may hold. One vocabulary
// for the import sheets, the cross-system rules, the console and the README.

/** The feeds: the kind as stored and shown (feed_imports.kind), the CLI's word for it, and its table. */
export const FEED_KINDS = {
  社保: { cli: 'si', table: 'feed_social_insurance', title: '机关事业养老保险参保名单（社保）' },
  工资统发: { cli: 'payroll', table: 'feed_payroll', title: '财政工资统发名单' },
  组织部任免: { cli: 'appointments', table: 'feed_appointments', title: '组织部任免文件' },
} as const;
export type FeedKind = keyof typeof FEED_KINDS;

export const FEED_KIND_NAMES = Object.keys(FEED_KINDS) as FeedKind[];

/** The feed of a CLI word (si, payroll, appointments) or of its Chinese name. */
export function feedKindOf(word: string): FeedKind | null {
  const w = word.trim();
  for (const k of FEED_KIND_NAMES) if (k === w || FEED_KINDS[k].cli === w.toLowerCase()) return k;
  return null;
}

/** 参保状态 of the 社保 feed: 参保 and 暂停 are a working person's; 退休 and 领取待遇 a pensioner's (X-SI-03). */
export const SI_STATUSES = ['参保', '暂停', '退休', '领取待遇'] as const;
export const SI_PENSION_STATUSES: ReadonlySet<string> = new Set(['退休', '领取待遇']);

/** 任免 of the 组织部 feed. */
export const APPOINTMENT_ACTIONS = ['任职', '免职'] as const;

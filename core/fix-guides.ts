// The 错题本 (issue 18, deliverable 1), pure: what a guide is, the office's input checked (zod,
// Chinese errors naming the field, every field one line of limited length: the guide goes into
// chat), the effective guide of each entry (the office's latest version over the shipped text of
// cards/fix-guides.ts), and the robot's look-up by code or title. No I/O: db/fix-guides.ts reads
// the versions, commands/fix-guides.ts writes them.

import { z } from 'zod';
import { singleLineProblem } from './dictionary.ts';

/** The text of a guide, as shipped (cards/fix-guides.ts) or as the office wrote it. */
export interface GuideText {
  title: string;
  what: string;
  why: string;
  how: string[];
  right: string;
  wrong: string;
}

/** A stored version of an entry (db/fix-guides.ts). */
export interface GuideVersion extends GuideText {
  entry: string;
  version: number;
  related: string[];
  reason: string;
  restoredFrom: number | null;
  createdBy: string;
  createdByName?: string | null;
  createdAt: string;
}

/** What users read for one entry: a rule's guide or an office entry. */
export interface EffectiveGuide extends GuideText {
  /** the rule code (P-ID-08) or the office entry's key (O-001) */
  entry: string;
  kind: 'rule' | 'office';
  /** shipped: the text of cards/fix-guides.ts; office: the office's version; none: no text yet (a rule without a shipped guide) */
  source: 'shipped' | 'office' | 'none';
  /** the office's version in force (null: shipped or none) */
  version: number | null;
  /** office entries: the rule codes it names */
  related: string[];
  editedBy: string | null;
  editedAt: string | null;
}

/** The keys of the office's own entries: O-001, O-002, … */
export const OFFICE_ENTRY = /^O-\d{3,6}$/;

export function isOfficeEntry(entry: string): boolean {
  return OFFICE_ENTRY.test(entry);
}

/** The next office entry key after the keys in use. */
export function nextOfficeEntry(used: string[]): string {
  const n = used.filter(isOfficeEntry).reduce((m, k) => Math.max(m, Number(k.slice(2))), 0) + 1;
  return `O-${String(n).padStart(3, '0')}`;
}

/** Length limits (characters) of the office's input. */
export const GUIDE_LIMITS = { title: 40, what: 300, why: 300, step: 150, steps: 10, example: 200, reason: 100, related: 10 } as const;

export const GUIDE_FIELD_NAMES = {
  title: '标题', what: '问题是什么', why: '为什么要改', how: '怎么改', right: '正确示例', wrong: '错误示例', reason: '修改原因', related: '相关规则',
} as const;

const chars = (s: string) => [...s].length;

/** One line of text, trimmed, 1..max characters, no line breaks or control characters. */
function line(name: string, max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined || iss.input === null ? `请填写${name}` : `${name}应为文字`) })
    .transform((s) => s.trim())
    .superRefine((s, ctx) => {
      if (!s) ctx.addIssue({ code: 'custom', message: `请填写${name}` });
      else if (chars(s) > max) ctx.addIssue({ code: 'custom', message: `${name}最多${max}个字，现有${chars(s)}个字` });
      else {
        const p = singleLineProblem(s);
        if (p) ctx.addIssue({ code: 'custom', message: `${name}${p}` });
      }
    });
}

const stepsSchema = z
  .array(z.unknown(), { error: `请填写${GUIDE_FIELD_NAMES.how}的步骤` })
  .transform((a, ctx) => {
    const steps: string[] = [];
    a.forEach((v, i) => {
      const name = `${GUIDE_FIELD_NAMES.how}第${i + 1}步`;
      const r = line(name, GUIDE_LIMITS.step).safeParse(v);
      if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0].message, path: [i] });
      else steps.push(r.data);
    });
    if (!a.length) ctx.addIssue({ code: 'custom', message: `请至少填写一步${GUIDE_FIELD_NAMES.how}` });
    else if (a.length > GUIDE_LIMITS.steps) ctx.addIssue({ code: 'custom', message: `${GUIDE_FIELD_NAMES.how}最多${GUIDE_LIMITS.steps}步` });
    return steps;
  });

const textSchema = {
  what: line(GUIDE_FIELD_NAMES.what, GUIDE_LIMITS.what),
  why: line(GUIDE_FIELD_NAMES.why, GUIDE_LIMITS.why),
  how: stepsSchema,
  right: line(GUIDE_FIELD_NAMES.right, GUIDE_LIMITS.example),
  wrong: line(GUIDE_FIELD_NAMES.wrong, GUIDE_LIMITS.example),
  reason: line(GUIDE_FIELD_NAMES.reason, GUIDE_LIMITS.reason),
};

/** A rule's guide: the title stays the rule's own. */
export const ruleGuideInputSchema = z.object(textSchema);
/** An office entry: its own title, and the rule codes it names (checked against the catalogue by the caller's `knownRule`). */
export const officeGuideInputSchema = z.object({
  ...textSchema,
  title: line(GUIDE_FIELD_NAMES.title, GUIDE_LIMITS.title),
  related: z
    .array(z.string({ error: `${GUIDE_FIELD_NAMES.related}应为规则编号` }).transform((s) => s.trim().toUpperCase()), { error: `${GUIDE_FIELD_NAMES.related}应为规则编号的列表` })
    .max(GUIDE_LIMITS.related, `${GUIDE_FIELD_NAMES.related}最多${GUIDE_LIMITS.related}条`)
    .optional()
    .transform((a) => [...new Set((a ?? []).filter(Boolean))]),
});

export type RuleGuideInput = z.infer<typeof ruleGuideInputSchema>;
export type OfficeGuideInput = z.infer<typeof officeGuideInputSchema>;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string; fields: Record<string, string> };

const FIELD_KEYS = Object.keys(GUIDE_FIELD_NAMES) as Array<keyof typeof GUIDE_FIELD_NAMES>;

function checked<T>(r: { success: true; data: T } | { success: false; error: z.ZodError }): Checked<T> {
  if (r.success) return { ok: true, value: r.data };
  const fields: Record<string, string> = {};
  for (const iss of r.error.issues) {
    const key = String(iss.path[0] ?? '');
    const field = (FIELD_KEYS as string[]).includes(key) ? key : 'body';
    if (!fields[field]) fields[field] = iss.message;
  }
  const first = FIELD_KEYS.map((k) => fields[k]).find(Boolean) ?? fields.body ?? '内容有误';
  return { ok: false, message: first, fields };
}

/** Checks the office's text of a rule's guide (`body` as the console sent it). */
export function checkRuleGuideInput(body: unknown): Checked<RuleGuideInput> {
  return checked(ruleGuideInputSchema.safeParse(body && typeof body === 'object' ? body : {}));
}

/** Checks an office entry; `knownRule(code)` says whether a related code is in the catalogue. */
export function checkOfficeGuideInput(body: unknown, knownRule: (code: string) => boolean): Checked<OfficeGuideInput> {
  const r = checked(officeGuideInputSchema.safeParse(body && typeof body === 'object' ? body : {}));
  if (!r.ok) return r;
  const unknown = r.value.related.filter((c) => !knownRule(c));
  if (unknown.length) {
    const message = `${GUIDE_FIELD_NAMES.related}中没有规则“${unknown.join('、').slice(0, 60)}”，请填写规则编号（如 P-ID-08）`;
    return { ok: false, message, fields: { related: message } };
  }
  return r;
}

/**
 * The effective guide of every entry: each rule of the catalogue (in catalogue order) with the
 * office's latest version, else its shipped text, else an empty guide (`source: 'none'`); then
 * the office's own entries by key. `latest` holds the highest version of each entry.
 */
export function effectiveGuides(rules: ReadonlyArray<{ code: string; title: string }>, shipped: ReadonlyMap<string, GuideText>, latest: ReadonlyArray<GuideVersion>): EffectiveGuide[] {
  const byEntry = new Map(latest.map((v) => [v.entry, v]));
  const out: EffectiveGuide[] = rules.map((r) => effectiveOf(r.code, r.title, shipped.get(r.code), byEntry.get(r.code)));
  for (const v of [...latest].filter((x) => isOfficeEntry(x.entry)).sort((a, b) => a.entry.localeCompare(b.entry))) out.push(effectiveOf(v.entry, v.title, undefined, v));
  return out;
}

/** One entry's effective guide: the office's version over the shipped text. */
export function effectiveOf(entry: string, title: string, shipped: GuideText | undefined, office: GuideVersion | undefined): EffectiveGuide {
  const kind = isOfficeEntry(entry) ? 'office' : 'rule';
  if (office) {
    return { entry, kind, title: kind === 'rule' ? title : office.title, what: office.what, why: office.why, how: office.how, right: office.right, wrong: office.wrong, source: 'office', version: office.version, related: office.related, editedBy: office.createdByName ?? office.createdBy, editedAt: office.createdAt };
  }
  if (shipped) return { entry, kind, title, what: shipped.what, why: shipped.why, how: shipped.how, right: shipped.right, wrong: shipped.wrong, source: 'shipped', version: null, related: [], editedBy: null, editedAt: null };
  return { entry, kind, title, what: '', why: '', how: [], right: '', wrong: '', source: 'none', version: null, related: [], editedBy: null, editedAt: null };
}

/** The robot's `怎么改 X`: an entry named by its code, its exact title, or a part of the title. */
export type GuideMatch = { kind: 'one'; guide: EffectiveGuide } | { kind: 'many'; guides: EffectiveGuide[] } | { kind: 'none' };

/** Half-width, upper case, no spaces or quotes: how a query and a title are compared. */
export function normaliseQuery(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000"'“”‘’《》「」]/g, '')
    .replace(/[—–－]/g, '-')
    .toUpperCase();
}

/**
 * Whether an entry answers a query (`q` normalised): its code or title holds it, or a longer query
 * holds the whole title. The robot's several matches and the 错题本 page's `#/guide?q=` search are
 * this one test, so the robot's link to the page shows the same entries.
 */
export function guideMatches(q: string, g: { entry: string; title: string }): boolean {
  if (!q) return true;
  const title = normaliseQuery(g.title);
  return g.entry.includes(q) || title.includes(q) || (q.length >= 4 && q.includes(title));
}

export function findGuide(query: string, guides: ReadonlyArray<EffectiveGuide>): GuideMatch {
  const q = normaliseQuery(query);
  if (!q) return { kind: 'none' };
  const usable = guides.filter((g) => g.source !== 'none');
  const byCode = usable.find((g) => g.entry === q);
  if (byCode) return { kind: 'one', guide: byCode };
  const exact = usable.filter((g) => normaliseQuery(g.title) === q);
  if (exact.length === 1) return { kind: 'one', guide: exact[0] };
  const part = usable.filter((g) => guideMatches(q, g));
  if (part.length === 1) return { kind: 'one', guide: part[0] };
  if (part.length > 1) return { kind: 'many', guides: part };
  return { kind: 'none' };
}

/** A month `YYYY-MM`'s first and last day. */
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** A line of the month's most frequent mistakes. */
export interface MonthMistake {
  rule: string;
  title: string;
  /** findings of the rule opened in the month */
  findings: number;
  /** units among them */
  units: number;
  /** of those findings, still open now */
  open: number;
}

/** Most frequent first; then by units, then by rule code. */
export function rankMistakes(rows: ReadonlyArray<Omit<MonthMistake, 'title'>>, titleOf: (code: string) => string): MonthMistake[] {
  return rows.map((r) => ({ ...r, title: titleOf(r.rule) })).sort((a, b) => b.findings - a.findings || b.units - a.units || a.rule.localeCompare(b.rule));
}

// A finding's detail (the facts a rule returned, keyed in English) as the Chinese sentence users
// read, the same everywhere: the export's 说明, the console's and mini-app's 问题详情 (the API's
// `detailText`), cards, robot replies and `sanse findings`. Names and value translations live in
// templates/finding-details.json; `sanse rules` names the rules' parameters from there too.

import fs from 'node:fs';
import { findingTitle } from '../core/rules/index.ts';
import { maskIdLike } from '../core/sheets.ts';
import { escapeText } from './render.ts';

interface DetailPhrases {
  labels: Record<string, string>;
  rules: Record<string, Record<string, string>>;
  values: Record<string, Record<string, string>>;
  hiddenQualifiers: string[];
  params: Record<string, string>;
}

export const DETAIL_PHRASES: DetailPhrases = JSON.parse(fs.readFileSync(new URL('./templates/finding-details.json', import.meta.url), 'utf8'));
const HIDDEN = new Set(DETAIL_PHRASES.hiddenQualifiers);

/** The Chinese name of a detail key for a rule (the rule's own name for it first). */
export function detailLabel(rule: string, key: string): string | undefined {
  return DETAIL_PHRASES.rules[rule]?.[key] ?? DETAIL_PHRASES.labels[key];
}

/** One detail value as text: internal codes translated, yes/no, lists with 、, nothing empty. */
function valueText(key: string, v: unknown): string {
  if (v == null || v === '') return '（空）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.length ? v.map((x) => valueText(key, x)).join('、') : '（空）';
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${detailLabel('', k) ?? '其他'}${valueText(k, x)}`).join('，');
  const s = String(v);
  return DETAIL_PHRASES.values[key]?.[s] ?? s;
}

/** The qualifier as users may see it: null for the rules that use it only to tell findings apart (W-07's contract key). */
export function shownQualifier(rule: string, qualifier: string | null | undefined): string | null {
  return qualifier && !HIDDEN.has(rule) ? qualifier : null;
}

/** A finding's heading: the rule's title with the qualifier users may see, e.g. 超编（行政编制）. */
export function findingHeading(rule: string, qualifier: string | null | undefined): string {
  return findingTitle(rule, shownQualifier(rule, qualifier));
}

/**
 * A finding's detail in Chinese, as one line of plain text (`花名册出生日期：1980-01-02；…`); with
 * `qualifier: true` the shown qualifier comes first (the export's 说明, which has no column for
 * it) unless a fact already says it. Keys without a name (there should be none: the catalogue test checks) are left out rather
 * than shown as code. Anything shaped like an ID number is masked. Null when there is nothing.
 */
export function findingDetailText(rule: string, qualifier: string | null | undefined, detail: Record<string, unknown> | null | undefined, opts: { qualifier?: boolean } = {}): string | null {
  const parts: string[] = [];
  const q = opts.qualifier ? shownQualifier(rule, qualifier) : null;
  // The qualifier first, unless a fact already says it (超编's 编制类型, a month).
  if (q && !Object.values(detail ?? {}).some((v) => v != null && String(v) === q)) parts.push(q);
  for (const [k, v] of Object.entries(detail ?? {})) {
    // A key already in Chinese (a hand-made detail) names itself.
    const label = detailLabel(rule, k) ?? (/[A-Za-z]/.test(k) ? undefined : k);
    if (!label || v === undefined) continue;
    parts.push(`${label}：${valueText(k, v)}`);
  }
  return parts.length ? maskIdLike(escapeText(parts.join('；'))) : null;
}

/** A rule's parameters in Chinese for `sanse rules`: `宽限工作日：1；…`. */
export function ruleParamsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${DETAIL_PHRASES.params[k] ?? k}：${valueText(k, v)}`).join('；');
}

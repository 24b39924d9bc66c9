// Display texts (Chinese), pure.

import phrases from '../../cards/templates/phrases.json';
import type { FindingLight, Scope } from '../../core/model.ts';
import type { Finding } from './types.ts';

export function lightName(light: FindingLight | string | null | undefined): string {
  return (phrases.light as Record<string, string>)[light ?? ''] ?? '';
}

export function subjectKindName(kind: Scope | string): string {
  return (phrases.subjectKind as Record<string, string>)[kind] ?? kind;
}

/** '2026-05-12' → '5月12日'; a month-only date → '2026年5月'. */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso);
  if (!m) return iso;
  return m[3] ? `${Number(m[2])}月${Number(m[3])}日` : `${m[1]}年${Number(m[2])}月`;
}

/** '2026-05-12' → '2026年5月12日'. */
export function longDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso);
  if (!m) return iso;
  return m[3] ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : `${m[1]}年${Number(m[2])}月`;
}

/** A timestamp (ISO or 'YYYY-MM-DD HH:MM:SS') as '2026年5月12日 14:03'. */
export function dateTime(ts: string | null | undefined): string {
  if (!ts) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(ts);
  if (!m) return longDate(ts);
  // A 'Z' or offset timestamp is shown in Beijing time.
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(ts)) {
    const t = Date.parse(ts);
    if (!Number.isNaN(t)) {
      const s = new Date(t + 8 * 3600_000).toISOString();
      return `${s.slice(0, 4)}年${Number(s.slice(5, 7))}月${Number(s.slice(8, 10))}日 ${s.slice(11, 16)}`;
    }
  }
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`;
}

/** The deadline line of an open finding: yellow → when it turns red; red → overdue; 提示 → none. */
export function deadlineText(f: Pick<Finding, 'light' | 'redFrom' | 'resolvedOn'> & { status?: string }): string {
  // 已说明 (an explained cross-system difference) is not 已整改.
  if (f.status === 'explained') return '已说明（差异无法消除，编办已登记说明）';
  if (f.resolvedOn || f.light === 'green') return '已整改';
  if (f.light === 'red') return '已超期';
  if (f.light === 'hint') return '提示：不设整改期限，不计入红黄灯';
  return f.redFrom ? `${shortDate(f.redFrom)}前整改，否则亮红灯` : '请尽快整改';
}

/** A value of the history or a form as shown: empty values as '（空）'. */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v)) return v.join('、') || '（空）';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Facts of a finding's detail in Chinese where the key is known, else as given. */
const DETAIL_LABELS: Record<string, string> = {
  field: '字段', value: '填写值', birthDate: '出生日期', idBirth: '身份证出生日期', gender: '性别', idGender: '身份证性别',
  quotaKind: '编制类型', rank: '职级', retireMonth: '退休月份', expected: '应为', office: '处室', leaderLevel: '领导职务层次',
  others: '重复条数', otherUnits: '其他单位数', otherIds: '其他身份证号数', age: '年龄', kind: '类型', approved: '核定数', actual: '实有数',
};
export function detailText(detail: Record<string, unknown> | null | undefined): string {
  if (!detail) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(detail)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    const label = DETAIL_LABELS[k];
    if (!label) continue;
    parts.push(`${label}：${shownValue(v)}`);
  }
  return parts.join('；');
}

/**
 * The line beside a month or date input: the value in Chinese (a browser in another language
 * shows the input itself as “December 2026” or “mm/dd/yyyy” whatever the page's lang), else how
 * to fill it.
 */
export function pickedDateHint(value: string | null | undefined, kind: 'month' | 'date'): string {
  if (value && /^\d{4}-\d{2}(-\d{2})?$/.test(value)) return `已选：${longDate(value)}`;
  return kind === 'month' ? '点日历图标选择月份，格式如 2026-11' : '点日历图标选择日期，格式如 2026-11-23';
}

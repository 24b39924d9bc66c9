// AI 大模型分析 (Ningbo art. 21): what a model is asked to draft — the quarterly report's
// narrative and the monthly reading of the negative list (负面清单) — built ONLY from figures
// sanse computed, through an explicit whitelist: unit names and counts (institutions), never a
// person's name or ID number. The template texts are the same readings without a model. Pure.

import { SECTION_HEADINGS, SECTION_KEYS, narrativeText, type QuarterlyReport } from './quarterly-report.ts';

export const ANALYSIS_KINDS = ['quarterly', 'negative-list'] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];
export const ANALYSIS_TITLES: Record<AnalysisKind, string> = { quarterly: '季度分析报告文字', 'negative-list': '负面清单月度解读' };

export const DRAFT_STATUS = '草稿';
export const FINAL_STATUS = '已定稿';
export const LLM_DRAFT_MARK = '草稿（由大模型生成，请核改）';
export const TEMPLATE_DRAFT_MARK = '草稿（模板文字，请核改）';
export const LLM_FALLBACK_NOTE = '大模型暂不可用，已使用模板文字';

/** The mark a stored draft is shown with until office staff save it. */
export function draftMark(d: { status: string; source: string }): string | null {
  return d.status === FINAL_STATUS ? null : d.source === 'llm' ? LLM_DRAFT_MARK : TEMPLATE_DRAFT_MARK;
}

/** The rule families of the catalogue (domain.md §5), by code prefix. */
export const RULE_FAMILIES: Record<string, string> = {
  'P-ID': '身份信息', 'P-RT': '退休出编', 'P-TM': '信息更新及时性', 'P-ST': '人员状态', 'U-LD': '领导职数', 'U-QT': '编制使用', 'U-IN': '机构信息', 'U-PR': '办理流程', W: '编外人员',
};
export function ruleFamily(code: string): string {
  const prefix = code.startsWith('W') ? 'W' : code.slice(0, 4);
  return RULE_FAMILIES[prefix] ?? '其他';
}

/** The negative list of a month: units red that month or suspended for it, their open problems by family. */
export interface NegativeListFacts {
  month: string;
  units: Array<{ unit: string; red: boolean; suspended: boolean; redDays: number; problems: Record<string, number> }>;
  /** the units on the previous month's list */
  previous: string[] | null;
}

export function validPeriod(kind: AnalysisKind, period: string): boolean {
  return kind === 'quarterly' ? /^\d{4}Q[1-4]$/.test(period) : /^\d{4}-(0[1-9]|1[0-2])$/.test(period);
}

export function negativeListTemplate(f: NegativeListFacts): string {
  const names = f.units.map((u) => u.unit);
  const lines: string[] = [`${f.month} 负面清单解读`];
  if (!f.units.length) lines.push(`本月没有亮红灯或被暂停受理的单位。`);
  else {
    const susp = f.units.filter((u) => u.suspended);
    lines.push(`本月负面清单共 ${f.units.length} 个单位：${names.join('、')}。其中亮红灯 ${f.units.filter((u) => u.red).length} 个，暂停受理机构编制事项 ${susp.length} 个${susp.length ? `（${susp.map((u) => u.unit).join('、')}）` : ''}。`);
    const fam: Record<string, number> = {};
    for (const u of f.units) for (const [k, n] of Object.entries(u.problems)) fam[k] = (fam[k] ?? 0) + n;
    const top = Object.entries(fam).sort((a, b) => b[1] - a[1]);
    lines.push(top.length ? `问题类型：${top.map(([k, n]) => `${k} ${n} 条`).join('，')}。` : '清单单位目前没有未整改的问题。');
  }
  if (f.previous === null) lines.push('上月无负面清单数据，暂不比较。');
  else {
    const added = names.filter((n) => !f.previous!.includes(n));
    const left = f.previous.filter((n) => !names.includes(n));
    lines.push(`与上月相比：新进入清单 ${added.length} 个${added.length ? `（${added.join('、')}）` : ''}，退出清单 ${left.length} 个${left.length ? `（${left.join('、')}）` : ''}。`);
  }
  lines.push('建议：对连续亮红灯的单位约谈提醒，督促专管员按清单逐条整改。');
  return lines.join('\n');
}

export interface ChatMessage { role: 'system' | 'user'; content: string }

const SYSTEM = '你是机构编制部门的数据分析助手。只根据用户给出的统计数字写作，不得编造数字，不得出现任何个人姓名或身份证号。用简洁的公文语言，中文输出。';

/** The whitelisted figures of the quarterly report a model may see. */
export function quarterlyPromptFacts(r: QuarterlyReport): Record<string, unknown> {
  return {
    季度: r.quarter.title,
    数据截至: r.asOf,
    主要数据: { ...r.facts },
    表格: r.sections.flatMap((s) => s.tables.map((t) => ({ 标题: t.title, 表头: [...t.head], 行: t.rows.map((row) => [...row]) }))),
  };
}

export function quarterlyPrompt(r: QuarterlyReport): ChatMessage[] {
  const headings = SECTION_KEYS.map((k) => SECTION_HEADINGS[k]).join('、');
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: `请为《${r.title}》撰写正文。依次写 ${headings} 六节，每节以该标题单独成行开头，每节一至三段。数字只能来自下面的 JSON：\n${JSON.stringify(quarterlyPromptFacts(r))}\n\n可参考的模板文字：\n${narrativeText(r)}`,
    },
  ];
}

/** The whitelisted figures of a month's negative list: unit names, flags and counts only. */
export function negativeListPromptFacts(f: NegativeListFacts): Record<string, unknown> {
  return {
    月份: f.month,
    清单单位: f.units.map((u) => ({ 单位: u.unit, 亮红灯: u.red, 暂停受理: u.suspended, 红灯天数: u.redDays, 问题类型: { ...u.problems } })),
    上月清单单位: f.previous ? [...f.previous] : '上月无数据',
  };
}

export function negativeListPrompt(f: NegativeListFacts): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `请撰写 ${f.month} 负面清单月度解读（300字以内）：哪些单位、主要问题类型、与上月相比的变化、下步督办建议。数据：\n${JSON.stringify(negativeListPromptFacts(f))}` },
  ];
}

// The monthly reading of the negative list (负面清单解读, AI 大模型分析) as a job of the registry:
// the first working day of a month at 09:40, after the month close (09:30) has settled the
// month's lights and suspensions; slot = that day. It drafts the month before with the office's
// model, else the template (commands/draft-analysis.ts). A month drafted already is kept.

import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { draftAnalysis, type LlmConfig } from '../../commands/draft-analysis.ts';
import type { Job } from './registry.ts';
import { rhythmAt } from './schedule.ts';

export const NEGATIVE_LIST_READING = 'negative-list-reading';
export const NEGATIVE_LIST_READING_TITLE = '负面清单月度解读';

export function negativeListReadingJob(opts: { llm?: LlmConfig | null; log?: (msg: string) => void }): Job & { title: string } {
  const log = opts.log ?? ((m: string) => console.log(m));
  return {
    name: NEGATIVE_LIST_READING,
    title: NEGATIVE_LIST_READING_TITLE,
    schedule: rhythmAt({ kind: 'month-first-workday' }, '09:40', NEGATIVE_LIST_READING),
    async run({ db, key: date }) {
      const month = addMonthsToMonth(monthOf(date), -1);
      const r = await draftAnalysis(db, { actor: 'system', kind: 'negative-list', period: month, llm: opts.llm ?? null, replace: false });
      if (r.drafted) log(`${month} 负面清单解读草稿已生成（${r.draft.source === 'llm' ? `大模型 ${r.draft.model}` : '模板文字'}）${r.draft.note ? `：${r.draft.note}` : ''}`);
      return { month, drafted: r.drafted, source: r.draft.source, note: r.draft.note };
    },
  };
}

// AI 大模型分析 (Ningbo art. 21): drafting the quarterly report's narrative and the monthly
// reading of the negative list with the office's model (an OpenAI-compatible chat API of a
// private deployment: POST ${LLM_BASE_URL}/chat/completions), from the whitelisted figures of
// core/analysis.ts only; on a timeout or error, or without an endpoint, the template text. The
// draft is stored and stays a 草稿 until office staff (编办管理员, 编办业务人员) edit and save it.

import type { Knex } from 'knex';
import { ANALYSIS_KINDS, FINAL_STATUS, LLM_FALLBACK_NOTE, draftMark, negativeListPrompt, negativeListTemplate, quarterlyPrompt, validPeriod, type AnalysisKind, type ChatMessage } from '../core/analysis.ts';
import { buildQuarterlyReport, narrativeText, validQuarter, type QuarterlyReport } from '../core/quarterly-report.ts';
import { ADMIN_ROLES, OFFICE_ROLES } from '../core/roles.ts';
import { insertDraft, negativeListFacts, readDraft, replaceDraft, saveEditedDraft, type AnalysisDraft } from '../db/analysis-drafts.ts';
import { nowMoment } from '../db/clock.ts';
import { quarterlyInputs } from '../db/quarterly-report.ts';
import { findActor } from '../db/scope.ts';
import { audit } from '../db/store.ts';
import { CommandError } from './errors.ts';

export interface LlmConfig {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
}

/** One chat completion; throws on a timeout, a non-2xx answer or an empty reply. */
export async function chatCompletion(llm: LlmConfig, messages: ChatMessage[]): Promise<string> {
  const res = await fetch(`${llm.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}) },
    body: JSON.stringify({ model: llm.model, messages, temperature: 0.3 }),
    signal: AbortSignal.timeout(llm.timeoutMs),
  });
  if (!res.ok) throw new Error(`model endpoint answered ${res.status}`);
  const body = (await res.json()) as { choices?: Array<{ message?: { content?: string } }> };
  const text = body.choices?.[0]?.message?.content?.trim();
  if (!text) throw new Error('model endpoint gave no text');
  return text;
}

interface Fresh { text: string; source: 'llm' | 'template'; model: string | null; note: string | null }

async function fresh(llm: LlmConfig | null, messages: ChatMessage[], template: string): Promise<Fresh> {
  if (!llm) return { text: template, source: 'template', model: null, note: null };
  try {
    return { text: await chatCompletion(llm, messages), source: 'llm', model: llm.model, note: null };
  } catch {
    return { text: template, source: 'template', model: null, note: LLM_FALLBACK_NOTE };
  }
}

async function freshDraft(db: Knex, kind: AnalysisKind, period: string, llm: LlmConfig | null, report?: QuarterlyReport): Promise<Fresh> {
  if (kind === 'quarterly') {
    const r = report ?? buildQuarterlyReport(await quarterlyInputs(db, validQuarter(period, 'period')));
    return fresh(llm, quarterlyPrompt(r), narrativeText(r));
  }
  const facts = await negativeListFacts(db, period);
  return fresh(llm, negativeListPrompt(facts), negativeListTemplate(facts));
}

export interface AnalysisView extends AnalysisDraft {
  /** 草稿（由大模型生成，请核改） until saved; null once saved */
  mark: string | null;
}
const view = (d: AnalysisDraft): AnalysisView => ({ ...d, mark: draftMark(d) });

function checkKind(kind: string, period: string): AnalysisKind {
  if (!(ANALYSIS_KINDS as readonly string[]).includes(kind)) throw new CommandError(400, `分析类型应为 quarterly（季度分析报告）或 negative-list（负面清单解读），不是“${kind.slice(0, 20)}”`, { kind: '分析类型无效' });
  if (!validPeriod(kind as AnalysisKind, period)) {
    const msg = kind === 'quarterly' ? `期间应为季度，例如 2026Q3；“${period.slice(0, 20)}”无效` : `期间应为月份 YYYY-MM，例如 2026-09；“${period.slice(0, 20)}”无效`;
    throw new CommandError(400, msg, { period: msg });
  }
  return kind as AnalysisKind;
}

async function officeActor(db: Knex, actor: string, roles: ReadonlySet<string>, what: string) {
  if (actor === 'system') return { id: 'system' };
  const a = await findActor(db, actor);
  if (!a || !roles.has(a.role)) throw new CommandError(403, what);
  return a;
}

/** The stored draft of a kind and period (null when none yet). Office roles. */
export async function getAnalysis(db: Knex, actor: string, kind: string, period: string): Promise<AnalysisView | null> {
  const k = checkKind(kind, period);
  await officeActor(db, actor, OFFICE_ROLES, '大模型分析仅限编办人员查看');
  const d = await readDraft(db, k, period);
  return d && view(d);
}

/**
 * Drafts (or re-drafts) a kind and period and stores it. A text office staff saved is kept unless
 * `replace`; without `replace` an existing draft is kept too (the monthly job runs idempotently).
 */
export async function draftAnalysis(db: Knex, input: { actor: string; kind: string; period: string; llm: LlmConfig | null; replace?: boolean }): Promise<{ draft: AnalysisView; drafted: boolean }> {
  const k = checkKind(input.kind, input.period);
  const a = await officeActor(db, input.actor, ADMIN_ROLES, '只有编办管理员和编办业务人员可以生成分析草稿');
  const old = await readDraft(db, k, input.period);
  if (old && (!input.replace || old.status === FINAL_STATUS)) return { draft: view(old), drafted: false };
  const f = await freshDraft(db, k, input.period, input.llm);
  const row = { kind: k, period: input.period, ...f, createdAt: nowMoment() };
  if (old) await replaceDraft(db, row);
  else await insertDraft(db, row);
  await audit(db, a.id, 'draft_analysis', null, null, { kind: k, period: input.period, source: f.source });
  return { draft: view((await readDraft(db, k, input.period))!), drafted: true };
}

/** Office staff save their edited text: it becomes 已定稿 and the report uses it. */
export async function saveAnalysis(db: Knex, input: { actor: string; kind: string; period: string; text: unknown }): Promise<AnalysisView> {
  const k = checkKind(input.kind, input.period);
  const a = await officeActor(db, input.actor, ADMIN_ROLES, '只有编办管理员和编办业务人员可以修改分析文字');
  if (typeof input.text !== 'string' || !input.text.trim()) throw new CommandError(400, '分析文字不能为空', { text: '请填写分析文字' });
  if (input.text.length > 20000) throw new CommandError(400, '分析文字不能超过 20000 字', { text: '文字过长' });
  await saveEditedDraft(db, k, input.period, input.text.trim(), a.id, nowMoment());
  await audit(db, a.id, 'save_analysis', null, null, { kind: k, period: input.period });
  return view((await readDraft(db, k, input.period))!);
}

/**
 * The narrative of a quarterly report: the stored text (saved by the office, or the draft made
 * before), else a fresh draft, stored so the office can read and edit it.
 */
export async function quarterlyNarrative(db: Knex, report: QuarterlyReport, llm: LlmConfig | null): Promise<{ text: string; source: 'saved' | 'llm' | 'template' }> {
  const old = await readDraft(db, 'quarterly', report.quarter.id);
  if (old) return { text: old.text, source: old.status === FINAL_STATUS ? 'saved' : old.source };
  const f = await freshDraft(db, 'quarterly', report.quarter.id, llm, report);
  await insertDraft(db, { kind: 'quarterly', period: report.quarter.id, ...f, createdAt: nowMoment() });
  return { text: f.text, source: f.source };
}

// AI 大模型分析 against a local fake of the OpenAI-compatible API (test/fakes/llm.ts): what is sent
// (the model, the figures, and never a person's name or ID number, plain or masked, from the
// seeded demo county), the fallback to the templates on a 500 and a timeout, the draft marked as
// such, the office's edit kept (and used by the report), the monthly job idempotent. SQLite, or
// MariaDB with SANSE_TEST_DB=mysql.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLM_DRAFT_MARK, LLM_FALLBACK_NOTE, ruleFamily } from '../../core/analysis.ts';
import { SECTION_HEADINGS } from '../../core/quarterly-report.ts';
import { draftAnalysis, getAnalysis, saveAnalysis, type LlmConfig } from '../../commands/draft-analysis.ts';
import { quarterlyReportContent } from '../../commands/quarterly-report.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { negativeListReadingJob } from '../../server/jobs/negative-list-reading.ts';
import { startFakeLlm, type FakeLlm } from '../fakes/llm.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
let fake: FakeLlm;
let llm: LlmConfig;
/** every person's and worker's name and ID number (plain and masked) in the database */
let secrets: string[] = [];

beforeAll(async () => {
  t = await createTestDb();
  fake = await startFakeLlm();
  llm = { baseUrl: fake.baseUrl, apiKey: 'test-key', model: 'qwen-private-72b', timeoutMs: 1500 };
  await seedDemo(t.db, t.pii, { units: 40, people: 600, seed: 7, today: '2026-08-31' });
  for (const d of ['2026-06-30', '2026-08-03', '2026-08-31', '2026-09-01', '2026-09-30', '2026-10-08']) await runCheck(t.db, d);
  const unitNames = ((await t.db('units').select('name')) as Array<{ name: string }>).map((u) => u.name);
  for (const table of ['people', 'workers']) {
    for (const r of (await t.db(table).select('name', 'id_enc', 'id_masked')) as Array<Record<string, string | null>>) {
      // A name that is part of a unit's name (e.g. 金华) would be found for the unit, not the person.
      if (r.name && !unitNames.some((u) => u.includes(r.name!))) secrets.push(r.name);
      if (r.id_masked) secrets.push(r.id_masked);
      if (r.id_enc) {
        const id = t.pii.decrypt(r.id_enc);
        secrets.push(id, id.slice(0, 6), id.slice(-4).length === 4 ? id.slice(6, 14) : id);
      }
    }
  }
  secrets = [...new Set(secrets.filter((s) => s.length >= 2))];
  expect(secrets.length).toBeGreaterThan(1000);
}, 240_000);

afterAll(async () => {
  await fake?.close();
  await t?.close();
});

function assertNoPersonData(raw: string) {
  const hits = secrets.filter((s) => raw.includes(s) && !/^\d{6}$/.test(s) && !/^\d{8}$/.test(s));
  expect(hits).toEqual([]);
  // No 18-digit ID number pattern, masked or not.
  expect(raw).not.toMatch(/\d{6}(\*{8}|\d{8})\d{3}[\dXx]/);
  expect(raw).not.toMatch(/\d{6}\*+\d{3,4}/);
}

describe('AI drafts (AI 大模型分析)', () => {
  it('drafts the negative list of a month from unit names and counts only, with the configured model', async () => {
    fake.requests.length = 0;
    fake.reply = () => '2026-09 负面清单解读：大模型文字';
    const r = await draftAnalysis(t.db, { actor: 'demo-admin', kind: 'negative-list', period: '2026-09', llm });
    expect(r.drafted).toBe(true);
    expect(r.draft).toMatchObject({ source: 'llm', model: 'qwen-private-72b', status: '草稿', mark: LLM_DRAFT_MARK, text: '2026-09 负面清单解读：大模型文字' });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.body.model).toBe('qwen-private-72b');
    expect(req.body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(typeof req.body.temperature).toBe('number');
    assertNoPersonData(req.raw);
    // The figures sent equal counts made here from the tables.
    const red = (await t.db('unit_monthly_status').where({ month: '2026-09', light: 'red' }).pluck('unit_id')).map(Number);
    const susp = (await t.db('sanctions').where({ month: '2026-09', kind: 'suspension' }).pluck('unit_id')).map(Number);
    const ids = [...new Set([...red, ...susp])];
    expect(ids.length).toBeGreaterThan(0);
    const facts = JSON.parse(req.body.messages[1].content.slice(req.body.messages[1].content.indexOf('{')));
    expect(facts.清单单位).toHaveLength(ids.length);
    const first = (await t.db('units').where({ name: facts.清单单位[0].单位 }).first('id')) as { id: number };
    const open = (await t.db('findings').where({ unit_id: first.id, status: 'open' }).select('rule')) as Array<{ rule: string }>;
    const fam: Record<string, number> = {};
    for (const f of open) fam[ruleFamily(f.rule)] = (fam[ruleFamily(f.rule)] ?? 0) + 1;
    expect(facts.清单单位[0].问题类型).toEqual(fam);
  });

  it('drafts the quarterly narrative from the report figures only', async () => {
    fake.requests.length = 0;
    fake.reply = () => Object.values(SECTION_HEADINGS).map((h) => `${h}\n大模型段落：${h.slice(2)}`).join('\n');
    const r = await draftAnalysis(t.db, { actor: 'demo-staff-01', kind: 'quarterly', period: '2026Q3', llm });
    expect(r.draft.source).toBe('llm');
    assertNoPersonData(fake.requests[0].raw);
    const snapshotRow = (await t.db('stat_snapshots').where({ month: '2026-09', scope: 'all', dim: 'unitTotal', key: 'units' }).first('n')) as { n: number };
    expect(fake.requests[0].body.messages[1].content).toContain(`"单位数":${Number(snapshotRow.n)}`);
    // The report uses the stored draft (not saved yet) and says so.
    const c = await quarterlyReportContent(t.db, 'demo-admin', '2026Q3', llm);
    expect(c.narrative).toBe('llm');
    expect(c.report.sections[0].paragraphs).toEqual(['大模型段落：基本情况']);
  });

  it('falls back to the template with a note on a 500 and on a timeout', async () => {
    fake.mode = 'error';
    const a = await draftAnalysis(t.db, { actor: 'demo-admin', kind: 'negative-list', period: '2026-08', llm });
    expect(a.draft).toMatchObject({ source: 'template', note: LLM_FALLBACK_NOTE, status: '草稿' });
    expect(a.draft.text).toContain('2026-08 负面清单解读');
    fake.mode = 'hang';
    const b = await draftAnalysis(t.db, { actor: 'demo-admin', kind: 'negative-list', period: '2026-07', llm });
    expect(b.draft).toMatchObject({ source: 'template', note: LLM_FALLBACK_NOTE });
    fake.mode = 'ok';
  });

  it('keeps the office edit: saved text is 已定稿, not re-drafted, and used by the report', async () => {
    const saved = await saveAnalysis(t.db, { actor: 'demo-admin', kind: 'quarterly', period: '2026Q3', text: '一、基本情况\n编办核改后的文字。' });
    expect(saved).toMatchObject({ status: '已定稿', editedBy: 'demo-admin', mark: null });
    const again = await draftAnalysis(t.db, { actor: 'demo-admin', kind: 'quarterly', period: '2026Q3', llm, replace: true });
    expect(again.drafted).toBe(false);
    expect(again.draft.text).toContain('编办核改后的文字');
    const c = await quarterlyReportContent(t.db, 'demo-admin', '2026Q3', llm);
    expect(c.narrative).toBe('saved');
    expect(c.report.sections[0].paragraphs).toEqual(['编办核改后的文字。']);
    // Sections the saved text leaves out keep their template paragraphs.
    expect(c.report.sections[1].paragraphs.join('')).toContain('饱和度');
    expect((await getAnalysis(t.db, 'demo-leader', 'quarterly', '2026Q3'))?.status).toBe('已定稿');
  });

  it('refuses unit roles and bad periods in Chinese', async () => {
    await expect(saveAnalysis(t.db, { actor: 'demo-leader', kind: 'quarterly', period: '2026Q3', text: 'x' })).rejects.toMatchObject({ status: 403 });
    await expect(getAnalysis(t.db, 'demo-zgy-0001', 'quarterly', '2026Q3')).rejects.toMatchObject({ status: 403 });
    await expect(getAnalysis(t.db, 'demo-admin', 'quarterly', '2026Q5')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('2026Q3') });
    await expect(getAnalysis(t.db, 'demo-admin', 'monthly', '2026-09')).rejects.toMatchObject({ status: 400 });
  });

  it('the monthly job drafts the month before once', async () => {
    fake.requests.length = 0;
    const job = negativeListReadingJob({ llm, log: () => {} });
    const first = (await job.run({ db: t.db, key: '2026-11-02' } as never)) as { month: string; drafted: boolean };
    expect(first).toMatchObject({ month: '2026-10', drafted: true });
    const second = (await job.run({ db: t.db, key: '2026-11-02' } as never)) as { drafted: boolean };
    expect(second.drafted).toBe(false);
    expect(fake.requests).toHaveLength(1);
    expect(await t.db('analysis_drafts').where({ kind: 'negative-list', period: '2026-10' }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});

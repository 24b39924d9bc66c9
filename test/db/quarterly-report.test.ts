// The quarterly analysis report on a database with snapshots for two quarters (the check run on
// 2026-06-30, data changed, the check run on 2026-09-30): the .docx (its word/document.xml read
// through jszip) and the PDF (pdftotext, pdfinfo) carry the title, the six section headings and
// figures equal to counts made here from the tables. SQLite, or MariaDB with SANSE_TEST_DB=mysql.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterlyReportFile } from '../../commands/quarterly-report.ts';
import { runCheck } from '../../db/check.ts';
import { seedDemo } from '../../db/demo/seed.ts';
import { createTestDb, type TestDb } from './helpers.ts';

const HEADINGS = ['一、基本情况', '二、编制使用', '三、人员结构', '四、退休预测', '五、数据质量', '六、下步建议'];
let t: TestDb;
const counted = { q2: { approved: 0, onQuota: 0 }, q3: { approved: 0, onQuota: 0 }, left: 0 };

async function countNow(db: TestDb['db']) {
  const units = (await db('units').pluck('id')).map(Number);
  const approved = Number(((await db('quotas').whereIn('unit_id', units).sum({ n: 'approved' })) as Array<{ n: number }>)[0].n);
  const onQuota = Number(((await db('people').whereIn('unit_id', units).where({ status: '在编' }).whereNotNull('quota_kind').whereNot('quota_kind', '').count({ n: '*' })) as Array<{ n: number }>)[0].n);
  return { approved, onQuota };
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db, t.pii, { units: 30, people: 450, seed: 11, today: '2026-06-30' });
  await runCheck(t.db, '2026-06-30');
  counted.q2 = await countNow(t.db);
  // In the third quarter 7 people leave and one unit gets 5 more 行政编制.
  const leaving = (await t.db('people').where({ status: '在编' }).whereNotNull('quota_kind').orderBy('id').limit(7).pluck('id')).map(Number);
  await t.db('people').whereIn('id', leaving).update({ status: '已出编' });
  counted.left = leaving.length;
  const q = (await t.db('quotas').where({ kind: '行政编制' }).orderBy('id').first('id', 'approved')) as { id: number; approved: number };
  await t.db('quotas').where({ id: q.id }).update({ approved: Number(q.approved) + 5 });
  await runCheck(t.db, '2026-09-30');
  counted.q3 = await countNow(t.db);
}, 240_000);

afterAll(async () => t?.close());

/** The rows of the document's tables as arrays of cell texts, and its paragraphs' text. */
async function docxText(buf: Buffer): Promise<{ rows: string[][]; text: string }> {
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file('word/document.xml')!.async('string');
  const textOf = (s: string) => [...s.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((tr) => [...tr[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((tc) => textOf(tc[0])));
  return { rows, text: textOf(xml) };
}

describe('quarterly report files', () => {
  it('the .docx has the title, the six headings, the charts and figures equal to independent counts', async () => {
    expect(counted.q3.onQuota).toBe(counted.q2.onQuota - counted.left);
    expect(counted.q3.approved).toBe(counted.q2.approved + 5);
    const f = await quarterlyReportFile({ db: t.db, actor: 'demo-admin', quarter: '2026Q3', format: 'docx', llm: null });
    expect(f.narrative).toBe('template');
    const { rows, text } = await docxText(f.body);
    expect(text).toContain('2026年第三季度机构编制人员情况分析报告');
    for (const h of HEADINGS) expect(text).toContain(h);
    const row = (name: string) => rows.find((r) => r[0] === name);
    expect(row('核定编制')).toEqual(['核定编制', String(counted.q3.approved), String(counted.q2.approved), '+5']);
    expect(row('实有人数')).toEqual(['实有人数', String(counted.q3.onQuota), String(counted.q2.onQuota), `-${counted.left}`]);
    expect(row('空编（净）')).toEqual(['空编（净）', String(counted.q3.approved - counted.q3.onQuota), String(counted.q2.approved - counted.q2.onQuota), `+${5 + counted.left}`]);
    expect(text).toContain(`实有在编减少 ${counted.left}`);
    const zip = await JSZip.loadAsync(f.body);
    const media = Object.keys(zip.files).filter((n) => n.startsWith('word/media/'));
    const charts = f.report.sections.flatMap((s) => s.charts).length;
    expect(charts).toBeGreaterThanOrEqual(4); // 编制, 饱和度, 年龄, 退休 (评分 only once a month is scored)
    expect(media.filter((n) => n.endsWith('.svg')).length).toBe(charts);
    expect(media.filter((n) => n.endsWith('.png')).length).toBe(charts);
  }, 120_000);

  it('the PDF shows the title, headings and figures, on a plausible number of pages', async () => {
    const f = await quarterlyReportFile({ db: t.db, actor: 'demo-admin', quarter: '2026Q3', format: 'pdf', llm: null });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-q-'));
    try {
      const file = path.join(dir, 'q.pdf');
      fs.writeFileSync(file, f.body);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
      expect(text).toContain('2026年第三季度机构编制人员情况分析报告');
      for (const h of HEADINGS) expect(text).toContain(h);
      expect(text).toMatch(new RegExp(`核定编制 ${counted.q3.approved} ${counted.q2.approved} \\+5`));
      expect(text).toMatch(new RegExp(`实有人数 ${counted.q3.onQuota} ${counted.q2.onQuota} -${counted.left}`));
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
      expect(pages).toBeGreaterThanOrEqual(4);
      expect(pages).toBeLessThanOrEqual(10);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a quarter without a previous one says 上季度无数据; a bad quarter is refused in Chinese', async () => {
    const f = await quarterlyReportFile({ db: t.db, actor: 'demo-admin', quarter: '2026Q2', format: 'docx', llm: null });
    const { rows } = await docxText(f.body);
    expect(rows.find((r) => r[0] === '实有人数')).toEqual(['实有人数', String(counted.q2.onQuota), '上季度无数据', '上季度无数据']);
    await expect(quarterlyReportFile({ db: t.db, actor: 'demo-admin', quarter: '2026-09', format: 'pdf', llm: null })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('2026Q3') });
    await expect(quarterlyReportFile({ db: t.db, actor: 'demo-zgy-0001', quarter: '2026Q3', format: 'pdf', llm: null })).rejects.toMatchObject({ status: 403 });
  }, 120_000);
});

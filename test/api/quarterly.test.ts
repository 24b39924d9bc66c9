// The quarterly report downloads and the AI draft routes by role (SQLite; MariaDB with
// SANSE_TEST_DB=mysql): office roles download Word and PDF and read drafts; 编办管理员/编办业务人员
// draft and save; 分管领导 reads but does not save; unit roles get 403; bad input 400 in Chinese.

import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyCheck } from '../../commands/daily-check.ts';
import { startFakeLlm, type FakeLlm } from '../fakes/llm.ts';
import { D0, login, startApp, type ApiTestApp, type Session } from './helpers.ts';

let a: ApiTestApp;
let fake: FakeLlm;
let admin: Session;
let leader: Session;
let spec: Session;
let unitLeader: Session;

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.mode = 'error';
  a = await startApp({ env: { LLM_BASE_URL: fake.baseUrl, LLM_MODEL: 'm1' } });
  await dailyCheck(a.t.db, D0, 'http://127.0.0.1:3000');
  const s = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id').first();
  const l = await a.t.db('users').where({ role: '单位领导' }).whereNotNull('unit_id').orderBy('id').first();
  [admin, leader, spec, unitLeader] = await Promise.all([login(a.app, 'demo-admin'), login(a.app, 'demo-leader'), login(a.app, s.id), login(a.app, l.id)]);
}, 300_000);
afterAll(async () => {
  await a?.close();
  await fake?.close();
});

const get = (who: Session, url: string) => a.app.inject({ method: 'GET', url, headers: who.read });
const send = (who: Session, method: 'POST' | 'PUT', url: string, payload?: unknown) => a.app.inject({ method, url, headers: who.write, payload: payload as object });

describe('quarterly report API', () => {
  it('office roles download the Word file; unit roles get 403; a bad quarter 400', async () => {
    const r = await get(leader, '/api/reports/quarterly.docx?quarter=2026Q4');
    expect(r.statusCode, r.body.slice(0, 200)).toBe(200);
    expect(r.headers['content-type']).toContain('wordprocessingml');
    expect(String(r.headers['content-disposition'])).toContain('quarterly-2026Q4.docx');
    const xml = await (await JSZip.loadAsync(r.rawPayload)).file('word/document.xml')!.async('string');
    expect(xml).toContain('2026年第四季度机构编制人员情况分析报告');
    for (const who of [spec, unitLeader]) {
      for (const url of ['/api/reports/quarterly.docx?quarter=2026Q4', '/api/reports/quarterly.pdf?quarter=2026Q4', '/api/analysis/quarterly/2026Q4']) {
        const res = await get(who, url);
        expect(res.statusCode, url).toBe(403);
        expect(res.json().error).toMatch(/编办/);
      }
    }
    const bad = await get(admin, '/api/reports/quarterly.pdf?quarter=2026-12');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('quarter 应为');
  }, 120_000);

  it('the PDF', async () => {
    const r = await get(admin, '/api/reports/quarterly.pdf?quarter=2026Q4');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  }, 120_000);

  it('drafts fall back with a note when the model fails; office staff save, 分管领导 may not', async () => {
    const d = await send(admin, 'POST', '/api/analysis/negative-list/2026-11/draft', {});
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().draft).toMatchObject({ source: 'template', note: '大模型暂不可用，已使用模板文字', status: '草稿', mark: '草稿（模板文字，请核改）' });
    fake.mode = 'ok';
    const again = await send(admin, 'POST', '/api/analysis/negative-list/2026-11/draft', {});
    expect(again.json().draft).toMatchObject({ source: 'llm', model: 'm1', mark: '草稿（由大模型生成，请核改）' });
    expect((await send(leader, 'PUT', '/api/analysis/negative-list/2026-11', { text: '改' })).statusCode).toBe(403);
    expect((await send(spec, 'PUT', '/api/analysis/negative-list/2026-11', { text: '改' })).statusCode).toBe(403);
    const empty = await send(admin, 'PUT', '/api/analysis/negative-list/2026-11', { text: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toBe('分析文字不能为空');
    const saved = await send(admin, 'PUT', '/api/analysis/negative-list/2026-11', { text: '编办定稿' });
    expect(saved.json().draft).toMatchObject({ text: '编办定稿', status: '已定稿', mark: null, editedBy: 'demo-admin' });
    const read = (await get(leader, '/api/analysis/negative-list/2026-11')).json();
    expect(read).toMatchObject({ llmConfigured: true, draft: { text: '编办定稿', status: '已定稿' } });
    expect((await get(admin, '/api/analysis/negative-list/2026-13')).statusCode).toBe(400);
    expect((await get(admin, '/api/analysis/weekly/2026-11')).statusCode).toBe(400);
  });
});

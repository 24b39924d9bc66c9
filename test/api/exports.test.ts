// The console's units-and-people export and the import template (issue 11 item 17): office roles
// only; masked by default (no full number in it); full numbers only for FULL_ID_ROLES, one audit
// row per export with the count, and that workbook imports into a fresh database as the same rows.

import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHEETS } from '../../core/sheets.ts';
import { importData } from '../../db/import.ts';
import { createTestDb } from '../db/helpers.ts';
import { makeKeyable } from '../db/keyable.ts';
import { D0, login, startApp, type ApiTestApp } from './helpers.ts';

type Row = Record<string, any>;
let a: ApiTestApp;
let dir: string;

beforeAll(async () => {
  a = await startApp();
  await makeKeyable(a.t, D0);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-api-export-'));
}, 120_000);
afterAll(async () => {
  await a?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function book(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as any);
  return wb;
}

const count = async (table: string, db = a.t.db) => Number((await db(table).count({ n: '*' }))[0].n);

describe('GET /api/export/data and /api/template', () => {
  it('refuses unit roles', async () => {
    const zgy = await a.t.db('users').where({ role: '单位专管员' }).whereNotNull('unit_id').first();
    const s = await login(a.app, zgy.id);
    for (const url of ['/api/export/data', '/api/export/data?fullIds=1', '/api/template']) {
      const res = await a.app.inject({ method: 'GET', url, headers: s.read });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error).toMatch(/编办/);
    }
  });

  it('gives an office role without full-ID rights the masked export, and refuses (audited) the full one', async () => {
    const s = await login(a.app, 'demo-leader');
    const res = await a.app.inject({ method: 'GET', url: '/api/export/data', headers: s.read });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const wb = await book(res.rawPayload);
    expect(String(wb.worksheets[0].getCell('A1').value)).toMatch(/已脱敏.*不能用于导入/);
    const text = JSON.stringify(wb.getWorksheet('人员')!.getSheetValues());
    for (const p of await a.t.db('people').whereNotNull('id_enc').select('id_enc')) expect(text.includes(a.t.pii.decrypt(p.id_enc))).toBe(false);
    const full = await a.app.inject({ method: 'GET', url: '/api/export/data?fullIds=1', headers: s.read });
    expect(full.statusCode).toBe(403);
    expect(await a.t.db('audit_log').where({ actor: 'demo-leader', action: 'full_id_refused' }).first()).toBeTruthy();
    expect(await a.t.db('audit_log').where({ action: 'export_full_ids' }).first()).toBeUndefined();
  });

  it('gives 编办管理员 the full export, audited once with its count, which imports into a fresh database as the same rows', async () => {
    const s = await login(a.app, 'demo-admin');
    const res = await a.app.inject({ method: 'GET', url: '/api/export/data?fullIds=1', headers: s.read });
    expect(res.statusCode).toBe(200);
    const log: Row[] = await a.t.db('audit_log').where({ action: 'export_full_ids' });
    expect(log).toHaveLength(1);
    expect(log[0].actor).toBe('demo-admin');
    const people = await count('people');
    const workers = await count('workers');
    expect(JSON.parse(log[0].detail)).toMatchObject({ kind: 'all', via: 'console', people: people + workers });
    const file = path.join(dir, 'full.xlsx');
    fs.writeFileSync(file, res.rawPayload);
    const fresh = await createTestDb();
    try {
      const r = await importData(fresh.db, fresh.pii, file, { by: 'tester', today: D0 });
      expect(r.errors.slice(0, 5)).toEqual([]);
      for (const table of ['units', 'quotas', 'leader_posts', 'people', 'workers']) expect(await count(table, fresh.db), table).toBe(await count(table));
      const ids = async (db: typeof fresh, t: string) => (await db.db(t).select('id_enc')).map((r: Row) => db.pii.decrypt(r.id_enc)).sort();
      expect(await ids(fresh, 'people')).toEqual(await ids(a.t, 'people'));
    } finally {
      await fresh.close();
    }
  });

  it('downloads the empty template with the dictionary\'s headers', async () => {
    const s = await login(a.app, 'demo-leader');
    const res = await a.app.inject({ method: 'GET', url: '/api/template', headers: s.read });
    expect(res.statusCode).toBe(200);
    const wb = await book(res.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['填写说明', ...Object.keys(SHEETS)]);
    for (const [name, spec] of Object.entries(SHEETS)) {
      expect((wb.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1), name).toEqual([...spec.columns]);
      expect(wb.getWorksheet(name)!.rowCount, name).toBe(1);
    }
  });
});

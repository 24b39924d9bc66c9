// POST /api/import as a job: the server keeps answering while a large file imports, a file over
// the upload limit is refused whole, hostile workbooks and files are refused in Chinese, and the
// error workbooks are private to the user who imported (audited, expiring, swept).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peopleCsv, syntheticIdNumber } from '../fixtures/import-files.ts';
import { login, multipartBody, startApp, type ApiTestApp, type Session } from './helpers.ts';

type Row = Record<string, any>;

let a: ApiTestApp;
let admin: Session;
let staff: Session;
let unitCode: string;
const workDir = path.join(os.tmpdir(), 'sanse');

beforeAll(async () => {
  a = await startApp();
  admin = await login(a.app, 'demo-admin');
  staff = await login(a.app, 'demo-staff-01');
  unitCode = (await a.t.db('units').orderBy('id').first()).code;
});
afterAll(async () => {
  await a?.close();
});

const count = async (table: string) => Number((await a.t.db(table).count({ n: '*' }).first())!.n);

function upload(s: Session, fileName: string, content: Buffer, type?: string) {
  const body = multipartBody('file', fileName, content, type);
  return a.app.inject({ method: 'POST', url: '/api/import', headers: { ...s.write, ...body.headers }, payload: body.payload });
}

/** Polls a job until it ends; `during` runs between polls while it has not. */
async function waitFor(s: Session, id: string, during?: () => Promise<void>): Promise<Row> {
  for (;;) {
    const res = await a.app.inject({ method: 'GET', url: `/api/import/${id}`, headers: s.read });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    if (view.state === 'done' || view.state === 'failed') return view;
    if (during) await during();
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function runImport(s: Session, fileName: string, content: Buffer, type?: string): Promise<Row> {
  const res = await upload(s, fileName, content, type);
  expect(res.statusCode, res.body).toBe(202);
  return waitFor(s, res.json().id);
}

describe('the server keeps answering', () => {
  it('answers /api/health within a second, again and again, while a 20,000-row import runs; progress is reported', async () => {
    const rows = 20_000;
    const people = await count('people');
    const res = await upload(admin, '人员.csv', peopleCsv(rows, { unitCode: () => unitCode, name: (i) => `导入测试${i}` }), 'text/csv');
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ state: expect.stringMatching(/^(queued|running)$/), fileName: '人员.csv' });

    const latencies: number[] = [];
    const phases = new Set<string>();
    const job = await waitFor(admin, res.json().id, async () => {
      const started = performance.now();
      const health = await a.app.inject({ method: 'GET', url: '/api/health' });
      latencies.push(performance.now() - started);
      expect(health.json()).toEqual({ ok: true });
      const view = (await a.app.inject({ method: 'GET', url: `/api/import/${res.json().id}`, headers: admin.read })).json();
      phases.add(view.progress.phase);
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(job.state, JSON.stringify(job)).toBe('done');
    expect(job.result.counts.people.created).toBe(rows);
    expect(job.progress).toMatchObject({ phase: 'done', read: rows, validated: rows, written: rows, total: rows });
    expect(await count('people')).toBe(people + rows);
    // Answered while the import ran (not only before or after it), each within a generous bound.
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect([...phases].some((p) => p === 'write' || p === 'validate' || p === 'read')).toBe(true);
  }, 300_000);
});

describe('refusals', () => {
  it('refuses a file over the upload limit whole (413) and writes nothing', async () => {
    const header = '统一社会信用代码,身份证号,姓名\r\n';
    const row = `${unitCode},${syntheticIdNumber(90_001)},超限\r\n`;
    const size = 20 * 1024 * 1024 + 79;
    const body = Buffer.alloc(size, 0x20);
    body.write(header, 0);
    let at = Buffer.byteLength(header);
    for (let i = 0; at + 80 < size; i++) {
      const line = `${unitCode},${syntheticIdNumber(100_000 + i)},超限${i}\r\n`;
      at += body.write(line, at);
    }
    body.write(row, size - Buffer.byteLength(row));
    const people = await count('people');
    const uploadsBefore = fs.readdirSync(workDir).filter((n) => n.startsWith(`upload-${process.pid}-`)).length;
    const res = await upload(admin, '人员.csv', body, 'text/csv');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(413);
    expect(res.json().error).toBe('文件过大，最大 20 MB。请拆分后分批导入');
    expect(await count('people')).toBe(people);
    expect(fs.readdirSync(workDir).filter((n) => n.startsWith(`upload-${process.pid}-`)).length).toBe(uploadsBefore);
  }, 120_000);

  it('refuses the XFD workbook in Chinese, naming the sheet, row and column, and stays up', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员');
    ws.getCell('XFD1').value = 'x';
    for (let r = 2; r <= 3001; r++) ws.getCell(`A${r}`).value = r;
    const job = await runImport(admin, 'xfd.xlsx', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/^工作表“人员”第1行第XFD列有内容，超出了该表允许的列数/);
    expect((await a.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('refuses binary garbage named 人员.csv and a damaged workbook, in Chinese', async () => {
    let seed = 11;
    const garbage = Buffer.from(Buffer.alloc(32 * 1024).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff));
    const g = await runImport(admin, '人员.csv', garbage, 'text/csv');
    expect(g).toMatchObject({ state: 'failed' });
    expect(g.error).toMatch(/^“人员\.csv”不是文本格式的 CSV 文件/);

    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('人员').addRow(['统一社会信用代码', '身份证号', '姓名']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    buf.fill(0x41, 100, 2000);
    const res = await upload(admin, 'damaged.xlsx', buf);
    const answer = res.statusCode === 202 ? (await waitFor(admin, res.json().id)).error : res.json().error;
    expect(answer).toBe('无法读取工作簿：文件已损坏或不是 .xlsx 格式');
  });
});

describe('error workbooks', () => {
  let url: string;
  let file: string;

  it('are kept with their job in the database (none left on the disk), bound to the user who imported: another office user cannot fetch the job or the file', async () => {
    const csv = `统一社会信用代码,身份证号,姓名\r\n${unitCode},${syntheticIdNumber(95_000)},\r\n`;
    const res = await upload(admin, '人员.csv', Buffer.from(csv), 'text/csv');
    const job = await waitFor(admin, res.json().id);
    expect(job.result.ok).toBe(false);
    url = job.result.errorFile;
    file = path.basename(url);
    expect(fs.existsSync(path.join(workDir, 'import-errors', file))).toBe(false);
    expect(fs.statSync(path.join(workDir, 'import-errors')).mode & 0o777).toBe(0o700);
    const stored = await a.t.db('import_jobs').where({ id: res.json().id }).first();
    expect(stored).toMatchObject({ kind: 'people', owner: 'demo-admin', state: 'done', error_file: file });
    // Stored encrypted (it holds the upload's ID numbers in full): neither the zip nor the number shows.
    const sealed = Buffer.from(stored.error_bytes);
    expect(sealed.subarray(0, 2).toString('latin1')).not.toBe('PK');
    expect(sealed.toString('latin1')).not.toContain(syntheticIdNumber(95_000));

    expect((await a.app.inject({ method: 'GET', url: `/api/import/${res.json().id}`, headers: staff.read })).statusCode).toBe(404);
    const other = await a.app.inject({ method: 'GET', url, headers: staff.read });
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toMatch(/[\u4e00-\u9fff]/);
    expect(await a.t.db('audit_log').where({ actor: 'demo-staff-01', action: 'import_errors_refused' }).first()).toBeTruthy();
  });

  it('audits every download by its owner', async () => {
    const before = await a.t.db('audit_log').where({ actor: 'demo-admin', action: 'download_import_errors' }).count({ n: '*' }).first();
    const dl = await a.app.inject({ method: 'GET', url, headers: admin.read });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['cache-control']).toBe('no-store');
    // The workbook itself, decrypted: the 错误说明 copy of the upload.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(dl.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toContain('人员');
    const after = await a.t.db('audit_log').where({ actor: 'demo-admin', action: 'download_import_errors' }).orderBy('id', 'desc');
    expect(after.length).toBe(Number(before!.n) + 1);
    expect(JSON.parse(after[0].detail)).toMatchObject({ file: path.basename(url), source: '人员.csv' });
  });

  it('expire after an hour, their jobs are purged after a day, and leftovers of a crashed run are swept at startup', async () => {
    await a.t.db('import_jobs').where({ error_file: file }).update({ errors_expire_at: Date.now() - 1000 });
    expect((await a.app.inject({ method: 'GET', url, headers: admin.read })).statusCode).toBe(404);
    // A job of two days ago: its row goes at the next start (and at the next import).
    await a.t.db('import_jobs').where({ error_file: file }).update({ created_at: Date.now() - 2 * 24 * 3600_000 });
    // An error workbook left on the disk by a process killed before it stored it.
    const leftFile = path.join(workDir, 'import-errors', `${'ab'.repeat(16)}.xlsx`);
    fs.writeFileSync(leftFile, 'x');
    const oldTime = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(leftFile, oldTime, oldTime);

    // An upload folder of a process that is gone, as a crash leaves it.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const left = path.join(workDir, `upload-${dead}-crash`);
    fs.mkdirSync(path.join(left, '人员.csv'), { recursive: true });
    fs.writeFileSync(path.join(left, '人员.csv', '人员.csv'), 'x');
    const again = await startApp({ db: a.t });
    try {
      expect(fs.existsSync(left)).toBe(false);
      expect(fs.existsSync(leftFile)).toBe(false);
      expect(await a.t.db('import_jobs').where({ error_file: file }).first()).toBeUndefined();
    } finally {
      await again.close();
    }
  });
});

describe('jobs run by another instance (the row in import_jobs)', () => {
  const row = (id: string, o: Record<string, unknown>) => ({
    id, kind: 'people', file_name: '人员.csv', owner: 'demo-admin', instance: 'other-host/4242/0badcafe', state: 'running',
    progress: JSON.stringify({ phase: 'write', read: 10, validated: 10, written: 4, total: 10 }), heartbeat_at: Date.now(), created_at: Date.now(), ...o,
  });
  const poll = (id: string, s: Session = admin) => a.app.inject({ method: 'GET', url: `/api/import/${id}`, headers: s.read });

  it('are read from the row: running while its instance beats, interrupted once it has not beaten for 30 s, only for their owner', async () => {
    const live = `0badcafe${'1'.repeat(16)}`;
    const silent = `0badcafe${'2'.repeat(16)}`;
    await a.t.db('import_jobs').insert([row(live, {}), row(silent, { heartbeat_at: Date.now() - 31_000 })]);
    const running = await poll(live);
    expect(running.statusCode).toBe(200);
    expect(running.json()).toMatchObject({ id: live, state: 'running', fileName: '人员.csv', progress: { phase: 'write', written: 4 } });
    const lost = await poll(silent);
    expect(lost.statusCode).toBe(404);
    expect(lost.json().error).toMatch(/已中断.*未写入任何数据/);
    expect((await poll(live, staff)).statusCode).toBe(404);
    // A feed job is not a workbook import's.
    expect((await a.app.inject({ method: 'GET', url: `/api/feeds/import/${live}`, headers: admin.read })).statusCode).toBe(404);

    // It ends on its instance: the poll here gives the stored result.
    await a.t.db('import_jobs').where({ id: live }).update({ state: 'done', ended_at: Date.now(), heartbeat_at: Date.now() - 3600_000, result: JSON.stringify({ ok: true, errors: [], errorCount: 0 }) });
    expect((await poll(live)).json()).toMatchObject({ state: 'done', result: { ok: true, errorCount: 0 } });
  });
});

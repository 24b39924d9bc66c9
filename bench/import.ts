// bench:import — a large 人员.csv through POST /api/import on a listening server, with
// /api/health asked every 200 ms meanwhile (over HTTP, as a load balancer would).
//
//   npm run bench:import [-- --rows 200001 --db sqlite|mysql]
//
// Prints the import's time by phase (read, validate, write), its result, and the health
// latency during it (p50, p95, max, and how many answers took over 1 s). One JSON line at the end.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { seedDemo } from '../db/demo/seed.ts';
import { createPiiCipher } from '../db/pii.ts';
import { buildApp } from '../main/app.ts';
import { loadConfig } from '../server/config.ts';
import { peopleCsv } from '../test/fixtures/import-files.ts';

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string', default: '200001' },
    db: { type: 'string', default: 'sqlite' },
    mysql: { type: 'string', default: process.env.SANSE_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306' },
  },
});
const rows = Number(a.rows);
process.env.LOG_LEVEL ??= 'silent';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-import-'));
const url = a.db === 'mysql' ? `${a.mysql}/sanse_bench_import` : `sqlite:${path.join(tmp, 'bench.db')}`;
if (a.db === 'mysql') {
  const admin = openDb(`${a.mysql}/mysql`);
  await admin.raw('DROP DATABASE IF EXISTS `sanse_bench_import`');
  await admin.destroy();
  await ensureMysqlDatabase(url);
}
const db = openDb(url);
await migrate(db);
const pii = createPiiCipher(crypto.randomBytes(16).toString('hex'));
await seedDemo(db, pii, { units: 30, people: 30, seed: 1, today: '2026-11-23' });
const units = [...new Set((await db('units').whereNotNull('code').select('code')).map((u) => u.code as string).filter(Boolean))];

const csv = peopleCsv(rows - 1, { unitCode: (i) => units[i % units.length], name: (i) => `测试${i}`, status: '在编' });

const app = await buildApp({ config: loadConfig({ PLATFORM: 'sandbox', HOST: '127.0.0.1', PORT: '0' }), db, pii, close: async () => {} });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const login = await fetch(`${base}/auth/sandbox/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'demo-admin' }) });
const cookie = login.headers.get('set-cookie')!.split(';')[0];
const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;

const latencies: number[] = [];
let stop = false;
const sampler = (async () => {
  while (!stop) {
    const t = performance.now();
    await fetch(`${base}/api/health`).then((r) => r.json());
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
})();

const form = new FormData();
form.append('file', new Blob([csv], { type: 'text/csv' }), '人员.csv');
const started = performance.now();
const post = await fetch(`${base}/api/import`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf }, body: form });
const postMs = performance.now() - started;
const posted = (await post.json()) as { id?: string; error?: string };
if (!posted.id) throw new Error(`POST /api/import answered ${post.status}: ${JSON.stringify(posted)}`);
const id = posted.id;
const phaseAt: Record<string, number> = {};
let job: { state: string; progress: { phase: string }; result?: { ok: boolean; counts: { people: unknown } }; error?: string };
for (;;) {
  job = (await (await fetch(`${base}/api/import/${id}`, { headers: { cookie } })).json()) as typeof job;
  if (!job.progress) {
    console.error('GET /api/import/:id:', JSON.stringify(job));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    continue;
  }
  phaseAt[job.progress.phase] ??= performance.now() - started;
  if (job.state === 'done' || job.state === 'failed') break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
const totalMs = performance.now() - started;
stop = true;
await sampler;
await app.close();
await db.destroy();
fs.rmSync(tmp, { recursive: true, force: true });

latencies.sort((x, y) => x - y);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]);
const out = {
  firstErrors: (job.result as { errors?: Array<{ message: string }> } | undefined)?.errors?.slice(0, 3).map((e) => e.message),
  rows, db: a.db, bytes: csv.length, state: job.state, ok: job.result?.ok ?? false, error: job.error ?? null, people: job.result?.counts.people,
  postMs: Math.round(postMs), totalMs: Math.round(totalMs),
  phasesStartMs: Object.fromEntries(Object.entries(phaseAt).map(([k, v]) => [k, Math.round(v)])),
  health: { samples: latencies.length, p50: pct(0.5), p95: pct(0.95), max: Math.round(latencies[latencies.length - 1] ?? 0), over1s: latencies.filter((l) => l > 1000).length },
};
console.log(`导入 ${rows.toLocaleString('en-US')} 行（${(csv.length / 1024 / 1024).toFixed(1)} MB）：${(totalMs / 1000).toFixed(1)} s，上传应答 ${out.postMs} ms；/api/health p50 ${out.health.p50} ms，p95 ${out.health.p95} ms，最大 ${out.health.max} ms（超过 1 s：${out.health.over1s} 次）`);
console.log(JSON.stringify(out));

// What the audit trail costs (issue 17): one audit() row (the MAC and the INSERT, the extra
// round trip a person view pays), the sealer's throughput, and verify's, on a fresh database.
// Run: node --import tsx bench/audit.ts [--db sqlite|mysql] [--rows 20000]

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { audit, registerAuditKey, sealAuditChain, verifyAuditChain } from '../db/audit.ts';
import { ensureMysqlDatabase, migrate, openDb } from '../db/connection.ts';
import { createPiiCipher } from '../db/pii.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'sqlite' }, rows: { type: 'string', default: '20000' } } });
const N = Number(values.rows);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function main() {
  const tag = crypto.randomBytes(3).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanse-bench-audit-'));
  const url = values.db === 'mysql' ? `${process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306'}/sanse_bench_audit_${tag}` : `sqlite:${dir}/audit.db`;
  if (values.db === 'mysql') await ensureMysqlDatabase(url);
  const db = openDb(url);
  try {
    await migrate(db);
    const pii = createPiiCipher('5a6e5365c0ffee00112233445566778a');
    registerAuditKey(db, pii);
    // The MAC alone.
    const row = { at: '2026-12-06 10:00:00', actor: 'demo-admin', action: 'view_person', entity: 'person', entity_id: 123, unit_id: 45, ip: '10.0.0.1', detail: null };
    const key = pii.deriveKey('sanse:audit-chain');
    let t = performance.now();
    for (let i = 0; i < 100_000; i++) crypto.createHmac('sm3', key).update(JSON.stringify(Object.values(row))).digest('hex');
    console.log(`row MAC (HMAC-SM3 of the canonical row): ${((performance.now() - t) / 100).toFixed(1)} µs each (100,000)`);
    const each: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await audit(db, 'demo-admin', 'view_person', 'person', i, undefined, { unitId: 45, ip: '10.0.0.1' });
      each.push(performance.now() - t0);
    }
    console.log(`audit() on ${values.db}, ${N} rows one by one: p50 ${pct(each, 50).toFixed(3)} ms, p95 ${pct(each, 95).toFixed(3)} ms`);
    t = performance.now();
    const s = await sealAuditChain(db);
    console.log(`sealAuditChain: ${s.sealed} rows in ${((performance.now() - t) / 1000).toFixed(2)} s`);
    t = performance.now();
    const v = await verifyAuditChain(db);
    console.log(`verifyAuditChain: ${v.rows} rows in ${((performance.now() - t) / 1000).toFixed(2)} s, ok=${v.ok}`);
  } finally {
    if (values.db === 'mysql') await db.raw(`DROP DATABASE IF EXISTS \`sanse_bench_audit_${tag}\``);
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The audit trail's integrity as the 数据安全管理员's page and the daily retention job read it:
// the latest rows chained first (as `sanse audit verify` does), then the whole chain checked
// (db/audit.ts verifyAuditChain), the first broken row named with its time and action in Chinese.
// Also the unit look-up of the page's filter (names and codes only: least privilege).

import type { Knex } from 'knex';
import { actionLabel, type AuditIntegrity } from '../core/audit-console.ts';
import { sealAuditChain, verifyAuditChain } from './audit.ts';
import { nowMoment } from './clock.ts';
import type { PiiCipher } from './pii.ts';


export async function checkAuditIntegrity(db: Knex, opts: { pii?: PiiCipher } = {}): Promise<AuditIntegrity> {
  await sealAuditChain(db, { pii: opts.pii, noWait: true }).catch(() => undefined);
  const v = await verifyAuditChain(db, { pii: opts.pii });
  const b = v.broken;
  return {
    ok: v.ok,
    rows: v.rows + v.unsealed,
    unsealed: v.unsealed,
    problems: v.problems,
    broken: b ? { id: b.id, seq: b.seq, at: b.at, action: b.action, actionLabel: b.action ? actionLabel(b.action) : null, problem: b.problem } : null,
    checkedAt: nowMoment(),
  };
}

/** The verdict in one Chinese sentence (the page's status line, the office's message). */
export function integrityText(r: AuditIntegrity): string {
  if (r.ok) return `审计日志完整性：已校验 ${r.rows} 行，完整 ✓`;
  const b = r.broken!;
  const where = b.id != null ? `第 ${b.id} 行（${b.at ?? '时间不明'}，${b.actionLabel ?? '操作不明'}）` : `链序号 ${b.seq ?? ''} 处`;
  return `审计日志完整性：✗ ${where}${b.problem} — 共 ${r.problems} 处问题，请按应急预案处理`;
}

/** Units whose name or code contains `q` (at most `limit`), id, name and code only. */
export async function findUnitsByName(db: Knex, q: string, limit = 20): Promise<Array<{ id: number; name: string; code: string }>> {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db('units').where('name', 'like', like).orWhere('code', 'like', like).orderBy('name').limit(limit).select('id', 'name', 'code');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name), code: String(r.code ?? '') }));
}

export type { AuditIntegrity };

// The demo county's audit history (issue 17): the office's last two months of logins, record views,
// full-ID views, exports and edits' decisions, dated back over the working days, so the
// 数据安全管理员's 审计日志 and 月度排查 have something real to show. One 编办业务人员 (demo-staff-02)
// views far more full ID numbers in the previous month than anyone (the 排查 flags them). Each row
// is signed as audit() signs it (db/audit.ts rowMac with the key derived from the PII key), only
// its time is set in the past; the chain is sealed afterwards by the sealer as for any row.

import type { Knex } from 'knex';
import { addMonthsToMonth, monthOf } from '../../core/dates.ts';
import type { IsoDate } from '../../core/model.ts';
import { AUDIT_KEY_LABEL, rowMac } from '../audit.ts';
import type { PiiCipher } from '../pii.ts';
import { loadCalendar } from '../settings.ts';

type Row = Record<string, unknown>;

/** A small deterministic generator (the demo is the same every time). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Working days of a month 'YYYY-MM' (the office's calendar: holidays left out, make-up days in). */
function workdays(month: string, isWorkday: (day: string) => boolean): string[] {
  const [y, m] = month.split('-').map(Number);
  const out: string[] = [];
  for (let d = 1; d <= 31; d++) {
    const dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCMonth() !== m - 1) break;
    if (isWorkday(`${month}-${pad(d)}`)) out.push(`${month}-${pad(d)}`);
  }
  return out;
}

/** Writes the history of the two months before `today`'s; returns how many rows. */
export async function seedAuditHistory(db: Knex, pii: PiiCipher, today: IsoDate, seed = 17): Promise<number> {
  const key = pii.deriveKey(AUDIT_KEY_LABEL);
  const cal = await loadCalendar(db);
  const isWorkday = (d: string) => cal.isWorkday(d);
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const office = (await db('users').whereIn('role', ['编办管理员', '编办业务人员', '分管领导']).orderBy('id').select('id', 'role')) as Row[];
  const officeIds = office.map((u) => String(u.id));
  const people = (await db('people').orderBy('id').limit(300).select('id', 'unit_id')) as Row[];
  if (!officeIds.length || !people.length) return 0;
  const unusual = officeIds.includes('demo-staff-02') ? 'demo-staff-02' : officeIds[officeIds.length - 1];
  const current = monthOf(today);
  const months = [addMonthsToMonth(current, -2), addMonthsToMonth(current, -1)];
  const rows: Row[] = [];
  const at = (day: string, hourFrom = 8, hourTo = 17) => `${day} ${pad(hourFrom + Math.floor(r() * (hourTo - hourFrom)))}:${pad(Math.floor(r() * 60))}:${pad(Math.floor(r() * 60))}`;
  const ip = () => `10.20.${1 + Math.floor(r() * 8)}.${10 + Math.floor(r() * 200)}`;
  const put = (o: { at: string; actor: string; action: string; entity?: string | null; entityId?: number | null; unitId?: number | null; detail?: unknown }) => {
    rows.push({
      at: o.at, actor: o.actor, action: o.action, entity: o.entity ?? null, entity_id: o.entityId ?? null, unit_id: o.unitId ?? null,
      ip: ip(), detail: o.detail === undefined ? null : JSON.stringify(o.detail),
    });
  };
  for (const month of months) {
    const days = workdays(month, isWorkday);
    for (const day of days) {
      // Each office user logs in most working days and looks at a few records.
      for (const u of officeIds) {
        if (r() < 0.35) continue;
        put({ at: at(day, 8, 10), actor: u, action: 'login', entity: 'user', detail: { door: pick(['dingtalk-qr', 'dingtalk-miniapp', 'zhengding-miniapp']) } });
        const views = 1 + Math.floor(r() * 3);
        for (let i = 0; i < views; i++) {
          const p = pick(people);
          put({ at: at(day), actor: u, action: 'view_person', entity: 'person', entityId: Number(p.id), unitId: Number(p.unit_id), detail: { via: 'miniapp' } });
        }
        if (r() < 0.08) {
          const p = pick(people);
          put({ at: at(day), actor: u, action: 'view_full_id', entity: 'person', entityId: Number(p.id), unitId: Number(p.unit_id), detail: { via: 'miniapp' } });
        }
        if (r() < 0.05) put({ at: at(day), actor: u, action: 'export', detail: { kind: 'findings', rows: 40 + Math.floor(r() * 400), via: 'console' } });
      }
    }
    // Now and then a refused login (a wrong or expired code).
    for (let i = 0; i < 3; i++) put({ at: at(pick(days)), actor: pick(officeIds), action: 'login_refused', entity: 'user', detail: { door: 'dingtalk-qr', reason: 'bad_code' } });
  }
  // The unusual one: in the previous month, dozens of full-ID views across many units, some late.
  const prev = months[1];
  const prevDays = workdays(prev, isWorkday);
  for (let i = 0; i < 72; i++) {
    const p = people[(i * 7) % people.length];
    const late = i % 6 === 0;
    put({ at: at(prevDays[i % prevDays.length], late ? 19 : 9, late ? 23 : 17), actor: unusual, action: 'view_full_id', entity: 'person', entityId: Number(p.id), unitId: Number(p.unit_id), detail: { via: 'miniapp' } });
  }
  put({ at: at(prevDays[prevDays.length - 2]), actor: unusual, action: 'export', detail: { kind: 'people', rows: 380, via: 'console' } });
  rows.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const signed = rows.map((row) => ({ ...row, key_id: pii.keyId, row_mac: rowMac(key, row) }));
  for (let i = 0; i < signed.length; i += 200) await db('audit_log').insert(signed.slice(i, i + 200));
  return signed.length;
}

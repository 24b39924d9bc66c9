// A unit with 分管领导 and staffing requests passed at 初审, waiting for the approval card: for the
// approval card's tests on each platform (DingTalk, Zheng-Ding, sandbox), on the real database.

import { idCheckChar } from '../../core/idnumber.ts';
import type { Delivery } from '../../core/outbound.ts';
import type { RequestActor, RequestDeps } from '../../commands/request-effects.ts';
import { reviewRequest } from '../../commands/review-request.ts';
import { submitRequest } from '../../commands/submit-request.ts';
import { personRow } from '../../db/store.ts';
import type { TestDb } from '../db/helpers.ts';

export const TODAY = '2026-11-23';
const AT = '2026-01-01 00:00:00';
export const CODE = '11330603MB0000009X';
export const BASE = 'http://127.0.0.1:3000';

export interface ApprovalFixture {
  deps: RequestDeps;
  unitId: number;
  /** A retired person of the unit, a 减人出编 for them submitted and passed at 初审. */
  reviewed(): Promise<{ id: number; no: string; personHash: string }>;
  /** Adds `n` more people 在编 to the unit (a bigger unit for the re-check that follows an approval). */
  grow(n: number): Promise<void>;
  /** The outbox rows of a request's card or messages, oldest first, as deliveries. */
  outbox(requestId: number, op?: Delivery['op']): Promise<Array<{ dedupKey: string; delivery: Delivery }>>;
}

export async function approvalFixture(t: TestDb): Promise<ApprovalFixture> {
  const deps: RequestDeps = { db: t.db, pii: t.pii, today: TODAY, publicBaseUrl: BASE };
  const [unitId] = (await t.db('units').insert({ code: CODE, name: '审批测试局', region_code: '330603', region_name: '柯桥区', level: '正科级', created_at: AT, updated_at: AT })).map(Number);
  await t.db('quotas').insert({ unit_id: unitId, kind: '行政编制', approved: 50 });
  await t.db('users').insert([
    { id: 'spec', name: '专管员小王', role: '单位专管员', unit_id: unitId, created_at: AT, updated_at: AT },
    { id: 'clerk', name: '业务科小李', role: '编办业务人员', created_at: AT, updated_at: AT },
    { id: 'lead1', name: '张主任', role: '分管领导', created_at: AT, updated_at: AT },
    { id: 'lead2', name: '赵主任', role: '分管领导', created_at: AT, updated_at: AT },
  ]);
  const actor = async (id: string): Promise<RequestActor> => {
    const u = await t.db('users').where({ id }).first();
    return { id, role: u.role, scope: u.role === '单位专管员' ? [unitId] : null };
  };
  let seq = 11;
  return {
    deps,
    unitId,
    async reviewed() {
      const body = `33060319600315${String(seq).padStart(3, '0')}`;
      seq += 2; // odd: 男, 60 in 2020
      const idNumber = body + idCheckChar(body);
      const row = personRow({ unitCode: CODE, idNumber, name: `老周${seq}`, gender: '男', status: '在编', quotaKind: '行政编制', identity: '干部', enteredOn: '2010-01-01', workStartOn: '1980-07-01', birthDate: '1960-03-15', education: '大学本科', leaderLevel: '非领导' } as any, unitId, t.pii, TODAY);
      await t.db('people').insert({ ...row, created_at: AT, updated_at: AT });
      const s = await submitRequest(deps, { actor: await actor('spec'), request: { 申请类型: '减人出编', 统一社会信用代码: CODE, 身份证号: idNumber, 出编原因: '退休', 出编日期: '2026-11-20', 申请理由: '已到退休年龄' } });
      await reviewRequest(deps, { actor: await actor('clerk'), id: s.id, decision: 'pass', comment: '材料齐全' });
      return { id: s.id, no: s.no, personHash: t.pii.hash(idNumber) };
    },
    async grow(n) {
      await t.db('quotas').where({ unit_id: unitId }).increment('approved', n);
      const rows = [];
      for (let i = 0; i < n; i++) {
        const body = `330603${1970 + (i % 30)}0${1 + (i % 9)}1${i % 10}${String(500 + i).padStart(3, '0')}`;
        const row = personRow({ unitCode: CODE, idNumber: body + idCheckChar(body), name: `职工${i}`, gender: Number(body[16]) % 2 ? '男' : '女', status: '在编', quotaKind: '行政编制', identity: '干部', enteredOn: '2000-01-01', workStartOn: '1995-07-01', birthDate: `${body.slice(6, 10)}-${body.slice(10, 12)}-${body.slice(12, 14)}`, education: '大学本科', leaderLevel: '非领导' } as any, unitId, t.pii, TODAY);
        rows.push({ ...row, created_at: AT, updated_at: AT });
      }
      for (let i = 0; i < rows.length; i += 100) await t.db('people').insert(rows.slice(i, i + 100));
    },
    async outbox(requestId, op) {
      const q = t.db('outbox').where('dedup_key', 'like', `request:${requestId}:%`).orderBy('id').select('dedup_key', 'payload');
      if (op) q.where({ op });
      return (await q).map((r) => ({ dedupKey: r.dedup_key, delivery: JSON.parse(r.payload) as Delivery }));
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveDataSet } from '../../db/store.ts';
import { createTestDb, type TestDb } from './helpers.ts';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); });
afterAll(async () => { await t.close(); });

const meta = { by: 'tester', source: '测试', today: '2026-11-23' };

describe('versioned writes', () => {
  it('stores ID numbers encrypted and keeps a version for every change', async () => {
    const data = {
      units: [{ code: '11330603002482189K', name: '柯桥区测试局', regionCode: '330603', nature: '政府机关', level: '正科级', funding: '全额拨款' }],
      quotas: [{ unitCode: '11330603002482189K', kind: '行政编制', approved: 10 }],
      people: [{ unitCode: '11330603002482189K', idNumber: '11010519491231002x', name: '张三', status: '在编', quotaKind: '行政编制' }],
    };
    const first = await t.db.transaction((trx) => saveDataSet(trx, t.pii, data, meta));
    expect(first.people.created).toBe(1);
    const row = await t.db('people').first();
    expect(JSON.stringify(row)).not.toContain('11010519491231002');
    expect(t.pii.decrypt(row.id_enc)).toBe('11010519491231002X');
    expect(row.id_hash).toBe(t.pii.hash('11010519491231002X'));
    expect(row.id_masked).toBe('110105***********X');
    expect(Boolean(row.id_irregular)).toBe(true);

    const again = await t.db.transaction((trx) => saveDataSet(trx, t.pii, data, meta));
    expect(again.people).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(again.units.unchanged).toBe(1);

    const changed = { ...data, people: [{ ...data.people[0], name: '张三丰' }] };
    const third = await t.db.transaction((trx) => saveDataSet(trx, t.pii, changed, { ...meta, reason: '更正姓名' }));
    expect(third.people.updated).toBe(1);
    const versions = await t.db('record_versions').where({ entity: 'person', entity_id: row.id }).orderBy('version');
    expect(versions).toHaveLength(2);
    expect(JSON.parse(versions[1].before)).toEqual({ name: '张三' });
    expect(JSON.parse(versions[1].after)).toEqual({ name: '张三丰' });
    expect(versions[1].reason).toBe('更正姓名');
    expect(JSON.stringify(versions)).not.toContain('11010519491231002');
  });

  it('rolls back everything when a row refers to an unknown unit', async () => {
    const before = await t.db('people').count({ n: '*' }).first();
    await expect(t.db.transaction((trx) => saveDataSet(trx, t.pii, {
      people: [
        { unitCode: '11330603002482189K', idNumber: '440524188001010014', name: '李四', status: '在编' },
        { unitCode: '12330603MB12345621', idNumber: '34052419800101001X', name: '王五', status: '在编' },
      ],
    }, meta))).rejects.toThrow(/不存在/);
    const after = await t.db('people').count({ n: '*' }).first();
    expect(Number(after!.n)).toBe(Number(before!.n));
  });
});

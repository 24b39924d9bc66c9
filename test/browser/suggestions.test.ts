// Issue 18 in a real browser (Chromium, phone 390×844): 自动修正 — a unit's 专管员 opens a person
// whose 性别 disagrees with a valid ID number and whose 所在处室 differs from a 内设机构 only by a
// full-width space; the form offers both as chips; taking them fills the fields and stores nothing;
// saving (the reason pre-filled, editable) writes one version and both findings turn green.
// 首录负责制 — the record shows 首录/最后修改, the portrait who entered the unit's people, and the
// office finds the edited record in 首录人查询 (console, 1440 wide). Screenshots: suggest-*.png.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayInShanghai } from '../../core/dates.ts';
import { recheckRecord } from '../../commands/daily-check.ts';
import type { RunningSanse } from './app.ts';
import { HAVE_CHROMIUM, openMiniApp, sandboxLogin, type Phone } from './phone.ts';
import { sandboxWithPhone } from './sandbox-phone.ts';
import { makeIdNumber } from '../../core/rules/testing.ts';

const COUNTY = { units: 30, people: 400, seed: 5, today: '2026-11-23' };
const POLL = { timeout: 15_000, interval: 100 };
type Row = Record<string, any>;

describe.skipIf(!HAVE_CHROMIUM)('suggested fixes and 首录人 (Chromium, phone and console)', () => {
  let s: RunningSanse;
  let phone: Phone;
  let page: Page;
  const db = () => s.ctx.db;
  let person: Row;
  let specialist: Row;
  const versions = async () => Number((await db()('record_versions').where({ entity: 'person', entity_id: person.id }).count({ n: '*' }).first())!.n);
  const openFinding = async (rule: string) => db()('findings').where({ rule, entity_id: person.id, scope: 'person', status: 'open' }).first();

  const world = sandboxWithPhone(COUNTY);
  beforeAll(async () => {
    ({ s, phone, page } = world);
    const specialists: Row[] = await db()('users').where({ role: '单位专管员' }).whereNotNull('unit_id').orderBy('id');
    for (const u of specialists) {
      const p = await db()('people').where({ unit_id: u.unit_id, id_kind: '18', id_check_ok: true, id_province_ok: true, id_birth_invalid: false, id_irregular: false })
        .whereNotNull('id_gender').where((q) => q.whereNull('leader_level').orWhereNotIn('leader_level', ['单位正职', '单位副职'])).orderBy('id').first();
      if (p && !u.locked) { person = p; specialist = u; break; }
    }
    expect(person, `a person with a valid ID among ${specialists.length} specialists' units`).toBeTruthy();
    // The roster's mistakes: the sex against the number, the office with a full-width space.
    await db()('units').where({ id: person.unit_id }).update({ internal_offices: '办公室、政策法规科、综合科' });
    await db()('people').where({ id: person.id }).update({ gender: person.id_gender === '男' ? '女' : '男', office: '政策\u3000法规科' });
    await recheckRecord(db(), { personHash: person.id_hash }, todayInShanghai());
    person = await db()('people').where({ id: person.id }).first();
    expect(await openFinding('P-ID-09')).toBeTruthy();
    expect(await openFinding('P-ST-08')).toBeTruthy();
  }, 180_000);

  it('offers the fixes as chips; taking them fills the fields only; saving with the pre-filled reason writes one version and the findings resolve', async () => {
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, `/person/${person.id}`);
    const chip = page.locator('[data-testid="suggest-性别"]');
    await chip.waitFor();
    expect(await chip.textContent()).toContain(`建议改为 ${person.id_gender}（依据身份证号）`);
    expect(await page.locator('[data-testid="suggest-所在处室"]').textContent()).toContain('建议改为 政策法规科');
    // 首录/最后修改 on the record: the demo data's entry.
    expect(await page.locator('[data-testid="provenance-first"]').textContent()).toContain('首录：系统导入');
    await chip.scrollIntoViewIfNeeded();
    await phone.shot('suggest-01-chips');

    const before = { versions: await versions(), row: await db()('people').where({ id: person.id }).first() };
    await page.locator('[data-testid="take-性别"]').tap();
    await page.locator('[data-testid="suggest-所在处室"]').scrollIntoViewIfNeeded();
    // A field typed to the suggested value is not offered 采用 again: it waits for 保存.
    await page.locator('[data-testid="field-所在处室"]').fill('政策法规科');
    expect(await page.locator('[data-testid="take-所在处室"]').count()).toBe(0);
    expect(await page.locator('[data-testid="suggest-所在处室"]').textContent()).toContain('已采用，待保存');
    await page.locator('[data-testid="field-所在处室"]').fill('政策\u3000法规科');
    await page.locator('[data-testid="take-所在处室"]').tap();
    expect(await page.locator('[data-testid="field-性别"]').inputValue()).toBe(person.id_gender);
    expect(await page.locator('[data-testid="field-所在处室"]').inputValue()).toBe('政策法规科');
    expect(await page.locator('[data-testid="change-count"]').textContent()).toBe('已修改 2 项');
    expect(await page.locator('[data-testid="suggest-性别"]').textContent()).toContain('已采用，待保存');
    await phone.shot('suggest-02-taken');
    // Nothing stored yet.
    expect(await versions()).toBe(before.versions);
    expect(await db()('people').where({ id: person.id }).first()).toEqual(before.row);

    await page.locator('[data-testid="save"]').tap();
    const reason = page.locator('[data-testid="reason"]');
    await reason.waitFor();
    expect(await reason.inputValue()).toBe('按系统建议：依据身份证号修正性别；按系统建议：所在处室按本单位内设机构名称规范填写');
    await phone.shot('suggest-03-reason');
    await reason.fill('按系统建议：依据身份证号修正性别，已核对身份证');
    await page.locator('[data-testid="confirm-save"]').tap();
    await page.locator('[data-testid="saved"]').waitFor();
    expect(await versions()).toBe(before.versions + 1);
    const last = await db()('record_versions').where({ entity: 'person', entity_id: person.id }).orderBy('version', 'desc').first();
    expect(last).toMatchObject({ changed_by: specialist.id, source: '小程序修改', reason: '按系统建议：依据身份证号修正性别，已核对身份证' });
    expect(await db()('people').where({ id: person.id }).first()).toMatchObject({ gender: person.id_gender, office: '政策法规科' });
    await expect.poll(async () => !(await openFinding('P-ID-09')) && !(await openFinding('P-ST-08')), POLL).toBe(true);
    await expect.poll(() => page.locator('[data-testid="resolved"]').count(), POLL).toBe(2);
    // Taking the suggestions opened no other finding on the record.
    expect(await db()('findings').where({ entity_id: person.id, scope: 'person', status: 'open' }).whereIn('rule', ['P-ST-08', 'P-ST-09', 'P-ID-09']).count({ n: '*' }).first().then((r: any) => Number(r.n))).toBe(0);
    // Without a reload: the chips are gone and 最后修改 names the specialist (the save's answer).
    expect(await page.locator('[data-testid^="suggest-"]').count()).toBe(0);
    expect(await page.locator('[data-testid="provenance-last"]').textContent()).toContain(`最后修改：${specialist.name}（单位专管员）`);
    expect(await page.locator('[data-testid="provenance"]').textContent()).not.toContain('此后未修改');
    // And the same after a reload.
    await openMiniApp(page, s.url, `/person/${person.id}`);
    await page.locator('[data-testid="provenance-last"]').waitFor();
    expect(await page.locator('[data-testid^="suggest-"]').count()).toBe(0);
    expect(await page.locator('[data-testid="provenance-last"]').textContent()).toContain(`最后修改：${specialist.name}（单位专管员）`);
    await page.locator('[data-testid="provenance"]').scrollIntoViewIfNeeded();
    await phone.shot('suggest-04-provenance');
  }, 120_000);

  it('the 编外人员 form offers the sex from a valid ID number the same way; the unit record shows its 首录', async () => {
    const w = await db()('workers').where({ unit_id: person.unit_id, id_kind: '18', id_check_ok: true, id_province_ok: true, id_birth_invalid: false }).whereNotNull('id_gender').orderBy('id').first()
      ?? await db()('workers').whereIn('unit_id', db()('users').where({ id: specialist.id }).select('unit_id')).first();
    if (w && w.id_kind === '18' && w.id_check_ok) {
      await db()('workers').where({ id: w.id }).update({ gender: w.id_gender === '男' ? '女' : '男' });
      const count = async () => Number((await db()('record_versions').where({ entity: 'worker', entity_id: w.id }).count({ n: '*' }).first())!.n);
      const n = await count();
      await openMiniApp(page, s.url, `/worker/${w.id}`);
      await page.locator('[data-testid="suggest-性别"]').waitFor();
      await page.locator('[data-testid="take-性别"]').tap();
      expect(await page.locator('#f-性别').inputValue()).toBe(w.id_gender);
      expect(await count()).toBe(n);
      await page.locator('[data-testid="suggest-性别"]').scrollIntoViewIfNeeded();
      await phone.shot('suggest-07-worker');
      await page.locator('[data-testid="save"]').tap();
      expect(await page.locator('[data-testid="reason"]').inputValue()).toBe('按系统建议：依据身份证号修正性别');
      await page.locator('[data-testid="confirm-save"]').tap();
      await page.locator('[data-testid="saved"]').waitFor();
      expect(await count()).toBe(n + 1);
      expect((await db()('workers').where({ id: w.id }).first()).gender).toBe(w.id_gender);
    }
    await openMiniApp(page, s.url, `/unit/${person.unit_id}`);
    await page.locator('[data-testid="unit-provenance"]').waitFor();
    // No platform jargon on the unit's record: the 工作群 field is explained in Chinese.
    expect(await page.locator('main').textContent()).not.toContain('openConversationId');
    expect(await page.locator('[data-testid="unit-provenance"]').textContent()).toContain('首录：系统导入');
    await page.locator('[data-testid="unit-provenance"]').scrollIntoViewIfNeeded();
    await phone.shot('suggest-08-unit-record');
  }, 120_000);

  it('the portrait shows who entered the unit’s people; the office finds the changed record in 首录人查询', async () => {
    await openMiniApp(page, s.url, `/portrait/${person.unit_id}`);
    await page.locator('[data-testid="portrait-entrants"]').waitFor();
    const n = Number((await db()('people').where({ unit_id: person.unit_id }).count({ n: '*' }).first())!.n);
    const counts = await page.locator('[data-testid="entrant-count"]').allTextContents();
    expect(counts.map(Number).reduce((x, y) => x + y, 0)).toBe(n);
    expect(await page.locator('[data-testid="portrait-provenance"]').textContent()).toContain('首录：系统导入');
    await page.locator('[data-testid="portrait-entrants"]').scrollIntoViewIfNeeded();
    await phone.shot('suggest-05-portrait-entrants');

    await page.setViewportSize({ width: 1440, height: 900 });
    await sandboxLogin(page, s.url, 'demo-admin');
    await openMiniApp(page, s.url, '/console/provenance');
    await page.locator('[data-testid="fe-user"]').fill(specialist.name);
    await page.locator('[data-testid="fe-kind"]').selectOption('last');
    await page.locator('[data-testid="fe-entity"]').selectOption('person');
    await page.locator('[data-testid="fe-search"]').click();
    await page.locator('[data-testid="fe-results"]').waitFor();
    const rows = page.locator('[data-testid="fe-row"]');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    expect(await rows.first().getAttribute('data-id')).toBe(String(person.id));
    expect(await rows.first().textContent()).toContain(person.id_masked);
    await phone.shot('suggest-06-console-search');
    await rows.first().locator('a').first().click();
    await page.waitForURL(new RegExp(`#/person/${person.id}$`));
    await page.setViewportSize({ width: 390, height: 844 });
    // Once everything of the unit is fixed, #/todo?unit=ID still names the unit (not its id).
    await db()('findings').where({ unit_id: person.unit_id }).whereIn('status', ['open', 'pending']).update({ status: 'resolved' });
    const unitRow = await db()('units').where({ id: person.unit_id }).first('name');
    await openMiniApp(page, s.url, `/todo?unit=${person.unit_id}`);
    await expect.poll(() => page.locator('[data-testid="unit-filter"]').textContent(), POLL).toContain(`仅显示：${unitRow.name}`);
    await phone.shot('suggest-09-todo-unit-done');
    expect(phone.pageErrors).toEqual([]);
  }, 120_000);

  it('the 增人入编 form offers the 性别 and 出生日期 of the typed ID number as the user types, before 提交', async () => {
    await sandboxLogin(page, s.url, specialist.id);
    await openMiniApp(page, s.url, `/requests/new?kind=${encodeURIComponent('增人入编')}&unit=${person.unit_id}`);
    await page.locator('[data-testid="entry-form"]').waitFor();
    await page.locator('[data-testid="req-身份证号"]').fill(makeIdNumber('19950808', '女'));
    await page.locator('[data-testid="req-性别"]').selectOption('男');
    await page.locator('[data-testid="req-出生日期"]').fill('1995-08-18');
    const sex = page.locator('[data-testid="entry-form"] [data-testid="suggest-性别"]');
    await sex.waitFor();
    expect(await sex.textContent()).toContain('建议改为 女');
    const birth = page.locator('[data-testid="entry-form"] [data-testid="suggest-出生日期"]');
    expect(await birth.textContent()).toContain('建议改为 1995-08-08');
    expect(await birth.textContent()).toContain('请先核对人事档案，档案与身份证不一致时以档案为准');
    await sex.scrollIntoViewIfNeeded();
    await phone.shot('suggest-10-entry-request');
    await page.locator('[data-testid="entry-form"] [data-testid="take-性别"]').tap();
    expect(await page.locator('[data-testid="req-性别"]').inputValue()).toBe('女');
    await expect.poll(() => sex.count(), POLL).toBe(0);
    expect(phone.pageErrors).toEqual([]);
  }, 60_000);
});

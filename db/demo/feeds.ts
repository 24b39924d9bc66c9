// The demo county's feeds from the other departments (issue 16, domain.md §5.9): a 社保 roster of
// the last complete month, three months of 工资统发 and one batch of 组织部任免 documents, as the
// rows of their import sheets (core/feed-sheets.ts column names). Pure and deterministic from the
// county's seed: it watches the stream of generatePeople (compact facts of each person, no record
// kept) and plants the differences of the X rules (DEFECTS in generate.ts lists them, planned).
// db/demo/seed.ts writes the rows through the real import (db/feeds.ts importFeed), so they are
// stored, hashed and resolved to units exactly as an imported file's.
//
// Also the one person 在编 who is registered as 编外 too (X-ED-01): a worker record for seed.ts.

import { addDays, addMonthsToMonth, monthOf } from '../../core/dates.ts';
import { nameMatch } from '../../core/feed-match.ts';
import { idFacts, normaliseIdNumber } from '../../core/idnumber.ts';
import type { WorkerInput } from '../../core/inputs.ts';
import type { IsoDate } from '../../core/model.ts';
import { isLeaderPost } from '../../core/rules/cross-system.ts';
import { compareDates } from '../../core/rules/util.ts';
import {
  birthForAge, DEFECT_SHARES, drawIdParts, type GeneratedCounty, type GeneratedRecord, hash32, idFromParts, nextSeq, personName, Rng,
} from './generate.ts';

/** One row of a feed sheet: column name (core/feed-sheets.ts) → cell text. */
export type FeedSheetRow = Record<string, string>;

export interface DemoFeedFile {
  /** The version month (社保, 组织部任免); 工资统发 rows carry their own 月份. */
  month: string;
  /** The file name feed_imports keeps. */
  fileName: string;
  /** When the office imported it (feed_imports.at). */
  at: string;
  rows: FeedSheetRow[];
}

export interface DemoFeeds {
  si: DemoFeedFile;
  payroll: DemoFeedFile[];
  appointments: DemoFeedFile;
  /** 编外 records of people 在编 elsewhere (X-ED-01): the unit index and the record. */
  workers: Array<{ unit: number; worker: WorkerInput }>;
  /** Planted differences per rule code. */
  planted: Record<string, number>;
  /** Feed rows without a valid ID number planted for candidate matching (a person's name read alike, or the same). */
  candidates: number;
}

interface Seen {
  unit: number;
  id: string;
  name: string;
  gender: '男' | '女';
  birth: IsoDate;
  status: string;
  leader: string | null;
  posts: string | null;
  rank: string | null;
  since: IsoDate | null;
  clean: boolean;
}

/** Characters read alike (the 读音相同 of core/feed-match.ts): a payroll clerk's typing. */
const HOMOPHONES: Record<string, string> = {
  明: '鸣', 伟: '玮', 华: '骅', 丽: '莉', 军: '君', 静: '婧', 芳: '方', 敏: '闽', 红: '虹', 平: '萍', 杰: '洁', 涛: '滔', 斌: '彬', 燕: '艳',
  强: '蔷', 磊: '垒', 洋: '阳', 勇: '永', 俊: '骏', 峰: '锋', 霞: '侠', 刚: '钢', 辉: '晖', 婷: '庭', 玲: '铃', 波: '博', 建: '健', 文: '雯',
  林: '琳', 海: '凯', 晓: '筱', 佳: '嘉', 宇: '雨', 欣: '昕', 亮: '靓', 鹏: '朋', 琴: '芹', 云: '芸', 梅: '玫', 兰: '岚', 东: '冬', 飞: '菲',
};
const RANK_UP: Record<string, string> = {
  一级科员: '四级主任科员', 四级主任科员: '三级主任科员', 三级主任科员: '二级主任科员', 二级主任科员: '一级主任科员', 一级主任科员: '四级调研员',
  九级职员: '八级职员', 八级职员: '七级职员',
};

/** A wrong check character for an 18-digit number (a typing slip). */
function wrongCheck(id: string): string {
  const c = id[17];
  return id.slice(0, 17) + (c === '9' ? '1' : c === 'X' ? '3' : String((Number(c) + 4) % 10));
}

const docNo = (date: IsoDate, n: number) => `柯委干〔${date.slice(0, 4)}〕${n}号`;

/** Collects the stream's people (pass every record to `add`), then `done` gives the feeds. */
export function createFeedPlanner(county: GeneratedCounty): { add: (r: GeneratedRecord) => void; done: () => DemoFeeds } {
  const o = county.options;
  const today = o.today;
  const people: Seen[] = [];
  const ids = new Set<string>();
  const workerOf = new Map<number, WorkerInput>();
  const add = (r: GeneratedRecord) => {
    if (r.type === 'worker') {
      if (!r.defects.length && !workerOf.has(r.unit) && !r.directInsert) workerOf.set(r.unit, r.worker);
      const v = normaliseIdNumber(r.worker.idNumber).value;
      if (v) ids.add(v);
      return;
    }
    const p = r.person;
    const id = normaliseIdNumber(p.idNumber).value;
    if (id) ids.add(id);
    const f = idFacts(id, today);
    // A number the feeds' import would not hash (no number, a wrong check digit, 17 digits) is
    // not listed: the other department holds the right one, which the roster does not know.
    if (!((f.kind === '18' && f.checkOk) || f.kind === '15')) return;
    people.push({
      unit: r.unit, id, name: p.name, gender: p.gender === '女' ? '女' : '男', birth: (p.birthDate ?? f.birth ?? '') as IsoDate, status: p.status ?? '',
      leader: p.leaderLevel && p.leaderLevel !== '非领导' ? p.leaderLevel : null, posts: p.posts ?? null, rank: p.rank ?? null, since: p.currentPostSince ?? null,
      clean: r.defects.length === 0 && !r.directInsert && f.kind === '18' && !!f.birth && p.birthDate === f.birth,
    });
  };
  const done = (): DemoFeeds => {
    const rng = new Rng(hash32(o.seed, 0x5eed, 0xfeed));
    const planted: Record<string, number> = {};
    const bump = (code: string) => { planted[code] = (planted[code] ?? 0) + 1; };
    const plan = county.plan;
    const unitCols = (u: number) => ({ 统一社会信用代码: plan[u].code, name: plan[u].name });
    const last = addMonthsToMonth(monthOf(today), -1);
    const payMonths = [-2, -1, 0].map((n) => addMonthsToMonth(last, n));
    /** An import's moment: that day at that time, or the day before today's if that day is not past yet. */
    const atOf = (d: string, time: string) => `${compareDates(d, today) >= 0 ? addDays(today, -1) : d} ${time}`;

    // ---- who differs (clean 在编 non-leaders, each at most once)
    const staff = people.filter((p) => p.clean && p.status === '在编' && !p.leader);
    const used = new Set<Seen>();
    const draw = (n: number, ok: (p: Seen) => boolean = () => true): Seen[] => {
      const out: Seen[] = [];
      for (let tries = 0; out.length < n && tries < n * 200 && staff.length; tries++) {
        const p = staff[rng.int(0, staff.length - 1)];
        if (used.has(p) || !ok(p)) continue;
        used.add(p);
        out.push(p);
      }
      return out;
    };
    const share = (s: number, min: number) => Math.max(min, Math.round(staff.length * s));
    const siMissing = new Set(draw(share(DEFECT_SHARES['X-SI-01'], 2)));
    const older = (p: Seen) => compareDates(p.birth, addDays(today, -365 * 54)) <= 0;
    const pension = new Map(draw(share(DEFECT_SHARES['X-SI-03'], 2), older).map((p, i) => [p, i % 2 ? '领取待遇' : '退休']));
    const paused = new Set(draw(share(0.004, 1)));
    const unpaid = new Set(draw(share(DEFECT_SHARES['X-PY-02'], 2)));
    const otherPay = new Map<Seen, number>();
    for (const p of draw(share(DEFECT_SHARES['X-PY-03'], 2))) {
      // paid by another unit of the county: one of the same parent when there is one
      const sibs = plan.filter((q) => q.index !== p.unit && q.size > 0 && !q.directInsert && q.code && (q.parent === plan[p.unit].parent || q.index === plan[p.unit].parent));
      const pool = sibs.length ? sibs : plan.filter((q) => q.index !== p.unit && q.size > 0 && !q.directInsert && q.code);
      if (pool.length) otherPay.set(p, rng.pick(pool).index);
    }
    // rows without a valid ID number: a homophone of the person's name (or the same name) and a wrong check digit
    const variants = new Map<Seen, { name: string; kind: '社保' | '工资统发' }>();
    for (const p of draw(12)) {
      if (variants.size >= 4) break;
      const chars = [...p.name];
      let name = p.name;
      for (let i = chars.length - 1; i >= 1; i--) {
        const h = HOMOPHONES[chars[i]];
        if (!h) continue;
        const v = [...chars.slice(0, i), h, ...chars.slice(i + 1)].join('');
        if (nameMatch(v, p.name) === '读音相同') { name = v; break; }
      }
      if (name === p.name && variants.size < 3) continue; // the last one may keep the name as it is
      variants.set(p, { name, kind: variants.size % 2 ? '工资统发' : '社保' });
    }
    // X-ED-01: one person 在编 registered as 编外 in another unit too
    const workers: DemoFeeds['workers'] = [];
    for (const p of draw(1, (q) => !older(q))) {
      const hosts = [...workerOf.entries()].filter(([u]) => u !== p.unit);
      if (!hosts.length) break;
      const [unit, w] = hosts[rng.int(0, hosts.length - 1)];
      workers.push({ unit, worker: { ...w, idNumber: p.id, name: p.name, gender: p.gender } });
      bump('X-ED-01');
    }

    // fresh people no roster holds (X-SI-02, X-PY-01)
    const fresh = (n: number, salt: number): Array<{ id: string; name: string; birth: IsoDate; unit: number }> => {
      const out = [];
      const units = plan.filter((q) => q.size > 0 && !q.directInsert && q.code);
      for (let i = 0; i < n && units.length; i++) {
        const fr = new Rng(hash32(o.seed, salt, i, 0xfee0));
        const gender: '男' | '女' = fr.chance(0.5) ? '男' : '女';
        const birth = birthForAge(fr, today, fr.int(24, 50));
        let parts = drawIdParts(fr, gender, birth);
        while (ids.has(idFromParts(parts))) parts = { ...parts, seq: nextSeq(parts.seq) };
        ids.add(idFromParts(parts));
        out.push({ id: idFromParts(parts), name: personName(fr, gender), birth, unit: fr.pick(units).index });
      }
      return out;
    };

    // ---- 社保 (the last complete month)
    const si: FeedSheetRow[] = [];
    const siRow = (p: { id: string; name: string; unit: number; birth: IsoDate }, status: string, from: string) => {
      const u = unitCols(p.unit);
      si.push({ 身份证号: p.id, 姓名: p.name, 参保单位: u.name, 统一社会信用代码: u.统一社会信用代码, 出生日期: p.birth, 参保状态: status, 起始月份: from, 终止月份: '' });
    };
    const siSeen = new Set<string>();
    for (const p of people) {
      if (p.status !== '在编' || siMissing.has(p) || siSeen.has(`${p.unit}|${p.id}`)) continue;
      siSeen.add(`${p.unit}|${p.id}`);
      const v = variants.get(p);
      const from = addMonthsToMonth(last, -rng.int(6, 240));
      if (v?.kind === '社保') {
        siRow({ ...p, id: wrongCheck(p.id), name: v.name }, '参保', from);
        continue;
      }
      siRow(p, pension.get(p) ?? (paused.has(p) ? '暂停' : '参保'), from);
    }
    for (const p of siMissing) bump('X-SI-01');
    for (const p of pension.keys()) bump('X-SI-03');
    for (const f of fresh(3, 0x51)) { siRow(f, '参保', addMonthsToMonth(last, -rng.int(1, 5))); bump('X-SI-02'); }
    // a unit the social-insurance office writes by another name, without a code: the import lists it as not found
    const gone = fresh(1, 0x52)[0];
    if (gone) si.push({ 身份证号: gone.id, 姓名: gone.name, 参保单位: '柯桥区城乡规划设计所（已撤并）', 统一社会信用代码: '', 出生日期: gone.birth, 参保状态: '参保', 起始月份: addMonthsToMonth(last, -30), 终止月份: '' });

    // ---- 工资统发 (three months)
    const left = people.filter((p) => p.status === '已出编');
    const paidLeft = left.slice(0, Math.min(2, left.length));
    for (const _ of paidLeft) bump('X-PY-01');
    const paidFresh = fresh(2, 0x71);
    for (const _ of paidFresh) bump('X-PY-01');
    for (const _ of unpaid) bump('X-PY-02');
    for (const _ of otherPay) bump('X-PY-03');
    const amount = (p: Seen | { id: string }) => 5200 + (hash32(o.seed, Number(p.id.slice(10, 17)) || 0, 0xa) % 7800);
    const payroll: DemoFeedFile[] = payMonths.map((month) => {
      const rows: FeedSheetRow[] = [];
      const row = (p: { id: string; name: string; unit: number; birth: IsoDate }, unit: number, amt: number) => {
        const u = unitCols(unit);
        rows.push({ 身份证号: p.id, 姓名: p.name, 发薪单位: u.name, 统一社会信用代码: u.统一社会信用代码, 出生日期: p.birth, 月份: month, 应发: amt.toFixed(2), 是否发放: '是' });
      };
      const seenIds = new Set<string>();
      for (const p of people) {
        if (p.status !== '在编' || unpaid.has(p) || seenIds.has(p.id)) continue;
        seenIds.add(p.id);
        const v = variants.get(p);
        if (v?.kind === '工资统发') row({ ...p, id: wrongCheck(p.id), name: v.name }, p.unit, amount(p));
        else row(p, otherPay.get(p) ?? p.unit, amount(p));
      }
      for (const p of paidLeft) row(p, p.unit, amount(p));
      for (const f of paidFresh) row(f, f.unit, amount(f));
      return { month, fileName: `工资统发名单${month.replace('-', '年')}月.xlsx`, at: atOf(`${month}-16`, '10:12:00'), rows };
    });

    // ---- 组织部任免 (one batch, the last months)
    const appointments: FeedSheetRow[] = [];
    let n = 30 + rng.int(0, 20);
    const appoint = (p: Seen, post: string, rank: string, date: IsoDate, action = '任职') => {
      const u = unitCols(p.unit);
      appointments.push({ 身份证号: p.id, 姓名: p.name, 单位: u.name, 统一社会信用代码: u.统一社会信用代码, 出生日期: p.birth, 职务: post, 职级: rank, 任免: action, 文号: docNo(date, n++), 日期: date });
    };
    const firstPost = (p: Seen) => (p.posts ?? '').split(/[、,，;；\s]+/).filter(Boolean)[0] ?? '';
    const leaders = people.filter((p) => p.clean && p.status === '在编' && p.leader && p.rank && p.since && firstPost(p));
    const mid = leaders.filter((p) => p.leader?.startsWith('中层') && !isLeaderPost(firstPost(p)));
    const pickFrom = (list: Seen[], ok: (p: Seen) => boolean = () => true) => {
      for (let tries = 0; tries < 100 && list.length; tries++) {
        const p = list[rng.int(0, list.length - 1)];
        if (!used.has(p) && ok(p)) { used.add(p); return p; }
      }
      return null;
    };
    // as the roster has them (no finding): the documents of their current posts
    for (let i = 0; i < 4; i++) {
      const p = pickFrom(mid, (q) => compareDates(q.since!, addDays(today, -900)) > 0);
      if (p) appoint(p, firstPost(p), p.rank!, p.since!);
    }
    // X-OR-01: promoted by a recent document, the roster not updated
    for (let i = 0; i < 2; i++) {
      const p = pickFrom(mid, (q) => !!RANK_UP[q.rank!]);
      if (!p) continue;
      appoint(p, firstPost(p), RANK_UP[p.rank!], addDays(today, -rng.int(20, 45)));
      bump('X-OR-01');
    }
    // a 单位副职 appointed after an approved 领导职数使用 request (X-OR-01 only: the roster's 任现职时间 is older)
    const approvals = county.auxiliary.staffingRequests.filter((r) => r.kind === '领导职数使用' && (r.status === 'approved' || r.status === 'completed') && r.approvedOn
      && compareDates(r.approvedOn, addDays(today, -330)) >= 0 && compareDates(r.approvedOn, addDays(today, -40)) <= 0);
    const deputies = leaders.filter((p) => p.leader === '单位副职' && isLeaderPost(firstPost(p)));
    for (const a of approvals) {
      const p = pickFrom(deputies.filter((q) => q.unit === a.unit), (q) => compareDates(q.since!, a.approvedOn!) < 0);
      if (!p) continue;
      appoint(p, firstPost(p), p.rank!, addDays(a.approvedOn!, rng.int(7, 20)));
      bump('X-OR-01');
      break;
    }
    // X-OR-02: a 单位副职 appointed in a unit with no approved 领导职数使用 request
    const approvedUnits = new Set(county.auxiliary.staffingRequests.filter((r) => r.kind === '领导职数使用').map((r) => r.unit));
    const unapproved = pickFrom(deputies, (q) => !approvedUnits.has(q.unit));
    if (unapproved) {
      appoint(unapproved, firstPost(unapproved), unapproved.rank!, addDays(today, -rng.int(15, 35)));
      bump('X-OR-02');
      bump('X-OR-01');
    }
    // and a 免职 line, as every batch has
    const leaving = pickFrom(mid);
    if (leaving) appoint(leaving, firstPost(leaving), leaving.rank!, addDays(today, -rng.int(20, 45)), '免职');

    return {
      si: { month: last, fileName: `机关事业养老保险参保名单${last.replace('-', '年')}月.xlsx`, at: `${addDays(today, -1)} 16:40:00`, rows: si },
      payroll,
      appointments: { month: monthOf(today), fileName: `组织部任免文件汇总${today.slice(0, 4)}年第${1 + rng.int(3, 8)}批.xlsx`, at: atOf(addDays(today, -3), '15:05:00'), rows: appointments },
      workers,
      planted,
      candidates: variants.size,
    };
  };
  return { add, done };
}

// The daily check as a job of the registry: 08:30 on working days (Asia/Shanghai), slot = the
// day (daily-check@2026-12-07). Its work is the dailyCheck command; check_runs stays the check's
// own record (db/check-runs.ts), job_runs the slot's.

import type { Knex } from 'knex';
import { checkDoneOn, latestCheckedDate } from '../../db/check-runs.ts';
import { rotationInProgress } from '../../db/pii-rotation.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import type { Job } from './registry.ts';
import { workdaysAt } from './schedule.ts';

export const CHECK_TIME = '08:30';
export const DAILY_CHECK = 'daily-check';

export type DailyCheckResult = Awaited<ReturnType<typeof dailyCheck>> | { date: string; skipped: string };

export function dailyCheckJob(opts: {
  publicBaseUrl: string;
  /** Sends the alerts the check queued without waiting for the dispatcher's next poll. */
  kick?: () => void;
  log?: (msg: string) => void;
  /** The work (tests slow it down or make it fail); default: the dailyCheck command. */
  check?: (db: Knex, date: string, publicBaseUrl: string) => Promise<unknown>;
}): Job {
  const log = opts.log ?? ((m: string) => console.log(m));
  const check = opts.check ?? dailyCheck;
  return {
    name: DAILY_CHECK,
    title: '每日数据检查',
    schedule: workdaysAt(CHECK_TIME, DAILY_CHECK),
    summary(r) {
      const s = r as Awaited<ReturnType<typeof dailyCheck>>;
      if (!s?.findings) return '';
      const a = s.alerts;
      return `检查 ${s.units} 个单位、${s.people} 名人员：未整改问题 ${s.findings.open} 个（红灯 ${s.findings.byLight.red}，黄灯 ${s.findings.byLight.yellow}），新发现 ${s.findings.opened} 个，已整改 ${s.findings.resolved} 个${a ? `；工作群预警卡片 ${a.groupCards} 张，私信 ${a.directDigests} 条，领导汇总卡片 ${a.leaderCards} 张` : ''}`;
    },
    async run({ db, key: date, manual }) {
      if (!manual) {
        // A day already checked (by hand before 08:30, or by an earlier version) is not checked again by the schedule;
        // nor is a missed day once a later day has been checked (its findings and lights would go back in time).
        if (await checkDoneOn(db, date)) return { date, skipped: '当天已完成检查' };
        const latest = await latestCheckedDate(db);
        if (latest && latest > date) return { date, skipped: `已检查更晚的日期（${latest}）` };
      }
      // During a PII key rotation people and feed rows carry hashes of two keys: their joins would
      // open wrong cross-system findings, so the check waits for the rotation (sanse pii rotate).
      const rotation = await rotationInProgress(db);
      if (rotation) return { date, skipped: `身份证号密钥正在轮换（${rotation.startedAt} 开始，原密钥 ${rotation.from} → 新密钥 ${rotation.to}），本次检查跳过，以免半数散列未换时得出错误的比对结果；轮换完成后请运行 sanse check（或在控制台立即检查）` };
      const s = (await check(db, date, opts.publicBaseUrl)) as Awaited<ReturnType<typeof dailyCheck>>;
      opts.kick?.();
      if (s?.findings) log(`${date} 每日检查完成：未整改 ${s.findings.open} 个（黄灯 ${s.findings.byLight.yellow}，红灯 ${s.findings.byLight.red}，提示 ${s.findings.byLight.hint}），用时 ${s.ms} 毫秒`);
      return s;
    },
  };
}

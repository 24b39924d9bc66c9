// The 08:30 schedule of the daily check on working days, in-process (the embedded default).
// A run is recorded in check_runs, so a restart the same day does not check twice.

import type { Knex } from 'knex';
import { todayInShanghai } from '../../core/dates.ts';
import type { CheckSummary } from '../../db/check.ts';
import { checkDoneOn } from '../../db/check-runs.ts';
import { dailyCheck } from '../../commands/daily-check.ts';
import { loadCalendar } from '../../db/settings.ts';

export const CHECK_TIME = '08:30';

function shanghaiClock(now = Date.now()): { date: string; time: string } {
  const iso = new Date(now + 8 * 3600_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** Runs today's check if it is a working day, past 08:30, and no run finished today. */
export async function runDailyCheckIfDue(db: Knex, publicBaseUrl: string, now = Date.now(), log: (msg: string) => void = console.log): Promise<CheckSummary | null> {
  const { date, time } = shanghaiClock(now);
  if (time < CHECK_TIME) return null;
  const cal = await loadCalendar(db);
  if (!cal.isWorkday(date)) return null;
  if (await checkDoneOn(db, date)) return null;
  const s = await dailyCheck(db, date, publicBaseUrl);
  log(`${date} 每日检查完成：未整改 ${s.findings.open} 个（黄灯 ${s.findings.byLight.yellow}，红灯 ${s.findings.byLight.red}），用时 ${s.ms} 毫秒`);
  return s;
}

export function scheduleDailyCheck(db: Knex, publicBaseUrl: string, log: (msg: string) => void = console.log): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await runDailyCheckIfDue(db, publicBaseUrl, Date.now(), log);
    } catch (e) {
      log(`每日检查失败：${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, 60_000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}

export { todayInShanghai };

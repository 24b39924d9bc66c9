// `sanse serve`: migrate, seed the demo county on an empty embedded database, check today,
// schedule the daily check, and listen.

import { todayInShanghai } from '../core/dates.ts';
import { runCheck } from '../db/check.ts';
import { backdateDemoFindings } from '../db/demo/history.ts';
import { DEMO_DEFAULTS } from '../db/demo/generate.ts';
import { loadCalendar } from '../db/settings.ts';
import { buildApp } from './app.ts';
import { openContext } from './context.ts';
import { scheduleDailyCheck } from './jobs/daily-check.ts';

export async function serve(): Promise<void> {
  const ctx = await openContext();
  const { db, config } = ctx;
  const { isEmpty, seedDemo } = await import('../db/demo/seed.ts');
  if (config.platform === 'sandbox' && (await isEmpty(db))) {
    const today = todayInShanghai();
    console.log('数据库为空，正在生成演示县数据……');
    await seedDemo(db, ctx.pii, { ...DEMO_DEFAULTS, today });
    await runCheck(db, today);
    await backdateDemoFindings(db, today, await loadCalendar(db));
    const s = await runCheck(db, today);
    console.log(`演示数据已就绪：${s.units} 个单位，${s.people} 名人员；未整改问题 ${s.findings.open} 个`);
  }
  const stop = scheduleDailyCheck(db);
  const app = await buildApp(ctx);
  const close = async () => {
    stop();
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  console.log(`三色已启动：${config.publicBaseUrl}/`);
}

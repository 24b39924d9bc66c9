// `sanse serve`: migrate, seed the demo county on an empty embedded database, check today,
// start the chat platform and the outbox dispatcher, start the job registry (the lapse of 用编计划, the daily check), and listen.

import { auditKeepDays, startAuditSealer } from '../db/audit.ts';
import { todayInShanghai } from '../core/dates.ts';
import { closeInterruptedRuns } from '../db/check-runs.ts';
import { DEMO_DEFAULTS } from '../db/demo/generate.ts';
import { buildApp } from './app.ts';
import { seedDemoCounty } from '../commands/demo-county.ts';
import { openContext } from '../server/context.ts';
import { officeJobs } from '../server/jobs/office-jobs.ts';
import { createJobRunner } from '../server/jobs/index.ts';
import { startPlatform } from './platform.ts';

export async function serve(): Promise<void> {
  const ctx = await openContext();
  const { db, config } = ctx;
  // Refuses a retention under 180 days before anything starts.
  const keepDays = auditKeepDays();
  const { isEmpty } = await import('../db/demo/seed.ts');
  const { backupSettings } = await import('../commands/backup.ts');
  if (config.platform === 'sandbox' && (await isEmpty(db))) {
    const today = todayInShanghai();
    console.log('数据库为空，正在生成演示县数据……');
    const { check: s } = await seedDemoCounty(db, ctx.pii, { ...DEMO_DEFAULTS, today }, config.publicBaseUrl);
    console.log(`演示数据已就绪：${s.units} 个单位，${s.people} 名人员；未整改问题 ${s.findings.open} 个；预警卡片 ${s.alerts?.groupCards ?? 0} 张`);
  }
  // A check killed with the last process is closed as interrupted; the schedule runs that day again.
  await closeInterruptedRuns(db);
  const runtime = await startPlatform(config, db, { receive: true, pii: ctx.pii });
  // The registry's jobs: bull repeatable jobs with REDIS_URL, else timers here. Started in the
  // background: a missed slot's catch-up check must not hold up the server's start.
  const jobs = createJobRunner({ db, redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, jobs: officeJobs({ pii: ctx.pii, publicBaseUrl: config.publicBaseUrl, kick: runtime.kick, llm: config.llm, auditKeepDays: keepDays, backup: backupSettings(config) }) });
  jobs.start().catch((e) => console.error(`任务调度启动失败：${(e as Error).message}`));
  const app = await buildApp(ctx, runtime, { jobs });
  // Chains the audit rows every few seconds (db/audit.ts); several instances take turns.
  const sealer = startAuditSealer(db);
  const close = async () => {
    await sealer.stop();
    await jobs.stop();
    await app.close();
    await runtime.stop();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  runtime.kick();
  console.log(`三色已启动：${config.publicBaseUrl}/${config.platform === 'sandbox' ? '  沙箱工作群：' + config.publicBaseUrl + '/sandbox' : ''}`);
}

/** `sanse worker`: only sends the outbox (scale-out with Redis); no HTTP, no callbacks. */
export async function worker(): Promise<void> {
  const ctx = await openContext();
  const runtime = await startPlatform(ctx.config, ctx.db, { receive: false });
  const sealer = startAuditSealer(ctx.db);
  console.log(`发送进程已启动（${runtime.dispatcher.mode === 'redis' ? 'Redis 队列' : '进程内'}，每秒最多 ${ctx.config.sendRate} 条）`);
  const close = async () => {
    await sealer.stop();
    await runtime.stop();
    await ctx.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
}

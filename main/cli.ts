// The sanse command line: serve, check, findings, recheck, import, export, template, demo, retirement,
// requests, jobs, weekly, locks, feed, manual.
// Output for people is Chinese; --json prints one machine-readable value.

import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { DateInputError, todayInShanghai, validCheckDate, validDay, validMonth } from '../core/dates.ts';
import { normaliseIdNumber } from '../core/idnumber.ts';
import type { FindingLight } from '../core/model.ts';
import { formatRetirementAge, retirement, retirementCategory } from '../core/retirement.ts';
import { openContext, type AppContext } from '../server/context.ts';
import { piiKeyFile as piiKeyFileOf } from '../db/pii.ts';
import type { PiiCipher } from '../db/pii.ts';
import type { Sector } from '../core/unit-stats.ts';

const HELP = `用法：sanse <命令> [选项]

  serve                         启动服务（数据库为空时自动生成演示县数据）
  check [--date YYYY-MM-DD [--force]] [--json]
                                执行每日数据质量检查，亮黄灯、红灯、绿灯（日期限今天前31天至后7天，
                                --force 可检查此范围外的真实日期）
  findings [--status open|resolved|explained|all] [--unit 单位编号] [--json]
                                列出问题清单
  recheck --person 身份证号 | --unit 单位编号 [--json]
                                立即重新检查一条记录
  import 文件.xlsx|CSV文件夹 [--error-out 错误文件.xlsx] [--json]
                                导入数据（全部成功或全部不写入）
  feed import si|payroll|appointments 文件.xlsx|CSV文件夹 [--month YYYY-MM] [--error-out 错误文件.xlsx] [--json]
                                导入外部名单：社保（si）、工资统发（payroll）、组织部任免（appointments），
                                也可写中文名；--month 为社保、任免名单的版本月份（默认本月），工资统发按各行“月份”；
                                同一类型同一月份再次导入时替换该月的上一版本（全部成功或全部不写入）
  feed template si|payroll|appointments --out 文件.xlsx
                                导出外部名单的空白导入模板（表头、必填列、填写说明）
  feed versions [si|payroll|appointments] [--json]
                                列出外部名单各月的版本（行数、未对应单位、无效身份证号、导入人、是否已被替换）
  export findings|units|people|all --out 文件.xlsx [--unit 单位编号] [--status open|resolved|explained|all] [--full-ids]
  template --out 文件.xlsx
                                导出为 Excel
  （--unit 也可填统一社会信用代码，但仅当该代码只对应一个单位时有效）
  demo [--units N] [--people M] [--seed S] [--reset]
                                生成演示县数据
  rules [--json]                列出规则库（代码、名称、范围、严重程度、参数、是否启用）
  rules set 规则代码 [--disable | --enable] [--param 名称=值 …]
                                停用、启用规则或修改规则参数（本编办配置）
  retirement --gender 男|女 --identity 干部|工人 --birth YYYY-MM [--json]
                                计算法定退休年龄和退休年月
  requests submit --file 申请.json --as 用户ID [--json]
                                提交机构编制事项申请（用编计划、增人入编、减人出编、领导职数使用）
  requests review 申请编号 --pass|--return|--reject [--comment 意见] --as 用户ID
                                初审（编办业务人员）
  requests decide 申请编号 --approve|--reject [--comment 意见] --as 用户ID
                                终审（分管领导）
  requests list [--state 状态] [--json]
                                列出申请及其审批步骤
  requests expire [--date YYYY-MM-DD] [--json]
                                使已过有效期的用编计划过期、释放未使用的编制（每个工作日 08:20 自动运行）
  locks [--active] [--json]     账号锁定清单（每月自查不足锁定的单位专管员账号、原因、解锁记录）
  unlock 用户ID --note 说明 --as 编办管理员用户ID
                                解锁账号（仅编办管理员，须填写说明，记入操作日志）
  weekly [--date YYYY-MM-DD] --out 文件.xlsx [--send] [--json]
                                导出每周督办清单（红灯单位、逾期问题、暂停办理单位、超时未办申请、
                                本月未自查单位）；--send 同时发送到编办工作群和各单位工作群（每周只发一次，
                                每周第一个工作日 09:00 自动发送）
  notices run [--half 2026H2] [--date YYYY-MM-DD] [--json]
                                半年交叉检查与书面函告：为上一个半年度（或 --half 指定的半年度）超期未整改、
                                反复出错的单位各发一份编号函告（每个单位每半年一份，重复运行不重发；
                                每年1月、7月第一个工作日 09:20 自动运行）
  notices list [--half 2026H2] [--state open|replied|overdue|closed] [--json]
                                列出书面函告及回复情况（未回复、已回复、逾期未回复、已办结）
  jobs [--json]                 列出计划任务：排程、上次运行、下次运行
                                （--json 输出 [{name, schedule, lastRun, nextRun}]）
  jobs set 任务名 --time HH:MM | --off | --on
                                修改计划任务的运行时间（北京时间），或停用、启用（本编办配置，记入审计日志）
  jobs run 任务名 [--date YYYY-MM-DD] [--json]
                                立即手动运行一次计划任务并等待结束
  jobs runs 任务名 [--limit N] [--json]
                                列出计划任务最近的运行记录
  jobs show 运行编号 [--json]   查看一次运行的详情及其发出的消息（发往哪个群或哪些人、是否送达）
  calendar [--year YYYY] [--json]
                                工作日历：该年本编办录入的休息日、调休上班日，及该年节假日安排是否已知
  calendar set YYYY-MM-DD[,YYYY-MM-DD…] --off|--work [--note 说明] --as 编办管理员用户ID
                                把这些日期设为休息日（--off）或工作日/调休上班（--work），记入操作日志
  calendar unset YYYY-MM-DD[,…] --as 编办管理员用户ID
                                取消这些日期的调整（恢复国务院办公厅安排或周一至周五）
  score --month YYYY-MM [--json] [--force]
                                月度评分与排名：每个单位从100分倒扣（完整度、准确度、及时度、自查），
                                已结束的月份评一次并保存（--force 重新评分），本月为截至今天的得分（不保存）
  forecast --years N [--from YYYY-MM] [--unit 单位编号] [--sector 教育|卫生|其他] [--json]
                                退休预测：窗口内（起始月起 N 年）退休的在编人员，按年度（首尾年度可能不满12个月）、
                                领域、编制类型和单位统计，并列出各单位现有空编和窗口结束时的空编（编制缺口）
  report monthly --month YYYY-MM [--name 报表名称] --out 文件.xlsx
                                月度分析报表：本月为现在生成；以往月份为当月保存的报表（每月第一个工作日 08:25 自动生成上月报表）；
                                不加 --name 时导出全部报表（文件名后加报表代号）
  snapshot keygen --out 目录      生成本区县的快照签名密钥对（snapshot-signing.key 私钥留在区县，.pub 公钥交市编办登记）
  snapshot export --month YYYY-MM --out 文件.json.gz [--region 区划代码]
                                区县：导出本区县当月快照（单位、编制、领导职数、人员；身份证号仅含哈希和脱敏号），用 SNAPSHOT_SIGNING_KEY 签名
  snapshot trust --region 区划代码 --key 文件.pub
                                市级：登记（或更换）某区县的公钥
  snapshot import 文件 [--json]  市级：校验签名后导入区县快照；同一文件再次导入不作任何改动，同月另一文件替换原版本
  snapshot list [--json]         市级：各区县已导入的快照及其版本
  report quarterly --quarter YYYYQn --out 文件.docx|文件.pdf
                                生成季度分析报告（Word 或 PDF，按文件扩展名；PDF 需 chromium）
  report annual --year YYYY --out 文件.xlsx
                                生成年度编制使用决算报表（各单位各编制类型的年初、年末核定和实有，年内入编、出编和核定增减）
  report unit-annual --year YYYY --unit 单位ID --out 文件.docx|文件.xlsx
                                生成某单位的年度机构编制报告草稿（Word，或其中各表的 Excel）
  manual office|unit --out 文件.pdf [--json]
                                生成用户操作手册 PDF：office《编办用户操作手册》、unit《部门(单位)用户操作手册》（A4，含目录和截图；需 chromium）
  audit verify [--json]         校验审计日志是否完整（逐行核对签名和链），发现被修改、删除、调换或伪造的行时指出第一处并返回 1
  audit list [--since YYYY-MM-DD] [--actor 用户ID] [--action 操作] [--limit N] [--json]
                                列出审计日志（最新的在前，默认200行）
  ranking publish --month YYYY-MM --as 用户ID
                                发布该月红黑榜（前10名、后10名）到各单位工作群和编办工作群（编办管理员、编办业务人员）
  pii keygen                    生成一把新的身份证号加密密钥（32位十六进制），用于密钥轮换
  pii rotate [--batch N] [--json]
                                轮换身份证号密钥：PII_KEY 设为新密钥、PII_KEY_PREVIOUS 设为原密钥后运行，
                                分批（默认每批1000行）重新加密身份证号、重算散列，不停机；中断后再次运行从中断处继续
  pii status [--json]           密钥编号及轮换进度
  doctor [--json]               检查生产环境配置（数据库、Redis、平台凭据、PUBLIC_BASE_URL、密钥、备份、审计链），
                                逐项用中文说明问题和改法；有问题时退出码为1
  audit review --month YYYY-MM [--json]
                                审计日志月度排查：统计该月每人查看完整身份证号、导出、登录被拒、非工作时间操作，
                                按规则列出异常人员，保存排查结果并发送到编办工作群（每月只排查、发送一次；
                                每月第一个工作日 09:10 自动排查上月）
  backup now [--full|--incremental] [--json]
                                立即备份（加密、校验）：全量，或接续最近一次备份的增量（默认增量；
                                MariaDB 未开启二进制日志时改为全量）；每月1日、16日 02:00 自动全量，每天 02:30 自动增量
  backup list [--json]          列出备份目录中的备份（编号、类型、所属全量、时间、大小）
  backup drill [--json]         恢复演练：把最近的备份链恢复到临时数据库，逐表比对行数和校验和（不一致时退出码为1）
  restore --to 时间|备份编号 [--target 数据库地址] [--json]
                                恢复到空数据库（默认 DATABASE_URL；非空库拒绝）；时间为北京时间，如 "2026-12-06 14:30"
  worker                        只发送消息队列（生产环境配合 REDIS_URL 横向扩展）
  migrate                       升级数据库结构
`;

class UsageError extends Error {}
/** A refusal that needs no usage text: the message says what to do. */
class Refusal extends Error {}

function arg(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A --date option through the one validator of dates (core/dates.ts); today when absent. */
function requireDate(s: string | undefined): string {
  return s === undefined ? todayInShanghai() : validDay(s, '--date');
}

/** The date a check or re-check writes findings for: within the window around today unless --force. */
function checkDate(s: string | undefined, force: boolean): string {
  const today = todayInShanghai();
  if (s === undefined) return today;
  try {
    return validCheckDate(s, today, { field: '--date', force });
  } catch (e) {
    if (e instanceof DateInputError && e.reason === 'window') throw new Refusal(`${e.message}。确需检查此日期，请加 --force`);
    throw e;
  }
}

/**
 * A --unit option: the unit's id (as `findings --json` and the console show it), or a credit
 * code when exactly one unit carries it. A shared code (U-IN-06) is refused with the candidates.
 */
async function unitOption(db: Knex, text: string): Promise<{ id: number; code: string | null; name: string }> {
  const { unitsByRef } = await import('../db/scope.ts');
  const { byId, units } = await unitsByRef(db, text, ['id', 'code', 'name']);
  if (!units.length) throw new Error(byId ? `未找到编号为 ${text.trim()} 的单位` : `未找到统一社会信用代码为 ${text.trim()} 的单位`);
  if (units.length > 1) {
    throw new Refusal(`统一社会信用代码 ${units[0].code} 对应 ${units.length} 个单位，请用 --unit 单位编号 指定其中一个：\n${units.map((u) => `  编号 ${u.id}  ${u.name}`).join('\n')}`);
  }
  return { id: Number(units[0].id), code: units[0].code ?? null, name: units[0].name };
}

async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await openContext();
  try {
    return await fn(ctx);
  } finally {
    // Chains the audit rows the command wrote (db/audit.ts); a failure here is the next sealer's to retry.
    const { sealAuditChain } = await import('../db/audit.ts');
    await sealAuditChain(ctx.db).catch(() => undefined);
    await ctx.close();
  }
}

const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return command ? 0 : 1;
      case 'serve': {
        const { serve } = await import('./serve.ts');
        await serve();
        return 0;
      }
      case 'worker': {
        const { worker } = await import('./serve.ts');
        await worker();
        return 0;
      }
      case 'migrate':
        await withContext(async () => console.log('数据库结构已是最新'));
        return 0;
      case 'check':
        return await checkCommand(rest);
      case 'findings':
        return await findingsCommand(rest);
      case 'recheck':
        return await recheckCommand(rest);
      case 'import':
        return await importCommand(rest);
      case 'feed':
        return await feedCommand(rest);
      case 'export':
        return await exportCommand(rest);
      case 'template':
        return await templateCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case 'retirement':
        return retirementCommand(rest);
      case 'rules':
        return await rulesCommand(rest);
      case 'requests':
        return await requestsCommand(rest);
      case 'locks':
        return await locksCommand(rest);
      case 'unlock':
        return await unlockCommand(rest);
      case 'weekly':
        return await weeklyCommand(rest);
      case 'notices':
        return await noticesCommand(rest);
      case 'jobs':
        return await jobsCommand(rest);
      case 'calendar':
        return await calendarCommand(rest);
      case 'score':
        return await scoreCommand(rest);
      case 'ranking':
        return await rankingCommand(rest);
      case 'forecast':
        return await forecastCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case 'manual':
        return await manualCommand(rest);
      case 'snapshot':
        return await snapshotCommand(rest);
      case 'pii':
        return await piiCommand(rest);
      case 'doctor':
        return await doctorCommand(rest);
      case 'audit':
        return await auditCommand(rest);
      case 'backup':
        return await backupCommand(rest);
      case 'restore':
        return await restoreCommand(rest);
      default:
        throw new UsageError(`未知命令：${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof DateInputError || e instanceof Refusal) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`出错了：${(e as Error).message}\n`);
    return 1;
  }
}

async function checkCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { date: { type: 'string' }, json: { type: 'boolean' }, force: { type: 'boolean' } } });
  const date = checkDate(arg(values, 'date'), Boolean(values.force));
  const { dailyCheck } = await import('../commands/daily-check.ts');
  // SIGTERM stops the check at the next phase (before its write, or after it has committed)
  // and the command exits; a second SIGTERM exits at once.
  const stop = new AbortController();
  const onTerm = () => {
    if (stop.signal.aborted) process.exit(143);
    stop.abort();
  };
  process.on('SIGTERM', onTerm);
  let s;
  try {
    // Recorded as a run of the job registry (job_runs), like the console's, but waited for here.
    s = await withContext(async (ctx) => {
      const { dailyCheckJob, DAILY_CHECK } = await import('../server/jobs/daily-check.ts');
      const { createInProcessRunner } = await import('../server/jobs/in-process.ts');
      const job = dailyCheckJob({ publicBaseUrl: ctx.config.publicBaseUrl, log: () => {}, check: (db, d, url) => dailyCheck(db, d, url, { signal: stop.signal }) });
      const run = await createInProcessRunner({ db: ctx.db, jobs: [job], log: () => {} }).runNow(DAILY_CHECK, date);
      if (run.state !== 'ok') throw new Error(run.error ?? '检查失败');
      const skipped = (run.result as { skipped?: unknown }).skipped;
      if (typeof skipped === 'string') throw new Refusal(`未检查：${skipped}`);
      return run.result as Awaited<ReturnType<typeof dailyCheck>>;
    });
  } catch (e) {
    if (!stop.signal.aborted) throw e;
    process.stderr.write('检查已中止（收到终止信号），本次检查的结果未写入\n');
    return 143;
  } finally {
    process.off('SIGTERM', onTerm);
  }
  if (values.json) {
    print({ date: s.date, units: s.units, people: s.people, workers: s.workers, findings: s.findings, monthClosed: s.monthClosed, alerts: s.alerts, ms: s.ms, phases: s.phases });
  } else {
    console.log(`${s.date} 检查完成：${s.units} 个单位，${s.people} 名人员，${s.workers} 名编外人员，用时 ${(s.ms / 1000).toFixed(1)} 秒`);
    console.log(`新发现 ${s.findings.opened} 个问题，保持 ${s.findings.kept} 个，已整改 ${s.findings.resolved} 个；当前未整改 ${s.findings.open} 个（黄灯 ${s.findings.byLight.yellow}，红灯 ${s.findings.byLight.red}，提示 ${s.findings.byLight.hint}）`);
    if (s.monthClosed) console.log(`${s.monthClosed.month} 月度考核：红灯单位 ${s.monthClosed.red} 个，提醒 ${s.monthClosed.reminders} 个，暂停办理 ${s.monthClosed.suspensions} 个`);
  }
  return 0;
}

const LIGHT_NAMES: Record<FindingLight, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', hint: '提示' };

async function findingsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { status: { type: 'string' }, unit: { type: 'string' }, json: { type: 'boolean' }, date: { type: 'string' } } });
  const status = (arg(values, 'status') ?? 'open') as 'open' | 'resolved' | 'explained' | 'all';
  if (!['open', 'resolved', 'explained', 'all'].includes(status)) throw new UsageError(`--status 应为 open、resolved、explained（已说明）或 all：${status}`);
  const date = requireDate(arg(values, 'date'));
  const { listFindings } = await import('../db/findings.ts');
  const unit = arg(values, 'unit');
  const list = await withContext(async (ctx) => listFindings(ctx.db, { status, unitId: unit === undefined ? undefined : (await unitOption(ctx.db, unit)).id, date }));
  const { findingDetailText, findingHeading } = await import('../cards/details.ts');
  const out = list.map((f) => ({ rule: f.rule, unit: f.unit, unitId: f.unitId, subject: f.subject, qualifier: f.qualifier, light: f.light, openedOn: f.openedOn, resolvedOn: f.resolvedOn, status: f.status, detailText: findingDetailText(f.rule, f.qualifier, f.detail) }));
  if (values.json) print(out);
  else {
    for (const [i, f] of list.entries()) console.log(`${f.status === 'explained' ? '已说明' : LIGHT_NAMES[f.light]}  ${f.rule} ${findingHeading(f.rule, f.qualifier)}  ${f.unitName}  ${f.subject.name}${f.subject.id ? ` ${f.subject.id}` : ''}  发现于 ${f.openedOn}${out[i].detailText ? `  ${out[i].detailText}` : ''}`);
    console.log(`共 ${list.length} 条`);
  }
  return 0;
}

/** The hash a person's row carries: the current key's, or during a key rotation the previous key's if the row is not rotated yet. */
async function storedPersonHash(ctx: AppContext, idNumber: string): Promise<string> {
  const hashes = ctx.pii.hashes(normaliseIdNumber(idNumber).value);
  if (hashes.length === 1) return hashes[0];
  const row = await ctx.db('people').whereIn('id_hash', hashes).first('id_hash');
  return row ? String(row.id_hash) : hashes[0];
}

async function recheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { person: { type: 'string' }, unit: { type: 'string' }, json: { type: 'boolean' }, date: { type: 'string' }, force: { type: 'boolean' } } });
  const person = arg(values, 'person');
  const unit = arg(values, 'unit');
  if (!person === !unit) throw new UsageError('请指定 --person 身份证号 或 --unit 单位编号（二选一）');
  const date = checkDate(arg(values, 'date'), Boolean(values.force));
  const { recheckRecord } = await import('../commands/daily-check.ts');
  const r = await withContext(async (ctx) => recheckRecord(ctx.db, person ? { personHash: await storedPersonHash(ctx, person) } : { unitId: (await unitOption(ctx.db, unit!)).id }, date));
  if (!r) {
    process.stderr.write(person ? '未找到该身份证号对应的人员\n' : `未找到单位 ${unit}\n`);
    return 1;
  }
  if (values.json) print(r);
  else {
    console.log(`${r.subject.name}${r.subject.idMasked ? `（${r.subject.idMasked}）` : ''} 已重新检查，用时 ${r.ms} 毫秒`);
    console.log(r.open.length ? r.open.map((f) => `  ${LIGHT_NAMES[f.light]} ${f.rule} ${f.title}${f.qualifier ? `（${f.qualifier}）` : ''}`).join('\n') : '  没有未整改的问题');
    if (r.resolved.length) console.log(`  已整改：${r.resolved.join('、')}`);
  }
  return 0;
}

async function importCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'error-out': { type: 'string' }, json: { type: 'boolean' }, by: { type: 'string' } } });
  const source = positionals[0];
  if (!source) throw new UsageError('请指定要导入的 .xlsx 文件或 CSV 文件夹');
  const { importData } = await import('../db/import.ts');
  const r = await withContext((ctx) => importData(ctx.db, ctx.pii, source, { by: arg(values, 'by') ?? 'cli', today: todayInShanghai(), errorOut: arg(values, 'error-out') }));
  if (values.json) print(r);
  else if (r.ok) {
    console.log('导入成功：');
    for (const [k, c] of Object.entries(r.counts ?? {})) console.log(`  ${k}：新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`);
    for (const n of r.notices ?? []) console.log(`  提示：${n}`);
  } else {
    printImportErrors(r);
  }
  return r.ok ? 0 : 1;
}

/** A refused import (the workbook's or a feed's): nothing written, the first 50 errors, where the error workbook is. */
function printImportErrors(r: { errors: Array<{ sheet: string; message: string }>; errorFile?: string }): void {
  console.error(`导入失败，未写入任何数据。共 ${r.errors.length} 处错误：`);
  for (const e of r.errors.slice(0, 50)) console.error(`  ${e.sheet} ${e.message}`);
  if (r.errors.length > 50) console.error(`  ……另有 ${r.errors.length - 50} 处`);
  if (r.errorFile) console.error(`错误说明已写入：${r.errorFile}`);
}

async function feedCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { month: { type: 'string' }, 'error-out': { type: 'string' }, json: { type: 'boolean' }, by: { type: 'string' }, out: { type: 'string' } } });
  const { feedKindOf } = await import('../core/feeds.ts');
  const kindOf = (word: string | undefined) => {
    const kind = word === undefined ? null : feedKindOf(word);
    if (!kind) throw new UsageError(`名单类型应为 si（社保）、payroll（工资统发）或 appointments（组织部任免）${word ? `，“${word}”不是` : ''}`);
    return kind;
  };
  if (sub === 'versions') {
    const kind = positionals[0] === undefined ? undefined : kindOf(positionals[0]);
    const { listFeedImports } = await import('../db/feeds.ts');
    const list = await withContext((ctx) => listFeedImports(ctx.db, kind));
    if (values.json) print(list);
    else if (!list.length) console.log('还没有导入过外部名单');
    else {
      for (const v of list) {
        console.log(`${v.kind} ${v.month}  导入编号 ${v.id}  ${v.rows} 行，未对应单位 ${v.unmatchedUnits} 行，无效身份证号 ${v.invalidIds} 行  ${v.byName} ${v.at}  ${v.fileName}${v.replacedBy ? `  （已被导入编号 ${v.replacedBy} 替换）` : ''}`);
      }
    }
    return 0;
  }
  if (sub === 'template') {
    const kind = kindOf(positionals[0]);
    const out = arg(values, 'out');
    if (!out) throw new UsageError('请用 --out 指定模板文件');
    const { writeFeedTemplate } = await import('../db/export.ts');
    const r = await writeFeedTemplate(kind, out);
    console.log(`已导出${kind}名单导入模板：${r.file}（工作表“${r.sheet}”）`);
    return 0;
  }
  if (sub !== 'import') throw new UsageError('用法：sanse feed import 类型 文件 [--month YYYY-MM]、sanse feed template 类型 --out 文件 或 sanse feed versions [类型]');
  const kind = kindOf(positionals[0]);
  const source = positionals[1];
  if (!source) throw new UsageError('请指定要导入的 .xlsx 文件或 CSV 文件夹');
  const month = arg(values, 'month');
  if (month !== undefined) validMonth(month, '--month');
  if (month !== undefined && kind === '工资统发') throw new Refusal('工资统发名单按各行的“月份”分月保存，不用 --month');
  const { importFeed } = await import('../db/feeds.ts');
  const r = await withContext((ctx) => importFeed(ctx.db, ctx.pii, kind, source, { by: arg(values, 'by') ?? 'cli', today: todayInShanghai(), month, errorOut: arg(values, 'error-out') }));
  if (values.json) print(r);
  else if (r.ok) {
    console.log(`${kind}名单导入成功：`);
    for (const v of r.versions) {
      console.log(`  ${v.month}：${v.rows} 行（导入编号 ${v.importId}${v.replaced ? `，替换导入编号 ${v.replaced}` : ''}），未对应单位 ${v.unmatchedUnits} 行，无效身份证号 ${v.invalidIds} 行`);
    }
    for (const u of r.unmatchedUnits.slice(0, 20)) console.log(`  未对应单位：${u.unit}${u.code ? `（${u.code}）` : ''} ${u.rows} 行`);
    for (const n of r.notices) console.log(`  提示：${n}`);
  } else {
    printImportErrors(r);
  }
  return r.ok ? 0 : 1;
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, unit: { type: 'string' }, status: { type: 'string' }, 'full-ids': { type: 'boolean' } } });
  const kind = positionals[0] as 'findings' | 'units' | 'people' | 'all';
  if (!['findings', 'units', 'people', 'all'].includes(kind)) throw new UsageError('导出类型应为 findings、units、people 或 all');
  const out = arg(values, 'out');
  if (!out) throw new UsageError('请用 --out 指定导出文件');
  const fullIds = Boolean(values['full-ids']);
  if (fullIds && kind !== 'people' && kind !== 'all') throw new UsageError('--full-ids 只用于 people 或 all 的导出');
  const { exportWorkbook } = await import('../db/export.ts');
  // The operator of the machine may export full numbers (they hold the key anyway); the audit
  // row names their system account.
  const by = `cli:${os.userInfo().username}`;
  const unit = arg(values, 'unit');
  const r = await withContext(async (ctx) => exportWorkbook(ctx.db, kind, out, { unitId: unit === undefined ? undefined : (await unitOption(ctx.db, unit)).id, status: arg(values, 'status') as 'open' | 'resolved' | 'explained' | 'all' | undefined, today: todayInShanghai(), fullIds, pii: ctx.pii, by, via: 'cli' }));
  console.log(`已导出 ${r.rows} 行到 ${out}${fullIds ? '（含完整身份证号，已记入审计日志；请妥善保管）' : kind === 'people' || kind === 'all' ? '（身份证号已脱敏，不能用于导入；可原样导入的完整数据请加 --full-ids）' : ''}`);
  return 0;
}

async function weeklyCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { date: { type: 'string' }, out: { type: 'string' }, send: { type: 'boolean' }, json: { type: 'boolean' } } });
  const date = requireDate(arg(values, 'date'));
  const out = arg(values, 'out');
  if (!out) throw new UsageError('请用 --out 指定导出文件，例如 sanse weekly --date 2026-12-07 --out 督办清单.xlsx');
  const { sendWeeklyList, weeklyLinks, writeWeeklyWorkbook } = await import('../commands/weekly-list.ts');
  const r = await withContext(async (ctx) => {
    // Sent first, so the workbook is the list as sent (with what was fixed since marked).
    const by = `cli:${os.userInfo().username}`;
    const sent = values.send ? await sendWeeklyList(ctx.db, date, weeklyLinks(ctx.config.publicBaseUrl), { actor: by }) : null;
    const book = await writeWeeklyWorkbook(ctx.db, date, out);
    const { audit } = await import('../db/audit.ts');
    await audit(ctx.db, by, 'weekly_export', 'weekly', null, { date, rows: book.rows, file: out.split(/[\\/]/).pop(), via: 'cli' });
    return { sent, rows: book.rows, counts: book.view.list.counts, sentAt: book.view.sentAt };
  });
  if (values.json) print({ date, out, ...r });
  else {
    const c = r.counts;
    console.log(`${date} 每周督办清单：${c.units} 个单位（红灯单位 ${c.redUnits}，红灯问题 ${c.redItems} 项，暂停办理 ${c.suspended}，超时未办申请 ${c.waitingRequests}，本月自查不足 ${c.noSelfCheck}），已导出到 ${out}`);
    if (r.sent?.sent) console.log(`已发送：编办${r.sent.office === 'group' ? '工作群' : r.sent.office === 'users' ? '人员（未配置编办工作群）' : '（没有编办工作群和编办人员，未发送）'}，单位工作群 ${r.sent.unitGroupCards} 个，单独发给专管员 ${r.sent.unitDirectCards} 个${r.sent.unreached ? `，${r.sent.unreached} 个单位既无工作群也无专管员` : ''}（消息由服务进程发出）`);
    else if (r.sent) console.log(`本周（${r.sent.week} 起）的督办清单已于 ${r.sent.createdAt} 发送，未重复发送`);
  }
  return 0;
}

/** `sanse notices run|list`: the half-yearly cross-check and its written notices (commands/half-year-notices.ts). */
async function noticesCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { half: { type: 'string' }, date: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } } });
  const { runHalfYearNotices, listNotices, NOTICE_FILTERS } = await import('../commands/half-year-notices.ts');
  const { CommandError } = await import('../commands/errors.ts');
  const refuse = (e: unknown) => {
    if (e instanceof CommandError && e.status < 500) throw new Refusal(e.message);
    throw e;
  };
  if (sub === 'run') {
    const date = requireDate(arg(values, 'date'));
    const r = await withContext((ctx) => runHalfYearNotices(ctx.db, { date, half: arg(values, 'half'), publicBaseUrl: ctx.config.publicBaseUrl, by: `cli:${os.userInfo().username}` })).catch(refuse);
    if (values.json) print(r);
    else {
      console.log(`${r.halfText}半年交叉检查：${r.unitsWithProblems} 个单位有超期未整改或反复出错的问题，新发函告 ${r.issued.length} 份${r.existing ? `，${r.existing} 份此前已发（未重发）` : ''}`);
      for (const n of r.issued) console.log(`  ${n.number}  ${n.unitName}（单位编号 ${n.unitId}）：超期未整改 ${n.overdue} 条，反复出错 ${n.repeated} 类`);
      if (r.issued.length) console.log(`已排队发送：单位工作群 ${r.group} 条，单位领导（或无群单位的人员）${r.users} 条${r.unreached ? `；${r.unreached} 个单位既无工作群也无人员，请在控制台“书面函告”下载函件另行送达` : ''}（消息由服务进程发出）`);
    }
    return 0;
  }
  if (sub === 'list') {
    const state = arg(values, 'state');
    if (state !== undefined && !(NOTICE_FILTERS as readonly string[]).includes(state)) throw new UsageError(`--state 应为 ${NOTICE_FILTERS.join('、')} 之一`);
    const list = await withContext((ctx) => listNotices(ctx.db, { id: 'cli', role: '编办管理员', scope: null }, { half: arg(values, 'half'), state, today: todayInShanghai() })).catch(refuse);
    if (values.json) print(list);
    else {
      const c = list.counts;
      console.log(`书面函告 ${list.rows.length} 份（未回复 ${c.open}，已回复 ${c.replied}，逾期未回复 ${c.overdue}，已办结 ${c.closed}）`);
      for (const n of list.rows) console.log(`  ${n.number}  ${n.halfText}  ${n.unitName}（单位编号 ${n.unitId}）  ${n.stateText}${n.returned ? '（已退回）' : ''}  回复期限 ${n.replyDue}`);
    }
    return 0;
  }
  throw new UsageError(`未知的 notices 子命令：${sub ?? '（未填写）'}（可用：run、list）`);
}

async function templateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const out = arg(values, 'out');
  if (!out) throw new UsageError('请用 --out 指定模板文件，例如 sanse template --out 导入模板.xlsx');
  const { writeTemplate } = await import('../db/export.ts');
  const r = await writeTemplate(out);
  console.log(`已生成导入模板 ${out}（工作表：${r.sheets.join('、')}，另附填写说明）`);
  return 0;
}

async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { units: { type: 'string' }, people: { type: 'string' }, seed: { type: 'string' }, reset: { type: 'boolean' }, date: { type: 'string' } } });
  const units = Number(arg(values, 'units') ?? 200);
  const people = Number(arg(values, 'people') ?? units * 15);
  const seed = Number(arg(values, 'seed') ?? 1);
  if (![units, people, seed].every((n) => Number.isInteger(n) && n > 0)) throw new UsageError('--units、--people、--seed 应为正整数');
  const today = requireDate(arg(values, 'date'));
  const { isEmpty } = await import('../db/demo/seed.ts');
  const { seedDemoCounty } = await import('../commands/demo-county.ts');
  await withContext(async (ctx) => {
    if (!(await isEmpty(ctx.db))) {
      if (!values.reset) throw new UsageError('数据库中已有数据。如确需清空并重新生成演示数据，请加 --reset');
      await ctx.db.migrate.rollback(undefined, true);
      await ctx.db.migrate.latest();
    }
    const t0 = Date.now();
    const { check } = await seedDemoCounty(ctx.db, ctx.pii, { units, people, seed, today }, ctx.config.publicBaseUrl);
    console.log(`演示县数据已生成：约 ${units} 个单位、${people} 名人员，用时 ${((Date.now() - t0) / 1000).toFixed(1)} 秒`);
    console.log(`未整改问题 ${check.findings.open} 个（黄灯 ${check.findings.byLight.yellow}，红灯 ${check.findings.byLight.red}，提示 ${check.findings.byLight.hint}）；预警卡片 ${check.alerts?.groupCards ?? 0} 张`);
  });
  return 0;
}

function retirementCommand(args: string[]): number {
  const { values } = parseArgs({ args, options: { gender: { type: 'string' }, identity: { type: 'string' }, birth: { type: 'string' }, json: { type: 'boolean' }, 'female-60': { type: 'boolean' } } });
  const gender = arg(values, 'gender');
  const identity = arg(values, 'identity') ?? null;
  const birth = arg(values, 'birth') ?? '';
  if (gender !== '男' && gender !== '女') throw new UsageError('--gender 应为 男 或 女');
  if (identity && identity !== '干部' && identity !== '工人') throw new UsageError('--identity 应为 干部 或 工人');
  const m = /^(\d{4})-(\d{2})$/.exec(validMonth(birth, '--birth'))!;
  const category = retirementCategory(gender, identity, Boolean(values['female-60']));
  if (!category) throw new UsageError('女性须指定 --identity 干部 或 工人（原法定退休年龄55岁或50岁）');
  const r = retirement(Number(m[1]), Number(m[2]), category);
  if (values.json) print({ age: r.age, month: r.month });
  else console.log(`法定退休年龄 ${formatRetirementAge(r.age)}，${r.month.replace('-', '年')}月退休`);
  return 0;
}

async function rulesCommand(args: string[]): Promise<number> {
  const { RULES, ruleByCode } = await import('../core/rules/index.ts');
  const { loadRuleSettings, setRuleSetting } = await import('../db/settings.ts');
  if (args[0] === 'set') {
    const { values, positionals } = parseArgs({ args: args.slice(1), allowPositionals: true, options: { disable: { type: 'boolean' }, enable: { type: 'boolean' }, param: { type: 'string', multiple: true } } });
    const code = positionals[0];
    const rule = code ? ruleByCode(code) : undefined;
    if (!rule) throw new UsageError(`规则代码不存在：${code ?? '（未填写）'}`);
    await withContext(async (ctx) => {
      const current = (await loadRuleSettings(ctx.db))[rule.code] ?? { enabled: true };
      const params: Record<string, unknown> = { ...(current.params ?? {}) };
      for (const p of (values.param as string[] | undefined) ?? []) {
        const m = /^([^=]+)=(.*)$/.exec(p);
        if (!m) throw new UsageError(`参数格式应为 名称=值：${p}`);
        const [, key, raw] = m;
        const def = (rule.params as Record<string, unknown>)[key];
        if (def === undefined) {
          const { DETAIL_PHRASES } = await import('../cards/details.ts');
          const names = Object.keys(rule.params as object).map((k) => (DETAIL_PHRASES.params[k] ? `${k}（${DETAIL_PHRASES.params[k]}）` : k));
          throw new UsageError(`规则 ${rule.code} 没有参数 ${key}（可用：${names.join('、') || '无'}）`);
        }
        // A parameter that is a date (or month) goes through the one validator of dates.
        if (typeof def === 'string' && /^\d{4}-\d{2}(-\d{2})?$/.test(def)) (def.length === 7 ? validMonth : validDay)(raw, `参数 ${key}`);
        const value = typeof def === 'number' ? Number(raw) : typeof def === 'boolean' ? raw === 'true' || raw === '是' : Array.isArray(def) ? raw.split(/[、,]/).filter(Boolean) : raw;
        if (typeof def === 'number' && !Number.isFinite(value as number)) throw new UsageError(`参数 ${key} 应为数字：${raw}`);
        const choices = (rule.choices as Record<string, readonly string[] | undefined> | undefined)?.[key];
        const unknown = Array.isArray(value) && choices ? value.filter((v) => !choices.includes(v)) : [];
        if (unknown.length) throw new UsageError(`参数 ${key} 不能取“${unknown.join('、')}”（可选：${choices!.join('、')}）`);
        params[key] = value;
      }
      const enabled = values.disable ? false : values.enable ? true : current.enabled;
      const next = { enabled, params: Object.keys(params).length ? params : undefined };
      await ctx.db.transaction(async (trx) => {
        await setRuleSetting(trx, rule.code, next);
        const { audit } = await import('../db/audit.ts');
        await audit(trx, `cli:${os.userInfo().username}`, 'rules_set', 'rule', null, { rule: rule.code, before: current, after: next });
      });
      const { ruleParamsText } = await import('../cards/details.ts');
      console.log(`${rule.code} ${rule.title}：${enabled ? '启用' : '停用'}${Object.keys(params).length ? `，参数 ${ruleParamsText(params)}` : ''}`);
    });
    return 0;
  }
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const settings = await withContext((ctx) => loadRuleSettings(ctx.db));
  const list = RULES.map((r) => ({
    code: r.code, title: r.title, scope: r.scope, severity: r.severity, grace: r.grace ?? null,
    enabled: settings[r.code]?.enabled ?? true, params: { ...(r.params as object), ...(settings[r.code]?.params ?? {}) },
  }));
  if (values.json) print(list);
  else {
    const SCOPE = { person: '人员', unit: '单位', worker: '编外' } as const;
    const SEV = { S1: '严重', S2: '一般', S3: '提示' } as const;
    const { ruleParamsText } = await import('../cards/details.ts');
    for (const r of list) console.log(`${r.code.padEnd(8)} ${SCOPE[r.scope]} ${SEV[r.severity]} ${r.enabled ? '' : '【已停用】'}${r.title}${Object.keys(r.params).length ? `  ${ruleParamsText(r.params)}` : ''}`);
  }
  return 0;
}

/** The user a request command acts as (--as), with their scope. */
async function actorOption(db: Knex, id: string | undefined) {
  if (!id) throw new UsageError('请用 --as 用户ID 指定以哪位用户的身份办理');
  const { actingUser } = await import('../db/scope.ts');
  const a = await actingUser(db, id);
  if (!a) throw new Refusal(`用户 ${id} 不存在或已停用`);
  return a;
}

async function requestsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { CommandError } = await import('../commands/errors.ts');
  const { requestIdOf } = await import('../core/requests.ts');
  const idOf = (text: string | undefined) => {
    const id = text ? requestIdOf(text) : null;
    if (id === null) throw new UsageError(`请指定申请编号（如 SQ2026-000123）${text ? `：“${text}”不是` : ''}`);
    return id;
  };
  const deps = (ctx: AppContext) => ({ db: ctx.db, pii: ctx.pii, today: todayInShanghai(), publicBaseUrl: ctx.config.publicBaseUrl });
  try {
    if (sub === 'submit') {
      const { values } = parseArgs({ args: rest, options: { file: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } });
      const file = arg(values, 'file');
      if (!file) throw new UsageError('请用 --file 指定申请文件（JSON，以中文列名为键）');
      const fs = await import('node:fs');
      let request: unknown;
      try {
        request = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Refusal(`读取申请文件 ${file} 失败：${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : '不是有效的 JSON'}`);
      }
      const { submitRequest } = await import('../commands/submit-request.ts');
      const r = await withContext(async (ctx) => submitRequest(deps(ctx), { actor: await actorOption(ctx.db, arg(values, 'as')), request }));
      if (values.json) print({ id: r.id, no: r.no, state: r.state, warnings: r.warnings });
      else {
        console.log(`已提交申请 ${r.no}（${r.request.kind}，${r.request.unitName}），待初审`);
        for (const w of r.warnings) console.log(`  ${w}`);
      }
      return 0;
    }
    if (sub === 'review' || sub === 'decide') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { pass: { type: 'boolean' }, return: { type: 'boolean' }, reject: { type: 'boolean' }, approve: { type: 'boolean' }, comment: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } });
      const id = idOf(positionals[0]);
      const choices = (sub === 'review' ? ['pass', 'return', 'reject'] : ['approve', 'reject']).filter((c) => values[c as keyof typeof values]);
      if (choices.length !== 1) throw new UsageError(sub === 'review' ? '请指定 --pass、--return 或 --reject 之一' : '请指定 --approve 或 --reject 之一');
      const comment = arg(values, 'comment');
      const out = await withContext(async (ctx) => {
        const actor = await actorOption(ctx.db, arg(values, 'as'));
        if (sub === 'review') {
          const { reviewRequest } = await import('../commands/review-request.ts');
          const r = await reviewRequest(deps(ctx), { actor, id, decision: choices[0] as 'pass', comment });
          return { id: r.request.id, no: r.request.no, state: r.request.state, stateText: r.request.stateText };
        }
        const { decideRequest } = await import('../commands/decide-request.ts');
        const r = await decideRequest(deps(ctx), { actor, id, decision: choices[0] as 'approve', comment });
        if (r.outcome === 'already') throw new Refusal(r.message);
        return { id: r.request.id, no: r.request.no, state: r.request.state, stateText: r.request.stateText, effect: r.effect?.text ?? null, registrationForm: r.registrationForm?.number ?? null };
      });
      if (values.json) print(out);
      else console.log(`申请 ${out.no}：${out.stateText}${'effect' in out && out.effect ? `；${out.effect}` : ''}${'registrationForm' in out && out.registrationForm ? `；已签发登记表 ${out.registrationForm}` : ''}`);
      return 0;
    }
    if (sub === 'list') {
      const { values } = parseArgs({ args: rest, options: { state: { type: 'string' }, unit: { type: 'string' }, json: { type: 'boolean' } } });
      const { isRequestState, REQUEST_STATES } = await import('../core/requests.ts');
      const state = arg(values, 'state');
      if (state !== undefined && !isRequestState(state)) throw new UsageError(`--state 应为 ${REQUEST_STATES.join('、')} 之一`);
      const { listRequests } = await import('../commands/request-effects.ts');
      const list = await withContext(async (ctx) => listRequests(ctx.db, { id: 'cli', role: '编办管理员', scope: null }, { state, unitId: arg(values, 'unit') === undefined ? undefined : (await unitOption(ctx.db, arg(values, 'unit')!)).id }));
      const out = list.map((r) => ({ id: r.id, no: r.no, kind: r.kind, unit: r.unitName, unitId: r.unitId, state: r.state, summary: r.summary, steps: r.steps.map((s) => ({ step: s.step, by: s.by, decision: s.decision, comment: s.comment, at: s.at })) }));
      if (values.json) print(out);
      else {
        for (const r of list) console.log(`${r.no}  ${r.kind}  ${r.unitName}  ${r.stateText}  ${r.summary}${r.steps.length ? `  （${r.steps.map((s) => `${s.step} ${s.byName ?? s.by} ${s.at.slice(0, 16)}`).join('，')}）` : ''}`);
        console.log(`共 ${list.length} 件`);
      }
      return 0;
    }
    if (sub === 'expire') {
      const { values } = parseArgs({ args: rest, options: { date: { type: 'string' }, json: { type: 'boolean' } } });
      const { expirePlans } = await import('../commands/expire-plans.ts');
      const r = await withContext(async (ctx) => expirePlans({ ...deps(ctx), today: requireDate(arg(values, "date")) }));
      if (values.json) print(r);
      else console.log(r.expired.length ? `${r.date}：${r.expired.length} 个用编计划已过期，未使用的编制已释放` : `${r.date}：没有到期的用编计划`);
      return 0;
    }
    throw new UsageError(`未知的 requests 子命令：${sub ?? '（未填写）'}（可用：submit、review、decide、list、expire）`);
  } catch (e) {
    if (e instanceof CommandError) throw new Refusal(e.message);
    throw e;
  }
}

async function locksCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { active: { type: 'boolean' }, json: { type: 'boolean' } } });
  const { lockList, reasonOf } = await import('../db/user-locks.ts');
  const { lockReasonText, monthText } = await import('../core/self-check-lock.ts');
  const rows = await withContext((ctx) => lockList(ctx.db, { active: Boolean(values.active) }));
  const out = rows.map((l) => ({
    id: Number(l.id), user: { id: String(l.user_id), name: l.user_name ?? null }, unit: l.unit_ref == null ? null : { id: Number(l.unit_ref), name: l.unit_name },
    kind: l.kind, month: l.month, selfChecks: l.self_checks == null ? null : Number(l.self_checks), required: l.required == null ? null : Number(l.required),
    reason: lockReasonText(reasonOf(l)), lockedAt: l.locked_at, active: l.unlocked_at == null, unlockedAt: l.unlocked_at ?? null, unlockedBy: l.unlocked_by ?? null, note: l.unlock_note ?? null,
  }));
  if (values.json) print(out);
  else {
    for (const l of out) {
      console.log(`${l.active ? '锁定中' : '已解锁'}  ${l.user.name ?? l.user.id}（${l.user.id}）  ${l.unit?.name ?? ''}  ${monthText(l.month)}  ${l.reason}  锁定于 ${l.lockedAt}${l.active ? '' : `  ${l.unlockedBy} 于 ${l.unlockedAt} 解锁：${l.note}`}`);
    }
    console.log(`共 ${out.length} 条，锁定中 ${out.filter((l) => l.active).length} 条`);
  }
  return 0;
}

/** `sanse score --month M`: every unit of the office, best first, with its deductions by family. */
async function scoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { month: { type: 'string' }, json: { type: 'boolean' }, force: { type: 'boolean' } } });
  const text = arg(values, 'month');
  if (text === undefined) throw new UsageError('请用 --month YYYY-MM 指定评分月份');
  const month = validMonth(text, '--month');
  const { CommandError } = await import('../commands/errors.ts');
  const { closeMonthScores } = await import('../commands/close-month-scores.ts');
  const r = await withContext((ctx) => closeMonthScores({ db: ctx.db, month, today: todayInShanghai(), force: Boolean(values.force), publicBaseUrl: ctx.config.publicBaseUrl })).catch((e) => {
    throw e instanceof CommandError ? new Refusal(e.message) : e;
  });
  const out = r.scores.map((s) => ({ unitId: s.unitId, unit: s.unit, name: s.name, score: s.score, rank: s.rank, deductions: s.deductions }));
  if (values.json) print(out);
  else {
    for (const s of out) console.log(`${String(s.rank).padStart(4)}  ${s.score.toFixed(1).padStart(5)}  ${s.name}（完整度 -${s.deductions.completeness}，准确度 -${s.deductions.accuracy}，及时度 -${s.deductions.timeliness}，自查 -${s.deductions.selfCheck}）`);
    console.log(`${month}：共 ${out.length} 个单位，${r.stored ? (r.computed ? '已评分并保存' : '此前已评分（重新评分请加 --force）') : '本月尚未结束，为截至今天的得分，未保存'}${r.ranking ? `；红黑榜${r.ranking.state === 'published' ? '已发布' : '待发布'}` : ''}`);
  }
  return 0;
}

async function unlockCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { note: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } });
  const userId = positionals[0];
  if (!userId || positionals.length > 1) throw new UsageError('请指定要解锁的用户ID：sanse unlock 用户ID --note 说明 --as 编办管理员用户ID');
  const { unlockUser } = await import('../commands/unlock-user.ts');
  const { CommandError } = await import('../commands/errors.ts');
  try {
    const r = await withContext(async (ctx) => unlockUser(ctx.db, { actor: await actorOption(ctx.db, arg(values, 'as')), userId, note: arg(values, 'note') }));
    if (values.json) print(r);
    else console.log(`已解锁 ${r.user.name}（${r.user.id}）${r.locks.length ? `：${r.locks.map((l) => l.month).join('、')} 自查不足的锁定` : ''}，该用户可立即重新登录`);
    return 0;
  } catch (e) {
    if (e instanceof CommandError) throw new Refusal(e.message);
    throw e;
  }
}

/** `sanse calendar`: a year's overrides and coverage; `calendar set|unset` (编办管理员). */
async function calendarCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { CommandError } = await import('../commands/errors.ts');
  const { coverageWarning } = await import('../core/calendar.ts');
  const { loadCalendar } = await import('../db/settings.ts');
  const { overridesOfYear } = await import('../db/calendar.ts');
  try {
    if (sub === 'set' || sub === 'unset') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { off: { type: 'boolean' }, work: { type: 'boolean' }, note: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } });
      if (positionals.length !== 1) throw new UsageError(`请指定日期：sanse calendar ${sub} YYYY-MM-DD[,YYYY-MM-DD…]${sub === 'set' ? ' --off|--work' : ''} --as 编办管理员用户ID`);
      let work: boolean | null = null;
      if (sub === 'set') {
        if (Boolean(values.off) === Boolean(values.work)) throw new UsageError('请用 --off（休息日）或 --work（工作日/调休上班）二选一');
        work = Boolean(values.work);
      }
      const { setCalendarDays } = await import('../commands/set-calendar-days.ts');
      const r = await withContext(async (ctx) => setCalendarDays(ctx.db, await actorOption(ctx.db, arg(values, 'as')), { dates: positionals[0], work, note: arg(values, 'note') }));
      if (values.json) print(r);
      else console.log(work === null ? `已取消 ${r.dates.join('、')} 的调整` : `已将 ${r.dates.join('、')} 设为${work ? '工作日（调休上班）' : '休息日'}${r.overrides[0]?.note ? `（${r.overrides[0].note}）` : ''}`);
      return 0;
    }
    const { values } = parseArgs({ args, options: { year: { type: 'string' }, json: { type: 'boolean' } } });
    const y = arg(values, 'year');
    if (y !== undefined && !/^(19|20)\d\d$/.test(y)) throw new Refusal(`--year 应为四位年份，如 2027；收到“${y.slice(0, 20)}”`);
    const year = y === undefined ? Number(todayInShanghai().slice(0, 4)) : Number(y);
    const r = await withContext(async (ctx) => {
      const cal = await loadCalendar(ctx.db);
      return { year, covered: cal.isCovered(`${year}-01-01`), overrides: await overridesOfYear(ctx.db, year), warning: coverageWarning(cal, todayInShanghai()) };
    });
    if (values.json) print(r);
    else {
      console.log(`${year}年：${r.covered ? '节假日安排已知' : '节假日安排未录入（按周一至周五为工作日推算）'}`);
      if (r.overrides.length) console.log(textTable(['日期', '调整', '说明'], r.overrides.map((o) => [o.date, o.work ? '上班' : '休息', o.note ?? ''])));
      console.log(`本编办录入的调整 ${r.overrides.length} 天`);
      if (r.warning) console.log(`\n注意：${r.warning}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof CommandError) throw new Refusal(e.message);
    throw e;
  }
}

const beijingTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const megabytes = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** `sanse backup now|list|drill`. */
async function backupCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { full: { type: 'boolean' }, incremental: { type: 'boolean' }, json: { type: 'boolean' } } });
  const b = await import('../commands/backup.ts');
  const { BackupFileError } = await import('../db/backup-files.ts');
  const settings = (ctx: AppContext) => ({ databaseUrl: ctx.config.databaseUrl, backupDir: ctx.config.backupDir, keepDays: ctx.config.backupKeepDays });
  try {
    switch (sub) {
      case 'now': {
        if (values.full && values.incremental) throw new UsageError('--full 与 --incremental 只能选一个');
        return await withContext(async (ctx) => {
          const r = await b.runBackup({ settings: settings(ctx), pii: ctx.pii, kind: values.full ? 'full' : 'incremental', db: ctx.db });
          if (values.json) print(r);
          else {
            for (const n of r.notes) console.log(n);
            const m = r.manifest;
            console.log(`${m.kind === 'full' ? '全量' : '增量'}备份完成：${m.id}（${megabytes(m.storedBytes)}，原始 ${megabytes(m.rawBytes)}，用时 ${((Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000).toFixed(1)} 秒）`);
            console.log(`备份目录：${ctx.config.backupDir}`);
            if (r.expired.length) console.log(`已删除超过保存期（${ctx.config.backupKeepDays} 天）的备份 ${r.expired.length} 个：${r.expired.map((x) => x.id).join('、')}`);
          }
          return 0;
        });
      }
      case 'list': {
        return await withContext(async (ctx) => {
          const all = b.listBackups(settings(ctx));
          if (values.json) { print(all); return 0; }
          if (!all.length) { console.log(`备份目录 ${ctx.config.backupDir} 中没有备份`); return 0; }
          console.log(`备份目录：${ctx.config.backupDir}（保存 ${ctx.config.backupKeepDays} 天）`);
          console.log(['编号', '类型', '所属全量备份', '数据时间（北京）', '大小', '密钥编号'].join('\t'));
          for (const m of all) console.log([m.id, m.kind === 'full' ? '全量' : '增量', m.chain, beijingTime(m.snapshotAt), megabytes(m.storedBytes), m.keyId].join('\t'));
          return 0;
        });
      }
      case 'drill': {
        return await withContext(async (ctx) => {
          const r = await b.restoreDrill({ settings: settings(ctx), pii: ctx.pii, db: ctx.db });
          if (values.json) { print(r); return r.ok ? 0 : 1; }
          console.log(`恢复演练：备份链 ${r.chain.join(' → ')}，恢复用时 ${(r.restoreMs / 1000).toFixed(1)} 秒`);
          console.log(['数据表', '当前行数', '恢复行数', '当前校验和', '恢复校验和', '结果'].join('\t'));
          for (const t of r.tables) console.log([t.table, t.live?.rows ?? '无此表', t.restored?.rows ?? '无此表', t.live?.checksum ?? '-', t.restored?.checksum ?? '-', t.same ? '一致' : '不一致'].join('\t'));
          if (r.openRuns.length) console.log(`备份时仍在进行的任务运行记录 ${r.openRuns.length} 条（含备份任务自身，编号 ${r.openRuns.join('、')}）在其后结束，未计入 job_runs 的比对`);
          const bad = r.tables.filter((t) => !t.same).length;
          console.log(r.ok ? `全部 ${r.tables.length} 张表一致，演练通过` : `${bad} 张表不一致（备份之后若有新写入，请在备份后立即演练）`);
          return r.ok ? 0 : 1;
        });
      }
      default:
        throw new UsageError(`未知的 backup 子命令：${sub ?? ''}（now、list、drill）`);
    }
  } catch (e) {
    if (e instanceof BackupFileError || e instanceof b.RestoreRefusal) throw new Refusal(e.message);
    throw e;
  }
}

/** `sanse restore --to TIME|BACKUP_ID [--target DATABASE_URL]`: into an empty database only. */
async function restoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { to: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.to) throw new UsageError('请用 --to 指定恢复到的时间或备份编号');
  const { loadConfig } = await import('../server/config.ts');
  const { restoreBackup, restoreKey } = await import('../commands/restore.ts');
  const { RestoreRefusal } = await import('../commands/backup.ts');
  const { BackupFileError } = await import('../db/backup-files.ts');
  const config = loadConfig();
  try {
    const { pii, keyFile } = restoreKey(process.env, config.databaseUrl);
    const r = await restoreBackup({ backupDir: config.backupDir, pii, to: values.to, targetUrl: values.target ?? config.databaseUrl, keyFile });
    if (values.json) print({ ...r, chain: r.chain.map((m) => m.id) });
    else {
      console.log(`已恢复到 ${r.target}：${r.chain.map((m) => `${m.id}（${m.kind === 'full' ? '全量' : '增量'}）`).join(' → ')}${r.stopAt ? `，二进制日志重放至 ${beijingTime(r.stopAt)}（北京时间）` : ''}`);
      console.log(`用时 ${(r.ms / 1000).toFixed(1)} 秒`);
    }
    return 0;
  } catch (e) {
    if (e instanceof BackupFileError || e instanceof RestoreRefusal) throw new Refusal(e.message);
    throw e;
  }
}

/** The office's jobs as `sanse serve` runs them, over this context. */
async function contextJobs(ctx: AppContext) {
  const { officeJobs } = await import('../server/jobs/office-jobs.ts');
  const { backupSettings } = await import('../commands/backup.ts');
  return officeJobs({ pii: ctx.pii, publicBaseUrl: ctx.config.publicBaseUrl, log: () => {}, llm: ctx.config.llm, backup: backupSettings(ctx.config) });
}

/** `sanse jobs`: the schedules, their runs, an office's change, a run by hand. */
async function jobsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const report = await import('../server/jobs/report.ts');
  const { CommandError } = await import('../commands/errors.ts');
  const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');
  const jobOf = <J extends { name: string }>(jobs: J[], name: string | undefined): J => {
    const job = jobs.find((j) => j.name === name);
    if (!job) throw new UsageError(`请指定计划任务名称${name ? `：没有“${name}”` : ''}（可用：${jobs.map((j) => j.name).join('、')}）`);
    return job;
  };
  const runLine = (r: import('../server/jobs/report.ts').RunBrief) =>
    `#${r.id}  ${r.slot}${r.manual ? '（手动）' : ''}  ${r.stateText}  开始 ${when(r.startedAt)}  结束 ${when(r.finishedAt)}  消息 ${r.messages} 条${r.error ? `  错误：${r.error}` : ''}${r.summary ? `  ${r.summary}` : ''}`;
  try {
    if (sub === undefined || sub === '--json') {
      const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
      const list = await withContext(async (ctx) => report.describeJobs(ctx.db, await contextJobs(ctx), Date.now()));
      if (values.json) {
        print(list.map((j) => ({
          name: j.name, title: j.title, schedule: j.schedule, enabled: j.enabled,
          lastRun: j.lastRun ? { id: j.lastRun.id, slot: j.lastRun.slot, state: j.lastRun.state, startedAt: j.lastRun.startedAt, finishedAt: j.lastRun.finishedAt, ...(j.lastRun.error ? { error: j.lastRun.error } : {}) } : null,
          nextRun: j.nextRun,
        })));
      } else {
        const rows = list.map((j) => [
          `${j.title}（${j.name}）`,
          j.schedule ?? '仅手动运行',
          j.lastRun ? `${j.lastRun.slot.split('#')[0]}${j.lastRun.manual ? '（手动）' : ''} ${j.lastRun.stateText} ${when(j.lastRun.startedAt)}${j.lastRun.error ? `：${j.lastRun.error.slice(0, 40)}` : ''}` : '尚未运行',
          j.nextRun ? when(j.nextRun) : j.schedule ? '已停用' : '—',
        ]);
        console.log(textTable(['任务', '排程', '上次运行', '下次运行'], rows));
        console.log(`共 ${list.length} 个计划任务`);
        const warning = await withContext(async (ctx) => (await import('../core/calendar.ts')).coverageWarning(await (await import('../db/settings.ts')).loadCalendar(ctx.db), todayInShanghai()));
        if (warning) console.log(`\n注意：${warning}`);
      }
      return 0;
    }
    if (sub === 'set') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { time: { type: 'string' }, off: { type: 'boolean' }, on: { type: 'boolean' } } });
      if (values.off && values.on) throw new UsageError('--off 与 --on 只能选一个');
      if (!arg(values, 'time') && !values.off && !values.on) throw new UsageError('请指定 --time HH:MM、--off 或 --on');
      const { setJobSchedule } = await import('../commands/set-job-schedule.ts');
      // The operator of the machine acts as the office's administrator; the audit row names their account.
      const actor = { id: `cli:${os.userInfo().username}`.slice(0, 64), role: '编办管理员' };
      const r = await withContext(async (ctx) => {
        const jobs = await contextJobs(ctx);
        const done = await setJobSchedule(ctx.db, actor, report.schedulable(jobs), { name: positionals[0] ?? '', time: arg(values, 'time'), enabled: values.off ? false : values.on ? true : undefined });
        const [listing] = await report.describeJobs(ctx.db, jobs.filter((j) => j.name === done.name), Date.now());
        return { done, listing };
      });
      console.log(`${r.done.title}：${r.listing.schedule}；下次运行 ${r.listing.nextRun ? when(r.listing.nextRun) : '—（已停用）'}`);
      return 0;
    }
    if (sub === 'run') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { date: { type: 'string' }, json: { type: 'boolean' } } });
      const date = requireDate(arg(values, 'date'));
      const run = await withContext(async (ctx) => {
        const jobs = await contextJobs(ctx);
        const job = jobOf(jobs, positionals[0]);
        const { createInProcessRunner } = await import('../server/jobs/in-process.ts');
        const done = await createInProcessRunner({ db: ctx.db, jobs, log: () => {} }).runNow(job.name, date);
        return report.describeRun(ctx.db, jobs, done.id);
      });
      if (!run) throw new Error('运行记录丢失');
      if (values.json) print(run);
      else {
        console.log(`${run.title} ${run.slot}：${run.stateText}${run.error ? `，错误：${run.error}` : ''}${run.summary ? `\n  ${run.summary}` : ''}`);
        console.log(`  发出消息 ${run.sent.length} 条（由发送进程送出）`);
      }
      return run.state === 'ok' ? 0 : 1;
    }
    if (sub === 'runs') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { limit: { type: 'string' }, json: { type: 'boolean' } } });
      const limit = Number(arg(values, 'limit') ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit 应为 1 到 500 之间的整数');
      const out = await withContext(async (ctx) => {
        const job = jobOf(await contextJobs(ctx), positionals[0]);
        return { job, runs: await report.describeRuns(ctx.db, job, { limit }) };
      });
      if (values.json) print(out.runs);
      else {
        console.log(`${out.job.title ?? out.job.name} 最近 ${out.runs.length} 次运行：`);
        for (const r of out.runs) console.log(`  ${runLine(r)}`);
      }
      return 0;
    }
    if (sub === 'show') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
      const id = Number(positionals[0]);
      if (!Number.isSafeInteger(id) || id < 1) throw new UsageError('请指定运行编号（sanse jobs runs 任务名 列出的 #编号）');
      const run = await withContext(async (ctx) => report.describeRun(ctx.db, await contextJobs(ctx), id));
      if (!run) throw new Refusal(`没有编号为 ${id} 的运行记录`);
      if (values.json) print(run);
      else {
        console.log(`${run.title}  ${runLine(run)}`);
        for (const m of run.sent) console.log(`  ${when(m.at)}  ${m.kindText}  → ${m.targetText}  ${m.stateText}${m.sentAt ? ` ${when(m.sentAt)}` : ''}${m.error ? `  ${m.error}` : ''}`);
        if (!run.sent.length) console.log('  本次运行没有发出消息');
      }
      return 0;
    }
    throw new UsageError(`未知的 jobs 子命令：${sub}（可用：set、run、runs、show）`);
  } catch (e) {
    if (e instanceof CommandError) throw new Refusal(e.message);
    throw e;
  }
}

/** Display width of a string in a terminal: CJK and full-width characters count two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

/** A plain-text table with a header row, columns padded to their widest cell. */
function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - displayWidth(c))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `sanse ranking publish --month M --as USER`. */
async function rankingCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'publish') throw new UsageError(`未知的 ranking 子命令：${sub ?? '（未填写）'}（可用：publish）`);
  const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, as: { type: 'string' }, json: { type: 'boolean' } } });
  const text = arg(values, 'month');
  if (text === undefined) throw new UsageError('请用 --month YYYY-MM 指定红黑榜的月份');
  const month = validMonth(text, '--month');
  const as = arg(values, 'as');
  if (!as) throw new UsageError('请用 --as 用户ID 指定以哪位用户的身份发布');
  const { CommandError } = await import('../commands/errors.ts');
  const { publishRanking } = await import('../commands/publish-ranking.ts');
  const r = await withContext((ctx) => publishRanking({ db: ctx.db, month, actor: as, publicBaseUrl: ctx.config.publicBaseUrl })).catch((e) => {
    throw e instanceof CommandError ? new Refusal(e.message) : e;
  });
  if (values.json) print({ month: r.month, published: r.published, groups: r.groups, state: r.ranking.state, publishedAt: r.ranking.publishedAt, publishedBy: r.ranking.publishedBy });
  else console.log(r.published ? `${month} 红黑榜已发布到 ${r.groups} 个工作群` : `${month} 红黑榜已由 ${r.ranking.publishedBy} 于 ${r.ranking.publishedAt} 发布，未重复发送`);
  return 0;
}

/** `sanse audit review --month YYYY-MM [--json]`: the monthly 排查 of the audit trail (commands/audit-review.ts). */
async function auditReviewCommand(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, json: { type: 'boolean' } } });
  const text = arg(values, 'month');
  if (text === undefined) throw new UsageError('请用 --month YYYY-MM 指定排查的月份');
  const month = validMonth(text, '--month');
  const { CommandError } = await import('../commands/errors.ts');
  const { reviewAuditMonth } = await import('../commands/audit-review.ts');
  const actor = `cli:${os.userInfo().username}`;
  const r = await withContext((ctx) => reviewAuditMonth({ db: ctx.db, month, actor, publicBaseUrl: ctx.config.publicBaseUrl })).catch((e) => {
    throw e instanceof CommandError ? new Refusal(e.message) : e;
  });
  const s = r.review.summary;
  if (values.json) {
    print({ month: r.month, created: r.created, sent: r.sent, reviewedAt: r.review.reviewedAt, reviewedBy: r.review.reviewedBy, users: r.review.users, flagged: s.flagged, totals: s.totals, rule: s.rule });
    return 0;
  }
  console.log(r.created ? `${month} 审计日志排查：${r.review.users} 人有操作记录，${r.review.flagged} 人异常${r.sent ? '；已发送到编办工作群' : ''}` : `${month} 已于 ${r.review.reviewedAt} 排查过，以下为当时的结果（未重复发送）`);
  for (const f of s.flagged) console.log(`  ${f.name}（${f.actor}）：${f.flags.map((x) => x.text).join('；')}`);
  console.log(`判定规则：${s.rule}`);
  return 0;
}

/** `sanse forecast --years N [--from YYYY-MM] [--unit ID] [--sector S] [--json]`: the retirement forecast from the stored stats. */
async function forecastCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { years: { type: 'string' }, from: { type: 'string' }, unit: { type: 'string' }, sector: { type: 'string' }, json: { type: 'boolean' } } });
  const yearsText = arg(values, 'years');
  if (yearsText === undefined) throw new UsageError('请用 --years N 指定预测年数，例如 sanse forecast --years 5');
  const years = Number(yearsText);
  const fromText = arg(values, 'from');
  const from = fromText === undefined ? undefined : validMonth(fromText, '--from');
  const sector = arg(values, 'sector');
  const { SECTORS } = await import('../core/unit-stats.ts');
  if (sector !== undefined && !(SECTORS as readonly string[]).includes(sector)) throw new Refusal(`--sector 应为 ${SECTORS.join('、')} 之一`);
  const unitText = arg(values, 'unit');
  if (unitText !== undefined && !/^\d+$/.test(unitText.trim())) throw new Refusal('--unit 应为单位编号（数字，如 sanse findings --json 所示）');
  const { forecastJson } = await import('../core/forecast.ts');
  const { forecastOf, ForecastRefusal } = await import('../db/forecast.ts');
  const f = await withContext(async (ctx) => {
    const unitId = unitText === undefined ? undefined : Number(unitText.trim());
    if (unitId !== undefined && !(await ctx.db('units').where({ id: unitId }).first('id'))) throw new Refusal(`未找到编号为 ${unitId} 的单位`);
    return forecastOf(ctx.db, { years, from, unitId, sector: sector as Sector | undefined });
  }).catch((e) => {
    throw e instanceof ForecastRefusal ? new Refusal(e.message) : e;
  });
  if (values.json) {
    print(forecastJson(f));
    return 0;
  }
  console.log(`退休预测 ${f.from} 至 ${f.to}（数据截至 ${f.asOf} 的每日检查）：共 ${f.total.retirements} 人退休；现有空编 ${f.total.vacantNow}，无人进入时期末空编 ${f.total.vacantAfter}`);
  const kinds = Object.keys(f.byQuotaKind);
  console.log(textTable(['年度', '退休人数', '教育', '卫生', '其他', ...kinds], f.years.map((y) => [`${y.year}${y.partial ? `（${y.months}个月）` : ''}`, String(y.retirements), String(y.bySector.教育), String(y.bySector.卫生), String(y.bySector.其他), ...kinds.map((k) => String(y.byQuotaKind[k] ?? 0))])));
  console.log('');
  console.log(textTable(['编号', '单位', '领域', '退休人数', ...f.years.map((y) => String(y.year)), '现有空编', '期末空编'], f.units.map((u) => [String(u.id), u.name, u.sector, String(u.retirements), ...f.years.map((y) => String(u.byYear[y.year] ?? 0)), String(u.vacantNow), String(u.vacantAfter)])));
  return 0;
}

/** `sanse report monthly …` or `sanse report quarterly …`. */
async function reportCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'monthly') return monthlyReportCommand(rest);
  if (sub === 'quarterly') return quarterlyReportCommand(rest);
  if (sub === 'annual' || sub === 'unit-annual') return annualReportCommand(sub, rest);
  throw new UsageError(`未知的 report 子命令：${sub ?? '（未填写）'}（可用：monthly、quarterly、annual、unit-annual）`);
}

/**
 * `sanse report annual --year 2026 --out FILE.xlsx` (编制使用决算报表 of every unit) and
 * `sanse report unit-annual --year 2026 --unit ID --out FILE.docx|FILE.xlsx` (a unit's draft 机构编制报告).
 */
async function annualReportCommand(sub: 'annual' | 'unit-annual', rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { year: { type: 'string' }, unit: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } });
  const year = arg(values, 'year');
  if (year === undefined) throw new UsageError('请用 --year 指定年度，例如 --year 2026');
  const out = arg(values, 'out');
  const lower = out?.toLowerCase() ?? '';
  const format = lower.endsWith('.xlsx') ? 'xlsx' : lower.endsWith('.docx') && sub === 'unit-annual' ? 'docx' : null;
  if (!out || !format) throw new UsageError(sub === 'annual' ? '请用 --out 指定输出文件，扩展名为 .xlsx' : '请用 --out 指定输出文件，扩展名为 .docx（Word）或 .xlsx（报告中的表格）');
  const unit = arg(values, 'unit');
  if (sub === 'unit-annual' && unit === undefined) throw new UsageError('请用 --unit 指定单位ID（单位画像地址中的数字），例如 --unit 12');
  const { validYear } = await import('../core/annual-report.ts');
  const today = todayInShanghai();
  validYear(year, Number(today.slice(0, 4)), '--year');
  const { CommandError } = await import('../commands/errors.ts');
  const { annualReportFile, unitAnnualReportFile } = await import('../commands/annual-report.ts');
  const { writeFile } = await import('node:fs/promises');
  const input = { actor: 'system', year, today, via: 'cli' as const, auditAs: `cli:${os.userInfo().username}` };
  const r = await withContext((ctx) => (sub === 'annual' ? annualReportFile({ db: ctx.db, ...input }) : unitAnnualReportFile({ db: ctx.db, ...input, unitId: unit, format: format as 'docx' | 'xlsx' })))
    .catch((e) => {
      throw e instanceof CommandError ? new Refusal(e.message) : e;
    });
  await writeFile(out, r.body);
  const t = r.table;
  if (values.json) print({ year: t.year, ended: t.ended, asOf: t.asOf, units: t.units.length, rows: t.rows.length, out, bytes: r.body.length });
  else console.log(`已生成 ${r.fileName.replace(/\.(xlsx|docx)$/, '')}（${t.units.length} 个单位，${t.ended ? `${t.year}年全年` : `${t.year}年尚未结束，数字截至 ${t.asOf}`}）：${out}`);
  return 0;
}

/** `sanse report monthly --month M [--name NAME] --out FILE.xlsx`: the month's analysis report (the current month generated now, a past month as stored). */
async function monthlyReportCommand(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } });
  const text = arg(values, 'month');
  if (text === undefined) throw new UsageError('请用 --month YYYY-MM 指定报表月份');
  const month = validMonth(text, '--month');
  const out = arg(values, 'out');
  if (!out) throw new UsageError('请用 --out 指定报表文件，例如 sanse report monthly --month 2026-11 --name 行政编制分析报表 --out 报表.xlsx');
  const { REPORTS, reportByName } = await import('../core/report-defs.ts');
  const name = arg(values, 'name');
  const def = name === undefined ? null : reportByName(name);
  if (name !== undefined && !def) throw new Refusal(`没有名为“${name}”的报表，可用：${REPORTS.map((r) => `${r.title}（${r.name}）`).join('、')}`);
  const fs = await import('node:fs/promises');
  const { reportFile, notGenerated } = await import('../db/reports.ts');
  const today = todayInShanghai();
  const written = await withContext(async (ctx) => {
    const defs = def ? [def] : REPORTS;
    const files: Array<{ name: string; title: string; file: string; generatedAt: string; fresh: boolean }> = [];
    for (const d of defs) {
      const f = await reportFile(ctx.db, d, month, today);
      if (!f) throw new Refusal(notGenerated(d, month));
      const file = defs.length === 1 ? out : out.replace(/(\.xlsx)?$/i, `-${d.name}.xlsx`);
      await fs.writeFile(file, f.bytes);
      files.push({ name: d.name, title: d.title, file, generatedAt: f.generatedAt, fresh: f.fresh });
    }
    const { audit } = await import('../db/audit.ts');
    await audit(ctx.db, `cli:${os.userInfo().username}`, 'report_download', 'report', null, { month, names: files.map((f) => f.name), files: files.map((f) => f.file.split(/[\\/]/).pop()), via: 'cli' });
    return files;
  });
  if (values.json) print({ month, files: written });
  else for (const f of written) console.log(`${month}《${f.title}》${f.fresh ? '已按当前数据生成' : `（${f.generatedAt} 生成）`}，已保存到 ${f.file}`);
  return 0;
}

/** `sanse report quarterly --quarter 2026Q3 --out FILE.docx|FILE.pdf`: the quarterly analysis report. */
async function quarterlyReportCommand(rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { quarter: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } });
  const quarter = arg(values, 'quarter');
  if (quarter === undefined) throw new UsageError('请用 --quarter 指定季度，例如 --quarter 2026Q3');
  const out = arg(values, 'out');
  const format = out?.toLowerCase().endsWith('.docx') ? 'docx' : out?.toLowerCase().endsWith('.pdf') ? 'pdf' : null;
  if (!out || !format) throw new UsageError('请用 --out 指定输出文件，扩展名为 .docx（Word）或 .pdf');
  const { validQuarter } = await import('../core/quarterly-report.ts');
  validQuarter(quarter, '--quarter');
  const { CommandError } = await import('../commands/errors.ts');
  const { quarterlyReportFile } = await import('../commands/quarterly-report.ts');
  const { writeFile } = await import('node:fs/promises');
  const r = await withContext(async (ctx) => {
    const file = await quarterlyReportFile({ db: ctx.db, actor: 'system', quarter, format, llm: ctx.config.llm });
    const { audit } = await import('../db/audit.ts');
    await audit(ctx.db, `cli:${os.userInfo().username}`, 'export', 'report', null, { kind: 'quarterly', file: out.split(/[\\/]/).pop(), quarter: file.report.quarter.id, via: 'cli' });
    return file;
  }).catch((e) => {
    throw e instanceof CommandError ? new Refusal(e.message) : e;
  });
  await writeFile(out, r.body);
  const source = { saved: '编办定稿的文字', llm: '大模型草稿', template: '模板文字' }[r.narrative];
  if (values.json) print({ quarter: r.report.quarter.id, out, format, bytes: r.body.length, asOf: r.report.asOf, narrative: r.narrative });
  else console.log(`已生成 ${r.report.title}（${format === 'docx' ? 'Word' : 'PDF'}，数据截至 ${r.report.asOf ?? '无'}，正文为${source}）：${out}`);
  return 0;
}

/** `sanse manual office|unit --out FILE.pdf`: a user manual as PDF (cards/manuals/*.md with its screenshots; no database needed). */
async function manualCommand(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string' }, json: { type: 'boolean' } } });
  const which = positionals[0];
  if (which !== 'office' && which !== 'unit') throw new UsageError('请指定手册：office（编办用户操作手册）或 unit（部门(单位)用户操作手册）');
  const out = arg(values, 'out');
  if (!out || !out.toLowerCase().endsWith('.pdf')) throw new UsageError('请用 --out 指定输出文件，扩展名为 .pdf');
  const { CommandError } = await import('../commands/errors.ts');
  const { manualPdf } = await import('../commands/manuals.ts');
  const { writeFile } = await import('node:fs/promises');
  const f = await manualPdf(which, todayInShanghai()).catch((e) => {
    throw e instanceof CommandError ? new Refusal(e.message) : e;
  });
  await writeFile(out, f.body);
  if (values.json) print({ manual: which, title: f.title, out, bytes: f.body.length });
  else console.log(`已生成《${f.title}》PDF：${out}`);
  return 0;
}

/** `sanse snapshot keygen|export|trust|import|list`: 市县贯通 (README). */
async function snapshotCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const snap = await import('../commands/snapshots.ts');
  const { CommandError } = await import('../commands/errors.ts');
  const who = `cli:${os.userInfo().username}`;
  try {
    switch (sub) {
      case 'keygen': {
        const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, json: { type: 'boolean' } } });
        const out = arg(values, 'out');
        if (!out) throw new UsageError('请用 --out 指定密钥目录，例如 sanse snapshot keygen --out keys');
        const r = snap.snapshotKeygen(out);
        if (values.json) print(r);
        else console.log(`已生成密钥对：私钥 ${r.privateKey}（请妥善保管，设置 SNAPSHOT_SIGNING_KEY=${r.privateKey}），公钥 ${r.publicKey}（交市编办登记），指纹 ${r.fingerprint}`);
        return 0;
      }
      case 'export': {
        const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, out: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' } } });
        const month = arg(values, 'month');
        const out = arg(values, 'out');
        if (!month || !out) throw new UsageError('请指定月份和文件：sanse snapshot export --month 2026-11 --out 快照.json.gz');
        const r = await withContext(async (ctx) => {
          const done = await snap.exportSnapshot(ctx.db, { month, out, keyFile: process.env.SNAPSHOT_SIGNING_KEY, region: arg(values, 'region') });
          const { audit } = await import('../db/audit.ts');
          await audit(ctx.db, who, 'snapshot_export', null, null, { month: done.month, region: done.region, file: out.split(/[\\/]/).pop(), units: done.units, people: done.people });
          return done;
        });
        if (values.json) print(r);
        else console.log(`已导出区县 ${r.region} ${r.month} 快照：单位 ${r.units} 个，人员 ${r.people} 名 → ${r.file}（已签名）`);
        return 0;
      }
      case 'trust': {
        const { values } = parseArgs({ args: rest, options: { region: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } } });
        const region = arg(values, 'region');
        const key = arg(values, 'key');
        if (!region || !key) throw new UsageError('请指定区县和公钥文件：sanse snapshot trust --region 330604 --key snapshot-signing.pub');
        const pem = fs.readFileSync(key, 'utf8');
        const r = await withContext((ctx) => snap.trustCounty(ctx.db, { id: who }, region, pem));
        if (values.json) print(r);
        else console.log(`已${r.replaced ? '更换' : '登记'}区县 ${r.region} 的公钥，指纹 ${r.fingerprint}`);
        return 0;
      }
      case 'import': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean' } } });
        if (positionals.length !== 1) throw new UsageError('请指定快照文件：sanse snapshot import 快照.json.gz');
        const bytes = fs.readFileSync(positionals[0]);
        const r = await withContext((ctx) => snap.importSnapshot(ctx.db, { id: who }, bytes));
        if (values.json) print(r);
        else console.log(r.message);
        return 0;
      }
      case 'list': {
        const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
        const { listSnapshots } = await import('../db/snapshots.ts');
        const r = await withContext((ctx) => listSnapshots(ctx.db));
        if (values.json) print(r);
        else {
          for (const s of r.snapshots) console.log(`${s.region_code}  ${s.month}  第 ${s.version} 版  单位 ${s.units}  人员 ${s.people}  ${s.imported_at} ${s.imported_by}`);
          if (!r.snapshots.length) console.log('尚未导入任何区县快照');
        }
        return 0;
      }
      default:
        throw new UsageError('用法：sanse snapshot keygen|export|trust|import|list');
    }
  } catch (e) {
    if (e instanceof CommandError) throw new Refusal(e.message);
    throw e;
  }
}

async function piiCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { batch: { type: 'string' }, json: { type: 'boolean' } } });
  switch (sub) {
    case 'keygen': {
      const { generatePiiKey } = await import('../db/pii.ts');
      process.stdout.write(generatePiiKey() + '\n');
      return 0;
    }
    case 'status': {
      const { readRotation } = await import('../db/pii-rotation.ts');
      const s = await withContext(async (ctx) => {
        // Can the key in use read what is stored? (the newest encrypted ID number)
        const row = await ctx.db('people').whereNotNull('id_enc').orderBy('id', 'desc').first('id', 'id_enc');
        let decrypts: boolean | null = null;
        if (row) {
          try {
            ctx.pii.decrypt(String(row.id_enc));
            decrypts = true;
          } catch {
            decrypts = false;
          }
        }
        return { keyId: ctx.pii.keyId, previousKeyId: ctx.pii.previous?.keyId ?? null, decrypts, failedPersonId: decrypts === false ? row.id : null, rotation: await readRotation(ctx.db) };
      });
      if (values.json) print(s);
      if (s.decrypts === false) {
        console.error(`当前密钥（编号 ${s.keyId}）无法解密已保存的身份证号（人员编号 ${s.failedPersonId}）：PII_KEY 不是加密这些数据的现用密钥。请把 PII_KEY 换回现用密钥；换新密钥须设置 PII_KEY=新密钥、PII_KEY_PREVIOUS=现用密钥后运行 sanse pii rotate`);
        return 1;
      }
      if (!values.json) {
        console.log(`当前密钥编号 ${s.keyId}${s.previousKeyId ? `，上一把密钥编号 ${s.previousKeyId}（PII_KEY_PREVIOUS 已设置）` : ''}`);
        const r = s.rotation;
        if (!r) console.log('尚未轮换过密钥');
        else if (r.finishedAt) console.log(`最近一次轮换：${r.from} → ${r.to}，${r.startedAt} 开始，${r.finishedAt} 完成${s.previousKeyId ? '；轮换已完成，请从各实例的环境变量中删除 PII_KEY_PREVIOUS 并逐个重启' : ''}`);
        else console.log(`轮换进行中：${r.from} → ${r.to}，${r.startedAt} 开始，第 ${r.step + 1} 步，已处理到编号 ${r.lastId}；再次运行 sanse pii rotate 继续`);
      }
      return 0;
    }
    case 'rotate': {
      const batch = arg(values, 'batch');
      const size = batch === undefined ? undefined : Number(batch);
      if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 100_000)) throw new UsageError(`--batch 应为 1 到 100000 的整数：${batch}`);
      const { rotatePiiKey } = await import('../commands/rotate-pii-key.ts');
      const { CommandError } = await import('../commands/errors.ts');
      const r = await withContext(async (ctx) => {
        let out;
        try {
          out = await rotatePiiKey(ctx.db, ctx.pii, { actor: `cli:${os.userInfo().username}`.slice(0, 64), batchSize: size, progress: values.json ? undefined : (l) => console.log(l) });
        } catch (e) {
          throw e instanceof CommandError ? new Refusal(e.message) : e;
        }
        if (!out.alreadyDone) replaceSqliteKeyFile(ctx);
        return out;
      });
      if (values.json) print(r);
      else if (r.alreadyDone) console.log(`密钥轮换（${r.from} → ${r.to}）已经完成，无需再次运行。请从各实例的环境变量中删除 PII_KEY_PREVIOUS 并逐个重启`);
      else console.log(`用时 ${(r.ms / 1000).toFixed(1)} 秒。下一步：从各实例的环境变量中删除 PII_KEY_PREVIOUS 并逐个重启；今天的每日检查若因轮换跳过，请运行 sanse check。原密钥请与备份分开另行保存：恢复轮换前的备份需要它`);
      return 0;
    }
    default:
      throw new UsageError('用法：sanse pii keygen | sanse pii rotate [--batch N] [--json] | sanse pii status [--json]');
  }
}

/**
 * The embedded default keeps its key in a file beside the SQLite database. When the rotation ran
 * with that file's key as PII_KEY_PREVIOUS, the file now gets the new key (so `sanse serve`
 * without PII_KEY reads it) and the old key is kept beside it as `….pii-key.<keyId>`.
 */
function replaceSqliteKeyFile(ctx: AppContext): void {
  const prevHex = process.env.PII_KEY_PREVIOUS?.trim();
  const newHex = process.env.PII_KEY?.trim();
  if (!ctx.config.databaseUrl.startsWith('sqlite:') || !prevHex || !newHex || !ctx.pii.previous) return;
  const file = ctx.config.databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (file === ':memory:') return;
  const keyFile = piiKeyFileOf(file);
  if (!fs.existsSync(keyFile) || fs.readFileSync(keyFile, 'utf8').trim().toLowerCase() !== prevHex.toLowerCase()) return;
  const kept = `${keyFile}.${ctx.pii.previous.keyId}`;
  fs.copyFileSync(keyFile, kept);
  fs.writeFileSync(keyFile, newHex + '\n', { mode: 0o600 });
  console.error(`内嵌数据库的密钥文件 ${keyFile} 已换成新密钥；原密钥保存在 ${kept}（请另行备份，勿与 BACKUP_DIR 放在一起）`);
}

async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const { loadConfig } = await import('../server/config.ts');
  const { runDoctor } = await import('../commands/doctor.ts');
  const config = loadConfig(process.env);
  const platformToken = config.platform === 'dingtalk'
    ? async () => {
      const { DingTalkOpenApi } = await import('../bot/dingtalk/openapi.ts');
      const api = new DingTalkOpenApi({ clientId: config.dingtalk.clientId, clientSecret: config.dingtalk.clientSecret, apiBase: config.dingtalk.apiBase, oapiBase: config.dingtalk.oapiBase, log: { info: () => {}, warn: () => {} }, timeoutMs: 8000 });
      await api.accessToken();
    }
    : config.platform === 'zhengding'
      ? async () => {
        const { createZhengDingClient } = await import('../bot/zhengding/client.ts');
        await createZhengDingClient({ apiBase: config.zhengding.apiBase, appKey: config.zhengding.appKey, appSecret: config.zhengding.appSecret, ip: config.zhengding.ip, mac: config.zhengding.mac, timeoutMs: 8000 }).accessToken();
      }
      : undefined;
  const audit = await import('../db/audit.ts');
  const verifyAuditChain = async (db: Knex, pii: PiiCipher) => {
    audit.registerAuditKey(db, pii);
    const v = await audit.verifyAuditChain(db, { pii });
    return { ok: v.ok, brokenAt: v.broken?.id ?? null, message: audit.verifyText(v) };
  };
  const checks = await runDoctor({ env: process.env, platform: config.platform, platformToken, verifyAuditChain });
  const bad = checks.filter((c) => c.level === 'error');
  if (values.json) print(checks);
  else {
    const mark = { ok: '✓ 正常', warning: '! 提醒', error: '✗ 问题' } as const;
    for (const c of checks) console.log(`${mark[c.level]}  ${c.name}：${c.message}`);
    const warnings = checks.filter((c) => c.level === 'warning').length;
    console.log(bad.length ? `\n共 ${bad.length} 项问题${warnings ? `、${warnings} 项提醒` : ''}，请按上面的说明改正后再运行 sanse doctor` : `\n配置检查通过${warnings ? `（${warnings} 项提醒）` : ''}`);
  }
  return bad.length ? 1 : 0;
}

async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'review') return auditReviewCommand(rest);
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, since: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' } } });
  const { sealAuditChain, verifyAuditChain, verifyText, listAuditRows } = await import('../db/audit.ts');
  if (sub === 'verify') {
    const v = await withContext(async (ctx) => {
      await sealAuditChain(ctx.db);
      return verifyAuditChain(ctx.db);
    });
    if (values.json) print({ ...v, text: verifyText(v) });
    else (v.ok ? console.log : console.error)(verifyText(v));
    return v.ok ? 0 : 1;
  }
  if (sub === 'list') {
    const since = arg(values, 'since');
    if (since !== undefined) validDay(since, '--since');
    const limitText = arg(values, 'limit');
    const limit = limitText === undefined ? 200 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new Refusal(`--limit 应为 1 到 100000 的整数：${limitText}`);
    const rows = await withContext((ctx) => listAuditRows(ctx.db, { since, actor: arg(values, 'actor'), action: arg(values, 'action'), limit }));
    if (values.json) print(rows);
    else if (!rows.length) console.log('没有符合条件的审计日志');
    else {
      const { auditActionLabel } = await import('../core/audit-actions.ts');
      for (const r of rows) {
        const what = r.entity ? ` ${r.entity}${r.entityId !== null ? `#${r.entityId}` : ''}` : '';
        console.log(`${r.at}  ${r.actor}  ${auditActionLabel(r.action)}${what}${r.unitId !== null ? `  单位 ${r.unitId}` : ''}${r.ip ? `  ${r.ip}` : ''}${r.detail !== null ? `  ${JSON.stringify(r.detail)}` : ''}`);
      }
    }
    return 0;
  }
  throw new UsageError('用法：sanse audit verify [--json] 或 sanse audit list [--since YYYY-MM-DD] [--actor 用户ID] [--action 操作] [--json]');
}

// The vocabulary of audit_log.action (issue 17): every action a row may carry, with the Chinese
// label the 数据安全管理员 reads, grouped by what it is (登录, 查看, 导出导入, 审批, 设置, 群发…).
// Names are at most 32 characters (audit_log.action). Older rows keep the names they were
// written with; they are all listed here. This is the one vocabulary: audit() accepts only these
// names, and the console's list, filter and export and the monthly 排查 read their labels here.

export interface AuditActionInfo {
  label: string;
  group: AuditActionGroup;
}

export type AuditActionGroup = 'login' | 'view' | 'export' | 'import' | 'request' | 'lock' | 'setting' | 'broadcast' | 'data' | 'audit';

export const AUDIT_ACTION_GROUPS: Record<AuditActionGroup, string> = {
  login: '登录',
  view: '查看',
  export: '导出',
  import: '导入',
  request: '编制事项审批',
  lock: '锁定与解锁',
  setting: '设置变更',
  broadcast: '群发',
  data: '数据处理',
  audit: '审计日志',
};

const A = (label: string, group: AuditActionGroup): AuditActionInfo => ({ label, group });

export const AUDIT_ACTIONS = {
  // logins
  login: A('登录', 'login'),
  login_refused: A('登录被拒', 'login'),
  logout: A('退出登录', 'login'),
  // views
  view_person: A('查看人员信息', 'view'),
  view_full_id: A('查看完整身份证号', 'view'),
  full_id_refused: A('查看完整身份证号被拒', 'view'),
  provenance_search: A('查询首录人', 'view'),
  // exports and downloads
  export: A('导出', 'export'),
  export_full_ids: A('导出完整身份证号', 'export'),
  weekly_export: A('导出每周督办清单', 'export'),
  'monthly-confirmation.export': A('导出月度核账情况', 'export'),
  report_download: A('下载月度分析报表', 'export'),
  'budget.export': A('导出年度预算报表', 'export'),
  download_import_errors: A('下载导入错误表', 'export'),
  import_errors_refused: A('下载导入错误表被拒', 'export'),
  snapshot_export: A('导出上报快照', 'export'),
  registration_form_download: A('下载入(出)编登记表', 'export'),
  registration_register_export: A('导出登记表台账', 'export'),
  annual_report_export: A('下载编制使用决算报表', 'export'),
  unit_report_export: A('下载机构编制报告草稿', 'export'),
  notice_download: A('下载书面函告', 'export'),
  fix_guide_export: A('导出本月高频错题', 'export'),
  // imports
  import: A('导入数据', 'import'),
  feed_import: A('导入外部数据', 'import'),
  snapshot_import: A('导入区县快照', 'import'),
  town_map_upload: A('上传镇街地图', 'import'),
  // staffing requests
  request_submit: A('提交编制事项', 'request'),
  request_review: A('初审编制事项', 'request'),
  request_decide: A('终审编制事项', 'request'),
  request_withdraw: A('撤回编制事项', 'request'),
  registration_form_issue: A('签发入(出)编登记表', 'request'),
  // locks
  user_lock: A('锁定账号', 'lock'),
  user_unlock: A('解锁账号', 'lock'),
  // settings
  rules_set: A('修改规则设置', 'setting'),
  calendar_override: A('修改工作日历', 'setting'),
  set_job_schedule: A('修改计划任务', 'setting'),
  score_policy: A('修改评分办法', 'setting'),
  town_thresholds: A('修改镇街三色阈值', 'setting'),
  town_map_delete: A('删除镇街地图', 'setting'),
  sectors_update: A('修改单位行业分类', 'setting'),
  weekly_settings: A('修改每周督办设置', 'setting'),
  'monthly-confirmation.setting': A('修改月度核账设置', 'setting'),
  'message-budget': A('修改消息额度', 'setting'),
  snapshot_trust: A('信任区县公钥', 'setting'),
  notice_settings: A('修改书面函告设置', 'setting'),
  fix_guide_edit: A('修改错题本指引', 'setting'),
  fix_guide_add: A('新增错题本条目', 'setting'),
  fix_guide_restore: A('恢复错题本指引版本', 'setting'),
  // broadcasts
  weekly_send: A('发送每周督办清单', 'broadcast'),
  publish_ranking: A('发布红黑榜', 'broadcast'),
  'monthly-confirmation.open': A('发起月度核账', 'broadcast'),
  'monthly-confirmation.remind': A('提醒月度核账', 'broadcast'),
  'budget.open': A('开启年度预算填报', 'broadcast'),
  'budget.remind': A('催办年度预算填报', 'broadcast'),
  notice_issue: A('发出半年书面函告', 'broadcast'),
  // other acts on the data
  'monthly-confirmation.confirm': A('确认月度核账', 'data'),
  notice_reply: A('回复书面函告', 'data'),
  notice_review: A('审核书面函告回复', 'data'),
  feed_link_confirm: A('确认外部数据匹配', 'data'),
  'budget.save': A('保存年度预算草稿', 'data'),
  'budget.submit': A('提交年度预算', 'data'),
  'budget.approve': A('审核通过年度预算', 'data'),
  'budget.return': A('退回年度预算', 'data'),
  'budget.reopen': A('重新打开年度预算', 'data'),
  feed_link_withdraw: A('撤回外部数据匹配', 'data'),
  feed_no_match: A('标记外部数据无匹配', 'data'),
  feed_no_match_withdraw: A('撤回无匹配标记', 'data'),
  'explain-difference': A('登记已说明差异', 'data'),
  'review-explanation': A('复核已说明差异', 'data'),
  'withdraw-explanation': A('撤回已说明差异', 'data'),
  report_generate: A('生成月度分析报表', 'data'),
  draft_analysis: A('生成分析草稿', 'data'),
  save_analysis: A('保存分析报告', 'data'),
  check_run: A('运行数据检查', 'data'),
  pii_rotate_start: A('开始轮换身份证号密钥', 'data'),
  pii_rotate_finish: A('完成轮换身份证号密钥', 'data'),
  // the audit trail itself (the console's export and the monthly 排查 included)
  audit_purge: A('清理过期审计日志', 'audit'),
  audit_export: A('导出审计日志', 'audit'),
  audit_review: A('审计日志月度排查', 'audit'),
} as const satisfies Record<string, AuditActionInfo>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** Action → Chinese label (for a filter list). */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = Object.fromEntries(
  Object.entries(AUDIT_ACTIONS).map(([k, v]) => [k, v.label]),
) as Record<AuditAction, string>;

/** The label of an action; an unknown (old) name is shown as it is. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, AuditActionInfo>)[action]?.label ?? action;
}

/** How a login was refused (detail.reason of a login_refused row). */
export const LOGIN_REFUSALS = {
  unknown: '账号不在用户名单',
  locked: '账号已锁定',
  bad_code: '登录凭证无效',
  rate_limited: '尝试过于频繁',
  disabled: '登录方式未开启',
} as const;

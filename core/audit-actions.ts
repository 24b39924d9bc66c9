// The actions of the audit trail (audit_log.action) and what the 数据安全管理员 reads for each.
// Read from the writers of audit rows (`grep -rn "audit(" db commands server`); an action not
// listed here is shown by its own name (auditActionLabel). The monthly 排查 (commands/audit-review.ts)
// groups them: full-ID views, exports, refused logins.

export const AUDIT_ACTIONS = {
  // Logins and sessions
  login: '登录',
  login_refused: '登录被拒绝',
  logout: '退出登录',
  // Reading people and full ID numbers
  view_person: '查看人员信息',
  view_full_id: '查看完整身份证号',
  full_id_refused: '查看完整身份证号被拒绝',
  // Exports and imports
  export: '导出数据',
  export_full_ids: '导出完整身份证号',
  weekly_export: '导出每周督办清单',
  'monthly-confirmation.export': '导出月度核账情况',
  report_download: '下载月度报表',
  download_import_errors: '下载导入错误文件',
  import_errors_refused: '下载导入错误文件被拒绝',
  audit_export: '导出审计日志',
  import: '导入数据',
  feed_import: '导入外部名单',
  // Requests, unlocks, settings, broadcasts
  request_review: '编制事项初审',
  request_decide: '编制事项终审',
  user_lock: '锁定账号',
  user_unlock: '解锁账号',
  'message-budget': '修改消息额度',
  score_policy: '修改评分办法',
  calendar_override: '调整工作日历',
  set_job_schedule: '修改计划任务排程',
  weekly_settings: '修改督办清单设置',
  'monthly-confirmation.setting': '修改月度核账设置',
  sectors_update: '修改单位领域',
  town_thresholds: '修改镇街三色图阈值',
  town_map_upload: '上传镇街地图',
  town_map_delete: '删除镇街地图',
  weekly_send: '发送每周督办清单',
  publish_ranking: '发布红黑榜',
  'monthly-confirmation.open': '开启月度核账',
  'monthly-confirmation.remind': '催办月度核账',
  'monthly-confirmation.confirm': '单位确认月度核账',
  report_generate: '生成月度报表',
  draft_analysis: '生成分析草稿',
  save_analysis: '保存分析报告',
  // Cross-system differences and feeds
  'explain-difference': '标记已说明差异',
  'withdraw-explanation': '撤销已说明差异',
  'review-explanation': '复核已说明差异',
  feed_link_confirm: '确认外部名单对应',
  feed_link_withdraw: '撤销外部名单对应',
  feed_no_match: '标记外部名单无对应',
  feed_no_match_withdraw: '撤销无对应标记',
  // 市县贯通
  snapshot_trust: '登记区县公钥',
  snapshot_import: '导入区县快照',
  // The audit trail itself
  audit_review: '月度审计排查',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** The Chinese label of an action; an unknown one by its own name. */
export function auditActionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}

/** What the list calls a record_versions row (修改记录) when it is shown among the audit rows. */
export const VERSION_ACTION = 'record_version';
export const VERSION_LABEL = '修改记录';

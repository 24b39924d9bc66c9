// The details of an audit row in clear Chinese (issue 17, the 数据安全管理员's console and its
// export): one formatter from (action, detail) to lines, the entity words, and the Chinese names of
// the fields an edit (修改记录) changed. Known keys and values are translated; arrays and objects
// are summarised in words; an unknown key falls back to its own name, never to raw JSON. Pure.

import { LOGIN_REFUSALS } from './audit-actions.ts';
import { LABEL_BY_COLUMN } from './person-fields.ts';

type Row = Record<string, unknown>;

/** Detail keys → Chinese. */
const KEYS: Record<string, string> = {
  door: '登录方式', outcome: '结果', decision: '决定', via: '途径', kind: '类型', status: '状态', state: '状态',
  rows: '行数', people: '人数', file: '文件', fileName: '文件', files: '文件', source: '来源', month: '月份', quarter: '季度',
  period: '期间', unitId: '单位', unitCode: '单位代码', units: '单位数', reason: '原因', note: '说明', role: '角色',
  filters: '筛选条件', users: '人数', flagged: '异常人员', sent: '已发送', date: '日期', dates: '日期', name: '名称',
  versions: '各月行数', sheets: '各表行数', before: '修改前', after: '修改后', userId: '用户', region: '地区', to: '至', from: '自',
  rule: '规则', no: '编号', page: '页', error: '错误', deleted: '删除行数', cutoff: '清理截止', anchorSeq: '链起点序号',
  anchorMac: '链起点签名', anchorAt: '链起点时间', bytes: '字节数', fingerprint: '公钥指纹', job: '计划任务', time: '时间',
  office: '编办', red: '红色预警数', required: '必填', mapId: '地图', explanation: '说明', evidenceFile: '佐证文件',
  finding: '问题', selfChecks: '自查单位数', reviewDue: '复核期限', resubmit: '重新提交', requestLimitWorkdays: '办理时限（工作日）',
  unmapped: '未匹配', unitGroupCards: '单位群卡片数', unitDirectCards: '单位个人卡片数', version: '版本', count: '条数',
  schedule: '计划', enabled: '启用', days: '天数', keepDays: '保存天数', importId: '导入批次', id: '编号', ip: '来源地址',
  label: '名称', value: '值', title: '标题', comment: '意见', amount: '数量',
  query: '查询内容',
  year: '年度', dueOn: '截止日期',
  number: '表号', fullId: '含完整身份证号',
  format: '格式',
  half: '半年度',
  overdueWorkdays: '超期时限（工作日）', repeatTimes: '重复出错次数', replyWorkdays: '回复期限（工作日）', prefix: '文号前缀',
  entry: '错题本条目', restoredFrom: '恢复自第几版',
};

/** Keys shown in no line (internal, or said elsewhere). */
const HIDDEN_KEYS = new Set(['anchorMac', 'importId', 'keyId', 'mac']);

const DOORS: Record<string, string> = {
  sandbox: '沙箱', 'dingtalk-qr': '钉钉扫码', 'dingtalk-miniapp': '钉钉工作台', 'zhengding-qr': '浙政钉扫码',
  'zhengding-miniapp': '浙政钉工作台', dingtalk: '钉钉', zhengding: '浙政钉', other: '其他',
};
const OUTCOMES: Record<string, string> = {
  ok: '成功', refused: '被拒绝', interrupted: '中断', errors: '有错误', decided: '已决定', already: '已处理过', failed: '失败',
};
const DECISIONS: Record<string, string> = { approve: '同意', approved: '同意', reject: '不同意', rejected: '不同意', return: '退回', returned: '退回' };
const VIAS: Record<string, string> = {
  console: '控制台', cli: '命令行', api: '接口', robot: '机器人', group: '工作群', export: '导出', bot: '机器人', job: '计划任务', miniapp: '小程序',
};
const STATES: Record<string, string> = {
  open: '待处理', resolved: '已解决', approved: '已同意', rejected: '不同意', submitted: '已提交', pending: '待处理', completed: '已完成',
  queued: '排队中', running: '运行中', failed: '失败', published: '已发布', handled: '已处理', frozen: '已冻结', preview: '预览',
  sending: '发送中', dead: '发送失败', withdrawn: '已撤回', reviewed: '已初审', returned: '已退回', draft: '草稿',
};
const KINDS: Record<string, string> = {
  findings: '问题清单', people: '人员名单', workers: '编外人员名单', units: '单位名单', unit: '单位', person: '人员', worker: '编外人员',
  users: '用户', group: '工作群', 'negative-list': '负面清单', template: '模板', llm: '大模型', full: '全量', incremental: '增量',
  quarterly: '季度', annual: '年度决算', 'unit-annual': '机构编制报告', monthly: '月度', weekly: '每周', 'weekly-unit': '单位每周督办', 'weekly-office': '编办每周督办', 'self-check': '自查',
  suspension: '暂停', reserved: '预留', forced: '强制', copy: '复制', workdays: '工作日', 'month-first-workday': '每月第一个工作日',
  manual: '手动', light: '三色', stat: '统计', family: '亲属', message: '消息', reply: '回复', run: '运行', tick: '定时',
  first: '首录', last: '最后修改', report: '报表', ranking: '红黑榜', quota: '编制', leader_post: '领导职数', roster: '花名册', red: '红色', yellow: '黄色', green: '绿色',
  'manual-office': '编办用户操作手册', 'manual-unit': '部门(单位)用户操作手册',
};
const VALUES_BY_KEY: Record<string, Record<string, string>> = {
  door: DOORS, outcome: OUTCOMES, decision: DECISIONS, via: VIAS, status: STATES, state: STATES, kind: KINDS, source: KINDS,
  reason: LOGIN_REFUSALS as unknown as Record<string, string>,
};

/** Entity words. */
export const ENTITY_WORDS: Record<string, string> = {
  person: '人员', worker: '编外人员', unit: '单位', quota: '编制', leader_post: '领导职数', user: '用户', request: '编制事项申请',
  job: '计划任务', setting: '设置', settings: '设置', import: '导入批次', feed: '外部数据', finding: '问题', report: '月度分析报表',
  snapshot: '上报快照', town: '镇街', town_map: '镇街地图', explanation: '已说明差异', confirmation: '月度核账', broadcast: '群发',
  analysis: '分析报告', calendar: '工作日历', audit: '审计日志', feed_link: '外部数据匹配', rules: '规则设置', check: '数据检查',
  budget: '年度编制使用预算',
  reg_form: '入(出)编登记表',
  fix_guide: '错题本指引',
  manual: '操作手册',
};

/** How the row's object is said: the name when known, else the entity word with its number (申请 SQ…). */
export function entityText(entity: string | null, entityId: number | null, name?: string | null, extra?: { requestNo?: string | null }): string {
  if (!entity) return name ?? '';
  const word = ENTITY_WORDS[entity] ?? '对象';
  if (name) return `${word}：${name}`;
  if (entity === 'request' && extra?.requestNo) return `申请 ${extra.requestNo}`;
  return entityId != null ? `${word}（编号 ${entityId}）` : word;
}

/** Columns of the edited tables that are not person fields. */
const COLUMN_WORDS: Record<string, string> = {
  unit_id: '所在单位', id_masked: '身份证号', birth_key: '出生日期（校验用）', first_contract_on: '首次签订合同日期', exit_on: '离职日期',
  post_class: '岗位类别', post_name: '岗位名称', employment: '用工方式', name: '姓名', gender: '性别', code: '单位代码', parent_code: '上级单位代码',
  region_code: '地区代码', region_name: '地区名称', nature: '机构性质', category: '机构类别', is_can_gong: '参照公务员法管理', level: '机构规格',
  funding: '经费形式', approval_no: '批准文号', approval_date: '批准日期', internal_offices: '内设机构', internal_offices_approved: '核定内设机构数',
  duties: '主要职责', annual_report: '年度报告', worker_cap: '编外人员控制数', group_id: '工作群', kind: '类别', approved: '核定数',
  role: '角色', unit_code: '单位代码', mobile: '手机号', region_label: '地区', status: '状态', id_kind: '证件类型',
};
/** Internal columns an edit record does not show. */
const HIDDEN_COLUMNS = new Set(['id', 'id_hash', 'id_enc', 'id_kind', 'id_check_ok', 'id_expected_check', 'id_birth', 'id_birth_invalid', 'id_gender', 'id_province_ok', 'id_irregular', 'extra', 'updated_at', 'created_at', 'birth_key']);

/** The Chinese name of a changed column (null: internal, not shown). */
export function columnLabel(entity: string, column: string): string | null {
  if (HIDDEN_COLUMNS.has(column)) return null;
  if (entity === 'person') { const l = LABEL_BY_COLUMN.get(column); if (l) return l; }
  return COLUMN_WORDS[column] ?? LABEL_BY_COLUMN.get(column) ?? column;
}

/** The fields an edit changed, each with before → after (values as words; `mask` hides ID numbers). */
export function versionChanges(entity: string, before: unknown, after: unknown, mask: (s: string) => string = (s) => s): Array<{ field: string; before: string; after: string }> {
  const b = (before && typeof before === 'object' ? before : {}) as Row;
  const a = (after && typeof after === 'object' ? after : {}) as Row;
  const out: Array<{ field: string; before: string; after: string }> = [];
  for (const c of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (JSON.stringify(b[c] ?? null) === JSON.stringify(a[c] ?? null)) continue;
    const field = columnLabel(entity, c);
    if (!field) continue;
    out.push({ field, before: mask(valueText(c, b[c])), after: mask(valueText(c, a[c])) });
  }
  return out;
}

function valueText(key: string, v: unknown, depth = 0): string {
  if (v === null || v === undefined || v === '') return '（空）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return VALUES_BY_KEY[key]?.[v] ?? v;
  if (Array.isArray(v)) {
    if (!v.length) return '无';
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => valueText(key, x, depth + 1)).join('、');
    if (key === 'versions') return v.map((x) => { const o = x as Row; return `${o.month ?? ''} ${o.rows ?? 0} 行`; }).join('，');
    return v.map((x) => valueText(key, x, depth + 1)).join('；');
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Row).filter(([k, x]) => !HIDDEN_KEYS.has(k) && x !== undefined);
    if (!entries.length) return '无';
    if (depth > 2) return `${entries.length} 项`;
    const sep = key === 'sheets' ? ' ' : '：';
    return entries.map(([k, x]) => `${KEYS[k] ?? k}${sep}${valueText(k, x, depth + 1)}${key === 'sheets' ? ' 行' : ''}`).join('，');
  }
  return String(v);
}

/** The detail of an audit row as Chinese lines ("键：值"), empty when there is none. */
export function auditDetailLines(_action: string, detail: unknown): string[] {
  if (detail === null || detail === undefined || detail === '') return [];
  if (typeof detail !== 'object' || Array.isArray(detail)) return [valueText('', detail)];
  const lines: string[] = [];
  for (const [k, v] of Object.entries(detail as Row)) {
    if (HIDDEN_KEYS.has(k) || v === null || v === undefined || v === '') continue;
    if ((k === 'before' || k === 'after') && v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length) continue;
    if (k === 'flagged' && Array.isArray(v) && !v.length) { lines.push('异常人员：无'); continue; }
    lines.push(`${KEYS[k] ?? k}：${valueText(k, v)}`);
  }
  return lines;
}

/** The detail in one line (the export). */
export function auditDetailText(action: string, detail: unknown): string {
  return auditDetailLines(action, detail).join('；');
}

// Where each finding is fixed: one pure mapping from a rule code to the page (person, 编外人员,
// the unit's own record, the office's approval fields of the unit, a staffing request, the
// 自查 page, the office's console), and one function that turns a finding into the link a user
// of a role follows. The server puts that link on every finding it lists (`fix`), the mini-app's
// 待整改 follows it, so no item ends at a dead end. Pure: no I/O.

import { ADMIN_ROLES, OFFICE_ROLES } from './roles.ts';
import { ruleByCode } from './rules/index.ts';

export type FixKind = 'person' | 'worker' | 'unit' | 'unit-approval' | 'request' | 'self-check' | 'monthly' | 'office' | 'cross';
export type RequestKind = '用编计划' | '增人入编' | '减人出编' | '领导职数使用';

export interface FindingFixSpec {
  kind: FixKind;
  requestKind?: RequestKind;
  /** The form field the fix is in (the 机构 sheet's or 编外人员 sheet's Chinese header), where one is. */
  field?: string;
  /** What the button says, in Chinese. */
  label: string;
  /** What office roles (编办管理员, 编办业务人员) do instead, where it differs. */
  office?: { kind: FixKind; label: string };
}

const person = (label = '去修改人员信息'): FindingFixSpec => ({ kind: 'person', label });
const worker = (field: string | undefined, label = '去修改编外人员信息'): FindingFixSpec => ({ kind: 'worker', field, label });
const unit = (field: string, label = '去修改单位信息'): FindingFixSpec => ({ kind: 'unit', field, label });
const approval = (field: string | undefined, label: string): FindingFixSpec => ({ kind: 'unit-approval', field, label });
const request = (requestKind: RequestKind, label: string, officeLabel: string): FindingFixSpec => ({ kind: 'request', requestKind, label, office: { kind: 'unit-approval', label: officeLabel } });

/** A cross-system finding: the unit's fix as given; the office reviews it, or marks it 已说明, in the findings list. */
const cross = (unitFix: FindingFixSpec): FindingFixSpec => ({ ...unitFix, office: { kind: 'cross', label: '核对比对结果或标记为已说明' } });

/** The staffing actions: the person is named where the finding has one. */
const LEAVE = (label = '办理减人出编') => request('减人出编', label, '查看单位核定信息');

export const FINDING_FIXES: Readonly<Record<string, FindingFixSpec>> = {
  // 5.1 identity: the person's record.
  'P-ID-01': person(), 'P-ID-02': person(), 'P-ID-03': person(), 'P-ID-04': person(), 'P-ID-05': person(),
  'P-ID-06': person(), 'P-ID-07': person(), 'P-ID-08': person(), 'P-ID-09': person(), 'P-ID-10': person(),
  'P-ID-11': person(), 'P-ID-12': person(), 'P-ID-13': person(), 'P-ID-14': person(),
  // 5.2 retirement: a retired person still on the quota leaves it by a 减人出编.
  'P-RT-01': LEAVE(), 'P-RT-02': person('核对退休信息'), 'P-RT-03': LEAVE(),
  'P-RT-04': person(), 'P-RT-05': person(), 'P-RT-06': person('核对退休信息'),
  // 5.3 timeliness and 5.4 status: the person's record, except a person on a quota kind the unit has none of.
  'P-TM-01': person(), 'P-TM-02': person(), 'P-TM-03': person(), 'P-TM-04': person(), 'P-TM-05': person(),
  'P-TM-06': person(), 'P-TM-07': person(), 'P-TM-08': person(),
  'P-ST-01': person(), 'P-ST-02': person(), 'P-ST-03': person(), 'P-ST-04': LEAVE('办理减人出编（或更正使用编制类型）'),
  'P-ST-05': person(), 'P-ST-06': person(), 'P-ST-07': person(), 'P-ST-08': person(), 'P-ST-09': person(),
  'P-ST-10': person(), 'P-ST-11': person(), 'P-ST-12': person(), 'P-ST-13': person(), 'P-ST-14': person(),
  // 5.5 leader posts: the approved numbers are the office's (核定), a vacancy is filled by a request.
  'U-LD-01': approval('领导职数', '核定领导职数（编办）'), 'U-LD-02': approval('领导职数', '核定领导职数（编办）'),
  'U-LD-03': approval('领导职数', '核定领导职数（编办）'), 'U-LD-04': approval('领导职数', '核定领导职数（编办）'),
  'U-LD-05': approval('机构规格', '核定机构规格（编办）'), 'U-LD-06': approval('领导职数', '核定领导职数（编办）'),
  'U-LD-07': request('领导职数使用', '办理领导职数使用', '查看单位核定信息'),
  // 5.6 quotas: 超编 is left by a 减人出编 (or the office adjusts the 核定数). 满编 is a 提示, not an
  // error: nobody has to leave; it leads to the unit's figures (核定, 实有), where it is seen.
  'U-QT-01': LEAVE(),
  'U-QT-02': { kind: 'unit', label: '查看本单位编制使用情况', office: { kind: 'unit-approval', label: '查看单位核定信息' } },
  'U-QT-03': approval('编制', '核定编制（编办）'), 'U-QT-04': request('增人入编', '办理增人入编', '查看单位核定信息'),
  'U-QT-05': approval('编外用工控制数', '核定编外用工控制数（编办）'), 'U-QT-06': approval('编制', '核定编制（编办）'),
  'U-QT-07': request('增人入编', '使用用编计划办理增人入编', '查看单位核定信息'),
  // 5.7 the institution: its key facts come from approval documents (the office); what the unit keeps, the unit.
  'U-IN-01': approval('统一社会信用代码', '更正统一社会信用代码（编办）'), 'U-IN-02': approval('统一社会信用代码', '更正统一社会信用代码（编办）'),
  'U-IN-03': approval('统一社会信用代码', '更正统一社会信用代码（编办）'), 'U-IN-04': approval('机构性质', '核对机构性质（编办）'),
  'U-IN-05': approval('统一社会信用代码', '更正统一社会信用代码（编办）'), 'U-IN-06': approval('统一社会信用代码', '更正统一社会信用代码（编办）'),
  'U-IN-07': approval('机构性质', '核对机构性质、规格、经费形式（编办）'), 'U-IN-08': approval('事业单位类别', '核对事业单位类别（编办）'),
  'U-IN-09': approval('经费形式', '核对经费形式（编办）'), 'U-IN-10': approval('批准文号', '按批准文件更新台账（编办）'),
  'U-IN-11': approval('上级机构代码', '核对隶属关系（编办）'), 'U-IN-12': unit('内设机构', '去修改内设机构'),
  'U-IN-13': approval('机构名称', '核对机构名称（编办）'),
  // 5.8 process.
  'U-PR-01': { kind: 'self-check', label: '去做本月自查' },
  // 月报未按时核对: the unit confirms its 月度核账 on its 核账 page; the office sees who has, in the console.
  'U-PR-02': { kind: 'monthly', label: '去确认本月核账', office: { kind: 'monthly', label: '查看月度核账情况' } },
  'U-PR-03': { kind: 'office', label: '明确单位专管员（编办）' },
  // 5.10 编外人员; W-07 is a contract not yet registered: the office imports the 编外人员 sheet.
  'W-01': worker('身份证号'), 'W-02': worker('用工方式'), 'W-03': worker('岗位分类'), 'W-04': worker('具体工作岗位'),
  'W-05': worker('首次签订合同时间'), 'W-06': worker('用工方式', '核对编外人员用工方式'),
  'W-07': { kind: 'office', label: '登记编外人员（报编办导入）' },
  // 5.9 cross-system: the unit corrects what is its own (the person's record, a 减人出编, a request);
  // what only another department's roster can change, the unit asks the office about. The office
  // goes to the findings list of that unit and rule, where a difference that cannot be removed is
  // marked 已说明 (借调, 离岗创业, …).
  'X-SI-01': cross(person('核对在编状态（社保未见参保）')),
  'X-SI-02': cross(request('增人入编', '办理增人入编（或报编办登记编外人员）', '')),
  'X-SI-03': cross(LEAVE('办理减人出编（已领取养老金）')),
  'X-PY-01': cross({ kind: 'office', label: '核对工资统发名单（编办）' }),
  'X-PY-02': cross(person('核对在岗状态（未见发放工资）')),
  'X-PY-03': cross(person('核对所在单位（工资单位不同）')),
  'X-OR-01': cross(person('按任免文件更新职务、职级')),
  'X-OR-02': cross(request('领导职数使用', '补办领导职数使用', '')),
  'X-ED-01': cross(person('核对编内外身份')),
  // 市县贯通: the city's copy and the county's disagree; the two offices reconcile them.
  'X-RG-01': cross({ kind: 'office', label: '与区县核对数据（市县贯通）' }),
};

export function fixOf(rule: string): FindingFixSpec | null {
  return FINDING_FIXES[rule] ?? null;
}

/** What a fix link needs of a finding (a FindingItem of the API has all of it). */
export interface FixableFinding {
  id: number;
  rule: string;
  unitId: number;
  subject: { kind: string; id: number | string | null };
}

export interface FixLink {
  label: string;
  href: string;
  kind: FixKind;
}

const enc = encodeURIComponent;

/** The request form's link, exactly this shape (the form reads kind, unit, person, finding). */
export function requestHref(kind: RequestKind, unitId: number, personId: number | null, findingId: number): string {
  return `#/requests/new?kind=${enc(kind)}&unit=${unitId}${personId != null ? `&person=${personId}` : ''}&finding=${findingId}`;
}

/** Where the office's approval fields of a unit are: the console for office roles, else who to ask. */
const contactHref = (f: FixableFinding) => `#/contact?unit=${f.unitId}&finding=${f.id}`;

/**
 * The link a user of `role` follows to fix a finding: the form where it is fixed, or the request
 * form prefilled, or for what only the office may change, the console's unit page (office roles)
 * or a page telling the unit whom to ask.
 */
export function findingFix(f: FixableFinding, role: string): FixLink {
  const spec = fixOf(f.rule) ?? { kind: 'office', label: '联系编办处理' };
  const office = ADMIN_ROLES.has(role);
  // A cross-system finding leads every office role (the 分管领导 and 查询用户 to read) to its list.
  const { kind, label } = (office || (OFFICE_ROLES.has(role) && spec.office?.kind === 'cross')) && spec.office ? spec.office : spec;
  const scope = ruleByCode(f.rule)?.scope;
  const subjectId = f.subject.id == null || f.subject.id === '' ? null : Number(f.subject.id);
  const personId = scope === 'person' && subjectId != null ? subjectId : null;
  const field = spec.field ? `&field=${enc(spec.field)}` : '';
  switch (kind) {
    case 'person':
      return personId != null ? { kind, label, href: `#/person/${personId}?finding=${f.id}` } : { kind: 'unit', label, href: `#/unit/${f.unitId}?finding=${f.id}` };
    case 'worker':
      return scope === 'worker' && subjectId != null ? { kind, label, href: `#/worker/${subjectId}?finding=${f.id}${field}` } : { kind: 'office', label, href: contactHref(f) };
    case 'unit':
      return { kind, label, href: `#/unit/${f.unitId}?finding=${f.id}${field}` };
    case 'request':
      return { kind, label, href: requestHref(spec.requestKind!, f.unitId, personId, f.id) };
    case 'self-check':
      return { kind, label, href: '#/self-check' };
    case 'monthly':
      return OFFICE_ROLES.has(role) ? { kind, label: spec.office?.label ?? label, href: '#/console/monthly' } : { kind, label, href: `#/monthly/${f.unitId}?finding=${f.id}` };
    case 'unit-approval':
      return office ? { kind, label, href: `#/console/unit/${f.unitId}?finding=${f.id}${field}` } : { kind, label, href: contactHref(f) };
    case 'cross':
      // The 分管领导 and 查询用户 read the list; only 编办管理员 and 编办业务人员 mark 已说明 there.
      return { kind, label: office ? label : '查看该单位的比对结果', href: `#/console/findings?status=open&unit=${f.unitId}&rule=${enc(f.rule)}` };
    case 'office':
      return office ? { kind, label, href: f.rule === 'W-07' || f.rule === 'U-PR-03' ? '#/console/import' : `#/console/unit/${f.unitId}?finding=${f.id}` } : { kind, label, href: contactHref(f) };
  }
}

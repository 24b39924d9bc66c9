// The value lists of the data dictionary (../shared/docs/data-dictionary.md). They are the
// defaults; an office may extend them in configuration (db table settings, key 'dictionary').

export const DICTIONARY = {
  机构性质: ['党委机关', '纪检监察机关', '人大机关', '政府机关', '政协机关', '审判机关', '检察机关', '民主党派机关', '群团机关', '乡镇(街道)机关', '事业单位'],
  事业单位类别: ['承担行政职能', '公益一类', '公益二类', '生产经营类'],
  机构规格: ['正部级', '副部级', '正厅级', '副厅级', '正处级', '副处级', '正科级', '副科级', '股级', '未定级'],
  经费形式: ['全额拨款', '差额拨款', '自收自支'],
  编制类型: ['行政编制', '政法专项编制', '事业编制', '参公事业编制', '机关工勤编制', '机关事业编制', '专项编制'],
  职数类型: ['单位正职', '单位副职', '中层正职', '中层副职', '其他领导职数'],
  在编状态: ['在编', '待入编', '已出编', '编外'],
  领导职务层次: ['单位正职', '单位副职', '中层正职', '中层副职', '非领导'],
  公务员职级: ['一级巡视员', '二级巡视员', '一级调研员', '二级调研员', '三级调研员', '四级调研员', '一级主任科员', '二级主任科员', '三级主任科员', '四级主任科员', '一级科员', '二级科员'],
  职员等级: ['一级职员', '二级职员', '三级职员', '四级职员', '五级职员', '六级职员', '七级职员', '八级职员', '九级职员', '十级职员'],
  专技等级: ['专技一级', '专技二级', '专技三级', '专技四级', '专技五级', '专技六级', '专技七级', '专技八级', '专技九级', '专技十级', '专技十一级', '专技十二级', '专技十三级'],
  工勤等级: ['技术工一级', '技术工二级', '技术工三级', '技术工四级', '技术工五级', '普通工'],
  岗位类别: ['管理岗位', '专业技术岗位', '工勤技能岗位'],
  职称: ['正高级', '副高级', '中级', '初级', '无'],
  在岗状态: ['在岗', '借调', '挂职', '援派', '交流轮岗', '进修学习', '离岗创业', '长期病休', '待岗', '停职', '下落不明', '其他'],
  学历: ['博士研究生', '硕士研究生', '大学本科', '大学专科', '中专', '高中', '其他'],
  人员身份: ['干部', '工人'],
  政治面貌: ['中共党员', '中共预备党员', '共青团员', '民革党员', '民盟盟员', '民建会员', '民进会员', '农工党党员', '致公党党员', '九三学社社员', '台盟盟员', '无党派人士', '群众'],
  民族: ['汉族', '蒙古族', '回族', '藏族', '维吾尔族', '苗族', '彝族', '壮族', '布依族', '朝鲜族', '满族', '侗族', '瑶族', '白族', '土家族', '哈尼族', '哈萨克族', '傣族', '黎族', '傈僳族', '佤族', '畲族', '高山族', '拉祜族', '水族', '东乡族', '纳西族', '景颇族', '柯尔克孜族', '土族', '达斡尔族', '仫佬族', '羌族', '布朗族', '撒拉族', '毛南族', '仡佬族', '锡伯族', '阿昌族', '普米族', '塔吉克族', '怒族', '乌孜别克族', '俄罗斯族', '鄂温克族', '德昂族', '保安族', '裕固族', '京族', '塔塔尔族', '独龙族', '鄂伦春族', '赫哲族', '门巴族', '珞巴族', '基诺族'],
  岗位分类: ['执法辅助类', '普通辅助类', '窗口服务类', '技术技能类', '后勤服务类'],
  用工方式: ['劳务派遣', '劳动合同', '劳务协议', '公益性岗位'],
  角色: ['编办管理员', '编办业务人员', '分管领导', '单位领导', '单位专管员', '查询用户', '数据安全管理员'],
  性别: ['男', '女'],
  是否: ['是', '否'],
} as const;

export type DictionaryName = keyof typeof DICTIONARY;

/** 职级 accepted on the 人员 sheet: all four sequences. */
export const ALL_RANKS: readonly string[] = [...DICTIONARY.公务员职级, ...DICTIONARY.职员等级, ...DICTIONARY.专技等级, ...DICTIONARY.工勤等级];

/** The organ kinds (everything but 事业单位). */
export const ORGAN_NATURES: readonly string[] = DICTIONARY.机构性质.filter((n) => n !== '事业单位');

const sets = new Map<string, Set<string>>();
export function inDictionary(name: DictionaryName, value: string | null | undefined): boolean {
  if (value == null || value === '') return false;
  let s = sets.get(name);
  if (!s) {
    s = new Set(DICTIONARY[name] as readonly string[]);
    sets.set(name, s);
  }
  return s.has(value);
}

// ---------------------------------------------------------------------------------------------
// One line or several

/**
 * The text fields of the dictionary that may hold several lines. Every other text field (姓名,
 * 机构名称, 职务, 所在处室, 批准文号, …) is one line: names and short values are shown inside
 * chat messages, cards and tables, where a line break or a control character would let a value
 * pose as something else.
 */
export const MULTI_LINE_FIELDS: readonly string[] = ['主要职责'];

// C0 and C1 control characters (line breaks and tabs included), the Unicode line and paragraph
// separators, and the bidirectional overrides that make text read other than it is stored.
const NOT_IN_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// A multi-line field may break lines (\n, \r\n) and hold tabs; nothing else of the above.
const NOT_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Why a value cannot be stored in a one-line text field, in Chinese; null when it can. */
export function singleLineProblem(value: string): string | null {
  const m = NOT_IN_ONE_LINE.exec(value);
  if (!m) return null;
  return /[\n\r\u2028\u2029]/.test(m[0]) ? '不能换行，请在一行内填写' : `含有不可见的控制字符（U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}），请删除后重新填写`;
}

/** Why a value cannot be stored in a multi-line text field (MULTI_LINE_FIELDS); null when it can. */
export function multiLineProblem(value: string): string | null {
  const m = NOT_IN_LINES.exec(value);
  return m ? `含有不可见的控制字符（U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}），请删除后重新填写` : null;
}

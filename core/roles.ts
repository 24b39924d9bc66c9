// The roles of the 用户 sheet (core/dictionary.ts 角色) and which of them belong to the office:
// the office roles see every unit and start on the console; the unit roles (单位领导, 单位专管员)
// see their unit and the units below it. One list for the server, the robot and the mini-app.

export const OFFICE_ROLES: ReadonlySet<string> = new Set(['编办管理员', '编办业务人员', '分管领导', '查询用户']);

// The 数据大屏's shell: the phone page #/dashboard (分管领导 and the office; 单位领导 and 单位专管员
// see their own units), and the loader both it and the console tab use: Dashboard.tsx and ECharts
// come with a dynamic import, so the app's first load does not carry them.

import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs } from '../ui.tsx';

type DashboardProps = { layout: 'screen' | 'phone' };
let loaded: FunctionComponent<DashboardProps> | null = null;

export function LazyDashboard(props: DashboardProps) {
  const [C, setC] = useState<FunctionComponent<DashboardProps> | null>(() => loaded);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (C) return;
    import('./Dashboard.tsx').then((m) => { loaded = m.Dashboard; setC(() => m.Dashboard); }, setError);
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!C) return <Loading text="正在加载数据大屏…" />;
  return <C {...props} />;
}

/** Who sees the phone 大屏: the office roles (分管领导 first) and the units' leaders and specialists. */
export const DASHBOARD_ROLES: ReadonlySet<string> = new Set(['编办管理员', '编办业务人员', '分管领导', '查询用户', '单位领导', '单位专管员']);

export function DashboardPage(props: { me: Me }) {
  const { me } = props;
  return (
    <div class="shell">
      <Header title="数据大屏" back={me.home ? `#${me.home}` : '#/todo'} />
      <main class="page">
        {DASHBOARD_ROLES.has(me.role) ? <LazyDashboard layout="phone" /> : <div class="notice error">您的角色不能查看数据大屏。</div>}
      </main>
      <Tabs me={me} active="dashboard" />
    </div>
  );
}

// The mini-app and web console: one app, hash routes (server/API.md), served at /m/.

import './no-eval.ts';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { loadMe, onLocked, onUnauthorized, setMe } from './api.ts';
import { ConsolePage } from './pages/Console.tsx';
import { HistoryPage } from './pages/History.tsx';
import { WorkerPage } from './pages/Worker.tsx';
import { UnitRecordPage } from './pages/UnitRecord.tsx';
import { ContactPage } from './pages/Contact.tsx';
import { LockedPage } from './pages/Locked.tsx';
import { LoginPage } from './pages/Login.tsx';
import { PersonPage } from './pages/Person.tsx';
import { PortraitPage } from './pages/Portrait.tsx';
import { TownsPage } from './pages/Towns.tsx';
import { SelfCheckPage } from './pages/SelfCheck.tsx';
import { MonthlyPage } from './pages/Monthly.tsx';
import { AnnualBudgetPage } from './pages/AnnualBudget.tsx';
import { NoticesPage } from './pages/Notices.tsx';
import { TodoPage } from './pages/Todo.tsx';
import { RequestFormPage } from './pages/RequestForm.tsx';
import { RequestPage, RequestsPage } from './pages/Requests.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { GuidePage } from './pages/Guides.tsx';
import { HelpPage } from './pages/Help.tsx';
import { currentTarget, go, loginHref, parseHash, type Route } from './router.ts';
import { SECURITY_ROLES, type Me } from './types.ts';
import { ErrorBox, Header, Loading, Tabs } from './ui.tsx';

function App() {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  const [me, setMeState] = useState<Me | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(null);
  const [boot, setBoot] = useState(0);
  /** The account is locked (a 423): the reason, shown instead of every page. */
  const [locked, setLocked] = useState<string | null>(null);

  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    setBootError(null);
    loadMe().then(setMeState, setBootError);
  }, [boot]);

  // A session that ends while the app is open: back to the login page, then back here.
  useEffect(
    () =>
      onUnauthorized(() => {
        setMe(null);
        setMeState(null);
        const here = currentTarget(location.hash);
        if (!here.startsWith('/login')) location.hash = loginHref(here);
      }),
    [],
  );

  // A locked account, whatever the request that found out (the first /api/me, a login, a save).
  useEffect(
    () =>
      onLocked((message) => {
        setMe(null);
        setMeState(null);
        setLocked(message);
      }),
    [],
  );

  // Not logged in: the login page, remembering where the user was going.
  useEffect(() => {
    if (me === null && locked == null && route.name !== 'login') location.replace(loginHref(currentTarget(location.hash)));
  }, [me, route.name, locked]);

  // The start page (no hash) is the role's home: the console for the office, 待整改 for a unit.
  useEffect(() => {
    if (me && !currentTarget(location.hash) && me.home && me.home !== '/todo') location.replace(`#${me.home}`);
  }, [me]);

  if (locked != null) {
    // 重新打开: from the start, as opening the app does (the platform's no-login logs in again).
    return <LockedPage message={locked} onRetry={() => { setLocked(null); setBootError(null); setBoot((b) => b + 1); }} />;
  }
  if (bootError != null) {
    return (
      <div class="shell">
        <Header title="三色" />
        <main class="page"><ErrorBox error={bootError} retry={() => setBoot((b) => b + 1)} /></main>
      </div>
    );
  }
  if (route.name === 'login') {
    return <LoginPage query={route.query} onLogin={(m) => setMeState(m)} />;
  }
  if (!me) return <Loading />;

  // The 数据安全管理员 has one page (三员分立): any other address goes to it, no 403 on the way.
  if (SECURITY_ROLES.has(me.role) && !(route.name === 'console' && route.tab === 'audit')) {
    location.replace('#/console/audit');
    return <Loading />;
  }

  switch (route.name) {
    case 'todo':
      return <TodoPage me={me} query={route.query} />;
    case 'person':
      return <PersonPage key={route.id} me={me} id={route.id} query={route.query} />;
    case 'history':
      return <HistoryPage me={me} id={route.id} of={route.of} />;
    case 'worker':
      return <WorkerPage key={route.id} me={me} id={route.id} query={route.query} />;
    case 'unit':
      return <UnitRecordPage key={`${route.console}-${route.id}`} me={me} id={route.id} query={route.query} console={route.console} />;
    case 'contact':
      return <ContactPage me={me} query={route.query} />;
    case 'self-check':
      return <SelfCheckPage me={me} query={route.query} />;
    case 'monthly':
      return <MonthlyPage key={route.id ?? ''} me={me} id={route.id} />;
    case 'annual-budget':
      return <AnnualBudgetPage key={`${route.id ?? ''}-${route.query.get('year') ?? ''}`} me={me} id={route.id} query={route.query} />;
    case 'notices':
      return <NoticesPage key={route.id ?? ''} me={me} id={route.id} />;
    case 'requests':
      return <RequestsPage me={me} query={route.query} />;
    case 'request-new':
      return <RequestFormPage key={route.query.toString()} me={me} query={route.query} />;
    case 'request':
      return route.edit ? <RequestFormPage key={`edit-${route.id}`} me={me} query={route.query} editId={route.id} /> : <RequestPage key={route.id} me={me} id={route.id} query={route.query} />;
    case 'portrait':
      return <PortraitPage key={route.id} me={me} id={route.id} />;
    case 'towns':
      return <TownsPage me={me} />;
    case 'dashboard':
      return <DashboardPage me={me} />;
    case 'guide':
      return <GuidePage key={route.entry ?? ''} me={me} entry={route.entry} query={route.query} />;
    case 'help':
      return <HelpPage me={me} which={route.which} query={route.query} />;
    case 'console':
      return <ConsolePage me={me} tab={route.tab} query={route.query} />;
    default:
      return (
        <div class="shell">
          <Header title="三色" />
          <main class="page">
            <div class="empty">页面不存在</div>
            <button type="button" class="primary block" onClick={() => go(me.home ?? '/todo')} data-testid="not-found-home">{me.home && me.home !== '/todo' ? '返回首页' : '返回待整改'}</button>
          </main>
          <Tabs me={me} active="" />
        </div>
      );
  }
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}

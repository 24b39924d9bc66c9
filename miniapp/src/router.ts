// Hash routes (server/API.md): #/login, #/todo, #/person/:id, #/person/:id/history, #/self-check,
// #/console and #/console/<tab> for every tab of CONSOLE_TABS (jobs: ?run=ID; audit, the 数据安全管理员's:
// ?who=&what=&unit=&from=&to=, or ?view=reviews&month= for the 月度排查; provenance, 首录人查询:
// ?user=&kind=first|last&from=&to=&entity=; forms, 登记表台账: ?year=&kind=&unit=; guides: ?month=&entry=),
// #/monthly(/:unit) (月度核账: a unit's 核账清单 and its confirmation),
// #/annual-budget(/:unit)(?year=) (年度编制使用预算: a unit's form), #/notices(/:id) (书面函告: a unit's notices, one notice and its reply),
// #/dashboard (the leaders' phone 大屏),
// #/worker/:id(/history), #/unit/:id(/history), #/console/unit/:id, #/contact, #/requests, #/requests/new,
// #/requests/:id(/edit), #/portrait/:id (一单位一画像), #/towns (镇街三色图), #/guide(/:entry) (错题本),
// #/help(/office|/unit)(?s=anchor) (用户操作手册; helpHref says which manual and section a screen opens). Pure parsing, so it is unit-tested.

/** The console's tabs (#/console/<tab>); 'home' is #/console itself. */
export const CONSOLE_TABS = [
  'home', 'import', 'feeds', 'findings', 'requests', 'locks', 'budget', 'weekly', 'jobs', 'broadcasts', 'scores', 'dashboard', 'reports',
  'quarterly', 'monthly', 'explanations', 'snapshots', 'audit', 'provenance', 'annual-budget', 'forms', 'annual', 'notices', 'guides',
] as const;
export type ConsoleTab = (typeof CONSOLE_TABS)[number];

export type Route =
  | { name: 'login'; query: URLSearchParams }
  | { name: 'todo'; query: URLSearchParams }
  | { name: 'person'; id: string; query: URLSearchParams }
  | { name: 'history'; id: string; query: URLSearchParams; of?: 'person' | 'worker' | 'unit' }
  | { name: 'worker'; id: string; query: URLSearchParams }
  | { name: 'unit'; id: string; query: URLSearchParams; console: boolean }
  | { name: 'contact'; query: URLSearchParams }
  | { name: 'self-check'; query: URLSearchParams }
  | { name: 'monthly'; id: string | null; query: URLSearchParams }
  | { name: 'console'; tab: ConsoleTab; query: URLSearchParams }
  | { name: 'annual-budget'; id: string | null; query: URLSearchParams }
  | { name: 'notices'; id: string | null; query: URLSearchParams }
  | { name: 'requests'; query: URLSearchParams }
  | { name: 'dashboard'; query: URLSearchParams }
  | { name: 'request-new'; query: URLSearchParams }
  | { name: 'request'; id: string; query: URLSearchParams; edit: boolean }
  | { name: 'portrait'; id: string; query: URLSearchParams }
  | { name: 'towns'; query: URLSearchParams }
  | { name: 'guide'; entry: string | null; query: URLSearchParams }
  | { name: 'help'; which: 'office' | 'unit' | null; query: URLSearchParams }
  | { name: 'not-found'; path: string; query: URLSearchParams };

/** Parses `#/person/12?x=1` (or `/person/12?x=1`); an empty hash is the default page. */
export function parseHash(hash: string): Route {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('/')) h = `/${h}`;
  const q = h.indexOf('?');
  const path = (q < 0 ? h : h.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [a, b, c] = parts;
  if (parts.length === 0) return { name: 'todo', query };
  if (a === 'login' && parts.length === 1) return { name: 'login', query };
  if (a === 'todo' && parts.length === 1) return { name: 'todo', query };
  if (a === 'self-check' && parts.length === 1) return { name: 'self-check', query };
  if (a === 'monthly' && parts.length <= 2) return { name: 'monthly', id: b ?? null, query };
  if (a === 'annual-budget' && parts.length <= 2) return { name: 'annual-budget', id: b ?? null, query };
  if (a === 'notices' && parts.length <= 2) return { name: 'notices', id: b ?? null, query };
  if (a === 'person' && b && parts.length === 2) return { name: 'person', id: b, query };
  if (a === 'person' && b && c === 'history' && parts.length === 3) return { name: 'history', id: b, query };
  if ((a === 'worker' || a === 'unit') && b && c === 'history' && parts.length === 3) return { name: 'history', id: b, query, of: a };
  if (a === 'worker' && b && parts.length === 2) return { name: 'worker', id: b, query };
  if (a === 'unit' && b && parts.length === 2) return { name: 'unit', id: b, query, console: false };
  if (a === 'console' && b === 'unit' && c && parts.length === 3) return { name: 'unit', id: c, query, console: true };
  if (a === 'contact' && parts.length === 1) return { name: 'contact', query };
  if (a === 'portrait' && b && parts.length === 2) return { name: 'portrait', id: b, query };
  if (a === 'towns' && parts.length === 1) return { name: 'towns', query };
  if (a === 'guide' && parts.length <= 2) return { name: 'guide', entry: b ?? null, query };
  if (a === 'help' && parts.length === 1) return { name: 'help', which: null, query };
  if (a === 'help' && (b === 'office' || b === 'unit') && parts.length === 2) return { name: 'help', which: b, query };
  if (a === 'console' && parts.length === 1) return { name: 'console', tab: 'home', query };
  if (a === 'console' && (CONSOLE_TABS as readonly string[]).includes(b) && b !== 'home' && parts.length === 2) return { name: 'console', tab: b as ConsoleTab, query };
  if (a === 'dashboard' && parts.length === 1) return { name: 'dashboard', query };
  if (a === 'requests' && parts.length === 1) return { name: 'requests', query };
  if (a === 'requests' && b === 'new' && parts.length === 2) return { name: 'request-new', query };
  if (a === 'requests' && b && b !== 'new' && parts.length === 2) return { name: 'request', id: b, query, edit: false };
  if (a === 'requests' && b && b !== 'new' && c === 'edit' && parts.length === 3) return { name: 'request', id: b, query, edit: true };
  return { name: 'not-found', path, query };
}

/** The hash of the current route without '#', kept as the place to return to after login ('' for the start page: the role's home). */
export function currentTarget(hash: string): string {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  return h && h !== '/' ? h : '';
}

/** Where to go after login: a `next` that stays inside the app, else the user's home (the server's `home`: console or 待整改). */
export function afterLogin(query: URLSearchParams, home: string = '/todo'): string {
  return nextIn(query) ?? home;
}

/** The `next` of a query when it stays inside the app. */
export function nextIn(query: URLSearchParams): string | null {
  const next = query.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : null;
}

export function go(path: string): void {
  const target = `#${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}

/** The login page returning to `from`; a `from` that is itself the login page keeps its own `next` (never wrapped twice). */
export function loginHref(from: string): string {
  if (from === '/login' || from.startsWith('/login?')) {
    const q = from.indexOf('?');
    from = q < 0 ? '' : nextIn(new URLSearchParams(from.slice(q + 1))) ?? '';
  }
  return from ? `#/login?next=${encodeURIComponent(from)}` : '#/login';
}

/** Office roles read 《编办用户操作手册》 by default; units (单位专管员, 单位领导) the unit manual. */
export function manualOf(role: string, office: boolean): 'office' | 'unit' {
  return office || role === '分管领导' || role === '查询用户' ? 'office' : 'unit';
}

// The section of each manual that explains a screen (the anchors of cards/manuals/*.md).
const OFFICE_SECTIONS: Record<string, string> = {
  'console:home': 'overview', 'console:import': 'import', 'console:findings': 'findings', 'console:explanations': 'feeds',
  'console:requests': 'approval', 'console:weekly': 'weekly', 'console:monthly': 'monthly-check', 'console:scores': 'scores',
  'console:dashboard': 'dashboard', 'console:reports': 'reports', 'console:quarterly': 'reports', 'console:feeds': 'feeds',
  'console:locks': 'locks', 'console:budget': 'budget', 'console:jobs': 'jobs', 'console:broadcasts': 'jobs',
  'console:forms': 'forms', 'console:guides': 'guides', 'console:provenance': 'provenance', 'console:notices': 'notices',
  'console:annual': 'annual', 'console:annual-budget': 'annual-budget',
  todo: 'findings', requests: 'approval', request: 'approval', dashboard: 'dashboard', towns: 'towns', portrait: 'portrait',
  monthly: 'monthly-check', 'self-check': 'locks', login: 'login', guide: 'guides', notices: 'notices', 'annual-budget': 'annual-budget',
};
const UNIT_SECTIONS: Record<string, string> = {
  todo: 'todo', person: 'fix', worker: 'fix', unit: 'fix', history: 'fix', contact: 'todo', 'self-check': 'self-check',
  requests: 'requests', 'request-new': 'requests', request: 'request-status', monthly: 'monthly',
  guide: 'guide', notices: 'notices', 'annual-budget': 'annual-budget',
};

/** The help page for a screen: the reader's manual, at the section about that screen when there is one. */
export function helpHref(route: Route, role: string, office: boolean): string {
  const which = manualOf(role, office);
  const key = route.name === 'console' ? `console:${route.tab}` : route.name;
  const section = (which === 'office' ? OFFICE_SECTIONS : UNIT_SECTIONS)[key];
  return `#/help/${which}${section ? `?s=${section}` : ''}`;
}

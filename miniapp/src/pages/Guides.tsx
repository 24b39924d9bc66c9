// The 错题本 (issue 18): #/guide/:entry (a guide's page, phone-sized: where the robot's and the
// cards' 怎么改 links lead), #/guide (every guide, searchable), and the console's #/console/guides
// (the office: the month's most frequent mistakes with a month picker and the .xlsx, the guide
// list, the editor of a rule's guide or an office entry, its versions and their restore).

import { useMemo, useState } from 'preact/hooks';
import { ApiError, errorText, get, post, put, qs } from '../api.ts';
import { GuideBody, guideHref, loadGuide, type GuideEntry, type GuideView } from '../FixGuide.tsx';
import { guideMatches, normaliseQuery } from '../../../core/fix-guides.ts';
import { pickedDateHint } from '../format.ts';
import type { Me } from '../types.ts';
import { Dialog, ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

const SOURCE_TEXT = { shipped: '系统内置', office: '编办修订', none: '未编写' } as const;

/** #/guide/:entry and #/guide. */
export function GuidePage(props: { me: Me; entry: string | null; query: URLSearchParams }) {
  return props.entry ? <GuideOne me={props.me} entry={props.entry} /> : <GuideList me={props.me} query={props.query} />;
}

function GuideOne(props: { me: Me; entry: string }) {
  const entry = props.entry;
  const { data, error, loading, reload } = useLoad(() => loadGuide(entry), [entry]);
  return (
    <div class="shell">
      <Header title="整改指引" back={() => (history.length > 1 ? history.back() : (location.hash = '#/guide'))} />
      <main class="page">
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {data && (
          <>
            <div class="card" data-testid="guide-page" data-entry={data.guide.entry}>
              <h2 class="card-title" data-testid="guide-title">{data.guide.title}</h2>
              <p class="muted small" style="margin-top:0">{data.guide.kind === 'rule' ? `规则 ${data.guide.entry}` : `编办条目 ${data.guide.entry}`}{data.guide.related.length > 0 && `　相关规则：${data.guide.related.join('、')}`}</p>
              <GuideBody guide={data.guide} />
            </div>
            {data.related.length > 0 && (
              <div class="card">
                <b>编办补充的相关错题</b>
                <ul>{data.related.map((r) => <li key={r.entry}><a href={guideHref(r.entry)}>{r.title}</a></li>)}</ul>
              </div>
            )}
            {data.canEdit && <a class="btn block" href={`#/console/guides${qs({ entry: data.guide.entry })}`} data-testid="guide-edit-link">在控制台修改本指引</a>}
            <a class="btn block" href="#/guide" style="margin-top:8px">查看全部错题 ›</a>
          </>
        )}
      </main>
      <Tabs me={props.me} active="" />
    </div>
  );
}

function GuideList(props: { me: Me; query: URLSearchParams }) {
  const { data, error, loading, reload } = useLoad(() => get<{ guides: GuideEntry[] }>('/api/fix-guides'), []);
  const [q, setQ] = useState(props.query.get('q') ?? '');
  // The robot's test (core/fix-guides.ts), so its link `#/guide?q=身份证` lists what it listed.
  const shown = (data?.guides ?? []).filter((g) => g.source !== 'none' && guideMatches(normaliseQuery(q), g));
  return (
    <div class="shell">
      <Header title="错题本" back="#/todo" />
      <main class="page">
        <input class="block" type="search" placeholder="输入规则编号或问题名称" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} data-testid="guide-search" aria-label="搜索错题" style="width:100%;padding:10px;margin-bottom:12px;font-size:16px" />
        {error != null && <ErrorBox error={error} retry={reload} />}
        {loading && !data && <Loading />}
        {shown.map((g) => (
          <a key={g.entry} class="card linkcard block" href={guideHref(g.entry)} data-testid="guide-item">
            <b>{g.title}</b> <span class="muted small">{g.entry}</span>
            <div class="small muted">{g.what}</div>
          </a>
        ))}
        {data && !shown.length && <div class="empty">没有找到对应的错题</div>}
      </main>
      <Tabs me={props.me} active="" />
    </div>
  );
}

interface Mistake {
  rule: string;
  title: string;
  findings: number;
  units: number;
  open: number;
}

const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

/** #/console/guides: the month's most frequent mistakes, the 错题本 and its editor. */
export function GuidesTab(props: { me: Me; query: URLSearchParams }) {
  const entry = props.query.get('entry');
  if (entry) return <GuideEditor key={entry} entry={entry === 'new' ? null : entry} />;
  return (
    <>
      <MonthMistakes query={props.query} />
      <GuideTable />
    </>
  );
}

function MonthMistakes(props: { query: URLSearchParams }) {
  const month = props.query.get('month') ?? thisMonth();
  const { data, error, loading, reload } = useLoad(() => get<{ month: string; total: number; items: Mistake[] }>(`/api/mistakes${qs({ month })}`), [month]);
  const pick = (m: string) => {
    location.hash = `#/console/guides${qs({ month: m })}`;
  };
  return (
    <div class="card" data-testid="month-mistakes">
      <div class="row" style="align-items:center">
        <h2 class="card-title" style="margin:0">本月高频错题</h2>
        <label class="small muted" style="flex:none;display:flex;align-items:center;gap:6px">月份
          <input type="month" value={month} onChange={(e) => pick((e.target as HTMLInputElement).value)} data-testid="mistakes-month" aria-label="月份" />
          <span data-testid="mistakes-month-hint">{pickedDateHint(month, 'month')}</span>
        </label>
        <a class="btn" style="flex:none" href={`/api/mistakes/export${qs({ month })}`} download data-testid="mistakes-export">导出Excel</a>
      </div>
      <p class="muted small">按当月发现的问题数排序（含已整改、已说明的问题）；点问题名称看整改指引，点“仍未整改”看这些问题。</p>
      {error != null && <ErrorBox error={error} retry={reload} />}
      {loading && !data && <Loading />}
      {data && !data.items.length && <div class="empty" data-testid="mistakes-empty">{Number(month.slice(5))}月没有发现问题</div>}
      {data && data.items.length > 0 && (
        <div style="overflow-x:auto"><table class="grid" style="min-width:560px">
          <thead><tr><th>名次</th><th>问题</th><th>当月发现</th><th>涉及单位</th><th>仍未整改</th></tr></thead>
          <tbody>
            {data.items.map((m, i) => (
              <tr key={m.rule} data-testid="mistake-row" data-rule={m.rule}>
                <td>{i + 1}</td>
                <td><a href={`#/console/guides${qs({ entry: m.rule })}`} data-testid="mistake-guide">{m.title}</a> <span class="muted small">{m.rule}</span></td>
                <td data-testid="mistake-count">{m.findings}</td>
                <td>{m.units}</td>
                <td>{m.open > 0 ? <a href={`#/console/findings${qs({ rule: m.rule, status: 'open' })}`} data-testid="mistake-open">{m.open} 项 ›</a> : 0}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </div>
  );
}

function GuideTable() {
  const { data, error, loading, reload } = useLoad(() => get<{ canEdit: boolean; guides: GuideEntry[] }>('/api/fix-guides'), []);
  const [q, setQ] = useState('');
  const shown = (data?.guides ?? []).filter((g) => !q.trim() || `${g.entry} ${g.title}`.toLowerCase().includes(q.trim().toLowerCase()));
  return (
    <div class="card" data-testid="guide-table">
      <div class="row" style="align-items:center">
        <h2 class="card-title" style="margin:0">错题本</h2>
        <input type="search" placeholder="规则编号或名称" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} aria-label="搜索错题" data-testid="guide-filter" />
        {data?.canEdit && <a class="btn primary" style="flex:none" href={`#/console/guides${qs({ entry: 'new' })}`} data-testid="guide-new">新增错题</a>}
      </div>
      {error != null && <ErrorBox error={error} retry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <div style="overflow-x:auto"><table class="grid" style="min-width:560px">
          <thead><tr><th>编号</th><th>问题</th><th>指引</th><th /></tr></thead>
          <tbody>
            {shown.map((g) => (
              <tr key={g.entry} data-testid="guide-row" data-entry={g.entry}>
                <td>{g.entry}</td>
                <td>{g.title}</td>
                <td class={g.source === 'none' ? 'muted' : ''}>{SOURCE_TEXT[g.source]}{g.version ? `（第${g.version}版）` : ''}</td>
                <td><a href={`#/console/guides${qs({ entry: g.entry })}`} data-testid="guide-open">{data.canEdit ? '查看/修改' : '查看'}</a></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </div>
  );
}

interface Draft {
  title: string;
  what: string;
  why: string;
  how: string;
  right: string;
  wrong: string;
  related: string;
  reason: string;
}

const draftOf = (g: GuideEntry | null): Draft => ({
  title: g?.title ?? '', what: g?.what ?? '', why: g?.why ?? '', how: (g?.how ?? []).join('\n'), right: g?.right ?? '', wrong: g?.wrong ?? '',
  related: (g?.related ?? []).join(', '), reason: '',
});

function GuideEditor(props: { entry: string | null }) {
  const isNew = props.entry == null;
  const [version, setVersion] = useState(0);
  const view = useLoad(() => (props.entry ? loadGuide(props.entry, { fresh: true }) : Promise.resolve(null as GuideView | null)), [props.entry, version]);
  const v = view.data ?? null;
  const office = isNew || v?.guide.kind === 'office';
  const [draft, setDraft] = useState<Draft | null>(null);
  const d = draft ?? draftOf(v?.guide ?? null);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const set = (k: keyof Draft) => (e: Event) => setDraft({ ...d, [k]: (e.target as HTMLInputElement | HTMLTextAreaElement).value });
  const steps = useMemo(() => d.how.split('\n').map((s) => s.trim()).filter(Boolean), [d.how]);

  const save = async () => {
    setSaving(true);
    setProblem(null);
    setNotice(null);
    const body = {
      what: d.what, why: d.why, how: steps, right: d.right, wrong: d.wrong, reason: d.reason,
      ...(office ? { title: d.title, related: d.related.split(/[,，、\s]+/).map((s) => s.trim()).filter(Boolean) } : {}),
    };
    try {
      const r = isNew ? await post<GuideView>('/api/fix-guides', body) : await put<GuideView>(`/api/fix-guides/${encodeURIComponent(props.entry!)}`, body);
      setNotice(`已保存为第${r.guide.version}版`);
      setDraft(null);
      if (isNew) location.hash = `#/console/guides${qs({ entry: r.guide.entry })}`;
      else setVersion((n) => n + 1);
    } catch (e) {
      const fields = e instanceof ApiError ? ((e.body as { fields?: Record<string, string> } | null)?.fields ?? {}) : {};
      setProblem({ message: errorText(e), fields });
    } finally {
      setSaving(false);
    }
  };

  // 恢复此版 / 恢复系统内置的指引: the app's own dialog (the reason optional, as the API takes it).
  const [restoring, setRestoring] = useState<{ n: number; reason: string; error: { message: string; field?: string } | null; busy: boolean } | null>(null);
  const versionName = (n: number) => (n === 0 ? '系统内置的指引' : `第${n}版`);
  const restore = async () => {
    if (!restoring) return;
    const n = restoring.n;
    setRestoring({ ...restoring, busy: true, error: null });
    try {
      const r = await post<GuideView>(`/api/fix-guides/${encodeURIComponent(props.entry!)}/restore`, { version: n, ...(restoring.reason.trim() ? { reason: restoring.reason } : {}) });
      setRestoring(null);
      setProblem(null);
      setNotice(`已恢复${versionName(n)}，保存为第${r.guide.version}版`);
      setDraft(null);
      setVersion((x) => x + 1);
    } catch (e) {
      const fields = e instanceof ApiError ? ((e.body as { fields?: Record<string, string> } | null)?.fields ?? {}) : {};
      setRestoring((cur) => cur && { ...cur, busy: false, error: { message: errorText(e), field: fields.reason } });
    }
  };
  const askRestore = (n: number) => setRestoring({ n, reason: '', error: null, busy: false });

  const field = (k: keyof Draft, label: string, opts: { area?: boolean; hint?: string } = {}) => (
    <div class={`field ${problem?.fields[k] ? 'invalid' : ''}`}>
      <label for={`guide-${k}`}>{label}</label>
      {opts.area
        ? <textarea id={`guide-${k}`} value={d[k]} onInput={set(k)} data-testid={`guide-field-${k}`} />
        : <input id={`guide-${k}`} value={d[k]} onInput={set(k)} data-testid={`guide-field-${k}`} />}
      {opts.hint && <div class="hint">{opts.hint}</div>}
      {problem?.fields[k] && <div class="err" data-testid={`guide-error-${k}`}>{problem.fields[k]}</div>}
    </div>
  );

  if (view.error != null) return <ErrorBox error={view.error} retry={view.reload} />;
  if (!isNew && !v) return <Loading />;
  const canEdit = isNew || v!.canEdit;
  return (
    <div data-testid="guide-editor" data-entry={props.entry ?? 'new'}>
      <a href="#/console/guides">‹ 返回错题本</a>
      <div class="card" style="margin-top:8px">
        <h2 class="card-title">{isNew ? '新增错题' : `${v!.guide.title}（${v!.guide.entry}）`}</h2>
        {!isNew && <p class="muted small">当前：{SOURCE_TEXT[v!.guide.source]}{v!.guide.version ? `第${v!.guide.version}版` : ''}。保存后单位在小程序、卡片和机器人“怎么改”中看到的即为新内容。</p>}
        {canEdit ? (
          <>
            {office && field('title', '标题（错题名称）')}
            {field('what', '问题是什么', { area: true })}
            {field('why', '为什么要改', { area: true })}
            {field('how', '怎么改（每行一步）', { area: true, hint: `共 ${steps.length} 步` })}
            {field('right', '正确示例')}
            {field('wrong', '错误示例')}
            {office && field('related', '相关规则（可选，规则编号，用逗号分隔）')}
            {field('reason', isNew ? '说明（可选）' : '修改原因')}
            {problem && <div class="notice error" role="alert" data-testid="guide-save-error">{problem.message}</div>}
            {notice && <div class="notice info" data-testid="guide-saved">{notice}</div>}
            <button type="button" class="primary block" disabled={saving} onClick={save} data-testid="guide-save">{saving ? '正在保存…' : '保存为新版本'}</button>
          </>
        ) : (
          <GuideBody guide={v!.guide} />
        )}
        {!isNew && <a class="small" href={guideHref(v!.guide.entry)} data-testid="guide-preview">在小程序中预览 ›</a>}
      </div>
      {!isNew && v!.history.length > 0 && (
        <div class="card" data-testid="guide-history">
          <b>修改记录</b>
          <table class="grid">
            <thead><tr><th>版本</th><th>修改人</th><th>时间</th><th>原因</th><th /></tr></thead>
            <tbody>
              {v!.history.map((h) => (
                <tr key={h.version} data-testid="guide-version" data-version={h.version}>
                  <td>第{h.version}版{h.restoredFrom != null ? `（恢复自${h.restoredFrom === 0 ? '系统内置' : `第${h.restoredFrom}版`}）` : ''}</td>
                  <td>{h.createdByName ?? h.createdBy}</td>
                  <td>{h.createdAt}</td>
                  <td>{h.reason}</td>
                  <td>{h.version !== v!.guide.version && <button type="button" class="btn" onClick={() => askRestore(h.version)} data-testid="guide-restore">恢复此版</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {v!.shipped && v!.guide.source === 'office' && <button type="button" class="btn" style="margin-top:8px" onClick={() => askRestore(0)} data-testid="guide-restore-shipped">恢复系统内置的指引</button>}
        </div>
      )}
      {restoring && (
        <Dialog title={`恢复${versionName(restoring.n)}`} onClose={() => !restoring.busy && setRestoring(null)} testid="guide-restore-dialog">
          <p>将把{restoring.n === 0 ? '系统内置的指引' : `第${restoring.n}版的内容`}保存为新的一版（第{(v?.guide.version ?? 0) + 1}版），现有各版仍保留在修改记录中。保存后单位在小程序、卡片和机器人“怎么改”中看到的即为该内容。</p>
          <div class={`field ${restoring.error?.field ? 'invalid' : ''}`}>
            <label for="guide-restore-reason">恢复原因（可选）</label>
            <input id="guide-restore-reason" value={restoring.reason} placeholder={restoring.n === 0 ? '恢复系统内置指引' : `恢复第${restoring.n}版`}
              onInput={(e) => setRestoring({ ...restoring, reason: (e.target as HTMLInputElement).value })} data-testid="guide-restore-reason" />
            <div class="hint">不填则记为“{restoring.n === 0 ? '恢复系统内置指引' : `恢复第${restoring.n}版`}”</div>
            {restoring.error?.field && <div class="err" data-testid="guide-restore-reason-error">{restoring.error.field}</div>}
          </div>
          {restoring.error && <div class="notice error" role="alert" data-testid="guide-restore-error">{restoring.error.message}</div>}
          <div class="row" style="margin-top:12px">
            <button type="button" disabled={restoring.busy} onClick={() => setRestoring(null)} data-testid="guide-restore-cancel">取消</button>
            <button type="button" class="primary" disabled={restoring.busy} onClick={() => void restore()} data-testid="guide-restore-confirm">{restoring.busy ? '正在恢复…' : '确定恢复'}</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

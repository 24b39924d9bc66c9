// #/person/:id: the record form. Prefilled from GET /api/people/:id; validated as the user types
// with the 人员 zod schema; the person rules run here on the edited record to show which open
// findings the edit fixes; saved with a reason (PUT, x-csrf-token). Unsaved edits live in
// sessionStorage until saved, through reloads, conflicts, network errors and re-logins.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, errorText, get, NetworkError, put } from '../api.ts';
import { shownValue } from '../format.ts';
import { changedFields, changesFor, isMaskedId, optionsOf, PERSON_FIELDS, rebase, toCells, validateCells, type Cells, type FieldDef } from '../person/form.ts';
import { clearDraft, loadDraft, saveDraft } from '../person/draft.ts';
import { fieldToFocus, flaggedFields } from '../person/fields.ts';
import { outlook, recordContext } from '../person/recheck.ts';
import type { Finding, Me, PersonView, SaveResult } from '../types.ts';
import { WRITER_ROLES } from '../types.ts';
import { Dialog, ErrorBox, FindingCard, Header, Loading, Tabs } from '../ui.tsx';
import { SuggestionChip, useTakenSuggestions, type FixSuggestion } from '../record/Suggestions.tsx';
import { ProvenanceLine, type Provenance } from '../record/Provenance.tsx';
import { FixGuidePanel } from '../FixGuide.tsx';

type SaveProblem =
  | { kind: 'network'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'other'; message: string };

export function PersonPage(props: { me: Me; id: string; query?: URLSearchParams }) {
  const { id, me } = props;
  // Opened from a finding (`#/person/12?finding=34`): that finding's field comes into view first.
  const findingParam = Number(props.query?.get('finding') ?? '');
  const openedFor = Number.isSafeInteger(findingParam) && findingParam > 0 ? findingParam : null;
  const [view, setView] = useState<(PersonView & { suggestions?: FixSuggestion[]; provenance?: Provenance }) | null>(null);
  // Issue 18: suggestions taken into the form (saved only with the form, with a reason).
  const sug = useTakenSuggestions();
  const [loadError, setLoadError] = useState<unknown>(null);
  const [base, setBase] = useState<Cells>({});
  const [cells, setCells] = useState<Cells>({});
  const [reason, setReason] = useState('');
  const [restored, setRestored] = useState(false);
  const [conflicts, setConflicts] = useState<string[]>([]);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [editingId, setEditingId] = useState(false);
  const [dialog, setDialog] = useState(false);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ resolved: Finding[] } | null>(null);
  const [fullId, setFullId] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const loaded = useRef(false);

  const canWrite = WRITER_ROLES.has(me.role);

  // A problem with the save is told at the top of the page: bring it into view.
  useEffect(() => {
    if (problem) window.scrollTo({ top: 0, behavior: 'smooth' });
  }, [problem]);

  const load = async () => {
    setLoadError(null);
    try {
      const v = await get<PersonView>(`/api/people/${encodeURIComponent(id)}`);
      const b = toCells(v.person);
      const draft = loadDraft(id);
      let c = b;
      if (draft) {
        if (String(draft.version) === String(v.version)) c = { ...b, ...draft.cells };
        else {
          const r = rebase(draft.base, draft.cells, b);
          c = r.cells;
          setConflicts(r.conflicts);
        }
        setReason(draft.reason);
        setRestored(changedFields(b, c).length > 0 || draft.reason !== '');
        if (!isMaskedId(c['身份证号'] ?? '') && c['身份证号'] !== b['身份证号']) setEditingId(true);
      }
      setView(v);
      setBase(b);
      setCells(c);
      loaded.current = true;
    } catch (e) {
      setLoadError(e);
    }
  };

  useEffect(() => {
    loaded.current = false;
    setView(null);
    setSaved(null);
    setProblem(null);
    setConflicts([]);
    setRestored(false);
    setEditingId(false);
    setFullId(null);
    setReason('');
    void load();
  }, [id]);

  const changed = useMemo(() => [...new Set([...changedFields(base, cells), ...sug.forced])], [base, cells, sug.forced.length]);

  // Keep what the user typed until it is saved.
  useEffect(() => {
    if (!loaded.current || !view) return;
    if (changed.length === 0 && reason.trim() === '') clearDraft(id);
    else saveDraft(id, { version: view.version, base, cells, reason });
  }, [cells, reason, base, view]);

  const validation = useMemo(() => validateCells(cells), [cells]);
  const errors = { ...validation.errors, ...serverErrors };

  const ctx = useMemo(() => (view ? recordContext(view, Number(id)) : null), [view, id]);
  const look = useMemo(() => {
    if (!view || !ctx) return null;
    try {
      return outlook(view.findings, view.person, validation.value, ctx);
    } catch {
      return null;
    }
  }, [view, ctx, validation]);

  const set = (name: string, value: string) => {
    setCells((c) => ({ ...c, [name]: value }));
    if (serverErrors[name]) setServerErrors((s) => {
      const { [name]: _, ...rest } = s;
      return rest;
    });
    setSaved(null);
  };

  const save = async () => {
    if (!view) return;
    if (reason.trim() === '') {
      setDialogError('请填写修改原因');
      return;
    }
    setSaving(true);
    setDialogError(null);
    setProblem(null);
    const before = view.findings;
    try {
      const r = await put<SaveResult & { suggestions?: FixSuggestion[]; provenance?: Provenance }>(`/api/people/${encodeURIComponent(id)}`, { changes: { ...Object.fromEntries(sug.forced.map((f) => [f, base[f]])), ...changesFor(base, cells) }, reason: reason.trim(), version: view.version });
      const resolvedCodes = new Set(r.resolved ?? []);
      const stillOpen = new Set((r.findings ?? []).map((f) => f.id));
      const resolved = before.filter((f) => resolvedCodes.has(f.rule) && !stillOpen.has(f.id));
      const b = toCells(r.person);
      clearDraft(id);
      sug.reset();
      // The saved record's own provenance (最后修改) and the suggestions still open (none for what was just taken).
      setView({ ...view, person: r.person, findings: r.findings ?? [], version: r.version, suggestions: r.suggestions ?? [], provenance: r.provenance ?? view.provenance });
      setBase(b);
      setCells(b);
      setReason('');
      setEditingId(false);
      setConflicts([]);
      setRestored(false);
      setServerErrors({});
      setDialog(false);
      setSaved({ resolved });
      window.scrollTo({ top: 0, behavior: 'smooth' });
    } catch (e) {
      if (e instanceof NetworkError) {
        setDialog(false);
        setProblem({ kind: 'network', message: '网络异常，保存未成功。您的修改已保留在本机，可稍后重试。' });
      } else if (e instanceof ApiError && e.status === 409 && Object.keys(e.fields).length === 0) {
        setDialog(false);
        setProblem({ kind: 'conflict', message: `${e.message}：在您编辑期间，其他人修改了这条记录。您的修改仍保留在下方，请载入最新数据，核对后再保存。` });
      } else if (e instanceof ApiError && (e.status === 400 || e.status === 409)) {
        // 400: fields the schema refused; 409 with fields: e.g. the corrected ID number is already in the unit.
        const fields = e.fields ?? {};
        const onForm = Object.keys(fields).filter((f) => PERSON_FIELDS.some((d) => d.name === f));
        if (onForm.length) {
          setServerErrors(Object.fromEntries(onForm.map((f) => [f, fields[f]])));
          setDialog(false);
          setProblem({ kind: 'other', message: `${e.message}，请按标红处修改后再保存。` });
        } else setDialogError(Object.values(fields)[0] ?? e.message);
      } else if (e instanceof ApiError && e.status === 401) {
        // The app goes to the login page; the draft brings the edits back afterwards.
        setDialog(false);
      } else {
        setDialog(false);
        setProblem({ kind: 'other', message: errorText(e) });
      }
    } finally {
      setSaving(false);
    }
  };

  /** After a 409: the newest stored record with the user's edits laid over it. */
  const reloadLatest = async () => {
    setReloading(true);
    try {
      const v = await get<PersonView>(`/api/people/${encodeURIComponent(id)}`);
      const nb = toCells(v.person);
      const r = rebase(base, cells, nb);
      setView(v);
      setBase(nb);
      setCells(r.cells);
      setConflicts(r.conflicts);
      setProblem(null);
    } catch (e) {
      setProblem({ kind: e instanceof NetworkError ? 'network' : 'conflict', message: errorText(e) });
    } finally {
      setReloading(false);
    }
  };

  const discard = () => {
    if (!confirm('放弃全部未保存的修改？')) return;
    clearDraft(id);
    sug.reset();
    setCells(base);
    setReason('');
    setEditingId(false);
    setConflicts([]);
    setRestored(false);
    setServerErrors({});
    setProblem(null);
  };

  const showFullId = async () => {
    try {
      const r = await get<{ idNumber: string }>(`/api/people/${encodeURIComponent(id)}/id-number`);
      setFullId(r.idNumber);
    } catch (e) {
      setProblem({ kind: 'other', message: errorText(e) });
    }
  };

  const flagged = useMemo(() => flaggedFields(view?.findings ?? []), [view]);
  // Opened from a card or the list, the field to fix may be far down the form: once loaded, bring
  // the finding's field (else the first marked one) into view, above the save bar (style.css's
  // scroll-padding), and put the cursor in it when the user may edit it.
  const scrolledTo = useRef(false);
  useEffect(() => {
    if (!view || scrolledTo.current) return;
    scrolledTo.current = true;
    const name = fieldToFocus(view.findings, openedFor);
    if (!name) return;
    const box = document.querySelector(`[data-field="${CSS.escape(name)}"]`);
    box?.scrollIntoView({ block: 'center' });
    box?.classList.add('focused');
    const input = box?.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled])');
    input?.focus({ preventScroll: true });
  }, [view]);
  const title = view ? `${view.person.name} · 人员信息` : '人员信息';
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <div class="shell">
      <Header title={title} back={() => (history.length > 1 ? history.back() : (location.hash = '#/todo'))} side={<a class="side" href={`#/person/${encodeURIComponent(id)}/history`} data-testid="history-link">历史</a>} />
      <main class={`page ${canWrite && view ? 'has-savebar' : ''}`}>
        {loadError != null && !view && <ErrorBox error={loadError} retry={() => void load()} />}
        {!view && loadError == null && <Loading />}
        {view && (
          <>
            {saved && (
              <div class="notice ok" data-testid="saved" role="status">
                已保存，系统已重新检查。
                {saved.resolved.length > 0 && (
                  <ul class="outlook" style="margin-top:8px">
                    {saved.resolved.map((f) => (
                      <li key={f.id} class="fixed" data-testid="resolved" data-rule={f.rule}>
                        <span class="mark">✓</span>
                        <span><b>{f.title || f.rule}</b>　已整改，亮绿灯</span>
                      </li>
                    ))}
                  </ul>
                )}
                {saved.resolved.length === 0 && view.findings.length > 0 && <div>仍有 {view.findings.length} 个问题待整改。</div>}
              </div>
            )}
            {restored && (
              <div class="notice info" data-testid="draft-restored">
                已恢复您上次未保存的修改，请确认后保存。
                <div class="actions"><button type="button" onClick={discard} data-testid="discard">放弃修改</button></div>
              </div>
            )}
            {problem && (
              <div class={`notice ${problem.kind === 'network' ? 'warn' : 'error'}`} role="alert" data-testid={problem.kind === 'conflict' ? 'conflict' : problem.kind === 'network' ? 'network-error' : 'save-error'}>
                {problem.message}
                <div class="actions">
                  {problem.kind === 'network' && <button type="button" class="primary" disabled={saving} onClick={() => void save()} data-testid="retry-save">{saving ? '正在重试…' : '重试保存'}</button>}
                  {problem.kind === 'conflict' && <button type="button" class="primary" disabled={reloading} onClick={() => void reloadLatest()} data-testid="reload-latest">{reloading ? '正在载入…' : '载入最新数据（保留我的修改）'}</button>}
                </div>
              </div>
            )}
            {conflicts.length > 0 && (
              <div class="notice warn" data-testid="conflict-fields">
                以下字段他人也作了修改，当前显示的是您的填写，请核对：{conflicts.join('、')}
              </div>
            )}

            {!canWrite && <div class="notice info small" data-testid="read-only-top">只读：{readOnlyReason(me.role, view.unit.name, view.specialists)}</div>}
            <Outlook findings={view.findings} look={look} hasErrors={hasErrors} changed={changed.length > 0} />

            <h2 class="section">人员信息</h2>
            <ProvenanceLine provenance={view.provenance} />
            <div class="form-group" data-testid="person-form">
              {PERSON_FIELDS.map((f) => [
                <Field
                  key={f.name}
                  def={f}
                  value={cells[f.name] ?? ''}
                  base={base[f.name] ?? ''}
                  error={errors[f.name]}
                  changed={changed.includes(f.name)}
                  flagged={flagged.get(f.name)}
                  disabled={!canWrite || saving}
                  unitLabel={`${view.unit.name}（${view.unit.code}）`}
                  offices={view.unit.internalOffices ?? []}
                  editingId={editingId}
                  fullId={fullId}
                  canSeeFullId={me.fullIds}
                  onShowFullId={showFullId}
                  onEditId={(on) => {
                    setEditingId(on);
                    set('身份证号', on ? '' : base['身份证号'] ?? '');
                  }}
                  onInput={(v) => set(f.name, v)}
                />,
                <SuggestionChip key={`s-${f.name}`} suggestions={view.suggestions} field={f.name} value={cells[f.name] ?? ''} disabled={!canWrite || saving} taken={sug.taken} onTake={(s) => { sug.take(s); if (s.field !== '身份证号') set(s.field, s.suggested); }} />,
              ])}
            </div>
            {!canWrite && (
              <div class="notice info" data-testid="read-only-reason">
                {readOnlyReason(me.role, view.unit.name, view.specialists)}
              </div>
            )}
          </>
        )}
      </main>
      {view && canWrite && (
        <div class="savebar">
          <div class="inner">
            <span data-testid="change-count">{changed.length ? `已修改 ${changed.length} 项${hasErrors ? '，请先更正标红的字段' : ''}` : '尚未修改'}</span>
            <button type="button" class="primary" disabled={changed.length === 0 || hasErrors || saving} onClick={() => { setDialogError(null); if (!reason.trim() && sug.reason) setReason(sug.reason); setDialog(true); }} data-testid="save">
              {saving ? '正在保存…' : '保存'}
            </button>
          </div>
        </div>
      )}
      {dialog && view && (
        <Dialog title="确认修改" onClose={() => !saving && setDialog(false)} testid="save-dialog">
          <div class="history small" style="max-height:30vh;overflow:auto;margin-bottom:8px">
            {changed.map((c) => (
              <div class="change" key={c}>
                <span>{c}</span>
                <span><span class="before">{shownValue(base[c])}</span> → <span class="after">{shownValue(cells[c])}</span></span>
              </div>
            ))}
          </div>
          <label for="reason-input">修改原因<span style="color:var(--red)">*</span></label>
          <textarea
            id="reason-input"
            class="reason"
            value={reason}
            placeholder="例如：根据任职文件更正职级"
            maxLength={500}
            onInput={(e) => { setReason((e.target as HTMLTextAreaElement).value); setDialogError(null); }}
            data-testid="reason"
          />
          {dialogError && <div class="notice error small" style="margin-top:8px" data-testid="reason-error">{dialogError}</div>}
          <div class="row" style="margin-top:12px">
            <button type="button" disabled={saving} onClick={() => setDialog(false)} data-testid="cancel-save">取消</button>
            <button type="button" class="primary" disabled={saving} onClick={() => void save()} data-testid="confirm-save">{saving ? '正在保存…' : '确认保存'}</button>
          </div>
        </Dialog>
      )}
      <Tabs me={me} active="todo" />
    </div>
  );
}

function Outlook(props: { findings: Finding[]; look: ReturnType<typeof outlook> | null; hasErrors: boolean; changed: boolean }) {
  const { findings, look } = props;
  if (!findings.length && !look?.added.length) {
    return <div class="notice ok" data-testid="no-findings">此人目前没有待整改的问题。</div>;
  }
  const byId = new Map(look?.findings.map((x) => [x.finding.id, x.outlook]) ?? []);
  return (
    <div class="card" data-testid="outlook">
      <b>待整改问题</b>
      <span class="muted small">　{props.hasErrors ? '请先更正标红的字段' : props.changed ? '按当前填写预判' : '修改后实时预判能否整改'}</span>
      <ul class="outlook">
        {findings.map((f) => {
          const o = props.hasErrors ? 'unknown' : (byId.get(f.id) ?? 'unknown');
          return (
            <li key={f.id} class={o} data-testid="outlook-item" data-outlook={o} data-rule={f.rule}>
              <span class="mark">{o === 'fixed' ? '✓' : o === 'still' ? '!' : '?'}</span>
              <span>
                <b>{f.title || f.rule}</b>{f.qualifier ? `（${f.qualifier}）` : ''}
                <br />
                <span class="small muted">
                  {o === 'fixed' ? <span style="color:var(--green)">按当前修改可整改</span> : o === 'still' ? '尚未整改' : '保存后由系统复查'}
                </span>
                <FixGuidePanel code={f.rule} inline />
              </span>
            </li>
          );
        })}
        {!props.hasErrors && look?.added.map((h) => (
          <li key={`${h.rule}|${h.qualifier}`} class="added" data-testid="outlook-added" data-rule={h.rule}>
            <span class="mark">!</span>
            <span><b>{h.title}</b>{h.qualifier ? `（${h.qualifier}）` : ''}<br /><span class="small muted">按当前修改将产生此问题，请核对</span></span>
          </li>
        ))}
      </ul>
      {findings.length > 0 && (
        <details style="margin-top:6px">
          <summary class="small muted">问题详情</summary>
          {findings.map((f) => <FindingCard key={f.id} finding={f} showUnit={false} />)}
        </details>
      )}
    </div>
  );
}

/** Why the form cannot be changed by this role, and who can change it. */
export function readOnlyReason(role: string, unitName: string, specialists: readonly string[] = []): string {
  const who = `${unitName}的单位专管员${specialists.length ? `（${specialists.join('、')}）` : ''}`;
  if (role === '单位领导') return `单位领导可以查看本单位人员信息，但不能修改。需要修改时，请联系${who}；对问题本身有疑问的，请联系编办。`;
  return `您的角色（${role}）只能查看人员信息，不能修改。需要修改时，请联系${who}或编办业务人员。`;
}

interface FieldProps {
  /** The titles of the open findings about this field. */
  flagged?: string[];
  def: FieldDef;
  value: string;
  base: string;
  error?: string;
  changed: boolean;
  disabled: boolean;
  unitLabel: string;
  offices: string[];
  editingId: boolean;
  fullId: string | null;
  canSeeFullId: boolean;
  onShowFullId: () => void;
  onEditId: (on: boolean) => void;
  onInput: (v: string) => void;
}

function Field(p: FieldProps) {
  const { def, value } = p;
  const inputId = `f-${def.name}`;
  const testid = `field-${def.name}`;
  const cls = `field ${p.changed ? 'changed' : ''} ${p.error ? 'invalid' : ''} ${p.flagged && !p.changed ? 'flagged' : ''}`;
  const label = (
    <label for={inputId}>
      {def.name}
      {def.required && <span class="req">*</span>}
    </label>
  );
  const err = p.error ? (
    <div class="err" data-testid={`field-error-${def.name}`} role="alert">{p.error}</div>
  ) : p.flagged && !p.changed ? (
    <div class="hint flag" data-testid={`field-flag-${def.name}`}>待整改：{p.flagged.join('；')}</div>
  ) : null;
  const onInput = (e: Event) => p.onInput((e.target as HTMLInputElement).value);

  if (def.kind === 'unit') {
    return (
      <div class={cls} data-field={def.name} data-testid={testid}>
        <label>所在单位</label>
        <div class="readonly">{p.unitLabel}</div>
      </div>
    );
  }
  if (def.kind === 'id') {
    if (!p.editingId) {
      return (
        <div class={cls} data-field={def.name}>
          {label}
          <div class="readonly">
            <span data-testid={testid} style="flex:1" title={p.fullId ? undefined : '已脱敏：只显示前6位地区码和末位校验码'}>{p.fullId ?? value}</span>
            {p.canSeeFullId && !p.fullId && <button type="button" onClick={p.onShowFullId} data-testid="show-id">查看完整号码</button>}
            {!p.disabled && <button type="button" onClick={() => p.onEditId(true)} data-testid="edit-id">更正</button>}
          </div>
          {err}
        </div>
      );
    }
    return (
      <div class={cls} data-field={def.name}>
        {label}
        <div class="row">
          <input id={inputId} value={value} onInput={onInput} disabled={p.disabled} autocomplete="off" inputMode="text" maxLength={32} placeholder="请输入完整的18位身份证号" data-testid={testid} style="flex:3" />
          <button type="button" onClick={() => p.onEditId(false)} data-testid="cancel-edit-id" style="flex:1">取消</button>
        </div>
        {err}
        {def.hint && <div class="hint">{def.hint}</div>}
      </div>
    );
  }
  if (def.kind === 'select') {
    const options = optionsOf(def);
    const outside = value !== '' && !options.includes(value);
    const groups = def.groups ?? [];
    return (
      <div class={cls} data-field={def.name}>
        {label}
        <select id={inputId} value={value} onChange={onInput} disabled={p.disabled} data-testid={testid}>
          <option value="">（未填写）</option>
          {outside && <option value={value}>{value}（不在字典中，请重新选择）</option>}
          {groups.length === 1
            ? groups[0].options.map((o) => <option key={o} value={o}>{o}</option>)
            : groups.map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.options.map((o) => <option key={o} value={o}>{o}</option>)}
                </optgroup>
              ))}
        </select>
        {err}
      </div>
    );
  }
  const listId = def.name === '所在处室' && p.offices.length ? 'offices-list' : undefined;
  return (
    <div class={cls} data-field={def.name}>
      {label}
      <input
        id={inputId}
        type="text"
        value={value}
        onInput={onInput}
        disabled={p.disabled}
        placeholder={def.placeholder}
        autocomplete="off"
        list={listId}
        data-testid={testid}
      />
      {listId && (
        <datalist id={listId}>
          {p.offices.map((o) => <option key={o} value={o} />)}
        </datalist>
      )}
      {err}
      {def.kind === 'date' && (p.changed || p.error) && def.hint && <div class="hint">{def.hint}</div>}
    </div>
  );
}

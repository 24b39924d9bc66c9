// The form of a record that is not a person (编外人员, the unit's own fields, the office's
// approval fields): its fields as the sheet's Chinese headers, checked in the browser with the
// same zod schema the server uses (core/sheets.ts), the fields of open findings marked, the field
// a finding link names brought into view, a save with a reason in a dialog, and what the save
// resolved. Pages give the fields, the schema check and the save.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ApiError, errorText } from '../api.ts';
import { shownValue } from '../format.ts';
import type { Finding } from '../types.ts';
import { clearDraft, loadDraft, restoredCells, saveDraft, type DraftKind } from '../person/draft.ts';
import { Dialog, FindingCard } from '../ui.tsx';
import { SuggestionChip, useTakenSuggestions, type FixSuggestion } from './Suggestions.tsx';
import { ProvenanceLine, type Provenance } from './Provenance.tsx';

export interface FieldSpec {
  name: string;
  kind?: 'text' | 'select' | 'textarea' | 'date' | 'number';
  options?: readonly string[];
  hint?: string;
  readOnly?: boolean;
}

export type Cells = Record<string, string>;

export interface SaveOutcome {
  resolved: string[];
  findings: Finding[];
}

export interface RecordFormProps {
  fields: FieldSpec[];
  base: Cells;
  findings: Finding[];
  /** The field of the finding the page was opened for (`?field=`), else those of the open findings. */
  focusField: string | null;
  canWrite: boolean;
  /** Errors of the edited cells by field, as the server's schema would give them. */
  validate: (cells: Cells) => Record<string, string>;
  /** Saves the changed cells; throws the API's error (400 with fields, 409 stale). */
  save: (changes: Cells, reason: string) => Promise<SaveOutcome>;
  readOnlyText: string;
  /** Extra inputs shown in the save dialog (the office's document). */
  dialogExtra?: ComponentChildren;
  reasonPlaceholder?: string;
  testid: string;
  /** Where an unsaved draft is kept when a save is refused because the login timed out (sessionStorage), and the stored version it was made on. */
  draft?: { kind: DraftKind; id: string; version: number | string };
  /** Issue 18: the server's suggested fixes (one-tap chips beside their fields) and who entered / last changed the record. */
  suggestions?: FixSuggestion[];
  provenance?: Provenance | null;
}

/** Field name → titles of the open findings whose fix names it. */
function flaggedOf(findings: Finding[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of findings) {
    const field = fieldOf(f);
    if (!field) continue;
    m.set(field, [...(m.get(field) ?? []), f.title || f.rule]);
  }
  return m;
}

/** The field a finding's fix link names (`&field=`). */
export function fieldOf(f: Finding): string | null {
  const href = f.fix?.href ?? '';
  const q = href.indexOf('?');
  return q < 0 ? null : new URLSearchParams(href.slice(q + 1)).get('field');
}

export function RecordForm(p: RecordFormProps) {
  // A draft kept when the last save was refused (login timed out): the edits and the reason come back.
  const [initial] = useState(() => {
    const d = p.draft ? loadDraft(p.draft.id, undefined, p.draft.kind) : null;
    return d ? { cells: restoredCells(d, p.draft!.version, p.base), reason: d.reason } : null;
  });
  const [cells, setCells] = useState<Cells>(initial?.cells ?? p.base);
  const [restored, setRestored] = useState(initial != null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [dialog, setDialog] = useState(false);
  const [reason, setReason] = useState(initial?.reason ?? '');
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<SaveOutcome | null>(null);
  const firstBase = useRef(true);
  useEffect(() => {
    if (firstBase.current) { firstBase.current = false; return; }
    setCells(p.base);
  }, [p.base]);
  const sug = useTakenSuggestions();
  const changed = p.fields.filter((f) => (cells[f.name] ?? '') !== (p.base[f.name] ?? '') || sug.forced.includes(f.name)).map((f) => f.name);
  const errors = useMemo(() => ({ ...(changed.length ? p.validate(cells) : {}), ...serverErrors }), [cells, serverErrors, changed.length]);
  const shownErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => changed.includes(k) || serverErrors[k]));
  const hasErrors = Object.keys(shownErrors).length > 0;
  const flagged = useMemo(() => flaggedOf(p.findings), [p.findings]);

  const scrolled = useRef(false);
  useEffect(() => {
    if (scrolled.current) return;
    scrolled.current = true;
    const name = p.focusField ?? [...flagged.keys()][0];
    if (!name) return;
    const box = document.querySelector(`[data-testid="${p.testid}"] [data-field="${CSS.escape(name)}"]`);
    box?.scrollIntoView({ block: 'center' });
    box?.classList.add('focused');
    box?.querySelector<HTMLElement>('input:not([disabled]), select:not([disabled]), textarea:not([disabled])')?.focus({ preventScroll: true });
  }, []);

  const doSave = async () => {
    if (!reason.trim()) return setProblem('请填写修改原因');
    setSaving(true);
    setProblem(null);
    try {
      const out = await p.save(Object.fromEntries(changed.map((c) => [c, cells[c] ?? ''])), reason.trim());
      if (p.draft) clearDraft(p.draft.id, undefined, p.draft.kind);
      sug.reset();
      setRestored(false);
      setSaved(out);
      setDialog(false);
      setReason('');
      setServerErrors({});
      window.scrollTo(0, 0);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        // The login ended: keep what was typed; the app goes to the login page and brings the user back here.
        if (p.draft) saveDraft(p.draft.id, { version: p.draft.version, base: p.base, cells, reason }, undefined, undefined, p.draft.kind);
        setDialog(false);
        return;
      }
      const fields = e instanceof ApiError ? ((e.body as { fields?: Record<string, string> } | null)?.fields ?? null) : null;
      // Errors of the form's fields are shown at the fields (the dialog closes); others (修改原因, the document) in the dialog.
      const inForm = fields ? Object.fromEntries(Object.entries(fields).filter(([k]) => p.fields.some((f) => f.name === k))) : {};
      setServerErrors(inForm);
      setProblem(e instanceof ApiError && e.status === 409 ? `${errorText(e)}（请刷新页面后重新修改）` : fields ? Object.entries(fields).map(([k, v]) => `${k}：${v}`).join('；') : errorText(e));
      if (Object.keys(inForm).length) setDialog(false);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div data-testid={p.testid}>
      {saved && (
        <div class="notice ok" data-testid="saved" role="status">
          已保存，系统已重新检查。
          {saved.resolved.length > 0 && <div data-testid="resolved-count">已整改 {saved.resolved.length} 个问题，亮绿灯 ✓</div>}
          {saved.findings.length > 0 ? <div>仍有 {saved.findings.length} 个问题待整改。</div> : <div data-testid="all-green">本页已没有待整改的问题。</div>}
        </div>
      )}
      {restored && (
        <div class="notice info" data-testid="draft-restored" role="status">
          已恢复您上次未保存的修改，请确认后保存。
          <div class="actions">
            <button type="button" onClick={() => { if (p.draft) clearDraft(p.draft.id, undefined, p.draft.kind); setCells(p.base); setReason(''); setRestored(false); }} data-testid="discard">放弃修改</button>
          </div>
        </div>
      )}
      {problem && !dialog && <div class="notice error" role="alert" data-testid="save-error">{problem}</div>}
      {!p.canWrite && <div class="notice info small" data-testid="read-only">{p.readOnlyText}</div>}
      <ProvenanceLine provenance={p.provenance} />
      {p.findings.length > 0 && (
        <div class="card" data-testid="open-findings">
          <b>待整改问题</b>
          {p.findings.map((f) => {
            const here = fieldOf(f) && p.fields.some((x) => x.name === fieldOf(f) && !x.readOnly);
            return <FindingCard key={f.id} finding={f} showUnit={false} href={here ? null : f.fix?.href ?? null} />;
          })}
        </div>
      )}
      <div class="form-group">
        {p.fields.map((f) => {
          const value = cells[f.name] ?? '';
          const isChanged = changed.includes(f.name);
          const flag = flagged.get(f.name);
          const err = shownErrors[f.name];
          const disabled = !p.canWrite || saving || !!f.readOnly;
          const cls = `field ${isChanged ? 'changed' : ''} ${err ? 'invalid' : ''} ${flag && !isChanged ? 'flagged' : ''}`;
          const set = (v: string) => { setCells({ ...cells, [f.name]: v }); setServerErrors(({ [f.name]: _x, ...rest }) => rest); };
          const id = `f-${f.name}`;
          return (
            <div class={cls} data-field={f.name} key={f.name}>
              <label for={id}>{f.name}{f.readOnly ? <span class="muted small">（编办核定）</span> : null}</label>
              {f.kind === 'select' ? (
                <select id={id} value={value} disabled={disabled} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
                  <option value="">（未填写）</option>
                  {value && !f.options?.includes(value) && <option value={value}>{value}（不规范）</option>}
                  {f.options?.map((o) => <option key={o} value={o}>{o}</option>)}
                </select>
              ) : f.kind === 'textarea' ? (
                <textarea id={id} value={value} disabled={disabled} rows={4} onInput={(e) => set((e.target as HTMLTextAreaElement).value)} />
              ) : (
                <input id={id} value={value} disabled={disabled} inputMode={f.kind === 'number' ? 'numeric' : undefined} placeholder={f.kind === 'date' ? 'YYYY-MM-DD' : undefined} onInput={(e) => set((e.target as HTMLInputElement).value)} />
              )}
              {err ? <div class="err" data-testid={`field-error-${f.name}`}>{err}</div> : flag && !isChanged ? <div class="hint flag">待整改：{flag.join('；')}</div> : f.hint ? <div class="hint">{f.hint}</div> : null}
              <SuggestionChip suggestions={p.suggestions} field={f.name} value={value} disabled={disabled} taken={sug.taken} onTake={(s) => { sug.take(s); if (s.field !== '身份证号') set(s.suggested); }} />
            </div>
          );
        })}
      </div>
      {p.canWrite && (
        <div class="savebar">
          <div class="inner">
            <span data-testid="change-count">{changed.length ? `已修改 ${changed.length} 项${hasErrors ? '，请先更正标红的字段' : ''}` : '尚未修改'}</span>
            <button type="button" class="primary" disabled={changed.length === 0 || hasErrors || saving} onClick={() => { setProblem(null); if (!reason.trim() && sug.reason) setReason(sug.reason); setDialog(true); }} data-testid="save">保存</button>
          </div>
        </div>
      )}
      {dialog && (
        <Dialog title="确认修改" onClose={() => !saving && setDialog(false)} testid="save-dialog">
          <div class="history small" style="max-height:30vh;overflow:auto;margin-bottom:8px">
            {changed.map((c) => (
              <div class="change" key={c}><span>{c}</span><span><span class="before">{shownValue(p.base[c])}</span> → <span class="after">{shownValue(cells[c])}</span></span></div>
            ))}
          </div>
          {p.dialogExtra}
          <label for="reason-input">修改原因<span style="color:var(--red)">*</span></label>
          <textarea id="reason-input" class="reason" value={reason} maxLength={500} placeholder={p.reasonPlaceholder ?? '例如：按劳动合同更正'} onInput={(e) => { setReason((e.target as HTMLTextAreaElement).value); setProblem(null); }} data-testid="reason" />
          {problem && <div class="notice error small" style="margin-top:8px" data-testid="reason-error">{problem}</div>}
          <div class="row" style="margin-top:12px">
            <button type="button" disabled={saving} onClick={() => setDialog(false)} data-testid="cancel-save">取消</button>
            <button type="button" class="primary" disabled={saving} onClick={() => void doSave()} data-testid="confirm-save">{saving ? '正在保存…' : '确认保存'}</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

/** The errors of a sheet schema's parse by column, as the server reports them. */
export function schemaErrors(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): Record<string, string> {
  const out: Record<string, string> = {};
  if (result.success) return out;
  for (const is of result.error!.issues) out[String(is.path[0] ?? '')] ??= is.message;
  return out;
}

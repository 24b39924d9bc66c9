// #/requests/new?kind=&unit=&person=&finding=: a staffing request (用编计划, 增人入编, 减人出编,
// 领导职数使用), prefilled from the finding's link; the unit's 可用 shown before the user types
// (满编/超编 said plainly); checked here as the server checks it; the draft kept on the phone
// until it is submitted. #/requests/:id/edit: a returned request corrected and sent again.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post, qs } from '../api.ts';
import { go } from '../router.ts';
import {
  checkRequest, clearRequestDraft, draftKey, ENTRY_FIELDS, frozenText, isKind, loadRequestDraft, postText, prefill, quotaText, REQUEST_KINDS,
  requestBody, requestFields, saveRequestDraft, todayInBeijing, cellsOfRequest, type Availability, type Cells, type RequestField, type RequestKind,
} from '../requests/form.ts';
import { optionsOf, type FieldDef } from '../person/form.ts';
import type { Finding, Me, PersonView, RequestView } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';
import { fixSuggestions } from '../../../core/fix-suggestions.ts';
import { idFacts } from '../../../core/idnumber.ts';
import type { IsoDate } from '../../../core/model.ts';
import { SuggestionChip } from '../record/Suggestions.tsx';

const KIND_HINT: Record<RequestKind, string> = {
  用编计划: '申请使用本单位空余编制，批准后在有效期内可办理入编',
  增人入编: '新进人员占用编制，需填写人员信息',
  减人出编: '退休、调出等人员办理出编，腾出编制',
  领导职数使用: '提拔任用领导职务前，申请使用核定的领导职数',
};

/** The kind chooser: #/requests/new without a kind. */
function KindChooser(props: { unit: string }) {
  return (
    <div data-testid="kind-chooser">
      <p class="muted small" style="margin:4px">请选择要办理的事项：</p>
      {REQUEST_KINDS.map((k) => (
        <a key={k} class="card" href={`#/requests/new${qs({ kind: k, unit: props.unit })}`} data-testid={`kind-${k}`}>
          <div style="font-size:17px;font-weight:600">{k} ›</div>
          <div class="muted small" style="margin-top:4px">{KIND_HINT[k]}</div>
        </a>
      ))}
    </div>
  );
}

export function RequestFormPage(props: { me: Me; query: URLSearchParams; editId?: string }) {
  const { me, query, editId } = props;
  const editing = useLoad(() => (editId ? get<RequestView>(`/api/requests/${encodeURIComponent(editId)}`) : Promise.resolve(null)), [editId]);
  const req = editing.data ?? null;
  const kindText = req ? req.kind : query.get('kind') ?? '';
  const kind = isKind(kindText) ? kindText : null;
  const unit = req ? String(req.unitId) : query.get('unit') ?? (me.unit?.id != null ? String(me.unit.id) : '');
  const personId = req ? (req.person?.id != null ? String(req.person.id) : null) : query.get('person');
  const findingId = query.get('finding');
  const title = editId ? '修改后重新提交' : kind ? `申请${kind}` : '新申请';
  const back = () => (history.length > 1 ? history.back() : go(editId ? `/requests/${editId}` : '/requests'));

  if (editId && (editing.loading || editing.error != null)) {
    return (
      <div class="shell">
        <Header title={title} back={back} />
        <main class="page">{editing.error != null ? <ErrorBox error={editing.error} retry={editing.reload} /> : <Loading />}</main>
        <Tabs me={me} active="requests" />
      </div>
    );
  }
  return (
    <div class="shell">
      <Header title={title} back={back} />
      <main class="page has-savebar">
        {!unit && <div class="notice error">未指定单位：请从待整改问题或“申请”页进入。</div>}
        {unit && !kind && <KindChooser unit={unit} />}
        {unit && kind && (
          <RequestFormBody key={`${kind}-${unit}-${personId}-${editId}`} me={me} kind={kind} unit={unit} personId={personId} findingId={findingId} editing={req} />
        )}
      </main>
      <Tabs me={me} active="requests" />
    </div>
  );
}

function RequestFormBody(props: { me: Me; kind: RequestKind; unit: string; personId: string | null; findingId: string | null; editing: RequestView | null }) {
  const { kind, unit, findingId, editing } = props;
  const today = todayInBeijing();
  const namesPerson = kind === '减人出编' || kind === '领导职数使用';
  const choosing = namesPerson && !props.personId;
  const av = useLoad(() => get<Availability>(`/api/units/${encodeURIComponent(unit)}/availability${choosing ? '?people=1' : ''}`), [unit]);
  const person = useLoad(() => (props.personId && kind !== '增人入编' ? get<PersonView>(`/api/people/${encodeURIComponent(props.personId)}`) : Promise.resolve(null)), [props.personId]);
  const finding = useLoad(
    () => (findingId ? get<Finding[]>(`/api/findings${qs({ status: 'open', unit })}`).then((l) => l.find((f) => String(f.id) === findingId) ?? null) : Promise.resolve(null)),
    [findingId, unit],
  );
  const key = draftKey(kind, unit, props.personId, editing ? String(editing.id) : null);
  const [draft] = useState(() => loadRequestDraft(key));
  const [cells, setCells] = useState<Cells>(() => draft?.cells ?? (editing ? cellsOfRequest(editing.body) : prefill(kind, today, null)));
  const [touched, setTouched] = useState<Set<string>>(() => new Set(draft ? Object.keys(draft.cells) : []));
  const [tried, setTried] = useState(false);
  const [sending, setSending] = useState(false);
  const [serverError, setServerError] = useState<{ text: string; reasons: string[] } | null>(null);
  const [serverFields, setServerFields] = useState<Record<string, string>>({});
  // The person: from the link (a person's finding, a returned request), else chosen here.
  const personId = props.personId ?? (cells['人员ID'] || null);

  // 退休未出编 (P-RT-01, P-RT-03): 出编原因 退休, once the finding is known, unless the user chose.
  useEffect(() => {
    const f = finding.data;
    if (!f || draft || editing || kind !== '减人出编') return;
    setCells((c) => (c['出编原因'] ? c : { ...c, ...prefill(kind, today, f.rule), 申请理由: c['申请理由'] }));
  }, [finding.data]);

  const errors = useMemo(() => ({ ...checkRequest(kind, cells, av.data ?? null, today, personId), ...serverFields }), [cells, av.data, serverFields]);
  const shown = (name: string) => (tried || touched.has(name) ? errors[name] : undefined);
  // 自动修正 as the user types (issue 18): a 性别 / 出生日期 the typed ID number contradicts is
  // offered the number's value beside the field, before 提交 (the server refuses it otherwise).
  const entrySuggestions = useMemo(() => (kind !== '增人入编' ? [] : fixSuggestions({
    kind: 'person', idFacts: idFacts(cells['身份证号'] ?? '', today as IsoDate), gender: cells['性别'] || null, birthDate: cells['出生日期'] || null,
  }).filter((x) => x.field === '性别' || x.field === '出生日期')), [kind, cells['身份证号'], cells['性别'], cells['出生日期']]);
  const set = (name: string, v: string) => {
    const next = { ...cells, [name]: v };
    setCells(next);
    setTouched((t) => new Set(t).add(name));
    setServerFields((f) => {
      const { [name]: _drop, ...rest } = f;
      return rest;
    });
    saveRequestDraft(key, next);
  };
  const frozen = av.data ? frozenText(kind, av.data) : null;
  const needsPerson = namesPerson && !personId;

  const submit = async () => {
    setTried(true);
    setServerError(null);
    if (Object.keys(errors).length || needsPerson) {
      const first = document.querySelector('.field.invalid');
      first?.scrollIntoView({ block: 'center' });
      return;
    }
    setSending(true);
    try {
      const body = requestBody(kind, Number(av.data?.unit.id ?? unit), cells, personId);
      const r = editing
        ? await post<{ id: number }>(`/api/requests/${editing.id}/resubmit`, { request: body })
        : await post<{ id: number }>('/api/requests', body);
      clearRequestDraft(key);
      go(`/requests/${r.id}?sent=1`);
    } catch (e) {
      const b = e instanceof ApiError ? (e.body as { reasons?: unknown } | null) : null;
      const reasons = Array.isArray(b?.reasons) ? (b!.reasons as string[]) : [];
      setServerError({ text: reasons.length ? '不予办理，原因如下：' : e instanceof Error ? e.message : String(e), reasons });
      if (e instanceof ApiError && Object.keys(e.fields).length) setServerFields(e.fields);
      setTimeout(() => document.querySelector('[data-testid="submit-error"]')?.scrollIntoView({ block: 'center' }), 0);
    } finally {
      setSending(false);
    }
  };

  const p = person.data?.person;
  return (
    <>
      {draft && (
        <div class="notice info" data-testid="draft-restored">
          已恢复您上次未提交的填写内容。
          <div class="actions">
            <button type="button" onClick={() => { clearRequestDraft(key); location.reload(); }} data-testid="discard-draft">放弃，重新填写</button>
          </div>
        </div>
      )}
      {editing && (
        <div class="notice warn" data-testid="returned-note">
          申请 {editing.no} 已被退回修改{lastComment(editing) ? `，意见：${lastComment(editing)}` : ''}。修改后点“重新提交”。
          {editing.kind === '增人入编' && <div class="small" style="margin-top:4px">身份证号不在申请中保存，请重新填写。</div>}
        </div>
      )}
      {finding.data && (
        <div class="notice warn" data-testid="for-finding">为整改问题办理：<b>{finding.data.title || finding.data.rule}</b>（{finding.data.subject.name}）</div>
      )}
      <div class="card" data-testid="availability">
        <div style="font-weight:600;font-size:16px">{av.data?.unit.name ?? '申请单位'}</div>
        <div class="muted small">{kind === '领导职数使用' ? '领导职数使用情况' : '编制使用情况（可用 = 核定 − 实有 − 在途）'}</div>
        {av.loading && !av.data && <div class="muted small">正在查询本单位可用编制…</div>}
        {av.error != null && <ErrorBox error={av.error} retry={av.reload} />}
        {av.data && kind !== '领导职数使用' && (
          <ul class="avail">
            {av.data.quotas.length === 0 && <li class="muted">本单位尚未核定编制</li>}
            {av.data.quotas.map((q) => (
              <li key={q.kind} class={q.available > 0 ? 'ok' : 'no'} data-testid="avail-quota" data-kind={q.kind} data-available={q.available}>{quotaText(q)}</li>
            ))}
          </ul>
        )}
        {av.data && kind === '领导职数使用' && (
          <ul class="avail">
            {av.data.posts.map((x) => (
              <li key={x.kind} class={(x.available ?? 0) > 0 ? 'ok' : 'no'} data-testid="avail-post" data-kind={x.kind}>{postText(x)}</li>
            ))}
          </ul>
        )}
      </div>
      {frozen && (
        <div class="notice error" data-testid="frozen" role="alert">
          {frozen}
          {(kind === '用编计划' || kind === '增人入编') && <div class="small" style="margin-top:6px">人员退休、调出后可先<a href={`#/requests/new${qs({ kind: '减人出编', unit })}`}>办理减人出编</a>；核定数有变化请联系编办。</div>}
        </div>
      )}
      {choosing && av.data?.people && (
        <div class="form-group">
          <div class={`field ${tried && needsPerson ? 'invalid' : ''}`} data-field="人员ID">
            <label for="r-person">{kind === '减人出编' ? '出编人员' : '拟任人员'}<span class="req">*</span></label>
            <select id="r-person" value={cells['人员ID'] ?? ''} onChange={(e) => set('人员ID', (e.target as HTMLSelectElement).value)} data-testid="req-person">
              <option value="">（请选择本单位在编人员）</option>
              {av.data.people.map((x) => (
                <option key={x.id} value={String(x.id)}>{x.name}　{x.idMasked ?? ''}　{x.quotaKind ?? ''}{x.leaderLevel ? `　${x.leaderLevel}` : ''}</option>
              ))}
            </select>
            {tried && needsPerson && <div class="err" role="alert">请选择人员</div>}
            {av.data.people.length === 0 && <div class="hint">本单位没有在编人员。</div>}
          </div>
        </div>
      )}
      {props.personId && kind !== '增人入编' && (
        <div class="card" data-testid="request-person">
          <span class="muted">人员：</span>
          {p ? <><b data-testid="person-name">{p.name}</b><span class="muted">　{p.idNumber}</span>{p.status && <span class="muted">　{p.status}</span>}</> : person.error != null ? <ErrorBox error={person.error} retry={person.reload} /> : '正在加载…'}
        </div>
      )}
      {serverError && (
        <div class="notice error" data-testid="submit-error" role="alert">
          {serverError.text}
          {serverError.reasons.length > 0 && <ul style="margin:6px 0 0;padding-left:20px">{serverError.reasons.map((r) => <li key={r} data-testid="refusal">{r}</li>)}</ul>}
          {serverError.reasons.some((r) => r.includes('红灯问题')) && <div style="margin-top:6px"><a href={`#/todo${qs({ unit })}`} data-testid="to-todo">查看本单位待整改问题 ›</a></div>}
          <div class="small" style="margin-top:6px">您填写的内容已保留。</div>
        </div>
      )}
      <div class="form-group" data-testid="request-form" data-kind={kind}>
        {requestFields(kind).map((f) => (
          <OwnField key={f.name} f={f} value={cells[f.name] ?? ''} error={shown(f.name)} onInput={(v) => set(f.name, v)} />
        ))}
      </div>
      {kind === '增人入编' && (
        <>
          <h2 class="section">入编人员信息</h2>
          <div class="form-group" data-testid="entry-form">
            {ENTRY_FIELDS.map((f) => [
              <PersonField key={f.name} def={f} value={cells[f.name] ?? ''} error={shown(f.name)} onInput={(v) => set(f.name, v)} />,
              <SuggestionChip key={`s-${f.name}`} suggestions={entrySuggestions} field={f.name} value={cells[f.name] ?? ''} taken={[]} onTake={(x) => set(x.field, x.suggested)} />,
            ])}
          </div>
        </>
      )}
      <div class="savebar">
        <div class="inner">
          <span>{tried && Object.keys(errors).length ? <span style="color:var(--red)">请先更正标红的内容</span> : '提交后由编办初审，分管领导终审'}</span>
          <button type="button" class="primary" disabled={sending || !!frozen || !av.data} onClick={() => void submit()} data-testid="submit-request">
            {sending ? '正在提交…' : editing ? '重新提交' : '提交申请'}
          </button>
        </div>
      </div>
    </>
  );
}

function lastComment(r: RequestView): string | null {
  const s = [...r.steps].reverse().find((x) => x.decision === 'return');
  return s?.comment ?? null;
}

function OwnField(props: { f: RequestField; value: string; error?: string; onInput: (v: string) => void }) {
  const { f, value, error } = props;
  const id = `r-${f.name}`;
  const onInput = (e: Event) => props.onInput((e.target as HTMLInputElement).value);
  return (
    <div class={`field ${error ? 'invalid' : ''}`} data-field={f.name}>
      <label for={id}>{f.name}{f.required && <span class="req">*</span>}</label>
      {f.kind === 'select' ? (
        <select id={id} value={value} onChange={onInput} data-testid={`req-${f.name}`}>
          <option value="">（请选择）</option>
          {(f.options ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      ) : f.kind === 'textarea' ? (
        <textarea id={id} value={value} onInput={onInput} rows={3} maxLength={500} data-testid={`req-${f.name}`} placeholder={f.required ? '请填写' : '选填'} />
      ) : (
        <input id={id} type="text" inputMode={f.kind === 'number' ? 'numeric' : f.kind === 'date' ? 'numeric' : 'text'} value={value} onInput={onInput} autocomplete="off" placeholder={f.kind === 'date' ? 'YYYY-MM-DD' : undefined} data-testid={`req-${f.name}`} />
      )}
      {error && <div class="err" role="alert" data-testid={`req-error-${f.name}`}>{error}</div>}
      {f.hint && !error && <div class="hint">{f.hint}</div>}
    </div>
  );
}

/** A 人员 field of an 增人入编 (the person form's definitions: lists, hints, required marks). */
function PersonField(props: { def: FieldDef; value: string; error?: string; onInput: (v: string) => void }) {
  const { def, value, error } = props;
  const id = `r-${def.name}`;
  const onInput = (e: Event) => props.onInput((e.target as HTMLInputElement).value);
  return (
    <div class={`field ${error ? 'invalid' : ''}`} data-field={def.name}>
      <label for={id}>{def.name}{def.required && <span class="req">*</span>}</label>
      {def.kind === 'select' ? (
        <select id={id} value={value} onChange={onInput} data-testid={`req-${def.name}`}>
          <option value="">（未填写）</option>
          {(def.groups ?? []).length === 1
            ? optionsOf(def).map((o) => <option key={o} value={o}>{o}</option>)
            : (def.groups ?? []).map((g) => <optgroup key={g.label} label={g.label}>{g.options.map((o) => <option key={o} value={o}>{o}</option>)}</optgroup>)}
        </select>
      ) : (
        <input id={id} type="text" value={value} onInput={onInput} autocomplete="off" placeholder={def.kind === 'id' ? '请输入完整的18位身份证号' : def.placeholder} maxLength={def.kind === 'id' ? 32 : undefined} data-testid={`req-${def.name}`} />
      )}
      {error && <div class="err" role="alert" data-testid={`req-error-${def.name}`}>{error}</div>}
      {def.hint && !error && (def.kind === 'id' || def.kind === 'date') && <div class="hint">{def.hint}</div>}
    </div>
  );
}

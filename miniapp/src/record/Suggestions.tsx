// 自动修正 (issue 18; ningbo-data-regulation art. 3 and 6): the server's suggestions for a record
// (core/fix-suggestions.ts, on GET /api/people/:id and /api/workers/:id) as one-tap chips beside
// their fields. Taking one only fills the field in the form; nothing is stored until the user saves
// with a reason, which the taken suggestions pre-fill (editable).

import { useState } from 'preact/hooks';
import type { FixSuggestion } from '../../../core/fix-suggestions.ts';

export type { FixSuggestion };

/** The suggestions taken in this form: the fields they fill, and the 修改原因 they pre-fill. */
export function useTakenSuggestions() {
  const [taken, setTaken] = useState<FixSuggestion[]>([]);
  return {
    taken,
    take: (s: FixSuggestion) => setTaken((t) => [...t.filter((x) => x.field !== s.field), s]),
    reset: () => setTaken([]),
    /** The 修改原因 the save dialog starts with when the user has typed none. */
    reason: taken.map((s) => s.saveReason).join('；'),
    /**
     * Fields to send although their text is unchanged: the ID number re-saved in its regular
     * writing (the form shows it masked; the server stores the regular form of the stored number).
     */
    forced: taken.filter((s) => s.field === '身份证号').map((s) => s.field as string),
  };
}

/** The chip of one field's suggestion: 建议改为 X（依据…） [采用]; once taken, what happens next. */
export function SuggestionChip(props: { suggestions?: FixSuggestion[]; field: string; value: string; disabled?: boolean; taken: FixSuggestion[]; onTake: (s: FixSuggestion) => void }) {
  const s = props.suggestions?.find((x) => x.field === props.field);
  if (!s) return null;
  // A field that already holds the suggested value (taken, or typed) is not offered again: it waits for 保存.
  const isTaken = s.field === '身份证号' ? props.taken.some((x) => x.field === s.field) : props.value === s.suggested;
  const basis = s.field === '所在处室' ? '依据本单位内设机构' : '依据身份证号';
  return (
    <div class={`suggest ${isTaken ? 'taken' : ''}`} data-testid={`suggest-${s.field}`} data-rule={s.rule ?? ''}>
      {isTaken ? (
        <span><b>已采用，待保存</b>：{s.field === '身份证号' ? '身份证号将按规范写法保存' : `已填入“${s.suggested}”`}。点“保存”并填写修改原因后才会生效。</span>
      ) : (
        <>
          <span class="text">
            <b>建议改为 {s.suggested}</b>（{basis}）
            <br />
            <span class="small muted">{s.reason}</span>
          </span>
          {!props.disabled && <button type="button" class="primary" onClick={() => props.onTake(s)} data-testid={`take-${s.field}`}>采用</button>}
        </>
      )}
    </div>
  );
}

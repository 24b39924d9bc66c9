// The 错题本 on a finding (issue 18): a collapsible 怎么改 panel under every finding the mini-app
// lists (FindingCard), loading its rule's guide when opened (what is wrong, why, the steps, a right
// and a wrong example, the office's related entries) with a link to the full guide page
// (#/guide/CODE, pages/Guides.tsx). The guide is the office's latest version, else the shipped one.

import { useState } from 'preact/hooks';
import type { EffectiveGuide, GuideVersion } from '../../core/fix-guides.ts';
import { errorText, get } from './api.ts';

/** One entry as the API gives it (core/fix-guides.ts EffectiveGuide), and one of its stored versions. */
export type GuideEntry = EffectiveGuide;
export type GuideVersionView = GuideVersion;

export interface GuideView {
  guide: GuideEntry;
  history: GuideVersionView[];
  related: GuideEntry[];
  canEdit: boolean;
  /** a rule with a shipped text (POST …/restore {version: 0} brings it back) */
  shipped?: boolean;
}

/** The mini-app's page of one guide. */
export const guideHref = (entry: string) => `#/guide/${encodeURIComponent(entry)}`;

const loaded = new Map<string, Promise<GuideView>>();

/** One entry's guide, fetched once per page load (forget: after the office saved it). */
export function loadGuide(entry: string, opts: { fresh?: boolean } = {}): Promise<GuideView> {
  if (opts.fresh) loaded.delete(entry);
  let p = loaded.get(entry);
  if (!p) {
    p = get<GuideView>(`/api/fix-guides/${encodeURIComponent(entry)}`);
    p.catch(() => loaded.delete(entry));
    loaded.set(entry, p);
  }
  return p;
}

/** A guide's text: what, why, the steps, the examples. */
export function GuideBody(props: { guide: GuideEntry; compact?: boolean }) {
  const g = props.guide;
  if (g.source === 'none') return <p class="muted small" data-testid="guide-none">该规则的整改指引尚未编写，请联系编办。</p>;
  return (
    <div class="guide-body" data-testid="guide-body">
      <p><b>问题是什么：</b><span data-testid="guide-what">{g.what}</span></p>
      <p><b>为什么要改：</b>{g.why}</p>
      <b>怎么改：</b>
      <ol class="guide-steps" data-testid="guide-steps">
        {g.how.map((s, i) => <li key={i}>{s}</li>)}
      </ol>
      <div class="guide-example right" data-testid="guide-right"><b>✓ 正确示例：</b>{g.right}</div>
      <div class="guide-example wrong" data-testid="guide-wrong"><b>✗ 错误示例：</b>{g.wrong}</div>
      {g.source === 'office' && g.editedAt && <p class="muted small">本指引由编办{g.editedBy ? `（${g.editedBy}）` : ''}于 {g.editedAt.slice(0, 10)} 更新</p>}
    </div>
  );
}

/** The collapsible 怎么改 under a finding. */
export function FixGuidePanel(props: { code: string; inline?: boolean }) {
  const [view, setView] = useState<GuideView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onToggle = (e: Event) => {
    if (!(e.currentTarget as HTMLDetailsElement).open || view) return;
    setError(null);
    loadGuide(props.code).then(setView, (err) => setError(errorText(err)));
  };
  return (
    <details class={`fix-guide${props.inline ? ' inline' : ''}`} data-testid="fix-guide" data-rule={props.code} onToggle={onToggle}>
      <summary data-testid="fix-guide-toggle">怎么改</summary>
      {error && <div class="notice error small">{error}</div>}
      {!view && !error && <p class="muted small">正在加载整改指引…</p>}
      {view && (
        <>
          <GuideBody guide={view.guide} compact />
          {view.related.length > 0 && (
            <p class="small">编办补充：{view.related.map((r, i) => <span key={r.entry}>{i > 0 && '、'}<a href={guideHref(r.entry)}>{r.title}</a></span>)}</p>
          )}
          <a class="small" href={guideHref(props.code)} data-testid="fix-guide-page">查看完整指引 ›</a>
        </>
      )}
    </details>
  );
}

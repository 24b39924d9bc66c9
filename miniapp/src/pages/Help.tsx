// #/help/office and #/help/unit (issue 18): 《编办用户操作手册》 and 《部门(单位)用户操作手册》 as a
// page, read on a phone or at a desk: the table of contents, the manual (rendered by the server
// from cards/manuals/*.md, GET /api/manuals/:which, screenshots included), 下载PDF, and the
// other manual one tap away. `?s=anchor` opens at a section: every screen's ？ in the header
// links to the section about it (router.ts helpHref). #/help opens the reader's own manual.

import { useEffect } from 'preact/hooks';
import { get } from '../api.ts';
import { manualOf } from '../router.ts';
import type { Me } from '../types.ts';
import { OFFICE_ROLES } from '../types.ts';
import { ErrorBox, Header, Loading, Tabs, useLoad } from '../ui.tsx';

interface ManualView {
  kind: 'office' | 'unit';
  title: string;
  sections: Array<{ id: string; title: string; level: 2 | 3 }>;
  html: string;
  pdf: string;
}

const OTHER: Record<'office' | 'unit', string> = { office: '部门(单位)用户操作手册', unit: '编办用户操作手册' };

export function HelpPage(props: { me: Me; which: 'office' | 'unit' | null; query: URLSearchParams }) {
  const { me } = props;
  const which = props.which ?? manualOf(me.role, OFFICE_ROLES.has(me.role));
  const section = props.query.get('s');
  const m = useLoad(() => get<ManualView>(`/api/manuals/${which}`), [which]);

  // Open at the section asked for (a screen's context help, a line of the contents).
  useEffect(() => {
    if (!m.data) return;
    const el = section ? document.getElementById(section) : null;
    if (el) el.scrollIntoView({ block: 'start' });
    else window.scrollTo(0, 0);
  }, [m.data, section]);

  const other = which === 'office' ? 'unit' : 'office';
  const back = () => (history.length > 1 ? history.back() : (location.hash = `#${me.home ?? '/todo'}`));
  return (
    <div class="shell wide">
      <Header title={m.data ? m.data.title : '用户操作手册'} back={back} />
      <main class="page manual-page">
        {m.error != null && <ErrorBox error={m.error} retry={m.reload} />}
        {!m.data && m.loading && <Loading />}
        {m.data && (
          <>
            <h1 class="manual-title" data-testid="manual-title">《{m.data.title}》</h1>
            <div class="actions manual-actions">
              <a class="btn primary" href={m.data.pdf} download data-testid="manual-pdf">下载PDF</a>
              <a class="btn" href={`#/help/${other}`} data-testid="manual-other">查看《{OTHER[which]}》</a>
            </div>
            <nav class="card manual-toc" data-testid="manual-toc" aria-label="目录">
              <h2 class="section" style="margin-top:0">目录</h2>
              <ol>
                {m.data.sections.map((s) => (
                  <li key={s.id} class={`l${s.level}`}>
                    <a href={`#/help/${which}?s=${s.id}`} data-testid="toc-link" data-section={s.id}>{s.title}</a>
                  </li>
                ))}
              </ol>
            </nav>
            {/* The server's rendering of our own markdown (raw HTML off): no user data in it. */}
            <article class="manual" data-testid="manual-body" dangerouslySetInnerHTML={{ __html: m.data.html }} />
            <p class="small muted" style="text-align:center"><a href={`#/help/${which}`} data-testid="manual-top">回到目录</a></p>
          </>
        )}
      </main>
      <Tabs me={me} active="" />
    </div>
  );
}

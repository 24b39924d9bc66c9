// The robot's answers to `怎么改` (issue 18, the 错题本): one guide kept short for chat (what is
// wrong and the steps, then a link to the full guide in the mini-app), the candidates when a
// query names several entries (all of them), or how to ask (after 没有找到… when nothing matched). ID-shaped digits in a guide are masked in chat.

import { maskIdLike } from '../core/sheets.ts';
import { render, trusted } from './render.ts';

export interface GuideForReply {
  entry: string;
  title: string;
  what: string;
  how: string[];
  source: string;
  editedAt: string | null;
}

/** The mini-app's page of one guide (`entry` given), or of the 错题本 (the list), filtered by `query` if given. */
export function fixGuideUrl(publicBaseUrl: string, entry?: string, query?: string): string {
  const base = `${publicBaseUrl.replace(/\/+$/, '')}/m/#/guide`;
  if (entry) return `${base}/${encodeURIComponent(entry)}`;
  // ( ) ! ' * encoded too: the URL goes inside a markdown link.
  return query ? `${base}?q=${encodeURIComponent(query).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}` : base;
}

export function fixGuideReplyText(g: GuideForReply, publicBaseUrl: string | null): string {
  return render('fix-guide', {
    entry: g.entry, title: maskIdLike(g.title), what: maskIdLike(g.what),
    how: g.how.map((text, i) => ({ number: i + 1, text: maskIdLike(text) })),
    link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl, g.entry)) : null,
    edited: g.source === 'office' && g.editedAt ? g.editedAt.slice(0, 10) : null,
  });
}

/** Several entries answer the query: every one of them (code and title, each linking to its guide), and the 错题本 page showing the same ones. */
export function fixGuideChoicesText(query: string, guides: Array<{ entry: string; title: string }>, publicBaseUrl: string | null): string {
  return render('fix-guide-choices', {
    query: maskIdLike(query), first: guides[0]?.entry ?? '', count: guides.length,
    guides: guides.map((g) => ({ entry: g.entry, title: maskIdLike(g.title), link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl, g.entry)) : null })),
    listLink: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl, undefined, query)) : null,
  });
}

export function fixGuideHelpText(query: string | null, publicBaseUrl: string | null): string {
  return render('fix-guide-help', { query: query == null ? null : maskIdLike(query), link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl)) : null });
}

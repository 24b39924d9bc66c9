// The robot's answers to `怎么改` (issue 18, the 错题本): one guide kept short for chat (what is
// wrong and the steps, then a link to the full guide in the mini-app), the candidates when a
// query names several entries, or how to ask. ID-shaped digits in a guide are masked in chat.

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

/** The mini-app's page of one guide (`entry` given) or of the 错题本 (the list). */
export function fixGuideUrl(publicBaseUrl: string, entry?: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/m/#/guide${entry ? `/${encodeURIComponent(entry)}` : ''}`;
}

/** How many candidates a reply lists. */
export const GUIDE_CHOICES = 8;

export function fixGuideReplyText(g: GuideForReply, publicBaseUrl: string | null): string {
  return render('fix-guide', {
    entry: g.entry, title: maskIdLike(g.title), what: maskIdLike(g.what),
    how: g.how.map((text, i) => ({ number: i + 1, text: maskIdLike(text) })),
    link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl, g.entry)) : null,
    edited: g.source === 'office' && g.editedAt ? g.editedAt.slice(0, 10) : null,
  });
}

export function fixGuideChoicesText(query: string, guides: Array<{ entry: string; title: string }>, publicBaseUrl: string | null): string {
  return render('fix-guide-choices', {
    query, first: guides[0]?.entry ?? '',
    guides: guides.slice(0, GUIDE_CHOICES).map((g) => ({ entry: g.entry, title: g.title, link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl, g.entry)) : null })),
    more: Math.max(0, guides.length - GUIDE_CHOICES),
  });
}

export function fixGuideHelpText(query: string | null, publicBaseUrl: string | null): string {
  return render('fix-guide-help', { query, link: publicBaseUrl ? trusted(fixGuideUrl(publicBaseUrl)) : null });
}

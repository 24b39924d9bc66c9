// How a chat client reads the robot's markdown, for assertions on what users see.

import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: true, linkify: false });

/** The links and images a client would make of a markdown text. */
export const linksIn = (markdown: string): string[] => md.render(markdown).match(/<(a|img)\b[^>]*>/g) ?? [];

/** The text a reader sees (markup removed, escapes resolved). */
export const shownText = (markdown: string): string => md.render(markdown).replace(/<[^>]+>/g, '');

// Rendering the templates of cards/templates: markdown messages (handlebars) and the short
// phrases of cards (phrases.json). Every sentence a user reads lives in a template file.

import fs from 'node:fs';
import Handlebars from 'handlebars';

const DIR = new URL('./templates/', import.meta.url);
const hbs = Handlebars.create();
const compiled = new Map<string, HandlebarsTemplateDelegate>();

export type TemplateName =
  | 'alert-digest' | 'alert-progress' | 'red-alert' | 'no-group-units' | 'help' | 'no-access'
  | 'todo' | 'quota' | 'retirement' | 'person' | 'ranking-none';

/** Renders cards/templates/{name}.md.hbs. Values are not HTML-escaped: the output is markdown. */
export function render(name: TemplateName, data: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = hbs.compile(fs.readFileSync(new URL(`${name}.md.hbs`, DIR), 'utf8'), { noEscape: true });
    compiled.set(name, t);
  }
  return t(data).replace(/\n{3,}/g, '\n\n').trim();
}

interface Phrases {
  light: Record<'red' | 'yellow' | 'green', string>;
  subjectKind: Record<'person' | 'unit' | 'worker', string>;
  [key: string]: unknown;
}

export const PHRASES: Phrases = JSON.parse(fs.readFileSync(new URL('phrases.json', DIR), 'utf8'));

/** A phrase of phrases.json with its {{placeholders}} filled. */
export function phrase(key: string, data: object = {}): string {
  const p = PHRASES[key];
  if (typeof p !== 'string') throw new Error(`phrases.json has no phrase ${key}`);
  return hbs.compile(p, { noEscape: true })(data);
}

// Rendering the templates of cards/templates: markdown messages (handlebars) and the short
// phrases of cards (phrases.json). Every sentence a user reads lives in a template file.
//
// Escaping happens here and nowhere else. Each target format has its own Handlebars instance
// whose `{{value}}` escapes for that format: characters markdown reads as syntax become their
// full-width forms in markdown messages, control characters and line breaks become spaces in plain text. A name
// saved as `[点此整改](http://evil.example/phish)` therefore reads literally, whoever wrote the
// template. `{{{value}}}` inserts a value unchanged: only for text our own code built (a link
// from PUBLIC_BASE_URL, markdown already rendered by these templates), never for data.
// Card variables are JSON strings (cardParamMap), never spliced into JSON text.

import fs from 'node:fs';
import Handlebars from 'handlebars';

const DIR = new URL('./templates/', import.meta.url);

/** The formats a value may be rendered into. */
export type Format = 'markdown' | 'text';

// C0 and C1 control characters (line breaks and tabs included), the Unicode line and paragraph
// separators, and the bidirectional overrides that make text read other than it is stored.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A value as one line of plain text: control characters and line breaks become spaces. */
export function escapeText(s: string): string {
  return s.replace(CONTROL, ' ');
}

// What DingTalk's and Zheng-Ding's markdown (headings, quotes, bold, italic, links, images,
// lists, and a little HTML such as <font>) could read as syntax. Neither documents backslash
// escapes, so a backslash might show up in every message; instead each such character in data
// becomes its full-width form, which no markdown reads as syntax and a Chinese reader reads as
// the same character: `[点此](http://x)` shows as `［点此］（http://x）`, never as a link. Dates
// and numbers (`-`, `.`, `+`) are left alone: inside a line they are not syntax.
const MARKDOWN_LOOKALIKE: Record<string, string> = {
  '\\': '＼', '`': '｀', '*': '＊', '_': '＿', '[': '［', ']': '］', '(': '（', ')': '）', '#': '＃',
  '!': '！', '|': '｜', '<': '＜', '>': '＞', '~': '～', '{': '｛', '}': '｝',
};
const MARKDOWN_SPECIAL = /[\\`[\]()#!|<>~{}]/g;
// `*` and `_` inside a word stay (a masked ID number, 330681***********7, reads as it is);
// a run that starts or ends a word, as emphasis needs, becomes full-width.
const ALNUM = /[0-9A-Za-z]/;
function emphasisRun(run: string, at: number, text: string): string {
  const inWord = ALNUM.test(text[at - 1] ?? '') && ALNUM.test(text[at + run.length] ?? '');
  return inWord ? run : run.replace(/[*_]/g, (c) => MARKDOWN_LOOKALIKE[c]);
}

/** A value inside markdown: one line, every character markdown could read as syntax in its full-width form. */
export function escapeMarkdown(s: string): string {
  return escapeText(s)
    .replace(MARKDOWN_SPECIAL, (c) => MARKDOWN_LOOKALIKE[c])
    .replace(/[*_]+/g, emphasisRun);
}

const ESCAPES: Record<Format, (s: string) => string> = { markdown: escapeMarkdown, text: escapeText };

/** A value as a template's `{{value}}` shows it in a format (what handlebars calls escapeExpression). */
export function escapeFor(format: Format, v: unknown): string {
  if (v == null || v === false) return v === false ? 'false' : '';
  // Handlebars' SafeString (what `trusted()` makes): our own text, inserted unchanged.
  if (typeof (v as { toHTML?: unknown }).toHTML === 'function') return String((v as { toHTML(): string }).toHTML());
  if (typeof v === 'number') return String(v);
  return ESCAPES[format](String(v));
}

/**
 * A Handlebars instance whose `{{value}}` escapes for `format`. Handlebars hands every compiled
 * template one `container` whose escapeExpression does the escaping; it is set per instance by
 * wrapping the instance's `template`, which every compile (partials too) goes through.
 */
function handlebarsFor(format: Format): typeof Handlebars {
  const env = Handlebars.create();
  const escape = (v: unknown) => escapeFor(format, v);
  const template = env.template.bind(env);
  env.template = ((spec: any) => {
    const main = spec.main;
    return template({
      ...spec,
      main(this: unknown, container: { escapeExpression: (v: unknown) => string }, ...rest: unknown[]) {
        container.escapeExpression = escape;
        return main.call(this, container, ...rest);
      },
    });
  }) as typeof env.template;
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return env;
}

const HBS: Record<Format, typeof Handlebars> = { markdown: handlebarsFor('markdown'), text: handlebarsFor('text') };

/** Compiles a template for a format: `{{value}}` escaped for it, `{{{value}}}` unchanged. */
export function compileFor(format: Format, source: string): HandlebarsTemplateDelegate {
  return HBS[format].compile(source, { strict: false });
}

/** Marks text our own code built (a link from PUBLIC_BASE_URL, rendered markdown) as safe to insert unchanged. */
export function trusted(s: string): Handlebars.SafeString {
  return new Handlebars.SafeString(s);
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export type TemplateName =
  | 'alert-digest' | 'alert-progress' | 'leader-digest' | 'no-group-units' | 'help' | 'no-access'
  | 'todo' | 'quota' | 'retirement' | 'person' | 'ranking-none' | 'quota-area' | 'retirement-area' | 'todo-units'
  | 'request-card' | 'request-outcome'
  | 'self-check-locked' | 'self-check-lock-summary' | 'self-check-reminder' | 'account-locked'
  | 'office-digest' | 'budget-warning'
  | 'weekly-office' | 'weekly-unit'
  | 'ranking-board' | 'ranking-own'
  | 'monthly-confirm-open' | 'monthly-confirm-reminder'
  | 'budget-open' | 'budget-reminder' | 'budget-reviewed'
  | 'audit-review'
  | 'registration-form'
  | 'half-year-notice' | 'half-year-notice-returned'
  | 'fix-guide' | 'fix-guide-help' | 'fix-guide-choices';

/** Renders cards/templates/{name}.md.hbs: markdown, every value markdown-escaped. */
export function render(name: TemplateName, data: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = compileFor('markdown', fs.readFileSync(new URL(`${name}.md.hbs`, DIR), 'utf8'));
    compiled.set(name, t);
  }
  return t(data).replace(/\n{3,}/g, '\n\n').trim();
}

interface Phrases {
  light: Record<'red' | 'yellow' | 'green' | 'hint', string>;
  subjectKind: Record<'person' | 'unit' | 'worker', string>;
  [key: string]: unknown;
}

export const PHRASES: Phrases = JSON.parse(fs.readFileSync(new URL('phrases.json', DIR), 'utf8'));

const phraseTemplates = new Map<string, HandlebarsTemplateDelegate>();

/**
 * A phrase of phrases.json with its {{placeholders}} filled, as plain text (titles, buttons,
 * card `string` variables): values are kept to one line.
 */
export function phrase(key: string, data: object = {}): string {
  const p = PHRASES[key];
  if (typeof p !== 'string') throw new Error(`phrases.json has no phrase ${key}`);
  let t = phraseTemplates.get(key);
  if (!t) {
    t = compileFor('text', p);
    phraseTemplates.set(key, t);
  }
  return t(data);
}

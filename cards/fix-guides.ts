// The 错题本: one fix guide per rule of the catalogue (core/rules), written in Chinese in
// templates/fix-guides/<family>.json beside the rule's title: what is wrong, why it matters, how
// to fix it (steps), and a right and a wrong example. These are the shipped texts; an office may
// edit a guide and add its own entries in the console (versioned in the database), which are
// read over these by db/ and commands/.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuideText } from '../core/fix-guides.ts';

/** A shipped guide: the rule's code and the text (what, why, how, right, wrong; core/fix-guides.ts GuideText). */
export interface FixGuide extends GuideText {
  /** the rule's code, e.g. P-ID-01; `title` is the rule's title, as in core/rules (a test keeps them equal) */
  code: string;
}

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates', 'fix-guides');

let cache: Map<string, FixGuide> | null = null;

/** The shipped guides by rule code (every file of templates/fix-guides, read once). */
export function shippedFixGuides(): Map<string, FixGuide> {
  if (cache) return cache;
  const out = new Map<string, FixGuide>();
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const list = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as FixGuide[];
    for (const g of list) {
      if (out.has(g.code)) throw new Error(`fix-guides/${file}: ${g.code} is written twice`);
      out.set(g.code, g);
    }
  }
  cache = out;
  return out;
}

/** The shipped guide of one rule, if written. */
export function shippedFixGuide(code: string): FixGuide | undefined {
  return shippedFixGuides().get(code);
}

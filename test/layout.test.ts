// The import rule of the layout (README, "What is here"): core ← db ← commands ← bot, server;
// cards/ builds on core/ alone; bot and server never import each other; main/ (the composition
// root) may import all of them and nothing imports main/. Read from the sources.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** What each top-level folder may not import. */
const FORBIDDEN: Record<string, string[]> = {
  core: ['db', 'commands', 'bot', 'server', 'cards', 'main'],
  db: ['commands', 'bot', 'server', 'main'],
  cards: ['db', 'commands', 'bot', 'server', 'main'],
  commands: ['bot', 'server', 'main'],
  bot: ['server', 'main'],
  server: ['bot', 'main'],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bimport|\bexport)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out.filter((s) => s.startsWith('.'));
}

/** The top-level folder a file or import lands in. */
const folderOf = (file: string) => path.relative(ROOT, file).split(path.sep)[0];

function crossings(): string[] {
  const bad: string[] = [];
  for (const folder of Object.keys(FORBIDDEN)) {
    for (const file of tsFiles(path.join(ROOT, folder))) {
      for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
        const target = folderOf(path.resolve(path.dirname(file), spec));
        if (FORBIDDEN[folder].includes(target)) bad.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
  }
  return bad;
}

describe('the import rule', () => {
  it('reads static, type-only, re-exported and dynamic imports', () => {
    const src = `import a from '../db/a.ts';\nimport type { B } from "../bot/b.ts";\nexport { c } from '../server/c.ts';\nconst d = await import('../commands/d.ts');\nimport '../main/e.ts';\nimport x from 'knex';`;
    expect(importsOf(src)).toEqual(['../db/a.ts', '../bot/b.ts', '../server/c.ts', '../commands/d.ts', '../main/e.ts']);
  });

  it('no folder imports one it may not (core ← db ← commands ← bot, server; bot and server never each other)', () => {
    expect(crossings()).toEqual([]);
  });
});

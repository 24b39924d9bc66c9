// The import rule of the layout (README, "What is here"): core ← db ← commands ← bot, server;
// cards/ builds on core/ alone; bot and server never import each other; main/ (the composition
// root) may import all of them and nothing imports main/. And the queries rule: bot/ and server/
// build no SQL; they call db/ reads and commands/ (handing them the knex they were given). Read
// from the sources.

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

/**
 * Query-builder use in a source, one entry per call: calling a knex instance or transaction
 * (`db(`, `ctx.db(`, `trx(`, `knex(`), a builder method (`.where…(`, `.select(`, `.first(`,
 * `.orderBy(`, `.limit(`, `.count(`, `.insert(`, `.raw(`, `.transaction(`, …), the schema, or a
 * value import of knex (a type import is fine). Methods that plain JavaScript shares (`.join`,
 * `.update`, `.delete`, `.max`, `.from`) are left out: the instance call before them is caught.
 * Comments are skipped.
 */
export function queryCallsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const re = new RegExp([
    String.raw`\b(?:db|trx|knex)\s*\(`,
    String.raw`\.(?:where\w*|orWhere\w*|andWhere\w*|(?:left|right|inner|fullOuter|cross)Join|joinRaw|select|first|pluck|groupBy|orderBy|having\w*|limit|offset|count\w*|insert|onConflict|returning|increment|decrement|modify|raw|transaction|withRecursive|union(?:All)?)\s*\(`,
    String.raw`\.schema\b`,
    String.raw`\bimport\s+(?!type\b)[^;'"]*\bfrom\s*['"]knex['"]`,
  ].join('|'), 'g');
  return [...code.matchAll(re)].map((m) => m[0].replace(/\s+/g, ' '));
}

function queriesInBotAndServer(): string[] {
  const bad: string[] = [];
  for (const folder of ['bot', 'server']) {
    for (const file of tsFiles(path.join(ROOT, folder))) {
      for (const call of queryCallsOf(fs.readFileSync(file, 'utf8'))) bad.push(`${path.relative(ROOT, file)}: ${call}`);
    }
  }
  return bad;
}

describe('the queries rule', () => {
  it('catches the query builder however it is reached, and not plain JavaScript or a db/ call', () => {
    const src = [
      `const a = await db('units').where({ id }).first('name');`,
      `const b = await ctx.db('people as p').leftJoin('units as u', 'u.id', 'p.unit_id').select('p.id');`,
      `await trx('outbox').insert(row);`,
      `const n = await deps.db.transaction(async (t) => t.raw('select 1'));`,
      `const r = await openFindingsQuery(db, f).limit(500);`,
      `const q = peopleWithUnitCode(db)\n  .whereIn('p.id', ids)\n  .orderBy('p.id');`,
      `await this.db.schema.hasTable('x');`,
      `import knex from 'knex';`,
    ].join('\n');
    expect(queryCallsOf(src)).toEqual([
      "db(", '.where(', '.first(',
      "db(", '.leftJoin(', '.select(',
      'trx(', '.insert(',
      '.transaction(', '.raw(',
      '.limit(',
      '.whereIn(', '.orderBy(',
      '.schema',
      "import knex from 'knex'",
    ]);
    const clean = [
      `import type { Knex } from 'knex';`,
      `const units = await unitsInScope(ctx.db, scopeIds(user));`,
      `await runReads(db, [unitSpecialistsRead(db, unitId, done)], true);`,
      `const s = [a, b].join(', '); const h = crypto.createHash('sha256').update(x).digest('hex');`,
      `inflight.delete(id); const m = Math.max(1, n); const buf = Buffer.from(text);`,
      `// db('units').where(...) in a comment`,
      `/* trx('outbox').insert(row) */ const url = 'http://127.0.0.1/db';`,
    ].join('\n');
    expect(queryCallsOf(clean)).toEqual([]);
  });

  it('bot/ and server/ call no query builder: the queries live in db/, the transactions in commands/', () => {
    expect(queriesInBotAndServer()).toEqual([]);
  });
});

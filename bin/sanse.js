#!/usr/bin/env node
// The sanse command. TypeScript sources are loaded through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2));

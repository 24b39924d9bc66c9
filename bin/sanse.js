#!/usr/bin/env node
// The sanse command. TypeScript sources are loaded through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`sanse findings --json | head`) closes the pipe: that ends the output, not in a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
const { main } = await import('../main/cli.ts');
process.exitCode = await main(process.argv.slice(2));

// The mini-app and web console: one Vite app, built to miniapp/dist and served by the server at /m/.
// `npm run build:miniapp` builds it; `npm run dev:miniapp` serves it with the API proxied to a
// running server (SANSE_API, default http://127.0.0.1:3000).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
const api = process.env.SANSE_API ?? 'http://127.0.0.1:3000';

/** Writes .br and .gz beside each text file of the build (the server sends them precompressed). */
function precompress(outDir: string): Plugin {
  return {
    name: 'sanse-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const data = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/m/',
  publicDir: false,
  // Caches under the repository's node_modules, not in this folder.
  cacheDir: path.join(repo, 'node_modules/.vite/miniapp'),
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [precompress(path.join(here, 'dist'))],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2019',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // DingTalk's JSAPI in a chunk of its own, loaded only inside the DingTalk client.
        manualChunks: (id) => (id.includes('/node_modules/dingtalk-jsapi/') ? 'dingtalk-jsapi' : undefined),
      },
    },
  },
  server: {
    // The form imports the domain code (core/) from outside this folder.
    fs: { allow: [repo] },
    proxy: { '/api': api, '/auth': api },
  },
  test: {
    root: here,
    include: ['src/**/*.test.ts'],
  },
});

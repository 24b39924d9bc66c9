// The sanse command as a user runs it: a child process of bin/sanse.js with its own environment.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SANSE_BIN = path.resolve('bin/sanse.js');

/** Runs `sanse ...args`; answers its output and exit code (never throws for a non-zero exit). */
export async function runSanse(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [SANSE_BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

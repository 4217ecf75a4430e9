import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROBE_SOURCE } from './probe-source.js';

const run = promisify(execFile);

/** Where built probes are cached: $XDG_CACHE_HOME/rampart or ~/.cache/rampart. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rampart');
}

/**
 * Builds the static probe helper with gcc (cached by source hash). Returns its path, or an error text when gcc
 * or a static libc is missing: the attacks that need it are then reported not-verifiable, never blocked.
 */
export async function buildProbe(cacheDir: string, gcc = 'gcc'): Promise<{ path?: string; error?: string }> {
  const hash = createHash('sha256').update(PROBE_SOURCE).digest('hex').slice(0, 16);
  const out = join(cacheDir, `rampart-probe-${hash}`);
  if (existsSync(out)) return { path: out };
  try {
    mkdirSync(cacheDir, { recursive: true });
    const src = join(cacheDir, `rampart-probe-${hash}.c`);
    writeFileSync(src, PROBE_SOURCE);
    const tmp = `${out}.${process.pid}.tmp`;
    await run(gcc, ['-static', '-O2', '-o', tmp, src], { timeout: 120_000 });
    renameSync(tmp, out);
    return { path: out };
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    return { error: `could not build the probe with ${gcc} -static: ${(err.stderr || err.message || String(e)).trim().split('\n')[0]}` };
  }
}

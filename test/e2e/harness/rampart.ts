/**
 * Rampart's own CLI as the e2e tests use it: the built bin/rampart.js (dist/), run like a user would.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { httpsGet, run, type ExecResult } from './cluster.js';
import { freePort, startProcess, waitFor, type Managed } from './process.js';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'bin/rampart.js');

/** Why the built CLI cannot be used, or undefined when dist/ has the commands the e2e tests need. */
export function missingBuild(): string | undefined {
  for (const f of ['dist/cli/main.js', 'dist/cli/commands/serve.js', 'dist/cli/commands/certs.js', 'dist/cli/commands/install.js']) {
    if (!existsSync(join(REPO, f))) return `${f} is missing: run npm run build`;
  }
  return undefined;
}

export function rampart(args: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return run(process.execPath, [BIN, ...args], { ...opts, env: { ...process.env, NO_COLOR: '1' } });
}

export async function rampartOk(args: readonly string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await rampart(args, opts);
  if (r.code !== 0) throw new Error(`rampart ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export interface Webhook {
  url: string;
  proc: Managed;
  caPem: string;
  stop(): Promise<void>;
}

/** `rampart certs` into `dir`, then `rampart serve` on a free loopback port; resolves once /readyz answers 200. */
export async function startRampart(dir: string, policyArgs: readonly string[]): Promise<Webhook> {
  const certs = join(dir, 'certs');
  if (!existsSync(join(certs, 'tls.crt'))) await rampartOk(['certs', '--out', certs, '--no-service-names', '--ip', '127.0.0.1']);
  const caPem = await readFile(join(certs, 'ca.crt'), 'utf8');
  const port = await freePort();
  const proc = startProcess(
    'rampart serve',
    process.execPath,
    [BIN, 'serve', ...policyArgs, '--tls-cert', join(certs, 'tls.crt'), '--tls-key', join(certs, 'tls.key'), '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'],
    { logFile: join(dir, `rampart-${port}.log`), env: { ...process.env, NO_COLOR: '1' } },
  );
  const url = `https://127.0.0.1:${port}`;
  await waitFor('rampart /readyz', async () => ((await httpsGet(`${url}/readyz`, caPem)).status === 200 ? true : undefined), { timeoutMs: 60_000, proc });
  return { url, proc, caPem, stop: () => proc.stop() };
}

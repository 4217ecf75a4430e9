#!/usr/bin/env node
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { EXIT } from './exit-codes.js';

/**
 * Each file in ./commands registers one subcommand (`export function register(program)`), and imports its heavy
 * engines lazily inside the action so `rampart --help` stays fast. Commands are discovered so features can be
 * added without touching this file.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('rampart')
    .description(
      'Kubernetes policy as code: one engine for the CI gate, the admission webhook and runtime policies.\n' +
        'Runs Pod Security Standards, ValidatingAdmissionPolicy (CEL), Kyverno CEL, Gatekeeper (Rego) and KubeArmor policies.',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: true })
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(js|ts)$/.test(f) && !/\.(test|d)\.(js|ts)$/.test(f))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    if (typeof mod.register === 'function') mod.register(program);
  }
  program.addHelpText(
    'after',
    `
Exit codes:
  0  no blocking finding / all tests passed
  1  blocking findings (enforce mode) or failed tests
  2  usage or input errors (findings are still printed)

Examples:
  rampart scan manifests/ --pss restricted          # CI gate with Pod Security Standards
  rampart scan k8s/ --config rampart.yaml --format sarif --output rampart.sarif
  rampart test policies/                            # policy unit tests (Rampart, Kyverno, gator, Rego)`,
  );
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return EXIT.usage;
    throw err;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const viaBin = process.argv[1] !== undefined && /rampart(\.js)?$/.test(process.argv[1]);
if (invokedDirectly || viaBin) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`rampart: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}

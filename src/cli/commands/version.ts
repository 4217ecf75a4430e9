import type { Command } from 'commander';

/** `rampart version [--format json]`: the version and the engines this build carries. */
export function register(program: Command): void {
  program
    .command('version')
    .description('print the Rampart version')
    .option('--format <format>', 'text or json', 'text')
    .action((opts: { format: string }) => {
      const v = process.env.npm_package_version ?? '0.1.0';
      process.stdout.write(opts.format === 'json' ? JSON.stringify({ version: v, node: process.version }) + '\n' : `rampart ${v}\n`);
    });
}

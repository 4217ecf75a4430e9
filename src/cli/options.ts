import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { PolicySelection } from '../app/policy-set.js';

/** The policy-selection flags shared by scan, serve and test, so a policy behaves the same everywhere. */
export function addPolicySelectionOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'rampart.yaml policy pack (default: ./rampart.yaml when present)')
    .addOption(new Option('--pss <level>', 'built-in Pod Security Standards level, in enforce mode').choices(['baseline', 'restricted']))
    .option('--pss-version <version>', 'PSS version: latest or v1.X (applies to every PSS set)', undefined)
    .option('-p, --policy <path...>', 'files or directories of policy documents (ValidatingAdmissionPolicy, Kyverno, Gatekeeper)');
}

export interface SelectionFlags {
  config?: string;
  pss?: 'baseline' | 'restricted';
  pssVersion?: string;
  policy?: string[];
}

/**
 * Turns flags into a selection. With nothing selected, ./rampart.yaml is used when present, else PSS restricted,
 * and `note` says so: a scan that silently checks nothing would be worse than a loud default.
 */
export function selectionFromFlags(flags: SelectionFlags, note: (msg: string) => void): PolicySelection {
  const sel: PolicySelection = { config: flags.config, pss: flags.pss, pssVersion: flags.pssVersion, policyPaths: flags.policy };
  if (!sel.config && !sel.pss && !(sel.policyPaths && sel.policyPaths.length > 0)) {
    if (existsSync('rampart.yaml')) {
      sel.config = 'rampart.yaml';
      note('using ./rampart.yaml');
    } else {
      sel.pss = 'restricted';
      note(`no policies selected (--config, --pss, --policy): using Pod Security Standards restricted:${flags.pssVersion ?? 'latest'}`);
    }
  }
  return sel;
}

/** Colour only on a TTY, never with NO_COLOR, always with FORCE_COLOR. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

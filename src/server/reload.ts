import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrors, type Diagnostic } from '../core/diagnostic.js';
import type { PolicySet } from '../evaluate/index.js';

/** Loads the policy set from its sources; user errors are diagnostics inside, never thrown. */
export type PolicyLoader = () => Promise<PolicySet>;

/** A cheap summary of the sources that changes whenever a file is added, removed or rewritten. */
export type Fingerprinter = () => Promise<string>;

export interface ReloadStatus {
  generation: number;
  loadedAt: Date;
  policies: number;
  /** Set while the sources on disk are broken and the last good set is served. */
  failing?: { at: Date; diagnostics: Diagnostic[] };
}

export type ReloadOutcome = 'unchanged' | 'reloaded' | 'rejected';

export interface ReloadEvents {
  reloaded(set: PolicySet, status: ReloadStatus): void;
  rejected(diagnostics: Diagnostic[], status: ReloadStatus): void;
}

/**
 * Holds the policy set being served and replaces it atomically: a request reads `current` once and evaluates
 * against that set to the end, so a reload never mixes two sets in one answer. A set whose load reports errors is
 * never swapped in; the last good one stays and `status().failing` says why.
 */
export class PolicySetHolder {
  private set: PolicySet;
  private state: ReloadStatus;
  private fingerprint: string | undefined;
  private inFlight: Promise<ReloadOutcome> | undefined;

  constructor(
    initial: PolicySet,
    private readonly load: PolicyLoader,
    private readonly fingerprinter: Fingerprinter,
    private readonly clock: () => Date,
    private readonly events: ReloadEvents,
    initialFingerprint?: string,
  ) {
    this.set = initial;
    this.state = { generation: 1, loadedAt: clock(), policies: initial.policies.length };
    this.fingerprint = initialFingerprint;
  }

  get current(): PolicySet {
    return this.set;
  }

  status(): ReloadStatus {
    return this.state;
  }

  /** Reloads when the sources changed (or always with `force`); concurrent calls share one reload. */
  check(force = false): Promise<ReloadOutcome> {
    this.inFlight ??= this.run(force).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(force: boolean): Promise<ReloadOutcome> {
    let fp: string;
    try {
      fp = await this.fingerprinter();
    } catch (e) {
      fp = `unreadable:${(e as Error).message}`;
    }
    if (!force && fp === this.fingerprint) return 'unchanged';
    this.fingerprint = fp;
    let next: PolicySet;
    try {
      next = await this.load();
    } catch (e) {
      // loaders report user errors as diagnostics; a throw is a bug, but it must not take down the server
      const d: Diagnostic = { code: 'file_read_error', severity: 'error', message: `policy reload failed: ${(e as Error).message}` };
      return this.reject([d]);
    }
    if (hasErrors(next.diagnostics)) return this.reject(next.diagnostics);
    this.set = next;
    this.state = { generation: this.state.generation + 1, loadedAt: this.clock(), policies: next.policies.length };
    this.events.reloaded(next, this.state);
    return 'reloaded';
  }

  private reject(diagnostics: Diagnostic[]): ReloadOutcome {
    this.state = { ...this.state, failing: { at: this.clock(), diagnostics } };
    this.events.rejected(diagnostics, this.state);
    return 'rejected';
  }
}

/** Upper bound on files fingerprinted, so a policy path pointed at a huge tree cannot stall the poller. */
const MAX_FILES = 10_000;

/**
 * Fingerprint of files under the given paths: path, size and mtime of each, walked in sorted order. A path that
 * does not exist contributes a marker, so creating it later counts as a change.
 */
export async function fingerprintPaths(paths: readonly string[]): Promise<string> {
  const parts: string[] = [];
  let count = 0;
  const visit = async (p: string, depth: number): Promise<void> => {
    if (count >= MAX_FILES || depth > 32) return;
    let s;
    try {
      s = await stat(p);
    } catch {
      parts.push(`${p}:missing`);
      return;
    }
    if (s.isDirectory()) {
      let names: string[];
      try {
        names = (await readdir(p)).sort();
      } catch {
        parts.push(`${p}:unreadable`);
        return;
      }
      for (const n of names) if (!n.startsWith('.')) await visit(join(p, n), depth + 1);
    } else {
      count++;
      parts.push(`${p}:${s.size}:${s.mtimeMs}`);
    }
  };
  for (const p of [...paths].sort()) await visit(p, 0);
  return parts.join('\n');
}

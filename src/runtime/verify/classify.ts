import type { Attack, Layer } from './attacks.js';
import type { Expectation } from './expect.js';

/** What running one attack container produced (filled in by io/sandbox). */
export interface AttackRunOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** The sandbox could not run it at all (e.g. the probe is missing); never a block. */
  skipped?: string;
}

export type Observed = 'blocked' | 'allowed' | 'not-verifiable';

export interface AttackResult {
  attack: string;
  title: string;
  threat: string;
  mitre: string[];
  expected: 'blocked' | 'allowed';
  observed: Observed;
  /** The layer that stopped it (observed), the layers expected to (when not blocked), or "none". */
  layer: string;
  /** Every layer predicted to stop it, enforced here or not. */
  expectedLayers: Layer[];
  evidence: string;
  errno?: string;
  /** pass: observed as expected; fail: a gap (expected blocked, ran) or a wrong prediction; not-verifiable: no proof either way. */
  verdict: 'pass' | 'fail' | 'not-verifiable';
  notes: string[];
  durationMs: number;
}

/** strerror texts (glibc, as busybox-static prints them) to errno names. */
const STRERROR: [RegExp, string][] = [
  [/Operation not permitted/i, 'EPERM'],
  [/Permission denied/i, 'EACCES'],
  [/Read-only file system/i, 'EROFS'],
  [/No such file or directory/i, 'ENOENT'],
  [/Function not implemented/i, 'ENOSYS'],
  [/Connection refused/i, 'ECONNREFUSED'],
  [/Operation not supported/i, 'EOPNOTSUPP'],
  [/Bad system call/i, 'SIGSYS'],
];

/** The errno a denial line names: the probe writes `errno=EPERM`, busybox the strerror text. */
export function errnoOf(text: string): string | undefined {
  const m = /\berrno=([A-Z][A-Z0-9_]+)/.exec(text) ?? /^([A-Z][A-Z0-9_]{2,})\b/.exec(text);
  if (m) return m[1];
  for (const [re, name] of STRERROR) if (re.test(text)) return name;
  return undefined;
}

const RESULT_LINE = /^RAMPART:(allowed|denied)\s?(.*)$/;

/** Turns a run into an observed outcome, the layer that stopped it, and the evidence, per the expectation. */
export function classify(attack: Attack, exp: Expectation, run: AttackRunOutcome): AttackResult {
  const base = {
    attack: attack.id,
    title: attack.title,
    threat: attack.threat,
    mitre: [...attack.mitre],
    expected: exp.expected,
    expectedLayers: [...exp.layers.map((l) => l.layer), ...exp.unverifiable.map((l) => l.layer)].filter((l, i, a) => a.indexOf(l) === i),
    notes: [...exp.notes],
    durationMs: run.durationMs,
  };
  const predicted = exp.layers.map((l) => l.layer).join(', ') || 'none';
  for (const u of exp.unverifiable) base.notes.push(`${u.layer}: ${u.why}`);
  const done = (observed: Observed, layer: string, evidence: string, errno?: string): AttackResult => {
    const verdict = observed === 'not-verifiable' ? 'not-verifiable' : observed === exp.expected ? 'pass' : 'fail';
    const r: AttackResult = { ...base, observed, layer, evidence, verdict };
    if (errno) r.errno = errno;
    return r;
  };

  if (run.skipped) return done('not-verifiable', predicted, `not run: ${run.skipped}`);
  const line = lastResultLine(run.stdout);
  let raw: { outcome: 'allowed' | 'denied'; detail: string; errno?: string } | undefined;
  if (line) {
    raw = { outcome: line[1] as 'allowed' | 'denied', detail: line[2].trim() };
    if (raw.outcome === 'denied') raw.errno = errnoOf(raw.detail);
  } else if (/exec[^\n]*operation not permitted/i.test(run.stderr) && attack.id === 'exec-shell') {
    // The runtime could not exec the shell at all: seccomp refused execve.
    raw = { outcome: 'denied', detail: firstLine(run.stderr), errno: 'EPERM' };
  }
  if (!raw) {
    const why = run.timedOut ? `timed out after ${run.durationMs} ms` : `no result line (exit ${run.exitCode ?? 'signal'})`;
    const err = firstLine(run.stderr);
    return done('not-verifiable', predicted, err ? `${why}; ${err}` : why);
  }
  const state = /^RAMPART:state (.*)$/m.exec(run.stdout);
  if (state) raw.detail += ` [${state[1].trim()}]`;
  const sandboxSaw = raw.outcome === 'allowed' ? `allowed (${raw.detail})` : `denied (${raw.detail})`;

  // Only layers the sandbox cannot enforce would stop it: the run proves nothing about them.
  if (exp.layers.length === 0 && exp.unverifiable.length > 0) {
    const layer = exp.unverifiable.map((u) => u.layer).filter((l, i, a) => a.indexOf(l) === i).join(', ');
    return done('not-verifiable', layer, `${layer} is not enforced in this sandbox; the attack ran: ${sandboxSaw}`);
  }
  if (raw.outcome === 'allowed') return done('allowed', exp.expected === 'blocked' ? predicted : 'none', raw.detail);

  const errno = raw.errno ?? 'unknown';
  if (errno === 'ENOSYS' && exp.kernelMissing && !exp.layers.some((l) => l.errno === 'ENOSYS' && l.layer === 'seccomp')) {
    return done('not-verifiable', predicted, `${raw.detail}: ${exp.kernelMissing}`, errno);
  }
  const hit = exp.layers.find((l) => l.errno === errno);
  const layer = hit ? hit.layer : `unexpected (${errno})`;
  if (hit) base.notes.push(hit.why);
  return done('blocked', layer, `${raw.detail}${raw.errno && !raw.detail.includes(raw.errno) ? ` (${raw.errno})` : ''}`, errno);
}

function lastResultLine(stdout: string): RegExpExecArray | undefined {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = RESULT_LINE.exec(lines[i].trim());
    if (m) return m;
  }
  return undefined;
}

function firstLine(s: string): string {
  const t = s.trim();
  const i = t.indexOf('\n');
  return (i < 0 ? t : t.slice(0, i)).slice(0, 300);
}

import type { SeccompAction, SeccompArg, SeccompProfile, SeccompSyscallRule } from '../../compilers/seccomp/profile.js';

/**
 * A seccomp profile whose rules depend on the container, as container runtimes write their defaults
 * (moby's default.json `includes`/`excludes`; containerd's DefaultProfile builds the same conditions in Go):
 * a rule is kept only when the container's bounding capabilities, the architecture and the kernel match.
 */
export interface ConditionalRule extends SeccompSyscallRule {
  includes?: RuleCondition;
  excludes?: RuleCondition;
  comment?: string;
}

export interface RuleCondition {
  /** Capabilities in the bounding set (includes: all of them present; excludes: any of them present). */
  caps?: string[];
  /** Go GOARCH names (amd64, arm64, s390x...). */
  arches?: string[];
  /** Minimum kernel "major.minor". */
  minKernel?: string;
}

export interface ConditionalProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  /** Architectures per GOARCH (the runtime lists the native one and its compat ABIs). */
  archMap: Record<string, string[]>;
  syscalls: ConditionalRule[];
}

export interface ResolveContext {
  /** Bounding set of the container ("CAP_SYS_ADMIN"...). */
  boundingCaps: readonly string[];
  /** GOARCH of the node: amd64, arm64... */
  arch: string;
  /** Kernel release "6.1.0" (only major.minor are compared). */
  kernel: string;
}

/** The concrete profile a runtime would hand to runc for this container. */
export function resolveProfile(p: ConditionalProfile, ctx: ResolveContext): SeccompProfile {
  const syscalls: SeccompSyscallRule[] = [];
  for (const r of p.syscalls) {
    if (r.includes && !conditionHolds(r.includes, ctx, 'all')) continue;
    if (r.excludes && conditionHolds(r.excludes, ctx, 'any')) continue;
    const rule: SeccompSyscallRule = { names: [...r.names], action: r.action };
    if (r.args && r.args.length > 0) rule.args = r.args.map((a) => ({ ...a }));
    if (r.errnoRet !== undefined) rule.errnoRet = r.errnoRet;
    syscalls.push(rule);
  }
  const out: SeccompProfile = { defaultAction: p.defaultAction, architectures: [...(p.archMap[ctx.arch] ?? [])], syscalls };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  return out;
}

/**
 * moby's semantics: includes keeps the rule when all its caps are in the bounding set, the arch is listed and the
 * kernel is recent enough; excludes drops it when any listed cap is present or the arch is listed.
 */
function conditionHolds(c: RuleCondition, ctx: ResolveContext, mode: 'all' | 'any'): boolean {
  const checks: boolean[] = [];
  if (c.caps && c.caps.length > 0) {
    const has = (x: string) => ctx.boundingCaps.includes(x);
    checks.push(mode === 'all' ? c.caps.every(has) : c.caps.some(has));
  }
  if (c.arches && c.arches.length > 0) checks.push(c.arches.includes(ctx.arch));
  if (c.minKernel) checks.push(kernelAtLeast(ctx.kernel, c.minKernel));
  if (checks.length === 0) return mode === 'all';
  return mode === 'all' ? checks.every(Boolean) : checks.some(Boolean);
}

export function kernelAtLeast(release: string, min: string): boolean {
  const [a, b] = release.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const [c, d] = min.split('.').map((x) => Number.parseInt(x, 10));
  if (!Number.isFinite(a)) return false;
  return a > c || (a === c && (b || 0) >= (d || 0));
}

/** What seccomp answers to one call: allow, an errno, a kill, a trap or a log (the call then runs). */
export interface SeccompVerdict {
  action: SeccompAction;
  /** errno for SCMP_ACT_ERRNO (EPERM = 1 when the profile does not say). */
  errno?: number;
  /** The rule that decided, or undefined for the default action. */
  rule?: SeccompSyscallRule;
}

/**
 * Evaluates a profile the way libseccomp's filter does for one syscall with known arguments: the rules of that
 * name whose argument comparisons all hold decide; when several match, the most restrictive action wins
 * (libseccomp gives precedence to the action with the higher priority: KILL > TRAP > ERRNO > LOG > ALLOW).
 * Unknown arguments (undefined) make a comparison on them not hold.
 */
export function evaluateSeccomp(p: SeccompProfile | undefined, syscall: string, args: readonly (number | undefined)[] = []): SeccompVerdict {
  if (!p) return { action: 'SCMP_ACT_ALLOW' };
  const matches = p.syscalls.filter((r) => r.names.includes(syscall) && (r.args ?? []).every((a) => argHolds(a, args[a.index])));
  if (matches.length === 0) return withErrno({ action: p.defaultAction }, p.defaultErrnoRet);
  matches.sort((x, y) => PRIORITY[y.action] - PRIORITY[x.action]);
  const best = matches[0];
  return withErrno({ action: best.action, rule: best }, best.errnoRet ?? p.defaultErrnoRet);
}

const PRIORITY: Record<SeccompAction, number> = {
  SCMP_ACT_KILL_PROCESS: 6,
  SCMP_ACT_KILL_THREAD: 5,
  SCMP_ACT_TRAP: 4,
  SCMP_ACT_ERRNO: 3,
  SCMP_ACT_LOG: 1,
  SCMP_ACT_ALLOW: 0,
};

function withErrno(v: SeccompVerdict, errnoRet: number | undefined): SeccompVerdict {
  if (v.action === 'SCMP_ACT_ERRNO') v.errno = errnoRet ?? 1;
  return v;
}

function argHolds(a: SeccompArg, actual: number | undefined): boolean {
  if (actual === undefined) return false;
  const x = BigInt(actual);
  const v = BigInt(a.value);
  switch (a.op) {
    case 'SCMP_CMP_EQ':
      return x === v;
    case 'SCMP_CMP_NE':
      return x !== v;
    case 'SCMP_CMP_LT':
      return x < v;
    case 'SCMP_CMP_LE':
      return x <= v;
    case 'SCMP_CMP_GT':
      return x > v;
    case 'SCMP_CMP_GE':
      return x >= v;
    case 'SCMP_CMP_MASKED_EQ':
      return (x & v) === BigInt(a.valueTwo ?? 0);
  }
}

/** True when the call is refused (errno, kill or trap); LOG and ALLOW let it run. */
export function seccompDenies(v: SeccompVerdict): boolean {
  return v.action !== 'SCMP_ACT_ALLOW' && v.action !== 'SCMP_ACT_LOG';
}

/**
 * The audit-mode twin of a profile ("observe before enforce"): every refusing action (ERRNO, KILL, TRAP) becomes
 * SCMP_ACT_LOG, so the workload runs unhindered and the kernel logs each call the profile would have refused.
 */
export function toLogProfile(p: SeccompProfile): SeccompProfile {
  const log = (a: SeccompAction): SeccompAction => (a === 'SCMP_ACT_ALLOW' ? a : 'SCMP_ACT_LOG');
  return {
    defaultAction: log(p.defaultAction),
    architectures: [...p.architectures],
    syscalls: p.syscalls.map((r) => {
      const out: SeccompSyscallRule = { ...r, names: [...r.names], action: log(r.action) };
      delete out.errnoRet;
      return out;
    }),
  };
}

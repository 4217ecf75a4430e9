import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { SourceSpan } from '../../core/span.js';
import { editDistance } from '../../core/suggest.js';
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from './syscall-table.js';

/**
 * Seccomp profiles in the OCI runtime-spec / Kubernetes `Localhost` JSON format (the one runc, containerd, CRI-O,
 * the kubelet and the Security Profiles Operator read): defaultAction, architectures, syscalls[{names, action, args}].
 */
export type SeccompAction =
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_LOG'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP';
export const SECCOMP_ACTIONS: readonly SeccompAction[] = [
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_LOG',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
];

export type SeccompOp =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

/** One argument comparison: `args[index] op value` (MASKED_EQ: `(args[index] & value) == valueTwo`). */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOp;
}

export interface SeccompSyscallRule {
  names: string[];
  action: SeccompAction;
  args?: SeccompArg[];
  errnoRet?: number;
}

export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: SeccompSyscallRule[];
}

export type SeccompArch = 'x86_64' | 'aarch64';
export const SECCOMP_ARCHES: readonly SeccompArch[] = ['x86_64', 'aarch64'];
const ARCH_NAME: Record<SeccompArch, string> = { x86_64: 'SCMP_ARCH_X86_64', aarch64: 'SCMP_ARCH_AARCH64' };
const TABLE: Record<SeccompArch, Readonly<Record<string, number>>> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };

/** What the caller wants: a default action and rules; the builder checks names, merges and orders them. */
export interface SeccompSpec {
  defaultAction: SeccompAction;
  /** errno returned by SCMP_ACT_ERRNO (default EPERM = 1). */
  defaultErrnoRet?: number;
  /** Target architectures (default x86_64 and aarch64). Only the native ABIs are listed: 32-bit compat calls get the default action. */
  architectures?: SeccompArch[];
  rules: SeccompSyscallRule[];
  /** Where the rules came from, for diagnostics. */
  source?: SourceSpan;
}

export interface SeccompBuild {
  profile: SeccompProfile;
  diagnostics: Diagnostic[];
}

/** Whether a syscall name exists on an architecture. */
export function isKnownSyscall(name: string, arch: SeccompArch): boolean {
  return Object.prototype.hasOwnProperty.call(TABLE[arch], name);
}

/** The syscall number on an architecture, or undefined. */
export function syscallNumber(name: string, arch: SeccompArch): number | undefined {
  return isKnownSyscall(name, arch) ? TABLE[arch][name] : undefined;
}

/** Every syscall name of an architecture, sorted. */
export function syscallNames(arch: SeccompArch): string[] {
  return Object.keys(TABLE[arch]).sort();
}

const EPERM = 1;

/**
 * Builds a profile: checks every syscall name against the x86_64/aarch64 tables (`seccomp_unknown_syscall` when it
 * exists on none of the target architectures; the name is then left out), merges rules with the same action,
 * arguments and errno, sorts names, and drops rules whose action equals the default (they would be no-ops)
 * unless they carry argument filters. Pure and deterministic: the same spec gives byte-identical JSON.
 */
export function buildSeccompProfile(spec: SeccompSpec): SeccompBuild {
  const diagnostics: Diagnostic[] = [];
  const arches = spec.architectures && spec.architectures.length > 0 ? [...new Set(spec.architectures)] : [...SECCOMP_ARCHES];
  const groups = new Map<string, SeccompSyscallRule>();
  const order: string[] = [];
  for (const rule of spec.rules) {
    if (!SECCOMP_ACTIONS.includes(rule.action)) {
      diagnostics.push(diag('seccomp_invalid_action', `seccomp action ${JSON.stringify(rule.action)} is not one of ${SECCOMP_ACTIONS.join(', ')}`, { span: spec.source }));
      continue;
    }
    const args = rule.args && rule.args.length > 0 ? rule.args.map(normalizeArg) : undefined;
    const badArg = args?.find((a) => a.index < 0 || a.index > 5 || !Number.isInteger(a.index));
    if (badArg) {
      diagnostics.push(diag('seccomp_invalid_arg', `seccomp argument index ${badArg.index} is out of range 0..5`, { span: spec.source }));
      continue;
    }
    const errnoRet = rule.action === 'SCMP_ACT_ERRNO' ? (rule.errnoRet ?? spec.defaultErrnoRet ?? EPERM) : undefined;
    if (!args && rule.action === spec.defaultAction && errnoRet === defaultErrno(spec)) continue;
    const key = JSON.stringify([rule.action, errnoRet ?? null, args ?? null]);
    let g = groups.get(key);
    if (!g) {
      g = { names: [], action: rule.action, ...(args ? { args } : {}), ...(errnoRet !== undefined ? { errnoRet } : {}) };
      groups.set(key, g);
      order.push(key);
    }
    for (const raw of rule.names) {
      const name = raw.trim().toLowerCase();
      const known = arches.filter((a) => isKnownSyscall(name, a));
      if (known.length === 0) {
        diagnostics.push(
          diag('seccomp_unknown_syscall', `unknown syscall ${JSON.stringify(raw)} on ${arches.join(', ')}; left out of the profile`, {
            span: spec.source,
            help: suggestSyscall(name, arches),
          }),
        );
        continue;
      }
      if (known.length < arches.length) {
        const missing = arches.filter((a) => !known.includes(a));
        diagnostics.push(
          diag('seccomp_syscall_not_on_arch', `syscall ${name} does not exist on ${missing.join(', ')}; the runtime ignores it there`, {
            severity: 'info',
            span: spec.source,
          }),
        );
      }
      if (!g.names.includes(name)) g.names.push(name);
    }
  }
  const syscalls = order
    .map((k) => groups.get(k)!)
    .filter((g) => g.names.length > 0)
    .map((g) => ({ ...g, names: [...g.names].sort() }));
  const profile: SeccompProfile = {
    defaultAction: spec.defaultAction,
    ...(spec.defaultAction === 'SCMP_ACT_ERRNO' ? { defaultErrnoRet: defaultErrno(spec) } : {}),
    architectures: arches.map((a) => ARCH_NAME[a]),
    syscalls,
  };
  return { profile, diagnostics };
}

function defaultErrno(spec: SeccompSpec): number | undefined {
  return spec.defaultAction === 'SCMP_ACT_ERRNO' ? (spec.defaultErrnoRet ?? EPERM) : undefined;
}

function normalizeArg(a: SeccompArg): SeccompArg {
  return { index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op };
}

/**
 * Syscalls every container needs to start and exit under runc/containerd once the profile is applied at exec time
 * (the runtime applies the filter before execve of the entrypoint). Added to discovered allowlists so a baseline
 * never kills the container at start; documented in docs/runtime.md.
 */
export const CONTAINER_STARTUP_SYSCALLS: readonly string[] = [
  'arch_prctl', 'brk', 'capget', 'capset', 'close', 'execve', 'exit', 'exit_group', 'fchown', 'fstat', 'futex',
  'getdents64', 'getpid', 'getppid', 'mmap', 'mprotect', 'munmap', 'nanosleep', 'newfstatat', 'openat', 'prctl',
  'pread64', 'read', 'rseq', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'set_robust_list', 'set_tid_address',
  'setgid', 'setgroups', 'setuid', 'prlimit64', 'getrandom', 'write', 'fcntl', 'access', 'faccessat2', 'statx',
  'sigaltstack', 'uname', 'getuid', 'geteuid', 'getgid', 'getegid', 'clock_nanosleep', 'clone', 'clone3', 'wait4',
  'dup2', 'dup3', 'pipe2', 'ioctl', 'lseek', 'readlink', 'readlinkat', 'getcwd', 'chdir', 'fchdir',
];

/**
 * An allowlist profile: the given syscalls are allowed, everything else gets `denyAction` (default
 * SCMP_ACT_ERRNO, i.e. EPERM; SCMP_ACT_LOG for observe mode).
 */
export function seccompAllowlist(
  syscalls: readonly string[],
  opts: { denyAction?: SeccompAction; architectures?: SeccompArch[]; includeStartup?: boolean; source?: SourceSpan } = {},
): SeccompBuild {
  const names = [...new Set([...(opts.includeStartup === false ? [] : CONTAINER_STARTUP_SYSCALLS), ...syscalls])];
  return buildSeccompProfile({
    defaultAction: opts.denyAction ?? 'SCMP_ACT_ERRNO',
    architectures: opts.architectures,
    rules: [{ names, action: 'SCMP_ACT_ALLOW' }],
    source: opts.source,
  });
}

/** Stable JSON (two-space indent, trailing newline): what goldens and files hold. */
export function formatSeccompProfile(profile: SeccompProfile): string {
  return JSON.stringify(profile, null, 2) + '\n';
}

function suggestSyscall(name: string, arches: SeccompArch[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of arches) {
    for (const n of Object.keys(TABLE[a])) {
      const d = editDistance(name, n, bestD);
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
  }
  return best ? `did you mean ${best}?` : undefined;
}

/**
 * The attack library, as data. Each attack is a busybox shell script or a call of the static probe helper
 * (`rampart-probe`, for what busybox cannot express: raw sockets, ptrace, init_module, a setuid-root re-exec).
 * Every run prints one line `RAMPART:allowed <detail>` or `RAMPART:denied <error text>`.
 *
 * `blockers` lists, in the order the kernel checks them, what could stop the attack; expect.ts decides which of
 * them hold for a container's controls. `footprint` is what a runtime policy engine (KubeArmor, AppArmor) sees.
 */

export type Layer =
  | 'seccomp'
  | 'capabilities'
  | 'no-new-privileges'
  | 'read-only-rootfs'
  | 'read-only-proc'
  | 'non-root-user'
  | 'service-account-automount'
  | 'apparmor'
  | 'kubearmor'
  | 'kernel';

/** Layers that the sandbox enforces for real; the others are reported not-verifiable when they are the only ones. */
export const SANDBOX_LAYERS: readonly Layer[] = [
  'seccomp',
  'capabilities',
  'no-new-privileges',
  'read-only-rootfs',
  'read-only-proc',
  'non-root-user',
  'service-account-automount',
];

export type Blocker =
  /** The seccomp filter refuses one of these calls (args as the attack passes them; undefined = unknown). */
  | { kind: 'seccomp'; syscalls: { name: string; args?: (number | undefined)[] }[] }
  /** The capability is not in the effective set. */
  | { kind: 'capability'; cap: string }
  /** The path is on the root filesystem (not under a writable volume) and the root is read-only. */
  | { kind: 'read-only-root'; path: string }
  /** The path is under one of the runtime's read-only /proc paths. */
  | { kind: 'read-only-proc'; path: string }
  /** The file is root-owned (mode given): a non-root uid outside `group` without DAC capabilities cannot access it. */
  | { kind: 'dac'; access: 'read' | 'write'; group?: number }
  /** A root-owned file: only its owner or CAP_FOWNER may change its mode. */
  | { kind: 'not-owner' }
  /** no_new_privs keeps a setuid-root binary from raising a non-root euid. */
  | { kind: 'no-new-privs' }
  /** The service-account token is not mounted. */
  | { kind: 'token-absent' }
  /** Unprivileged user namespaces off on the node, and no CAP_SYS_ADMIN. */
  | { kind: 'userns-disabled' }
  /** The kernel lacks the feature (ENOSYS): the other layers cannot be exercised. */
  | { kind: 'kernel-feature'; feature: 'kernelModules' };

export interface Footprint {
  exec?: string[];
  files?: { path: string; write: boolean }[];
  network?: ('tcp' | 'udp' | 'icmp' | 'raw')[];
  capabilities?: string[];
}

/**
 * shell: `/bin/sh -c script`. probe: the probe helper with args; `suid` runs the setuid-root copy; `viaShell` keeps a
 * shell as PID 1 (the probe then runs as its child, e.g. to ptrace PID 1).
 */
export type AttackRun = { kind: 'shell'; script: string } | { kind: 'probe'; args: string[]; viaShell?: boolean; suid?: boolean };

export interface Attack {
  id: string;
  title: string;
  /** Row of the PRODUCT threat table it exercises. */
  threat: string;
  mitre: string[];
  run: AttackRun;
  blockers: Blocker[];
  footprint: Footprint;
}

/** Paths inside the sandbox root filesystem (made by io/sandbox/rootfs). */
export const PROBE_PATH = '/usr/local/bin/rampart-probe';
export const SUID_PROBE_PATH = '/usr/local/bin/rampart-suid-probe';
export const TOOL_PATH = '/usr/local/bin/tool';
export const SHADOW_GROUP = 42;

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_RAW = 3;
const IPPROTO_ICMP = 1;
const PTRACE_ATTACH = 16;
const CLONE_NEWNS = 0x20000;
const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;

/** Runs `cmd`, printing RAMPART:allowed with `ok` or RAMPART:denied with the command's own error text. */
function attempt(cmd: string, ok: string): string {
  return `if out=$( { ${cmd}; } 2>&1 ); then echo "RAMPART:allowed ${ok}"; else echo "RAMPART:denied $out"; fi`;
}

export const ATTACKS: readonly Attack[] = [
  {
    id: 'exec-shell',
    title: 'Exec a shell in the container',
    threat: 'unexpected binary, reverse shell (nc, curl, sh)',
    mitre: ['T1059.004'],
    run: { kind: 'shell', script: 'echo "RAMPART:allowed /bin/sh ran as uid $(id -u)"' },
    blockers: [{ kind: 'seccomp', syscalls: [{ name: 'execve' }] }],
    footprint: { exec: ['/bin/sh'] },
  },
  {
    id: 'reverse-shell',
    title: 'Reverse shell with nc -e /bin/sh (to a listener on loopback)',
    threat: 'unexpected binary, reverse shell (nc, curl, sh)',
    mitre: ['T1059.004', 'T1071'],
    run: {
      kind: 'shell',
      script: [
        '( usleep 300000; nc 127.0.0.1 14444 -e /bin/sh ) 2>/dev/shm/rs.err &',
        "out=$( { echo 'echo rs-$((6*7)); exit'; sleep 2; } | nc -l -p 14444 -w 3 2>&1 )",
        'wait',
        'case "$out" in *rs-42*) echo "RAMPART:allowed remote commands ran through the reverse shell";;',
        '*) echo "RAMPART:denied listener: ${out:-no output}; client: $(cat /dev/shm/rs.err 2>/dev/null)";; esac',
      ].join('\n'),
    },
    blockers: [
      {
        kind: 'seccomp',
        syscalls: [{ name: 'socket', args: [AF_INET, SOCK_STREAM, 0] }, { name: 'connect' }, { name: 'bind' }, { name: 'listen' }],
      },
    ],
    footprint: { exec: ['/bin/nc', '/bin/sh'], network: ['tcp'] },
  },
  {
    id: 'download-exec',
    title: 'Download a payload with wget (curl-style, from a server on loopback) into /tmp and run it',
    threat: 'unexpected binary, reverse shell (nc, curl, sh)',
    mitre: ['T1105', 'T1059.004'],
    run: {
      kind: 'shell',
      script: [
        "mkdir -p /dev/shm/www && printf '#!/bin/sh\\necho payload-$((6*7))\\n' > /dev/shm/www/p.sh",
        'httpd -f -p 127.0.0.1:18080 -h /dev/shm/www & h=$!',
        'usleep 300000',
        'out=$( { wget -q -O /tmp/rampart-payload http://127.0.0.1:18080/p.sh && chmod 755 /tmp/rampart-payload && /tmp/rampart-payload; } 2>&1 )',
        'kill $h 2>/dev/null',
        'case "$out" in *payload-42*) echo "RAMPART:allowed downloaded /tmp/rampart-payload and ran it";;',
        '*) echo "RAMPART:denied $out";; esac',
      ].join('\n'),
    },
    blockers: [
      {
        kind: 'seccomp',
        syscalls: [{ name: 'socket', args: [AF_INET, SOCK_STREAM, 0] }, { name: 'connect' }, { name: 'bind' }, { name: 'listen' }],
      },
      { kind: 'read-only-root', path: '/tmp/rampart-payload' },
    ],
    footprint: { exec: ['/bin/wget', '/tmp/rampart-payload'], network: ['tcp'], files: [{ path: '/tmp/rampart-payload', write: true }] },
  },
  {
    id: 'read-shadow',
    title: 'Read /etc/shadow',
    threat: 'read of secrets or service-account token files',
    mitre: ['T1003.008'],
    run: { kind: 'shell', script: attempt('head -c 5 /etc/shadow', 'read /etc/shadow') },
    blockers: [{ kind: 'seccomp', syscalls: [{ name: 'openat' }] }, { kind: 'dac', access: 'read', group: SHADOW_GROUP }],
    footprint: { exec: ['/bin/head'], files: [{ path: '/etc/shadow', write: false }] },
  },
  {
    id: 'read-service-account-token',
    title: 'Read the service-account token',
    threat: 'read of secrets or service-account token files',
    mitre: ['T1528'],
    run: { kind: 'shell', script: attempt('head -c 8 /var/run/secrets/kubernetes.io/serviceaccount/token', 'read the token') },
    blockers: [{ kind: 'seccomp', syscalls: [{ name: 'openat' }] }, { kind: 'token-absent' }],
    footprint: { exec: ['/bin/head'], files: [{ path: '/var/run/secrets/kubernetes.io/serviceaccount/token', write: false }] },
  },
  {
    id: 'write-core-pattern',
    title: 'Write /proc/sys/kernel/core_pattern (host escape vector; the current value is written back unchanged)',
    threat: 'write to /proc/sys, /sys, core_pattern (escape vectors)',
    mitre: ['T1611'],
    run: {
      kind: 'shell',
      script: [
        'v=$(cat /proc/sys/kernel/core_pattern)',
        attempt(`printf '%s\\n' "$v" > /proc/sys/kernel/core_pattern`, 'opened core_pattern for writing'),
      ].join('\n'),
    },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'openat' }] },
      { kind: 'read-only-proc', path: '/proc/sys/kernel/core_pattern' },
      { kind: 'dac', access: 'write' },
    ],
    footprint: { files: [{ path: '/proc/sys/kernel/core_pattern', write: true }] },
  },
  {
    id: 'raw-socket',
    title: 'Open a raw socket (packet crafting)',
    threat: 'raw sockets, packet crafting',
    mitre: ['T1040'],
    run: { kind: 'probe', args: ['raw-socket'] },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'socket', args: [AF_INET, SOCK_RAW, IPPROTO_ICMP] }] },
      { kind: 'capability', cap: 'CAP_NET_RAW' },
    ],
    footprint: { network: ['raw', 'icmp'], capabilities: ['CAP_NET_RAW'] },
  },
  {
    id: 'ptrace',
    title: 'ptrace-attach to the container workload (PID 1)',
    threat: 'kernel exploits, in-memory attacks',
    mitre: ['T1055.008'],
    run: { kind: 'probe', args: ['ptrace', '1'], viaShell: true },
    blockers: [{ kind: 'seccomp', syscalls: [{ name: 'ptrace', args: [PTRACE_ATTACH] }] }],
    footprint: { capabilities: ['CAP_SYS_PTRACE'] },
  },
  {
    id: 'unshare-mount',
    title: 'Create user and mount namespaces and mount a filesystem (unshare -r -m; mount)',
    threat: 'namespace/mount tricks (unshare, mount, bind-mount over allowed paths)',
    mitre: ['T1611'],
    run: { kind: 'shell', script: attempt('unshare -r -m sh -c "mount -t tmpfs rampart /mnt"', 'mounted tmpfs in a new mount namespace') },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'unshare', args: [CLONE_NEWUSER | CLONE_NEWNS] }] },
      { kind: 'userns-disabled' },
      { kind: 'seccomp', syscalls: [{ name: 'mount' }] },
    ],
    footprint: { exec: ['/bin/unshare', '/bin/mount'], capabilities: ['CAP_SYS_ADMIN'] },
  },
  {
    id: 'clone-newns',
    title: 'clone(CLONE_NEWNS): a namespace through clone flags instead of unshare',
    threat: 'namespace/mount tricks (unshare, mount, bind-mount over allowed paths)',
    mitre: ['T1611'],
    run: { kind: 'probe', args: ['clone-newns'] },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'clone', args: [CLONE_NEWNS | SIGCHLD] }] },
      { kind: 'capability', cap: 'CAP_SYS_ADMIN' },
    ],
    footprint: { capabilities: ['CAP_SYS_ADMIN'] },
  },
  {
    id: 'clone3-newns',
    title: 'clone3 with CLONE_NEWNS (the call a filter on clone arguments cannot inspect)',
    threat: 'namespace/mount tricks (unshare, mount, bind-mount over allowed paths)',
    mitre: ['T1611'],
    run: { kind: 'probe', args: ['clone3-newns'] },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'clone3' }] },
      { kind: 'capability', cap: 'CAP_SYS_ADMIN' },
    ],
    footprint: { capabilities: ['CAP_SYS_ADMIN'] },
  },
  {
    id: 'chmod-setuid',
    title: `Make an image binary setuid (chmod 4755 ${TOOL_PATH})`,
    threat: 'privilege escalation via setuid',
    mitre: ['T1548.001'],
    run: { kind: 'shell', script: attempt(`chmod 4755 ${TOOL_PATH}`, 'set the setuid bit') },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'fchmodat' }] },
      { kind: 'read-only-root', path: TOOL_PATH },
      { kind: 'not-owner' },
    ],
    footprint: { exec: ['/bin/chmod'], files: [{ path: TOOL_PATH, write: true }] },
  },
  {
    id: 'setuid-escalation',
    title: 'Gain euid 0 through a setuid-root binary',
    threat: 'privilege escalation via setuid',
    mitre: ['T1548.001'],
    run: { kind: 'probe', args: ['whoami'], suid: true },
    blockers: [{ kind: 'no-new-privs' }],
    footprint: { exec: [SUID_PROBE_PATH] },
  },
  {
    id: 'mknod',
    title: 'Create a block device node (mknod /tmp/rampart-sda b 8 0)',
    threat: 'write to /proc/sys, /sys, core_pattern (escape vectors)',
    mitre: ['T1006'],
    run: { kind: 'shell', script: attempt('mknod /tmp/rampart-sda b 8 0', 'created a block device node') },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'mknodat' }] },
      { kind: 'read-only-root', path: '/tmp/rampart-sda' },
      { kind: 'capability', cap: 'CAP_MKNOD' },
    ],
    footprint: { exec: ['/bin/mknod'], capabilities: ['CAP_MKNOD'], files: [{ path: '/tmp/rampart-sda', write: true }] },
  },
  {
    id: 'write-rootfs',
    title: 'Write a file on the root filesystem (/etc)',
    threat: 'unexpected binary, reverse shell (nc, curl, sh)',
    mitre: ['T1105'],
    run: { kind: 'shell', script: attempt('echo rampart > /etc/rampart-dropped', 'wrote /etc/rampart-dropped') },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'openat' }] },
      { kind: 'read-only-root', path: '/etc/rampart-dropped' },
      { kind: 'dac', access: 'write' },
    ],
    footprint: { files: [{ path: '/etc/rampart-dropped', write: true }] },
  },
  {
    id: 'load-kernel-module',
    title: 'Load a kernel module (init_module with an invalid image)',
    threat: 'write to /proc/sys, /sys, core_pattern (escape vectors)',
    mitre: ['T1547.006'],
    run: { kind: 'probe', args: ['init-module'] },
    blockers: [
      { kind: 'seccomp', syscalls: [{ name: 'init_module' }] },
      { kind: 'kernel-feature', feature: 'kernelModules' },
      { kind: 'capability', cap: 'CAP_SYS_MODULE' },
    ],
    footprint: { capabilities: ['CAP_SYS_MODULE'] },
  },
];

/** Threats no layer covers as a whole (PRODUCT: "say so, never claim coverage"); their rows carry this note. */
export const UNCOVERABLE_THREATS: Readonly<Record<string, string>> = {
  'kernel exploits, in-memory attacks':
    'no single layer stops kernel exploits or in-memory attacks: a blocked attack here is one path closed, not coverage (detection and patching)',
};

export function attackById(id: string): Attack | undefined {
  return ATTACKS.find((a) => a.id === id);
}

import { existsSync, readFileSync } from 'node:fs';
import { arch as nodeArch, release } from 'node:os';
import { delimiter, join } from 'node:path';

/** Facts about this node that decide what the sandbox can enforce (see runtime/verify HostFacts). */
export interface NodeFacts {
  arch: string;
  kernel: string;
  capLastCap: number;
  appArmor: boolean;
  kernelModules: boolean;
  userNamespaces: boolean;
  /** Active LSMs (/sys/kernel/security/lsm), for reports. */
  lsms: string[];
  isRoot: boolean;
  /** CapEff of this process (hex), the capabilities a privileged container can get from it. */
  runtimeCapMask?: string;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', s390x: 's390x', riscv64: 'riscv64', ppc64: 'ppc64le', arm: 'arm' };

export function readNodeFacts(): NodeFacts {
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const lsms = (read('/sys/kernel/security/lsm') ?? '').split(',').filter(Boolean);
  return {
    arch: GOARCH[nodeArch()] ?? nodeArch(),
    kernel: release(),
    capLastCap: Number.parseInt(read('/proc/sys/kernel/cap_last_cap') ?? '40', 10) || 40,
    appArmor: read('/sys/module/apparmor/parameters/enabled') === 'Y' && lsms.includes('apparmor'),
    kernelModules: existsSync('/proc/modules'),
    userNamespaces: Number.parseInt(read('/proc/sys/user/max_user_namespaces') ?? '0', 10) > 0,
    lsms,
    runtimeCapMask: /^CapEff:\s*([0-9a-f]+)$/m.exec(read('/proc/self/status') ?? '')?.[1],
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  };
}

/** Absolute path of an executable on PATH (or the usual sbin dirs, which a non-login PATH may lack). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** True when the ELF file has no program interpreter (statically linked): it can run in an empty rootfs. */
export function isStaticElf(path: string): boolean {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return false;
  }
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false; // ELF64 only
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > buf.length) return false;
    if (buf.readUInt32LE(off) === 3) return false; // PT_INTERP
  }
  return true;
}

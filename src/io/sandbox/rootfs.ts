import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RootfsOptions {
  /** A static busybox (Debian busybox-static: /bin/busybox). */
  busybox: string;
  /** The built probe helper; installed as rampart-probe (0755) and rampart-suid-probe (setuid root, 04755). */
  probe?: string;
}

/** A dummy SHA-512 crypt hash: "read /etc/shadow" must find something shaped like a real one, never a real one. */
const DUMMY_HASH = '$6$rampart$' + 'x'.repeat(86);

/**
 * Makes a minimal root filesystem: busybox copied (never linked: attacks may chmod files) with every applet
 * linked in /bin, /etc/passwd, /etc/group, /etc/shadow (root:shadow 0640, as Debian ships it), a root-owned
 * /usr/local/bin/tool for the chmod attack, the probe helpers, and a world-writable /tmp.
 */
export function buildRootfs(dir: string, opts: RootfsOptions): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'etc', 'mnt', 'proc', 'sys', 'dev', 'root', 'home/app', 'var/run', 'run']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'root'), 0o700);
  const bb = join(dir, 'bin/busybox');
  copyFileSync(opts.busybox, bb);
  chmodSync(bb, 0o755);
  const applets = execFileSync(opts.busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[A-Za-z0-9_.[-]+$/.test(s) && s !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(dir, 'bin', a));
  // Keep in step with runtime/verify SANDBOX_IMAGE_USERS (the primary group of a uid without runAsGroup).
  writeFileSync(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nshadow:x:42:\napp:x:1001:\nnogroup:x:65534:\n');
  const shadow = join(dir, 'etc/shadow');
  writeFileSync(shadow, `root:${DUMMY_HASH}:19700:0:99999:7:::\napp:!:19700:0:99999:7:::\nnobody:*:19700:0:99999:7:::\n`);
  chownSync(shadow, 0, 42);
  chmodSync(shadow, 0o640);
  writeFileSync(join(dir, 'etc/hostname'), 'sandbox\n');
  const tool = join(dir, 'usr/local/bin/tool');
  writeFileSync(tool, '#!/bin/sh\necho tool\n');
  chmodSync(tool, 0o755);
  chownSync(join(dir, 'home/app'), 1001, 1001);
  if (opts.probe) {
    const p = join(dir, 'usr/local/bin/rampart-probe');
    copyFileSync(opts.probe, p);
    chmodSync(p, 0o755);
    const s = join(dir, 'usr/local/bin/rampart-suid-probe');
    copyFileSync(opts.probe, s);
    chownSync(s, 0, 0);
    chmodSync(s, 0o4755);
  }
}

import { closeSync, constants, openSync, readSync } from 'node:fs';

/** A seccomp audit record (type=1326) from the kernel log. */
export interface SeccompAuditRecord {
  /** Seconds since the epoch (audit(…) stamp). */
  time: number;
  pid: number;
  uid: number;
  comm: string;
  exe: string;
  syscall: number;
  /** SECCOMP_RET_* action: 0x7ffc0000 LOG, 0x00050000 ERRNO, 0x80000000 KILL_PROCESS, ... */
  code: number;
  /** AUDIT_ARCH_* in hex (c000003e = x86_64). */
  arch: string;
  /** The record as the kernel wrote it. */
  line: string;
}

const MAX_RECORDS = 100_000;

/**
 * Reads the kernel log ring buffer (/dev/kmsg, non-blocking, one record per read) and returns the seccomp audit
 * records stamped at or after `sinceEpochSec`. Without auditd the kernel prints them there (rate-limited by printk:
 * bursts of logged calls can be dropped; start auditd for complete records).
 */
export function readSeccompAuditRecords(sinceEpochSec: number, path = '/dev/kmsg'): { records: SeccompAuditRecord[]; error?: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { records: [], error: `cannot read ${path}: ${(e as Error).message}` };
  }
  const records: SeccompAuditRecord[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < 1_000_000 && records.length < MAX_RECORDS; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // the ring buffer wrapped past us: go on with the next record
        break; // EAGAIN: no more records
      }
      if (n <= 0) break;
      const rec = parseSeccompAuditLine(buf.toString('utf8', 0, n));
      if (rec && rec.time >= sinceEpochSec) records.push(rec);
    }
  } finally {
    closeSync(fd);
  }
  return { records };
}

/** Parses a type=1326 line (a /dev/kmsg record, a dmesg line or an audit.log line). */
export function parseSeccompAuditLine(text: string): SeccompAuditRecord | undefined {
  const i = text.indexOf('type=1326');
  if (i < 0 && !/type=SECCOMP\b/.test(text)) return undefined;
  const line = text.slice(Math.max(0, i)).split('\n')[0].trim();
  const f: Record<string, string> = {};
  const re = /([a-z_]+)=("([^"]*)"|(\S+))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) f[m[1]] ??= m[3] ?? m[4];
  const ts = /audit\((\d+)(?:\.\d+)?:\d+\)/.exec(line);
  const pid = Number.parseInt(f.pid ?? '', 10);
  const syscall = Number.parseInt(f.syscall ?? '', 10);
  if (!ts || !Number.isFinite(pid) || !Number.isFinite(syscall)) return undefined;
  return {
    time: Number(ts[1]),
    pid,
    uid: Number.parseInt(f.uid ?? '-1', 10),
    comm: f.comm ?? '',
    exe: f.exe ?? '',
    syscall,
    code: Number.parseInt(f.code ?? '0', 16),
    arch: f.arch ?? '',
    line,
  };
}

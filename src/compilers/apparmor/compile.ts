import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { KubeArmorPolicyModel, KubeArmorRule } from '../../runtime/kubearmor/model.js';

/**
 * KubeArmor policies → one AppArmor profile (the text apparmor_parser loads). Pure and deterministic.
 *
 * - Block rules become `deny` rules (readOnly: `deny … w`, ownerOnly: `deny other …`).
 * - Allow rules make an allowlist only when the family's default posture is `block`: the catch-all (`file,`,
 *   `network,`, `capability,`) is then left out and the allowed items listed. Under `audit` posture AppArmor keeps the
 *   catch-all (KubeArmor's monitor reports the rest) and a diagnostic says the allowlist is not enforced.
 * - fromSource rules go to a child profile per source binary, entered with `cix` (inherit if the child is missing).
 * - Audit and syscall rules are never enforced by AppArmor; they appear as comments and in the diagnostics.
 */
export interface AppArmorOptions {
  /** Profile name (default: rampart-<namespace>-<first policy name>). */
  name?: string;
  /** Default posture per family, as for the decision engine (default audit). */
  posture?: { file?: string; network?: string; capabilities?: string };
}

export interface AppArmorProfile {
  name: string;
  text: string;
  policies: string[];
}

export interface AppArmorBuild {
  profile: AppArmorProfile;
  diagnostics: Diagnostic[];
}

const NET: Record<string, string | undefined> = {
  tcp: 'tcp',
  udp: 'udp',
  icmp: 'icmp',
  icmpv6: 'inet6 raw',
  raw: 'raw',
  stream: 'stream',
  dgram: 'dgram',
  rdm: 'rdm',
  seqpacket: 'seqpacket',
  packet: 'packet',
  all: '',
};

interface Scope {
  deny: string[];
  allow: string[];
  comments: string[];
  fileAllow: boolean;
  processAllow: boolean;
  networkAllow: boolean;
  capAllow: boolean;
}

const newScope = (): Scope => ({ deny: [], allow: [], comments: [], fileAllow: false, processAllow: false, networkAllow: false, capAllow: false });

/** AppArmor path token: quoted when it has spaces or special characters. */
function p(path: string): string {
  return /[\s"#,]/.test(path) ? `"${path.replace(/"/g, '\\"')}"` : path;
}

export function profileName(namespace: string | undefined, policy: string): string {
  return `rampart-${namespace ? namespace + '-' : ''}${policy}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

export function compileAppArmor(policies: readonly KubeArmorPolicyModel[], opts: AppArmorOptions = {}): AppArmorBuild {
  const diagnostics: Diagnostic[] = [];
  const first = policies[0];
  const name = opts.name ?? (first ? profileName(first.namespace, first.name) : 'rampart-empty');
  const posture = { file: opts.posture?.file ?? 'audit', network: opts.posture?.network ?? 'audit', capabilities: opts.posture?.capabilities ?? 'audit' };
  const global = newScope();
  const children = new Map<string, Scope>();
  const child = (src: string): Scope => {
    let s = children.get(src);
    if (!s) children.set(src, (s = newScope()));
    return s;
  };
  const note = (code: string, r: KubeArmorRule, message: string, severity: 'warning' | 'info' = 'warning'): void => {
    diagnostics.push(diag(code, `${r.policyName}: ${message}`, { severity, span: r.span, path: r.at }));
  };

  for (const pol of policies) {
    if (pol.apparmor) {
      diagnostics.push(diag('apparmor_raw_profile', `${pol.name}: spec.apparmor names profile ${pol.apparmor}; use it directly, it is not merged`, { severity: 'info', span: pol.span }));
      continue;
    }
    for (const r of pol.rules) {
      const sources = 'fromSource' in r && r.kind !== 'syscall' && r.kind !== 'syscallPath' ? r.fromSource : [];
      const scopes = sources.length > 0 ? sources.map(child) : [global];
      if (r.action === 'Audit' || r.kind === 'syscall' || r.kind === 'syscallPath') {
        const what = r.kind === 'syscall' || r.kind === 'syscallPath' ? `syscalls ${r.syscalls.join(',')}` : describe(r);
        for (const s of scopes) s.comments.push(`# audit only (not enforced by AppArmor): ${what} [${r.policyName}]`);
        if (r.kind === 'syscall' || r.kind === 'syscallPath') note('apparmor_cannot_express', r, 'syscall rules are not AppArmor rules; compile them with --to seccomp (SCMP_ACT_LOG)', 'info');
        continue;
      }
      const lines = ruleLines(r, note);
      if (!lines) continue;
      for (const s of scopes) {
        if (r.action === 'Block') s.deny.push(...lines.map((l) => `deny ${l}, # ${r.policyName}`));
        else {
          s.allow.push(...lines.map((l) => `${l}, # ${r.policyName}`));
          if (r.kind.startsWith('process')) s.processAllow = true;
          else if (r.kind.startsWith('file')) s.fileAllow = true;
          else if (r.kind === 'network') s.networkAllow = true;
          else if (r.kind === 'capability') s.capAllow = true;
        }
      }
      if (r.action === 'Allow') {
        const fam = r.kind === 'network' ? posture.network : r.kind === 'capability' ? posture.capabilities : posture.file;
        if (fam !== 'block') note('apparmor_allowlist_not_enforced', r, `Allow rule under the ${fam} default posture: AppArmor keeps the catch-all rule, so the allowlist is observed, not enforced (set the posture to block to enforce)`, 'info');
      }
    }
  }

  const out: string[] = [];
  out.push('## Generated by rampart runtime compile --to apparmor. Do not edit: change the KubeArmor policy instead.');
  out.push(`## Policies: ${policies.map((x) => x.name).join(', ')}`);
  out.push('#include <tunables/global>', '');
  out.push(`profile ${name} flags=(attach_disconnected,mediate_deleted) {`);
  // A source binary is entered through its child profile (cix); an allow line with another x mode would conflict.
  const parentScope: Scope = { ...global, allow: global.allow.filter((l) => !children.has(execTarget(l) ?? '')) };
  body(out, parentScope, posture, '  ', [...children.keys()].sort());
  for (const src of [...children.keys()].sort()) {
    out.push('');
    out.push(`  profile ${p(src)} flags=(attach_disconnected,mediate_deleted) {`);
    const s = children.get(src)!;
    // Container-wide rules (no fromSource) hold for the source binary too.
    const merged: Scope = {
      deny: [...s.deny, ...global.deny],
      allow: [`${p(src)} rix, # the source binary itself`, ...s.allow, ...global.allow.filter((l) => !children.has(execTarget(l) ?? ''))],
      comments: s.comments,
      fileAllow: s.fileAllow || global.fileAllow,
      processAllow: s.processAllow || global.processAllow,
      networkAllow: s.networkAllow || global.networkAllow,
      capAllow: s.capAllow || global.capAllow,
    };
    body(out, merged, posture, '    ', []);
    out.push('  }');
  }
  out.push('}', '');
  return { profile: { name, text: out.join('\n'), policies: policies.map((x) => x.name) }, diagnostics };
}

function body(out: string[], s: Scope, posture: { file: string; network: string; capabilities: string }, ind: string, children: string[]): void {
  out.push(`${ind}#include <abstractions/base>`, '');
  const fileList = (s.fileAllow || s.processAllow) && posture.file === 'block';
  if (!fileList) out.push(`${ind}file,`);
  else if (!s.fileAllow) out.push(`${ind}/{,**} rwlkm, # process allowlist only: files stay open, execs are listed`);
  else if (!s.processAllow) out.push(`${ind}/{,**} ix, # file allowlist only: execs stay open`);
  out.push(s.networkAllow && posture.network === 'block' ? `${ind}# network: allowlist` : `${ind}network,`);
  out.push(s.capAllow && posture.capabilities === 'block' ? `${ind}# capability: allowlist` : `${ind}capability,`);
  if (fileList || (s.networkAllow && posture.network === 'block') || (s.capAllow && posture.capabilities === 'block')) {
    out.push(`${ind}signal,`, `${ind}ptrace (read, readby),`, `${ind}unix,`);
  } else out.push(`${ind}signal,`, `${ind}ptrace,`, `${ind}unix,`);
  out.push(`${ind}mount,`, `${ind}umount,`, `${ind}pivot_root,`, `${ind}dbus,`);
  for (const c of children) out.push(`${ind}${p(c)} cix,`);
  const allow = [...new Set(s.allow)];
  const deny = [...new Set(s.deny)];
  if (allow.length) out.push('', `${ind}## allowed`, ...allow.map((l) => ind + l));
  if (deny.length) out.push('', `${ind}## denied`, ...deny.map((l) => ind + l));
  if (s.comments.length) out.push('', ...[...new Set(s.comments)].map((l) => ind + l));
}

/** The path of an exec allow line ("/bin/sh rix, # p" -> "/bin/sh"). */
function execTarget(line: string): string | undefined {
  const m = /^(?:owner )?(\S+) rix,/.exec(line);
  return m ? m[1] : undefined;
}

function describe(r: KubeArmorRule): string {
  switch (r.kind) {
    case 'processPath':
      return `exec ${r.path ?? '*/' + r.execname}`;
    case 'processDir':
      return `exec in ${r.dir}`;
    case 'processPattern':
    case 'filePattern':
      return `${r.kind === 'processPattern' ? 'exec' : 'file'} ${r.pattern}`;
    case 'filePath':
      return `file ${r.path}`;
    case 'fileDir':
      return `files in ${r.dir}`;
    case 'network':
      return `network ${r.protocol}`;
    case 'capability':
      return `capability ${r.capability}`;
    default:
      return r.kind;
  }
}

/** The permission lines (without qualifier and comma) for an Allow/Block rule. */
function ruleLines(r: KubeArmorRule, note: (code: string, r: KubeArmorRule, m: string, s?: 'warning' | 'info') => void): string[] | undefined {
  const block = r.action === 'Block';
  const fileLines = (glob: string, readOnly: boolean, ownerOnly: boolean): string[] => {
    if (block) {
      // readOnly: reads stay allowed; ownerOnly: only others are denied (AppArmor's "other" qualifier).
      const perms = readOnly ? 'wl' : 'rwlk';
      if (ownerOnly) {
        const lines = [`other ${glob} rwlk`];
        if (readOnly) lines.push(`owner ${glob} wl`);
        return lines;
      }
      return [`${glob} ${perms}`];
    }
    const perms = readOnly ? 'r' : 'rwlk';
    return [`${ownerOnly ? 'owner ' : ''}${glob} ${perms}`];
  };
  switch (r.kind) {
    case 'processPath': {
      const path = r.path ? p(r.path) : `/**/${r.execname}`;
      if (!r.path) note('apparmor_partial', r, `execname ${r.execname} is compiled as ${path} (any directory)`, 'info');
      return [`${r.ownerOnly ? 'owner ' : ''}${path} ${block ? 'x' : 'rix'}`];
    }
    case 'processDir': {
      const glob = `${p(r.dir)}${r.recursive ? '**' : '*'}`;
      return [`${r.ownerOnly ? 'owner ' : ''}${glob} ${block ? 'x' : 'rix'}`];
    }
    case 'processPattern':
      return [`${r.ownerOnly ? 'owner ' : ''}${r.pattern} ${block ? 'x' : 'rix'}`];
    case 'filePath':
      return fileLines(p(r.path), r.readOnly, r.ownerOnly);
    case 'fileDir': {
      const glob = `${p(r.dir)}${r.recursive ? '**' : '*'}`;
      const lines = fileLines(glob, r.readOnly, r.ownerOnly);
      if (!block) lines.push(`${p(r.dir)} r`);
      return lines;
    }
    case 'filePattern':
      return fileLines(r.pattern, r.readOnly, r.ownerOnly);
    case 'network': {
      const tok = NET[r.protocol];
      if (tok === undefined) {
        note('apparmor_cannot_express', r, `network protocol ${r.protocol} has no AppArmor network rule; not enforced by AppArmor`);
        return undefined;
      }
      if (r.protocol === 'icmpv6') note('apparmor_partial', r, 'icmpv6 is compiled as "inet6 raw" (all raw IPv6 sockets)', 'info');
      return [tok === '' ? 'network' : `network ${tok}`];
    }
    case 'capability':
      return [`capability ${r.capability}`];
    default:
      return undefined;
  }
}

/**
 * Differential test of Rampart's PSS engine against the real k8s.io/pod-security-admission (see main.go).
 * Usage: tsx compare.ts <pss-upstream binary> <pod-security-admission module dir> [fuzz pod count]
 * Cases: every upstream test/testdata pod at its level and version, plus seeded random pods at random levels and
 * versions (v1.0 to v1.40, latest, invalid), plus random namespace label sets. Prints `N passed, M failed`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  evaluatePod,
  formatLevelVersion,
  formatPsaMessage,
  parseLevel,
  parseNamespacePolicyLabels,
  parseVersion,
  simulatePodSecurityAdmission,
  type LevelVersion,
} from '../../../src/engines/pss/index.js';

interface PodCase {
  id: string;
  level: string;
  version: string;
  pod: Record<string, any>;
  expectAllowed?: boolean;
}
interface LabelCase {
  id: string;
  labels: Record<string, string>;
}
interface AdmissionCase {
  id: string;
  pod: Record<string, any>;
  admission: { labels: Record<string, string>; target: 'pod' | 'controller'; name: string };
}
type Case = PodCase | LabelCase | AdmissionCase;

const [bin, moduleDir, fuzzArg] = process.argv.slice(2);
if (!bin || !moduleDir) {
  console.error('usage: compare.ts <binary> <module dir> [fuzz count]');
  process.exit(2);
}
const fuzzCount = Number(fuzzArg ?? 3000);

// ---------- deterministic random ----------
let seed = 0x5eed1234;
function rnd(): number {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const chance = (p: number): boolean => rnd() < p;
const upTo = (n: number): number => Math.floor(rnd() * (n + 1));

// ---------- upstream testdata ----------
function testdataCases(): PodCase[] {
  const out: PodCase[] = [];
  const root = join(moduleDir, 'test', 'testdata');
  for (const level of readdirSync(root)) {
    if (level !== 'baseline' && level !== 'restricted') continue;
    for (const version of readdirSync(join(root, level))) {
      for (const kind of ['pass', 'fail']) {
        let files: string[] = [];
        try {
          files = readdirSync(join(root, level, version, kind));
        } catch {
          continue;
        }
        for (const f of files) {
          const pod = parse(readFileSync(join(root, level, version, kind, f), 'utf8'));
          // Upstream's expectations assume the API server's defaulting, which turns a volume without a
          // source into an emptyDir; the library itself (and Rampart) see "unknown". Apply that one default.
          for (const v of pod?.spec?.volumes ?? []) if (Object.keys(v).length === 1 && 'name' in v) v.emptyDir = {};
          out.push({ id: `testdata/${level}/${version}/${kind}/${f}`, level, version, pod, expectAllowed: kind === 'pass' });
        }
      }
    }
  }
  return out;
}

// ---------- the unit tests' fixtures (proves their expected strings are upstream's) ----------
function unitCases(): PodCase[] {
  const file = new URL('../../../src/engines/pss/testdata/checks.yaml', import.meta.url);
  const list = parse(readFileSync(file, 'utf8')) as { name: string; level: string; version: string; metadata?: unknown; spec: unknown }[];
  return list.map((c) => ({ id: `unit/${c.name}`, level: c.level, version: c.version, pod: { metadata: c.metadata ?? {}, spec: c.spec } }));
}

// ---------- random pods ----------
const NAMES = ['a', 'b', 'c', 'a', 'app', 'ünï', 'Z', '', '\uff5a', '\u{1d518}', 'x\ud800'];
const BOOLS = [true, false, undefined];
const CAPS = ['ALL', 'NET_BIND_SERVICE', 'NET_RAW', 'SYS_ADMIN', 'CHOWN', 'KILL', 'all', 'CAP_SYS_ADMIN', 'SETUID', 'BPF', '', '\uff5a', '\u{1d518}'];
const SECCOMP = ['RuntimeDefault', 'Localhost', 'Unconfined', '', 'runtime/default'];
const APPARMOR = ['RuntimeDefault', 'Localhost', 'Unconfined', '', 'bogus'];
const ANNOT_VALUES = ['runtime/default', 'docker/default', 'localhost/prof', 'unconfined', '', 'localhost/', 'weird "v"\n\t\u00a0é\u0001', '\u2028\u00ad\u{1f600}\x7f\\', 'runtime/default ', '\u{e0001}\u0085', 'lone \udc00'];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t', 'spc_t', 'unconfined_t'];
const PROC = ['Default', 'Unmasked', '', 'default'];
const SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem', 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat', 'kernel.msgmax',
  'net.core.somaxconn', 'vm.swappiness', '',
];
const VOLUME_TYPES: [string, unknown][] = [
  ['configMap', { name: 'x' }], ['secret', { secretName: 's' }], ['emptyDir', {}], ['projected', { sources: [] }],
  ['downwardAPI', {}], ['csi', { driver: 'd' }], ['persistentVolumeClaim', { claimName: 'c' }],
  ['ephemeral', {}], ['image', { reference: 'r' }], ['hostPath', { path: '/' }], ['nfs', { server: 's', path: '/' }],
  ['gitRepo', { repository: 'r' }], ['iscsi', { targetPortal: 't', iqn: 'i', lun: 0 }], ['rbd', { monitors: [], image: 'i' }],
  ['flexVolume', { driver: 'd' }], ['cephfs', { monitors: [] }], ['fc', {}], ['azureFile', { secretName: 's', shareName: 'x' }],
  ['awsElasticBlockStore', { volumeID: 'v' }], ['gcePersistentDisk', { pdName: 'p' }], ['scaleIO', { gateway: 'g', system: 's', secretRef: {} }],
  ['storageos', {}], ['portworxVolume', { volumeID: 'v' }], ['quobyte', { registry: 'r', volume: 'v' }],
  ['cinder', { volumeID: 'v' }], ['flocker', {}], ['glusterfs', { endpoints: 'e', path: 'p' }],
  ['vsphereVolume', { volumePath: 'p' }], ['azureDisk', { diskName: 'd', diskURI: 'u' }],
  ['photonPersistentDisk', { pdID: 'p' }], ['hostPath', null], ['emptyDir', null],
];
const HOSTS = ['', '10.0.0.1', 'localhost', 'b.example', 'a.example', '\uff5a', '\u{1d518}'];

function maybe<T>(p: number, f: () => T): T | undefined {
  return chance(p) ? f() : undefined;
}

function handler(): Record<string, unknown> {
  const h: Record<string, unknown> = {};
  if (chance(0.5)) h.httpGet = { port: 80, ...(chance(0.6) ? { host: pick(HOSTS) } : {}) };
  if (chance(0.4)) h.tcpSocket = { port: 80, ...(chance(0.6) ? { host: pick(HOSTS) } : {}) };
  if (chance(0.2)) h.exec = { command: ['true'] };
  return h;
}

function securityContext(pod: boolean): Record<string, unknown> {
  const sc: Record<string, unknown> = {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) sc[k] = v;
  };
  if (!pod) {
    set('privileged', maybe(0.25, () => pick(BOOLS)));
    set('allowPrivilegeEscalation', maybe(0.5, () => pick([true, false, false])));
    if (chance(0.45)) {
      const caps: Record<string, unknown> = {};
      if (chance(0.7)) caps.drop = Array.from({ length: upTo(2) }, () => pick(CAPS));
      if (chance(0.5)) caps.add = Array.from({ length: upTo(2) }, () => pick(CAPS));
      sc.capabilities = chance(0.05) ? null : caps;
    }
    set('procMount', maybe(0.15, () => pick(PROC)));
    set('readOnlyRootFilesystem', maybe(0.1, () => true));
  } else {
    if (chance(0.3)) sc.sysctls = Array.from({ length: 1 + upTo(2) }, () => (chance(0.03) ? null : { name: pick(SYSCTLS), value: '1' }));
    set('fsGroup', maybe(0.1, () => 2000));
  }
  set('runAsNonRoot', maybe(0.4, () => pick([true, true, false])));
  set('runAsUser', maybe(0.25, () => pick([0, 1000, 0])));
  if (chance(0.4)) sc.seccompProfile = chance(0.05) ? null : { ...(chance(0.95) ? { type: pick(SECCOMP) } : {}), ...(chance(0.2) ? { localhostProfile: 'p.json' } : {}) };
  if (chance(0.15)) sc.appArmorProfile = { type: pick(APPARMOR) };
  if (chance(0.15)) {
    const o: Record<string, unknown> = {};
    if (chance(0.8)) o.type = pick(SELINUX_TYPES);
    if (chance(0.2)) o.user = pick(['', 'u']);
    if (chance(0.2)) o.role = pick(['', 'r']);
    if (chance(0.1)) o.level = 's0';
    sc.seLinuxOptions = o;
  }
  if (chance(0.1)) sc.windowsOptions = { hostProcess: pick(BOOLS) };
  return sc;
}

function container(i: number): Record<string, unknown> {
  const c: Record<string, unknown> = { name: chance(0.9) ? pick(NAMES) : `c${i}`, image: 'img' };
  if (chance(0.75)) c.securityContext = chance(0.05) ? null : securityContext(false);
  if (chance(0.2)) c.ports = Array.from({ length: 1 + upTo(2) }, () => ({ containerPort: 80, ...(chance(0.6) ? { hostPort: pick([0, 80, 8080, 9, 10, 443]) } : {}) }));
  for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) if (chance(0.12)) c[p] = handler();
  if (chance(0.12)) c.lifecycle = { ...(chance(0.6) ? { postStart: handler() } : {}), ...(chance(0.6) ? { preStop: handler() } : {}) };
  return c;
}

function randomPod(): Record<string, any> {
  const spec: Record<string, unknown> = {};
  let n = 0;
  spec.containers = Array.from({ length: 1 + upTo(2) }, () => (chance(0.03) ? null : container(n++)));
  if (chance(0.3)) spec.initContainers = Array.from({ length: 1 + upTo(1) }, () => container(n++));
  if (chance(0.15)) spec.ephemeralContainers = [container(n++)];
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (chance(0.1)) spec[k] = pick([true, false]);
  if (chance(0.25)) spec.hostUsers = pick([true, false, false]);
  if (chance(0.15)) spec.os = { name: pick(['windows', 'linux', 'Windows']) };
  if (chance(0.6)) spec.securityContext = chance(0.03) ? null : securityContext(true);
  if (chance(0.03)) spec.volumes = [null];
  if (chance(0.35)) {
    spec.volumes = Array.from({ length: 1 + upTo(2) }, (_, i) => {
      const v: Record<string, unknown> = { name: pick(['v', 'w', `vol${i}`, 'v']) };
      const k = upTo(2);
      for (let j = 0; j < k; j++) {
        const [t, body] = pick(VOLUME_TYPES);
        v[t] = body;
      }
      return v;
    });
  }
  const annotations: Record<string, string> = {};
  const all = [...(spec.containers as any[]), ...((spec.initContainers as any[]) ?? []), ...((spec.ephemeralContainers as any[]) ?? [])];
  const names = [...new Set(all.map((c) => c?.name ?? ''))];
  if (chance(0.2)) annotations['seccomp.security.alpha.kubernetes.io/pod'] = chance(0.1) ? (null as unknown as string) : pick(ANNOT_VALUES);
  for (const name of names) {
    if (chance(0.12)) annotations[`container.seccomp.security.alpha.kubernetes.io/${name}`] = pick(ANNOT_VALUES);
    if (chance(0.12)) annotations[`container.apparmor.security.beta.kubernetes.io/${name}`] = chance(0.1) ? (null as unknown as string) : pick(ANNOT_VALUES);
  }
  if (chance(0.05)) annotations['container.apparmor.security.beta.kubernetes.io/ghost'] = pick(ANNOT_VALUES);
  const metadata: Record<string, unknown> = { name: 'p' };
  if (Object.keys(annotations).length > 0 || chance(0.05)) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

const VERSIONS = [
  ...Array.from({ length: 41 }, (_, i) => `v1.${i}`),
  'latest', 'latest', 'v1.01', 'v2.0', '1.25', 'bogus', '', 'v1.9223372036854775807', 'v1.9223372036854775808', 'v1.99999999999',
];
const LEVELS = ['baseline', 'restricted', 'baseline', 'restricted', 'privileged', 'Restricted'];

function labelCase(i: number): LabelCase {
  const labels: Record<string, string> = {};
  const lvl = ['privileged', 'baseline', 'restricted', 'bad', ''];
  const ver = ['latest', 'v1.25', 'v1.37', 'v1.99', 'v1.0', 'x', '', 'v1.01', 'V1.2', ' latest', 'v1.9223372036854775807', 'v1.9223372036854775808'];
  for (const m of ['enforce', 'audit', 'warn']) {
    if (chance(0.5)) labels[`pod-security.kubernetes.io/${m}`] = chance(0.05) ? (null as unknown as string) : pick(lvl);
    if (chance(0.3)) labels[`pod-security.kubernetes.io/${m}-version`] = pick(ver);
  }
  if (chance(0.2)) labels['other'] = 'x';
  return { id: `labels/${i}`, labels };
}

// ---------- run ----------
const cases: Case[] = [...testdataCases(), ...unitCases()];
for (let i = 0; i < fuzzCount; i++) {
  const pod = randomPod();
  for (let k = 0; k < 4; k++) cases.push({ id: `fuzz/${i}/${k}`, level: pick(LEVELS), version: pick(VERSIONS), pod });
}
for (let i = 0; i < 500; i++) cases.push(labelCase(i));
for (let i = 0; i < Math.ceil(fuzzCount / 2); i++) {
  const { labels } = labelCase(i);
  cases.push({
    id: `admission/${i}`,
    pod: randomPod(),
    admission: { labels, target: pick(['pod', 'controller'] as const), name: pick(['web', '', 'wëb"1']) },
  });
}

function runUpstream(input: Case[]): Promise<Map<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    const out = new Map<string, any>();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) {
          const o = JSON.parse(line);
          out.set(o.id, o);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`upstream harness exited ${code}`))));
    for (const c of input) child.stdin.write(JSON.stringify(c) + '\n');
    child.stdin.end();
  });
}

function fmtLv(lv: LevelVersion): { level: string; version: string } {
  const [level, version] = formatLevelVersion(lv).split(':');
  return { level, version };
}

function ours(c: Case): any {
  if ('admission' in c) {
    const a = c.admission;
    return {
      admission: simulatePodSecurityAdmission({
        namespaceLabels: a.labels,
        target: a.target,
        resource: a.target === 'pod' ? 'pods' : 'deployments.apps',
        name: a.name,
        podMetadata: c.pod.metadata,
        podSpec: c.pod.spec,
      }),
    };
  }
  if ('labels' in c) {
    const p = parseNamespacePolicyLabels(c.labels);
    const errs = p.diagnostics.map((d) => d.message);
    return { enforce: fmtLv(p.policy.enforce), audit: fmtLv(p.policy.audit), warn: fmtLv(p.policy.warn), labelErrors: errs.length ? errs : undefined };
  }
  const l = parseLevel(c.level);
  const v = parseVersion(c.version);
  const results = evaluatePod(l.value, v.value, c.pod.metadata, c.pod.spec);
  const message = formatPsaMessage(l.value, v.value, results);
  return {
    levelError: l.ok ? undefined : l.error,
    versionError: v.ok ? undefined : v.error,
    results: results.map((r) => ({ allowed: r.allowed, forbiddenReason: r.forbiddenReason ?? '', forbiddenDetail: r.forbiddenDetail ?? '' })),
    allowed: results.every((r) => r.allowed),
    message,
  };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function theirs(o: any): any {
  if (o.admission) return { admission: o.admission };
  if (o.enforce) return { enforce: o.enforce, audit: o.audit, warn: o.warn, labelErrors: o.labelErrors };
  return {
    levelError: o.levelError,
    versionError: o.versionError,
    results: o.results ?? [],
    allowed: o.allowed,
    message: o.message,
  };
}

const upstream = await runUpstream(cases);
let passed = 0;
let failed = 0;
let shown = 0;
for (const c of cases) {
  const u = upstream.get(c.id);
  let problem = '';
  if (!u) problem = 'no upstream output';
  else if (u.error) problem = `upstream could not decode: ${u.error}`;
  else {
    const mine = ours(c);
    const up = theirs(u);
    for (const x of [mine, up]) {
      if (x.admission) {
        x.admission = { allowed: x.admission.allowed, message: x.admission.message, warnings: x.admission.warnings, auditAnnotations: sortKeys(x.admission.auditAnnotations) };
      }
    }
    const a = JSON.stringify(mine);
    const b = JSON.stringify(up);
    if (a !== b) problem = `ours:     ${a}\nupstream: ${b}`;
    else if ('expectAllowed' in c && c.expectAllowed !== undefined && theirs(u).allowed !== c.expectAllowed) {
      problem = `testdata expectation ${c.expectAllowed ? 'pass' : 'fail'} not met`;
    }
  }
  if (problem) {
    failed++;
    if (shown++ < 15) console.log(`MISMATCH ${c.id}\n${'pod' in c ? JSON.stringify(c.pod) + '\n' : ''}${problem}\n`);
  } else {
    passed++;
  }
}
// Coverage: how often upstream reported each reason, and what the admission cases exercised.
const reasons = new Map<string, number>();
const adm = { denied: 0, warned: 0, audited: 0, labelErrors: 0, allowedQuietly: 0 };
for (const u of upstream.values()) {
  for (const r of u.results ?? []) if (!r.allowed) reasons.set(r.forbiddenReason, (reasons.get(r.forbiddenReason) ?? 0) + 1);
  const a = u.admission;
  if (a) {
    if (!a.allowed) adm.denied++;
    if (a.warnings.length) adm.warned++;
    if (a.auditAnnotations['audit-violations']) adm.audited++;
    if (a.auditAnnotations.error) adm.labelErrors++;
    if (a.allowed && !a.warnings.length && !a.auditAnnotations['audit-violations']) adm.allowedQuietly++;
  }
}
console.log(`coverage: ${[...reasons].sort().map(([k, v]) => `${k}=${v}`).join('; ')}`);
console.log(`admission: ${JSON.stringify(adm)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

/**
 * Seeded random variants of compliant workloads for differential tests: each applies 1-3 "breakers" (one risky
 * setting each) to the pod spec, keeping the object valid for the API server's own validation.
 */
import type { Obj } from './corpus.js';

type Rand = () => number;

/** mulberry32: small, fast, deterministic for a given seed. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function podOf(o: Obj): { spec: Obj; meta: Obj } {
  if (o.kind === 'Pod') return { spec: o.spec, meta: o.metadata };
  const t = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  t.metadata ??= {};
  return { spec: t.spec, meta: t.metadata };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const sc = (c: Obj): Obj => (c.securityContext ??= {});

/** Each breaker changes one thing a guardrail cares about (or, sometimes, nothing any of them cares about). */
const BREAKERS: ReadonlyArray<[string, (pod: { spec: Obj; meta: Obj }, c: Obj, r: Rand) => void]> = [
  ['privileged', (_p, c) => Object.assign(sc(c), { privileged: true, allowPrivilegeEscalation: true })],
  ['allowPrivilegeEscalation', (_p, c) => (sc(c).allowPrivilegeEscalation = true)],
  ['capabilities-add', (_p, c, r) => (sc(c).capabilities = { add: [pick(r, ['NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'])], drop: ['ALL'] })],
  ['capabilities-no-drop', (_p, c) => delete sc(c).capabilities],
  ['host-namespace', (p, _c, r) => (p.spec[pick(r, ['hostNetwork', 'hostPID', 'hostIPC'])] = true)],
  ['host-path', (p, c) => {
    const name = `host${(p.spec.volumes ?? []).length}`;
    p.spec.volumes = [...(p.spec.volumes ?? []), { name, hostPath: { path: '/var/run', type: 'Directory' } }];
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, mountPath: `/${name}` }];
  }],
  ['image', (_p, c, r) => (c.image = pick(r, ['nginx', 'nginx:latest', 'docker.io/library/redis:7', 'registry.example.com/app:1.2', 'ghcr.io/acme/api:2', 'localhost:5000/x@sha256:' + 'b'.repeat(64)]))],
  ['no-owner-label', (p) => delete p.meta.labels?.owner],
  ['run-as-root', (p, c, r) => {
    if (r() < 0.5) sc(c).runAsNonRoot = false;
    else {
      delete sc(c).runAsNonRoot;
      if (p.spec.securityContext) delete p.spec.securityContext.runAsNonRoot;
    }
  }],
  ['seccomp', (p, c, r) => {
    const v = pick(r, [{ type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'profiles/app.json' }, { type: 'RuntimeDefault' }]);
    if (r() < 0.5) sc(c).seccompProfile = v;
    else (p.spec.securityContext ??= {}).seccompProfile = v;
  }],
  ['apparmor', (p, c, r) => {
    const v = pick(r, [{ type: 'Unconfined' }, { type: 'RuntimeDefault' }]);
    if (r() < 0.5) sc(c).appArmorProfile = v;
    else (p.spec.securityContext ??= {}).appArmorProfile = v;
  }],
  ['writable-root', (_p, c) => (sc(c).readOnlyRootFilesystem = false)],
  ['no-limits', (_p, c, r) => {
    if (r() < 0.5) delete c.resources;
    else if (c.resources) delete c.resources.limits;
  }],
  ['automount', (p, _c, r) => {
    if (r() < 0.5) p.spec.automountServiceAccountToken = true;
    else delete p.spec.automountServiceAccountToken;
  }],
  ['init-container', (p, _c, r) => {
    p.spec.initContainers = [...(p.spec.initContainers ?? []), { name: `init${Math.floor(r() * 1000)}`, image: pick(r, ['busybox', 'registry.example.com/tools/migrate:1']) }];
  }],
  ['harmless-label', (p) => (p.meta.labels = { ...(p.meta.labels ?? {}), tier: 'backend' })],
];

/** `count` variants named `fuzz-<seed>-<i>`, each from a random base with 1-3 random breakers applied. */
export function variants(bases: readonly Obj[], count: number, seed: number): Obj[] {
  const r = prng(seed);
  const out: Obj[] = [];
  for (let i = 0; i < count && bases.length > 0; i++) {
    const o = structuredClone(pick(r, bases));
    o.metadata = { ...o.metadata, name: `fuzz-${seed}-${i}`, annotations: { ...(o.metadata.annotations ?? {}) } };
    const pod = podOf(o);
    const applied: string[] = [];
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n; j++) {
      const [name, breaker] = pick(r, BREAKERS);
      const containers: Obj[] = pod.spec.containers;
      breaker(pod, pick(r, containers), r);
      applied.push(name);
    }
    o.metadata.annotations['e2e.rampart.dev/breakers'] = applied.join(',');
    out.push(o);
  }
  return out;
}

import type { KubeArmorPolicyModel, KubeArmorRule } from '../kubearmor/model.js';
import { isDenied, resourcePath, type RuntimeEvent, type RuntimeOperation, type RuntimeWorkload } from '../telemetry/event.js';
import { compileGoGlob } from './glob.js';
import { isHostWorkload, policyApplies } from './select.js';

/**
 * The decision engine: given KubeArmor policies and a runtime event, the Action and PolicyName exactly as
 * KubeArmor's feeder (feeder/policyMatcher.go: UpdateSecurityPolicies + UpdateMatchedPolicy) sets them.
 *
 * KubeArmor decides in two steps: the kernel enforcer (AppArmor / BPF-LSM) allows or denies the operation, then the
 * feeder labels the event using the policies and that kernel result. Rampart does both: it predicts the enforcer's
 * result from the policies (Block rules, and allowlists under a `block` default posture), then runs a faithful
 * port of the feeder's matching with it. Policies are bound to workloads and their rules compiled (globs to RegExp,
 * per-operation lists) once per workload, so the per-event path is a short loop with no parsing.
 */

/** Default posture per resource family: what happens to what an allowlist does not allow. */
export type PostureAction = 'audit' | 'block' | 'allow';
export interface Posture {
  file: PostureAction;
  network: PostureAction;
  capabilities: PostureAction;
}
/** KubeArmor's own global default (config: defaultFilePosture/defaultNetworkPosture/defaultCapabilitiesPosture). */
export const KUBEARMOR_DEFAULT_POSTURE: Posture = { file: 'audit', network: 'audit', capabilities: 'audit' };

/** How the kernel result fed to the matcher is chosen. */
export type ResultMode = 'auto' | 'merge' | 'recorded' | 'predicted';

/** `none`: a node without an LSM enforcer (KubeArmor only monitors): every container's policies are audited. */
export type Enforcer = 'AppArmor' | 'BPFLSM' | 'none';

export interface DecisionOptions {
  /** Global default posture (KubeArmor's config); default audit for all three. */
  defaultPosture?: Partial<Posture>;
  /** Per-namespace posture (the kubearmor-{file,network,capabilities}-posture namespace annotations). */
  namespacePosture?: Record<string, Partial<Posture>>;
  /** Namespaces annotated kubearmor-policy: audited (enforcement off, actions become "Audit (Block)"/"Audit (Allow)"). */
  auditedNamespaces?: readonly string[];
  /** The node's enforcer; AppArmor (default) maps capability rules for net_raw to raw-socket network rules. */
  enforcer?: Enforcer;
  /**
   * auto (default): `recorded` for KubeArmor records that carry a Result (KubeArmor's own kernel answer, so the labels
   * are exactly the ones its feeder gives), `merge` for everything else; merge: denied when the event was recorded
   * denied or the policies would deny it; recorded: trust the event's Result; predicted: ignore it (pure "what would
   * these policies do").
   */
  resultMode?: ResultMode;
  /** Node labels for host policies' nodeSelector. */
  nodeLabels?: Record<string, string>;
}

export type DecisionType = 'MatchedPolicy' | 'MatchedHostPolicy' | 'ContainerLog' | 'HostLog';

export interface Decision {
  /** Allow | Audit | Block, or "Audit (Block)" / "Audit (Allow)" in audited namespaces. */
  action: string;
  /** The matching policy, "DefaultPosture" when an allowlist's posture decided, "" when nothing matched. */
  policyName: string;
  type: DecisionType;
  severity?: string;
  tags?: string[];
  message?: string;
  enforcer?: string;
  /** The kernel result the matcher used ("Passed", "Permission denied", ...). */
  result: string;
  /** What the policies alone would make the kernel answer. */
  predictedResult: string;
  /** The rule that decided, when one did. */
  rule?: KubeArmorRule;
  /** True when the policies block it or would block it (Block, Audit (Block)). */
  wouldBlock: boolean;
  /** Whether KubeArmor would emit this record as an alert (it drops Allow+Passed matches and plain logs). */
  alert: boolean;
  /** Set when the event's operation is not evaluated (RuntimeEvent.unsupported). */
  notEvaluated?: true;
}

type MatchAction = 'Allow' | 'Audit' | 'Block' | 'Audit (Allow)' | 'Audit (Block)';
type EntryOp = RuntimeOperation | '';

interface Entry {
  idx: number;
  op: EntryOp;
  type: 'Path' | 'Directory' | 'Glob' | 'ExecName' | 'Protocol' | 'Capability' | 'Syscall';
  resource: string;
  slashes: number;
  glob?: RegExp;
  fromSource: boolean;
  source: string;
  ownerOnly: boolean;
  readOnly: boolean;
  recursive: boolean;
  action: MatchAction;
  policyName: string;
  severity: string;
  tags: string[];
  message: string;
  rule: KubeArmorRule;
  /** Upper-case syscall name of a Syscall entry. */
  syscall?: string;
  /** Sources whose AppArmor sub-profile does not receive this container-wide rule (a rule of its own covers it). */
  shadowedFor?: Set<string>;
  /** `source + " "` (socket source match) and `"/" + execname`, precomputed. */
  sourceSpace: string;
  execSuffix: string;
}

interface Endpoint {
  host: boolean;
  /** Binaries named in fromSource (process, file, network, capability rules): each has its own AppArmor sub-profile. */
  sources: Set<string>;
  /** Whether process/file Allow rules exist without fromSource, and for which sources with it. */
  fileAllowGlobal: boolean;
  fileAllowSources: Set<string>;
  total: number;
  byOp: Record<RuntimeOperation, Entry[]>;
  existFileAllow: boolean;
  existNetworkAllow: boolean;
  existCapAllow: boolean;
  /** Posture as the feeder's loop sees it (host events: none). */
  loop: Posture | undefined;
  /** Posture applied when no rule labelled the event. */
  final: Posture;
  audited: boolean;
}

export interface DecisionEngine {
  decide(ev: RuntimeEvent): Decision;
  /** Policies that apply to a workload, in KubeArmor's order. */
  policiesFor(w: RuntimeWorkload): KubeArmorPolicyModel[];
}

const PASSED = 'Passed';
const DENIED = 'Permission denied';
const isAllowish = (a: string): boolean => a === 'Allow' || a === 'Audit (Allow)';

export function createDecisionEngine(policies: readonly KubeArmorPolicyModel[], opts: DecisionOptions = {}): DecisionEngine {
  const ordered = [...policies].sort((a, b) => a.index - b.index);
  const enforcer: Enforcer = opts.enforcer ?? 'AppArmor';
  const global: Posture = { ...KUBEARMOR_DEFAULT_POSTURE, ...opts.defaultPosture };
  const audited = new Set(opts.auditedNamespaces ?? []);
  const resultMode = opts.resultMode ?? 'auto';
  // Policies indexed by namespace (KubeArmorPolicy) and kind, so binding a workload scans only candidates.
  const byNamespace = new Map<string, KubeArmorPolicyModel[]>();
  const clusterWide: KubeArmorPolicyModel[] = [];
  const hostPolicies: KubeArmorPolicyModel[] = [];
  for (const p of ordered) {
    if (p.kind === 'KubeArmorPolicy') {
      const ns = p.namespace ?? 'default';
      let arr = byNamespace.get(ns);
      if (!arr) byNamespace.set(ns, (arr = []));
      arr.push(p);
    } else if (p.kind === 'KubeArmorClusterPolicy') clusterWide.push(p);
    else hostPolicies.push(p);
  }
  const endpoints = new Map<string, Endpoint>();
  // Feeds that reuse one workload object per workload (parseTelemetry interns them) skip the key entirely.
  const byObject = new WeakMap<RuntimeWorkload, Endpoint>();
  const scratch: EventView = { ev: undefined as unknown as RuntimeEvent, first: '', dir: '', dirSlashes: 0, readAccess: false, protocol: '', owner: false };

  const policiesFor = (w: RuntimeWorkload): KubeArmorPolicyModel[] => {
    if (isHostWorkload(w)) return hostPolicies.filter((p) => policyApplies(p, w, opts.nodeLabels));
    const cands = [...(byNamespace.get(w.namespace ?? '') ?? []), ...clusterWide].sort((a, b) => a.index - b.index);
    return cands.filter((p) => policyApplies(p, w));
  };

  const endpointFor = (w: RuntimeWorkload): Endpoint => {
    const known = byObject.get(w);
    if (known) return known;
    const key = endpointKey(w);
    let ep = endpoints.get(key);
    if (!ep) {
      const host = isHostWorkload(w);
      const isAudited = !host && (enforcer === 'none' || audited.has(w.namespace ?? ''));
      ep = compileEndpoint(policiesFor(w), host, isAudited, enforcer);
      const nsPosture = host ? undefined : opts.namespacePosture?.[w.namespace ?? ''];
      ep.final = { ...global, ...nsPosture };
      ep.loop = host ? undefined : ep.final;
      endpoints.set(key, ep);
    }
    byObject.set(w, ep);
    return ep;
  };

  return {
    policiesFor,
    decide(ev) {
      if (ev.unsupported !== undefined) return NOT_EVALUATED;
      const ep = endpointFor(ev.workload);
      const view = fillView(scratch, ev);
      const predicted = predictDenied(ep, view) ? DENIED : PASSED;
      const recorded = ev.result;
      let result: string;
      const mode = resultMode === 'auto' ? (ev.origin === 'kubearmor' && recorded !== undefined ? 'recorded' : 'merge') : resultMode;
      if (mode === 'recorded') result = recorded ?? PASSED;
      else if (mode === 'predicted') result = predicted;
      else result = recorded !== undefined && recorded !== PASSED ? recorded : predicted;
      return feederMatch(ep, view, result, predicted, enforcer);
    },
  };
}

function endpointKey(w: RuntimeWorkload): string {
  // Label order as the feed wrote it (stable per workload); a different order only costs a duplicate endpoint.
  let key = `${w.namespace ?? ''}\u0000${w.container ?? ''}\u0000${w.host ?? ''}\u0000${w.containerId || w.namespace || w.pod ? 'c' : 'h'}\u0000`;
  for (const k in w.labels) key += `${k}=${w.labels[k]}\u0001`;
  return key;
}

/** UpdateSecurityPolicies: one entry per rule and fromSource path, in policy order. */
function compileEndpoint(policies: KubeArmorPolicyModel[], host: boolean, audited: boolean, enforcer: Enforcer): Endpoint {
  const entries: Entry[] = [];
  const act = (a: string): MatchAction => (audited && (a === 'Allow' || a === 'Block') ? (`Audit (${a})` as MatchAction) : (a as MatchAction));
  const push = (e: Omit<Entry, 'idx' | 'slashes' | 'policyName' | 'severity' | 'tags' | 'message' | 'rule' | 'sourceSpace' | 'execSuffix'>, r: KubeArmorRule): void => {
    entries.push({
      ...e,
      idx: entries.length,
      slashes: countSlashes(e.resource),
      sourceSpace: e.source + ' ',
      execSuffix: '/' + e.resource,
      policyName: r.policyName,
      severity: String(r.severity),
      tags: r.tags,
      message: r.message,
      rule: r,
    });
  };
  const base = { glob: undefined, ownerOnly: false, readOnly: false, recursive: false };
  for (const p of policies) {
    if (p.apparmor) continue;
    for (const r of p.rules) {
      const sources =
        'fromSource' in r && r.kind !== 'syscall' && r.kind !== 'syscallPath' && r.fromSource.length > 0 ? r.fromSource : undefined;
      switch (r.kind) {
        case 'processPath':
        case 'processDir':
        case 'filePath':
        case 'fileDir': {
          const op: EntryOp = r.kind.startsWith('process') ? 'Process' : 'File';
          const isDir = r.kind === 'processDir' || r.kind === 'fileDir';
          const type = isDir ? 'Directory' : r.kind === 'processPath' && r.execname ? 'ExecName' : 'Path';
          const resource = isDir ? (r as { dir: string }).dir : r.kind === 'processPath' ? (r.path ?? r.execname ?? '') : (r as { path: string }).path;
          const flags = {
            ownerOnly: r.ownerOnly,
            readOnly: 'readOnly' in r ? r.readOnly : false,
            recursive: 'recursive' in r ? r.recursive : false,
          };
          for (const src of sources ?? ['']) {
            push({ ...base, ...flags, op, type, resource, fromSource: src !== '', source: src, action: act(r.action) }, r);
          }
          break;
        }
        case 'processPattern':
        case 'filePattern': {
          const glob = compileGoGlob(r.pattern);
          if (!isGoRegexp(r.pattern)) break; // regexp.Compile failed: KubeArmor skips the rule
          push(
            {
              ...base,
              op: r.kind === 'processPattern' ? 'Process' : 'File',
              type: 'Glob',
              resource: r.pattern,
              glob: glob ?? /(?!)/,
              ownerOnly: r.ownerOnly,
              readOnly: r.kind === 'filePattern' ? r.readOnly : false,
              fromSource: false,
              source: '',
              action: act(r.action),
            },
            r,
          );
          break;
        }
        case 'network':
          for (const src of sources ?? ['']) {
            push({ ...base, op: 'Network', type: 'Protocol', resource: r.protocol, fromSource: src !== '', source: src, action: act(r.action) }, r);
          }
          break;
        case 'capability': {
          // Under AppArmor only net_raw is understood (as raw-socket network); other capabilities never match.
          const op: EntryOp = enforcer === 'BPFLSM' ? 'Capabilities' : r.capability === 'net_raw' ? 'Network' : '';
          const resource = enforcer === 'BPFLSM' ? r.capability.toUpperCase() : r.capability === 'net_raw' ? 'raw' : 'unknown';
          for (const src of sources ?? ['']) {
            push({ ...base, op, type: 'Capability', resource, fromSource: src !== '', source: src, action: act(r.action) }, r);
          }
          break;
        }
        case 'syscall':
        case 'syscallPath': {
          const target = r.kind === 'syscallPath' && !host ? r.target : '';
          const readOnly = r.kind === 'syscallPath' && r.recursive; // the feeder reuses ReadOnly for "recursive path"
          const srcs = r.fromSource.filter((s) => s.path || s.dir);
          for (const s of srcs.length > 0 ? srcs : [undefined]) {
            const source = s ? (s.path ?? (s.dir!.endsWith('/') ? s.dir! : s.dir + '/')) : '';
            for (const name of r.syscalls) {
              push(
                {
                  ...base,
                  op: 'Syscall',
                  type: 'Syscall',
                  resource: target,
                  fromSource: source !== '',
                  source,
                  readOnly: s ? readOnly && r.kind === 'syscallPath' && !host : readOnly,
                  recursive: s ? !s.path && s.recursive === true : false,
                  action: 'Audit',
                  glob: undefined,
                  ownerOnly: false,
                  syscall: name.toUpperCase(),
                },
                { ...r, syscalls: [name] },
              );
            }
          }
          break;
        }
      }
    }
  }
  const byOp: Record<RuntimeOperation, Entry[]> = { Process: [], File: [], Network: [], Capabilities: [], Syscall: [] };
  let existFileAllow = false;
  let existNetworkAllow = false;
  let existCapAllow = false;
  for (const e of entries) {
    if (isAllowish(e.action)) {
      if (e.op === 'Process' || e.op === 'File') existFileAllow = true;
      else if (e.op === 'Network') existNetworkAllow = true;
      else if (e.op === 'Capabilities') existCapAllow = true;
    }
    if (e.op !== '') byOp[e.op].push(e);
  }
  const sources = new Set<string>();
  const fileAllowSources = new Set<string>();
  let fileAllowGlobal = false;
  for (const e of entries) {
    if (e.op === 'Syscall' || e.op === '') continue;
    if (e.fromSource) sources.add(e.source);
    if (e.action === 'Allow' && (e.op === 'Process' || e.op === 'File')) {
      if (e.fromSource) fileAllowSources.add(e.source);
      else fileAllowGlobal = true;
    }
  }
  markShadowed(entries, sources);
  return {
    host,
    sources,
    fileAllowGlobal,
    fileAllowSources,
    total: entries.length,
    byOp,
    existFileAllow,
    existNetworkAllow,
    existCapAllow,
    loop: undefined,
    final: KUBEARMOR_DEFAULT_POSTURE,
    audited,
  };
}

function isGoRegexp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function countSlashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

/** Go's filepath.Dir(path) + "/" for absolute paths (KubeArmor getDirectoryPart). */
export function directoryPart(path: string): string {
  if (path.charCodeAt(0) !== 47) return '__not_absolute_path__';
  const i = path.lastIndexOf('/');
  const head = path.slice(0, i + 1);
  // Fast path: an already clean path ("/a/b/") needs no Clean.
  if (!head.includes('//') && !head.includes('/./') && !head.includes('/../')) return i === 0 ? '//' : head;
  return cleanPath(head) + '/';
}

/** Go's path.Clean for absolute paths. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** What the matchers need from an event, computed once per decision. */
interface EventView {
  ev: RuntimeEvent;
  /** Resource up to the first space. */
  first: string;
  /** Directory part (with trailing slash) of `first` (File) or of the process (Process), and its slash count. */
  dir: string;
  dirSlashes: number;
  readAccess: boolean;
  /** Network: the protocol family of the socket. */
  protocol: string;
  owner: boolean;
}

/** Fills the engine's reusable view (decisions are synchronous, so one per engine suffices). */
function fillView(v: EventView, ev: RuntimeEvent): EventView {
  const first = resourcePath(ev.resource);
  const dir = ev.operation === 'File' ? directoryPart(first) : ev.operation === 'Process' ? directoryPart(ev.process) : '';
  v.ev = ev;
  v.first = first;
  v.dir = dir;
  v.dirSlashes = dir === '' ? 0 : countSlashes(dir);
  v.readAccess = ev.data !== undefined && ev.data.includes('O_RDONLY');
  v.protocol = ev.operation === 'Network' ? fetchProtocol(ev.resource) : '';
  v.owner = ownsFile(ev);
  return v;
}

/** KubeArmor matchResources: Path / Directory entries against the event. */
function matchResources(e: Entry, v: EventView): boolean {
  if (e.op === 'File') {
    if (e.type === 'Path') return e.resource === v.first;
    if (e.type === 'Directory') {
      if (v.dir.startsWith(e.resource) && (e.recursive ? v.dirSlashes >= e.slashes : v.dirSlashes === e.slashes)) return true;
      if (e.resource === v.ev.resource + '/') return true;
      return e.resource === '/' && e.recursive;
    }
    return false;
  }
  if (e.op === 'Process') {
    if (e.type === 'Path') return e.resource === v.ev.process;
    if (e.type === 'Directory') return v.dir.startsWith(e.resource) && (e.recursive ? v.dirSlashes >= e.slashes : v.dirSlashes === e.slashes);
  }
  return false;
}

function processSourceMatches(e: Entry, ev: RuntimeEvent): boolean {
  return !e.fromSource || e.source === ev.parentProcess || e.source === ev.process;
}
function socketSourceMatches(e: Entry, ev: RuntimeEvent): boolean {
  return !e.fromSource || (ev.source !== undefined && ev.source.startsWith(e.sourceSpace)) || e.source === ev.process;
}

function resourceMatches(e: Entry, v: EventView): boolean {
  if (e.type === 'Glob') return e.glob!.test(v.ev.resource) || e.glob!.test(v.ev.process);
  if (e.type === 'ExecName') return v.ev.process.endsWith(e.execSuffix);
  return matchResources(e, v);
}

/**
 * Whether the process owns the file (KubeArmor compares UID with the file owner, OID). karmor/relay output and the
 * other feeds do not carry the owner, and the owner only matters for paths an ownerOnly rule covers, which name files
 * of a specific user (KubeArmor's own tests: /home/user1/...). So without OID a non-root process is taken as the
 * owner and root as not: the reading under which every ownerOnly expectation of KubeArmor's test suite comes out
 * the same with and without OID (testdata/upstream).
 */
function ownsFile(ev: RuntimeEvent): boolean {
  if (ev.ownerUid !== undefined) return ev.uid === ev.ownerUid;
  return ev.uid === undefined || ev.uid !== 0;
}

/** KubeArmor's fetchProtocol: the protocol family of a socket description. */
export function fetchProtocol(resource: string): string {
  const r = resource;
  if (r.includes('protocol=TCP') || (r.includes('SOCK_STREAM') && r.includes('protocol=HOPOPT'))) return 'tcp';
  if (r.includes('protocol=UDP') || (r.includes('SOCK_DGRAM') && r.includes('protocol=HOPOPT'))) return 'udp';
  if (r.includes('protocol=ICMP')) return 'icmp';
  if (r.includes('SOCK_RAW')) return 'raw';
  if (r.includes('protocol=ICMPv6')) return 'icmpv6';
  if (r.includes('protocol=SCTP')) return 'sctp';
  if (r.includes('SOCK_STREAM')) return 'stream';
  if (r.includes('SOCK_DGRAM')) return 'dgram';
  if (r.includes('SOCK_RDM')) return 'rdm';
  if (r.includes('SOCK_SEQPACKET')) return 'seqpacket';
  if (r.includes('SOCK_DCCP')) return 'dccp';
  if (r.includes('SOCK_PACKET')) return 'packet';
  return resource;
}

/**
 * Would the kernel enforcer deny the operation? Modelled on KubeArmor's AppArmor profiles (enforcer/appArmorProfile.go
 * and appArmorTemplate.go):
 * - the confining binary is the parent for an exec, the process itself (else its parent, whose profile it inherits)
 *   otherwise; a binary named in some rule's fromSource runs in its own sub-profile, which holds its fromSource rules plus the container-wide file, network
 *   and capability rules (not the container-wide process rules); any other binary runs in the container profile,
 *   which holds the rules without fromSource;
 * - Block rules in scope deny what they match (readOnly: all but read-only opens; ownerOnly: all but the owner);
 * - an Allow rule in scope under a `block` posture removes the family's catch-all (`file,` for process and file
 *   rules alike, `network,`, `capability,`): then only what an Allow rule in scope matches is allowed (the container
 *   profile always lets fromSource binaries be executed, into their sub-profiles);
 * - Audit rules, syscall rules and audited namespaces never deny.
 */
function predictDenied(ep: Endpoint, v: EventView): boolean {
  if (ep.audited) return false;
  const ev = v.ev;
  const op = ev.operation;
  if (op === 'Syscall') return false;
  const entries = ep.byOp[op];
  // Children inherit their parent's profile (AppArmor `ix`), so a source's sub-profile also confines what it runs.
  let sub: string | undefined;
  if (ep.sources.size > 0) {
    if (op !== 'Process' && ep.sources.has(ev.process)) sub = ev.process;
    else if (ev.parentProcess !== undefined && ep.sources.has(ev.parentProcess)) sub = ev.parentProcess;
  }
  let allowed = false;
  let anyAllow = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const isBlock = e.action === 'Block';
    if (!isBlock && e.action !== 'Allow') continue;
    if (!inScope(e, sub)) continue;
    if (isBlock) {
      const exempt = (e.readOnly || e.ownerOnly) && flagsAllow(e, v);
      if (!exempt && predictResource(e, v)) return true;
    } else {
      anyAllow = true;
      if (!allowed && predictResource(e, v) && flagsAllow(e, v)) allowed = true;
    }
  }
  if (allowed) return false;
  const posture = ep.final;
  const fam = op === 'Network' ? posture.network : op === 'Capabilities' ? posture.capabilities : posture.file;
  if (fam !== 'block') return false;
  // Is the family's catch-all removed in this profile?
  const headerOff = op === 'Process' || op === 'File' ? (sub ? ep.fileAllowSources.has(sub) : ep.fileAllowGlobal) : anyAllowOwn(ep.byOp[op], sub) || (anyAllow && !sub);
  if (!headerOff) return false;
  if (op === 'Process' && !sub && ep.sources.has(ev.process)) return false; // px into the source's sub-profile
  if (op === 'File' && baseAllows(v)) return false;
  return true;
}

/**
 * What every KubeArmor AppArmor profile (and sub-profile) allows whatever the policies: `#include <abstractions/base>`
 * in its pre-section and `/lib/x86_64-linux-gnu/{*,**} rm` in its post-section (enforcer/appArmorTemplate.go). So an
 * allowlist under the block posture still lets every process load its libraries, locales and the like. The list is
 * the part of abstractions/base that file telemetry shows; only deny rules (Block) override it.
 */
const BASE_READ =
  /^(?:\/(?:usr\/)?lib(?:32|64|x32)?\/.|\/etc\/ld\.so\.(?:cache|conf|preload)$|\/etc\/ld\.so\.conf\.d\/|\/etc\/locale(?:\.alias$|\/)|\/etc\/localtime$|\/usr\/share\/(?:locale(?:-bundle|-langpack)?|zoneinfo(?:-icu)?|X11\/locale)\/|\/usr\/share\/.*\/locale\/|\/dev\/u?random$|\/proc\/(?:meminfo|stat|cpuinfo|sys\/kernel\/(?:version|ngroups_max|cap_last_cap)|sys\/crypto\/fips_enabled)$|\/proc\/(?:\d+|self|thread-self)\/(?:maps|auxv|status)$|\/sys\/devices\/system\/cpu\/(?:online)?$)/;
const BASE_RW = /^\/dev\/(?:null|zero|full|log)$/;

function baseAllows(v: EventView): boolean {
  return BASE_RW.test(v.first) || (v.readAccess && BASE_READ.test(v.first));
}

function inScope(e: Entry, sub: string | undefined): boolean {
  if (sub === undefined) return !e.fromSource;
  if (e.fromSource) return e.source === sub;
  return e.op !== 'Process' && (e.shadowedFor === undefined || !e.shadowedFor.has(sub));
}

/**
 * KubeArmor copies the container-wide file, network and capability rules into each fromSource sub-profile, except
 * those the sub-profile already has a rule for (enforcer/appArmorProfile.go, GenerateProfileBody): a network or
 * capability rule with the same protocol/capability, a file rule with the same path, or a file path under one of the
 * sub-profile's directory rules (recursive, or a direct child) — checkIfGlobalRuleToBeAdded. There the source's own
 * rule decides (e.g. a container-wide Block on a directory does not reach a binary allowed into it).
 */
function markShadowed(entries: readonly Entry[], sources: ReadonlySet<string>): void {
  if (sources.size === 0) return;
  const enforced = (e: Entry): boolean => e.action === 'Allow' || e.action === 'Block';
  for (const src of sources) {
    const localFiles = new Map<string, Entry>();
    const localOther = new Set<string>();
    for (const e of entries) {
      if (!e.fromSource || e.source !== src || !enforced(e)) continue;
      if (e.op === 'File') localFiles.set(e.resource, e);
      else if (e.op === 'Network' || e.op === 'Capabilities') localOther.add(`${e.op}:${e.type}:${e.resource}`);
    }
    if (localFiles.size === 0 && localOther.size === 0) continue;
    for (const e of entries) {
      if (e.fromSource || !enforced(e)) continue;
      let shadowed = false;
      if (e.op === 'File') shadowed = !globalFileRuleAdded(e.resource, localFiles);
      else if (e.op === 'Network' || e.op === 'Capabilities') shadowed = localOther.has(`${e.op}:${e.type}:${e.resource}`);
      if (shadowed) (e.shadowedFor ??= new Set()).add(src);
    }
  }
}

/** KubeArmor's checkIfGlobalRuleToBeAdded. */
function globalFileRuleAdded(p: string, local: ReadonlyMap<string, Entry>): boolean {
  if (local.has(p)) return false;
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) {
    const conf = local.get(parts.slice(0, i).join('/') + '/');
    if (conf && conf.type === 'Directory') {
      if (parts.length - i > 1 && !conf.recursive) continue;
      return false;
    }
  }
  return true;
}

/** Allow rules that belong to the profile itself (not copied from the container profile). */
function anyAllowOwn(entries: Entry[], sub: string | undefined): boolean {
  for (const e of entries) if (e.action === 'Allow' && (sub === undefined ? !e.fromSource : e.fromSource && e.source === sub)) return true;
  return false;
}

function flagsAllow(e: Entry, v: EventView): boolean {
  return (!e.readOnly || v.readAccess) && (!e.ownerOnly || v.ev.uid === undefined || v.owner);
}

function predictResource(e: Entry, v: EventView): boolean {
  const op = v.ev.operation;
  if (op === 'Network') return e.resource === 'all' || v.protocol === e.resource;
  if (op === 'Capabilities') {
    const r = v.ev.resource.toUpperCase();
    return e.resource.split(',').some((c) => r.includes(c));
  }
  return resourceMatches(e, v);
}

/** The common outcome (nothing matched, nothing denied) is one shared frozen value: no allocation per event. */
const CONTAINER_LOG: Decision = Object.freeze({ action: 'Allow', policyName: '', type: 'ContainerLog', result: PASSED, predictedResult: PASSED, wouldBlock: false, alert: false });
const NOT_EVALUATED: Decision = Object.freeze({ action: 'Allow', policyName: '', type: 'ContainerLog', result: PASSED, predictedResult: PASSED, wouldBlock: false, alert: false, notEvaluated: true });
const HOST_LOG: Decision = Object.freeze({ action: 'Allow', policyName: '', type: 'HostLog', result: PASSED, predictedResult: PASSED, wouldBlock: false, alert: false });

interface LogState {
  type: '' | 'MatchedPolicy';
  policyName: string;
  action: string;
  severity?: string;
  tags?: string[];
  message?: string;
  enforcer?: string;
  rule?: KubeArmorRule;
}

function matched(log: LogState, e: Entry, action: string, enforcer: string): void {
  log.type = 'MatchedPolicy';
  log.policyName = e.policyName;
  log.severity = e.severity;
  if (e.tags.length > 0) log.tags = e.tags;
  if (e.message !== '') log.message = e.message;
  log.enforcer = enforcer;
  log.action = action;
  log.rule = e.rule;
}

function defaultPosture(log: LogState, action: string): void {
  log.type = 'MatchedPolicy';
  log.policyName = 'DefaultPosture';
  log.severity = '';
  log.tags = undefined;
  log.message = '';
  log.enforcer = 'eBPF Monitor';
  log.action = action;
  log.rule = undefined;
}

/** A port of UpdateMatchedPolicy for one event with the chosen kernel result. */
function feederMatch(ep: Endpoint, v: EventView, result: string, predicted: string, enforcer: Enforcer): Decision {
  const ev = v.ev;
  const log: LogState = { type: '', policyName: '', action: '' };
  const passed = result === PASSED;
  const considered = passed || isDenied(result);
  const enforcing = ep.audited ? 'eBPF Monitor' : enforcer;
  const loop = ep.loop;
  const loopFile = loop?.file ?? '';
  if (considered) {
    const entries = ep.byOp[ev.operation];
    let skip = false;
    for (const e of entries) {
      if (isAllowish(e.action) && loopFile === 'allow') continue;
      switch (ev.operation) {
        case 'Process':
        case 'File': {
          if (skip) break;
          if (processSourceMatches(e, ev)) {
            if (resourceMatches(e, v)) {
              let flags: boolean;
              const readAccess = v.readAccess;
              const same = v.owner;
              if (e.readOnly && ev.resource !== '' && e.ownerOnly) {
                flags = (readAccess && same && e.action.includes('Allow')) || (readAccess && !same) || (!readAccess && same) || (!readAccess && !same);
              } else if (e.readOnly && ev.resource !== '') {
                flags = (readAccess && e.action.includes('Allow')) || !readAccess;
              } else if (e.ownerOnly) {
                flags = (same && e.action.includes('Allow')) || !same;
              } else flags = true;
              if (flags && isAllowish(e.action) && passed) {
                if (log.action === 'Audit') continue;
                matched(log, e, 'Allow', enforcing);
                continue;
              }
              if (flags && e.action === 'Audit' && passed) {
                matched(log, e, 'Audit', 'eBPF Monitor');
                skip = true;
                continue;
              }
              if (
                (e.action === 'Block' && !passed) ||
                (flags && !e.ownerOnly && !e.readOnly && e.action === 'Audit (Block)' && passed) ||
                (!flags && (e.ownerOnly || e.readOnly) && e.action === 'Audit (Block)' && passed)
              ) {
                matched(log, e, e.action, enforcing);
                skip = true;
                continue;
              }
              if (flags && e.action === 'Allow' && !passed) continue;
            }
            if (e.action === 'Allow' && !passed) {
              defaultPosture(log, 'Block');
              continue;
            }
            if (e.action === 'Audit (Allow)' && passed) {
              defaultPosture(log, loopFile === 'block' ? 'Audit (Block)' : 'Audit');
              continue;
            }
          }
          if (loopFile === 'block' && e.action === 'Audit (Allow)' && passed && log.type === '') defaultPosture(log, 'Audit (Block)');
          if (loopFile === 'audit' && isAllowish(e.action) && passed && log.type === '') defaultPosture(log, 'Audit');
          break;
        }
        case 'Network': {
          if (skip) break;
          const loopNet = loop?.network ?? '';
          if (socketSourceMatches(e, ev)) {
            const protocol = v.protocol;
            const flags = protocol === e.resource || e.resource === 'all';
            if (flags) {
              if (isAllowish(e.action) && passed) {
                matched(log, e, 'Allow', enforcing);
                skip = true;
                continue;
              }
              if (e.action === 'Audit' && passed) {
                matched(log, e, 'Audit', 'eBPF Monitor');
                skip = true;
                continue;
              }
              if ((e.action === 'Block' && !passed) || (e.action === 'Audit (Block)' && passed)) {
                matched(log, e, e.action, enforcing);
                skip = true;
                continue;
              }
            }
            if (protocol === 'unknown') {
              log.type = 'MatchedPolicy';
              log.action = 'Allow';
              continue;
            }
            if (!flags && e.idx < ep.total - 1) continue;
            if (e.action === 'Allow' && !passed) {
              defaultPosture(log, 'Block');
              continue;
            }
            if (e.action === 'Audit (Allow)' && passed) {
              defaultPosture(log, loopNet === 'block' ? 'Audit (Block)' : 'Audit');
              continue;
            }
          }
          if (loopNet === 'block' && e.action === 'Audit (Allow)' && passed) defaultPosture(log, 'Audit (Block)');
          if (loopNet === 'audit' && isAllowish(e.action) && passed) defaultPosture(log, 'Audit');
          break;
        }
        case 'Capabilities': {
          const loopCap = loop?.capabilities ?? '';
          if (socketSourceMatches(e, ev)) {
            let hit = false;
            for (const cap of e.resource.split(',')) {
              if (hit) break;
              if (!ev.resource.includes(cap)) continue;
              if (isAllowish(e.action) && passed) {
                matched(log, e, 'Allow', enforcing);
                hit = true;
              } else if (e.action === 'Audit' && passed) {
                matched(log, e, 'Audit', 'eBPF Monitor');
                hit = true;
              } else if ((e.action === 'Block' && !passed) || (e.action === 'Audit (Block)' && passed)) {
                matched(log, e, e.action, enforcing);
                hit = true;
              }
            }
            if (hit) continue;
            if (e.action === 'Allow' && !passed) {
              defaultPosture(log, 'Block');
              continue;
            }
            if (e.action === 'Audit (Allow)' && passed) {
              defaultPosture(log, loopCap === 'block' ? 'Audit (Block)' : 'Audit');
              continue;
            }
          }
          if (loopCap === 'block' && e.action === 'Audit (Allow)' && passed) defaultPosture(log, 'Audit (Block)');
          if (loopCap === 'audit' && isAllowish(e.action) && passed) defaultPosture(log, 'Audit');
          break;
        }
        case 'Syscall': {
          const m = /SYS_([^ ]*)/.exec((ev.data ?? '').split(' ')[0]);
          if (!m || m[1] !== e.syscall) break;
          const src = (ev.source ?? '').split(' ')[0];
          const fromOk =
            e.fromSource &&
            ((src.startsWith(e.source) && e.source.endsWith('/') && (e.recursive || !src.slice(e.source.length).includes('/'))) || e.source === src);
          const r = e.resource;
          const pathOk =
            r.length > 0 && ((r.endsWith('/') && ((ev.resource.startsWith(r) && e.readOnly) || r.slice(0, -1) === ev.resource)) || r === ev.resource);
          if ((r.length === 0 || pathOk) && (!e.fromSource || fromOk)) {
            matched(log, e, 'Audit', log.enforcer ?? '');
            log.enforcer = undefined;
          }
          break;
        }
      }
    }
  }
  // Nothing labelled the event: the default posture of an allowlist, or a plain log.
  const host = ep.host;
  let type: DecisionType;
  if (log.type === '') {
    const exist =
      considered &&
      (ev.operation === 'Network' ? ep.existNetworkAllow : ev.operation === 'Capabilities' ? ep.existCapAllow : ev.operation === 'Syscall' ? false : ep.existFileAllow);
    const posture = ev.operation === 'Network' ? ep.final.network : ev.operation === 'Capabilities' ? ep.final.capabilities : ev.operation === 'Syscall' ? '' : ep.final.file;
    if (exist && posture === 'audit' && passed) defaultPosture(log, 'Audit');
    else if (exist && posture === 'block' && !passed) defaultPosture(log, 'Block');
  }
  if (log.type === '') {
    if (result === PASSED && predicted === PASSED) return host ? HOST_LOG : CONTAINER_LOG;
    type = host ? 'HostLog' : 'ContainerLog';
    return { action: 'Allow', policyName: '', type, result, predictedResult: predicted, wouldBlock: false, alert: false };
  }
  type = host ? 'MatchedHostPolicy' : 'MatchedPolicy';
  const action = log.action === '' ? 'Allow' : log.action;
  const d: Decision = {
    action,
    policyName: log.policyName,
    type,
    result,
    predictedResult: predicted,
    wouldBlock: action === 'Block' || action === 'Audit (Block)',
    alert: !(action === 'Allow' && passed),
  };
  if (log.severity) d.severity = log.severity;
  if (log.tags) d.tags = log.tags;
  if (log.message) d.message = log.message;
  if (log.enforcer) d.enforcer = log.enforcer;
  if (log.rule) d.rule = log.rule;
  return d;
}

import { diag, type Diagnostic } from '../../core/diagnostic.js';
import type { FieldPath } from '../../core/span.js';
import type { SeccompProfile } from '../../compilers/seccomp/profile.js';
import { isObject, type LoadedObject } from '../../k8s/object.js';
import { podTemplateOf } from '../../k8s/podspec.js';
import { computeCapabilities, type OciCapabilities } from './capabilities.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_PATH_ENV, DEFAULT_READONLY_PATHS, defaultMounts, type OciMount, type OciSpec } from './oci.js';
import { RUNTIME_DEFAULT_SECCOMP } from './runtime-default-seccomp.js';
import { resolveProfile } from './seccomp-conditional.js';

/** What the node is: the mapping and the expectations depend on it. */
export interface HostFacts {
  /** GOARCH: amd64, arm64... */
  arch: string;
  /** Kernel release, e.g. "6.1.0-18-amd64". */
  kernel: string;
  /** /proc/sys/kernel/cap_last_cap. */
  capLastCap: number;
  /** AppArmor LSM active (/sys/module/apparmor/parameters/enabled = Y). */
  appArmor: boolean;
  /** Kernel built with loadable module support (/proc/modules exists). */
  kernelModules: boolean;
  /** Unprivileged user namespaces possible (/proc/sys/user/max_user_namespaces > 0). */
  userNamespaces: boolean;
  /** CapEff of the runtime (hex, /proc/self/status): what "all capabilities" means for privileged. Default: all known. */
  runtimeCapMask?: string;
}

/** A seccomp profile given with --policy (or read from the kubelet seccomp root), keyed by its path. */
export interface LocalSeccompProfile {
  path: string;
  profile: SeccompProfile;
}

export interface MappingOptions {
  host: HostFacts;
  /** Container to run (default: the first one). */
  container?: string;
  /** Localhost seccomp profiles available to the "node". */
  localhostProfiles?: readonly LocalSeccompProfile[];
  /** Emulate the kubelet's --seccomp-default (RuntimeDefault when the pod sets no profile). Default false, as the kubelet. */
  seccompDefault?: boolean;
}

export type SeccompSource = 'container' | 'pod' | 'kubelet-default' | 'none';

export interface SeccompControl {
  type: 'RuntimeDefault' | 'Localhost' | 'Unconfined';
  source: SeccompSource;
  localhostProfile?: string;
  /** The concrete profile runc loads; undefined when unconfined (or privileged). */
  profile?: SeccompProfile;
}

export interface AppArmorControl {
  /** What the pod asks for; `unset` means the runtime default on AppArmor nodes. */
  type: 'RuntimeDefault' | 'Localhost' | 'Unconfined' | 'unset';
  localhostProfile?: string;
}

/** A volume of the container as the sandbox mounts it. */
export interface VolumePlan {
  name: string;
  mountPath: string;
  readOnly: boolean;
  /** emptyDir: a writable directory (kubelet makes it 0777); token: a simulated service-account token; empty: placeholder. */
  kind: 'emptyDir' | 'token' | 'empty';
  /** Bundle-relative source directory the io layer creates. */
  source: string;
}

/** The controls the container really runs with, as the expectations reason about them. */
export interface Controls {
  pod: string;
  container: string;
  uid: number;
  gid: number;
  supplementalGroups: number[];
  runAsNonRoot: boolean;
  privileged: boolean;
  capabilities: OciCapabilities;
  noNewPrivileges: boolean;
  readOnlyRootFilesystem: boolean;
  seccomp: SeccompControl;
  appArmor: AppArmorControl;
  serviceAccountToken: boolean;
  /** Mount paths of writable volumes. */
  writableMounts: string[];
  readonlyPaths: string[];
}

export interface MappingResult {
  spec?: OciSpec;
  controls?: Controls;
  volumes: VolumePlan[];
  diagnostics: Diagnostic[];
}

export const SA_TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The users of the sandbox image's /etc/passwd (io/sandbox/rootfs writes the same file). */
export const SANDBOX_IMAGE_USERS: readonly { name: string; uid: number; gid: number }[] = [
  { name: 'root', uid: 0, gid: 0 },
  { name: 'app', uid: 1001, gid: 1001 },
  { name: 'nobody', uid: 65534, gid: 65534 },
];

/**
 * Maps a pod's (or controller's) container to the OCI config a container runtime would give runc: containerd's
 * default spec, the CRI securityContext options (user, groups, capabilities, privileged, noNewPrivileges,
 * read-only root, seccomp) and the kubelet's rules (runAsNonRoot check, allowPrivilegeEscalation defaulting,
 * service-account token automount). The root filesystem is `rootfs` in the bundle; args are set by the caller.
 */
export function podToOci(loaded: LoadedObject, opts: MappingOptions): MappingResult {
  const diagnostics: Diagnostic[] = [];
  const obj = loaded.object;
  const tpl = podTemplateOf(obj);
  const at = (path: FieldPath) => ({ span: loaded.locate(path), path });
  if (!tpl) {
    diagnostics.push(diag('verify_no_pod', `${String(obj.kind)} is not a Pod or pod controller`, { span: loaded.span }));
    return { volumes: [], diagnostics };
  }
  const spec = tpl.spec;
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
  const index = opts.container === undefined ? 0 : containers.findIndex((c) => c.name === opts.container);
  if (containers.length === 0 || index < 0) {
    const names = containers.map((c) => String(c.name)).join(', ');
    diagnostics.push(
      diag('verify_container_not_found', opts.container === undefined ? 'the pod has no containers' : `no container named "${opts.container}"`, {
        ...at([...tpl.specPath, 'containers']),
        help: names ? `containers: ${names}` : undefined,
      }),
    );
    return { volumes: [], diagnostics };
  }
  const c = containers[index];
  const cPath: FieldPath = [...tpl.specPath, 'containers', index];
  const podSc = isObject(spec.securityContext) ? spec.securityContext : {};
  const sc = isObject(c.securityContext) ? c.securityContext : {};
  const scPath: FieldPath = [...cPath, 'securityContext'];
  const podScPath: FieldPath = [...tpl.specPath, 'securityContext'];

  const num = (v: unknown, path: FieldPath): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
    diagnostics.push(diag('verify_invalid_security_context', `${path[path.length - 1]} must be a non-negative integer`, at(path)));
    return undefined;
  };
  const bool = (v: unknown, path: FieldPath): boolean | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    diagnostics.push(diag('verify_invalid_security_context', `${path[path.length - 1]} must be true or false`, at(path)));
    return undefined;
  };
  const pick = <T>(field: string, read: (v: unknown, p: FieldPath) => T | undefined): T | undefined =>
    read(sc[field], [...scPath, field]) ?? read(podSc[field], [...podScPath, field]);

  // The sandbox image (busybox) has no USER: the image user is root, as for most images. Without runAsGroup the
  // runtime takes the uid's primary group from the image's /etc/passwd (0 when the uid is not listed).
  const uid = pick('runAsUser', num) ?? 0;
  const gid = pick('runAsGroup', num) ?? SANDBOX_IMAGE_USERS.find((u) => u.uid === uid)?.gid ?? 0;
  const runAsNonRoot = pick('runAsNonRoot', bool) ?? false;
  const privileged = bool(sc.privileged, [...scPath, 'privileged']) ?? false;
  const ape = bool(sc.allowPrivilegeEscalation, [...scPath, 'allowPrivilegeEscalation']);
  const readOnlyRoot = bool(sc.readOnlyRootFilesystem, [...scPath, 'readOnlyRootFilesystem']) ?? false;
  const groups: number[] = [];
  const fsGroup = num(podSc.fsGroup, [...podScPath, 'fsGroup']);
  if (fsGroup !== undefined) groups.push(fsGroup);
  if (Array.isArray(podSc.supplementalGroups)) {
    podSc.supplementalGroups.forEach((g, i) => {
      const n = num(g, [...podScPath, 'supplementalGroups', i]);
      if (n !== undefined && !groups.includes(n)) groups.push(n);
    });
  }

  if (runAsNonRoot && uid === 0) {
    diagnostics.push(
      diag('verify_run_as_root', 'runAsNonRoot is true but the container would run as uid 0 (the image user); the kubelet refuses to start it', {
        ...at([...scPath, 'runAsUser']),
        help: 'set runAsUser to a non-zero uid',
      }),
    );
  }
  if (privileged && ape === false) {
    diagnostics.push(
      diag('verify_api_rejects', 'the API server rejects allowPrivilegeEscalation: false together with privileged: true', at([...scPath, 'allowPrivilegeEscalation'])),
    );
  }

  // Isolation-changing fields the sandbox does not reproduce: say so rather than verify a different pod.
  const ignored: [FieldPath, boolean][] = [
    [[...tpl.specPath, 'hostPID'], spec.hostPID === true],
    [[...tpl.specPath, 'hostNetwork'], spec.hostNetwork === true],
    [[...tpl.specPath, 'hostIPC'], spec.hostIPC === true],
    [[...tpl.specPath, 'hostUsers'], spec.hostUsers === false],
    [[...podScPath, 'sysctls'], Array.isArray(podSc.sysctls) && podSc.sysctls.length > 0],
    [[...scPath, 'procMount'], sc.procMount !== undefined && sc.procMount !== 'Default'],
    [[...scPath, 'seLinuxOptions'], isObject(sc.seLinuxOptions) || isObject(podSc.seLinuxOptions)],
  ];
  for (const [path, set] of ignored) {
    if (!set) continue;
    diagnostics.push(
      diag('verify_field_ignored', `${String(path[path.length - 1])} is not reproduced in the sandbox: results describe the pod without it`, {
        severity: 'warning',
        ...at(path),
      }),
    );
  }

  const capsIn = isObject(sc.capabilities) ? sc.capabilities : undefined;
  const { capabilities, problems } = computeCapabilities(capsIn, privileged, uid, opts.host.capLastCap, opts.host.runtimeCapMask);
  for (const p of problems) {
    const path: FieldPath = p.index < 0 ? [...scPath, 'capabilities', p.field] : [...scPath, 'capabilities', p.field, p.index];
    const msg =
      p.reason === 'has_cap_prefix'
        ? `capability "${String(p.value)}" carries a CAP_ prefix; Kubernetes names have none (the runtime would refuse "CAP_${String(p.value).toUpperCase()}")`
        : p.reason === 'unknown'
          ? `unknown capability "${String(p.value)}"`
          : `capabilities.${p.field} entries must be strings`;
    diagnostics.push(diag('verify_capability_name', msg, at(path)));
  }
  if (ape === false && capabilities.bounding.includes('CAP_SYS_ADMIN') && !privileged) {
    diagnostics.push(
      diag('verify_api_rejects', 'the API server rejects allowPrivilegeEscalation: false with the SYS_ADMIN capability', at([...scPath, 'allowPrivilegeEscalation'])),
    );
  }

  const seccomp = seccompOf(sc, podSc, scPath, podScPath, privileged, capabilities.bounding, opts, diagnostics, at);
  const appArmor = appArmorOf(sc, podSc, tpl.metadata.annotations, String(c.name ?? ''));
  if (appArmor.type !== 'unset' && appArmor.type !== 'Unconfined' && !opts.host.appArmor) {
    diagnostics.push(
      diag('verify_layer_not_enforceable', `the pod asks for AppArmor ${appArmor.type} but this node has no AppArmor LSM: AppArmor results are not-verifiable`, {
        severity: 'warning',
        ...at(scPath),
      }),
    );
  }

  // Volumes: emptyDir is real (a writable directory); the service-account token is simulated unless disabled.
  const volumes: VolumePlan[] = [];
  const podVolumes = new Map<string, Record<string, unknown>>();
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isObject(v) && typeof v.name === 'string') podVolumes.set(v.name, v);
  const mounts: OciMount[] = defaultMounts(privileged);
  const writableMounts: string[] = [];
  if (Array.isArray(c.volumeMounts)) {
    c.volumeMounts.forEach((m, i) => {
      if (!isObject(m) || typeof m.name !== 'string' || typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/')) return;
      const vol = podVolumes.get(m.name);
      const readOnly = m.readOnly === true;
      const kind: VolumePlan['kind'] = vol && isObject(vol.emptyDir) ? 'emptyDir' : 'empty';
      if (kind === 'empty') {
        const what = vol ? Object.keys(vol).filter((k) => k !== 'name').join(', ') || 'volume' : 'undeclared volume';
        diagnostics.push(
          diag('verify_volume_simulated', `volume "${m.name}" (${what}) is an empty directory in the sandbox`, {
            severity: 'info',
            ...at([...cPath, 'volumeMounts', i]),
          }),
        );
      }
      const plan: VolumePlan = { name: m.name, mountPath: m.mountPath, readOnly, kind, source: `volumes/${i}-${safeName(m.name)}` };
      volumes.push(plan);
      mounts.push({ destination: m.mountPath, type: 'bind', source: plan.source, options: ['rbind', readOnly ? 'ro' : 'rw'] });
      if (!readOnly) writableMounts.push(m.mountPath);
    });
  }
  const automount =
    (typeof c.automountServiceAccountToken === 'boolean' ? c.automountServiceAccountToken : undefined) ??
    (typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : true);
  if (automount && !volumes.some((v) => v.mountPath === SA_TOKEN_DIR)) {
    const plan: VolumePlan = { name: 'kube-api-access', mountPath: SA_TOKEN_DIR, readOnly: true, kind: 'token', source: 'volumes/kube-api-access' };
    volumes.push(plan);
    mounts.push({ destination: SA_TOKEN_DIR, type: 'bind', source: plan.source, options: ['rbind', 'ro'] });
  }

  const podName = String(tpl.metadata.name ?? (obj.metadata as { name?: string } | undefined)?.name ?? 'pod');
  const ociSpec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: groups.length > 0 ? { uid, gid, additionalGids: groups } : { uid, gid },
      args: [],
      env: [DEFAULT_PATH_ENV, `HOSTNAME=${podName}`],
      cwd: '/',
      capabilities,
      noNewPrivileges: ape === false,
    },
    root: { path: 'rootfs', readonly: readOnlyRoot },
    hostname: podName.slice(0, 63),
    mounts,
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: privileged ? [] : [...DEFAULT_MASKED_PATHS],
      readonlyPaths: privileged ? [] : [...DEFAULT_READONLY_PATHS],
      resources: { devices: [{ allow: privileged, access: 'rwm' }] },
    },
  };
  if (seccomp.profile) ociSpec.linux.seccomp = seccomp.profile;

  return {
    spec: ociSpec,
    controls: {
      pod: podName,
      container: String(c.name ?? ''),
      uid,
      gid,
      supplementalGroups: groups,
      runAsNonRoot,
      privileged,
      capabilities,
      noNewPrivileges: ape === false,
      readOnlyRootFilesystem: readOnlyRoot,
      seccomp,
      appArmor,
      serviceAccountToken: automount,
      writableMounts,
      readonlyPaths: ociSpec.linux.readonlyPaths,
    },
    volumes,
    diagnostics,
  };
}

function seccompOf(
  sc: Record<string, unknown>,
  podSc: Record<string, unknown>,
  scPath: FieldPath,
  podScPath: FieldPath,
  privileged: boolean,
  bounding: readonly string[],
  opts: MappingOptions,
  diagnostics: Diagnostic[],
  at: (p: FieldPath) => { span: ReturnType<LoadedObject['locate']>; path: FieldPath },
): SeccompControl {
  let raw: Record<string, unknown> | undefined;
  let source: SeccompSource = 'none';
  let path: FieldPath = scPath;
  if (isObject(sc.seccompProfile)) {
    raw = sc.seccompProfile;
    source = 'container';
    path = [...scPath, 'seccompProfile'];
  } else if (isObject(podSc.seccompProfile)) {
    raw = podSc.seccompProfile;
    source = 'pod';
    path = [...podScPath, 'seccompProfile'];
  }
  let type: SeccompControl['type'] = 'Unconfined';
  if (raw) {
    if (raw.type === 'RuntimeDefault' || raw.type === 'Localhost' || raw.type === 'Unconfined') type = raw.type;
    else diagnostics.push(diag('verify_invalid_security_context', `seccompProfile.type must be RuntimeDefault, Localhost or Unconfined`, at([...path, 'type'])));
  } else if (opts.seccompDefault) {
    type = 'RuntimeDefault';
    source = 'kubelet-default';
  }
  // containerd gives privileged containers no seccomp filter whatever the pod asks for.
  if (privileged) return { type, source, ...(type === 'Localhost' ? { localhostProfile: String(raw?.localhostProfile ?? '') } : {}) };
  if (type === 'RuntimeDefault') {
    return { type, source, profile: resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: bounding, arch: opts.host.arch, kernel: opts.host.kernel }) };
  }
  if (type === 'Localhost') {
    const lp = typeof raw?.localhostProfile === 'string' ? raw.localhostProfile : '';
    const found = findLocalhostProfile(lp, opts.localhostProfiles ?? []);
    if (!found) {
      diagnostics.push(
        diag('verify_seccomp_profile_missing', `Localhost seccomp profile "${lp}" was not given; the kubelet would fail to start the container`, {
          ...at([...path, 'localhostProfile']),
          help: 'pass the profile file with --policy (its path must end with the localhostProfile value)',
        }),
      );
      return { type, source, localhostProfile: lp };
    }
    return { type, source, localhostProfile: lp, profile: found.profile };
  }
  return { type, source };
}

/** The kubelet reads <seccomp root>/<localhostProfile>: match a given file whose path ends with that value. */
export function findLocalhostProfile(localhostProfile: string, profiles: readonly LocalSeccompProfile[]): LocalSeccompProfile | undefined {
  if (localhostProfile === '') return undefined;
  const want = localhostProfile.replace(/^\/+/, '');
  return (
    profiles.find((p) => p.path === want || p.path.endsWith(`/${want}`)) ??
    profiles.find((p) => basename(p.path) === basename(want))
  );
}

function appArmorOf(
  sc: Record<string, unknown>,
  podSc: Record<string, unknown>,
  annotations: Record<string, string> | undefined,
  container: string,
): AppArmorControl {
  const field = isObject(sc.appArmorProfile) ? sc.appArmorProfile : isObject(podSc.appArmorProfile) ? podSc.appArmorProfile : undefined;
  if (field && (field.type === 'RuntimeDefault' || field.type === 'Localhost' || field.type === 'Unconfined')) {
    return field.type === 'Localhost' ? { type: 'Localhost', localhostProfile: String(field.localhostProfile ?? '') } : { type: field.type };
  }
  const ann = annotations?.[`container.apparmor.security.beta.kubernetes.io/${container}`];
  if (ann === 'runtime/default') return { type: 'RuntimeDefault' };
  if (ann === 'unconfined') return { type: 'Unconfined' };
  if (typeof ann === 'string' && ann.startsWith('localhost/')) return { type: 'Localhost', localhostProfile: ann.slice('localhost/'.length) };
  return { type: 'unset' };
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
}

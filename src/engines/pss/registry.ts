import { allowPrivilegeEscalation_1_25, allowPrivilegeEscalation_1_8 } from './checks/allowPrivilegeEscalation.js';
import { appArmorProfile_1_0 } from './checks/appArmorProfile.js';
import { capabilitiesBaseline_1_0, capabilitiesRestricted_1_22, capabilitiesRestricted_1_25 } from './checks/capabilities.js';
import { hostNamespaces_1_0 } from './checks/hostNamespaces.js';
import { hostPathVolumes_1_0 } from './checks/hostPathVolumes.js';
import { hostPorts_1_0 } from './checks/hostPorts.js';
import { hostProbesAndHostLifecycle_1_34 } from './checks/hostProbesAndHostLifecycle.js';
import { privileged_1_0 } from './checks/privileged.js';
import { procMount_1_0, procMount_1_35_baseline } from './checks/procMount.js';
import { restrictedVolumes_1_0 } from './checks/restrictedVolumes.js';
import { runAsNonRoot_1_0, runAsNonRoot_1_35 } from './checks/runAsNonRoot.js';
import { runAsUser_1_23, runAsUser_1_35 } from './checks/runAsUser.js';
import {
  seccompProfileBaseline_1_0,
  seccompProfileBaseline_1_19,
  seccompProfileRestricted_1_19,
  seccompProfileRestricted_1_25,
} from './checks/seccompProfile.js';
import { seLinuxOptions_1_0, seLinuxOptions_1_31 } from './checks/seLinuxOptions.js';
import { sysctls_1_0, sysctls_1_27, sysctls_1_29, sysctls_1_32, sysctls_1_37 } from './checks/sysctls.js';
import { windowsHostProcess_1_0 } from './checks/windowsHostProcess.js';
import type { CheckPodFn } from './pod.js';
import { goCompare } from './go-format.js';
import { effectiveVersion, NEWEST_KNOWN_VERSION, type PssLevel, type PssVersion } from './version.js';

export type CheckId =
  | 'allowPrivilegeEscalation'
  | 'appArmorProfile'
  | 'capabilities_baseline'
  | 'capabilities_restricted'
  | 'hostNamespaces'
  | 'hostPathVolumes'
  | 'hostPorts'
  | 'hostProbesAndHostLifecycle'
  | 'privileged'
  | 'procMount'
  | 'procMount_restricted'
  | 'restrictedVolumes'
  | 'runAsNonRoot'
  | 'runAsUser'
  | 'seLinuxOptions'
  | 'seccompProfile_baseline'
  | 'seccompProfile_restricted'
  | 'sysctls'
  | 'windowsHostProcess';

export interface VersionedCheck {
  /** First policy minor (of v1) this revision applies to. */
  minMinor: number;
  check: CheckPodFn;
  /** Baseline checks this restricted revision replaces (upstream OverrideCheckIDs). */
  overrides?: CheckId[];
}

export interface CheckDefinition {
  id: CheckId;
  level: 'baseline' | 'restricted';
  /** Revisions in strictly increasing minMinor order. */
  versions: VersionedCheck[];
}

/** The upstream check set of k8s.io/pod-security-admission v0.37.2, revision by revision. */
export const CHECKS: readonly CheckDefinition[] = [
  // baseline
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minMinor: 0, check: appArmorProfile_1_0 }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minMinor: 0, check: capabilitiesBaseline_1_0 }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minMinor: 0, check: hostNamespaces_1_0 }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minMinor: 0, check: hostPathVolumes_1_0 }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minMinor: 0, check: hostPorts_1_0 }] },
  {
    id: 'hostProbesAndHostLifecycle',
    level: 'baseline',
    versions: [{ minMinor: 34, check: hostProbesAndHostLifecycle_1_34 }],
  },
  { id: 'privileged', level: 'baseline', versions: [{ minMinor: 0, check: privileged_1_0 }] },
  {
    id: 'procMount',
    level: 'baseline',
    versions: [
      { minMinor: 0, check: procMount_1_0 },
      { minMinor: 35, check: procMount_1_35_baseline },
    ],
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minMinor: 0, check: seLinuxOptions_1_0 },
      { minMinor: 31, check: seLinuxOptions_1_31 },
    ],
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    versions: [
      { minMinor: 0, check: seccompProfileBaseline_1_0 },
      { minMinor: 19, check: seccompProfileBaseline_1_19 },
    ],
  },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minMinor: 0, check: sysctls_1_0 },
      { minMinor: 27, check: sysctls_1_27 },
      { minMinor: 29, check: sysctls_1_29 },
      { minMinor: 32, check: sysctls_1_32 },
      { minMinor: 37, check: sysctls_1_37 },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minMinor: 0, check: windowsHostProcess_1_0 }] },
  // restricted
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minMinor: 8, check: allowPrivilegeEscalation_1_8 },
      { minMinor: 25, check: allowPrivilegeEscalation_1_25 },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    versions: [
      { minMinor: 22, check: capabilitiesRestricted_1_22, overrides: ['capabilities_baseline'] },
      { minMinor: 25, check: capabilitiesRestricted_1_25, overrides: ['capabilities_baseline'] },
    ],
  },
  {
    id: 'procMount_restricted',
    level: 'restricted',
    versions: [{ minMinor: 35, check: procMount_1_0, overrides: ['procMount'] }],
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    versions: [{ minMinor: 0, check: restrictedVolumes_1_0, overrides: ['hostPathVolumes'] }],
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    versions: [
      { minMinor: 0, check: runAsNonRoot_1_0 },
      { minMinor: 35, check: runAsNonRoot_1_35 },
    ],
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    versions: [
      { minMinor: 23, check: runAsUser_1_23 },
      { minMinor: 35, check: runAsUser_1_35 },
    ],
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    versions: [
      { minMinor: 19, check: seccompProfileRestricted_1_19, overrides: ['seccompProfile_baseline'] },
      { minMinor: 25, check: seccompProfileRestricted_1_25, overrides: ['seccompProfile_baseline'] },
    ],
  },
];

export interface ActiveCheck {
  id: CheckId;
  /** The level the check belongs to (restricted policies also run the baseline checks they do not override). */
  level: 'baseline' | 'restricted';
  /** First minor of the revision that runs. */
  sinceMinor: number;
  check: CheckPodFn;
}

/** The revision of a check in force at a minor, if the check exists there. */
function revisionAt(def: CheckDefinition, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of def.versions) if (v.minMinor <= minor) found = v;
  return found;
}

/** Upstream order (registry.go populate): baseline ids sorted, then restricted ids sorted, Go byte order. */
const ORDERED: readonly CheckDefinition[] = [
  ...CHECKS.filter((c) => c.level === 'baseline').sort((a, b) => goCompare(a.id, b.id)),
  ...CHECKS.filter((c) => c.level === 'restricted').sort((a, b) => goCompare(a.id, b.id)),
];

function buildChecks(level: 'baseline' | 'restricted', minor: number): ActiveCheck[] {
  const overridden = new Set<CheckId>();
  if (level === 'restricted') {
    for (const def of CHECKS) {
      if (def.level !== 'restricted') continue;
      for (const id of revisionAt(def, minor)?.overrides ?? []) overridden.add(id);
    }
  }
  const out: ActiveCheck[] = [];
  for (const def of ORDERED) {
    if (def.level === 'restricted' && level === 'baseline') continue;
    if (def.level === 'baseline' && overridden.has(def.id)) continue;
    const rev = revisionAt(def, minor);
    if (rev) out.push({ id: def.id, level: def.level, sinceMinor: rev.minMinor, check: rev.check });
  }
  return Object.freeze(out) as ActiveCheck[];
}

const NEWEST_MINOR = (NEWEST_KNOWN_VERSION as { minor: number }).minor;

/** Precomputed check lists per level and minor: built once at load, read-only afterwards. */
const TABLE: Readonly<Record<'baseline' | 'restricted', readonly (readonly ActiveCheck[])[]>> = Object.freeze({
  baseline: Object.freeze(Array.from({ length: NEWEST_MINOR + 1 }, (_, m) => buildChecks('baseline', m))),
  restricted: Object.freeze(Array.from({ length: NEWEST_MINOR + 1 }, (_, m) => buildChecks('restricted', m))),
});

/**
 * The checks a level and version run, in upstream order. Privileged runs none. Versions newer than the newest
 * known (and `latest`) run the newest set; every major other than 1 is impossible (parsing only accepts v1.x).
 */
export function checksFor(level: PssLevel, version: PssVersion): readonly ActiveCheck[] {
  if (level === 'privileged') return [];
  const { minor } = effectiveVersion(version);
  return TABLE[level][Math.min(minor, NEWEST_MINOR)];
}

/**
 * Pod Security Standards levels and policy versions, parsed exactly like upstream
 * k8s.io/pod-security-admission/api (helpers.go): `latest` or `v1.<minor>` with no leading zero.
 */

export type PssLevel = 'privileged' | 'baseline' | 'restricted';
export const PSS_LEVELS: readonly PssLevel[] = ['privileged', 'baseline', 'restricted'];

/** A policy version: `latest` or v1.<minor>. */
export type PssVersion =
  | { latest: true }
  | {
      latest: false;
      major: number;
      minor: number;
      /** Exact minor digits when the minor is beyond JS's safe integers (upstream accepts up to int64). */
      minorText?: string;
    };

export interface LevelVersion {
  level: PssLevel;
  version: PssVersion;
}

/**
 * The newest policy version the upstream check set knows: the highest MinimumVersion of any check in
 * k8s.io/pod-security-admission v0.37.2 (sysctls gained two names at v1.37). `latest`, and any version above
 * this one, evaluate exactly the v1.37 check set, as upstream's registry caps versions at its max.
 */
export const NEWEST_KNOWN_VERSION: PssVersion = { latest: false, major: 1, minor: 37 };

export const LATEST: PssVersion = { latest: true };

export function v1(minor: number): PssVersion {
  return { latest: false, major: 1, minor };
}

/** Upstream Version.String(): "latest" or "v1.25". */
export function formatVersion(v: PssVersion): string {
  return v.latest ? 'latest' : `v${v.major}.${v.minorText ?? v.minor}`;
}

/** Upstream LevelVersion.String(): "restricted:latest". */
export function formatLevelVersion(lv: LevelVersion): string {
  return `${lv.level}:${formatVersion(lv.version)}`;
}

/** Upstream Version.Older: latest is newer than everything, even future versions. */
export function isOlder(a: PssVersion, b: PssVersion): boolean {
  if (a.latest) return false;
  if (b.latest) return true;
  if (a.major !== b.major) return a.major < b.major;
  return a.minor < b.minor;
}

export const LEVEL_ERROR = 'must be one of privileged, baseline, restricted';
export const VERSION_ERROR = 'must be "latest" or "v1.x"';

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; value: T; error: string };

/** Upstream ParseLevel: an invalid level yields "restricted" (fail closed) and an error. */
export function parseLevel(level: string): ParseOutcome<PssLevel> {
  if (level === 'privileged' || level === 'baseline' || level === 'restricted') return { ok: true, value: level };
  return { ok: false, value: 'restricted', error: LEVEL_ERROR };
}

const INT64_MAX = 9223372036854775807n;
const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** Upstream ParseVersion: an invalid version yields latest and an error. */
export function parseVersion(version: string): ParseOutcome<PssVersion> {
  if (version === 'latest') return { ok: true, value: LATEST };
  const m = VERSION_RE.exec(version);
  if (!m) return { ok: false, value: LATEST, error: VERSION_ERROR };
  // Go's strconv.Atoi fails above int64 max; such a minor is rejected upstream too.
  if (BigInt(m[1]) > INT64_MAX) return { ok: false, value: LATEST, error: VERSION_ERROR };
  const minor = Number(m[1]);
  if (Number.isSafeInteger(minor)) return { ok: true, value: v1(minor) };
  return { ok: true, value: { latest: false, major: 1, minor, minorText: m[1] } };
}

/** The concrete version whose checks run: latest and anything newer than the newest known map to it. */
export function effectiveVersion(v: PssVersion): { major: number; minor: number } {
  const newest = NEWEST_KNOWN_VERSION as { major: number; minor: number };
  if (isOlder(NEWEST_KNOWN_VERSION, v)) return { major: newest.major, minor: newest.minor };
  return { major: (v as { major: number }).major, minor: (v as { minor: number }).minor };
}

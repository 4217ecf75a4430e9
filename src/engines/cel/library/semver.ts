import { fail, overloads, type CelLibrary } from './library.js';

/** A semantic version as github.com/blang/semver/v4 parses it (Kubernetes library/semverlib.go). */
export class Semver {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: ReadonlyArray<string | bigint>,
    readonly text: string,
  ) {}

  compareTo(o: Semver): number {
    for (const [a, b] of [[this.major, o.major], [this.minor, o.minor], [this.patch, o.patch]] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    if (this.pre.length === 0 || o.pre.length === 0) return Math.sign(o.pre.length - this.pre.length);
    for (let i = 0; i < Math.min(this.pre.length, o.pre.length); i++) {
      const a = this.pre[i];
      const b = o.pre[i];
      if (a === b) continue;
      if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : 1;
      if (typeof a === 'bigint') return -1;
      if (typeof b === 'bigint') return 1;
      return a < b ? -1 : 1;
    }
    return Math.sign(this.pre.length - o.pre.length);
  }

  equals(o: unknown): boolean {
    return o instanceof Semver && this.compareTo(o) === 0;
  }

  toString(): string {
    return this.text;
  }

  toPlain(): string {
    return this.text;
  }
}

const NUM = /^(0|[1-9]\d*)$/;
const IDENT = /^[0-9A-Za-z-]+$/;

/** blang/semver Parse: strict major.minor.patch[-pre][+build]. Returns an error message on failure. */
export function parseSemver(s: string): Semver | string {
  if (s.length === 0) return 'Version string empty';
  const plus = s.indexOf('+');
  const core = plus < 0 ? s : s.slice(0, plus);
  if (plus >= 0) {
    for (const b of s.slice(plus + 1).split('.')) if (!IDENT.test(b)) return `Invalid character(s) found in build meta "${b}"`;
  }
  const dash = core.indexOf('-');
  const main = dash < 0 ? core : core.slice(0, dash);
  const parts = main.split('.');
  if (parts.length !== 3) return 'No Major.Minor.Patch elements found';
  const names = ['Major', 'Minor', 'Patch'];
  const nums: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    const p = parts[i];
    if (!/^\d+$/.test(p)) return `Invalid character(s) found in ${names[i].toLowerCase()} number "${p}"`;
    if (p.length > 1 && p[0] === '0') return `${names[i]} number must not contain leading zeroes "${p}"`;
    nums.push(BigInt(p));
  }
  const pre: Array<string | bigint> = [];
  if (dash >= 0) {
    for (const id of core.slice(dash + 1).split('.')) {
      if (id === '') return 'Prerelease is empty';
      if (!IDENT.test(id)) return `Invalid character(s) found in prerelease "${id}"`;
      if (/^\d+$/.test(id)) {
        if (!NUM.test(id)) return `Numeric PreRelease version must not contain leading zeroes "${id}"`;
        pre.push(BigInt(id));
      } else pre.push(id);
    }
  }
  return new Semver(nums[0], nums[1], nums[2], pre, s);
}

/** normalizeAndParse: drop a leading "v", pad missing minor/patch with 0, strip leading zeros. */
export function parseSemverNormalized(s: string): Semver | string {
  const parts = (s.startsWith('v') ? s.slice(1) : s).split('.');
  const head = parts.slice(0, 2);
  const rest = parts.slice(2).join('.');
  const all = rest === '' && parts.length < 3 ? head : [...head, rest];
  for (let i = 0; i < all.length; i++) {
    let p = all[i];
    if (p.length > 1) {
      p = p.replace(/^0+/, '');
      if (p.length === 0 || !/^\d/.test(p)) p = '0' + p;
      all[i] = p;
    }
  }
  if (all.length < 3) {
    if (/[+-]/.test(all[all.length - 1])) return 'short version cannot contain PreRelease/Build meta data';
    while (all.length < 3) all.push('0');
  }
  return parseSemver(all.join('.'));
}

const S = 'kubernetes.Semver';
const orFail = (r: Semver | string): Semver => (typeof r === 'string' ? fail(r) : r);

/** Kubernetes semver library (library/semverlib.go, version 1: with the normalize argument). */
export function semverLibrary(): CelLibrary {
  return {
    name: 'semver',
    types: [{ name: S, ctor: Semver }],
    functions: overloads({
      [`semver(string): ${S}`]: (s: string) => orFail(parseSemver(s)),
      [`semver(string, bool): ${S}`]: (s: string, n: boolean) => orFail(n ? parseSemverNormalized(s) : parseSemver(s)),
      'isSemver(string): bool': (s: string) => typeof parseSemver(s) !== 'string',
      'isSemver(string, bool): bool': (s: string, n: boolean) => typeof (n ? parseSemverNormalized(s) : parseSemver(s)) !== 'string',
      [`${S}.major(): int`]: (v: Semver) => v.major,
      [`${S}.minor(): int`]: (v: Semver) => v.minor,
      [`${S}.patch(): int`]: (v: Semver) => v.patch,
      [`${S}.isGreaterThan(${S}): bool`]: (a: Semver, b: Semver) => a.compareTo(b) > 0,
      [`${S}.isLessThan(${S}): bool`]: (a: Semver, b: Semver) => a.compareTo(b) < 0,
      [`${S}.compareTo(${S}): int`]: (a: Semver, b: Semver) => BigInt(a.compareTo(b)),
    }),
    operators: overloads({
      [`${S} == ${S}`]: (a: Semver, b: Semver) => a.equals(b),
    }),
  };
}

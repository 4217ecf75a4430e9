import { fail, overloads, type CelLibrary } from './library.js';

const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;
const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|m|k|M|G|T|P|E|)$/;
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Kubernetes rejects quantities whose exponent is absurd; bound it so parsing stays cheap. */
const MAX_EXPONENT = 1000;

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A resource.Quantity as an exact rational number (num/den), keeping the text it was parsed from. */
export class Quantity {
  /** Use Quantity.of / Quantity.parse (they normalise the fraction). */
  constructor(
    readonly num: bigint,
    readonly den: bigint,
    readonly text: string,
  ) {}

  static of(num: bigint, den: bigint, text?: string): Quantity {
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num, den) || 1n;
    num /= g;
    den /= g;
    return new Quantity(num, den, text ?? Quantity.render(num, den));
  }

  static parse(s: string): Quantity | undefined {
    const m = QUANTITY_RE.exec(s);
    if (!m) return undefined;
    const [, sign, digits, suffix] = m;
    const dot = digits.indexOf('.');
    const intPart = dot < 0 ? digits : digits.slice(0, dot);
    const frac = dot < 0 ? '' : digits.slice(dot + 1);
    let num = BigInt((intPart || '0') + frac);
    let den = 10n ** BigInt(frac.length);
    if (suffix in BINARY) num *= BINARY[suffix];
    else {
      const exp = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
      if (Math.abs(exp) > MAX_EXPONENT) return undefined;
      if (exp >= 0) num *= 10n ** BigInt(exp);
      else den *= 10n ** BigInt(-exp);
    }
    if (sign === '-') num = -num;
    return Quantity.of(num, den, s);
  }

  static render(num: bigint, den: bigint): string {
    if (den === 1n) return num.toString();
    // Canonical-ish: milli / micro / nano units when exact, else a decimal.
    for (const [unit, scale] of [['m', 1000n], ['u', 1_000_000n], ['n', 1_000_000_000n]] as const) {
      if ((num * scale) % den === 0n) return `${(num * scale) / den}${unit}`;
    }
    return String(Number(num) / Number(den));
  }

  compareTo(o: Quantity): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  equals(o: unknown): boolean {
    return o instanceof Quantity && this.compareTo(o) === 0;
  }

  add(o: Quantity | bigint): Quantity {
    const q = typeof o === 'bigint' ? Quantity.of(o, 1n) : o;
    return Quantity.of(this.num * q.den + q.num * this.den, this.den * q.den);
  }

  sub(o: Quantity | bigint): Quantity {
    const q = typeof o === 'bigint' ? Quantity.of(o, 1n) : o;
    return Quantity.of(this.num * q.den - q.num * this.den, this.den * q.den);
  }

  /** resource.Quantity.AsInt64: integral and within int64. */
  asInt64(): bigint | undefined {
    if (this.den !== 1n || this.num > MAX_INT || this.num < MIN_INT) return undefined;
    return this.num;
  }

  toString(): string {
    return this.text;
  }

  toPlain(): string {
    return this.text;
  }
}

const Q = 'kubernetes.Quantity';

/** resource.ParseQuantity's first, loose check; strings passing it but not the grammar have a bad suffix. */
const LOOSE_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

function quantity(s: string): Quantity {
  const q = Quantity.parse(s);
  if (q) return q;
  if (LOOSE_RE.test(s)) return fail("unable to parse quantity's suffix");
  return fail(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
}

/** Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go). */
export function quantityLibrary(): CelLibrary {
  return {
    name: 'quantity',
    types: [{ name: Q, ctor: Quantity }],
    functions: overloads({
      [`quantity(string): ${Q}`]: quantity,
      'isQuantity(string): bool': (s: string) => Quantity.parse(s) !== undefined,
      [`${Q}.sign(): int`]: (q: Quantity) => BigInt(q.num > 0n ? 1 : q.num < 0n ? -1 : 0),
      [`${Q}.isGreaterThan(${Q}): bool`]: (a: Quantity, b: Quantity) => a.compareTo(b) > 0,
      [`${Q}.isLessThan(${Q}): bool`]: (a: Quantity, b: Quantity) => a.compareTo(b) < 0,
      [`${Q}.compareTo(${Q}): int`]: (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)),
      [`${Q}.add(${Q}): ${Q}`]: (a: Quantity, b: Quantity) => a.add(b),
      [`${Q}.add(int): ${Q}`]: (a: Quantity, b: bigint) => a.add(b),
      [`${Q}.sub(${Q}): ${Q}`]: (a: Quantity, b: Quantity) => a.sub(b),
      [`${Q}.sub(int): ${Q}`]: (a: Quantity, b: bigint) => a.sub(b),
      [`${Q}.mul(int): ${Q}`]: (a: Quantity, n: bigint) => Quantity.of(a.num * n, a.den),
      [`${Q}.div(int): ${Q}`]: (a: Quantity, n: bigint) => (n === 0n ? fail('division by zero') : Quantity.of(a.num, a.den * n)),
      [`${Q}.divInt(int): ${Q}`]: (a: Quantity, n: bigint) =>
        n === 0n ? fail('division by zero') : Quantity.of(a.num / (a.den * n), 1n),
      [`${Q}.isInteger(): bool`]: (q: Quantity) => q.asInt64() !== undefined,
      [`${Q}.asInteger(): int`]: (q: Quantity) => q.asInt64() ?? fail('cannot convert value to integer'),
      [`${Q}.asApproximateFloat(): double`]: (q: Quantity) => Number(q.num) / Number(q.den),
    }),
    operators: overloads({
      [`${Q} == ${Q}`]: (a: Quantity, b: Quantity) => a.equals(b),
    }),
  };
}

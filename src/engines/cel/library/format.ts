import { Optional } from '@marcbachmann/cel-js';
import { fail } from './library.js';
import { typeName } from './compare.js';

/**
 * cel-go ext strings `format`: %s %d %f %e %b %o %x %X %% with optional precision (%.3f). Lists and maps render
 * as CEL literals would print them.
 */
export function formatString(fmt: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    let precision: number | undefined;
    if (fmt[i] === '.') {
      let j = i + 1;
      while (j < fmt.length && fmt[j] >= '0' && fmt[j] <= '9') j++;
      precision = Number(fmt.slice(i + 1, j));
      i = j;
    }
    const verb = fmt[i];
    if (verb === undefined) fail('unexpected end of format string');
    if (argi >= args.length) fail(`index ${argi} out of range`);
    const arg = args[argi++];
    out += formatArg(verb, arg, precision);
  }
  if (argi < args.length) fail(`too many arguments supplied to string.format (expected ${argi}, got ${args.length})`);
  return out;
}

function formatArg(verb: string, arg: unknown, precision: number | undefined): string {
  switch (verb) {
    case 's':
      return stringOf(arg);
    case 'd':
      if (typeof arg === 'bigint') return arg.toString();
      if (isUint(arg)) return String(arg.valueOf());
      if (typeof arg === 'number' && !Number.isFinite(arg)) return nonFinite(arg);
      return fail(`decimal clause can only be used on integers, was given ${typeName(arg)}`);
    case 'f':
    case 'e': {
      const n = toNumber(arg, verb);
      if (!Number.isFinite(n)) return nonFinite(n);
      const p = precision ?? 6;
      return verb === 'f' ? toFixedHalfEven(n, p) : goExp(n.toExponential(p));
    }
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      let s: string;
      if (typeof arg === 'bigint') s = arg < 0n ? '-' + (-arg).toString(radix) : arg.toString(radix);
      else if (isUint(arg)) s = (arg.valueOf() as bigint).toString(radix);
      else if (typeof arg === 'boolean' && verb === 'b') s = arg ? '1' : '0';
      else if (typeof arg === 'string' && radix === 16) s = Buffer.from(arg, 'utf8').toString('hex');
      else if (arg instanceof Uint8Array && radix === 16) s = Buffer.from(arg).toString('hex');
      else return fail(`only integers${radix === 16 ? ', byte buffers, and strings' : ''} can be formatted as ${verb === 'b' ? 'binary' : verb === 'o' ? 'octal' : 'hex'}, was given ${typeName(arg)}`);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    default:
      return fail(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

function isUint(v: unknown): v is { valueOf(): bigint } {
  return typeof v === 'object' && v !== null && v.constructor?.name === 'UnsignedInt';
}

function toNumber(arg: unknown, verb: string): number {
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'bigint') return Number(arg);
  if (isUint(arg)) return Number(arg.valueOf());
  return fail(`${verb === 'f' ? 'fixed-point' : 'scientific'} clause can only be used on doubles, was given ${typeName(arg)}`);
}

/** Go's %f rounds an exact binary halfway value to even (2.5 → "2"); JS toFixed rounds it up. */
function toFixedHalfEven(n: number, p: number): string {
  const s = n.toFixed(p);
  const scaled = n * 10 ** p;
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && scaled - Math.trunc(scaled) === 0.5 * Math.sign(scaled)) {
    const down = Math.trunc(scaled);
    const even = down % 2 === 0 ? down : down + Math.sign(scaled);
    return (even / 10 ** p).toFixed(p);
  }
  return s;
}

function nonFinite(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

function goExp(s: string): string {
  // JS 1.5e+2 → Go 1.5e+02
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** The %s rendering of a value (string(x) for scalars, CEL-like literals for lists and maps). */
export function stringOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + v.map((x) => stringOf(x)).join(', ') + ']';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Optional) return v.hasValue() ? `optional(${stringOf(v.value())})` : 'optional.none()';
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) {
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
    const parts = entries
      .map(([k, x]) => [stringOf(k), stringOf(x)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([k, x]) => `${k}: ${x}`);
    return '{' + parts.join(', ') + '}';
  }
  if (isUint(v)) return String(v.valueOf());
  if ((v as object).constructor?.name === 'Type') return String((v as { name: string }).name).replace(/<.*$/, '');
  return String(v);
}

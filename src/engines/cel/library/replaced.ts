import { overloads, type CelLibrary, type CelLibraryContext } from './library.js';

/**
 * Base-library methods whose behaviour differs from cel-go and that cannot be re-registered: after parsing,
 * calls to them are renamed to these internal names (environment.ts), implemented below / in regex.ts.
 */
export const RE2_MATCHES = 'matchesRE2';
const LOWER_ASCII = 'lowerAsciiOnly';
const UPPER_ASCII = 'upperAsciiOnly';
const TRIM = 'trimUnicodeSpace';

export const REPLACED_METHODS: ReadonlyMap<string, string> = new Map([
  ['matches', RE2_MATCHES],
  ['lowerAscii', LOWER_ASCII],
  ['upperAscii', UPPER_ASCII],
  ['trim', TRIM],
]);

/** Go's unicode.IsSpace: ASCII spaces, U+0085, U+00A0 and the Zs category (not U+180E, U+200B, U+FEFF). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM_RE = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** cel-go ext strings: lowerAscii/upperAscii change ASCII letters only; trim removes Go's Unicode spaces. */
export function replacedStringsLibrary({ meter }: CelLibraryContext): CelLibrary {
  return {
    name: 'replaced-strings',
    functions: overloads({
      [`string.${LOWER_ASCII}(): string`]: (s: string) => {
        meter.charge(Math.ceil(s.length * 0.1));
        return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
      },
      [`string.${UPPER_ASCII}(): string`]: (s: string) => {
        meter.charge(Math.ceil(s.length * 0.1));
        return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
      },
      [`string.${TRIM}(): string`]: (s: string) => {
        meter.charge(Math.ceil(s.length * 0.1));
        return s.replace(TRIM_RE, '');
      },
    }),
  };
}

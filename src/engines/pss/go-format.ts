/**
 * Go formatting helpers the upstream checks use, reproduced byte for byte: strconv.Quote (%q), sort.Strings
 * (byte-wise UTF-8 order), joinQuote and pluralize from policy/helpers.go.
 */

/** Go's sort.Strings / sets.List order: compares UTF-8 bytes, which differs from JS's UTF-16 order. */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path: ASCII-only strings order the same either way.
  if (/^[\x00-\x7f]*$/.test(a) && /^[\x00-\x7f]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** sets.NewString(...).List(): unique, sorted the Go way. */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(goCompare);
}

/** policy/helpers.go joinQuote: `"a", "b"` (no escaping, like upstream). */
export function joinQuote(items: readonly string[]): string {
  if (items.length === 0) return '';
  return `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote, used by fmt's %q verb. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd'; // a lone surrogate decodes to U+FFFD in Go
    else if (cp >= 0x80 && PRINTABLE.test(ch)) out += ch;
    else {
      switch (ch) {
        case '\x07': out += '\\a'; break;
        case '\b': out += '\\b'; break;
        case '\f': out += '\\f'; break;
        case '\n': out += '\\n'; break;
        case '\r': out += '\\r'; break;
        case '\t': out += '\\t'; break;
        case '\v': out += '\\v'; break;
        default:
          if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
          else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
          else out += `\\U${cp.toString(16).padStart(8, '0')}`;
      }
    }
  }
  return out + '"';
}

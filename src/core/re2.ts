/**
 * RE2 (Go regexp) syntax that JavaScript spells differently, shared by the CEL and Rego engines so both read a
 * pattern the way the API server and OPA do: `\A`, `\z`, `(?P<name>`, POSIX classes inside brackets (with RE2's
 * exact sets, e.g. [:space:] is [\t\n\v\f\r ], not JS's Unicode \s) and one-letter Unicode classes (`\pL`).
 * Flags and the rejection of constructs RE2 lacks stay with each engine, whose error texts differ.
 */
export function re2BodyToJs(pattern: string): string {
  return pattern
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\(\?P</g, '(?<')
    .replace(/\[:alpha:\]/g, 'a-zA-Z')
    .replace(/\[:digit:\]/g, '0-9')
    .replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
    .replace(/\[:upper:\]/g, 'A-Z')
    .replace(/\[:lower:\]/g, 'a-z')
    .replace(/\[:space:\]/g, '\\t\\n\\v\\f\\r ')
    .replace(/\[:xdigit:\]/g, '0-9A-Fa-f')
    .replace(/\[:punct:\]/g, '!-\\/:-@\\[-`{-~')
    .replace(/\[:word:\]/g, '\\w')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
}

import { fail, overloads, type CelLibrary } from './library.js';

/** A parsed URL with Go net/url's components (url.ParseRequestURI semantics). */
export class CelURL {
  constructor(
    readonly text: string,
    readonly scheme: string,
    readonly host: string,
    readonly rawPath: string,
    readonly rawQuery: string,
  ) {}

  get hostname(): string {
    const h = this.host;
    if (h.startsWith('[')) {
      const end = h.indexOf(']');
      return end < 0 ? h : h.slice(1, end);
    }
    const colon = h.lastIndexOf(':');
    return colon < 0 ? h : h.slice(0, colon);
  }

  get port(): string {
    const h = this.host;
    const colon = h.lastIndexOf(':');
    if (colon < 0 || h.lastIndexOf(']') > colon) return '';
    return h.slice(colon + 1);
  }

  equals(o: unknown): boolean {
    return o instanceof CelURL && o.text === this.text;
  }

  toString(): string {
    return this.text;
  }

  toPlain(): string {
    return this.text;
  }
}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s;

/** url.ParseRequestURI: an absolute URI or an absolute path; no fragment is split off. */
export function parseURL(s: string): CelURL | string {
  if (s === '') return 'URL parse error during conversion from string: parse "": empty url';
  if (/[\x00-\x1f\x7f ]/.test(s) && !/^[^ ]*$/.test(s.replace(/ /g, ''))) return `invalid URL: ${s}`;
  if (/[\x00-\x1f\x7f]/.test(s)) return `URL parse error during conversion from string: parse ${JSON.stringify(s)}: net/url: invalid control character in URL`;
  let rest = s;
  let scheme = '';
  const m = SCHEME_RE.exec(s);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = m[2];
  } else if (!s.startsWith('/')) {
    return `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`;
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    host = at < 0 ? authority : authority.slice(at + 1);
    if (!validHost(host)) return `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid host`;
  } else if (scheme && !rest.startsWith('/')) {
    return `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`;
  }
  return new CelURL(s, scheme, host, rest, rawQuery);
}

function validHost(h: string): boolean {
  if (h.startsWith('[')) return /^\[[0-9a-fA-F:.]+(%[^\]]+)?\](:\d*)?$/.test(h);
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && !/^\d*$/.test(h.slice(colon + 1))) return false;
  return !/[\s"<>\\^`{|}]/.test(h);
}

/** Go url.EscapedPath: escape what the path may not contain literally. */
function escapedPath(p: string): string {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) =>
    Array.from(new TextEncoder().encode(c), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

function unescapeQuery(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Go url.ParseQuery: key → values in order; malformed pairs are dropped. */
function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const k = unescapeQuery(eq < 0 ? part : part.slice(0, eq));
    const v = unescapeQuery(eq < 0 ? '' : part.slice(eq + 1));
    if (k === undefined || v === undefined) continue;
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

const U = 'kubernetes.URL';
const urlOrFail = (s: string): CelURL => {
  const r = parseURL(s);
  return typeof r === 'string' ? fail(r) : r;
};

/** Kubernetes URL library (library/urls.go). */
export function urlLibrary(): CelLibrary {
  return {
    name: 'url',
    types: [{ name: U, ctor: CelURL }],
    functions: overloads({
      [`url(string): ${U}`]: urlOrFail,
      'isURL(string): bool': (s: string) => typeof parseURL(s) !== 'string',
      [`${U}.getScheme(): string`]: (u: CelURL) => u.scheme,
      [`${U}.getHost(): string`]: (u: CelURL) => u.host,
      [`${U}.getHostname(): string`]: (u: CelURL) => u.hostname,
      [`${U}.getPort(): string`]: (u: CelURL) => u.port,
      [`${U}.getEscapedPath(): string`]: (u: CelURL) => escapedPath(u.rawPath),
      [`${U}.getQuery(): map<string, list<string>>`]: (u: CelURL) => parseQuery(u.rawQuery),
    }),
    operators: overloads({
      [`${U} == ${U}`]: (a: CelURL, b: CelURL) => a.equals(b),
    }),
  };
}

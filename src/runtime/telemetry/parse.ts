import { diag, type Diagnostic } from '../../core/diagnostic.js';
import { auditLineToEvent, isAuditLine } from './audit.js';
import type { RuntimeEvent, RuntimeWorkload } from './event.js';
import { falcoToEvent, isFalcoRecord } from './falco.js';
import { isKubeArmorRecord, kubeArmorToEvent } from './kubearmor.js';
import { isTetragonRecord, tetragonToEvent } from './tetragon.js';

export const TELEMETRY_CODES = {
  telemetry_parse_error: 'A telemetry line or document is not valid JSON.',
  telemetry_unknown_record: 'A record is neither KubeArmor, Falco, Tetragon nor a kernel audit line; skipped.',
  telemetry_too_many_events: 'The event limit was reached; the rest of the input was not read.',
} as const;

export interface ParsedEvents {
  events: RuntimeEvent[];
  diagnostics: Diagnostic[];
}

export interface ParseLimits {
  /** Max events read from one input (default 10 million). */
  maxEvents: number;
}

/** One JSON record (any supported feed) as a RuntimeEvent, or undefined when unrecognised. */
export function recordToEvent(o: Record<string, unknown>): RuntimeEvent | undefined {
  if (isKubeArmorRecord(o)) return kubeArmorToEvent(o);
  // Wrappers: relay / exporter {"Alert": {...}} or {"Log": {...}}, and container log capture of the relay's stdout
  // ({"log": "<the JSON line>", "stream": "stdout", ...}: the record is a JSON string).
  for (const k of WRAPPER_KEYS) {
    let inner = o[k];
    if (typeof inner === 'string' && inner.trimStart().startsWith('{')) {
      try {
        inner = JSON.parse(inner);
      } catch {
        continue;
      }
    }
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && isKubeArmorRecord(inner as Record<string, unknown>)) {
      return kubeArmorToEvent(inner as Record<string, unknown>);
    }
  }
  if (isFalcoRecord(o)) return falcoToEvent(o);
  if (isTetragonRecord(o)) return tetragonToEvent(o);
  return undefined;
}

const WRAPPER_KEYS = ['Alert', 'Log', 'alert', 'log', 'Message', 'message'];

/** A CRI container log line ("2024-01-02T03:04:05.6Z stdout F {...}") carrying a JSON record. */
const CRI_LINE = /^\d{4}-\d\d-\d\dT\S+ (?:stdout|stderr) [FP] (?=[{[])/;

/**
 * Reads telemetry text in any supported shape, mixed freely in one file: JSON lines, JSON arrays (one record per
 * element), JSON documents spread over several lines (pretty-printed `karmor logs --json`, concatenated documents),
 * wrappers ({"Alert": …}, {"Log": …}, container-log captures), CRI log lines, and kernel audit lines. A bad line,
 * document or array element becomes a diagnostic with file:line; reading goes on with the next one.
 */
export function parseTelemetry(text: string, file: string, limits: ParseLimits = { maxEvents: 10_000_000 }): ParsedEvents {
  const events: RuntimeEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  // One workload object per distinct workload: the decision engine then finds its bound policies by identity.
  const workloads = new Map<string, RuntimeWorkload>();
  const intern = (ev: RuntimeEvent): RuntimeEvent => {
    const w = ev.workload;
    let key = `${w.namespace ?? ''}\u0000${w.pod ?? ''}\u0000${w.container ?? ''}\u0000${w.containerId ?? ''}\u0000${w.host ?? ''}\u0000${w.image ?? ''}\u0000`;
    for (const k in w.labels) key += `${k}=${w.labels[k]}\u0001`;
    const known = workloads.get(key);
    if (known) ev.workload = known;
    else workloads.set(key, w);
    return ev;
  };
  let full = false;
  const add = (o: unknown, line: number): void => {
    if (events.length >= limits.maxEvents) {
      diagnostics.push(diag('telemetry_too_many_events', `${file}: more than ${limits.maxEvents} events; the rest was not read`, { span: { file, line, column: 1 } }));
      full = true;
      return;
    }
    const ev = o && typeof o === 'object' && !Array.isArray(o) ? recordToEvent(o as Record<string, unknown>) : undefined;
    if (ev) events.push(intern(ev));
    else diagnostics.push(diag('telemetry_unknown_record', `${file}:${line}: record is not a KubeArmor, Falco or Tetragon event; skipped`, { severity: 'warning', span: { file, line, column: 1 } }));
  };
  const parseError = (line: number, message: string): void => {
    diagnostics.push(diag('telemetry_parse_error', `${file}:${line}: ${message}`, { span: { file, line, column: 1 } }));
  };

  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n && !full) {
    // Skip blank space, counting lines.
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
      i++;
      continue;
    }
    let eol = text.indexOf('\n', i);
    if (eol < 0) eol = n;
    if (c === 123 /* { */) {
      // Fast path: a whole JSON object on this line (JSON lines, the common case).
      const last = lastNonSpace(text, i, eol);
      if (text.charCodeAt(last) === 125 /* } */) {
        let o: unknown;
        let ok = true;
        try {
          o = JSON.parse(text.slice(i, last + 1));
        } catch {
          ok = false;
        }
        if (ok) {
          add(o, line);
          i = eol;
          continue;
        }
      }
      i = readDocument(i, eol);
      continue;
    }
    if (c === 91 /* [ */) {
      i = readArray(i, eol);
      continue;
    }
    const raw = text.slice(i, eol).trim();
    const cri = CRI_LINE.exec(raw);
    if (cri) {
      const json = raw.slice(cri[0].length);
      let o: unknown;
      try {
        o = JSON.parse(json);
      } catch (e) {
        parseError(line, (e as Error).message);
        i = eol;
        continue;
      }
      if (Array.isArray(o)) for (const x of o) add(x, line);
      else add(o, line);
    } else if (isAuditLine(raw)) {
      const ev = auditLineToEvent(raw);
      if (ev) events.push(intern(ev));
    } else {
      diagnostics.push(diag('telemetry_unknown_record', `${file}:${line}: line is neither JSON nor a kernel audit record; skipped`, { severity: 'warning', span: { file, line, column: 1 } }));
    }
    i = eol;
  }
  return { events, diagnostics };

  /** A JSON object starting at `start` that spans lines; on failure, reports it and resumes on the next line. */
  function readDocument(start: number, eol: number): number {
    const end = scanValue(text, start);
    if (end > 0) {
      try {
        const o = JSON.parse(text.slice(start, end));
        add(o, line);
        line += countNewlines(text, start, end);
        return end;
      } catch (e) {
        parseError(line, (e as Error).message);
        return eol;
      }
    }
    parseError(line, 'unterminated or malformed JSON');
    return eol;
  }

  /** Adds every record of a well-formed array of known records; false (nothing added) otherwise. */
  function wholeArray(start: number, end: number): boolean {
    let arr: unknown;
    try {
      arr = JSON.parse(text.slice(start, end));
    } catch {
      return false;
    }
    if (!Array.isArray(arr) || events.length + arr.length > limits.maxEvents) return false;
    const evs: RuntimeEvent[] = [];
    for (const o of arr) {
      const ev = o && typeof o === 'object' && !Array.isArray(o) ? recordToEvent(o as Record<string, unknown>) : undefined;
      if (!ev) return false;
      evs.push(ev);
    }
    for (const ev of evs) events.push(intern(ev));
    return true;
  }

  /** A JSON array: each element is read (and reported) on its own, with its own line. */
  function readArray(start: number, eol: number): number {
    const end = scanValue(text, start);
    if (end < 0) {
      parseError(line, 'unterminated or malformed JSON array');
      return eol;
    }
    // Fast path: a valid array of known records (the usual case) is parsed in one go; only when something in it is
    // wrong are the elements read one by one, so each problem gets its own line.
    if (wholeArray(start, end)) {
      line += countNewlines(text, start, end);
      return end;
    }
    let j = start + 1;
    while (j < end - 1 && !full) {
      const ch = text.charCodeAt(j);
      if (ch === 10) {
        line++;
        j++;
        continue;
      }
      if (ch === 32 || ch === 9 || ch === 13 || ch === 44 /* , */) {
        j++;
        continue;
      }
      const elEnd = ch === 123 || ch === 91 ? scanValue(text, j) : scanScalar(text, j, end - 1);
      if (elEnd < 0 || elEnd > end - 1) {
        parseError(line, 'malformed JSON array element');
        break;
      }
      const chunk = text.slice(j, elEnd);
      let o: unknown;
      let ok = true;
      try {
        o = JSON.parse(chunk);
      } catch (e) {
        ok = false;
        parseError(line, (e as Error).message);
      }
      if (ok) {
        if (Array.isArray(o)) for (const x of o) add(x, line);
        else add(o, line);
      }
      line += countNewlines(text, j, elEnd);
      j = elEnd;
    }
    line += countNewlines(text, j, end);
    return end;
  }
}

function lastNonSpace(s: string, from: number, to: number): number {
  let k = to - 1;
  while (k > from && (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 13 || s.charCodeAt(k) === 9)) k--;
  return k;
}

function countNewlines(s: string, from: number, to: number): number {
  let k = 0;
  for (let j = s.indexOf('\n', from); j >= 0 && j < to; j = s.indexOf('\n', j + 1)) k++;
  return k;
}

/** End (exclusive) of the bracketed JSON value starting at `start` ('{' or '['), or -1 when it never closes. */
function scanValue(s: string, start: number): number {
  let depth = 0;
  for (let j = start; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    if (ch === 34 /* " */) {
      for (j++; j < s.length; j++) {
        const q = s.charCodeAt(j);
        if (q === 92 /* \\ */) j++;
        else if (q === 34) break;
      }
    } else if (ch === 123 || ch === 91) depth++;
    else if (ch === 125 || ch === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** End of a scalar array element (string, number, literal) starting at `start`. */
function scanScalar(s: string, start: number, limit: number): number {
  if (s.charCodeAt(start) === 34) {
    for (let j = start + 1; j < limit; j++) {
      const q = s.charCodeAt(j);
      if (q === 92) j++;
      else if (q === 34) return j + 1;
    }
    return -1;
  }
  let j = start;
  while (j < limit && !/[,\s\]]/.test(s[j])) j++;
  return j;
}

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
  // karmor / relay wrappers: {"Alert": {...}} or {"Log": {...}}
  for (const k of ['Alert', 'Log', 'alert', 'log']) {
    const inner = o[k];
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && isKubeArmorRecord(inner as Record<string, unknown>)) {
      return kubeArmorToEvent(inner as Record<string, unknown>);
    }
  }
  if (isKubeArmorRecord(o)) return kubeArmorToEvent(o);
  if (isFalcoRecord(o)) return falcoToEvent(o);
  if (isTetragonRecord(o)) return tetragonToEvent(o);
  return undefined;
}

/**
 * Reads telemetry text in any supported shape: a JSON array, one JSON document, JSON lines, or kernel audit lines
 * (mixed lines are fine). Bad lines become diagnostics with file:line; the rest is read.
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
  const add = (o: unknown, line: number): boolean => {
    if (events.length >= limits.maxEvents) {
      diagnostics.push(diag('telemetry_too_many_events', `${file}: more than ${limits.maxEvents} events; the rest was not read`, { span: { file, line, column: 1 } }));
      return false;
    }
    const ev = o && typeof o === 'object' && !Array.isArray(o) ? recordToEvent(o as Record<string, unknown>) : undefined;
    if (ev) events.push(intern(ev));
    else diagnostics.push(diag('telemetry_unknown_record', `${file}:${line}: record is not a KubeArmor, Falco or Tetragon event; skipped`, { severity: 'warning', span: { file, line, column: 1 } }));
    return true;
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !/\}\s*\n\s*\{/.test(text))) {
    let whole: unknown;
    let ok = true;
    try {
      whole = JSON.parse(text);
    } catch {
      ok = false;
    }
    if (ok) {
      const list = Array.isArray(whole) ? whole : [whole];
      for (const o of list) if (!add(o, 1)) break;
      return { events, diagnostics };
    }
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (line.startsWith('{')) {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        diagnostics.push(diag('telemetry_parse_error', `${(e as Error).message}`, { span: { file, line: i + 1, column: 1 } }));
        continue;
      }
      if (!add(o, i + 1)) break;
    } else if (isAuditLine(line)) {
      const ev = auditLineToEvent(line);
      if (ev) events.push(intern(ev));
    } else {
      diagnostics.push(diag('telemetry_unknown_record', `${file}:${i + 1}: line is neither JSON nor a kernel audit record; skipped`, { severity: 'warning', span: { file, line: i + 1, column: 1 } }));
    }
  }
  return { events, diagnostics };
}

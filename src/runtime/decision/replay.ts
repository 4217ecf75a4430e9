import type { RuntimeEvent } from '../telemetry/event.js';
import { workloadKey } from '../telemetry/event.js';
import type { Decision, DecisionEngine } from './engine.js';

/**
 * The record replay prints for one event: the event's own fields (KubeArmor input: as recorded; other feeds: the
 * KubeArmor field names filled from the event) with Action, PolicyName and Type set by the decision, and Severity,
 * Tags, Message when a policy matched.
 */
export function replayRecord(ev: RuntimeEvent, d: Decision): Record<string, unknown> {
  const base: Record<string, unknown> = ev.origin === 'kubearmor' && ev.raw ? { ...ev.raw } : kubeArmorShape(ev);
  if (d.notEvaluated) {
    // An operation Rampart does not evaluate (e.g. Device): the record passes through as recorded, marked.
    base.Evaluated = false;
    return base;
  }
  // A recorded alert carries the verdict of the policies it was recorded under: those fields are re-decided, never
  // left stale; every other field (known or not) is kept as recorded.
  for (const k of DECISION_FIELDS) delete base[k];
  base.Type = d.type;
  base.PolicyName = d.policyName;
  base.Action = d.action;
  if (d.enforcer && d.type.startsWith('Matched')) base.Enforcer = d.enforcer;
  // The kernel result was taken as recorded but these policies would answer otherwise (a candidate policy replayed
  // on telemetry recorded without it): say so, without changing KubeArmor's labels.
  if (d.predictedResult !== d.result && (d.predictedResult === 'Passed') !== (d.result === 'Passed')) base.PredictedResult = d.predictedResult;
  if (d.policyName !== '' && d.policyName !== 'DefaultPosture') {
    if (d.severity) base.Severity = d.severity;
    if (d.tags && d.tags.length > 0) base.Tags = d.tags.join(',');
    if (d.message) base.Message = d.message;
  }
  return base;
}

const DECISION_FIELDS = ['Type', 'PolicyName', 'Action', 'Severity', 'Tags', 'ATags', 'Message', 'Enforcer', 'PredictedResult'] as const;

/** KubeArmor-named fields of an event from another feed. */
export function kubeArmorShape(ev: RuntimeEvent): Record<string, unknown> {
  const w = ev.workload;
  const o: Record<string, unknown> = {};
  if (ev.timestamp !== undefined) o.Timestamp = ev.timestamp;
  if (w.host) o.HostName = w.host;
  if (w.namespace) o.NamespaceName = w.namespace;
  if (w.pod) o.PodName = w.pod;
  const labels = Object.keys(w.labels).sort().map((k) => `${k}=${w.labels[k]}`).join(',');
  if (labels) o.Labels = labels;
  if (w.containerId) o.ContainerID = w.containerId;
  if (w.container) o.ContainerName = w.container;
  if (w.image) o.ContainerImage = w.image;
  if (ev.ppid !== undefined) o.PPID = ev.ppid;
  if (ev.pid !== undefined) o.PID = ev.pid;
  if (ev.uid !== undefined) o.UID = ev.uid;
  if (ev.parentProcess) o.ParentProcessName = ev.parentProcess;
  o.ProcessName = ev.process;
  o.Source = ev.source ?? ev.process;
  o.Operation = ev.operation;
  o.Resource = ev.resource;
  if (ev.data) o.Data = ev.data;
  if (ev.result) o.Result = ev.result;
  o.Origin = ev.origin;
  return o;
}

export interface WouldBlockFinding {
  operation: string;
  process: string;
  resource: string;
  policyName: string;
  action: string;
  count: number;
}

export interface WorkloadReport {
  workload: string;
  namespace?: string;
  pod?: string;
  container?: string;
  events: number;
  allow: number;
  audit: number;
  block: number;
  /** Operations the policies block or would block in enforce mode, grouped, most frequent first. */
  wouldBlock: WouldBlockFinding[];
}

/**
 * The observe-before-enforce report: per workload, how many events the candidate policies allow, audit and block,
 * and what exactly would be blocked once enforced: Block / "Audit (Block)" verdicts, predicted denials, and
 * `DefaultPosture` audits (an allowlist under the audit posture: the block posture would deny them).
 */
export function observeReport(events: readonly RuntimeEvent[], decide: DecisionEngine['decide']): WorkloadReport[] {
  const byWorkload = new Map<string, WorkloadReport & { index: Map<string, WouldBlockFinding> }>();
  for (const ev of events) {
    if (ev.unsupported !== undefined) continue;
    const d = decide(ev);
    const key = workloadKey(ev.workload);
    let r = byWorkload.get(key);
    if (!r) {
      r = {
        workload: key,
        ...(ev.workload.namespace ? { namespace: ev.workload.namespace } : {}),
        ...(ev.workload.pod ? { pod: ev.workload.pod } : {}),
        ...(ev.workload.container ? { container: ev.workload.container } : {}),
        events: 0,
        allow: 0,
        audit: 0,
        block: 0,
        wouldBlock: [],
        index: new Map(),
      };
      byWorkload.set(key, r);
    }
    r.events++;
    // Observe mode: what enforcement would deny = blocked now, or audited only because the posture is audit.
    const blocking = d.wouldBlock || d.predictedResult !== 'Passed' || (d.policyName === 'DefaultPosture' && d.action === 'Audit');
    if (blocking) r.block++;
    else if (d.action.startsWith('Audit')) r.audit++;
    else r.allow++;
    if (blocking) {
      const k = `${ev.operation}\u0000${ev.process}\u0000${ev.resource}\u0000${d.policyName}`;
      let f = r.index.get(k);
      if (!f) {
        f = { operation: ev.operation, process: ev.process, resource: ev.resource, policyName: d.policyName, action: d.action, count: 0 };
        r.index.set(k, f);
        r.wouldBlock.push(f);
      }
      f.count++;
    }
  }
  return [...byWorkload.values()]
    .map(({ index: _index, ...r }) => ({ ...r, wouldBlock: r.wouldBlock.sort((a, b) => b.count - a.count || (a.resource < b.resource ? -1 : 1)) }))
    .sort((a, b) => (a.workload < b.workload ? -1 : 1));
}

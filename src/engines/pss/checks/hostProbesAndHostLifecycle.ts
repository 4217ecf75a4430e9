import { joinQuote, pluralize, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, obj, str, type CheckOutcome, type Json, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HANDLERS = ['postStart', 'preStop'] as const;

/** Hosts set on a probe or lifecycle handler's httpGet / tcpSocket, with their paths. */
function hostsOf(handler: Json | undefined, base: FieldPath, hosts: string[], paths: FieldPath[]): boolean {
  if (!handler) return false;
  let found = false;
  for (const action of ['httpGet', 'tcpSocket'] as const) {
    const host = str(obj(handler[action])?.host);
    if (host !== '') {
      hosts.push(host);
      paths.push([...base, action, 'host']);
      found = true;
    }
  }
  return found;
}

/**
 * check_hostProbesAndhostLifecycle.go (1.34+): probes and lifecycle handlers must not set httpGet.host or
 * tcpSocket.host. Unlike most checks, container names and hosts are reported as sorted sets.
 */
export function hostProbesAndHostLifecycle_1_34(pod: PodView): CheckOutcome {
  const badContainers: string[] = [];
  const hosts: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    let bad = false;
    for (const probe of PROBES) {
      if (hostsOf(obj(c.container[probe]), [...c.path, probe], hosts, paths)) bad = true;
    }
    const lifecycle = obj(c.container.lifecycle);
    if (lifecycle) {
      for (const h of HANDLERS) {
        if (hostsOf(obj(lifecycle[h]), [...c.path, 'lifecycle', h], hosts, paths)) bad = true;
      }
    }
    if (bad) badContainers.push(c.name);
  }
  if (badContainers.length === 0) return ALLOWED;
  const names = sortedSet(badContainers);
  const uniqueHosts = sortedSet(hosts);
  return forbidden(
    'probe or lifecycle host',
    `${pluralize('container', 'containers', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ` +
      `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', uniqueHosts.length)} ${joinQuote(uniqueHosts)}`,
    paths,
  );
}

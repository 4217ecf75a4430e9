import { pluralize, joinQuote, sortedSet } from '../go-format.js';
import { ALLOWED, forbidden, list, obj, type CheckOutcome, type PodView } from '../pod.js';
import type { FieldPath } from '../../../core/span.js';

/** check_hostPorts.go hostPorts_1_0: containers must not use host ports (0 means unset). */
export function hostPorts_1_0(pod: PodView): CheckOutcome {
  const bad: string[] = [];
  const ports: string[] = [];
  const paths: FieldPath[] = [];
  for (const c of pod.containers) {
    let valid = true;
    list(c.container.ports).forEach((p, i) => {
      const hostPort = obj(p)?.hostPort;
      if (typeof hostPort === 'number' && hostPort !== 0) {
        valid = false;
        ports.push(String(hostPort));
        paths.push([...c.path, 'ports', i, 'hostPort']);
      }
    });
    if (!valid) bad.push(c.name);
  }
  if (bad.length === 0) return ALLOWED;
  const unique = sortedSet(ports);
  return forbidden(
    'hostPort',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ` +
      `${pluralize('hostPort', 'hostPorts', unique.length)} ${unique.join(', ')}`,
    paths,
  );
}

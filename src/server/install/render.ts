import { stringify } from 'yaml';
import type { KObject } from '../../k8s/object.js';

/** Multi-document YAML for `kubectl apply -f -`, or a v1 List as JSON. Key order is the objects' own (stable). */
export function renderManifests(objects: readonly KObject[], format: 'yaml' | 'json'): string {
  if (format === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

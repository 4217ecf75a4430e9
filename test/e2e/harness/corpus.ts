/**
 * The objects of PolicyTest suites (rampart test format) as a corpus for differential tests: every workload,
 * renamed `<suite>-<name>` so names are unique, plus the param objects the suites use.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Obj = Record<string, any>;

export const RESOURCE: Record<string, { path: string; plural: string }> = {
  Pod: { path: '/api/v1', plural: 'pods' },
  ReplicationController: { path: '/api/v1', plural: 'replicationcontrollers' },
  Deployment: { path: '/apis/apps/v1', plural: 'deployments' },
  ReplicaSet: { path: '/apis/apps/v1', plural: 'replicasets' },
  StatefulSet: { path: '/apis/apps/v1', plural: 'statefulsets' },
  DaemonSet: { path: '/apis/apps/v1', plural: 'daemonsets' },
  Job: { path: '/apis/batch/v1', plural: 'jobs' },
  CronJob: { path: '/apis/batch/v1', plural: 'cronjobs' },
};

export function docs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null && typeof o === 'object');
}

/** Every workload of the guardrail test suites, each with a unique name, plus the param objects they use. */
export function loadCorpus(testsDir: string): { objects: Obj[]; params: Obj[] } {
  const objects: Obj[] = [];
  const params = new Map<string, Obj>();
  const seen = new Set<string>();
  for (const file of readdirSync(testsDir).filter((f) => f.endsWith('.test.yaml')).sort()) {
    const suite = basename(file, '.test.yaml');
    for (const test of docs(readFileSync(join(testsDir, file), 'utf8'))) {
      const fromList = (list: unknown): Obj[] =>
        (Array.isArray(list) ? list : []).flatMap((r: unknown) => (typeof r === 'string' ? docs(readFileSync(join(dirname(join(testsDir, file)), r), 'utf8')) : [r as Obj]));
      for (const p of fromList(test.params)) params.set(`${p.kind}/${p.metadata?.namespace}/${p.metadata?.name}`, p);
      for (const o of fromList(test.resources)) {
        if (!RESOURCE[o.kind]) continue;
        const copy = structuredClone(o);
        const name = `${suite}-${String(o.metadata?.name ?? 'x')}`.slice(0, 63).replace(/-+$/, '');
        if (seen.has(`${o.kind}/${name}`)) continue;
        seen.add(`${o.kind}/${name}`);
        copy.metadata = { ...copy.metadata, name, namespace: copy.metadata?.namespace ?? 'default' };
        objects.push(copy);
      }
    }
  }
  return { objects, params: [...params.values()] };
}


/**
 * Scan throughput and memory: `npx tsx bench/scan.ts [--objects 100000] [--per-file 100]`.
 * Generates a corpus of pod-bearing objects (Pods, Deployments, StatefulSets, Jobs, CronJobs; half hardened, half
 * not), then measures in separate child processes (so peak RSS is per run):
 *   floor: the `yaml` library merely parsing every file (parseAllDocuments + toJS), the lower bound of any scan;
 *   scan:  `rampart scan` end to end on the compiled dist/ (load with positions, PSS restricted, then PSS restricted
 *          plus the guardrail library, JSON report to /dev/null).
 * It also scans a corpus with 10x fewer files to show peak RSS does not grow with the number of files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};

function podSpec(i: number, hardened: boolean): string {
  const sc = hardened
    ? `      securityContext:
        runAsNonRoot: true
        runAsUser: 1001
        seccompProfile: {type: RuntimeDefault}
`
    : '';
  const csc = hardened
    ? `          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
`
    : i % 3 === 0
      ? `          securityContext:
            privileged: true
`
      : '';
  return `${sc}      containers:
        - name: app-${i}
          image: registry.example.com/team/app-${i % 97}:1.${i % 13}
          ports: [{containerPort: ${8000 + (i % 100)}}]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
${csc}          env:
            - {name: MODE, value: production}
            - {name: INDEX, value: "${i}"}
      volumes:
        - name: tmp
          emptyDir: {}
`;
}

function object(i: number): string {
  const hardened = i % 2 === 0;
  const kinds = ['Deployment', 'StatefulSet', 'Pod', 'Job', 'CronJob'];
  const kind = kinds[i % kinds.length];
  const meta = `metadata:
  name: app-${i}
  namespace: ns-${i % 20}
  labels: {app: app-${i}, owner: team-${i % 7}}
`;
  const indent = (s: string, n: number) => s.replace(/^(?=.)/gm, ' '.repeat(n));
  if (kind === 'Pod') return `apiVersion: v1\nkind: Pod\n${meta}spec:\n${indent(podSpec(i, hardened), -0).replace(/^ {4}/gm, '  ')}`;
  const template = `template:\n  metadata:\n    labels: {app: app-${i}}\n  spec:\n${podSpec(i, hardened).replace(/^ {6}/gm, '    ')}`;
  if (kind === 'CronJob') return `apiVersion: batch/v1\nkind: CronJob\n${meta}spec:\n  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n${indent(template, 6)}`;
  if (kind === 'Job') return `apiVersion: batch/v1\nkind: Job\n${meta}spec:\n${indent(template, 2)}`;
  return `apiVersion: apps/v1\nkind: ${kind}\n${meta}spec:\n  replicas: 2\n  selector: {matchLabels: {app: app-${i}}}\n${indent(template, 2)}`;
}

function generate(dir: string, objects: number, perFile: number): number {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let f = 0; f * perFile < objects; f++) {
    const docs: string[] = [];
    for (let k = 0; k < perFile && f * perFile + k < objects; k++) docs.push(object(f * perFile + k));
    const text = docs.map((d) => d.trimEnd() + '\n').join('---\n');
    bytes += text.length;
    writeFileSync(join(dir, `f${String(f).padStart(6, '0')}.yaml`), text);
  }
  return bytes;
}

function child(mode: 'floor' | 'scan' | 'scan-all', dir: string): { seconds: number; objects: number; maxRssMiB: number } {
  const script = fileURLToPath(new URL('./scan-child.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, mode, dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function mainBench(): Promise<void> {
  const objects = arg('--objects', 100_000);
  const perFile = arg('--per-file', 100);
  const root = mkdtempSync(join(tmpdir(), 'rampart-bench-scan-'));
  try {
    const many = join(root, 'many');
    const few = join(root, 'few');
    const bytes = generate(many, objects, perFile);
    generate(few, Math.round(objects / 10), perFile);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
    console.log(`corpus: ${objects} pod-bearing objects in ${Math.ceil(objects / perFile)} files, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
    const floor = child('floor', many);
    const scan = child('scan', many);
    const all = child('scan-all', many);
    const small = child('scan', few);
    const fps = floor.objects / floor.seconds;
    const sps = scan.objects / scan.seconds;
    console.log(`parse-only floor (yaml parseAllDocuments+toJS): ${fps.toFixed(0)} objects/s (${floor.seconds.toFixed(2)} s), peak RSS ${floor.maxRssMiB.toFixed(0)} MiB`);
    console.log(`rampart scan (PSS restricted, JSON report):    ${sps.toFixed(0)} objects/s (${scan.seconds.toFixed(2)} s), peak RSS ${scan.maxRssMiB.toFixed(0)} MiB`);
    const aps = all.objects / all.seconds;
    console.log(`rampart scan (PSS restricted + 15 guardrail VAPs): ${aps.toFixed(0)} objects/s (${all.seconds.toFixed(2)} s), peak RSS ${all.maxRssMiB.toFixed(0)} MiB`);
    console.log(`ratio scan/floor: PSS ${((sps / fps) * 100).toFixed(1)}%, PSS+guardrails ${((aps / fps) * 100).toFixed(1)}% (goal >= 50%)`);
    console.log(`memory vs files: ${small.objects} objects in ${Math.ceil(small.objects / perFile)} files -> peak RSS ${small.maxRssMiB.toFixed(0)} MiB; ${scan.objects} objects in ${Math.ceil(objects / perFile)} files -> ${scan.maxRssMiB.toFixed(0)} MiB`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await mainBench();

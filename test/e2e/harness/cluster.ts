/**
 * A real control plane on loopback: etcd + kube-apiserver built from Go modules (test/e2e/apiserver), and kubectl
 * at the same version. No controller-manager and no nodes: pods stay Pending, which is all admission tests need.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createWebhookPki } from '../../../src/server/tls/index.js';
import { freePort, startProcess, waitFor, type Managed } from './process.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  /** https://127.0.0.1:<port> */
  server: string;
  kubeconfig: string;
  /** PEM of the CA that signed the API server's certificate. */
  caPem: string;
  token: string;
  workDir: string;
  /** JSON lines of the API server audit log (level Metadata for pods). */
  auditLog: string;
  kubectl(args: readonly string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** kubectl that throws unless it exits 0; returns stdout. */
  kubectlOk(args: readonly string[], opts?: { stdin?: string; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Folder with kube-apiserver, etcd and kubectl (default .cache/e2e/bin, or $RAMPART_E2E_BIN). */
  binDir?: string;
  /** Keep the work dir (logs, etcd data) after stop, for debugging. Default: $RAMPART_E2E_KEEP set. */
  keep?: boolean;
}

export function binDir(opts: ClusterOptions = {}): string {
  return resolve(opts.binDir ?? process.env.RAMPART_E2E_BIN ?? '.cache/e2e/bin');
}

/** Why the e2e binaries are missing, or undefined when they are all there. */
export function missingBinaries(opts: ClusterOptions = {}): string | undefined {
  const dir = binDir(opts);
  const missing = ['kube-apiserver', 'etcd', 'kubectl'].filter((b) => !existsSync(join(dir, b)));
  return missing.length ? `missing ${missing.join(', ')} in ${dir}: run test/tiers/e2e-apiserver.sh (it builds them)` : undefined;
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    resources: [{ group: "", resources: ["pods"] }]
  - level: None
`;

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const bins = binDir(opts);
  const workDir = await mkdtemp(join(tmpdir(), 'rampart-e2e-'));
  const procs: Managed[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of procs.reverse()) await p.stop();
    if (!(opts.keep ?? process.env.RAMPART_E2E_KEEP)) await rm(workDir, { recursive: true, force: true });
  };
  try {
    // etcd on loopback, its data in the work dir.
    const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
    const etcd = startProcess(
      'etcd',
      join(bins, 'etcd'),
      [
        '--name=e2e',
        `--data-dir=${join(workDir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
        '--listen-metrics-urls=',
        '--unsafe-no-fsync', // a throwaway store: durability buys nothing here and costs seconds
        '--log-level=warn',
      ],
      { logFile: join(workDir, 'etcd.log') },
    );
    procs.push(etcd);
    await waitFor(
      'etcd /health',
      async () => {
        const res = await fetch(`http://127.0.0.1:${etcdClient}/health`);
        return res.ok ? true : undefined;
      },
      { timeoutMs: 30_000, proc: etcd },
    );

    // API server credentials: serving cert, service-account keys, a static admin token.
    const pki = createWebhookPki({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date() });
    const sa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = randomBytes(24).toString('hex');
    const pkiDir = join(workDir, 'pki');
    await mkdir(pkiDir);
    const f = (n: string): string => join(pkiDir, n);
    await writeFile(f('ca.crt'), pki.ca.certPem);
    await writeFile(f('apiserver.crt'), pki.serving.certPem);
    await writeFile(f('apiserver.key'), pki.serving.keyPem, { mode: 0o600 });
    await writeFile(f('sa.pub'), sa.publicKey);
    await writeFile(f('sa.key'), sa.privateKey, { mode: 0o600 });
    await writeFile(f('tokens.csv'), `${token},e2e-admin,e2e-admin-uid,"system:masters"\n`, { mode: 0o600 });
    await writeFile(f('audit-policy.yaml'), AUDIT_POLICY);
    const auditLog = join(workDir, 'audit.log');

    const port = await freePort();
    const apiserver = startProcess(
      'kube-apiserver',
      join(bins, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${pkiDir}`,
        `--tls-cert-file=${f('apiserver.crt')}`,
        `--tls-private-key-file=${f('apiserver.key')}`,
        `--token-auth-file=${f('tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${f('sa.pub')}`,
        `--service-account-signing-key-file=${f('sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/24',
        // No controller-manager creates default ServiceAccounts, so pods could not be admitted with the plugin on.
        '--disable-admission-plugins=ServiceAccount',
        // Privileged pods must reach the webhooks: without this the API server rejects them itself.
        '--allow-privileged=true',
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        `--audit-policy-file=${f('audit-policy.yaml')}`,
        `--audit-log-path=${auditLog}`,
        '--audit-log-mode=blocking',
        '--v=1',
      ],
      { logFile: join(workDir, 'kube-apiserver.log') },
    );
    procs.push(apiserver);
    const server = `https://127.0.0.1:${port}`;
    await waitFor(
      'kube-apiserver /readyz',
      async () => ((await httpsGet(`${server}/readyz`, pki.ca.certPem, token)).status === 200 ? true : undefined),
      { timeoutMs: 240_000, proc: apiserver, intervalMs: 500 },
    );

    const kubeconfig = join(workDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, pki.ca.certPem, token), { mode: 0o600 });
    const kubectl = (args: readonly string[], o: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> =>
      run(join(bins, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], o);
    const kubectlOk = async (args: readonly string[], o: { stdin?: string; timeoutMs?: number } = {}): Promise<string> => {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    // RBAC bootstrap and the default namespace arrive with post-start hooks; wait until a list works.
    await waitFor('namespace default', async () => ((await kubectl(['get', 'namespace', 'default', '-o', 'name'])).code === 0 ? true : undefined), {
      timeoutMs: 60_000,
      proc: apiserver,
      intervalMs: 500,
    });
    return { server, kubeconfig, caPem: pki.ca.certPem, token, workDir, auditLog, kubectl, kubectlOk, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function kubeconfigYaml(server: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster: { server: "${server}", certificate-authority-data: "${ca}" }
users:
  - name: admin
    user: { token: "${token}" }
contexts:
  - name: e2e
    context: { cluster: e2e, user: admin }
current-context: e2e
`;
}

/** Runs a command with an argument array (never a shell), time-bound, capturing output. */
export function run(cmd: string, args: readonly string[], opts: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, stdout, stderr: stderr + err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

export function httpsGet(url: string, caPem: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { ca: caPem, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Audit events (parsed JSON lines) written so far. */
export async function readAudit(cluster: Cluster): Promise<Array<Record<string, any>>> {
  let text = '';
  try {
    text = await readFile(cluster.auditLog, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}

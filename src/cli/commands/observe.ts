import type { Command } from 'commander';
import type { Diagnostic } from '../../core/diagnostic.js';
import { EXIT } from '../exit-codes.js';

interface ObserveOpts {
  pod?: string;
  command?: string;
  container?: string;
  policy: string[];
  seccompDefault?: boolean;
  seccompLog?: boolean;
  cgroup?: string;
  namespace?: string;
  podName?: string;
  containerName?: string;
  labels?: string;
  duration: string;
  output?: string;
  runc?: string;
  format: string;
}

/** `rampart observe`: record what a workload does (exec, open, connect, seccomp) as KubeArmor-format log lines. */
export function register(program: Command): void {
  program
    .command('observe')
    .description(
      'record a workload on this Linux node: bpftrace tracepoints (exec, openat, socket, connect) filtered by its cgroup, ' +
        'and seccomp audit records, written as KubeArmor-format JSON lines (input of `rampart runtime discover`); needs root and bpftrace',
    )
    .option('--pod <file>', 'run this pod\'s container in the runc sandbox (its securityContext mapped as by verify)')
    .option('--command <cmd>', 'with --pod: the workload to run, as /bin/sh -c CMD inside the busybox sandbox')
    .option('--container <name>', 'with --pod: the container (default: the first)')
    .option('--policy <file>', 'with --pod: Localhost seccomp profile / KubeArmor policy; repeatable', (v: string, p: string[]) => [...p, v], [])
    .option('--seccomp-default', "with --pod: RuntimeDefault when the pod sets no seccomp profile (the kubelet's --seccomp-default)")
    .option('--seccomp-log', 'with --pod: audit mode: every call the seccomp profile would refuse runs and is logged (SCMP_ACT_LOG)')
    .option('--cgroup <dir>', 'observe an existing cgroup v2 directory instead (e.g. a container of this node)')
    .option('--namespace <ns>', 'with --cgroup: namespace to stamp on the records')
    .option('--pod-name <name>', 'with --cgroup: pod name to stamp on the records')
    .option('--container-name <name>', 'with --cgroup: container name to stamp on the records')
    .option('--labels <k=v,...>', 'with --cgroup: pod labels to stamp on the records')
    .option('--duration <seconds>', 'how long to record (with --pod: the workload is stopped after it)', '30')
    .option('--output <file>', 'write the JSON lines there (default: stdout)')
    .option('--format <format>', "kubearmor (KubeArmor log records) or events (Rampart's RuntimeEvent model)", 'kubearmor')
    .option('--runc <path>', 'the runc binary (default: runc on PATH or in /usr/sbin)')
    .addHelpText(
      'after',
      `
Output: one JSON object per line in KubeArmor's log format (Operation Process/File/Network/Syscall, ProcessName,
Resource, Data, Result, NamespaceName, PodName, ContainerName, Labels, HostPID...), or with --format events in
Rampart's RuntimeEvent model. A summary goes to stderr.

Exit codes: 0 recorded; 2 usage error, not root, bpftrace/runc missing, tracefs unavailable.

Examples:
  sudo rampart observe --pod pod.yaml --seccomp-log --command 'wget -q -O- http://10.0.0.1/ ; cat /etc/passwd' > events.jsonl
  sudo rampart observe --cgroup /sys/fs/cgroup/kubepods.slice/... --namespace shop --pod-name web-1 --duration 60 --output web.jsonl`,
    )
    .action(async (opts: ObserveOpts) => {
      process.exitCode = await runObserve(opts);
    });
}

async function runObserve(opts: ObserveOpts): Promise<number> {
  const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
  const { hostname } = await import('node:os');
  const { findExecutable, isStaticElf, readNodeFacts } = await import('../../io/sandbox/host.js');
  const { toKubeArmorRecords } = await import('../../runtime/verify/observe-records.js');

  const usage = (m: string) => {
    process.stderr.write(`rampart observe: ${m}\n`);
    return EXIT.usage;
  };
  if (!opts.pod === !opts.cgroup) return usage('give either --pod FILE (with --command) or --cgroup DIR');
  if (opts.format !== 'kubearmor' && opts.format !== 'events') return usage(`--format must be kubearmor or events, not "${opts.format}"`);
  if (opts.pod && !opts.command) return usage('--pod needs --command: the workload to run in the sandbox');
  const seconds = Number.parseFloat(opts.duration);
  if (!(seconds > 0 && seconds <= 3600)) return usage('--duration must be between 0 and 3600 seconds');
  const diagnostics: Diagnostic[] = [];
  const facts = readNodeFacts();
  if (!facts.isRoot) diagnostics.push({ code: 'sandbox_not_root', severity: 'error', message: 'rampart observe loads eBPF programs and needs root' });
  const bpftrace = findExecutable('bpftrace');
  if (!bpftrace) diagnostics.push({ code: 'observe_bpftrace_missing', severity: 'error', message: 'bpftrace is not installed (Debian/Ubuntu: apt-get install bpftrace)' });
  if (diagnostics.length > 0) return report(diagnostics);

  let result;
  let workload: Parameters<typeof toKubeArmorRecords>[2];
  try {
    if (opts.cgroup) {
      if (!existsSync(`${opts.cgroup}/cgroup.procs`)) return usage(`${opts.cgroup} is not a cgroup directory`);
      const { observeCgroup } = await import('../../io/observe/observe.js');
      result = await observeCgroup(opts.cgroup, seconds * 1000, bpftrace!);
      const labels: Record<string, string> = {};
      for (const kv of (opts.labels ?? '').split(',').filter(Boolean)) {
        const i = kv.indexOf('=');
        labels[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
      }
      workload = { namespace: opts.namespace, pod: opts.podName, container: opts.containerName, labels, host: hostname() };
    } else {
      const { loadManifestText } = await import('../../k8s/load.js');
      const { POD_BEARING_KINDS, podTemplateOf } = await import('../../k8s/podspec.js');
      const { meta } = await import('../../k8s/object.js');
      const { loadVerifyPolicies } = await import('../../runtime/verify/policies.js');
      const { podToOci } = await import('../../runtime/verify/pod-to-oci.js');
      const { resolveProfile, toLogProfile } = await import('../../runtime/verify/seccomp-conditional.js');
      const { RUNTIME_DEFAULT_SECCOMP } = await import('../../runtime/verify/runtime-default-seccomp.js');
      const text = readFileSync(opts.pod!, 'utf8');
      const loaded = loadManifestText(text, opts.pod!);
      diagnostics.push(...loaded.diagnostics);
      const obj = loaded.objects.find((o) => POD_BEARING_KINDS.includes(String(o.object.kind)));
      if (!obj) return report([...diagnostics, { code: 'verify_no_pod', severity: 'error', message: `${opts.pod} holds no Pod or pod controller` }]);
      const policies = loadVerifyPolicies(opts.policy.map((p) => ({ path: p, text: readFileSync(p, 'utf8') })));
      diagnostics.push(...policies.diagnostics);
      const mapped = podToOci(obj, { host: facts, container: opts.container, localhostProfiles: policies.seccomp, seccompDefault: opts.seccompDefault === true });
      diagnostics.push(...mapped.diagnostics);
      if (!mapped.spec || !mapped.controls || diagnostics.some((d) => d.severity === 'error')) return report(diagnostics);
      if (opts.seccompLog && !mapped.controls.privileged) {
        const base =
          mapped.spec.linux.seccomp ??
          resolveProfile(RUNTIME_DEFAULT_SECCOMP, { boundingCaps: mapped.spec.process.capabilities.bounding, arch: facts.arch, kernel: facts.kernel });
        mapped.spec.linux.seccomp = toLogProfile(base);
      }
      const runc = opts.runc ? (existsSync(opts.runc) ? opts.runc : undefined) : findExecutable('runc');
      const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => isStaticElf(p));
      if (!runc) diagnostics.push({ code: 'sandbox_runc_missing', severity: 'error', message: 'runc is not installed (apt-get install runc)' });
      if (!busybox) diagnostics.push({ code: 'sandbox_busybox_missing', severity: 'error', message: 'a static busybox is needed (apt-get install busybox-static)' });
      if (!runc || !busybox) return report(diagnostics);
      const { observeInSandbox } = await import('../../io/observe/observe.js');
      result = await observeInSandbox({
        runc,
        busybox,
        bpftrace: bpftrace!,
        config: mapped.spec as unknown as Record<string, unknown>,
        volumes: mapped.volumes,
        args: ['/bin/sh', '-c', opts.command!],
        timeoutMs: seconds * 1000,
      });
      const tpl = podTemplateOf(obj.object);
      const c = (Array.isArray(tpl?.spec.containers) ? tpl.spec.containers : []).find((x: { name?: string }) => x?.name === mapped.controls!.container) as
        | { image?: string }
        | undefined;
      workload = {
        namespace: meta(obj.object).namespace ?? 'default',
        pod: mapped.controls.pod,
        container: mapped.controls.container,
        containerId: result.workload?.containerId,
        image: typeof c?.image === 'string' ? c.image : undefined,
        labels: { ...(tpl?.metadata.labels ?? {}) },
        host: hostname(),
      };
    }
  } catch (e) {
    const msg = (e as Error).message;
    const code = /tracefs/.test(msg) ? 'observe_tracefs_unavailable' : 'sandbox_error';
    return report([...diagnostics, { code, severity: 'error', message: msg }]);
  }

  const records = toKubeArmorRecords(result.observations, result.seccomp, workload, result.epochOffsetMs);
  let rows: unknown[] = records;
  if (opts.format === 'events') {
    const { kubeArmorToEvent } = await import('../../runtime/telemetry/kubearmor.js');
    rows = records.map((r) => {
      const ev = kubeArmorToEvent(r as unknown as Record<string, unknown>);
      if (ev) {
        ev.origin = 'rampart';
        delete ev.raw;
      }
      return ev;
    });
  }
  const lines = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  if (opts.output) writeFileSync(opts.output, lines);
  else process.stdout.write(lines);
  for (const w of result.warnings) diagnostics.push({ code: 'sandbox_error', severity: 'warning', message: w });
  report(diagnostics);
  const count = (op: string) => records.filter((r) => r.Operation === op).length;
  const wl = result.workload;
  if (wl) {
    const tail = (s: string) => s.trim().split('\n').slice(-5).map((l) => `  | ${l}`).join('\n');
    if (wl.stdout.trim()) process.stderr.write(`workload stdout:\n${tail(wl.stdout)}\n`);
    if (wl.stderr.trim()) process.stderr.write(`workload stderr:\n${tail(wl.stderr)}\n`);
    process.stderr.write(`workload ${wl.timedOut ? 'stopped after --duration' : `exited ${wl.exitCode}`}\n`);
  }
  process.stderr.write(
    `rampart observe: ${records.length} events (${count('Process')} process, ${count('File')} file, ${count('Network')} network, ${count('Syscall')} seccomp)` +
      `${opts.output ? ` written to ${opts.output}` : ''}\n`,
  );
  return EXIT.ok;
}

function report(diagnostics: readonly Diagnostic[]): number {
  for (const d of diagnostics) {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : '';
    process.stderr.write(`${where}${d.severity} ${d.code}: ${d.message}\n`);
  }
  return diagnostics.some((d) => d.severity === 'error') ? EXIT.usage : EXIT.ok;
}

import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';

/**
 * `rampart runtime compile|replay|discover|drift`: runtime allowlisting with KubeArmor policies.
 * Heavy modules are imported inside the actions so `rampart --help` stays fast.
 */

interface CommonOpts {
  format?: string;
  posture?: string;
  namespaces?: string[];
}

const MAX_INPUT_BYTES = 512 * 1024 * 1024;

async function readInput(file: string): Promise<{ text?: string; error?: string }> {
  const { readFile, stat } = await import('node:fs/promises');
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of process.stdin) {
        size += (c as Buffer).length;
        if (size > MAX_INPUT_BYTES) return { error: `stdin is larger than ${MAX_INPUT_BYTES} bytes` };
        chunks.push(c as Buffer);
      }
      return { text: Buffer.concat(chunks).toString('utf8') };
    }
    const st = await stat(file);
    if (st.size > MAX_INPUT_BYTES) return { error: `${file} is larger than ${MAX_INPUT_BYTES} bytes` };
    return { text: await readFile(file, 'utf8') };
  } catch (e) {
    return { error: `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

interface Diag {
  code: string;
  severity: string;
  message: string;
  span?: { file: string; line: number; column: number };
  help?: string;
}

function printDiagnostics(diags: readonly Diag[]): void {
  for (const d of diags) {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : '';
    process.stderr.write(`${where}${d.severity} ${d.code}: ${d.message}${d.help ? ` (${d.help})` : ''}\n`);
  }
}

/** Loads KubeArmor policies (and Namespace objects for postures) from files. */
async function loadPolicies(files: readonly string[]) {
  const { loadManifestText } = await import('../../k8s/load.js');
  const { createKubeArmorLoader } = await import('../../runtime/kubearmor/load.js');
  const { namespaceSettings } = await import('../../runtime/decision/posture.js');
  const loader = createKubeArmorLoader();
  const diagnostics: Diag[] = [];
  const policies = [];
  const others = [];
  for (const f of files) {
    const r = await readInput(f);
    if (r.error !== undefined) {
      diagnostics.push({ code: 'file_read_error', severity: 'error', message: r.error });
      continue;
    }
    const loaded = loadManifestText(r.text!, f);
    diagnostics.push(...loaded.diagnostics);
    const l = loader.load(loaded.objects, policies.length);
    diagnostics.push(...l.diagnostics);
    policies.push(...l.policies);
    others.push(...loaded.objects.map((o) => o.object));
  }
  return { policies, diagnostics, namespaces: namespaceSettings(others) };
}

async function loadEvents(files: readonly string[]) {
  const { parseTelemetry } = await import('../../runtime/telemetry/parse.js');
  const diagnostics: Diag[] = [];
  const events = [];
  for (const f of files.length ? files : ['-']) {
    const r = await readInput(f);
    if (r.error !== undefined) {
      diagnostics.push({ code: 'file_read_error', severity: 'error', message: r.error });
      continue;
    }
    const p = parseTelemetry(r.text!, f === '-' ? '<stdin>' : f);
    diagnostics.push(...p.diagnostics);
    for (const e of p.events) events.push(e);
  }
  return { events, diagnostics };
}

async function postureOption(spec: string | undefined) {
  if (!spec) return { ok: true as const, posture: undefined };
  const { parsePosture } = await import('../../runtime/decision/posture.js');
  const posture = parsePosture(spec);
  return posture ? { ok: true as const, posture } : { ok: false as const, posture: undefined };
}

const hasError = (d: readonly Diag[]) => d.some((x) => x.severity === 'error');
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command): void {
  const runtime = program
    .command('runtime')
    .description('runtime allowlisting with KubeArmor policies: compile to enforcement layers, replay telemetry, discover baselines, report drift');

  runtime
    .command('compile')
    .description('compile KubeArmor policies to an enforcement layer')
    .requiredOption('--to <target>', 'apparmor | seccomp | networkpolicy | spo | layers (which layer enforces each rule on the node)')
    .option('--node <lsm>', 'layers: the node\'s LSM enforcer: apparmor, bpf-lsm or none', 'apparmor')
    .option('--posture <posture>', 'default posture for allowlists: "block", "audit" or "file=block,network=audit,capabilities=audit" (default audit, as KubeArmor)')
    .option('--name <name>', 'profile / object name (default derived from the policy)')
    .option('--merge', 'apparmor/spo: one profile from all policies (what one container gets) instead of one per policy')
    .option('--arch <list>', 'seccomp architectures, comma-separated (x86_64,aarch64)', 'x86_64,aarch64')
    .option('--format <format>', 'networkpolicy/spo: yaml or json', 'yaml')
    .argument('<files...>', 'KubeArmor policy files (YAML/JSON, multi-document)')
    .addHelpText(
      'after',
      `
Every rule the target cannot express is reported on stderr with the layer that can (codes apparmor_cannot_express,
seccomp_cannot_express, networkpolicy_cannot_express, apparmor_allowlist_not_enforced ...).

Examples:
  rampart runtime compile --to apparmor policies/ksp.yaml > profile
  rampart runtime compile --to apparmor --posture block --merge --name web policies/*.yaml
  rampart runtime compile --to seccomp --arch x86_64 ksp.yaml > /var/lib/kubelet/seccomp/web.json
  rampart runtime compile --to networkpolicy ksp.yaml | kubectl apply -f -
  rampart runtime compile --to spo --merge --name web ksp.yaml   # SeccompProfile + AppArmorProfile + pod patch
  rampart runtime compile --to layers --node none ksp.yaml       # per rule: which layer enforces it, which cannot

Exit codes: 0 compiled, 2 unreadable or invalid policy (diagnostics on stderr).`,
    )
    .action(async (files: string[], opts: CommonOpts & { to: string; name?: string; merge?: boolean; arch: string; node: string }) => {
      const to = opts.to;
      if (!['apparmor', 'seccomp', 'networkpolicy', 'spo', 'layers'].includes(to) || !['apparmor', 'bpf-lsm', 'none'].includes(opts.node)) {
        process.stderr.write(`rampart: --to must be apparmor, seccomp, networkpolicy, spo or layers; --node apparmor, bpf-lsm or none\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const pos = await postureOption(opts.posture);
      const arches = opts.arch.split(',').map((s) => s.trim());
      if (!pos.ok || arches.some((a) => a !== 'x86_64' && a !== 'aarch64')) {
        process.stderr.write(`rampart: invalid ${!pos.ok ? '--posture' : '--arch'}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { policies, diagnostics } = await loadPolicies(files);
      if (policies.length === 0 && !hasError(diagnostics)) {
        diagnostics.push({ code: 'kubearmor_no_policies', severity: 'error', message: `no KubeArmorPolicy, KubeArmorClusterPolicy or KubeArmorHostPolicy in ${files.join(', ')}` });
      }
      const out =
        to === 'layers'
          ? await layersOf(policies, opts.node, opts.format ?? 'yaml', pos.posture)
          : await compileTo(to, policies, { name: opts.name, merge: opts.merge, format: opts.format, posture: pos.posture, arches: arches as ('x86_64' | 'aarch64')[] });
      diagnostics.push(...out.diagnostics);
      process.stdout.write(out.text);
      printDiagnostics(diagnostics);
      process.exitCode = hasError(diagnostics) ? EXIT.usage : EXIT.ok;
    });

  runtime
    .command('replay')
    .description('replay recorded runtime events against candidate KubeArmor policies ("what would this policy have done to last week\'s traffic?")')
    .requiredOption('--policy <file>', 'KubeArmor policy file (repeatable); Namespace objects in them set postures', collect)
    .option('--namespaces <file>', 'Namespace objects whose kubearmor-*-posture / kubearmor-policy annotations apply (repeatable)', collect)
    .option('--posture <posture>', 'global default posture: "block", "audit" or "file=block,network=audit" (default audit, as KubeArmor)')
    .option('--result <mode>', 'auto (KubeArmor records: their recorded Result, as KubeArmor labels them; other feeds: merge) | merge (recorded denials + what the policies deny) | recorded | predicted', 'auto')
    .option('--enforcer <name>', 'the node\'s enforcer: AppArmor, BPFLSM (capability rules differ) or none (no LSM: KubeArmor audits, actions "Audit (Block)" / "Audit (Allow)")', 'AppArmor')
    .option('--report', 'print the observe-before-enforce report per workload instead of one record per event')
    .option('--format <format>', 'text or json (json: one JSON object per event, the event fields plus Action and PolicyName)', 'text')
    .argument('[events...]', 'telemetry files: KubeArmor JSON (lines or array), Falco JSON, Tetragon JSON export, kernel audit lines; "-" or none for stdin')
    .addHelpText(
      'after',
      `
Decisions follow KubeArmor's own matcher (precedence, default posture "DefaultPosture", fromSource, ownerOnly,
readOnly, recursive directories, matchPatterns); Action is Allow | Audit | Block (or the posture's action when no
rule matches), PolicyName the matching policy, "DefaultPosture", or "" when nothing matched.

Examples:
  karmor logs --json > events.jsonl
  rampart runtime replay --policy ksp.yaml events.jsonl --format json
  rampart runtime replay --policy candidate.yaml --posture block --report last-week.jsonl
  cat /var/log/audit/audit.log | rampart runtime replay --policy ksp.yaml -

Exit codes: 0 replayed, 2 unreadable or invalid input.`,
    )
    .action(async (files: string[], opts: CommonOpts & { policy: string[]; result: string; enforcer: string; report?: boolean }) => {
      const pos = await postureOption(opts.posture);
      if (!pos.ok || !['auto', 'merge', 'recorded', 'predicted'].includes(opts.result) || !['AppArmor', 'BPFLSM', 'none'].includes(opts.enforcer) || !['text', 'json'].includes(opts.format ?? 'text')) {
        process.stderr.write('rampart: invalid --posture, --result, --enforcer or --format\n');
        process.exitCode = EXIT.usage;
        return;
      }
      const { policies, diagnostics, namespaces } = await loadPolicies([...opts.policy, ...(opts.namespaces ?? [])]);
      const { events, diagnostics: evDiags } = await loadEvents(files);
      diagnostics.push(...evDiags);
      const { createDecisionEngine } = await import('../../runtime/decision/engine.js');
      const { replayRecord, observeReport } = await import('../../runtime/decision/replay.js');
      const engine = createDecisionEngine(policies, {
        defaultPosture: pos.posture,
        namespacePosture: namespaces.namespacePosture,
        auditedNamespaces: namespaces.auditedNamespaces,
        resultMode: opts.result as 'auto',
        enforcer: opts.enforcer as 'AppArmor',
      });
      const json = opts.format === 'json';
      if (opts.report) {
        const report = observeReport(events, (e) => engine.decide(e));
        if (json) process.stdout.write(JSON.stringify({ workloads: report }, null, 2) + '\n');
        else {
          for (const w of report) {
            process.stdout.write(`${w.workload}: ${w.events} events, ${w.allow} allowed, ${w.audit} audited, ${w.block} would block\n`);
            for (const f of w.wouldBlock.slice(0, 50)) process.stdout.write(`  would block ${f.count}x ${f.operation} ${f.process} -> ${f.resource} (${f.policyName || 'no policy'})\n`);
          }
        }
      } else {
        const lines: string[] = [];
        for (const ev of events) {
          const d = engine.decide(ev);
          if (json) lines.push(JSON.stringify(replayRecord(ev, d)));
          else lines.push(`${d.action.padEnd(13)} ${(d.policyName || '-').padEnd(32)} ${ev.operation.padEnd(12)} ${ev.process} -> ${ev.resource}  [${ev.workload.namespace ?? 'host'}/${ev.workload.pod ?? ev.workload.host ?? ''}]`);
          if (lines.length >= 4096) {
            process.stdout.write(lines.join('\n') + '\n');
            lines.length = 0;
          }
        }
        if (lines.length) process.stdout.write(lines.join('\n') + '\n');
      }
      printDiagnostics(diagnostics);
      process.exitCode = hasError(diagnostics) ? EXIT.usage : EXIT.ok;
    });

  runtime
    .command('discover')
    .description('derive the minimal allowlist policy (and seccomp profile) of a workload from observed events')
    .option('--workload <selector>', 'namespace/pod-prefix/container of the workload (parts may be empty); required when events cover several')
    .option('--name <name>', 'policy name')
    .option('--min-files <n>', 'files in one directory before it collapses into a directory rule', '3')
    .option('--seccomp', 'print the seccomp allowlist profile (JSON) instead of the KubeArmor policy')
    .option('--format <format>', 'yaml or json', 'yaml')
    .argument('[events...]', 'telemetry files (as for replay); "-" or none for stdin')
    .addHelpText(
      'after',
      `
Binaries stay exact; files collapse into directories by the rule in docs/runtime.md; the policy is an Allow
allowlist: apply it, watch replay --report in audit posture, then set kubearmor-file-posture=block.

Examples:
  rampart runtime discover --workload shop/web-/nginx events.jsonl > baseline.yaml
  rampart runtime discover --workload shop/web-/nginx --seccomp events.jsonl > web-seccomp.json`,
    )
    .action(async (files: string[], opts: CommonOpts & { workload?: string; name?: string; minFiles: string; seccomp?: boolean }) => {
      const { events, diagnostics } = await loadEvents(files);
      const { discoverBaseline, baselinePolicy } = await import('../../runtime/discovery/baseline.js');
      const { workloadKey } = await import('../../runtime/telemetry/event.js');
      const [ns, podPrefix, container] = (opts.workload ?? '').split('/');
      const mine = events.filter(
        (e) =>
          (!ns || e.workload.namespace === ns) && (!podPrefix || (e.workload.pod ?? '').startsWith(podPrefix)) && (!container || e.workload.container === container),
      );
      const keys = new Set(mine.map((e) => `${e.workload.namespace}/${e.workload.container}`));
      if (keys.size > 1) {
        process.stderr.write(`rampart: events cover ${keys.size} workloads (${[...new Set(mine.map((e) => workloadKey(e.workload)))].slice(0, 5).join(', ')} ...); choose one with --workload ns/pod-prefix/container\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (mine.length === 0) {
        process.stderr.write(`rampart: no events${opts.workload ? ` for workload ${opts.workload}` : ''}; nothing to derive a baseline from\n`);
        printDiagnostics(diagnostics);
        process.exitCode = EXIT.usage;
        return;
      }
      const min = Number(opts.minFiles);
      const b = discoverBaseline(mine, { minFilesPerDir: Number.isInteger(min) && min > 0 ? min : 3 });
      if (opts.seccomp) {
        const { seccompAllowlist, formatSeccompProfile } = await import('../../compilers/seccomp/profile.js');
        const s = seccompAllowlist(b.syscalls);
        process.stdout.write(formatSeccompProfile(s.profile));
        diagnostics.push(...s.diagnostics.filter((d) => d.severity !== 'info'));
      } else {
        const pol = baselinePolicy(b, { name: opts.name });
        process.stdout.write(await formatObjects([pol], opts.format ?? 'yaml'));
      }
      printDiagnostics(diagnostics);
      process.exitCode = hasError(diagnostics) ? EXIT.usage : EXIT.ok;
    });

  runtime
    .command('drift')
    .description('report behaviour not covered by existing allowlist policies, Block violations, and unused Allow rules')
    .requiredOption('--policy <file>', 'KubeArmor policy file (repeatable)', collect)
    .option('--format <format>', 'text or json', 'text')
    .argument('[events...]', 'telemetry files; "-" or none for stdin')
    .addHelpText('after', `
Exit codes: 0 no drift, 1 drift (new behaviour or violations), 2 invalid input.

Example:
  rampart runtime drift --policy baseline.yaml today.jsonl`)
    .action(async (files: string[], opts: CommonOpts & { policy: string[] }) => {
      const { policies, diagnostics } = await loadPolicies(opts.policy);
      const { events, diagnostics: evDiags } = await loadEvents(files);
      diagnostics.push(...evDiags);
      const { driftReport } = await import('../../runtime/discovery/drift.js');
      const r = driftReport(policies, events);
      if (opts.format === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        process.stdout.write(`${r.events} events: ${r.newBehaviour.length} new behaviours, ${r.violations.length} violations, ${r.unusedAllowRules.length} unused allow rules\n`);
        for (const d of r.newBehaviour) process.stdout.write(`  new ${d.count}x ${d.operation} ${d.process} -> ${d.resource}\n`);
        for (const v of r.violations) process.stdout.write(`  violation ${v.count}x ${v.operation} ${v.process} -> ${v.resource} (${v.policyName})\n`);
        for (const u of r.unusedAllowRules) process.stdout.write(`  unused ${u.policyName} ${u.rule}${u.line ? ` (line ${u.line})` : ''}\n`);
      }
      printDiagnostics(diagnostics);
      process.exitCode = hasError(diagnostics) ? EXIT.usage : r.newBehaviour.length || r.violations.length ? EXIT.findings : EXIT.ok;
    });
}

/** Per rule, the layers that enforce it on the given node, as a table (text) or JSON. */
async function layersOf(
  policies: Awaited<ReturnType<typeof loadPolicies>>['policies'],
  node: string,
  format: string,
  posture?: { file?: string; network?: string; capabilities?: string },
): Promise<{ text: string; diagnostics: Diag[] }> {
  const { ruleLayers } = await import('../../compilers/layers.js');
  const target = { apparmor: node === 'apparmor', bpfLsm: node === 'bpf-lsm', seccomp: true };
  const rows = policies.flatMap((p) =>
    p.rules.map((r) => ({
      policy: p.name,
      rule: r.at.join('.'),
      kind: r.kind,
      action: r.action,
      ...(r.span ? { line: r.span.line, file: r.span.file } : {}),
      layers: ruleLayers(r, target, posture),
    })),
  );
  if (format === 'json') return { text: JSON.stringify({ node: target, rules: rows }, null, 2) + '\n', diagnostics: [] };
  const lines = rows.map((r) => {
    const enforced = r.layers.filter((l) => l.coverage === 'enforces' || l.coverage === 'partial').map((l) => `${l.layer}${l.coverage === 'partial' ? ' (partial)' : ''}`);
    const cannot = r.layers.filter((l) => l.coverage === 'cannot' || l.coverage === 'unavailable').map((l) => `${l.layer}${l.coverage === 'unavailable' ? ' (not on this node)' : ''}`);
    const audits = r.layers.filter((l) => l.coverage === 'audits').map((l) => l.layer);
    return `${r.policy} ${r.rule} (${r.kind}, ${r.action}): enforced by ${enforced.join(', ') || 'nothing'}${audits.length ? `; audited by ${audits.join(', ')}` : ''}${cannot.length ? `; not by ${cannot.join(', ')}` : ''}`;
  });
  return { text: lines.join('\n') + (lines.length ? '\n' : ''), diagnostics: [] };
}

async function formatObjects(objs: readonly unknown[], format: string): Promise<string> {
  if (format === 'json') return objs.map((o) => JSON.stringify(o, null, 2)).join('\n') + '\n';
  const { stringify } = await import('yaml');
  return objs.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

async function compileTo(
  to: string,
  policies: Awaited<ReturnType<typeof loadPolicies>>['policies'],
  opts: { format?: string; name?: string; merge?: boolean; posture?: { file?: string; network?: string; capabilities?: string }; arches: ('x86_64' | 'aarch64')[] },
): Promise<{ text: string; diagnostics: Diag[] }> {
  const diagnostics: Diag[] = [];
  const { compileAppArmor, profileName } = await import('../../compilers/apparmor/compile.js');
  const apparmor = () => {
    const groups = opts.merge ? [policies] : policies.map((p) => [p]);
    return groups.filter((g) => g.length > 0).map((g) => {
      const r = compileAppArmor(g, { posture: opts.posture, name: opts.merge ? (opts.name ?? profileName(g[0].namespace, g[0].name)) : undefined });
      diagnostics.push(...r.diagnostics);
      return r.profile;
    });
  };
  if (to === 'apparmor') return { text: apparmor().map((p) => p.text).join('\n'), diagnostics };
  const { compileKubeArmorToSeccomp } = await import('../../compilers/seccomp/from-kubearmor.js');
  const { formatSeccompProfile } = await import('../../compilers/seccomp/profile.js');
  if (to === 'seccomp') {
    const r = compileKubeArmorToSeccomp(policies, { architectures: opts.arches });
    return { text: formatSeccompProfile(r.profile), diagnostics: [...diagnostics, ...r.diagnostics] };
  }
  if (to === 'networkpolicy') {
    const { compileNetworkPolicies } = await import('../../compilers/networkpolicy/compile.js');
    const r = compileNetworkPolicies(policies);
    return { text: r.objects.length ? await formatObjects(r.objects, opts.format ?? 'yaml') : '', diagnostics: [...diagnostics, ...r.diagnostics] };
  }
  const { spoSeccompProfile, spoAppArmorProfile, podProfilePatch } = await import('../../compilers/spo/compile.js');
  const ns = policies.find((p) => p.namespace)?.namespace ?? 'default';
  const name = opts.name ?? (policies[0] ? profileName(policies[0].namespace, policies[0].name) : 'rampart');
  const sec = compileKubeArmorToSeccomp(policies, { architectures: opts.arches });
  diagnostics.push(...sec.diagnostics);
  const profiles = apparmor();
  const objs: unknown[] = [spoSeccompProfile(name, ns, sec.profile), ...profiles.map((p) => spoAppArmorProfile(p.name, ns, p.text))];
  const patch = podProfilePatch({ seccomp: { name, namespace: ns }, ...(profiles.length === 1 ? { apparmor: { profile: profiles[0].name, containers: [] } } : {}) });
  objs.push({ apiVersion: 'rampart.dev/v1alpha1', kind: 'PodProfilePatch', metadata: { name, namespace: ns }, patch });
  return { text: await formatObjects(objs, opts.format ?? 'yaml'), diagnostics };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'runtime', ...args], { encoding: 'utf8', input, timeout: 60_000 });

const POLICY = `apiVersion: security.kubearmor.com/v1
kind: KubeArmorPolicy
metadata: {name: ksp-group-1-proc-path-block, namespace: multiubuntu}
spec:
  severity: 5
  selector: {matchLabels: {group: group-1}}
  process:
    matchPaths: [{path: /bin/sleep}]
  action: Block
`;

test('runtime replay --format json: one object per event, the event fields plus Action and PolicyName', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rt-'));
  writeFileSync(join(dir, 'p.yaml'), POLICY);
  // One process (the CLI start is the slow part): events on stdin as a JSON array.
  const events = '[' + (await import('node:fs')).readFileSync('src/cli/commands/testdata/runtime-events.jsonl', 'utf8').trim().split('\n').join(',') + ']';
  const r = run(['replay', '--policy', join(dir, 'p.yaml'), '--format', 'json', '-'], events);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(out.length, 2);
  assert.deepEqual([out[0].Action, out[0].PolicyName, out[0].PodName, out[0].HostPID], ['Block', 'ksp-group-1-proc-path-block', 'ubuntu-1-deployment-x', 1]);
  assert.deepEqual([out[1].Action, out[1].PolicyName], ['Allow', '']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestText } from '../../k8s/load.js';
import { loadKubeArmorPolicies } from '../../runtime/kubearmor/load.js';
import { compileAppArmor } from './compile.js';

const here = dirname(fileURLToPath(import.meta.url));
const policies = loadKubeArmorPolicies(loadManifestText(readFileSync(join(here, 'testdata/policies.yaml'), 'utf8'), 'policies.yaml').objects).policies;
const PARSER = ['/usr/sbin/apparmor_parser', '/sbin/apparmor_parser'].find((x) => existsSync(x));
const FEATURES = '/usr/share/apparmor-features/features';

function golden(name: string, actual: string): void {
  const p = join(here, 'testdata', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(p, actual);
  assert.equal(actual, readFileSync(p, 'utf8'), `golden ${name} differs (UPDATE_GOLDEN=1 to refresh)`);
}

/** apparmor_parser -Q -K: parse and compile, never load (the kernel here has no AppArmor LSM). */
function parse(text: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-aa-'));
  const f = join(dir, 'profile');
  writeFileSync(f, text);
  const args = ['-Q', '-K', ...(existsSync(FEATURES) ? ['-M', FEATURES] : []), f];
  execFileSync(PARSER!, args, { stdio: 'pipe', timeout: 20_000 });
}

const cases = [
  { name: 'block.apparmor', pols: ['harden-web'], posture: {} },
  { name: 'allowlist-block-posture.apparmor', pols: ['harden-web', 'allow-web', 'audit-web'], posture: { file: 'block', network: 'block', capabilities: 'block' } },
  { name: 'allowlist-audit-posture.apparmor', pols: ['allow-web'], posture: {} },
];

test('AppArmor goldens and diagnostics', () => {
  for (const c of cases) {
    const r = compileAppArmor(policies.filter((p) => c.pols.includes(p.name)), { posture: c.posture });
    golden(c.name, r.profile.text);
    if (c.name === 'block.apparmor') {
      assert.deepEqual(
        r.diagnostics.map((d) => `${d.code}:${d.severity}`).sort(),
        ['apparmor_cannot_express:info', 'apparmor_cannot_express:warning', 'apparmor_partial:info'],
      );
    }
    if (c.name === 'allowlist-audit-posture.apparmor') assert.ok(r.diagnostics.every((d) => d.code === 'apparmor_allowlist_not_enforced'));
  }
});

test('compiled profiles pass apparmor_parser', (t) => {
  if (!PARSER) return t.skip('apparmor_parser is not installed (apt-get install apparmor)');
  const all = cases.map((c) => compileAppArmor(policies.filter((p) => c.pols.includes(p.name)), { posture: c.posture, name: c.name.replace('.apparmor', '') }).profile.text);
  parse(all.join('\n'));
});

test('apparmor_parser rejects a broken profile (the check is real)', (t) => {
  if (!PARSER) return t.skip('apparmor_parser is not installed (apt-get install apparmor)');
  assert.throws(() => parse('profile broken {\n  deny network sctp,\n}\n'));
});

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../main.js';

/**
 * Runs the CLI in-process, capturing the text it writes. Binary chunks pass through: they are the test runner's
 * own serialized reports, written to the same stdout while the command runs.
 */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: any[]) =>
    typeof chunk === 'string' ? ((stdout += chunk), true) : out(chunk, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: any[]) =>
    typeof chunk === 'string' ? ((stderr += chunk), true) : err(chunk, ...rest)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'rampart', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = 0;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-deploy-'));
const certs = join(dir, 'certs');

describe('rampart certs and rampart install', () => {
  after(() => {
    process.exitCode = 0;
  });

  it('certs writes a CA and a serving certificate, then refuses to overwrite', async () => {
    const r = await cli(['certs', '--out', certs, '--no-service-names', '--dns', 'webhook.test', '--ip', '127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /serving certificate for localhost, webhook\.test, 127\.0\.0\.1/);
    const leaf = new X509Certificate(readFileSync(join(certs, 'tls.crt')));
    assert.ok(leaf.verify(new X509Certificate(readFileSync(join(certs, 'ca.crt'))).publicKey));
    const again = await cli(['certs', '--out', certs]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^rampart certs: tls_files_exist: refusing to overwrite /);
  });

  it('certs rejects bad flags with exit 2', async () => {
    assert.equal((await cli(['certs', '--out', join(dir, 'x'), '--days', 'abc'])).stderr, 'rampart certs: validity must be a whole number of days between 1 and 36500, got NaN\n');
    assert.equal((await cli(['certs', '--out', join(dir, 'x'), '--ca-cert', 'ca.crt'])).code, 2);
    assert.equal((await cli(['certs', '--out', join(dir, 'x'), '--ip', 'nope'])).stderr, 'rampart certs: not a valid IP address: "nope"\n');
  });

  it('install prints the manifests with the certificates of --certs-dir', async () => {
    const r = await cli(['install', '--dry-run', '--certs-dir', certs, '--format', 'json', '--replicas', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const list = JSON.parse(r.stdout) as { kind: string; items: Array<Record<string, any>> };
    assert.equal(list.kind, 'List');
    const secret = list.items.find((o) => o.kind === 'Secret');
    assert.equal(secret?.data['tls.crt'], readFileSync(join(certs, 'tls.crt')).toString('base64'));
    const vwc = list.items.find((o) => o.kind === 'ValidatingWebhookConfiguration');
    assert.equal(vwc?.webhooks[0].clientConfig.caBundle, readFileSync(join(certs, 'ca.crt')).toString('base64'));
    assert.equal(list.items.find((o) => o.kind === 'Deployment')?.spec.replicas, 3);
  });

  it('install explains what is wrong with exit 2', async () => {
    const noDry = await cli(['install']);
    assert.equal(noDry.code, 2);
    assert.match(noDry.stderr, /only --dry-run is supported/);
    const wildcard = await cli(['install', '--dry-run', '--ca-bundle', join(certs, 'ca.crt'), '--resource', 'v1/*']);
    assert.equal(wildcard.code, 2);
    assert.match(wildcard.stderr, /resource "\*" in group "" is a wildcard/);
    const badGvr = await cli(['install', '--dry-run', '--ca-bundle', join(certs, 'ca.crt'), '--resource', 'services']);
    assert.match(badGvr.stderr, /--resource "services" is not \[group\/\]version\/resource/);
    const oneReplica = await cli(['install', '--dry-run', '--ca-bundle', join(certs, 'ca.crt'), '--replicas', '1']);
    assert.match(oneReplica.stderr, /--replicas must be at least 2, got 1/);
    const urlNoCa = await cli(['install', '--dry-run', '--webhook-url', 'https://127.0.0.1:9443']);
    assert.match(urlNoCa.stderr, /--webhook-url needs --ca-bundle/);
    const missing = await cli(['install', '--dry-run', '--ca-bundle', join(dir, 'missing.crt')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*missing\.crt: ENOENT/);
  });
});

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkKeyPair,
  createCertificateAuthority,
  createWebhookPki,
  describeCertificate,
  issueServingCertificate,
  loadKeyPair,
  PkiInputError,
  serviceDnsNames,
  writeWebhookPki,
  type WebhookPki,
} from './index.js';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('webhook PKI', () => {
  let pki: WebhookPki;
  let dir: string;
  before(async () => {
    pki = createWebhookPki({ dnsNames: ['localhost', 'rampart.rampart-system.svc'], ipAddresses: ['127.0.0.1', '::1'], now: NOW });
    dir = await mkdtemp(join(tmpdir(), 'rampart-tls-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('creates a CA that signs a serving certificate with the requested SANs', () => {
    const ca = new X509Certificate(pki.ca.certPem);
    const leaf = new X509Certificate(pki.serving.certPem);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.verify(ca.publicKey), 'leaf is signed by the CA');
    assert.ok(leaf.checkIssued(ca));
    assert.equal(leaf.checkHost('rampart.rampart-system.svc'), 'rampart.rampart-system.svc');
    assert.equal(leaf.checkHost('evil.example.com'), undefined);
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkIP('10.0.0.1'), undefined);
    const summary = describeCertificate(pki.serving.certPem);
    assert.deepEqual(summary.dnsNames, ['localhost', 'rampart.rampart-system.svc']);
    assert.deepEqual(summary.ipAddresses, ['127.0.0.1', '0:0:0:0:0:0:0:1']);
    assert.equal(summary.subject, 'CN=localhost');
    assert.equal(summary.notAfter, '2027-06-01T12:00:00.000Z');
    assert.equal(summary.notBefore, '2026-06-01T11:55:00.000Z');
    assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/, 'serverAuth extended key usage');
  });

  it('issues certificates with distinct positive serials', () => {
    const a = issueServingCertificate(pki.ca, { dnsNames: ['a'], now: NOW });
    const b = issueServingCertificate(pki.ca, { dnsNames: ['a'], now: NOW });
    const sa = new X509Certificate(a.certPem).serialNumber;
    const sb = new X509Certificate(b.certPem).serialNumber;
    assert.notEqual(sa, sb);
    assert.ok(parseInt(sa.slice(0, 2), 16) < 0x80);
  });

  it('serves TLS that a client trusting only the CA accepts', async () => {
    const server = createServer({ cert: pki.serving.certPem, key: pki.serving.keyPem }, (_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const socket = connect({ host: '127.0.0.1', port, ca: pki.ca.certPem, servername: 'localhost' });
      await once(socket, 'secureConnect');
      assert.equal(socket.authorized, true);
      socket.destroy();
      const other = createCertificateAuthority({ now: NOW });
      const bad = connect({ host: '127.0.0.1', port, ca: other.certPem, servername: 'localhost' });
      const [err] = (await once(bad, 'error')) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      server.close();
    }
  });

  it('rejects bad names and validity with PkiInputError', () => {
    assert.throws(() => issueServingCertificate(pki.ca, { dnsNames: [], now: NOW }), {
      name: 'Error',
      message: 'a serving certificate needs at least one DNS name or IP address',
    });
    assert.throws(() => issueServingCertificate(pki.ca, { dnsNames: ['bad name'], now: NOW }), PkiInputError);
    assert.throws(() => issueServingCertificate(pki.ca, { dnsNames: ['x'], ipAddresses: ['1.2.3'], now: NOW }), {
      message: 'not a valid IP address: "1.2.3"',
    });
    assert.throws(() => createCertificateAuthority({ now: NOW, validityDays: 0 }), {
      message: 'validity must be a whole number of days between 1 and 36500, got 0',
    });
  });

  it('lists the in-cluster names of a Service', () => {
    assert.deepEqual(serviceDnsNames('rampart', 'ops'), ['rampart', 'rampart.ops', 'rampart.ops.svc', 'rampart.ops.svc.cluster.local']);
  });

  it('writes the four files with private keys at 0600 and refuses to overwrite', async () => {
    const out = join(dir, 'certs');
    const first = await writeWebhookPki(out, pki);
    assert.deepEqual(first.diagnostics, []);
    assert.equal(await readFile(join(out, 'ca.crt'), 'utf8'), pki.ca.certPem);
    assert.equal((await stat(join(out, 'tls.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(out, 'ca.key'))).mode & 0o777, 0o600);
    const second = await writeWebhookPki(out, pki);
    assert.equal(second.files, undefined);
    assert.equal(second.diagnostics[0]?.code, 'tls_files_exist');
    const forced = await writeWebhookPki(out, pki, { overwrite: true });
    assert.deepEqual(forced.diagnostics, []);
  });

  it('loads a matching pair and reports each kind of broken pair with its code', async () => {
    const out = join(dir, 'load');
    await writeWebhookPki(out, pki, { writeCaKey: false });
    const ok = await loadKeyPair(join(out, 'tls.crt'), join(out, 'tls.key'), NOW);
    assert.deepEqual(ok.diagnostics, []);
    assert.equal(ok.pair?.certificate.subject, 'CN=localhost');

    const missing = await loadKeyPair(join(out, 'nope.crt'), join(out, 'tls.key'), NOW);
    assert.equal(missing.pair, undefined);
    assert.deepEqual(missing.diagnostics.map((d) => d.code), ['tls_file_read_error']);
    assert.match(missing.diagnostics[0].message, /nope\.crt: ENOENT$/);

    await writeFile(join(out, 'garbage.crt'), 'not a cert');
    const garbage = await loadKeyPair(join(out, 'garbage.crt'), join(out, 'tls.key'), NOW);
    assert.deepEqual(garbage.diagnostics.map((d) => d.code), ['tls_invalid_certificate']);

    const mismatch = await loadKeyPair(join(out, 'ca.crt'), join(out, 'tls.key'), NOW);
    assert.deepEqual(mismatch.diagnostics.map((d) => d.code), ['tls_key_mismatch']);

    const badKey = checkKeyPair({ certPem: pki.serving.certPem, keyPem: 'nope' }, NOW);
    assert.deepEqual(badKey.diagnostics.map((d) => d.code), ['tls_invalid_key']);

    const expired = checkKeyPair(pki.serving, new Date('2028-01-01T00:00:00Z'));
    assert.deepEqual(expired.diagnostics.map((d) => d.code), ['tls_certificate_expired']);
    assert.match(expired.diagnostics[0].message, /valid from 2026-06-01T11:55:00.000Z to 2027-06-01T12:00:00.000Z/);
  });
});

/** Regression tests for builtins found missing or divergent from OPA by conformance scouting. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileRego } from '../index.js';

/** Evaluates `x := <expr>` strictly; returns the value or `code: message`. */
function run(expr: string, input?: unknown): unknown {
  const r = compileRego([{ file: 'p.rego', source: 'package t\n' }], { regoVersion: 'v1' });
  if (!r.ok) assert.fail(JSON.stringify(r.diagnostics));
  const q = r.compiled.query(`x := ${expr}`, { input, strictBuiltinErrors: true });
  if (!q.ok) return `${q.error.code}: ${q.error.message}`;
  return q.results.map((b) => b.x)[0];
}

test('array.flatten flattens one level and keeps non-array elements', () => {
  assert.deepEqual(run('array.flatten([[[1], [2, 3, []]], [[4, 5]]])'), [[1], [2, 3, []], [4, 5]]);
  assert.deepEqual(run('array.flatten([[1, 2], "s", [3, {"a": "b"}], 4.5, []])'), [1, 2, 's', 3, { a: 'b' }, 4.5]);
  assert.equal(run('array.flatten(input)', 1), 'eval_type_error: array.flatten: operand 1 must be array but got number');
});

test('sprintf formats integers beyond int64 as math/big does, and booleans as text', () => {
  const big = 123456789123456789123n;
  assert.equal(run(`sprintf("%s %v %d", [${big}, ${big}, -${big}])`), `${big} ${big} -${big}`);
  assert.equal(run(`sprintf("%x %#X %o %+d %.24d", [${big}, ${big}, ${big}, ${big}, ${big}])`), '6b14e9f9b0df36a83 0X6B14E9F9B0DF36A83 15305164771541574665203 +123456789123456789123 000123456789123456789123');
  assert.equal(run(`sprintf("%f|%q|%T", [${big}, ${big}, ${big}])`), `%!f(big.Int=${big})|%!q(big.Int=${big})|*big.Int`);
  assert.equal(run('sprintf("%s %v %d", [true, false, true])'), 'true false %!d(string=true)');
});

test('time builtins check the int64 nanosecond range as OPA does', () => {
  for (const f of ['time.date', 'time.clock', 'time.weekday', 'time.format']) {
    assert.equal(run(`${f}(9223372036854775808)`), `eval_builtin_error: ${f}: timestamp too big`);
    assert.equal(run(`${f}(1.5)`), `eval_builtin_error: ${f}: timestamp too big`);
  }
  assert.equal(run('time.diff(0, -9223372036854775809)'), 'eval_builtin_error: time.diff: timestamp too big');
  assert.equal(run('time.add_date(9223372036854775807, 1, 0, 0)'), 'eval_builtin_error: time.add_date: time outside of valid range');
  assert.deepEqual(run('time.date(9223372036854775807)'), [2262, 4, 11]);
  assert.equal(run('time.parse_rfc3339_ns("2262-04-11T23:47:16.854775807Z")'), 9223372036854775807n);
  assert.equal(run('time.parse_rfc3339_ns("1677-09-21T00:12:43.145224192Z")'), -9223372036854775808n);
  assert.equal(run('time.parse_rfc3339_ns("2262-04-11T23:47:16.854775808Z")'), 'eval_builtin_error: time.parse_rfc3339_ns: time outside of valid range');
  assert.equal(run('time.parse_rfc3339_ns("0001-01-01T00:00:00Z")'), 'eval_builtin_error: time.parse_rfc3339_ns: time outside of valid range');
  assert.equal(run('time.parse_ns("2006-01-02", "1600-01-01")'), 'eval_builtin_error: time.parse_ns: time outside of valid range');
});

test('net.cidr_contains_matches element errors name the operand as OPA does', () => {
  assert.equal(run('net.cidr_contains_matches("1.0.0.0/8", input)', ['1.1.1.1', 2]), 'eval_builtin_error: net.cidr_contains_matches: operand 2: element must be string or non-empty array');
  assert.equal(run('net.cidr_contains_matches(input, "1.1.1.1")', [[]]), 'eval_builtin_error: net.cidr_contains_matches: operand 1: element must be string or non-empty array');
  assert.deepEqual(run('net.cidr_contains_matches({"a": ["1.0.0.0/8", 1]}, {"1.1.1.1": ["1.2.3.4"]})'), [['a', '1.1.1.1']]);
});

test('io.jwt: EdDSA (Ed25519) signs and verifies; a present non-number exp/nbf is an error', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const token = run(`io.jwt.encode_sign({"alg": "EdDSA"}, {"sub": "me"}, ${jwk})`) as string;
  assert.match(token, /^eyJhbGciOiJFZERTQSJ9\.eyJzdWIiOiJtZSJ9\.[\w-]{86}$/);
  assert.deepEqual(run('io.jwt.decode_verify(input.t, {"cert": input.pem})', { t: token, pem }), [true, { alg: 'EdDSA' }, { sub: 'me' }]);
  assert.equal(run('io.jwt.verify_eddsa(input.t, input.pem)', { t: token, pem }), true);
  const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
  assert.equal(run('io.jwt.verify_eddsa(input.t, input.pem)', { t: token, pem: other }), false);

  const hs = (claims: string): string => `io.jwt.decode_verify(io.jwt.encode_sign({"alg": "HS256"}, ${claims}, {"kty": "oct", "k": "NDI"}), {"secret": "42"})`;
  assert.equal(run(hs('{"exp": null}')), 'eval_builtin_error: io.jwt.decode_verify: exp value must be a number');
  assert.equal(run(hs('{"nbf": "soon"}')), 'eval_builtin_error: io.jwt.decode_verify: nbf value must be a number');
  assert.deepEqual(run(hs('{"exp": 1}')), [false, {}, {}]);
});

test('crypto.x509.parse_certificate_request returns Go x509.CertificateRequest fields', () => {
  // ec-san.csr: openssl req -newkey ec (P-256) -subj /CN=a.example/O=Acme with a subjectAltName extension request.
  const pem = readFileSync(join(import.meta.dirname, '..', 'testdata', 'ec-san.csr'), 'utf8');
  const csr = run('crypto.x509.parse_certificate_request(input)', pem) as Record<string, unknown>;
  assert.equal((csr.Subject as Record<string, unknown>).CommonName, 'a.example');
  assert.deepEqual((csr.Subject as Record<string, unknown>).Organization, ['Acme']);
  assert.deepEqual((csr.Subject as Record<string, unknown>).Names, [
    { Type: [2, 5, 4, 3], Value: 'a.example' },
    { Type: [2, 5, 4, 10], Value: 'Acme' },
  ]);
  assert.deepEqual([csr.Version, csr.SignatureAlgorithm, csr.PublicKeyAlgorithm], [0, 10, 3]);
  assert.deepEqual([csr.DNSNames, csr.EmailAddresses, csr.IPAddresses], [['a.example', 'b.example'], ['x@y.z'], ['10.0.0.1']]);
  assert.equal((csr.URIs as Record<string, unknown>[])[0]?.Host, 'u.example');
  const der = pem.replace(/-----[A-Z ]+-----|\s/g, '');
  assert.equal(csr.Raw, der);
  assert.deepEqual(run('crypto.x509.parse_certificate_request(input).Raw', Buffer.from(pem).toString('base64')), der);
  assert.equal(run('crypto.x509.parse_certificate_request(input).RawSubject', der), 'MCMxEjAQBgNVBAMMCWEuZXhhbXBsZTENMAsGA1UECgwEQWNtZQ==');
  assert.match(run('crypto.x509.parse_certificate_request("YmFkc3RyaW5n")') as string, /^eval_builtin_error: crypto.x509.parse_certificate_request: asn1: structure error/);
  assert.equal(run('crypto.x509.parse_certificate_request("foobar")'), 'eval_builtin_error: crypto.x509.parse_certificate_request: illegal base64 data at input byte 4');
});

test('crypto.x509.parse_keypair and crypto.parse_private_keys follow Go tls/x509 shapes', () => {
  // ec-pair.crt/.key: openssl req -x509 -newkey ec (P-256) -subj /CN=pair.example
  const cert = readFileSync(join(import.meta.dirname, '..', 'testdata', 'ec-pair.crt'), 'utf8');
  const key = readFileSync(join(import.meta.dirname, '..', 'testdata', 'ec-pair.key'), 'utf8');
  const der = cert.replace(/-----[A-Z ]+-----|\s/g, '');
  const pair = run('crypto.x509.parse_keypair(input.c, input.k)', { c: cert, k: key }) as Record<string, unknown>;
  assert.deepEqual(pair.Certificate, [der]);
  assert.deepEqual(Object.keys(pair.PrivateKey as object).sort(), ['Curve', 'D', 'X', 'Y']);
  assert.equal(((pair.Leaf as Record<string, unknown>).Subject as Record<string, unknown>).CommonName, 'pair.example');
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  assert.deepEqual((run('crypto.x509.parse_keypair(input.c, input.k)', { c: b64(cert), k: b64(key) }) as Record<string, unknown>).Certificate, [der]);
  const { privateKey } = generateKeyPairSync('ed25519');
  const edPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.equal(run('crypto.x509.parse_keypair(input.c, input.k)', { c: cert, k: edPem }), 'eval_builtin_error: crypto.x509.parse_keypair: tls: private key type does not match public key type');

  const keys = run('crypto.parse_private_keys(input)', key + edPem) as unknown[];
  assert.equal(keys.length, 2);
  const jwk = privateKey.export({ format: 'jwk' });
  // Go's ed25519.PrivateKey is seed || public key.
  assert.equal(keys[1], Buffer.concat([Buffer.from(String(jwk.d), 'base64url'), Buffer.from(String(jwk.x), 'base64url')]).toString('base64'));
  assert.equal(run('crypto.parse_private_keys("")'), null);
  assert.deepEqual(run('crypto.parse_private_keys("not base64!")'), []);
});

test('object.subset recurses into nested sets and arrays of the same kind', () => {
  assert.equal(run('object.subset({"a": {"s": {1, 2, 3}, "r": [6, 7, 8, 9]}}, {"a": {"s": {1}, "r": [7, 8]}})'), true);
  assert.equal(run('object.subset({"r": [6, 7, 8, 9]}, {"r": [6, 8]})'), false);
  assert.equal(run('object.subset({"s": [1, 2, 3]}, {"s": {1}})'), false);
});

test('json.patch descends into set members', () => {
  assert.deepEqual(run('json.patch({[1]}, [{"op": "add", "path": [[1], 1], "value": 2}])'), [[1, 2]]);
  assert.deepEqual(run('json.patch({[1, 3]}, [{"op": "remove", "path": [[1, 3], 0]}])'), [[3]]);
});

test('regex.globs_match intersects glob-intersection patterns and reports their syntax errors', () => {
  assert.equal(run('regex.globs_match("a.a.[0-9]+z", ".b.b2359825792*594823z")'), true);
  assert.equal(run('regex.globs_match("x.*y", "xy")'), true);
  assert.equal(run('regex.globs_match("a+", "b*")'), false);
  // `?`, parentheses and `\d` are literals in this syntax; trailing `*` tokens do not match the empty end
  assert.equal(run('regex.globs_match("a?b", "b")'), false);
  assert.equal(run('regex.globs_match("\\\\d", "1")'), false);
  assert.equal(run('regex.globs_match("ba*", "b")'), false);
  assert.equal(run('regex.globs_match("pqrs]", "[a-b]+")'), "eval_builtin_error: regex.globs_match: input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid");
  assert.equal(run('regex.globs_match("a**", "a")'), "eval_builtin_error: regex.globs_match: input:a**, pos:3, flag '*' must be preceded by a non-flag: the input provided is invalid");
  assert.equal(run('regex.globs_match("[z-a]", "a")'), "eval_builtin_error: regex.globs_match: input:[z-a], pos:4, range is out of order: 'a' comes before 'z' in Unicode: the input provided is invalid");
});

test('strings.render_template runs Go text/template control structures', () => {
  const tpl = (t: string, vars: string): unknown => run(`strings.render_template(${JSON.stringify(t)}, ${vars})`);
  assert.equal(tpl('{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}', '{"names": ["ann", "bo"]}'), 'hello ann,hello bo');
  assert.equal(tpl('{{if .a}}A{{else if .b}}B{{else}}C{{end}} {{- range .l }} <{{.}}> {{- end}}{{with .o}}{{.k}}{{end}}', '{"a": false, "b": 1, "l": [1, 2], "o": {"k": "v"}}'), 'B <1> <2>v');
  assert.equal(tpl('{{.x}}|{{.y}}|{{.n}}', '{"x": [1, "a"], "y": {"b": 1, "a": [true]}, "n": 2023}'), '[1 a]|map[a:[true] b:1]|2023');
  assert.equal(tpl('{{range .l}}{{.}}{{else}}none{{end}}', '{"l": []}'), 'none');
  assert.equal(tpl('{{.missing}}', '{"a": 1}'), 'eval_builtin_error: strings.render_template: template: .missing: map has no entry for key "missing"');
  assert.equal(tpl('{{if .a}}x', '{"a": 1}'), 'eval_builtin_error: strings.render_template: template: unexpected EOF');
});

test('yaml.unmarshal reports common syntax errors in go-yaml words', () => {
  assert.equal(run('yaml.unmarshal("[1,2,3")'), "eval_builtin_error: yaml.unmarshal: yaml: line 1: did not find expected ',' or ']'");
  assert.equal(run('yaml.unmarshal("{a: 1")'), "eval_builtin_error: yaml.unmarshal: yaml: line 1: did not find expected ',' or '}'");
  assert.equal(run('yaml.unmarshal("a: b: c")'), 'eval_builtin_error: yaml.unmarshal: yaml: mapping values are not allowed in this context');
});

test('opa.runtime is empty as in embedded OPA (no host environment leaks into policies)', () => {
  assert.deepEqual(run('opa.runtime()'), {});
  assert.deepEqual(run('time.now_ns() with time.now_ns as opa.runtime'), {});
});

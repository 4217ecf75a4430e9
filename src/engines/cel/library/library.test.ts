import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { run, testEnv, value } from '../test-helpers.js';

const env = testEnv();

/** [expression, expected plain JS value]; expected values mostly from Kubernetes' and cel-go's own tests and docs. */
function table(cases: Array<[string, unknown]>): void {
  for (const [expr, want] of cases) {
    it(expr, () => assert.deepEqual(value(env, expr), want));
  }
}

function errors(cases: Array<[string, RegExp]>): void {
  for (const [expr, pattern] of cases) {
    it(`${expr} fails`, () => {
      const r = run(env, expr);
      assert.equal(r.ok, false, `expected an error from ${expr}`);
      if (!r.ok) {
        assert.equal(r.error.code, 'cel_eval_error');
        assert.match(r.error.message, pattern);
      }
    });
  }
}

describe('lists (k8s library/lists.go)', () => {
  table([
    ['[1, 2, 3].isSorted()', true],
    ["['a', 'b', 'b', 'c'].isSorted()", true],
    ['[2.0, 1.0].isSorted()', false],
    ['[].isSorted()', true],
    ['[1, 3].sum()', 4],
    ['[1.0, 3.0].sum()', 4],
    ['[].sum()', 0],
    ['[1, 3].min()', 1],
    ['[1, 3].max()', 3],
    ["['b', 'a'].min()", 'a'],
    ['[1, 2, 2, 3].indexOf(2)', 1],
    ["['a', 'b', 'b', 'c'].indexOf('a')", 0],
    ['[1.0].indexOf(1.1)', -1],
    ['[1, 2, 2, 3].lastIndexOf(2)', 2],
    ['[1, 2, 3, 4].slice(1, 3)', [2, 3]],
    ['[[1, 2], [3]].flatten()', [1, 2, 3]],
    ['[[[1]], [[2, 3]]].flatten()', [[1], [2, 3]]],
    ['[[[1]], [[2, 3]]].flatten(2)', [1, 2, 3]],
    ['[3, 1, 2].sort()', [1, 2, 3]],
    ['[1, 2, 1, 3].distinct()', [1, 2, 3]],
    ['[1, 2, 3].reverse()', [3, 2, 1]],
  ]);
  errors([
    ['[].min()', /min called on empty list/],
    ['[].max()', /max called on empty list/],
    ['[1, 2].slice(2, 1)', /start index must be less than or equal to end index/],
  ]);
  it('sum of object fields (JSON numbers are ints)', () => {
    assert.equal(value(env, 'object.spec.containers.map(c, c.ports.size()).sum()', {
      object: { spec: { containers: [{ ports: [1, 2] }, { ports: [3] }] } },
    }), 3);
  });
});

describe('regex (k8s library/regex.go)', () => {
  table([
    ["'abc 123'.find('[0-9]+')", '123'],
    ["'abc 123'.find('xyz')", ''],
    ["'123 abc 456'.findAll('[0-9]+')", ['123', '456']],
    ["'123 abc 456'.findAll('[0-9]+', 1)", ['123']],
    ["'123 abc 456'.findAll('xyz')", []],
    ["'ABC'.find('(?i)b')", 'B'],
    ["'abc'.matches('^[a-c]+$')", true],
    ["'ABC'.matches('(?i)^abc$')", true],
    ["'a\\nb'.matches('(?s)a.b')", true],
    ["'é'.matches('^\\\\pL$')", true],
    ["'ab'.matches('^[[:alpha:]]+$')", true],
    ["'a-b'.matches('^a\\\\-b$')", true],
    ["'abc'.matches('\\\\Aabc\\\\z')", true],
  ]);
  it('a matches() type error names matches, not the internal function', () => {
    const c = env.compile("'a'.matches(1)");
    assert.match(!c.ok ? c.error.message : '', /matches/);
    assert.doesNotMatch(!c.ok ? c.error.message : '', /RE2/);
  });
  errors([
    ["'abc'.find('(a)\\\\1')", /backreferences and lookaround are not RE2 syntax/],
    ["'abc'.find('[')", /invalid regex/],
  ]);
});

describe('strings ext (cel-go ext/strings.go)', () => {
  table([
    ["'hello'.charAt(4)", 'o'],
    ["'hello'.charAt(5)", ''],
    ["'hello hello'.replace('he', 'we')", 'wello wello'],
    ["'hello hello'.replace('he', 'we', -1)", 'wello wello'],
    ["'hello hello'.replace('he', 'we', 1)", 'wello hello'],
    ["'hello hello'.replace('he', 'we', 0)", 'hello hello'],
    ["'gums'.reverse()", 'smug'],
    ["'John Smith'.lowerAscii()", 'john smith'],
    ["'TacoCÆt'.lowerAscii()", 'tacocÆt'],
    ["'tacoCαt'.upperAscii()", 'TACOCαT'],
    ["'\\u0085\\u00a0text\\u200b'.trim()", 'text\u200b'],
    ["'  \\ttrim\\n    '.trim()", 'trim'],
    ["'hello mellow'.indexOf('ello', 2)", 7],
    ["'tacocat'.substring(4)", 'cat'],
    ["'hello hello'.split(' ')", ['hello', 'hello']],
    ["['hello', 'mellow'].join(' ')", 'hello mellow'],
    ['strings.quote(\'single-quote with "double quote"\')', '"single-quote with \\"double quote\\""'],
    ["'this is a string: %s, and an integer: %d'.format(['str', 42])", 'this is a string: str, and an integer: 42'],
    ["'%.3f'.format([1.2345])", '1.234'],
    ["'%x %X %o %b'.format([255, 255, 8, 5])", 'ff FF 10 101'],
    ["'%s %s'.format([[1, 2], ['a']])", '[1, 2] [a]'],
    ["'%.0f'.format([2.5])", '2'],
    ["optional.of(41).optMap(x, x + 1).value()", 42],
    ["optional.ofNonZeroValue('').hasValue()", false],
    ['1.0 == 1', true],
    ["b'a' < b'b'", true],
    ['int(42u)', 42],
    ["'%e'.format([1234.5])", '1.234500e+03'],
    ["'100%%'.format([])", '100%'],
  ]);
  errors([
    ["'hello'.charAt(6)", /index out of range: 6/],
    ["'%d'.format(['x'])", /decimal clause can only be used on integers/],
    ["'%s %s'.format(['x'])", /index 1 out of range/],
  ]);
});

describe('homogeneous aggregate literals (Kubernetes enables them)', () => {
  it("[1, 'a'] is a compile error", () => {
    const c = env.compile("[1, 'a'].size() > 0");
    assert.equal(!c.ok && c.error.code, 'cel_type_error');
  });
  it('a list literal passed to format may mix types', () => {
    assert.equal(value(env, "'%s=%d'.format(['x', 42])"), 'x=42');
  });
  it('format of a list-typed expression', () => {
    assert.equal(value(env, "'%s/%s'.format(object.parts)", { object: { parts: ['a', 'b'] } }), 'a/b');
  });
});

describe('sets ext (cel-go ext/sets.go)', () => {
  table([
    ['sets.contains([], [])', true],
    ['sets.contains([], [1])', false],
    ['sets.contains([1, 2, 3, 4], [2, 3])', true],
    ['sets.contains([1, 2, 3], [dyn(1.0), dyn(2u), dyn(3)])', true],
    ['sets.equivalent([], [])', true],
    ['sets.equivalent([1], [1, 1])', true],
    ['sets.equivalent([1], [dyn(1u), dyn(1.0)])', true],
    ['sets.equivalent([1, 2, 3], [dyn(3u), dyn(2.0), dyn(1)])', true],
    ['sets.intersects([1], [])', false],
    ['sets.intersects([1], [1, 2])', true],
    ['sets.intersects([[1], [2, 3]], [[1, 2], [2, 3]])', true],
  ]);
});

describe('two-variable comprehensions (cel-go ext/comprehensions.go)', () => {
  table([
    ['[1, 2, 3].all(i, j, i < j)', true],
    ["{'hello': 'world', 'taco': 'taco'}.all(k, v, k != v)", false],
    ['[1, 2, 3].exists(i, j, i * j == 2)', true],
    ['[1, 2, 1].existsOne(i, v, v == 2)', true],
    ['[1, 2, 2].existsOne(i, v, v == 2)', false],
    ['[1, 2, 3].transformList(indexVar, valueVar, (indexVar * valueVar) + valueVar)', [1, 4, 9]],
    ['[1, 2, 3].transformList(indexVar, valueVar, indexVar % 2 == 0, (indexVar * valueVar) + valueVar)', [1, 9]],
    ["{'greeting': 'hello', 'farewell': 'goodbye'}.transformList(k, _, k)", ['greeting', 'farewell']],
    ["{'greeting': 'hello'}.transformMap(k, v, v + '!')", { greeting: 'hello!' }],
    ["{'greeting': 'aloha', 'farewell': 'aloha'}.transformMap(k, v, k != 'farewell', v.size())", { greeting: 5 }],
    ["{'a': 'x'}.transformMapEntry(k, v, {v: k})", { x: 'a' }],
  ]);
  it('transformMap over a list keys by index', () => {
    const r = run(env, '[1, 2, 3].transformMap(i, v, (i * v) + v)', {}, { celValues: true });
    assert.ok(r.ok);
    assert.deepEqual(r.ok && [...(r.value as Map<bigint, bigint>).entries()], [[0n, 1n], [1n, 4n], [2n, 9n]]);
  });
  errors([["{'greeting': 'aloha', 'farewell': 'aloha'}.transformMapEntry(keyVar, valueVar, {valueVar: keyVar})", /key aloha already exists/]]);
  it('all() is false when any element is false even if another errors', () => {
    assert.equal(value(env, '[0, -1].all(i, v, 1 / v > 0)'), false);
  });
  it('all() errors when no element is false and one errors', () => {
    const r = run(env, '[1, 0].all(i, v, 1 / v > 0)');
    assert.equal(r.ok, false);
  });
});

describe('quantity (k8s library/quantity.go; cases from quantity_test.go)', () => {
  table([
    ['isQuantity("20")', true],
    ['isQuantity("20M")', true],
    ['isQuantity("20Mi")', true],
    ['isQuantity("20Mo")', false],
    ['isQuantity("10Mm")', false],
    ['quantity("200M") == quantity("200M")', true],
    ['quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")', true],
    ['quantity("2M") == quantity("0.002G") && quantity("2000k") == quantity("2M") && quantity("0.002G") == quantity("2000k")', true],
    ['quantity("200M") == quantity("0.3G")', false],
    ['quantity("50M").isLessThan(quantity("50Mi"))', true],
    ['quantity("100M").isLessThan(quantity("50M"))', false],
    ['quantity("50Mi").isGreaterThan(quantity("50M"))', true],
    ['quantity("50M").isGreaterThan(quantity("100M"))', false],
    ['quantity("200M").compareTo(quantity("0.2G"))', 0],
    ['quantity("50M").compareTo(quantity("50Mi"))', -1],
    ['quantity("50Mi").compareTo(quantity("50M"))', 1],
    ['quantity("50k").add(quantity("20")) == quantity("50.02k")', true],
    ['quantity("50k").add(20).isLessThan(quantity("50020"))', false],
    ['quantity("50k").sub(quantity("20")) == quantity("49.98k")', true],
    ['quantity("50k").sub(20) == quantity("49980")', true],
    ['quantity("50k").mul(2) == quantity("100000")', true],
    ['quantity("10k").div(2) == quantity("5000")', true],
    ['quantity("10000").divInt(3) == quantity("3333")', true],
    ['quantity("50k").add(20).sub(quantity("100k")).asInteger()', -49980],
    ['quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger()', 20],
    ['quantity("50k").asInteger()', 50000],
    ['quantity("9999999999999999999999999999999999999G").isInteger()', false],
    ['quantity("50").isInteger()', true],
    ['quantity("50.703k").asApproximateFloat()', 50703],
    ['quantity("-1").sign()', -1],
    ['quantity("12Mi")', '12Mi'],
  ]);
  it('div(3) approximates 3333.3333', () => {
    const v = value(env, 'quantity("10000").div(3).asApproximateFloat()') as number;
    assert.ok(Math.abs(v - 3333.3333) < 0.0001);
  });
  errors([
    ['quantity("10Mo")', /^quantities must match the regular expression/],
    ['quantity("10Mm")', /unable to parse quantity's suffix/],
    ['quantity("9999999999999999999999999999999999999G").asInteger()', /cannot convert value to integer/],
  ]);
  it('isQuantity([1, 2, 3]) is a compile error', () => {
    const c = env.compile('isQuantity([1, 2, 3])');
    assert.equal(c.ok, false);
    assert.equal(!c.ok && c.error.code, 'cel_type_error');
  });
});

describe('ip and cidr (k8s library/ip.go, cidr.go)', () => {
  table([
    ["ip('127.0.0.1').family()", 4],
    ["ip('::1').family()", 6],
    ["ip('127.0.0.1').isLoopback()", true],
    ["ip('::1').isLoopback()", true],
    ["isIP('127.0.0.1')", true],
    ["isIP('::ffff:127.0.0.1')", false],
    ["isIP('127.0.0.1%eth0')", false],
    ["isIP('1.02.3.4')", false],
    ["ip.isCanonical('127.0.0.1')", true],
    ["ip.isCanonical('2001:db8::abcd')", true],
    ["ip.isCanonical('2001:DB8::ABCD')", false],
    ["ip.isCanonical('2001:db8::0:0:0:abcd')", false],
    ["ip('0.0.0.0').isUnspecified()", true],
    ["ip('::').isUnspecified()", true],
    ["ip('169.254.169.254').isLinkLocalUnicast()", true],
    ["ip('fe80::1').isLinkLocalUnicast()", true],
    ["ip('224.0.0.1').isLinkLocalMulticast()", true],
    ["ip('ff02::1').isLinkLocalMulticast()", true],
    ["ip('192.168.0.1').isGlobalUnicast()", true],
    ["ip('255.255.255.255').isGlobalUnicast()", false],
    ["string(ip('2001:0db8:0000:0000:0000:0000:0000:0001'))", '2001:db8::1'],
    ["ip('10.0.0.1') == ip('10.0.0.1')", true],
    ["cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", true],
    ["cidr('192.168.0.0/24').containsIP('192.168.1.1')", false],
    ["cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))", true],
    ["cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')", false],
    ["cidr('192.168.0.0/24').ip() == ip('192.168.0.0')", true],
    ["cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", true],
    ["cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", true],
    ["cidr('192.168.0.0/24').prefixLength()", 24],
    ["string(cidr('192.168.0.0/24'))", '192.168.0.0/24'],
    ["cidr('::1/128').containsIP('::1')", true],
    ["isCIDR('192.168.0.0/33')", false],
  ]);
  errors([
    ["ip('::ffff:1.2.3.4')", /IPv4-mapped IPv6 address is not allowed/],
    ["ip('fe80::1%eth0')", /IP address with zone value is not allowed/],
    ["cidr('192.168.0.0')", /no '\/'/],
  ]);
});

describe('url (k8s library/urls.go)', () => {
  table([
    ["url('https://example.com:80/').getHost()", 'example.com:80'],
    ["url('https://example.com/path').getHost()", 'example.com'],
    ["url('https://[::1]:80/').getHost()", '[::1]:80'],
    ["url('https://[::1]/').getHostname()", '::1'],
    ["url('https://example.com:80/').getPort()", '80'],
    ["url('https://example.com/').getPort()", ''],
    ["url('https://example.com/path').getScheme()", 'https'],
    ["url('/path').getScheme()", ''],
    ["url('https://example.com/path with spaces/').getEscapedPath()", '/path%20with%20spaces/'],
    ["url('https://example.com/?k=v&k=v2').getQuery()", { k: ['v', 'v2'] }],
    ["url('https://example.com/').getQuery()", {}],
    ["isURL('https://example.com:80/path?query=val#fragment')", true],
    ["isURL('/absolute-path')", true],
    ["isURL('../relative-path')", false],
    ["isURL('not a url')", false],
  ]);
  errors([["url('../relative-path')", /invalid URI for request/]]);
});

describe('format (k8s library/format.go)', () => {
  table([
    ["format.dns1123Label().validate('my-name').hasValue()", false],
    ["format.dns1123Label().validate('a.b').value()", ['must not contain dots']],
    ["format.dns1123Subdomain().validate('apiextensions.k8s.io').hasValue()", false],
    ["format.dns1035Label().validate('1abc').hasValue()", true],
    ["format.qualifiedName().validate('apiextensions.k8s.io/v1beta1').hasValue()", false],
    ["format.dns1123LabelPrefix().validate('my-label-prefix-').hasValue()", false],
    ["format.labelValue().validate('').hasValue()", false],
    ["format.uri().validate('http://example.com').hasValue()", false],
    ["format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()", false],
    ["format.byte().validate('aGVsbG8=').hasValue()", false],
    ["format.date().validate('2021-01-01').hasValue()", false],
    ["format.date().validate('2021-02-30').value()", ['invalid date']],
    ["format.datetime().validate('2021-01-01T00:00:00Z').hasValue()", false],
    ["format.named('dns1123Label').hasValue()", true],
    ["format.named('nope').hasValue()", false],
    [
      "format.dns1123Label().validate('My_Name').value()",
      [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
    ],
  ]);
});

describe('semver (k8s library/semverlib.go)', () => {
  table([
    ["isSemver('1.0.0')", true],
    ["isSemver('hello')", false],
    ["isSemver('v1.0')", false],
    ["isSemver('v1.0', true)", true],
    ["semver('1.0', true) == semver('1.0.0')", true],
    ["semver('01.01.01', true) == semver('1.1.1')", true],
    ["semver('v1.0.0', true).major()", 1],
    ["semver('1.2.3').minor()", 2],
    ["semver('1.2.3').patch()", 3],
    ["semver('1.2.3').compareTo(semver('1.2.3'))", 0],
    ["semver('1.2.3').compareTo(semver('2.0.0'))", -1],
    ["semver('1.2.3').compareTo(semver('0.1.2'))", 1],
    ["semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", true],
    ["semver('1.0.0-alpha.1').isLessThan(semver('1.0.0-alpha.beta'))", true],
    ["semver('1.0.0-beta.2').isLessThan(semver('1.0.0-beta.11'))", true],
    ["semver('1.0.0+build.1') == semver('1.0.0')", true],
    ["semver('0.1.0-alpha.1').isGreaterThan(semver('0.0.9'))", true],
  ]);
  errors([
    ["semver('200K')", /No Major.Minor.Patch elements found/],
    ["semver('01.1.1')", /Major number must not contain leading zeroes/],
  ]);
});

describe('image (k8s library/image.go)', () => {
  const d = 'sha256:6aefddb645ee6963afd681b1845c661d0ea4c3b20ab9db86d9e753b203d385f2';
  table([
    ["isImage('registry.k8s.io/kube-apiserver-arm64:latest')", true],
    ["isImage('nginx')", true],
    [`isImage('registry.k8s.io/kube-apiserver-arm64@${d}')`, true],
    [`isImage('registry.k8s.io/kube-apiserver-arm64:latest@${d}')`, true],
    ["isImage('registry.k8s.io//kube-apiserver-arm64')", false],
    [`image('registry.k8s.io/kube-apiserver-arm64:latest@${d}').containsDigest()`, true],
    ["image('registry.k8s.io/kube-apiserver-arm64:latest').containsDigest()", false],
    ["image('kube-apiserver-arm64:testtag').registry()", 'index.docker.io'],
    ["image('registry.k8s.io/kube-apiserver-arm64:latest').registry()", 'registry.k8s.io'],
    ["image('registry.k8s.io/kube-apiserver-arm64').repository()", 'kube-apiserver-arm64'],
    ["image('nginx').repository()", 'library/nginx'],
    ["image('registry.k8s.io/kube-apiserver-arm64').tag()", 'latest'],
    ["image('registry.k8s.io/kube-apiserver-arm64:testtag').tag()", 'testtag'],
    [`image('registry.k8s.io/kube-apiserver-arm64@${d}').digest()`, d],
    [`image('registry.k8s.io/kube-apiserver-arm64:latest@${d}').digest()`, d],
    ["image('registry.k8s.io/kube-apiserver-arm64:testtag').identifier()", 'testtag'],
    [`image('registry.k8s.io/kube-apiserver-arm64:latest@${d}').identifier()`, d],
    ["image('localhost:5000/app:1.0').registry()", 'localhost:5000'],
  ]);
  errors([["image('registry.k8s.io//kube-apiserver-arm64')", /could not parse reference/]]);
});

describe('optional types', () => {
  table([
    ["{'a': 1}.?a.orValue(2)", 1],
    ["{'a': 1}.?b.orValue(2)", 2],
    ['optional.of(1).hasValue()', true],
    ['optional.none().orValue(5)', 5],
  ]);
  it('object.?spec.?replicas on an object', () => {
    assert.equal(value(env, 'object.?spec.?replicas.orValue(1)', { object: { spec: {} } }), 1);
    assert.equal(value(env, 'object.?spec.?replicas.orValue(1)', { object: { spec: { replicas: 3 } } }), 3);
  });
});

describe('authorizer (k8s library/authz.go)', () => {
  it('checks resource and path permissions through the host authorizer', async () => {
    const { CelAuthorizerValue } = await import('./authz.js');
    const seen: unknown[] = [];
    const authorizer = new CelAuthorizerValue({
      authorize(req) {
        seen.push(req);
        return req.verb === 'get' ? { decision: 'allow', reason: 'rbac' } : { decision: 'deny', reason: 'nope' };
      },
    });
    assert.equal(value(env, "authorizer.group('apps').resource('deployments').namespace('ns').name('d').check('get').allowed()", { authorizer }), true);
    assert.equal(value(env, "authorizer.path('/healthz').check('post').reason()", { authorizer }), 'nope');
    assert.equal(value(env, "authorizer.serviceAccount('ns', 'sa').group('').resource('pods').check('get').allowed()", { authorizer }), true);
    assert.deepEqual(seen[0], { group: 'apps', resource: 'deployments', namespace: 'ns', name: 'd', verb: 'get' });
    assert.deepEqual(seen[2], { group: '', resource: 'pods', verb: 'get', user: 'system:serviceaccount:ns:sa' });
    const withRequest = new CelAuthorizerValue(authorizer.authorizer, undefined, { group: 'apps', resource: 'deployments', namespace: 'prod' });
    assert.equal(value(env, "authorizer.requestResource.subresource('scale').check('get').allowed()", { authorizer: withRequest }), true);
    assert.deepEqual(seen[3], { group: 'apps', resource: 'deployments', namespace: 'prod', subresource: 'scale', verb: 'get' });
    assert.equal(value(env, "authorizer.group('').resource('pods').labelSelector('a=b').check('list').allowed()", { authorizer }), false);
    assert.deepEqual(seen[4], { group: '', resource: 'pods', labelSelector: 'a=b', verb: 'list' });
    const r = run(env, "authorizer.requestResource.check('get').allowed()", { authorizer });
    assert.match(!r.ok ? r.error.message : '', /requestResource is not available/);
  });
});

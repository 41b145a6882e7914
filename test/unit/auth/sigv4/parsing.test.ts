import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAmzDate, parseAmzDate, parseHttpDate } from '../../../../src/auth/sigv4/amz-date.ts';
import { QUERY_LIMITS, parseQuery } from '../../../../src/auth/sigv4/query-string.ts';
import { headerValue, parseSignedHeaders } from '../../../../src/auth/sigv4/signed-headers.ts';
import { checkScope, parseCredential } from '../../../../src/auth/sigv4/credential.ts';
import { sigv4Error } from '../../../../src/auth/sigv4/errors.ts';
import { parsePresigned } from '../../../../src/auth/sigv4/parse-presigned.ts';

test('X-Amz-Date is ISO 8601 basic and a real instant', () => {
  assert.equal(parseAmzDate('20261122T120000Z'), Date.UTC(2026, 10, 22, 12, 0, 0));
  assert.equal(parseAmzDate('20240229T235959Z'), Date.UTC(2024, 1, 29, 23, 59, 59), 'leap day');
  for (const bad of ['20230229T000000Z', '20261122T240000Z', '20261322T120000Z', '20261122T120000', '2026-11-22T12:00:00Z', '20261122t120000z', ' 20261122T120000Z']) {
    assert.equal(parseAmzDate(bad), undefined, bad);
  }
  assert.equal(formatAmzDate(Date.UTC(2026, 10, 22, 12, 0, 0, 999)), '20261122T120000Z');
});

test('the Date header is an IMF-fixdate', () => {
  assert.equal(parseHttpDate('Sun, 22 Nov 2026 12:00:00 GMT'), Date.UTC(2026, 10, 22, 12, 0, 0));
  assert.equal(parseHttpDate('Sunday, 22-Nov-26 12:00:00 GMT'), undefined);
  assert.equal(parseHttpDate('Sun, 31 Nov 2026 12:00:00 GMT'), undefined);
  assert.equal(parseHttpDate('Sun, 22 Nov 2026 12:00:00 UTC'), undefined);
});

test('the query string decodes into the bag the signer canonicalises', () => {
  const result = parseQuery('?b=2&a=1&a=%2F%20x&plus=a+b&flag&empty=');
  assert.ok(result.ok);
  assert.deepEqual(result.value.bag, { b: '2', a: ['1', '/ x'], plus: 'a b', flag: '', empty: '' });
  const empty = parseQuery('');
  assert.deepEqual(empty.ok && empty.value.bag, {});
  const proto = parseQuery('__proto__=x');
  assert.ok(proto.ok);
  assert.equal(Object.getPrototypeOf(proto.value.bag), Object.prototype, 'no prototype pollution');
  assert.equal(proto.value.bag['__proto__' as keyof typeof proto.value.bag], 'x');
});

test('a malformed or oversized query string is refused', () => {
  for (const bad of ['a=%zz', '%E0%A4%A=1', '=novalue', `a=${'x'.repeat(QUERY_LIMITS.maxLength)}`, Array.from({ length: QUERY_LIMITS.maxParams + 1 }, (_, i) => `p${i}=1`).join('&')]) {
    const result = parseQuery(bad);
    assert.equal(result.ok, false, bad.slice(0, 40));
    assert.equal(!result.ok && result.kind, 'incomplete');
  }
});

test('SignedHeaders: sorted lowercase token names, within limits', () => {
  assert.deepEqual(parseSignedHeaders('content-type;host;x-amz-date').ok, true);
  for (const bad of ['', 'Host', 'host;', 'x-amz-date;host', 'host;host', 'ho st', `host;${'x'.repeat(2048)}`, Array.from({ length: 65 }, (_, i) => `h${String(i).padStart(2, '0')}`).join(';')]) {
    assert.equal(parseSignedHeaders(bad).ok, false, bad.slice(0, 40));
  }
});

test('header values: arrays are trimmed and joined by commas', () => {
  assert.equal(headerValue({ a: ['x ', ' y'] }, 'a'), 'x,y');
  assert.equal(headerValue({ a: 'x, y' }, 'a'), 'x, y');
  assert.equal(headerValue({ a: undefined }, 'a'), undefined);
  assert.equal(headerValue({}, 'toString'), undefined, 'own properties only');
});

test('credential: five elements, a plausible access key id', () => {
  assert.deepEqual(parseCredential('AKID/20261122/us-east-1/ecr/aws4_request'), {
    ok: true,
    value: { accessKeyId: 'AKID', date: '20261122', region: 'us-east-1', service: 'ecr', terminator: 'aws4_request' },
  });
  assert.equal(parseCredential('AKID/20261122/us-east-1/ecr').ok, false);
  const badKey = parseCredential('AK ID/20261122/us-east-1/ecr/aws4_request');
  assert.equal(!badKey.ok && badKey.kind, 'unrecognized');
});

test('scope: service, region, terminator and day are all checked', () => {
  const credential = { accessKeyId: 'AKID', date: '20261122', region: 'us-east-1', service: 'sts', terminator: 'aws4_request' };
  const scopes = { ecr: ['eu-west-1'], sts: ['us-east-1', 'eu-west-1'] };
  assert.equal(checkScope(credential, '20261122T235959Z', scopes, undefined), undefined);
  assert.equal(checkScope(credential, '20261123T000000Z', scopes, undefined)?.startsWith('Date in Credential scope does not match'), true);
  assert.equal(checkScope({ ...credential, region: 'us-east-1', service: 'ecr' }, '20261122T120000Z', scopes, undefined), "Credential should be scoped to a valid region, not 'us-east-1'. ");
  assert.equal(checkScope(credential, '20261122T120000Z', scopes, 'ecr'), "Credential should be scoped to correct service: 'ecr'. ");
  assert.equal(checkScope({ ...credential, service: 'toString' }, '20261122T120000Z', scopes, undefined), "Credential should be scoped to correct service: 'ecr'. ");
});

test('error names and statuses per protocol', () => {
  const table = (['missing', 'incomplete', 'unrecognized', 'signature', 'expired'] as const).map((kind) => {
    const json = sigv4Error(kind, 'm');
    const query = sigv4Error(kind, 'm', 'query');
    return `${kind} ${json.code} ${json.status} ${query.code} ${query.status}`;
  });
  assert.deepEqual(table, [
    'missing MissingAuthenticationTokenException 400 MissingAuthenticationToken 403',
    'incomplete IncompleteSignatureException 400 IncompleteSignature 400',
    'unrecognized UnrecognizedClientException 400 InvalidClientTokenId 403',
    'signature InvalidSignatureException 400 SignatureDoesNotMatch 403',
    'expired InvalidSignatureException 400 RequestExpired 400',
  ]);
});

test('presigned parameters are exact, case-sensitive names', () => {
  const all = new Map([
    ['X-Amz-Algorithm', ['AWS4-HMAC-SHA256']],
    ['X-Amz-Credential', ['AKID/20261122/us-east-1/sts/aws4_request']],
    ['X-Amz-Date', ['20261122T120000Z']],
    ['X-Amz-Expires', ['900']],
    ['X-Amz-SignedHeaders', ['host']],
    ['x-amz-signature', ['ab']],
  ]);
  const result = parsePresigned(all);
  assert.equal(!result.ok && result.message, "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.");
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4 } from '../../../../src/auth/sigv4/verify.ts';
import type { SigV4Request } from '../../../../src/auth/sigv4/types.ts';
import { BOB, NOW, lookup, options, presignWithSdk, signWithSdk } from './sdk-signing.ts';
import type { ToSign } from './sdk-signing.ts';

// What aws-iam-authenticator style tokens carry: a presigned STS GetCallerIdentity GET.
const getCallerIdentity: ToSign = {
  service: 'sts',
  region: 'us-east-1',
  method: 'GET',
  host: 'sts.amazonaws.com',
  query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
  headers: { 'x-k8s-aws-id': 'berth-cluster' },
};

async function error(request: SigV4Request, extra = {}): Promise<{ code: string; message: string }> {
  const result = await verifySigV4(request, lookup, options(extra));
  assert.equal(result.ok, false, 'expected a failure');
  return result.ok ? { code: '', message: '' } : { code: result.error.code, message: result.error.message };
}

function withQuery(request: SigV4Request, from: string | RegExp, to: string): SigV4Request {
  const query = request.query.replace(from, to);
  assert.notEqual(query, request.query, 'the edit applies');
  return { ...request, query };
}

test('a presigned URL verifies, signed headers included', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  assert.match(request.query, /X-Amz-SignedHeaders=host%3Bx-k8s-aws-id/);
  assert.equal(request.headers['authorization'], undefined);
  const result = await verifySigV4(request, lookup, options());
  assert.deepEqual(result, { ok: true, principal: { user: 'alice' }, accessKeyId: 'AKIABERTHALICE000001', service: 'sts', region: 'us-east-1', presigned: true });
});

test('a presigned URL lives for X-Amz-Expires, even past the 15-minute skew', async () => {
  const request = await presignWithSdk(getCallerIdentity, 3600);
  assert.equal((await verifySigV4(request, lookup, options({ now: () => NOW + 59 * 60_000 }))).ok, true);
});

test('a presigned URL after its expiry is refused', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  assert.equal((await verifySigV4(request, lookup, options({ now: () => NOW + 60_000 }))).ok, true, 'still valid at the last second');
  assert.deepEqual(await error(request, { now: () => NOW + 61_000 }), { code: 'InvalidSignatureException', message: 'Request has expired' });
  assert.deepEqual(await error(request, { now: () => NOW + 61_000, protocol: 'query' }), { code: 'RequestExpired', message: 'Request has expired' });
});

test('a presigned URL dated more than 15 minutes ahead is not yet current', async () => {
  const request = await presignWithSdk({ ...getCallerIdentity, signingDate: NOW + 20 * 60_000 }, 60);
  assert.match((await error(request)).message, /^Signature not yet current: 20261122T122000Z is still later than 20261122T121500Z/);
});

test('an altered query is refused: another action, an extra parameter, a longer lifetime', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  const mismatch = /^The request signature we calculated does not match/;
  assert.match((await error(withQuery(request, 'GetCallerIdentity', 'GetSessionToken'))).message, mismatch);
  assert.match((await error({ ...request, query: `${request.query}&DurationSeconds=900` })).message, mismatch);
  assert.match((await error(withQuery(request, 'X-Amz-Expires=60', 'X-Amz-Expires=3600'))).message, mismatch);
  assert.match((await error(withQuery(request, /X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).message, mismatch);
});

test('a presigned URL missing a signed header, or signed with a wrong secret, is refused', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  const headers = { ...request.headers };
  delete headers['x-k8s-aws-id'];
  assert.equal((await error({ ...request, headers })).code, 'IncompleteSignatureException');
  const wrong = await presignWithSdk({ ...getCallerIdentity, credentials: { ...BOB, secretAccessKey: 'wrong' } }, 60);
  assert.equal((await error(wrong)).code, 'InvalidSignatureException');
});

test('UNSIGNED-PAYLOAD is accepted for presigned GETs, as X-Amz-Content-Sha256 or implied', async () => {
  // The SDK hoists x-amz-* headers into the query under the name they had.
  for (const name of ['X-Amz-Content-Sha256', 'x-amz-content-sha256']) {
    const hoisted = await presignWithSdk({ ...getCallerIdentity, headers: { [name]: 'UNSIGNED-PAYLOAD' } }, 60);
    assert.match(hoisted.query, new RegExp(`${name}=UNSIGNED-PAYLOAD`));
    assert.equal((await verifySigV4(hoisted, lookup, options())).ok, true, name);
  }

  // botocore's S3 presigner signs UNSIGNED-PAYLOAD without putting it in the URL.
  const implied = await presignWithSdk({ ...getCallerIdentity, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, 60, {
    unsignableHeaders: new Set(['x-amz-content-sha256']),
    unhoistableHeaders: new Set(['x-amz-content-sha256']),
  });
  const headers = { ...implied.headers };
  delete headers['x-amz-content-sha256'];
  assert.equal((await verifySigV4({ ...implied, headers }, lookup, options())).ok, true);
});

test('UNSIGNED-PAYLOAD is refused for anything but a presigned GET', async () => {
  const post = await presignWithSdk({ ...getCallerIdentity, method: 'POST', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, 60);
  assert.equal((await error(post)).message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
  const signed = await signWithSdk({ ...getCallerIdentity, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  assert.equal((await error(signed)).message, "The provided 'x-amz-content-sha256' header does not match what was computed.");
});

test('X-Amz-Expires must be 1..604800', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  assert.deepEqual(await error(withQuery(request, 'X-Amz-Expires=60', 'X-Amz-Expires=604801')), {
    code: 'IncompleteSignatureException',
    message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
  });
  for (const bad of ['0', '-5', '1e3', '060', '']) {
    assert.equal((await error(withQuery(request, 'X-Amz-Expires=60', `X-Amz-Expires=${bad}`))).code, 'IncompleteSignatureException', bad);
  }
});

test('a presigned URL with a security token is refused', async () => {
  const request = await presignWithSdk({ ...getCallerIdentity, credentials: { ...BOB, sessionToken: 'FwoGZXIvYXdzEXAMPLE' } }, 60);
  assert.match(request.query, /X-Amz-Security-Token=/);
  assert.deepEqual(await error(request), { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  const lowercase = withQuery(request, 'X-Amz-Security-Token', 'x-amz-security-token');
  assert.equal((await error(lowercase)).code, 'UnrecognizedClientException', 'whatever the case of the name');
});

test('missing or repeated query parameters are IncompleteSignatureException', async () => {
  const request = await presignWithSdk(getCallerIdentity, 60);
  assert.deepEqual(await error(withQuery(request, /&X-Amz-Signature=[0-9a-f]+/, '')), {
    code: 'IncompleteSignatureException',
    message: "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
  });
  assert.equal((await error(withQuery(request, /&X-Amz-Credential=[^&]+/, ''))).code, 'IncompleteSignatureException');
  assert.equal((await error({ ...request, query: `${request.query}&X-Amz-Date=20261122T120000Z` })).code, 'IncompleteSignatureException');
  assert.equal((await error(withQuery(request, 'X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256'))).message, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'");
  assert.equal((await error(withQuery(request, /X-Amz-Date=\d{8}T\d{6}Z/, 'X-Amz-Date=2026-11-22T12:00:00Z'))).code, 'IncompleteSignatureException');
});

test('the header form and the query form together are refused', async () => {
  const presigned = await presignWithSdk(getCallerIdentity, 60);
  const signed = await signWithSdk(getCallerIdentity);
  const both = { ...presigned, headers: { ...presigned.headers, authorization: signed.headers['authorization'] as string } };
  assert.deepEqual(await error(both), {
    code: 'InvalidSignatureException',
    message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
  });
});

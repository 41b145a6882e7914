import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4 } from '../../../../src/auth/sigv4/verify.ts';
import { BOB, NOW, ecrCall, lookup, options, sha256Hex, signWithSdk } from './sdk-signing.ts';
import type { SigV4Request } from '../../../../src/auth/sigv4/types.ts';

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const describe = ecrCall('DescribeRepositories', { repositoryNames: ['team-a/app'] });

function failure(result: Awaited<ReturnType<typeof verifySigV4>>): { code: string; message: string; status: number } {
  assert.equal(result.ok, false, 'expected a failure');
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

test('a request signed by the SDK as the ECR client signs it verifies, with the principal', async () => {
  const request = await signWithSdk(describe);
  assert.match(request.headers['authorization'] as string, /SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent,/);
  const result = await verifySigV4(request, lookup, options());
  assert.deepEqual(result, { ok: true, principal: { user: 'alice' }, accessKeyId: 'AKIABERTHALICE000001', service: 'ecr', region: 'eu-west-1', presigned: false });
});

test('a request signed without x-amz-content-sha256 (botocore style) verifies against the body hash', async () => {
  const request = await signWithSdk({ ...describe, applyChecksum: false });
  assert.equal(request.headers['x-amz-content-sha256'], undefined);
  assert.equal((await verifySigV4(request, lookup, options())).ok, true);
});

test('each user is told apart by their own key', async () => {
  const request = await signWithSdk({ ...describe, credentials: BOB });
  const result = await verifySigV4(request, lookup, options());
  assert.equal(result.ok && result.principal.user, 'bob');
});

test('a wrong secret is InvalidSignatureException with the AWS message', async () => {
  const request = await signWithSdk({ ...describe, credentials: { accessKeyId: BOB.accessKeyId, secretAccessKey: 'not-bobs-secret' } });
  assert.deepEqual(failure(await verifySigV4(request, lookup, options())), {
    code: 'InvalidSignatureException',
    message: MISMATCH,
    status: 400,
    kind: 'signature',
  });
});

test('an unknown access key id is UnrecognizedClientException', async () => {
  const request = await signWithSdk({ ...describe, credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
  const error = failure(await verifySigV4(request, lookup, options()));
  assert.equal(error.code, 'UnrecognizedClientException');
  assert.equal(error.message, 'The security token included in the request is invalid.');
});

test('a clock 16 minutes behind is "Signature expired", 14 minutes is fine', async () => {
  const late = await signWithSdk({ ...describe, signingDate: NOW - 16 * 60_000 });
  assert.deepEqual(failure(await verifySigV4(late, lookup, options())), {
    code: 'InvalidSignatureException',
    message: 'Signature expired: 20261122T114400Z is now earlier than 20261122T114500Z (20261122T120000Z - 15 min.)',
    status: 400,
    kind: 'signature',
  });
  assert.equal((await verifySigV4(await signWithSdk({ ...describe, signingDate: NOW - 14 * 60_000 }), lookup, options())).ok, true);
});

test('a clock 16 minutes ahead is "Signature not yet current", 14 minutes is fine', async () => {
  const early = await signWithSdk({ ...describe, signingDate: NOW + 16 * 60_000 });
  assert.equal(
    failure(await verifySigV4(early, lookup, options())).message,
    'Signature not yet current: 20261122T121600Z is still later than 20261122T121500Z (20261122T120000Z + 15 min.)',
  );
  assert.equal((await verifySigV4(await signWithSdk({ ...describe, signingDate: NOW + 14 * 60_000 }), lookup, options())).ok, true);
});

test('the injected clock decides, and the allowed skew is configurable', async () => {
  const request = await signWithSdk(describe);
  assert.equal((await verifySigV4(request, lookup, options({ now: () => NOW + 6 * 60_000, maxSkewMs: 5 * 60_000 }))).ok, false);
  assert.equal((await verifySigV4(request, lookup, options({ now: () => NOW + 4 * 60_000, maxSkewMs: 5 * 60_000 }))).ok, true);
});

test('an altered body fails: its hash no longer matches x-amz-content-sha256', async () => {
  const request = await signWithSdk(describe);
  const altered: SigV4Request = { ...request, bodySha256Hex: sha256Hex('{"repositoryNames":["team-b/app"]}') };
  assert.deepEqual(failure(await verifySigV4(altered, lookup, options())), {
    code: 'InvalidSignatureException',
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    status: 400,
    kind: 'signature',
  });
});

test('an altered body fails when no x-amz-content-sha256 was sent either', async () => {
  const request = await signWithSdk({ ...describe, applyChecksum: false });
  const altered: SigV4Request = { ...request, bodySha256Hex: sha256Hex('{}') };
  assert.equal(failure(await verifySigV4(altered, lookup, options())).message, MISMATCH);
});

test('an altered signed header fails', async () => {
  const request = await signWithSdk(describe);
  const altered = { ...request, headers: { ...request.headers, 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository' } };
  assert.equal(failure(await verifySigV4(altered, lookup, options())).message, MISMATCH);
});

test('an altered method, path or query fails', async () => {
  const request = await signWithSdk(describe);
  for (const altered of [{ ...request, method: 'PUT' }, { ...request, path: '/other' }, { ...request, query: 'a=b' }]) {
    assert.equal(failure(await verifySigV4(altered, lookup, options())).message, MISMATCH);
  }
});

test('an unsigned header added on the way (proxy, user agent) does not matter', async () => {
  const request = await signWithSdk(describe);
  const proxied = { ...request, headers: { ...request.headers, 'x-forwarded-for': '10.0.0.1', 'user-agent': 'changed', via: '1.1 proxy' } };
  assert.equal((await verifySigV4(proxied, lookup, options())).ok, true);
});

test('a signed header that is missing from the request fails', async () => {
  const request = await signWithSdk(describe);
  const headers = { ...request.headers };
  delete headers['x-amz-target'];
  assert.deepEqual(failure(await verifySigV4({ ...request, headers }, lookup, options())), {
    code: 'IncompleteSignatureException',
    message: "'x-amz-target' is named as a SignedHeader, but it does not exist in the HTTP request.",
    status: 400,
    kind: 'incomplete',
  });
});

test('a header the endpoint names in mustSign (X-Amz-Target) must be signed whenever it is sent', async () => {
  // Signed without a target, with the target added afterwards: the signature alone does not cover it.
  const headers: Record<string, string> = { ...describe.headers };
  const target = headers['x-amz-target']!;
  delete headers['x-amz-target'];
  const request = await signWithSdk({ ...describe, headers });
  const retargeted = { ...request, headers: { ...request.headers, 'x-amz-target': target } };
  assert.equal((await verifySigV4(retargeted, lookup, options())).ok, true, 'without mustSign an unsigned header is ignored');
  assert.deepEqual(failure(await verifySigV4(retargeted, lookup, options({ mustSign: ['X-Amz-Target'] }))), {
    code: 'IncompleteSignatureException',
    message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    status: 400,
    kind: 'incomplete',
  });
  // Absent, it need not be signed; signed, it passes.
  assert.equal((await verifySigV4(request, lookup, options({ mustSign: ['X-Amz-Target'] }))).ok, true);
  assert.equal((await verifySigV4(await signWithSdk(describe), lookup, options({ mustSign: ['X-Amz-Target'] }))).ok, true);
});

test('repeated header values given as an array are joined the canonical way', async () => {
  const request = await signWithSdk({ ...describe, headers: { ...describe.headers, 'x-custom': 'one,two' } });
  const distinct = { ...request, headers: { ...request.headers, 'x-custom': [' one', 'two '] } };
  assert.equal((await verifySigV4(distinct, lookup, options())).ok, true);
});

test('a region other than the configured one is refused', async () => {
  const request = await signWithSdk({ ...describe, region: 'us-west-2' });
  assert.deepEqual(failure(await verifySigV4(request, lookup, options())), {
    code: 'InvalidSignatureException',
    message: "Credential should be scoped to a valid region, not 'us-west-2'. ",
    status: 400,
    kind: 'signature',
  });
});

test('a service outside the allowed set, or not the expected one, is refused', async () => {
  const s3 = await signWithSdk({ ...describe, service: 's3' });
  assert.equal(failure(await verifySigV4(s3, lookup, options({ expectedService: 'ecr' }))).message, "Credential should be scoped to correct service: 'ecr'. ");
  const sts = await signWithSdk({ ...describe, service: 'sts' });
  assert.equal((await verifySigV4(sts, lookup, options())).ok, true, 'sts is in the allowed set');
  assert.equal(failure(await verifySigV4(sts, lookup, options({ expectedService: 'ecr' }))).code, 'InvalidSignatureException');
});

test('a security token (temporary credentials) is refused as UnrecognizedClientException', async () => {
  const request = await signWithSdk({ ...describe, credentials: { ...BOB, sessionToken: 'FwoGZXIvYXdzEXAMPLE' } });
  assert.equal(request.headers['x-amz-security-token'], 'FwoGZXIvYXdzEXAMPLE');
  assert.deepEqual(failure(await verifySigV4(request, lookup, options())), {
    code: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
    status: 400,
    kind: 'unrecognized',
  });
});

test('no authentication at all is MissingAuthenticationTokenException; Query services get their names', async () => {
  const request = await signWithSdk(describe);
  const headers = { ...request.headers };
  delete headers['authorization'];
  const anonymous = { ...request, headers };
  assert.deepEqual(failure(await verifySigV4(anonymous, lookup, options())), {
    code: 'MissingAuthenticationTokenException',
    message: 'Request is missing Authentication Token',
    status: 400,
    kind: 'missing',
  });
  assert.equal(failure(await verifySigV4(anonymous, lookup, options({ protocol: 'query' }))).code, 'MissingAuthenticationToken');
  const basic = { ...request, headers: { ...request.headers, authorization: 'Basic QVdTOnNlY3JldA==' } };
  assert.equal(failure(await verifySigV4(basic, lookup, options())).code, 'MissingAuthenticationTokenException');
});

test('the secret is never looked up for requests refused before the signature check', async () => {
  const request = await signWithSdk({ ...describe, signingDate: NOW - 60 * 60_000 });
  let calls = 0;
  const counting = async (id: string) => {
    calls++;
    return lookup(id);
  };
  await verifySigV4(request, counting, options());
  assert.equal(calls, 0);
});

test('results never carry the secret', async () => {
  const ok = await verifySigV4(await signWithSdk(describe), lookup, options());
  const bad = await verifySigV4(await signWithSdk({ ...describe, credentials: { accessKeyId: BOB.accessKeyId, secretAccessKey: 'wrong' } }), lookup, options());
  for (const result of [ok, bad]) {
    const text = JSON.stringify(result);
    assert.equal(text.includes('Secret+Key'), false);
  }
});

test('a malformed body hash from the server is a programming error', async () => {
  const request = await signWithSdk(describe);
  await assert.rejects(verifySigV4({ ...request, bodySha256Hex: 'abc' }, lookup, options()), TypeError);
});

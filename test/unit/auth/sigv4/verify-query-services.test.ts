import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4 } from '../../../../src/auth/sigv4/verify.ts';
import { defaultScopes } from '../../../../src/auth/sigv4/types.ts';
import { BOB, NOW, lookup, options, queryCall, sha256Hex, signWithSdk } from './sdk-signing.ts';

const LIST_USERS = 'Action=ListUsers&Version=2010-05-08';
const CALLER_IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';

test('an IAM Query call signed for us-east-1 verifies', async () => {
  const request = await signWithSdk(queryCall('iam', 'us-east-1', LIST_USERS));
  const result = await verifySigV4(request, lookup, options({ protocol: 'query', expectedService: 'iam' }));
  assert.equal(result.ok, true);
  assert.equal(result.ok && `${result.service}/${result.region}`, 'iam/us-east-1');
});

test('an IAM call signed with the configured region (an SDK pointed at this endpoint) verifies too', async () => {
  const request = await signWithSdk(queryCall('iam', 'eu-west-1', LIST_USERS, { host: 'berth.example:5000' }));
  assert.equal((await verifySigV4(request, lookup, options({ protocol: 'query' }))).ok, true);
});

test('STS calls verify for the global and the regional signing region', async () => {
  for (const region of ['us-east-1', 'eu-west-1']) {
    const request = await signWithSdk(queryCall('sts', region, CALLER_IDENTITY));
    assert.equal((await verifySigV4(request, lookup, options({ protocol: 'query' }))).ok, true, region);
  }
});

test('allowed regions are per service', async () => {
  const scopes = { ecr: ['eu-west-1'], iam: ['us-east-1'], sts: ['us-east-1'] };
  const iamRegional = await signWithSdk(queryCall('iam', 'eu-west-1', LIST_USERS));
  const result = await verifySigV4(iamRegional, lookup, options({ scopes, protocol: 'query' }));
  assert.deepEqual(result.ok ? undefined : result.error, {
    code: 'SignatureDoesNotMatch',
    message: "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    status: 403,
    kind: 'signature',
  });
});

test('defaultScopes: ECR in the configured region, IAM and STS in us-east-1 or the configured region', () => {
  assert.deepEqual(defaultScopes('eu-west-1'), { ecr: ['eu-west-1'], iam: ['us-east-1', 'eu-west-1'], sts: ['us-east-1', 'eu-west-1'] });
  assert.deepEqual(defaultScopes('us-east-1'), { ecr: ['us-east-1'], iam: ['us-east-1'], sts: ['us-east-1'] });
});

test('Query services answer with their own error names', async () => {
  const query = options({ protocol: 'query' });
  const wrongSecret = await signWithSdk(queryCall('sts', 'us-east-1', CALLER_IDENTITY, { credentials: { ...BOB, secretAccessKey: 'wrong' } }));
  const failure = await verifySigV4(wrongSecret, lookup, query);
  assert.equal(failure.ok ? '' : `${failure.error.code} ${failure.error.status}`, 'SignatureDoesNotMatch 403');

  const unknown = await signWithSdk(queryCall('sts', 'us-east-1', CALLER_IDENTITY, { credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' } }));
  const unrecognized = await verifySigV4(unknown, lookup, query);
  assert.deepEqual(unrecognized.ok ? undefined : unrecognized.error, {
    code: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
    status: 403,
    kind: 'unrecognized',
  });

  const skewed = await signWithSdk(queryCall('sts', 'us-east-1', CALLER_IDENTITY, { signingDate: NOW - 20 * 60_000 }));
  const expired = await verifySigV4(skewed, lookup, query);
  assert.equal(expired.ok ? '' : expired.error.code, 'SignatureDoesNotMatch');
  assert.match(expired.ok ? '' : expired.error.message, /^Signature expired: 20261122T114000Z is now earlier than/);
});

test('a tampered form body fails', async () => {
  const request = await signWithSdk(queryCall('iam', 'us-east-1', LIST_USERS, { applyChecksum: false }));
  const tampered = { ...request, bodySha256Hex: sha256Hex('Action=DeleteUser&UserName=alice&Version=2010-05-08') };
  const result = await verifySigV4(tampered, lookup, options({ protocol: 'query' }));
  assert.equal(result.ok ? '' : result.error.code, 'SignatureDoesNotMatch');
});

test('a Query call with its parameters in the URL (GET) verifies and is bound to them', async () => {
  const request = await signWithSdk({
    ...queryCall('iam', 'us-east-1', ''),
    method: 'GET',
    query: { Action: 'ListUsers', Version: '2010-05-08', PathPrefix: '/division abc/subdivision xyz/' },
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: undefined,
  });
  assert.match(request.query, /PathPrefix=%2Fdivision%20abc%2Fsubdivision%20xyz%2F/);
  assert.equal((await verifySigV4(request, lookup, options())).ok, true);
  const changed = { ...request, query: request.query.replace('ListUsers', 'ListRoles') };
  assert.equal((await verifySigV4(changed, lookup, options())).ok, false);
});

test("a '+' in the raw query is a space, as Go's url.Values writes it", async () => {
  const request = await signWithSdk({ ...queryCall('iam', 'us-east-1', ''), method: 'GET', query: { Action: 'ListUsers', PathPrefix: '/a b/' }, body: undefined });
  const goStyle = { ...request, query: request.query.replace('%20', '+') };
  assert.notEqual(goStyle.query, request.query);
  assert.equal((await verifySigV4(goStyle, lookup, options())).ok, true);
});

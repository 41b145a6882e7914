import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifySigV4 } from '../../../../src/auth/sigv4/verify.ts';
import type { SigV4Request } from '../../../../src/auth/sigv4/types.ts';
import { authorizationOf, ecrCall, lookup, options, signWithSdk, withAuthorization } from './sdk-signing.ts';

const good = await signWithSdk(ecrCall('ListImages', { repositoryName: 'team-a/app' }));
const AUTH = authorizationOf(good);
const CREDENTIAL = /Credential=([^,]+)/.exec(AUTH)?.[1] as string;
const SIGNED_HEADERS = /SignedHeaders=([^,]+)/.exec(AUTH)?.[1] as string;
const SIGNATURE = /Signature=([0-9a-f]+)/.exec(AUTH)?.[1] as string;

async function outcome(request: SigV4Request, protocol: 'json' | 'query' = 'json'): Promise<string> {
  const result = await verifySigV4(request, lookup, options({ protocol }));
  return result.ok ? 'ok' : `${result.error.code}: ${result.error.message}`;
}

function auth(header: string): SigV4Request {
  return withAuthorization(good, header);
}

test('the untouched request verifies (the shapes below break only the header)', async () => {
  assert.equal(await outcome(good), 'ok');
});

test('shape: the algorithm alone names every missing component', async () => {
  assert.equal(
    await outcome(auth('AWS4-HMAC-SHA256')),
    "IncompleteSignatureException: Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
      "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
  );
});

test('shape: each missing component is named, with the header echoed', async () => {
  const noSignature = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${SIGNED_HEADERS}`;
  assert.equal(await outcome(auth(noSignature)), `IncompleteSignatureException: Authorization header requires 'Signature' parameter. Authorization=${noSignature}`);
  const noSignedHeaders = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${SIGNATURE}`;
  assert.match(await outcome(auth(noSignedHeaders)), /^IncompleteSignatureException: Authorization header requires 'SignedHeaders' parameter\. Authorization=/);
  const noCredential = `AWS4-HMAC-SHA256 SignedHeaders=${SIGNED_HEADERS}, Signature=${SIGNATURE}`;
  assert.match(await outcome(auth(noCredential)), /^IncompleteSignatureException: Authorization header requires 'Credential' parameter\./);
  const emptySignature = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${SIGNED_HEADERS}, Signature=`;
  assert.match(await outcome(auth(emptySignature)), /requires 'Signature' parameter/);
});

test('shape: a space inside the credential leaves a part without an equal sign', async () => {
  const header = AUTH.replace('Credential=', 'Credential= ');
  assert.equal(
    await outcome(auth(header)),
    `IncompleteSignatureException: '${CREDENTIAL}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
  );
});

test('shape: another algorithm is unsupported; another scheme is no authentication', async () => {
  assert.equal(await outcome(auth(AUTH.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'))), "IncompleteSignatureException: Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
  // Without the space the algorithm runs into the credential; the echo is capped.
  assert.match(await outcome(auth(AUTH.replace('AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256,'))), /^IncompleteSignatureException: Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA256,Credential=AKIABERTHALICE000001\/20261122\/eu-wes\.\.\.'$/);
  assert.equal(await outcome(auth('Bearer eyJhbGciOiJIUzI1NiJ9.e30.x')), 'MissingAuthenticationTokenException: Request is missing Authentication Token');
  assert.equal(await outcome(auth('')), 'MissingAuthenticationTokenException: Request is missing Authentication Token');
});

test('shape: component names are case-sensitive, unknown or repeated ones are refused', async () => {
  assert.match(await outcome(auth(AUTH.replace('Credential=', 'credential='))), /^IncompleteSignatureException: 'credential' is not a valid Authorization header component/);
  assert.match(await outcome(auth(`${AUTH}, Region=eu-west-1`)), /^IncompleteSignatureException: 'Region' is not a valid/);
  assert.match(await outcome(auth(`${AUTH}, Signature=${SIGNATURE}`)), /^IncompleteSignatureException: 'Signature' appears more than once/);
});

test('shape: a credential without five elements', async () => {
  const short = CREDENTIAL.replace('/aws4_request', '');
  assert.equal(
    await outcome(auth(AUTH.replace(CREDENTIAL, short))),
    `IncompleteSignatureException: Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${short}'`,
  );
  assert.match(await outcome(auth(AUTH.replace(CREDENTIAL, `${CREDENTIAL}/extra`))), /exactly 5 slash-delimited elements/);
});

test('shape: a wrong terminator, scope date or access key id', async () => {
  assert.equal(
    await outcome(auth(AUTH.replace('aws4_request', 'aws5_request'))),
    "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
  );
  assert.equal(
    await outcome(auth(AUTH.replace('/20261122/', '/20261121/'))),
    "InvalidSignatureException: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T120000Z'.",
  );
  assert.equal(await outcome(auth(AUTH.replace('AKIABERTHALICE000001', 'AKIA-not-a-key'))), 'UnrecognizedClientException: The security token included in the request is invalid.');
});

test('shape: several scope problems are reported together, as AWS joins them', async () => {
  const header = AUTH.replace('/eu-west-1/ecr/aws4_request', '/mars-1/s3/aws5_request');
  assert.equal(
    await outcome(auth(header)),
    "InvalidSignatureException: Credential should be scoped to a valid region, not 'mars-1'. Credential should be scoped to correct service: 'ecr'. " +
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
  );
});

test('shape: SignedHeaders unsorted, upper-case, repeated or without host', async () => {
  const unsorted = SIGNED_HEADERS.split(';').reverse().join(';');
  assert.match(await outcome(auth(AUTH.replace(SIGNED_HEADERS, unsorted))), /^IncompleteSignatureException: SignedHeaders must be sorted/);
  assert.match(await outcome(auth(AUTH.replace(SIGNED_HEADERS, SIGNED_HEADERS.toUpperCase()))), /^IncompleteSignatureException: SignedHeaders must be lowercase/);
  assert.match(await outcome(auth(AUTH.replace(SIGNED_HEADERS, 'host;host;x-amz-date'))), /^IncompleteSignatureException: SignedHeaders must be sorted and must not repeat/);
  assert.match(await outcome(auth(AUTH.replace(SIGNED_HEADERS, 'host;;x-amz-date'))), /^IncompleteSignatureException: SignedHeaders must be lowercase/);
  assert.equal(
    await outcome(auth(AUTH.replace(SIGNED_HEADERS, 'content-type;x-amz-date'))),
    "IncompleteSignatureException: 'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  );
});

test('shape: a signature that is not 64 lowercase hex digits never matches', async () => {
  for (const signature of [SIGNATURE.toUpperCase(), SIGNATURE.slice(0, 63), `${SIGNATURE}00`, 'zz'.repeat(32)]) {
    assert.match(await outcome(auth(AUTH.replace(SIGNATURE, signature))), /^InvalidSignatureException: The request signature we calculated/, signature);
  }
  assert.match(await outcome(auth(AUTH.replace(SIGNATURE, 'a'.repeat(129)))), /^IncompleteSignatureException: Signature is too long/);
});

test('shape: limits on the header length', async () => {
  const long = `${AUTH}${' '.repeat(4100)}`;
  assert.equal(await outcome(auth(long)), 'IncompleteSignatureException: Authorization header is longer than 4096 characters.');
  const longCredential = AUTH.replace('AKIABERTHALICE000001', 'A'.repeat(300));
  assert.match(await outcome(auth(longCredential)), /^IncompleteSignatureException: Credential is longer than 256 characters/);
});

test('shape: commas without spaces, or tabs, still parse', async () => {
  const compact = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL},SignedHeaders=${SIGNED_HEADERS},Signature=${SIGNATURE}`;
  assert.equal(await outcome(auth(compact)), 'ok');
  assert.equal(await outcome(auth(AUTH.replace(/ /g, '\t'))), 'ok');
});

test('shape: no date header, or a malformed one', async () => {
  const headers = { ...good.headers };
  delete headers['x-amz-date'];
  assert.equal(
    await outcome({ ...good, headers }),
    "IncompleteSignatureException: Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " + `Authorization=${AUTH}`,
  );
  const malformed = { ...good, headers: { ...good.headers, 'x-amz-date': '2026-11-22T12:00:00Z' } };
  assert.match(await outcome(malformed), /^IncompleteSignatureException: X-Amz-Date must be in the ISO8601 Long Format/);
  const impossible = { ...good, headers: { ...good.headers, 'x-amz-date': '20260230T120000Z' } };
  assert.match(await outcome(impossible), /^IncompleteSignatureException: X-Amz-Date must be/);
});

test('shape: two Authorization headers', async () => {
  assert.equal(await outcome({ ...good, headers: { ...good.headers, authorization: [AUTH, AUTH] } }), 'IncompleteSignatureException: The request carries more than one Authorization header.');
});

test('Query-protocol services get IncompleteSignature for the same shapes', async () => {
  assert.match(await outcome(auth('AWS4-HMAC-SHA256'), 'query'), /^IncompleteSignature: Authorization header requires/);
});

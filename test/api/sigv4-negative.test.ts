// SigV4 at the control plane's door, end to end: requests signed with the AWS SDK's own
// signer (@smithy/signature-v4) and sent raw, then spoiled one way at a time — a wrong
// secret, a skewed clock, a body or a signed header changed after signing, an unsigned
// X-Amz-Target, no signature, a session token, presigned URLs (valid, expired, too long
// lived), a credential scoped to another service or region, malformed Authorization
// headers, oversized bodies. Each gets the error AWS answers: JSON 1.1 names for ECR,
// Query names for IAM and STS. The AWS CLI v2 checks the wrong secret and the skew.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { HttpRequest, buildQueryString } from '@smithy/core/protocols';
import type { AwsCredentialIdentity, HttpRequest as SignedRequest } from '@smithy/types';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startBerth, projectRoot, type BerthProcess } from '../helpers/berth-process.ts';
import { run, type ClientError } from '../helpers/clients.ts';

const REGION = 'us-east-1';
const MINUTE = 60_000;
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED = /^Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 15 min\.\)$/;
const NOT_YET = /^Signature not yet current: (\d{8}T\d{6}Z) is still later than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ 15 min\.\)$/;

let berth: BerthProcess;
let admin: AwsCredentialIdentity;

async function credentialsOf(server: BerthProcess): Promise<AwsCredentialIdentity> {
  const text = await readFile(join(server.dataDir, 'credentials'), 'utf8');
  return { accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1]! };
}

before(async () => {
  berth = await startBerth();
  admin = await credentialsOf(berth);
});
after(async () => {
  await berth?.stop();
});

/** A control-plane call before signing. */
interface Call {
  readonly service: 'ecr' | 'iam' | 'sts';
  readonly method?: 'GET' | 'POST';
  readonly query?: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

function ecrCall(operation: string, input: object = {}): Call {
  return {
    service: 'ecr',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}` },
    body: JSON.stringify(input),
  };
}

function queryCall(service: 'iam' | 'sts', action: string): Call {
  const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
  return { service, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: `Action=${action}&Version=${version}` };
}

interface SigningOptions {
  /** The server the request is for (its host is signed); the suite's own by default. */
  readonly server?: BerthProcess;
  readonly credentials?: AwsCredentialIdentity;
  /** When the client thinks it is. */
  readonly signingDate?: number;
  /** The service and region in the credential scope, when not the call's own. */
  readonly signingService?: string;
  readonly signingRegion?: string;
  /** false signs like botocore: no x-amz-content-sha256 header. */
  readonly applyChecksum?: boolean;
  readonly unsignableHeaders?: Set<string>;
}

function toHttpRequest(call: Call, server: BerthProcess): HttpRequest {
  return new HttpRequest({
    method: call.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    query: { ...call.query },
    headers: { host: server.hostPort, ...call.headers },
    ...(call.body === undefined ? {} : { body: call.body }),
  });
}

function signer(call: Call, options: SigningOptions): SignatureV4 {
  return new SignatureV4({
    service: options.signingService ?? call.service,
    region: options.signingRegion ?? REGION,
    credentials: options.credentials ?? admin,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: options.applyChecksum ?? true,
  });
}

function sign(call: Call, options: SigningOptions = {}): Promise<SignedRequest> {
  return signer(call, options).sign(toHttpRequest(call, options.server ?? berth), {
    signingDate: new Date(options.signingDate ?? Date.now()),
    ...(options.unsignableHeaders ? { unsignableHeaders: options.unsignableHeaders } : {}),
  });
}

function presign(call: Call, expiresIn: number, options: SigningOptions & { unhoistableHeaders?: Set<string> } = {}): Promise<SignedRequest> {
  return signer(call, options).presign(toHttpRequest(call, options.server ?? berth), {
    signingDate: new Date(options.signingDate ?? Date.now()),
    expiresIn,
    ...(options.unhoistableHeaders ? { unhoistableHeaders: options.unhoistableHeaders } : {}),
  });
}

interface Answer {
  readonly status: number;
  /** `__type` of a JSON error, `<Code>` of a Query one; '' for a success. */
  readonly code: string;
  readonly message: string;
  readonly body: string;
}

function xmlText(xml: string, element: string): string {
  const raw = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1] ?? '';
  return raw.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
}

/** Sends a signed request as is, or with some headers replaced (undefined removes one) or another body. */
async function send(signed: SignedRequest, change: { headers?: Record<string, string | undefined>; body?: string } = {}, server = berth): Promise<Answer> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...signed.headers, ...change.headers })) {
    // fetch writes Host itself, from the URL, which is the host that was signed.
    if (value !== undefined && name.toLowerCase() !== 'host') headers[name] = value;
  }
  const query = buildQueryString(signed.query ?? {});
  const response = await fetch(`${server.url}/${query ? `?${query}` : ''}`, {
    method: signed.method,
    headers,
    ...(signed.method === 'GET' ? {} : { body: change.body ?? (signed.body as string | undefined) ?? '' }),
  });
  const body = await response.text();
  if (response.status === 200) return { status: 200, code: '', message: '', body };
  if (response.headers.get('content-type') === 'application/x-amz-json-1.1') {
    const error = JSON.parse(body) as { __type?: string; message?: string };
    return { status: response.status, code: error.__type ?? '', message: error.message ?? '', body };
  }
  return { status: response.status, code: xmlText(body, 'Code'), message: xmlText(body, 'Message'), body };
}

function assertAnswer(answer: Answer, status: number, code: string, message?: string | RegExp): void {
  assert.equal(answer.code, code, answer.body);
  assert.equal(answer.status, status, answer.body);
  if (typeof message === 'string') assert.equal(answer.message, message);
  else if (message) assert.match(answer.message, message);
}

test('a correctly signed request passes, in both protocols and both SigV4 payload styles', async () => {
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'))), 200, '');
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { applyChecksum: false })), 200, '');
  const sts = await send(await sign(queryCall('sts', 'GetCallerIdentity')));
  assertAnswer(sts, 200, '');
  assert.equal(xmlText(sts.body, 'Arn'), 'arn:aws:iam::123456789012:user/admin');
  assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'))), 200, '');
});

test('a wrong secret: InvalidSignatureException for ECR, SignatureDoesNotMatch for IAM and STS', async () => {
  const wrong = { accessKeyId: admin.accessKeyId, secretAccessKey: `${admin.secretAccessKey}x` };
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { credentials: wrong })), 400, 'InvalidSignatureException', MISMATCH);
  assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { credentials: wrong })), 403, 'SignatureDoesNotMatch', MISMATCH);
  assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'), { credentials: wrong })), 403, 'SignatureDoesNotMatch', MISMATCH);
  const unknown = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' };
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { credentials: unknown })), 400, 'UnrecognizedClientException', INVALID_TOKEN);
  assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { credentials: unknown })), 403, 'InvalidClientTokenId', INVALID_TOKEN);
});

test('a clock 16 minutes behind or ahead is refused in AWS\'s words; 14 minutes either way is accepted', async () => {
  for (const [skew, pattern] of [[-16 * MINUTE, EXPIRED], [16 * MINUTE, NOT_YET]] as const) {
    const before = Date.now();
    const answer = await send(await sign(ecrCall('DescribeRepositories'), { signingDate: before + skew }));
    assertAnswer(answer, 400, 'InvalidSignatureException', pattern);
    // The three timestamps: the request's, the server's limit, and the server's now.
    const [, signedAt, limit, now] = pattern.exec(answer.message)!;
    const ms = (stamp: string) => Date.parse(stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    assert.ok(Math.abs(ms(signedAt!) - (before + skew)) < 1000);
    assert.ok(Math.abs(ms(now!) - before) < 5000);
    assert.equal(ms(limit!) - ms(now!), Math.sign(skew) * 15 * MINUTE);
    assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { signingDate: Date.now() + skew })), 403, 'SignatureDoesNotMatch', pattern);
  }
  for (const skew of [-14 * MINUTE, 14 * MINUTE]) {
    assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { signingDate: Date.now() + skew })), 200, '');
    assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'), { signingDate: Date.now() + skew })), 200, '');
  }
});

test('the SDK with a clock 16 minutes behind is refused, then corrects its clock from the Date header and retries', async () => {
  const config = { endpoint: berth.url, region: REGION, credentials: admin, systemClockOffset: -16 * MINUTE };
  const once = new ECRClient({ ...config, maxAttempts: 1 });
  const retrying = new ECRClient({ ...config, maxAttempts: 2 });
  try {
    const error = (await once.send(new DescribeRepositoriesCommand({})).catch((thrown: unknown) => thrown)) as Error & { $metadata: { httpStatusCode: number } };
    assert.equal(error.name, 'InvalidSignatureException');
    assert.match(error.message, EXPIRED);
    assert.equal(error.$metadata.httpStatusCode, 400);
    // The SDK retries a "Signature expired" after taking the server's time from the Date header.
    const answer = await retrying.send(new DescribeRepositoriesCommand({}));
    assert.equal(answer.$metadata.attempts, 2);
    assert.ok(Math.abs(await retrying.config.systemClockOffset) < 5000, `offset now ${String(retrying.config.systemClockOffset)}`);
  } finally {
    once.destroy();
    retrying.destroy();
  }
});

test('a body changed after signing is refused, whether or not x-amz-content-sha256 was sent', async () => {
  const call = ecrCall('DescribeRepositories', { repositoryNames: ['a'] });
  const changed = JSON.stringify({ repositoryNames: ['b'] });
  const withHash = await send(await sign(call), { body: changed });
  assertAnswer(withHash, 400, 'InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  assertAnswer(await send(await sign(call, { applyChecksum: false }), { body: changed }), 400, 'InvalidSignatureException', MISMATCH);
  const form = queryCall('iam', 'GetUser');
  assertAnswer(await send(await sign(form, { applyChecksum: false }), { body: `${form.body}&UserName=someone-else` }), 403, 'SignatureDoesNotMatch', MISMATCH);
});

test('a signed header changed after signing is refused: another operation under the same signature', async () => {
  const signed = await sign(ecrCall('DescribeRepositories', { repositoryName: 'x' }));
  const replayed = await send(signed, { headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository' } });
  assertAnswer(replayed, 400, 'InvalidSignatureException', MISMATCH);
  const aMinuteLater = new Date(Date.now() + MINUTE).toISOString().replace(/[-:]|\.\d{3}/g, '');
  assertAnswer(await send(signed, { headers: { 'x-amz-date': aMinuteLater } }), 400, 'InvalidSignatureException', MISMATCH);
});

test('an X-Amz-Target left out of the signature is refused: the operation must be signed', async () => {
  const call = ecrCall('DeleteRepository', { repositoryName: 'x' });
  const answer = await send(await sign(call, { unsignableHeaders: new Set(['x-amz-target']) }));
  assertAnswer(answer, 400, 'IncompleteSignatureException', "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
});

test('no Authorization at all is MissingAuthenticationToken, in each protocol\'s shape', async () => {
  const ecr = await sign(ecrCall('DescribeRepositories'));
  assertAnswer(await send(ecr, { headers: { authorization: undefined } }), 400, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const sts = await sign(queryCall('sts', 'GetCallerIdentity'));
  assertAnswer(await send(sts, { headers: { authorization: undefined } }), 403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
});

test('temporary credentials (a security token) are refused as an invalid token', async () => {
  const withToken = { ...admin, sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDKx' };
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { credentials: withToken })), 400, 'UnrecognizedClientException', INVALID_TOKEN);
  assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { credentials: withToken })), 403, 'InvalidClientTokenId', INVALID_TOKEN);
  assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'), { credentials: withToken })), 403, 'InvalidClientTokenId', INVALID_TOKEN);
  const presigned = await presign({ ...queryCall('sts', 'GetCallerIdentity'), method: 'GET', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, body: undefined, headers: {} }, 60, { credentials: withToken });
  assert.ok(presigned.query?.['X-Amz-Security-Token'], 'the token travels in the query');
  assertAnswer(await send(presigned), 403, 'InvalidClientTokenId', INVALID_TOKEN);
});

/** STS GetCallerIdentity as a presigned GET: every parameter in the URL, as identity tokens carry it. */
function callerIdentityGet(): Call {
  return { service: 'sts', method: 'GET', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: {} };
}

test('presigned requests are accepted: STS and IAM as GET, STS and ECR as POST', async () => {
  const get = await presign(callerIdentityGet(), 60);
  assert.equal(get.headers['authorization'], undefined);
  const identity = await send(get);
  assertAnswer(identity, 200, '');
  assert.equal(xmlText(identity.body, 'Arn'), 'arn:aws:iam::123456789012:user/admin');
  assertAnswer(await send(get), 200, '', undefined);

  const users = await send(await presign({ service: 'iam', method: 'GET', query: { Action: 'ListUsers', Version: '2010-05-08' }, headers: {} }, 60));
  assertAnswer(users, 200, '');
  assert.equal(xmlText(users.body, 'UserName'), 'admin');

  assertAnswer(await send(await presign(queryCall('sts', 'GetCallerIdentity'), 60)), 200, '');
  // X-Amz-Target stays a (signed) header; the signer would otherwise hoist it into the query.
  const ecr = await presign(ecrCall('DescribeRepositories'), 60, { unhoistableHeaders: new Set(['x-amz-target']) });
  assert.match(ecr.query?.['X-Amz-SignedHeaders'] as string, /x-amz-target/);
  assertAnswer(await send(ecr), 200, '');
  const hoisted = await presign(ecrCall('DescribeRepositories'), 60);
  assert.equal(hoisted.headers['x-amz-target'], undefined);
  assertAnswer(await send(hoisted), 400, 'UnknownOperationException');
});

test('a presigned URL replayed after it expired is refused', async () => {
  const twoMinutesAgo = Date.now() - 2 * MINUTE;
  assertAnswer(await send(await presign(callerIdentityGet(), 60, { signingDate: twoMinutesAgo })), 400, 'RequestExpired', 'Request has expired');
  const ecr = await presign(ecrCall('DescribeRepositories'), 60, { signingDate: twoMinutesAgo, unhoistableHeaders: new Set(['x-amz-target']) });
  assertAnswer(await send(ecr), 400, 'InvalidSignatureException', 'Request has expired');
  // Within its lifetime a URL outlives the 15 minutes a header signature has.
  assertAnswer(await send(await presign(callerIdentityGet(), 3600, { signingDate: Date.now() - 30 * MINUTE })), 200, '');
});

test('a presigned URL valid for more than a week is refused', async () => {
  const week = await presign(callerIdentityGet(), 604800);
  assertAnswer(await send(week), 200, '');
  const query = { ...week.query, 'X-Amz-Expires': '604801' };
  const answer = await send({ ...week, query } as SignedRequest);
  assertAnswer(answer, 400, 'IncompleteSignature', 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
});

test('a credential scoped to another service is refused, naming the right one', async () => {
  for (const signingService of ['s3', 'iam', 'sts']) {
    const answer = await send(await sign(ecrCall('DescribeRepositories'), { signingService }));
    assertAnswer(answer, 400, 'InvalidSignatureException', "Credential should be scoped to correct service: 'ecr'. ");
  }
  for (const signingService of ['ecr', 'iam']) {
    assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { signingService })), 403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'. ");
  }
  assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'), { signingService: 'sts' })), 403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'iam'. ");
  const presigned = await presign({ ...callerIdentityGet() }, 60, { signingService: 'execute-api' });
  assertAnswer(await send(presigned), 403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'. ");
});

test('a credential scoped to another region is refused with AWS\'s message', async () => {
  const message = "Credential should be scoped to a valid region, not 'eu-west-1'. ";
  assertAnswer(await send(await sign(ecrCall('DescribeRepositories'), { signingRegion: 'eu-west-1' })), 400, 'InvalidSignatureException', message);
  assertAnswer(await send(await sign(queryCall('sts', 'GetCallerIdentity'), { signingRegion: 'eu-west-1' })), 403, 'SignatureDoesNotMatch', message);
  assertAnswer(await send(await sign(queryCall('iam', 'ListUsers'), { signingRegion: 'eu-west-1' })), 403, 'SignatureDoesNotMatch', message);
  const both = await send(await sign(ecrCall('DescribeRepositories'), { signingRegion: 'eu-west-1', signingService: 's3' }));
  assertAnswer(both, 400, 'InvalidSignatureException', `${message}Credential should be scoped to correct service: 'ecr'. `);
});

test('malformed Authorization headers are IncompleteSignature, naming what is wrong', async () => {
  const signed = await sign(ecrCall('DescribeRepositories'));
  const authorization = signed.headers['authorization']!;
  const [credential, signedHeaders, signature] = authorization.slice('AWS4-HMAC-SHA256 '.length).split(', ') as [string, string, string];
  const cases: Array<[string, string | RegExp]> = [
    [
      'AWS4-HMAC-SHA256',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
    ],
    [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}`, /^Authorization header requires 'Signature' parameter\. Authorization=AWS4-HMAC-SHA256 Credential=/],
    [`AWS4-HMAC-SHA512 ${credential}, ${signedHeaders}, ${signature}`, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"],
    [`AWS4-HMAC-SHA256 Credential=${admin.accessKeyId}/${REGION}/ecr/aws4_request, ${signedHeaders}, ${signature}`, /^Credential must have exactly 5 slash-delimited elements, e\.g\. keyid\/date\/region\/service\/term, got '/],
    [`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=content-type;x-amz-date;x-amz-target, ${signature}`, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."],
    [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}, ${signature}, Signature=00`, /^'Signature' appears more than once in Authorization header/],
    [`AWS4-HMAC-SHA256 ${credential} ${signedHeaders} Signature`, /^'Signature' not a valid key=value pair \(missing equal-sign\) in Authorization header/],
    [`AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}, ${signature}, Extra=1`, /^'Extra' is not a valid Authorization header component/],
  ];
  for (const [header, message] of cases) {
    assertAnswer(await send(signed, { headers: { authorization: header } }), 400, 'IncompleteSignatureException', message);
  }
  // A scope date that is not the request's day is a signature problem, with AWS's message.
  const otherDay = `AWS4-HMAC-SHA256 ${credential.replace(/\/\d{8}\//, '/20200101/')}, ${signedHeaders}, ${signature}`;
  assertAnswer(
    await send(signed, { headers: { authorization: otherDay } }),
    400,
    'InvalidSignatureException',
    /^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20200101' != '\d{8}', from '\d{8}T\d{6}Z'\.$/,
  );
  // A garbled signature is simply one that does not match.
  const garbled = await send(signed, { headers: { authorization: `AWS4-HMAC-SHA256 ${credential}, ${signedHeaders}, Signature=not-hex` } });
  assertAnswer(garbled, 400, 'InvalidSignatureException', MISMATCH);
  // The Query protocol names it IncompleteSignature.
  const sts = await sign(queryCall('sts', 'GetCallerIdentity'));
  assertAnswer(await send(sts, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } }), 400, 'IncompleteSignature', /^Authorization header requires 'Signature' parameter\./);
  // No date at all is named too.
  const undated = await send(signed, { headers: { 'x-amz-date': undefined } });
  assertAnswer(undated, 400, 'IncompleteSignatureException', /Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./);
});

/** Posts with node:http, so a request can declare a length it never sends; keep-alive unless the server says otherwise. */
function rawPost(agent: Agent, headers: Record<string, string>, body?: (write: (chunk: Buffer) => boolean) => void): Promise<{ response: IncomingMessage; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${berth.url}/`, { method: 'POST', headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        // A request whose declared body was never sent cannot be finished: drop it.
        if (!body) request.destroy();
        resolve({ response, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', reject);
    if (body) {
      body((chunk) => request.write(chunk));
      request.end();
    } else {
      request.flushHeaders();
    }
  });
}

test('a body over the limit is answered with an AWS error after it is drained; one past the drain cap closes the connection', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ecrHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' };
  try {
    // Chunked, no declared length: read to the end and thrown away; the connection stays usable.
    const chunked = await rawPost(agent, ecrHeaders, (write) => {
      for (let i = 0; i < 12; i++) write(Buffer.alloc(256 * 1024, 0x20));
    });
    assert.equal(chunked.response.statusCode, 413);
    assert.deepEqual(JSON.parse(chunked.text), { __type: 'SerializationException', message: 'Request body exceeds the limit of 1048576 bytes' });
    assert.equal(chunked.response.headers.connection, 'keep-alive');
    // The Query protocol answers in XML, on the same connection.
    const form = await rawPost(agent, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(2 * 1024 * 1024) }, (write) => {
      write(Buffer.alloc(2 * 1024 * 1024, 0x61));
    });
    assert.equal(form.response.statusCode, 413);
    assert.equal(form.response.headers.connection, 'keep-alive');
    assert.equal(xmlText(form.text, 'Code'), 'InvalidRequest');
    assert.equal(xmlText(form.text, 'Message'), 'Request body exceeds the limit of 1048576 bytes');
    // A declared length past the drain cap: answered at once, and the connection is closed.
    const huge = await rawPost(agent, { ...ecrHeaders, 'content-length': String(200 * 1024 * 1024) });
    assert.equal(huge.response.statusCode, 413);
    assert.equal(huge.response.headers.connection, 'close');
    assert.equal((JSON.parse(huge.text) as { __type: string }).__type, 'SerializationException');
  } finally {
    agent.destroy();
  }
});

// The AWS CLI v2 (a Python program that signs with botocore) for the wrong secret and the skew.
const AWS_CLI_V2 = '/usr/bin/aws';
const cliMissing = existsSync(AWS_CLI_V2) ? false : `the AWS CLI v2 is not installed at ${AWS_CLI_V2}`;

function awsCli(server: BerthProcess, credentials: AwsCredentialIdentity, args: string[]): Promise<string> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: server.dataDir,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
  const options = ['--endpoint-url', server.url, '--region', REGION, '--output', 'json'];
  return run(AWS_CLI_V2, [...args, ...options], { env }).then(
    (result) => result.stdout,
    (error: ClientError) => error.stderr,
  );
}

test('the AWS CLI v2: the right secret works, a wrong one gets InvalidSignatureException and SignatureDoesNotMatch', { skip: cliMissing }, async () => {
  assert.match(await run(AWS_CLI_V2, ['--version']).then((result) => result.stdout), /^aws-cli\/2\./);
  assert.match(await awsCli(berth, admin, ['sts', 'get-caller-identity']), /"Arn": "arn:aws:iam::123456789012:user\/admin"/);
  const wrong = { accessKeyId: admin.accessKeyId, secretAccessKey: 'not-the-secret' };
  const ecr = await awsCli(berth, wrong, ['ecr', 'describe-repositories']);
  assert.match(ecr, /An error occurred \(InvalidSignatureException\) when calling the DescribeRepositories operation( \(reached max retries: 0\))?: The request signature we calculated does not match/);
  const sts = await awsCli(berth, wrong, ['sts', 'get-caller-identity']);
  assert.match(sts, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation( \(reached max retries: 0\))?: The request signature we calculated does not match/);
  const iam = await awsCli(berth, wrong, ['iam', 'list-users']);
  assert.match(iam, /An error occurred \(SignatureDoesNotMatch\) when calling the ListUsers operation/);
});

test('the AWS CLI v2 against a server whose clock is 16 minutes ahead: "Signature expired" in each protocol', { skip: cliMissing }, async () => {
  // The CLI's clock cannot be moved (no faketime here), so the server's is: to it the CLI is 16 minutes behind.
  const preload = join(projectRoot, 'test', 'helpers', 'skewed-clock.ts');
  const skewed = await startBerth({ env: { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${preload}`.trim(), BERTH_TEST_CLOCK_SKEW_MS: String(16 * MINUTE) } });
  try {
    const credentials = await credentialsOf(skewed);
    const ecr = await awsCli(skewed, credentials, ['ecr', 'describe-repositories']);
    assert.match(ecr, /An error occurred \(InvalidSignatureException\) when calling the DescribeRepositories operation( \(reached max retries: 0\))?: Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)/);
    const sts = await awsCli(skewed, credentials, ['sts', 'get-caller-identity']);
    assert.match(sts, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation( \(reached max retries: 0\))?: Signature expired: /);
    // The same request signed 16 minutes after the real time, i.e. at the server's time, passes.
    const inServerTime = await sign(ecrCall('DescribeRepositories'), { server: skewed, credentials, signingDate: Date.now() + 16 * MINUTE });
    assertAnswer(await send(inServerTime, {}, skewed), 200, '');
  } finally {
    await skewed.stop();
  }
});

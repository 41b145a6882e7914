import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  AWS_JSON_11,
  DEFAULT_BODY_LIMIT,
  awsJsonError,
  awsJsonErrorBody,
  parseAwsJsonRequest,
  writeAwsJsonError,
  writeAwsJsonResponse,
} from '../../../../src/http/aws/json-protocol.ts';
import type { AwsJsonIncoming } from '../../../../src/http/aws/json-protocol.ts';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories';

function request(body: string | Buffer | Iterable<Buffer>, headers: IncomingHttpHeaders = {}, method = 'POST', url = '/'): AwsJsonIncoming {
  const source = typeof body === 'string' || Buffer.isBuffer(body) ? [Buffer.from(body)] : body;
  return Object.assign(Readable.from(source), {
    method,
    url,
    headers: { 'content-type': AWS_JSON_11, 'x-amz-target': TARGET, ...headers },
  });
}

async function fails(req: AwsJsonIncoming, code: string, options = {}): Promise<string | undefined> {
  const result = await parseAwsJsonRequest(req, options);
  assert.equal(result.ok, false, JSON.stringify(result));
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.error.code, code);
  return result.error.message;
}

test('a good request names the operation and carries its input', async () => {
  const result = await parseAwsJsonRequest(request('{"repositoryNames":["team-a/app"],"maxResults":5}'));
  assert.deepEqual(result, { ok: true, request: { service: 'ecr', operation: 'DescribeRepositories', input: { repositoryNames: ['team-a/app'], maxResults: 5 } } });
});

test('application/json and content-type parameters are accepted; an empty body is {}', async () => {
  for (const type of ['application/json', 'application/x-amz-json-1.1; charset=utf-8', 'Application/X-Amz-Json-1.1']) {
    const result = await parseAwsJsonRequest(request('', { 'content-type': type }));
    assert.deepEqual(result.ok && result.request.input, {}, type);
  }
  const spaces = await parseAwsJsonRequest(request(' \n'));
  assert.deepEqual(spaces.ok && spaces.request.input, {});
});

test('a missing, malformed or unknown target is UnknownOperationException with no message', async () => {
  const targets = [undefined, '', 'DescribeRepositories', 'AmazonEC2ContainerRegistry_V20150921.', 'AmazonEC2ContainerRegistry_V20150921.DescribeRepository',
    'AmazonEC2ContainerRegistry_V20150921.describeRepositories', 'SpencerFrontendService.DescribeRepositories', 'DynamoDB_20120810.ListTables'];
  for (const target of targets) {
    const headers: IncomingHttpHeaders = { 'content-type': AWS_JSON_11 };
    if (target !== undefined) headers['x-amz-target'] = target;
    const req = Object.assign(Readable.from([Buffer.from('{}')]), { method: 'POST', url: '/', headers });
    assert.equal(await fails(req, 'UnknownOperationException'), undefined, String(target));
  }
  const result = await parseAwsJsonRequest(request('{}', { 'x-amz-target': 'Nope.X' }));
  assert.equal(!result.ok && result.error.status, 400);
});

test('every ECR operation is routed, implemented or not', async () => {
  const result = await parseAwsJsonRequest(request('{}', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.PutSigningConfiguration' }));
  assert.equal(result.ok && result.request.operation, 'PutSigningConfiguration');
});

test('a content type the protocol does not speak, another method or another path is not routed', async () => {
  for (const type of ['text/plain', 'application/x-amz-json-1.0', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
    await fails(request('{}', { 'content-type': type }), 'UnknownOperationException');
  }
  const noType = request('{}');
  delete (noType.headers as Record<string, unknown>)['content-type'];
  await fails(noType, 'UnknownOperationException');
  await fails(request('{}', {}, 'GET'), 'UnknownOperationException');
  await fails(request('{}', {}, 'POST', '/v2/'), 'UnknownOperationException');
  assert.equal((await parseAwsJsonRequest(request('{}', {}, 'POST', '/?x=1'))).ok, true);
});

test('malformed JSON, invalid UTF-8 and bodies that are not objects are SerializationException', async () => {
  await fails(request('{"repositoryNames":'), 'SerializationException');
  await fails(request('{nope}'), 'SerializationException');
  await fails(request(Buffer.from([0x7b, 0xff, 0x7d])), 'SerializationException');
  assert.equal(await fails(request('[]'), 'SerializationException'), 'Start of list found where not expected');
  for (const body of ['"text"', '42', 'true', 'null']) await fails(request(body), 'SerializationException');
});

test('a body split across chunks, even inside a UTF-8 character, is joined', async () => {
  const text = Buffer.from('{"policyText":"é…"}');
  const chunks = [text.subarray(0, 16), text.subarray(16, 17), text.subarray(17)];
  const result = await parseAwsJsonRequest(request(chunks));
  assert.deepEqual(result.ok && result.request.input, { policyText: 'é…' });
});

test('a declared Content-Length over the limit is refused before reading', async () => {
  let pulled = 0;
  const source = (function* () { pulled++; yield Buffer.from('{}'); })();
  const message = await fails(request(source, { 'content-length': String(DEFAULT_BODY_LIMIT + 1) }), 'SerializationException');
  assert.match(message ?? '', /exceeds the limit of 1048576 bytes/);
  assert.equal(pulled, 0);
});

test('an oversized body streamed in chunks is refused without reading it all', async () => {
  let pulled = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const source = (function* () {
    for (let i = 0; i < 1024; i++) { pulled++; yield chunk; } // 64 MiB if read to the end
  })();
  const result = await parseAwsJsonRequest(request(source));
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.status, 413);
  assert.equal(result.error.closeConnection, true);
  assert.ok(pulled < 40, `pulled ${pulled} chunks`);
});

test('the limit depends on the operation and can be overridden', async () => {
  const big = `{"policyText":"${'a'.repeat(2 * 1024 * 1024)}"}`;
  const target = 'AmazonEC2ContainerRegistry_V20150921.UploadLayerPart';
  assert.equal((await parseAwsJsonRequest(request(big, { 'x-amz-target': target }))).ok, true);
  await fails(request(big), 'SerializationException');
  await fails(request('{"a":"0123456789"}'), 'SerializationException', { maxBodyBytes: 10 });
});

test('a request stream that fails yields an error that closes the connection', async () => {
  const broken = new Readable({ read() { this.destroy(new Error('socket hang up')); } });
  const req = Object.assign(broken, { method: 'POST', url: '/', headers: { 'content-type': AWS_JSON_11, 'x-amz-target': TARGET } });
  const result = await parseAwsJsonRequest(req);
  assert.equal(!result.ok && result.error.closeConnection, true);
});

/** A stand-in for ServerResponse that records what was written. */
function recorder(): ServerResponse & { headers: Record<string, string | number>; body: string } {
  const headers: Record<string, string | number> = {};
  const res = { statusCode: 0, headers, body: '', setHeader(name: string, value: string | number) { headers[name.toLowerCase()] = value; return res; }, end(body?: string) { res.body = body ?? ''; return res; } };
  return res as unknown as ServerResponse & { headers: Record<string, string | number>; body: string };
}

test('errors: 400 with __type and lowercase message, the request id and the JSON 1.1 content type', () => {
  const res = recorder();
  writeAwsJsonError(res, 'req-1', awsJsonError('RepositoryNotFoundException', "The repository with name 'x' does not exist in the registry with id '123456789012'"));
  assert.equal(res.statusCode, 400);
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(res.headers['x-amzn-requestid'], 'req-1');
  assert.equal(res.headers['x-amzn-errortype'], 'RepositoryNotFoundException');
  assert.equal(res.headers['content-length'], Buffer.byteLength(res.body));
  assert.deepEqual(JSON.parse(res.body), { __type: 'RepositoryNotFoundException', message: "The repository with name 'x' does not exist in the registry with id '123456789012'" });
  assert.equal(res.headers['connection'], undefined);
});

test('errors: ServerException is a 500; members of the exception shape follow message; no message, no member', () => {
  assert.equal(awsJsonError('ServerException', 'boom').status, 500);
  assert.equal(awsJsonError('InvalidParameterException', 'x').status, 400);
  assert.equal(awsJsonErrorBody(awsJsonError('UnknownOperationException')), '{"__type":"UnknownOperationException"}');
  const body = awsJsonErrorBody(awsJsonError('InvalidLayerPartException', 'gap', { registryId: '123456789012', uploadId: 'u', lastValidByteReceived: 9 }));
  assert.equal(body, '{"__type":"InvalidLayerPartException","message":"gap","registryId":"123456789012","uploadId":"u","lastValidByteReceived":9}');
  const res = recorder();
  writeAwsJsonError(res, 'r', { code: 'SerializationException', status: 413, message: 'too big', closeConnection: true });
  assert.equal(res.statusCode, 413);
  assert.equal(res.headers['connection'], 'close');
});

test('responses: 200, JSON 1.1, request id; timestamps as epoch seconds and blobs as base64', () => {
  const res = recorder();
  writeAwsJsonResponse(res, 'req-2', { createdAt: new Date(1700000000500), blob: Buffer.from('hi'), nested: [{ at: new Date(0) }] });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(res.headers['x-amzn-requestid'], 'req-2');
  assert.deepEqual(JSON.parse(res.body), { createdAt: 1700000000.5, blob: 'aGk=', nested: [{ at: 0 }] });
  const empty = recorder();
  writeAwsJsonResponse(empty, 'r');
  assert.equal(empty.body, '{}');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  AWS_JSON_11,
  DEFAULT_BODY_LIMIT,
  awsJsonError,
  awsJsonErrorBody,
  bodyTooLarge,
  parseAwsJsonHeaders,
  parseJsonObject,
  writeAwsJsonError,
  writeAwsJsonResponse,
} from '../../../../src/http/aws/json-protocol.ts';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories';

/** Routes a request by its method, URL and headers, as the control plane does before parsing the body. */
function route(headers: IncomingHttpHeaders = {}, method = 'POST', url = '/') {
  return parseAwsJsonHeaders(method, url, { 'content-type': AWS_JSON_11, 'x-amz-target': TARGET, ...headers });
}

function unrouted(result: ReturnType<typeof parseAwsJsonHeaders>, label: string): void {
  assert.equal(result.ok, false, `${label}: ${JSON.stringify(result)}`);
  if (result.ok) return;
  assert.equal(result.error.code, 'UnknownOperationException', label);
  assert.equal(result.error.message, undefined, label);
  assert.equal(result.error.status, 400, label);
}

function parse(body: string | Buffer) {
  return parseJsonObject(Buffer.from(body));
}

function serializationError(body: string | Buffer): string | undefined {
  const result = parse(body);
  assert.equal(result.ok, false, JSON.stringify(result));
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.error.code, 'SerializationException');
  assert.equal(result.error.status, 400);
  return result.error.message;
}

test('a good request names the operation, and its body is the input', () => {
  assert.deepEqual(route(), { ok: true, operation: 'DescribeRepositories' });
  assert.deepEqual(parse('{"repositoryNames":["team-a/app"],"maxResults":5}'), { ok: true, value: { repositoryNames: ['team-a/app'], maxResults: 5 } });
});

test('application/json and content-type parameters are accepted; an empty body is {}', () => {
  for (const type of ['application/json', 'application/x-amz-json-1.1; charset=utf-8', 'Application/X-Amz-Json-1.1']) {
    assert.deepEqual(route({ 'content-type': type }), { ok: true, operation: 'DescribeRepositories' }, type);
  }
  assert.deepEqual(parse(''), { ok: true, value: {} });
  assert.deepEqual(parse(' \n'), { ok: true, value: {} });
});

test('a missing, malformed or unknown target is UnknownOperationException with no message', () => {
  const targets = [undefined, '', 'DescribeRepositories', 'AmazonEC2ContainerRegistry_V20150921.', 'AmazonEC2ContainerRegistry_V20150921.DescribeRepository',
    'AmazonEC2ContainerRegistry_V20150921.describeRepositories', 'SpencerFrontendService.DescribeRepositories', 'DynamoDB_20120810.ListTables', 'Nope.X'];
  for (const target of targets) {
    const headers: IncomingHttpHeaders = { 'content-type': AWS_JSON_11 };
    if (target !== undefined) headers['x-amz-target'] = target;
    unrouted(parseAwsJsonHeaders('POST', '/', headers), String(target));
  }
});

test('every ECR operation is routed, implemented or not', () => {
  assert.deepEqual(route({ 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.PutSigningConfiguration' }), { ok: true, operation: 'PutSigningConfiguration' });
});

test('a content type the protocol does not speak, another method or another path is not routed', () => {
  for (const type of ['text/plain', 'application/x-amz-json-1.0', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
    unrouted(route({ 'content-type': type }), type);
  }
  unrouted(parseAwsJsonHeaders('POST', '/', { 'x-amz-target': TARGET }), 'no content type');
  unrouted(route({}, 'GET'), 'GET');
  unrouted(route({}, 'POST', '/v2/'), '/v2/');
  assert.equal(route({}, 'POST', '/?x=1').ok, true);
});

test('malformed JSON, invalid UTF-8 and bodies that are not objects are SerializationException', () => {
  assert.equal(serializationError('{"repositoryNames":'), undefined);
  assert.equal(serializationError('{nope}'), undefined);
  serializationError(Buffer.from([0x7b, 0xff, 0x7d]));
  assert.equal(serializationError('[]'), 'Start of list found where not expected');
  for (const body of ['"text"', '42', 'true', 'null']) serializationError(body);
});

test('a body over its limit is a 413 SerializationException that closes the connection unless the body was drained', () => {
  assert.deepEqual(bodyTooLarge(DEFAULT_BODY_LIMIT), {
    code: 'SerializationException',
    status: 413,
    message: 'Request body exceeds the limit of 1048576 bytes',
    closeConnection: true,
  });
  assert.equal(bodyTooLarge(DEFAULT_BODY_LIMIT, false).closeConnection, false);
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

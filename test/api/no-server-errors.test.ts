// Every method on every path shape, with odd inputs: the registry answers with a
// protocol error, never a 5xx, and keeps serving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';

let berth: BerthProcess;
before(async () => {
  berth = await startBerth();
});
after(async () => {
  await berth.stop();
});

const digest = `sha256:${'a'.repeat(64)}`;
const names = ['ok/repo', 'a', 'x'.repeat(300), 'UP', 'a%2Fb', 'a/./b', '_catalog', 'a/blobs/uploads', 'a/manifests', 'a/tags'];
const suffixes = [
  '',
  '/',
  '/tags/list',
  '/tags/list?n=-1',
  '/tags/list?n=abc&last=%ff',
  '/manifests/latest',
  `/manifests/${digest}`,
  '/manifests/sha256:zz',
  '/manifests/%',
  '/manifests/' + 'T'.repeat(200),
  `/blobs/${digest}`,
  '/blobs/md5:abc',
  '/blobs/uploads/',
  '/blobs/uploads/not-a-uuid',
  '/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=sha256:zz',
  `/blobs/uploads/?mount=${digest}&from=Bad..Name`,
  '/blobs/uploads/?mount=nonsense',
  '/blobs/uploads/?digest=',
  `/referrers/${digest}?artifactType=`,
  '/referrers/notadigest',
];
const methods = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];

/** Raw request so that paths reach the server exactly as written. */
function send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<number> {
  const { port } = new URL(berth.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      const lines = [`${method} ${path} HTTP/1.1`, 'Host: x', 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    });
    let text = '';
    socket.on('data', (data) => (text += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

async function sweep(authorization: string | undefined): Promise<string[]> {
  const failures: string[] = [];
  for (const name of names) {
    for (const suffix of suffixes) {
      for (const method of methods) {
        const path = `/v2/${name}${suffix}`;
        const headers: Record<string, string> =
          method === 'PATCH' ? { 'Content-Range': 'x-y' } : method === 'PUT' ? { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } : {};
        if (authorization) headers['Authorization'] = authorization;
        const status = await send(method, path, headers, method === 'PUT' || method === 'PATCH' || method === 'POST' ? '{"schemaVersion":2,"manifests":[{}]}' : '');
        if (status === 0 || status >= 500) failures.push(`${method} ${path} → ${status}`);
      }
    }
  }
  return failures;
}

test('no path, method or odd input gets a 5xx, logged in as the administrator', async () => {
  const { authorization } = await berth.login();
  assert.deepEqual(await sweep(authorization), []);
  assert.equal((await fetch(`${berth.url}/v2/`, { headers: { Authorization: authorization } })).status, 200);
});

test('no path, method or odd input gets a 5xx without credentials, or with bad ones', async () => {
  assert.deepEqual(await sweep(undefined), []);
  assert.deepEqual(await sweep('Basic QUtJQUFBQUFBQUFBQUFBQUFBQUE6bm9wZQ=='), []); // an unknown access key
  assert.equal((await fetch(`${berth.url}/v2/`)).status, 401);
});

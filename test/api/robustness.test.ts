// Bad input and misbehaving clients against a real `berth serve`: each gets the
// spec's error (never a 500 or a crash) and nothing half-written becomes visible.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';

let berth: BerthProcess;
/** The administrator's login: every request below is a logged-in client's. */
let authorization: string;
const repo = `robust/${Date.now().toString(36)}`;
const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

before(async () => {
  berth = await startBerth();
  authorization = (await berth.login()).authorization;
});
after(async () => {
  await berth.stop();
});

/** fetch() against the registry with the administrator's Authorization header. */
function registryFetch(path: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${berth.url}${path}`, { ...init, headers: { Authorization: authorization, ...init.headers } });
}

/** Sends raw bytes on a fresh socket, then closes it without waiting for an answer. */
function sendAndDrop(raw: Buffer[], pauseMs = 50): Promise<void> {
  const { port } = new URL(berth.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', async () => {
      for (const piece of raw) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

/** Sends raw bytes and returns the first response's status line and headers. */
function rawRequest(raw: string | Buffer): Promise<string> {
  const { port } = new URL(berth.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(raw));
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      const headerEnd = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (headerEnd !== -1 && (!length || text.length >= headerEnd + 4 + Number(length[1]))) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

async function startUpload(): Promise<string> {
  const response = await registryFetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(response.status, 202);
  return response.headers.get('location')!;
}

describe('clients that go away', () => {
  test('a PATCH cut off mid-body leaves the session at its old offset, and the upload can go on', async () => {
    const location = await startUpload();
    const first = randomBytes(1000);
    const patch = await registryFetch(location, { method: 'PATCH', body: first, headers: { 'Content-Range': '0-999' } });
    assert.equal(patch.status, 202);
    const rest = randomBytes(200_000);
    const head = `PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Length: ${rest.length}\r\nContent-Range: 1000-${1000 + rest.length - 1}\r\n\r\n`;
    await sendAndDrop([Buffer.from(head), rest.subarray(0, 50_000)]);
    // The server notices the drop asynchronously; the session must not have moved.
    await new Promise((r) => setTimeout(r, 200));
    const status = await registryFetch(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-999');
    const finish = await registryFetch(`${location}?digest=${sha256(Buffer.concat([first, rest]))}`, {
      method: 'PUT',
      body: rest,
      headers: { 'Content-Range': `1000-${1000 + rest.length - 1}` },
    });
    assert.equal(finish.status, 201);
    const blob = await registryFetch(`/v2/${repo}/blobs/${sha256(Buffer.concat([first, rest]))}`);
    assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), sha256(Buffer.concat([first, rest])));
  });

  test('a monolithic push cut off mid-body leaves no blob behind', async () => {
    const content = randomBytes(300_000);
    const digest = sha256(content);
    const head = `POST /v2/${repo}/blobs/uploads/?digest=${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Length: ${content.length}\r\n\r\n`;
    await sendAndDrop([Buffer.from(head), content.subarray(0, 100_000)]);
    await new Promise((r) => setTimeout(r, 200));
    const check = await registryFetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(check.status, 404);
  });
});

describe('clients that leave mid-pull', () => {
  test('twenty pulls dropped after the first bytes leave the server serving', { timeout: 30_000 }, async () => {
    const content = randomBytes(16 * 1024 * 1024);
    const digest = sha256(content);
    assert.equal((await registryFetch(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: content })).status, 201);
    const { port } = new URL(berth.url);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /v2/${repo}/blobs/${digest} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`));
        socket.once('data', () => socket.destroy());
        socket.once('close', () => resolve());
        socket.on('error', reject);
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(berth.child.exitCode, null, 'the server is still running');
    const whole = await registryFetch(`/v2/${repo}/blobs/${digest}`);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), digest);
  });
});

describe('bodies that lie', () => {
  test('a digest that does not match discards the bytes', async () => {
    const content = randomBytes(5000);
    const wrong = sha256('something else');
    const response = await registryFetch(`/v2/${repo}/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: content });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DIGEST_INVALID');
    for (const digest of [wrong, sha256(content)]) {
      assert.equal((await registryFetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    }
  });

  test('a digest mismatch on the final PUT ends the session', async () => {
    const location = await startUpload();
    await registryFetch(location, { method: 'PATCH', body: 'abc' });
    const put = await registryFetch(`${location}?digest=${sha256('abd')}`, { method: 'PUT' });
    assert.equal(put.status, 400);
    assert.equal(((await put.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DIGEST_INVALID');
    assert.equal((await registryFetch(location)).status, 404);
  });

  test('Content-Range that disagrees with Content-Length is SIZE_INVALID', async () => {
    const location = await startUpload();
    const response = await registryFetch(location, { method: 'PATCH', body: 'abcd', headers: { 'Content-Range': '0-9' } });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'SIZE_INVALID');
  });

  test('a manifest over 4 MiB is refused with 413 before it is read', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const response = await registryFetch(`/v2/${repo}/manifests/big`, {
      method: 'PUT',
      body: big,
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'SIZE_INVALID');
  });

  for (const [label, body, contentType] of [
    ['malformed JSON', '{"schemaVersion":2,', 'application/vnd.oci.image.manifest.v1+json'],
    ['a JSON array', '[]', 'application/vnd.oci.image.manifest.v1+json'],
    ['an unknown media type', '{"schemaVersion":2}', 'application/x-not-a-manifest'],
    ['schema 1', '{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}', 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
    ['a layer with a bad digest', '{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:zz","size":1},"layers":[]}', 'application/vnd.oci.image.manifest.v1+json'],
  ] as const) {
    test(`a manifest that is ${label} is MANIFEST_INVALID`, async () => {
      const response = await registryFetch(`/v2/${repo}/manifests/bad`, { method: 'PUT', body, headers: { 'Content-Type': contentType } });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'MANIFEST_INVALID');
    });
  }
});

describe('requests that are malformed', () => {
  test('huge headers get 431 and the server keeps serving', async () => {
    const answer = await rawRequest(`GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431/);
    assert.equal((await registryFetch('/v2/')).status, 200);
  });

  test('garbage on the socket gets 400 and the server keeps serving', async () => {
    const answer = await rawRequest('NOT HTTP AT ALL\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.equal((await registryFetch('/v2/')).status, 200);
  });

  for (const name of ['UPPER/case', 'a/../b', 'a/./b', 'trailing-', 'a//b', '-lead', 'a/b/']) {
    test(`repository name ${JSON.stringify(name)} is NAME_INVALID`, async () => {
      // Raw bytes: fetch() would normalise dot segments away before sending.
      const answer = await rawRequest(`GET /v2/${name}/tags/list HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400/);
      assert.match(answer, /NAME_INVALID/);
    });
  }

  test('an unknown upload id is BLOB_UPLOAD_UNKNOWN, even one shaped like a path', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', '..%2F..%2Fetc', 'x'.repeat(300)]) {
      const response = await registryFetch(`/v2/${repo}/blobs/uploads/${id}`);
      assert.equal(response.status, 404, id);
      assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'BLOB_UPLOAD_UNKNOWN');
    }
  });

  test('a digest that is not one is DIGEST_INVALID', async () => {
    for (const digest of ['sha256:abc', 'md5:d41d8cd98f00b204e9800998ecf8427e', 'sha256:' + 'A'.repeat(64)]) {
      const response = await registryFetch(`/v2/${repo}/blobs/${digest}`);
      assert.equal(response.status, 400, digest);
      assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DIGEST_INVALID');
    }
  });

  test('the server never answered 500 to any of this', () => {
    const statuses = berth.logs.flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; status?: number };
        return entry.msg === 'request' && entry.status !== undefined ? [entry.status] : [];
      } catch {
        return [];
      }
    });
    assert.ok(statuses.length > 10);
    assert.ok(!statuses.some((status) => status >= 500), `statuses: ${statuses.join(',')}`);
  });
});

// OCI distribution-spec conformance: the Push workflow for blobs: streamed, monolithic and
// chunked uploads, upload status and cancellation (end-4a, end-4b, end-5, end-6, end-13,
// end-14) and cross-repository mounting (end-11).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRegistry,
  startUpload,
  pushBlob,
  expectStatus,
  expectHeader,
  expectHeaderEquals,
  expectBodyEquals,
  expectError,
  describeExchange,
} from './harness.ts';
import type { Exchange, RegistryClient } from './harness.ts';
import { blobOf, randomBlob, unknownDigest, uniqueRepo, chunksOf, randomId } from '../helpers/oci-conformance-fixtures.ts';
import type { Blob } from '../helpers/oci-conformance-fixtures.ts';

const registry = useRegistry();
const OCTET = { 'content-type': 'application/octet-stream' };

/** The Docker-Upload-UUID header, which must also appear in the upload Location. */
function expectUploadId(ex: Exchange): string {
  const id = expectHeader(ex, 'docker-upload-uuid');
  const location = expectHeader(ex, 'location');
  assert.ok(location.includes(id), `Location should contain the upload id ${id}\n${describeExchange(ex)}`);
  return id;
}

/** Asserts a 201 completion: Location points to a pullable blob and Docker-Content-Digest names it. */
async function expectBlobCreated(client: RegistryClient, ex: Exchange, repo: string, blob: Blob): Promise<void> {
  expectStatus(ex, 201);
  const location = expectHeader(ex, 'location');
  expectHeaderEquals(ex, 'docker-content-digest', blob.digest);
  const pulled = await client.get(location);
  expectStatus(pulled, 200);
  expectBodyEquals(pulled, blob.bytes);
  const byPath = await client.head(`/v2/${repo}/blobs/${blob.digest}`);
  expectStatus(byPath, 200);
  expectHeaderEquals(byPath, 'content-length', String(blob.size));
}

function streamOf(bytes: Uint8Array, pieces = 4): ReadableStream<Uint8Array> {
  const step = Math.ceil(bytes.byteLength / pieces);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + step));
      offset += step;
    },
  });
}

describe('push: streamed upload (PATCH without Content-Range)', () => {
  const repo = uniqueRepo('push/streamed');

  it('POST opens a session: 202 with Location and Docker-Upload-UUID', async () => {
    const { exchange } = await startUpload(registry(), repo);
    expectUploadId(exchange);
  });

  it('PATCH with the whole blob returns 202 with Location and Range, then PUT ?digest= returns 201', async () => {
    const blob = randomBlob(3000);
    const { location } = await startUpload(registry(), repo);
    const patch = await registry().request('PATCH', location, { headers: OCTET, body: blob.bytes });
    expectStatus(patch, 202);
    expectUploadId(patch);
    expectHeaderEquals(patch, 'range', `0-${blob.size - 1}`);
    const put = await registry().request('PUT', expectHeader(patch, 'location'), { query: { digest: blob.digest } });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('PATCH bodies sent with chunked transfer encoding are appended in order', async () => {
    const blob = randomBlob(10_000);
    const [first, second] = chunksOf(blob.bytes, [6000, 4000]);
    const { location } = await startUpload(registry(), repo);
    const patch1 = await registry().request('PATCH', location, { headers: OCTET, body: streamOf(first!.bytes) });
    expectStatus(patch1, 202);
    expectHeaderEquals(patch1, 'range', '0-5999');
    const patch2 = await registry().request('PATCH', expectHeader(patch1, 'location'), { headers: OCTET, body: streamOf(second!.bytes) });
    expectStatus(patch2, 202);
    expectHeaderEquals(patch2, 'range', `0-${blob.size - 1}`);
    const put = await registry().request('PUT', expectHeader(patch2, 'location'), { query: { digest: blob.digest } });
    await expectBlobCreated(registry(), put, repo, blob);
  });
});

describe('push: monolithic upload', () => {
  const repo = uniqueRepo('push/monolithic');

  it('GET of a blob before it is pushed returns 404', async () => {
    const res = await registry().get(`/v2/${repo}/blobs/${unknownDigest()}`);
    expectStatus(res, 404);
  });

  it('single POST ?digest= with the blob returns 201 with Location and Docker-Content-Digest', async () => {
    const blob = randomBlob(2048);
    const res = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    await expectBlobCreated(registry(), res, repo, blob);
  });

  it('POST then PUT ?digest= with the blob returns 201 and the blob is pullable', async () => {
    const blob = randomBlob(2048);
    const { location } = await startUpload(registry(), repo);
    const put = await registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('a multi-megabyte blob goes through POST then PUT intact', async () => {
    const blob = randomBlob(3 * 1024 * 1024 + 17);
    const { location } = await startUpload(registry(), repo);
    const put = await registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('pushing a blob that already exists succeeds again with 201', async () => {
    const blob = randomBlob(100);
    await pushBlob(registry(), repo, blob);
    const { location } = await startUpload(registry(), repo);
    const again = await registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    await expectBlobCreated(registry(), again, repo, blob);
  });

  it('a sha512 blob can be pushed with POST then PUT ?digest=sha512:…', async () => {
    const blob = randomBlob(1500, 'sha512');
    const { location } = await startUpload(registry(), repo);
    const put = await registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    expectStatus(put, 201);
    expectHeader(put, 'location');
    const pulled = await registry().get(`/v2/${repo}/blobs/${blob.digest}`);
    expectStatus(pulled, 200);
    expectBodyEquals(pulled, blob.bytes);
  });

  it('a PUT whose digest does not match the content returns 400 DIGEST_INVALID and stores nothing', async () => {
    const blob = randomBlob(300);
    const claimed = unknownDigest();
    const { location } = await startUpload(registry(), repo);
    const put = await registry().request('PUT', location, { query: { digest: claimed }, headers: OCTET, body: blob.bytes });
    expectError(put, 400, 'DIGEST_INVALID');
    const probe = await registry().head(`/v2/${repo}/blobs/${claimed}`);
    expectStatus(probe, 404);
  });
});

describe('push: chunked upload (PATCH with Content-Range)', () => {
  const repo = uniqueRepo('push/chunked');

  /** Opens a chunked session; sizes the blob so chunks respect OCI-Chunk-Min-Length. */
  async function openChunked(chunkCount: number): Promise<{ location: string; blob: Blob; chunks: ReturnType<typeof chunksOf> }> {
    const post = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    expectStatus(post, 202);
    const minLength = Number(post.headers.get('oci-chunk-min-length') ?? '0');
    const chunkSize = Math.max(minLength, 1000);
    const blob = randomBlob(chunkSize * chunkCount - 7); // final chunk shorter, as allowed
    const sizes = Array.from({ length: chunkCount }, (_, i) => (i < chunkCount - 1 ? chunkSize : chunkSize - 7));
    return { location: registry().resolve(expectHeader(post, 'location')).href, blob, chunks: chunksOf(blob.bytes, sizes) };
  }

  function patchChunk(location: string, chunk: { bytes: Uint8Array; range: string }): Promise<Exchange> {
    return registry().request('PATCH', location, { headers: { ...OCTET, 'content-range': chunk.range }, body: chunk.bytes });
  }

  it('a first chunk that does not start at 0 returns 416', async () => {
    const { location, chunks } = await openChunked(2);
    const res = await patchChunk(location, chunks[1]!);
    expectStatus(res, 416);
  });

  it('in-order chunks, stale retry (416 + Range), status GET (204) and PUT completion', async () => {
    const { location: postLocation, blob, chunks } = await openChunked(2);
    const [first, second] = [chunks[0]!, chunks[1]!];

    const patch1 = await patchChunk(postLocation, first);
    expectStatus(patch1, 202);
    expectUploadId(patch1);
    expectHeaderEquals(patch1, 'range', first.range);

    // Sending the first chunk again (at the POST location) is out of order now.
    const retry = await patchChunk(postLocation, first);
    expectStatus(retry, 416);
    expectHeaderEquals(retry, 'range', first.range);

    // The status of the session (via the stale location) says where to resume.
    const status = await registry().get(postLocation);
    expectStatus(status, 204);
    expectHeaderEquals(status, 'range', first.range);
    expectUploadId(status);

    const patch2 = await patchChunk(expectHeader(status, 'location'), second);
    expectStatus(patch2, 202);
    expectHeader(patch2, 'location');
    expectHeaderEquals(patch2, 'range', `0-${blob.size - 1}`);

    const put = await registry().request('PUT', expectHeader(patch2, 'location'), { query: { digest: blob.digest }, headers: { 'content-length': '0' } });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('a chunk that leaves a gap returns 416 and the session stays usable', async () => {
    const { location, blob, chunks } = await openChunked(3);
    const patch1 = await patchChunk(location, chunks[0]!);
    expectStatus(patch1, 202);
    const gap = await patchChunk(expectHeader(patch1, 'location'), chunks[2]!);
    expectStatus(gap, 416);
    expectHeaderEquals(gap, 'range', chunks[0]!.range);

    const status = await registry().get(expectHeader(patch1, 'location'));
    expectStatus(status, 204);
    expectHeaderEquals(status, 'range', chunks[0]!.range);
    const patch2 = await patchChunk(expectHeader(status, 'location'), chunks[1]!);
    expectStatus(patch2, 202);
    const patch3 = await patchChunk(expectHeader(patch2, 'location'), chunks[2]!);
    expectStatus(patch3, 202);
    expectHeaderEquals(patch3, 'range', `0-${blob.size - 1}`);
    const put = await registry().request('PUT', expectHeader(patch3, 'location'), { query: { digest: blob.digest } });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('the final chunk may be sent in the closing PUT with its Content-Range', async () => {
    const { location, blob, chunks } = await openChunked(3);
    let next = location;
    for (const chunk of chunks.slice(0, 2)) {
      const patch = await patchChunk(next, chunk);
      expectStatus(patch, 202);
      expectHeaderEquals(patch, 'range', `0-${chunk.end}`);
      next = expectHeader(patch, 'location');
    }
    const last = chunks[2]!;
    const put = await registry().request('PUT', next, {
      query: { digest: blob.digest },
      headers: { ...OCTET, 'content-range': last.range },
      body: last.bytes,
    });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('the final chunk may be sent in the closing PUT without Content-Range', async () => {
    const { location, blob, chunks } = await openChunked(2);
    const patch = await patchChunk(location, chunks[0]!);
    expectStatus(patch, 202);
    const put = await registry().request('PUT', expectHeader(patch, 'location'), { query: { digest: blob.digest }, headers: OCTET, body: chunks[1]!.bytes });
    await expectBlobCreated(registry(), put, repo, blob);
  });

  it('a session closed with no data at all creates the empty blob', async () => {
    const empty = blobOf(new Uint8Array(0));
    const post = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    expectStatus(post, 202);
    const put = await registry().request('PUT', expectHeader(post, 'location'), { query: { digest: empty.digest }, headers: { 'content-length': '0' } });
    await expectBlobCreated(registry(), put, repo, empty);
  });

  it('a sha512 blob can be uploaded in chunks', async () => {
    const post = await registry().request('POST', `/v2/${repo}/blobs/uploads/`, { headers: { 'content-length': '0' } });
    expectStatus(post, 202);
    const minLength = Number(post.headers.get('oci-chunk-min-length') ?? '0');
    const size = Math.max(minLength, 800);
    const blob = randomBlob(size * 2, 'sha512');
    const [a, b] = chunksOf(blob.bytes, [size, size]);
    const patch1 = await patchChunk(expectHeader(post, 'location'), a!);
    expectStatus(patch1, 202);
    const patch2 = await patchChunk(expectHeader(patch1, 'location'), b!);
    expectStatus(patch2, 202);
    const put = await registry().request('PUT', expectHeader(patch2, 'location'), { query: { digest: blob.digest } });
    expectStatus(put, 201);
    const pulled = await registry().get(`/v2/${repo}/blobs/${blob.digest}`);
    expectStatus(pulled, 200);
    expectBodyEquals(pulled, blob.bytes);
  });
});

describe('push: upload sessions (status and cancellation)', () => {
  const repo = uniqueRepo('push/sessions');

  it('GET on a fresh session returns 204 with Location and Docker-Upload-UUID', async () => {
    const { location, exchange } = await startUpload(registry(), repo);
    const id = expectUploadId(exchange);
    const status = await registry().get(location);
    expectStatus(status, 204);
    assert.equal(expectUploadId(status), id, describeExchange(status));
  });

  it('DELETE cancels a session with 204; the session is then unknown (404 BLOB_UPLOAD_UNKNOWN)', async () => {
    const blob = randomBlob(500);
    const { location } = await startUpload(registry(), repo);
    const patch = await registry().request('PATCH', location, { headers: OCTET, body: blob.bytes });
    expectStatus(patch, 202);
    const current = expectHeader(patch, 'location');

    const cancel = await registry().request('DELETE', current);
    expectStatus(cancel, 204);

    expectError(await registry().get(current), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectError(await registry().request('PATCH', current, { headers: OCTET, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectError(await registry().request('PUT', current, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes }), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectStatus(await registry().head(`/v2/${repo}/blobs/${blob.digest}`), 404);
  });

  it('a completed session is closed: its location answers 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const blob = randomBlob(200);
    const { location } = await startUpload(registry(), repo);
    const put = await registry().request('PUT', location, { query: { digest: blob.digest }, headers: OCTET, body: blob.bytes });
    expectStatus(put, 201);
    expectError(await registry().get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('two sessions in the same repository are independent', async () => {
    const [a, b] = [randomBlob(1200), randomBlob(900)];
    const sessionA = await startUpload(registry(), repo);
    const sessionB = await startUpload(registry(), repo);
    assert.notEqual(sessionA.location, sessionB.location);
    const patchA = await registry().request('PATCH', sessionA.location, { headers: OCTET, body: a.bytes });
    const patchB = await registry().request('PATCH', sessionB.location, { headers: OCTET, body: b.bytes });
    expectStatus(patchA, 202);
    expectStatus(patchB, 202);
    expectHeaderEquals(patchA, 'range', `0-${a.size - 1}`);
    expectHeaderEquals(patchB, 'range', `0-${b.size - 1}`);
    await expectBlobCreated(registry(), await registry().request('PUT', expectHeader(patchB, 'location'), { query: { digest: b.digest } }), repo, b);
    await expectBlobCreated(registry(), await registry().request('PUT', expectHeader(patchA, 'location'), { query: { digest: a.digest } }), repo, a);
  });
});

describe('push: cross-repository blob mount', () => {
  const source = uniqueRepo('mount/source');
  const blob = randomBlob(1024);

  before(async () => {
    await pushBlob(registry(), source, blob);
  });

  it('mounting a blob present in `from` returns 201 with Location and Docker-Content-Digest', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, { query: { mount: blob.digest, from: source } });
    expectStatus(res, 201);
    expectHeaderEquals(res, 'docker-content-digest', blob.digest);
    const location = registry().resolve(expectHeader(res, 'location'));
    assert.equal(location.pathname, `/v2/${target}/blobs/${blob.digest}`, describeExchange(res));
    const pulled = await registry().get(location.href);
    expectStatus(pulled, 200);
    expectBodyEquals(pulled, blob.bytes);
  });

  it('mounting a blob that `from` does not have returns 202 and an upload session', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const missing = randomBlob(64);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, { query: { mount: missing.digest, from: source } });
    expectStatus(res, 202);
    const location = registry().resolve(expectHeader(res, 'location'));
    assert.ok(location.pathname.startsWith(`/v2/${target}/blobs/uploads/`), describeExchange(res));
    // The session is a normal one: the client can go on and upload the blob.
    const put = await registry().request('PUT', location.href, { query: { digest: missing.digest }, headers: OCTET, body: missing.bytes });
    await expectBlobCreated(registry(), put, target, missing);
  });

  it('mounting from a repository that does not exist returns 202 and an upload session', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, {
      query: { mount: blob.digest, from: uniqueRepo(`mount/nowhere-${randomId(4)}`) },
    });
    expectStatus(res, 202);
    assert.ok(registry().resolve(expectHeader(res, 'location')).pathname.startsWith(`/v2/${target}/blobs/uploads/`), describeExchange(res));
  });

  it('mounting an unknown digest without `from` returns 202 and an upload session', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, { query: { mount: unknownDigest() } });
    expectStatus(res, 202);
    assert.ok(registry().resolve(expectHeader(res, 'location')).pathname.startsWith(`/v2/${target}/blobs/uploads/`), describeExchange(res));
  });

  it('mounting without `from` a blob that exists in the registry returns 201 (automatic mount)', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, { query: { mount: blob.digest } });
    expectStatus(res, 201);
    expectHeaderEquals(res, 'docker-content-digest', blob.digest);
    const pulled = await registry().get(`/v2/${target}/blobs/${blob.digest}`);
    expectStatus(pulled, 200);
    expectBodyEquals(pulled, blob.bytes);
  });

  it('a mounted blob stays available in the source repository', async () => {
    const target = uniqueRepo(`mount/target-${randomId(4)}`);
    const res = await registry().request('POST', `/v2/${target}/blobs/uploads/`, { query: { mount: blob.digest, from: source } });
    expectStatus(res, 201);
    const inSource = await registry().get(`/v2/${source}/blobs/${blob.digest}`);
    expectStatus(inSource, 200);
    expectBodyEquals(inSource, blob.bytes);
  });
});

// Clients that hang up at every stage of every upload shape and of blob and manifest
// pulls, against the server `berth serve` runs (src/server/serve.ts, in this process)
// on the filesystem or on S3, with a fault-injecting blob store under it
// (test/helpers/faulty-blob-store.ts): a store slow to start an append (where issue 10's
// crash was), slow to read a body, slow to report an append's or a commit's end, and an
// upload-writer claim held by another node. After each hang-up:
// - the server answers /healthz, and nothing escaped to the process (no uncaught
//   exception, no unhandled rejection, no log line at error or above);
// - the upload is consistent: its status is the offset before the lost request (or
//   after it, when the whole body had arrived), and continuing from there completes it
//   with the right bytes; a lost monolithic push leaves no blob or a whole one;
// - no staged bytes are left behind once every upload is done.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { serve, type RunningServer } from '../../src/server/serve.ts';
import type { MetadataStore } from '../../src/storage/meta/metadata-store.ts';
import { FaultyBlobStore, type Gate } from '../helpers/faulty-blob-store.ts';
import { RawConnection } from '../helpers/raw-request.ts';
import { administratorKey, loginWithKey } from '../helpers/registry-login.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';
import { until } from '../helpers/until.ts';

const BLOB_BYTES = 192 * 1024;
const PULL_BYTES = 4 * 1024 * 1024;
/** Long enough for the server to notice a hang-up and act on it. */
const SETTLE_MS = 60;

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  readonly url: string;
  readonly authorization: string;
  readonly faults: FaultyBlobStore;
  readonly metadata: MetadataStore;
  readonly logs: string[];
  stop(): Promise<void>;
}

async function startHarness(storage: 'fs' | 's3', s3: S3TestServer | undefined): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-aborts-'));
  const flags: Record<string, string> = { host: '127.0.0.1', port: '0', dataDir, 'gc.enabled': 'false' };
  if (storage === 's3') {
    Object.assign(process.env, s3!.env, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
    Object.assign(flags, {
      'storage.driver': 's3',
      'storage.s3.bucket': s3!.bucket,
      'storage.s3.endpoint': s3!.endpoint,
      'storage.s3.prefix': `aborts-${Date.now()}`,
      // Blob bytes go through Berth, so that pulls can be cut off in the middle.
      'storage.s3.redirect': 'false',
    });
  }
  const config = loadConfig({ env: {}, flags, cwd: process.cwd() });
  const logs: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  let faults: FaultyBlobStore | undefined;
  const running: RunningServer = await serve(config, log, {
    runJobs: false,
    decorateBlobStore: (store) => (faults = new FaultyBlobStore(store)),
  });
  const { authorization } = await loginWithKey(running.url, await administratorKey(dataDir));
  return {
    url: running.url,
    authorization,
    faults: faults!,
    metadata: running.app.registry.context.metadata,
    logs,
    async stop() {
      await running.shutdown('test done');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** How a request is cut off. */
type AbortPoint =
  | 'before the body'
  | 'mid-body'
  | 'mid-body, the store reading slowly'
  | 'while the store is slow to start'
  | 'after the body, before the answer'
  | 'while another node holds the upload-writer claim';

interface UploadShape {
  readonly name: string;
  /** The abort points that make sense for it. */
  readonly points: readonly AbortPoint[];
  /** Which store call the "after the body" hang-up waits in. */
  readonly finishes: 'appendUpload' | 'commitUpload';
  /** Does it write into a session (so another node can hold the session's claim)? */
  readonly session: boolean;
}

const EVERY_POINT: readonly AbortPoint[] = [
  'before the body',
  'mid-body',
  'mid-body, the store reading slowly',
  'while the store is slow to start',
  'after the body, before the answer',
  'while another node holds the upload-writer claim',
];

const SHAPES: readonly UploadShape[] = [
  { name: 'monolithic POST ?digest=', points: EVERY_POINT.filter((point) => !point.includes('claim')), finishes: 'commitUpload', session: false },
  { name: 'POST, then the whole blob in the PUT', points: EVERY_POINT, finishes: 'commitUpload', session: true },
  { name: 'chunked PATCH with Content-Range', points: EVERY_POINT, finishes: 'appendUpload', session: true },
  { name: 'chunked PATCH without Content-Range', points: EVERY_POINT, finishes: 'appendUpload', session: true },
  { name: 'streamed PATCH (chunked transfer encoding)', points: EVERY_POINT, finishes: 'appendUpload', session: true },
  { name: 'PUT carrying the last chunk', points: EVERY_POINT, finishes: 'commitUpload', session: true },
];

export function describeClientAborts(storage: 'fs' | 's3'): void {
  let s3: S3TestServer | undefined;
  let harness: Harness;
  const escaped: unknown[] = [];
  const onEscaped = (error: unknown) => escaped.push(error);

  before(async () => {
    process.on('uncaughtException', onEscaped);
    process.on('unhandledRejection', onEscaped);
    if (storage === 's3') s3 = await startS3TestServer();
    harness = await startHarness(storage, s3);
  });
  after(async () => {
    await harness?.stop();
    await s3?.stop();
    process.off('uncaughtException', onEscaped);
    process.off('unhandledRejection', onEscaped);
  });

  const call = (method: string, path: string, init: { body?: Buffer; headers?: Record<string, string> } = {}) =>
    fetch(`${harness.url}${path}`, { method, ...(init.body ? { body: init.body } : {}), headers: { Authorization: harness.authorization, ...init.headers } });

  /** The server is fine: it answers, nothing escaped, nothing was logged as an error. */
  async function assertServerFine(): Promise<void> {
    assert.equal((await fetch(`${harness.url}/healthz`)).status, 200);
    assert.deepEqual(escaped, [], 'nothing escaped to the process');
    const errors = harness.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors, [], 'no error was logged');
  }

  async function assertBlobIs(repository: string, content: Buffer): Promise<void> {
    const response = await call('GET', `/v2/${repository}/blobs/${sha256(content)}`);
    assert.equal(response.status, 200);
    assert.equal(sha256(Buffer.from(await response.arrayBuffer())), sha256(content));
  }

  async function stagedUploads(): Promise<string[]> {
    const staged: string[] = [];
    for await (const upload of harness.faults.inner.listUploads()) staged.push(upload.id);
    return staged;
  }

  /** Nothing is staged now that was not before (the uploads of a case that failed stay out of the next). */
  async function assertNothingStaged(before: readonly string[]): Promise<void> {
    assert.deepEqual((await stagedUploads()).filter((id) => !before.includes(id)), [], 'no staged bytes are left behind');
  }

  /**
   * A request whose client left may still be on its way out of the session (it notices
   * between two steps); a client that comes back meanwhile is told another request is
   * writing, and tries again, as registry clients do.
   */
  async function whenSessionFree(send: () => Promise<Response>): Promise<Response> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const response = await send();
      if (response.status !== 400 || Date.now() > deadline) return response;
      const text = await response.clone().text();
      if (!text.includes('another request is writing')) return response;
      await sleep(50);
    }
  }

  async function startSession(repository: string): Promise<string> {
    const response = await call('POST', `/v2/${repository}/blobs/uploads/`);
    assert.equal(response.status, 202);
    return response.headers.get('location')!;
  }

  /** The session's offset, or undefined once it is gone (completed). */
  async function offsetOf(location: string): Promise<number | undefined> {
    const response = await call('GET', location);
    if (response.status === 404) return undefined;
    assert.equal(response.status, 204);
    return Number(response.headers.get('range')!.split('-')[1]) + (response.headers.get('range') === '0-0' ? 0 : 1);
  }

  describe(`clients that hang up mid-upload (${storage})`, () => {
    let counter = 0;
    for (const shape of SHAPES) {
      for (const point of shape.points) {
        test(`${shape.name}: ${point}`, async () => {
          const repository = `aborts/${storage}/case-${++counter}`;
          const stagedBefore = await stagedUploads();
          const content = randomBytes(BLOB_BYTES);
          const digest = sha256(content);
          // What is acknowledged before the request that is cut off.
          const firstChunk = shape.name.startsWith('chunked') || shape.name.startsWith('streamed') || shape.name.startsWith('PUT carrying') ? BLOB_BYTES / 4 : 0;
          let location: string | undefined;
          if (shape.session) {
            location = await startSession(repository);
            if (firstChunk > 0) {
              const first = await call('PATCH', location, { body: content.subarray(0, firstChunk), headers: { 'Content-Range': `0-${firstChunk - 1}` } });
              assert.equal(first.status, 202);
              location = first.headers.get('location')!;
            }
          }
          const rest = content.subarray(firstChunk);
          const { method, path, headers, chunked } = requestOf(shape, repository, digest, location, firstChunk, rest.length, harness.authorization);

          const claim = location ? `upload-writer:${location.split('/').pop()}` : undefined;
          let gate: Gate | undefined;
          if (point === 'while the store is slow to start') gate = harness.faults.hold('appendUpload', 'before');
          if (point === 'after the body, before the answer') gate = harness.faults.hold(shape.finishes, shape.finishes === 'appendUpload' ? 'after' : 'before');
          if (point === 'mid-body, the store reading slowly') harness.faults.slowAppends(5);
          if (point === 'while another node holds the upload-writer claim') {
            const now = Date.now();
            assert.equal(await harness.metadata.leases.tryAcquire(claim!, 'another-node', new Date(now + 10_000), new Date(now)), true);
          }

          const connection = await RawConnection.open(harness.url);
          connection.writeHead(method, path, headers);
          const send = (bytes: Buffer) => (chunked ? connection.writeChunk(bytes) : connection.write(bytes));
          try {
            switch (point) {
              case 'before the body':
                await sleep(SETTLE_MS);
                break;
              case 'mid-body':
              case 'mid-body, the store reading slowly':
                for (let at = 0; at < rest.length / 2; at += 16 * 1024) await send(rest.subarray(at, Math.min(at + 16 * 1024, rest.length / 2)));
                await sleep(SETTLE_MS);
                break;
              case 'while the store is slow to start':
                await send(rest.subarray(0, rest.length / 2));
                await gate!.reached;
                break;
              case 'after the body, before the answer':
                await send(rest);
                if (chunked) await connection.write('0\r\n\r\n');
                await gate!.reached;
                break;
              case 'while another node holds the upload-writer claim':
                await send(rest.subarray(0, rest.length / 2));
                // The request now waits for the claim, polling every 200 ms.
                await sleep(300);
                break;
            }
            await connection.destroy();
            await sleep(SETTLE_MS);
          } finally {
            gate?.open();
            harness.faults.slowAppends(0);
            if (claim && point === 'while another node holds the upload-writer claim') await harness.metadata.leases.release(claim, 'another-node');
          }
          await assertServerFine();

          // Consistent, and the push can be finished from where the server says it stands.
          if (!location) {
            const head = await call('HEAD', `/v2/${repository}/blobs/${digest}`);
            if (point === 'after the body, before the answer') {
              // The whole body had arrived: the blob may exist, then whole.
              if (head.status === 200) await assertBlobIs(repository, content);
            } else {
              assert.equal(head.status, 404, 'a push cut off before its body ended stores nothing');
            }
            const retry = await call('POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, { body: content });
            assert.equal(retry.status, 201);
          } else {
            // A PUT whose whole body had arrived goes on to complete the upload without its client.
            if (point === 'after the body, before the answer' && shape.finishes === 'commitUpload') {
              await until('the abandoned PUT to complete the upload', async () => ((await offsetOf(location!)) === undefined ? true : undefined), 5_000, 20);
            }
            const offset = await offsetOf(location);
            if (offset === undefined) {
              assert.equal(point, 'after the body, before the answer', 'only a request whose body had fully arrived may have completed the upload');
            } else {
              const acknowledged = [firstChunk];
              if (point === 'after the body, before the answer') acknowledged.push(BLOB_BYTES);
              assert.ok(acknowledged.includes(offset), `offset ${offset} is one of ${acknowledged.join(', ')}`);
              if (offset < BLOB_BYTES) {
                const patch = await whenSessionFree(() => call('PATCH', location!, { body: content.subarray(offset), headers: { 'Content-Range': `${offset}-${BLOB_BYTES - 1}` } }));
                assert.equal(patch.status, 202, await patch.text());
              }
              const put = await whenSessionFree(() => call('PUT', `${location}?digest=${digest}`));
              assert.equal(put.status, 201, await put.text());
            }
          }
          await assertBlobIs(repository, content);
          await assertNothingStaged(stagedBefore);
          await assertServerFine();
        });
      }
    }
  });

  describe(`clients that hang up mid-pull (${storage})`, () => {
    const repository = `aborts/${storage}/pulls`;
    const content = randomBytes(PULL_BYTES);
    const digest = sha256(content);
    let manifestDigest: string;

    before(async () => {
      assert.equal((await call('POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, { body: content })).status, 201);
      const config = Buffer.from('{}');
      assert.equal((await call('POST', `/v2/${repository}/blobs/uploads/?digest=${sha256(config)}`, { body: config })).status, 201);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: content.length }],
        }),
      );
      manifestDigest = sha256(manifest);
      const put = await call('PUT', `/v2/${repository}/manifests/latest`, { body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(put.status, 201);
    });

    const pulls: Array<{ name: string; path: () => string; headers?: Record<string, string>; gated?: boolean }> = [
      { name: 'blob GET, before the answer (the store slow to open the blob)', path: () => `/v2/${repository}/blobs/${digest}`, gated: true },
      { name: 'blob GET, mid-body', path: () => `/v2/${repository}/blobs/${digest}` },
      { name: 'ranged blob GET, mid-body', path: () => `/v2/${repository}/blobs/${digest}`, headers: { Range: 'bytes=1000-3000000' } },
      { name: 'manifest GET by tag, before the answer', path: () => `/v2/${repository}/manifests/latest` },
      { name: 'manifest GET by digest, after the head', path: () => `/v2/${repository}/manifests/${manifestDigest}` },
    ];
    for (const pull of pulls) {
      test(pull.name, async () => {
        // The fs store serves blobs by positional reads, S3 by a stream: hold whichever it uses.
        const gate = pull.gated ? harness.faults.hold(harness.faults.openRandomAccess ? 'openRandomAccess' : 'read') : undefined;
        const connection = await RawConnection.open(harness.url);
        connection.writeHead('GET', pull.path(), { Authorization: harness.authorization, Accept: 'application/vnd.oci.image.manifest.v1+json', ...pull.headers });
        try {
          if (gate) await gate.reached;
          else if (pull.name.includes('mid-body')) await connection.received(256 * 1024);
          else if (pull.name.includes('after the head')) await connection.response();
          await connection.destroy();
          await sleep(SETTLE_MS);
        } finally {
          gate?.open();
        }
        await assertServerFine();
        await assertBlobIs(repository, content);
        const manifest = await call('GET', `/v2/${repository}/manifests/${manifestDigest}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
        assert.equal(manifest.status, 200);
        assert.equal(sha256(Buffer.from(await manifest.arrayBuffer())), manifestDigest);
      });
    }
  });
}

/** The request of a shape that carries `length` bytes of the blob. */
function requestOf(
  shape: UploadShape,
  repository: string,
  digest: string,
  location: string | undefined,
  offset: number,
  length: number,
  authorization: string,
): { method: string; path: string; headers: Record<string, string | number>; chunked: boolean } {
  const base = { Authorization: authorization, 'Content-Type': 'application/octet-stream' };
  switch (shape.name) {
    case 'monolithic POST ?digest=':
      return { method: 'POST', path: `/v2/${repository}/blobs/uploads/?digest=${digest}`, headers: { ...base, 'Content-Length': length }, chunked: false };
    case 'POST, then the whole blob in the PUT':
    case 'PUT carrying the last chunk':
      return { method: 'PUT', path: `${location}?digest=${digest}`, headers: { ...base, 'Content-Length': length }, chunked: false };
    case 'chunked PATCH with Content-Range':
      return { method: 'PATCH', path: location!, headers: { ...base, 'Content-Length': length, 'Content-Range': `${offset}-${offset + length - 1}` }, chunked: false };
    case 'chunked PATCH without Content-Range':
      return { method: 'PATCH', path: location!, headers: { ...base, 'Content-Length': length }, chunked: false };
    case 'streamed PATCH (chunked transfer encoding)':
      return { method: 'PATCH', path: location!, headers: { ...base, 'Transfer-Encoding': 'chunked' }, chunked: true };
    default:
      throw new Error(`unknown shape ${shape.name}`);
  }
}

// What the S3 driver promises beyond the BlobStore contract: uploads in chunks of any
// size with flat memory, S3's part rules kept inside the driver, sessions continued
// by another driver instance (another node), the server-side paths for large
// segments, and presigned GETs that a plain fetch can use.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseDigest, type Digest } from '../../src/model/digest.ts';
import { S3BlobStore } from '../../src/storage/blob/s3/s3-blob-store.ts';
import { createS3Client } from '../../src/storage/blob/s3/s3-client.ts';
import { collect, hashStream, SeededContent } from '../conformance/seeded-content.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: S3TestServer;
let inspector: S3Client;
const stores: S3BlobStore[] = [];

before(async () => {
  server = await startS3TestServer();
  inspector = client();
});

after(async () => {
  for (const store of stores) await store.close();
  inspector?.destroy();
  await server?.stop();
});

function client(): S3Client {
  return createS3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: server.credentials });
}

/** A driver instance of its own (its own client, as another node would have) on `prefix`. */
async function openStore(prefix: string, options: { redirect?: boolean } = {}): Promise<S3BlobStore> {
  const store = await S3BlobStore.open({ client: client(), bucket: server.bucket, prefix, ...options });
  stores.push(store);
  return store;
}

function digestOf(content: SeededContent): Digest {
  return parseDigest(`sha256:${content.sha256()}`) as Digest;
}

/** The segment objects of an upload as S3 lists them: [start, size]. */
async function segmentsOf(prefix: string, id: string): Promise<Array<[number, number]>> {
  const listed = await inspector.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${prefix}uploads/${id}/data/` }));
  return (listed.Contents ?? []).map((object) => [Number(object.Key!.split('/').at(-1)), object.Size!]);
}

interface MemoryPeak {
  /** Peak growth over the baseline, in MiB, of what is still referenced (sampled after a GC). */
  readonly live: number;
  /** Peak growth of the resident set, in MiB, garbage included. */
  readonly rss: number;
}

/**
 * Runs `work` while sampling memory every 10 ms. Each sample first collects garbage
 * (twice: V8 frees dead buffers' memory in a sweep that may lag one collection), so
 * `live` is what the process holds (the part buffer, chunks in flight), not the
 * socket reads and source chunks the collector has not got to yet.
 */
async function measure(work: () => Promise<void>): Promise<MemoryPeak> {
  gc();
  gc();
  const base = process.memoryUsage();
  let live = 0;
  let rss = 0;
  const sample = () => {
    rss = Math.max(rss, process.memoryUsage().rss - base.rss);
    gc();
    gc();
    const now = process.memoryUsage();
    live = Math.max(live, now.heapUsed + now.arrayBuffers - (base.heapUsed + base.arrayBuffers));
  };
  const timer = setInterval(sample, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return { live: live / MiB, rss: rss / MiB };
}

function report(what: string, peak: MemoryPeak): void {
  console.log(`${what}: peak growth ${peak.live.toFixed(1)} MiB live (heap + buffers), ${peak.rss.toFixed(1)} MiB RSS`);
  // Two 8 MiB part buffers (one filling while the other uploads) plus what is in flight;
  // a driver that buffered the blob would hold 64 MiB.
  assert.ok(peak.live < 22, `live memory grew by ${peak.live.toFixed(1)} MiB`);
  assert.ok(peak.rss < 40, `RSS grew by ${peak.rss.toFixed(1)} MiB`);
}

// Chunk sizes a client might send, odd on purpose: a byte, a few KiB, more than a
// part, less than S3's minimum part, exactly a part, a part and a bit.
const ODD_CHUNKS = [1, 17 * 1024, 6 * MiB, 3, MiB + 7, 9 * MiB - 1, 123, 5 * MiB - 1, 8 * MiB, 4 * MiB + 4097];

test('a 64 MiB upload in odd-sized chunks stays in flat memory and in full-sized segments', { timeout: 120_000 }, async () => {
  const prefix = `odd-${randomUUID()}/`;
  const store = await openStore(prefix);
  const content = new SeededContent('odd-chunks', 64 * MiB);
  const id = randomUUID();
  await store.createUpload(id);
  let appends = 0;
  const peak = await measure(async () => {
    for (let offset = 0; offset < content.size; appends++) {
      const end = Math.min(offset + ODD_CHUNKS[appends % ODD_CHUNKS.length]!, content.size);
      const declaredLength = appends % 2 === 0 ? end - offset : undefined; // Content-Length sometimes, chunked sometimes
      assert.equal(await store.appendUpload(id, offset, content.stream(offset, end, 64 * 1024), { declaredLength }), end - offset);
      offset = end;
    }
  });
  report(`64 MiB in ${appends} odd chunks`, peak);
  // Whatever the chunks, the staged segments are full 8 MiB ones: S3's part rules never showed.
  assert.deepEqual(await segmentsOf(prefix, id), Array.from({ length: 8 }, (_, index) => [index * 8 * MiB, 8 * MiB]));
  const digest = digestOf(content);
  await store.commitUpload(id, content.size, digest);
  assert.deepEqual(await hashStream(await store.read(digest)), { sha256: content.sha256(), size: content.size });
  assert.equal(await store.delete(digest), true);
});

test('a 64 MiB monolithic append stays in flat memory', { timeout: 120_000 }, async () => {
  const prefix = `whole-${randomUUID()}/`;
  const store = await openStore(prefix);
  const content = new SeededContent('monolithic', 64 * MiB + 5);
  const id = randomUUID();
  await store.createUpload(id);
  const peak = await measure(async () => {
    assert.equal(await store.appendUpload(id, 0, content.stream(0, content.size, 64 * 1024), { declaredLength: content.size }), content.size);
  });
  report('64 MiB in one append', peak);
  const digest = digestOf(content);
  await store.commitUpload(id, content.size, digest);
  assert.deepEqual(await hashStream(await store.read(digest)), { sha256: content.sha256(), size: content.size });
  assert.equal(await store.delete(digest), true);
});

test('a session continues on another driver instance: nothing it needs is in the first one', { timeout: 60_000 }, async () => {
  const prefix = `nodes-${randomUUID()}/`;
  const nodeA = await openStore(prefix);
  const nodeB = await openStore(prefix);
  const content = new SeededContent('two-nodes', 21 * MiB + 333);
  const cuts = [0, 3 * MiB + 1, 3 * MiB + 2, 11 * MiB, 20 * MiB, content.size];
  const id = randomUUID();
  await nodeA.createUpload(id);
  for (let index = 0; index + 1 < cuts.length; index++) {
    const node = index % 2 === 0 ? nodeA : nodeB;
    const [start, end] = [cuts[index]!, cuts[index + 1]!];
    assert.equal(await node.appendUpload(id, start, content.stream(start, end)), end - start, `append ${index} on node ${index % 2 === 0 ? 'A' : 'B'}`);
  }
  // The other node sees the same upload, reads back the same bytes (to re-hash), and commits it.
  const onA = (await listUploads(nodeA)).get(id);
  assert.equal(onA, content.size);
  assert.equal((await hashStream(await nodeB.readUpload(id, content.size))).sha256, content.sha256());
  const digest = digestOf(content);
  await nodeB.commitUpload(id, content.size, digest);
  assert.deepEqual(await hashStream(await nodeA.read(digest)), { sha256: content.sha256(), size: content.size });
  assert.equal((await listUploads(nodeA)).has(id), false);
  assert.equal(await nodeA.delete(digest), true);
});

test('large segments: written as multipart uploads, continued and cut by server-side copies', { timeout: 60_000 }, async () => {
  const prefix = `large-${randomUUID()}/`;
  const store = await openStore(prefix);
  // A declared 100 GiB makes segments of 12 MiB: larger than the 8 MiB buffer.
  const declaredLength = 100 * GiB;
  const content = new SeededContent('large-segments', 30 * MiB);
  const id = randomUUID();
  await store.createUpload(id);
  await store.appendUpload(id, 0, content.stream(0, 22 * MiB), { declaredLength });
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 12 * MiB], [12 * MiB, 10 * MiB]]);
  // The 10 MiB tail is continued: copied server-side into the new object, then topped up.
  await store.appendUpload(id, 22 * MiB, content.stream(22 * MiB, 25 * MiB), { declaredLength });
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 12 * MiB], [12 * MiB, 12 * MiB], [24 * MiB, MiB]]);
  // A retry from inside the second segment cuts it (keeping 9 MiB, more than a buffer) and drops the rest.
  await store.appendUpload(id, 21 * MiB, content.stream(21 * MiB, content.size), { declaredLength });
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 12 * MiB], [12 * MiB, 12 * MiB], [24 * MiB, 6 * MiB]]);
  // An empty append inside a segment cuts it there too.
  await store.appendUpload(id, 20 * MiB, content.stream(20 * MiB, 20 * MiB), { declaredLength });
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 12 * MiB], [12 * MiB, 8 * MiB]]);
  await store.appendUpload(id, 20 * MiB, content.stream(20 * MiB, content.size), { declaredLength });
  assert.equal((await hashStream(await store.readUpload(id, content.size))).sha256, content.sha256());
  const digest = digestOf(content);
  await store.commitUpload(id, content.size, digest);
  assert.deepEqual(await hashStream(await store.read(digest)), { sha256: content.sha256(), size: content.size });
  assert.equal(await store.delete(digest), true);
});

test('a presigned GET URL serves the blob and its ranges to a plain fetch; a tampered one is refused', async () => {
  const store = await openStore(`presign-${randomUUID()}/`);
  assert.equal(store.capabilities.redirect, true, 'redirects are on unless configured off');
  const content = new SeededContent('presigned', 100_000);
  const digest = digestOf(content);
  const id = randomUUID();
  await store.createUpload(id);
  await store.appendUpload(id, 0, content.stream());
  await store.commitUpload(id, content.size, digest);
  try {
    const url = await store.presignedUrl(digest, 60);
    assert.ok(url.startsWith(`${server.endpoint}/${server.bucket}/`), url);
    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), content.bytes());
    const part = await fetch(url, { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), content.bytes(10, 20));
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const refused = await fetch(tampered);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    assert.deepEqual(await collect(await store.read(digest, { start: 0, end: 0 })), content.bytes(0, 1));
  } finally {
    await store.delete(digest);
  }
  assert.equal((await openStore('off/', { redirect: false })).capabilities.redirect, false);
});

test('open fails at once, naming the bucket, when the bucket does not exist', async () => {
  await assert.rejects(
    S3BlobStore.open({ client: client(), bucket: 'no-such-bucket' }),
    (error: Error) => error.message.includes('"no-such-bucket"'),
  );
});

// Receiving overlaps uploading: while one part buffer uploads, the client's next bytes
// fill the other. These tests put a fault injector in front of the store's S3 client
// (a middleware that may hold or fail a request) to check what the overlap must keep:
// one upload at a time and in order, the first failure reported at once, and nothing
// in flight once appendUpload has settled.

const WRITES = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCopyCommand', 'CompleteMultipartUploadCommand']);

interface Request {
  readonly command: string;
  /** Offset of the segment the request writes (undefined for keys outside the staging area). */
  readonly segment: number | undefined;
  readonly partNumber: number | undefined;
}

/** What a fault hook may do before a request goes out: wait, throw, or nothing. */
type Hook = (request: Request) => Promise<void> | void;

class FaultyS3 {
  readonly client = client();
  hook: Hook | undefined;
  /** Writes to the staging area in flight now, and the most there ever were at once. */
  writesInFlight = 0;
  maxWritesInFlight = 0;
  /** Requests of any kind in flight now, and every request started, in order. */
  readonly inFlight = new Set<Request>();
  readonly started: Request[] = [];

  constructor() {
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; PartNumber?: number };
        const last = input.Key?.split('/').at(-1);
        const request: Request = {
          command: context.commandName ?? '',
          segment: input.Key?.includes('/data/') ? Number(last) : undefined,
          partNumber: input.PartNumber,
        };
        const write = WRITES.has(request.command);
        this.started.push(request);
        this.inFlight.add(request);
        if (write) this.maxWritesInFlight = Math.max(this.maxWritesInFlight, ++this.writesInFlight);
        try {
          await this.hook?.(request);
          return await next(args);
        } finally {
          this.inFlight.delete(request);
          if (write) this.writesInFlight--;
        }
      },
      { step: 'initialize', name: 'berthTestFaults' },
    );
  }
}

async function openFaulty(prefix: string): Promise<{ store: S3BlobStore; s3: FaultyS3 }> {
  const s3 = new FaultyS3();
  const store = await S3BlobStore.open({ client: s3.client, bucket: server.bucket, prefix });
  stores.push(store);
  return { store, s3 };
}

/** The content's bytes from `start` to `end` in 64 KiB chunks, counting what the consumer took. */
function counted(content: SeededContent, start: number, end: number): { stream: Readable; taken: () => number } {
  let taken = 0;
  async function* pieces(): AsyncGenerator<Buffer> {
    for await (const piece of content.stream(start, end, 64 * 1024)) {
      taken += (piece as Buffer).length;
      yield piece as Buffer;
    }
  }
  return { stream: Readable.from(pieces(), { objectMode: false, highWaterMark: 64 * 1024 }), taken: () => taken };
}

/** Rejects if any request starts within `ms` (after an append settled, nothing may follow it). */
async function assertQuiet(s3: FaultyS3, ms: number, what: string): Promise<void> {
  const before = s3.started.length;
  await delay(ms);
  assert.deepEqual(s3.started.slice(before), [], `${what}: requests started after appendUpload settled`);
}

test('overlap: the client bytes are received while a segment uploads, one upload at a time and in order', { timeout: 60_000 }, async () => {
  for (const declaredLength of [undefined, 100 * GiB]) {
    const prefix = `overlap-${randomUUID()}/`;
    const { store, s3 } = await openFaulty(prefix);
    const content = new SeededContent('overlap', 40 * MiB + 3);
    const source = counted(content, 0, content.size);
    let receivedDuringUploads = 0;
    s3.hook = async (request) => {
      if (!WRITES.has(request.command)) return;
      const before = source.taken();
      await delay(100); // a slow store: the client keeps sending meanwhile
      receivedDuringUploads = Math.max(receivedDuringUploads, source.taken() - before);
    };
    const id = randomUUID();
    await store.createUpload(id);
    assert.equal(await store.appendUpload(id, 0, source.stream, { declaredLength }), content.size);
    assert.deepEqual([...s3.inFlight], []);
    assert.equal(s3.maxWritesInFlight, 1, 'uploads must not run side by side');
    assert.ok(receivedDuringUploads >= MiB, `only ${receivedDuringUploads} bytes came in while an upload ran`);
    // Segments were written in order: each one's first write comes after the previous one's last.
    const order = s3.started.filter((request) => WRITES.has(request.command) && request.segment !== undefined).map((request) => request.segment!);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    const segment = declaredLength === undefined ? 8 * MiB : 12 * MiB;
    const expected = Array.from({ length: Math.ceil(content.size / segment) }, (_, index): [number, number] => [index * segment, Math.min(segment, content.size - index * segment)]);
    assert.deepEqual(await segmentsOf(prefix, id), expected);
    assert.equal((await hashStream(await store.readUpload(id, content.size))).sha256, content.sha256());
    await store.deleteUpload(id);
  }
});

test('overlap: the upload of the second segment failing while the third is received fails the append with its error', { timeout: 60_000 }, async () => {
  const prefix = `fail-second-${randomUUID()}/`;
  const { store, s3 } = await openFaulty(prefix);
  const content = new SeededContent('fail-second', 40 * MiB);
  const source = counted(content, 0, content.size);
  const injected = new Error('injected: PutObject of the second segment failed');
  let takenWhenFailing = 0;
  s3.hook = async (request) => {
    if (request.command !== 'PutObjectCommand' || request.segment !== 8 * MiB) return;
    await delay(200);
    takenWhenFailing = source.taken();
    throw injected;
  };
  const id = randomUUID();
  await store.createUpload(id);
  await assert.rejects(store.appendUpload(id, 0, source.stream), (error: unknown) => {
    assert.equal(error, injected);
    return true;
  });
  assert.deepEqual([...s3.inFlight], [], 'a request was still in flight when appendUpload settled');
  assert.ok(takenWhenFailing > 17 * MiB, `the third segment was not being received (${takenWhenFailing} bytes taken)`);
  assert.ok(source.stream.destroyed, 'the client was not stopped');
  await assertQuiet(s3, 200, 'failed second segment');
  // The third segment was never written: the staging area is the first segment, whole.
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 8 * MiB]]);
  s3.hook = undefined;
  assert.equal(await store.appendUpload(id, 8 * MiB, content.stream(8 * MiB, content.size)), content.size - 8 * MiB);
  const digest = digestOf(content);
  await store.commitUpload(id, content.size, digest);
  assert.deepEqual(await hashStream(await store.read(digest)), { sha256: content.sha256(), size: content.size });
  assert.equal(await store.delete(digest), true);
});

test('overlap: a part of a large segment failing while the next is received aborts its multipart upload', { timeout: 60_000 }, async () => {
  const prefix = `fail-part-${randomUUID()}/`;
  const { store, s3 } = await openFaulty(prefix);
  const content = new SeededContent('fail-part', 30 * MiB);
  const injected = new Error('injected: UploadPart 2 of the second segment failed');
  s3.hook = async (request) => {
    if (request.command !== 'UploadPartCommand' || request.segment !== 12 * MiB || request.partNumber !== 2) return;
    await delay(100);
    throw injected;
  };
  const id = randomUUID();
  await store.createUpload(id);
  // A declared 100 GiB makes 12 MiB segments: multipart uploads of an 8 MiB and a 4 MiB part.
  await assert.rejects(store.appendUpload(id, 0, content.stream(0, content.size, 64 * 1024), { declaredLength: 100 * GiB }), (error: unknown) => {
    assert.equal(error, injected);
    return true;
  });
  // Only the abort of the failed segment's multipart upload may still be on its way.
  assert.deepEqual([...s3.inFlight].filter((request) => request.command !== 'AbortMultipartUploadCommand'), [], 'a write was still in flight when appendUpload settled');
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 12 * MiB]]);
  // The failed segment's multipart upload is aborted (in the background: S3 would expire it anyway).
  assert.ok(
    s3.started.some((request) => request.command === 'AbortMultipartUploadCommand' && request.segment === 12 * MiB),
    'the multipart upload of the failed segment was not aborted',
  );
  s3.hook = undefined;
  assert.equal(await store.appendUpload(id, 12 * MiB, content.stream(12 * MiB, content.size), { declaredLength: 100 * GiB }), content.size - 12 * MiB);
  assert.equal((await hashStream(await store.readUpload(id, content.size))).sha256, content.sha256());
  await store.deleteUpload(id);
});

test('overlap: a source that errors while a segment uploads fails the append with its error, after the upload settled', { timeout: 60_000 }, async () => {
  const prefix = `fail-source-${randomUUID()}/`;
  const { store, s3 } = await openFaulty(prefix);
  const content = new SeededContent('fail-source', 20 * MiB);
  const failure = new Error('connection reset by test');
  s3.hook = async (request) => {
    if (request.command === 'PutObjectCommand' && request.segment === 0) await delay(300);
  };
  async function* failing(): AsyncGenerator<Buffer> {
    yield* content.stream(0, 9 * MiB, 64 * 1024) as AsyncIterable<Buffer>;
    throw failure;
  }
  const id = randomUUID();
  await store.createUpload(id);
  await assert.rejects(store.appendUpload(id, 0, Readable.from(failing())), (error: unknown) => {
    assert.equal(error, failure);
    return true;
  });
  assert.deepEqual([...s3.inFlight], [], 'the segment upload was still in flight when appendUpload settled');
  await assertQuiet(s3, 200, 'failed source');
  // The upload in flight was aborted with the append, before it reached S3.
  assert.deepEqual(await segmentsOf(prefix, id), []);
  s3.hook = undefined;
  assert.equal(await store.appendUpload(id, 0, content.stream()), content.size);
  assert.equal((await hashStream(await store.readUpload(id, content.size))).sha256, content.sha256());
  await store.deleteUpload(id);
});

test('overlap: an abort while a segment uploads rejects with an AbortError once the upload settled', { timeout: 60_000 }, async () => {
  const prefix = `abort-${randomUUID()}/`;
  const { store, s3 } = await openFaulty(prefix);
  const content = new SeededContent('abort-overlap', 20 * MiB);
  const controller = new AbortController();
  s3.hook = async (request) => {
    if (request.command !== 'PutObjectCommand' || request.segment !== 8 * MiB) return;
    controller.abort();
    await delay(200);
  };
  const id = randomUUID();
  await store.createUpload(id);
  await assert.rejects(store.appendUpload(id, 0, content.stream(0, content.size, 64 * 1024), { signal: controller.signal }), { name: 'AbortError' });
  assert.deepEqual([...s3.inFlight], [], 'the segment upload was still in flight when appendUpload settled');
  await assertQuiet(s3, 200, 'aborted append');
  assert.deepEqual(await segmentsOf(prefix, id), [[0, 8 * MiB]]);
  s3.hook = undefined;
  assert.equal(await store.appendUpload(id, 8 * MiB, content.stream(8 * MiB, content.size)), content.size - 8 * MiB);
  assert.equal((await hashStream(await store.readUpload(id, content.size))).sha256, content.sha256());
  await store.deleteUpload(id);
});

async function listUploads(store: S3BlobStore): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const upload of store.listUploads()) found.set(upload.id, upload.size);
  return found;
}

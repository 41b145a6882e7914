// The BlobStore contract. Every driver runs this suite from test/drivers/ with
// describeBlobStore({ name, create, destroy, skip }).
//
// Like Distribution's storage driver suite, one store serves the whole suite and
// every test must leave it as it found it: after each test the suite compares
// list() and listUploads() with what they held before the test, removes anything
// left behind and fails the test that left it. At the end the store must be empty.
//
// A driver that cannot (yet) meet part of the contract names the tests in `skip`
// with a reason; they are reported as skipped with that reason, never left out.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { isDigest, parseDigest, type Digest } from '../../src/model/digest.ts';
import {
  BlobNotFoundError,
  InvalidOffsetError,
  UploadNotFoundError,
  type BlobStore,
  type ByteRange,
} from '../../src/storage/blob/blob-store.ts';
import { collect, hashStream, SeededContent } from './seeded-content.ts';

export interface SkippedTests {
  readonly reason: string;
  readonly tests: readonly string[];
}

export interface BlobStoreSuiteOptions<S extends BlobStore = BlobStore> {
  readonly name: string;
  /** A fresh, empty store. */
  readonly create: () => Promise<S> | S;
  /** Closes the store and removes whatever backs it. */
  readonly destroy: (store: S) => Promise<void> | void;
  readonly skip?: readonly SkippedTests[];
  /**
   * Per-test time limit. A store behind a network (S3) makes a request per small
   * append; with the whole suite and other servers sharing two cores that can take
   * many times what it takes alone (a 97-append test: 1.3 s alone, over 30 s in CI).
   */
  readonly timeoutMs?: number;
}

const MiB = 1024 * 1024;
const LARGE_TIMEOUT = 120_000;

type TestBody = (store: BlobStore) => Promise<void>;

export function describeBlobStore<S extends BlobStore>(options: BlobStoreSuiteOptions<S>): void {
  const skipped = new Map<string, string>();
  for (const entry of options.skip ?? []) {
    assert.ok(entry.reason.trim() !== '', 'a skip entry needs a reason');
    for (const title of entry.tests) skipped.set(title, entry.reason);
  }
  const titles = new Set<string>();

  describe(`BlobStore contract: ${options.name}`, () => {
    let store: S | undefined;
    let snapshot: Contents = { blobs: [], uploads: [] };
    const current = (): S => {
      assert.ok(store, 'the store was not created');
      return store;
    };

    before(async () => {
      store = await options.create();
      const initial = await contents(store);
      assert.deepEqual(initial, { blobs: [], uploads: [] }, 'create() must return an empty store');
    });

    after(async () => {
      if (!store) return;
      try {
        assert.deepEqual(await contents(store), { blobs: [], uploads: [] }, 'the store must be empty after the suite');
      } finally {
        await options.destroy(store);
      }
    });

    beforeEach(async () => {
      snapshot = await contents(current());
    });

    afterEach(async () => {
      const now = await contents(current());
      const leftover: Contents = {
        blobs: now.blobs.filter((blob) => !snapshot.blobs.includes(blob)),
        uploads: now.uploads.filter((upload) => !snapshot.uploads.includes(upload)),
      };
      for (const blob of leftover.blobs) await current().delete(digestOf(blob.split(' ')[0]!));
      for (const upload of leftover.uploads) await current().deleteUpload(upload.split(' ')[0]!);
      assert.deepEqual(leftover, { blobs: [], uploads: [] }, 'the test left blobs or uploads behind (removed now)');
    });

    const it = (title: string, body: TestBody, timeout = options.timeoutMs ?? 30_000): void => {
      assert.ok(!titles.has(title), `duplicate test title ${title}`);
      titles.add(title);
      const reason = skipped.get(title);
      if (reason !== undefined) test(title, { skip: reason }, () => {});
      else test(title, { timeout }, () => body(current()));
    };

    // ---------------------------------------------------------------- absent things

    it('stat of an absent blob is undefined', async (s) => {
      assert.equal(await s.stat(sha256Digest(Buffer.from('never stored'))), undefined);
    });

    it('read of an absent blob rejects with BlobNotFoundError naming the digest', async (s) => {
      const digest = sha256Digest(Buffer.from('never stored'));
      await assert.rejects(s.read(digest), (error: unknown) => {
        assert.ok(error instanceof BlobNotFoundError, `expected BlobNotFoundError, got ${String(error)}`);
        assert.equal(error.key, digest.value);
        return true;
      });
      await assert.rejects(s.read(digest, { start: 0, end: 0 }), BlobNotFoundError);
    });

    it('delete of an absent blob returns false', async (s) => {
      assert.equal(await s.delete(sha256Digest(Buffer.from('never stored'))), false);
    });

    it('operations on an absent upload reject with UploadNotFoundError', async (s) => {
      const id = randomUUID();
      const notFound = (error: unknown): boolean => {
        assert.ok(error instanceof UploadNotFoundError, `expected UploadNotFoundError, got ${String(error)}`);
        assert.equal(error.id, id);
        return true;
      };
      await assert.rejects(s.appendUpload(id, 0, Readable.from([Buffer.from('x')])), notFound);
      await assert.rejects(s.readUpload(id, 0), notFound);
      await assert.rejects(s.commitUpload(id, 0, sha256Digest(Buffer.alloc(0))), notFound);
      assert.equal(await s.stat(sha256Digest(Buffer.alloc(0))), undefined, 'a failed commit must not create a blob');
    });

    it('deleteUpload of an absent upload resolves', async (s) => {
      await s.deleteUpload(randomUUID());
    });

    // ---------------------------------------------------------------- upload lifecycle

    it('createUpload stages an empty upload that listUploads reports', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      const staged = await uploadsOf(s);
      assert.equal(staged.get(id)?.size, 0);
      assert.ok(staged.get(id)?.modifiedAt instanceof Date);
      assert.deepEqual(await collect(await s.readUpload(id, 0)), Buffer.alloc(0));
      await s.deleteUpload(id);
      assert.equal((await uploadsOf(s)).has(id), false);
    });

    it('appendUpload in 1-byte chunks', async (s) => {
      const content = new SeededContent('one-byte-chunks', 97);
      const id = randomUUID();
      await s.createUpload(id);
      for (let offset = 0; offset < content.size; offset++) {
        const written = await s.appendUpload(id, offset, content.stream(offset, offset + 1));
        assert.equal(written, 1, `append at ${offset}`);
      }
      assert.equal((await uploadsOf(s)).get(id)?.size, content.size);
      assert.deepEqual(await collect(await s.readUpload(id, content.size)), content.bytes());
      const digest = sha256Digest(content.bytes());
      await s.commitUpload(id, content.size, digest);
      assert.deepEqual(await collect(await s.read(digest)), content.bytes());
      assert.equal(await s.delete(digest), true);
    });

    it('appendUpload in several chunks', async (s) => {
      const content = new SeededContent('several-chunks', 3 * MiB + 12345);
      const cuts = [0, 1, 4096, MiB + 7, 2 * MiB, content.size];
      const id = randomUUID();
      await s.createUpload(id);
      for (let index = 0; index + 1 < cuts.length; index++) {
        const [start, end] = [cuts[index]!, cuts[index + 1]!];
        assert.equal(await s.appendUpload(id, start, content.stream(start, end, 64 * 1024)), end - start);
      }
      assert.equal((await uploadsOf(s)).get(id)?.size, content.size);
      assert.equal((await hashStream(await s.readUpload(id, content.size))).sha256, content.sha256());
      const digest = digestOf(`sha256:${content.sha256()}`);
      await s.commitUpload(id, content.size, digest);
      assert.deepEqual(await hashStream(await s.read(digest)), { sha256: content.sha256(), size: content.size });
      assert.equal(await s.delete(digest), true);
    });

    it('appendUpload at an earlier offset discards the staged tail first', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('good-bytes'), Buffer.from('FAILED-TAIL-THAT-IS-LONG')]));
      // The second part "failed": the caller resumes at its own offset, 10.
      assert.equal(await s.appendUpload(id, 10, Readable.from([Buffer.from('+ok')])), 3);
      assert.equal((await uploadsOf(s)).get(id)?.size, 13);
      assert.equal((await collect(await s.readUpload(id, 13))).toString(), 'good-bytes+ok');
      // Rewinding to 0 replaces everything.
      assert.equal(await s.appendUpload(id, 0, Readable.from([Buffer.from('new')])), 3);
      assert.equal((await collect(await s.readUpload(id, 3))).toString(), 'new');
      assert.equal((await uploadsOf(s)).get(id)?.size, 3);
      // An append of nothing at an offset truncates too.
      assert.equal(await s.appendUpload(id, 1, Readable.from([])), 0);
      assert.equal((await uploadsOf(s)).get(id)?.size, 1);
      await s.deleteUpload(id);
    });

    it('appendUpload past the staged size rejects with InvalidOffsetError and keeps the staged bytes', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('0123456789')]));
      await assert.rejects(s.appendUpload(id, 11, Readable.from([Buffer.from('x')])), InvalidOffsetError);
      assert.equal((await uploadsOf(s)).get(id)?.size, 10);
      assert.equal((await collect(await s.readUpload(id, 10))).toString(), '0123456789');
      await s.deleteUpload(id);
    });

    it('appendUpload at a negative offset rejects and keeps the staged bytes', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('0123456789')]));
      await assert.rejects(s.appendUpload(id, -3, Readable.from([Buffer.from('x')])));
      assert.equal((await uploadsOf(s)).get(id)?.size, 10);
      assert.equal((await collect(await s.readUpload(id, 10))).toString(), '0123456789');
      await s.deleteUpload(id);
    });

    it('readUpload streams exactly the first N staged bytes', async (s) => {
      const content = new SeededContent('read-upload', 2 * MiB + 3);
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, content.stream());
      for (const length of [0, 1, 100, MiB, MiB + 1, content.size]) {
        const read = await hashStream(await s.readUpload(id, length));
        assert.deepEqual(read, { sha256: content.sha256(0, length), size: length }, `readUpload(${length})`);
      }
      // Reading does not consume or change the staging area.
      assert.equal((await uploadsOf(s)).get(id)?.size, content.size);
      await s.deleteUpload(id);
    });

    it('commitUpload makes the blob readable with the exact bytes and removes the staging area', async (s) => {
      const bytes = Buffer.from('exact bytes \x00\xff\n', 'latin1');
      const digest = sha256Digest(bytes);
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([bytes]));
      assert.equal(await s.stat(digest), undefined, 'a staged upload is not a blob');
      await s.commitUpload(id, bytes.length, digest);
      assert.equal((await s.stat(digest))?.size, bytes.length);
      assert.deepEqual(await collect(await s.read(digest)), bytes);
      assert.equal((await uploadsOf(s)).has(id), false, 'the staging area is gone after commit');
      await assert.rejects(s.readUpload(id, 0), UploadNotFoundError);
      await assert.rejects(s.appendUpload(id, 0, Readable.from([Buffer.from('x')])), UploadNotFoundError);
      await s.deleteUpload(id); // still fine
      assert.equal(await s.delete(digest), true);
    });

    it('commitUpload of fewer bytes than staged commits only that prefix', async (s) => {
      const staged = Buffer.from('hello world, and then some junk');
      const blob = staged.subarray(0, 11);
      const digest = sha256Digest(blob);
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([staged]));
      await s.commitUpload(id, blob.length, digest);
      assert.equal((await s.stat(digest))?.size, 11);
      assert.equal((await collect(await s.read(digest))).toString(), 'hello world');
      assert.equal((await uploadsOf(s)).has(id), false);
      assert.equal(await s.delete(digest), true);
    });

    it('commitUpload of more bytes than staged rejects and creates no blob', async (s) => {
      const bytes = Buffer.from('short');
      const digest = sha256Digest(Buffer.from('short and longer'));
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([bytes]));
      await assert.rejects(s.commitUpload(id, 16, digest));
      assert.equal(await s.stat(digest), undefined);
      assert.equal((await blobsOf(s)).has(digest.value), false);
      await s.deleteUpload(id);
    });

    it('commitUpload when the blob already exists keeps one intact blob and drops the staging area', async (s) => {
      const bytes = Buffer.from('committed twice');
      const digest = sha256Digest(bytes);
      const first = randomUUID();
      const second = randomUUID();
      for (const id of [first, second]) {
        await s.createUpload(id);
        await s.appendUpload(id, 0, Readable.from([bytes]));
      }
      await s.commitUpload(first, bytes.length, digest);
      // A concurrent reader of the existing blob must not be disturbed by the second commit.
      const reader = await s.read(digest);
      await s.commitUpload(second, bytes.length, digest);
      assert.deepEqual(await collect(reader), bytes);
      assert.deepEqual(await collect(await s.read(digest)), bytes);
      assert.equal((await s.stat(digest))?.size, bytes.length);
      const uploads = await uploadsOf(s);
      assert.equal(uploads.has(first) || uploads.has(second), false);
      assert.deepEqual([...(await blobsOf(s)).keys()].filter((key) => key === digest.value), [digest.value]);
      assert.equal(await s.delete(digest), true);
    });

    it('concurrent commits of the same content leave one blob', async (s) => {
      const bytes = Buffer.from('raced');
      const digest = sha256Digest(bytes);
      const ids = Array.from({ length: 4 }, () => randomUUID());
      await Promise.all(
        ids.map(async (id) => {
          await s.createUpload(id);
          await s.appendUpload(id, 0, Readable.from([bytes]));
        }),
      );
      await Promise.all(ids.map((id) => s.commitUpload(id, bytes.length, digest)));
      assert.deepEqual(await collect(await s.read(digest)), bytes);
      const uploads = await uploadsOf(s);
      assert.deepEqual(ids.filter((id) => uploads.has(id)), []);
      assert.equal(await s.delete(digest), true);
    });

    it('deleteUpload twice resolves and removes the staged bytes', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('discard me')]));
      await s.deleteUpload(id);
      await s.deleteUpload(id);
      assert.equal((await uploadsOf(s)).has(id), false);
      await assert.rejects(s.readUpload(id, 0), UploadNotFoundError);
      await assert.rejects(s.appendUpload(id, 0, Readable.from([Buffer.from('x')])), UploadNotFoundError);
    });

    it('an aborted appendUpload rejects promptly and leaves the upload usable', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('kept:')]));
      const controller = new AbortController();
      let sent = false;
      // A source that sends a little and then stalls, like a client that stopped sending.
      const stalled = new Readable({
        read() {
          if (sent) return;
          sent = true;
          this.push(Buffer.from('partial'));
        },
      });
      const append = s.appendUpload(id, 5, stalled, { signal: controller.signal });
      await delay(50);
      const abortedAt = Date.now();
      controller.abort();
      await assert.rejects(append, (error: unknown) => {
        assert.equal((error as Error).name, 'AbortError');
        return true;
      });
      assert.ok(Date.now() - abortedAt < 5_000, 'appendUpload did not give up promptly after the abort');
      assert.ok(stalled.destroyed, 'the source stream is destroyed');
      // Whatever the aborted append left past offset 5 is discarded by the next append there.
      assert.equal(await s.appendUpload(id, 5, Readable.from([Buffer.from('resumed')])), 7);
      const expected = Buffer.from('kept:resumed');
      assert.equal((await uploadsOf(s)).get(id)?.size, expected.length);
      const digest = sha256Digest(expected);
      await s.commitUpload(id, expected.length, digest);
      assert.deepEqual(await collect(await s.read(digest)), expected);
      assert.equal(await s.delete(digest), true);
    });

    it('appendUpload with an already aborted signal rejects and writes nothing', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, Readable.from([Buffer.from('abc')]));
      await assert.rejects(s.appendUpload(id, 3, Readable.from([Buffer.from('never')]), { signal: AbortSignal.abort() }), {
        name: 'AbortError',
      });
      assert.equal((await uploadsOf(s)).get(id)?.size, 3);
      await s.deleteUpload(id);
    });

    it('appendUpload rejects with the error of a source stream that fails midway', async (s) => {
      const id = randomUUID();
      await s.createUpload(id);
      const failure = new Error('connection reset by test');
      async function* failing(): AsyncGenerator<Buffer> {
        yield Buffer.from('first part;');
        await delay(5);
        throw failure;
      }
      await assert.rejects(s.appendUpload(id, 0, Readable.from(failing())), (error: unknown) => {
        assert.equal(error, failure);
        return true;
      });
      // The upload survives and can be restarted at 0.
      assert.equal(await s.appendUpload(id, 0, Readable.from([Buffer.from('again')])), 5);
      assert.equal((await collect(await s.readUpload(id, 5))).toString(), 'again');
      assert.equal((await uploadsOf(s)).get(id)?.size, 5);
      await s.deleteUpload(id);
    });

    // ---------------------------------------------------------------- sizes

    const sizes: Array<[string, number]> = [
      ['0 bytes', 0],
      ['1 byte', 1],
      ['5 MiB - 1 bytes', 5 * MiB - 1],
      ['5 MiB', 5 * MiB],
      ['5 MiB + 1 bytes', 5 * MiB + 1],
      ['50 MiB', 50 * MiB],
    ];
    for (const [label, size] of sizes) {
      it(
        `round trip of a blob of ${label}`,
        async (s) => {
          const content = new SeededContent(`size-${size}`, size);
          const digest = digestOf(`sha256:${content.sha256()}`);
          const id = randomUUID();
          await s.createUpload(id);
          assert.equal(await s.appendUpload(id, 0, content.stream()), size);
          assert.equal((await uploadsOf(s)).get(id)?.size, size);
          await s.commitUpload(id, size, digest);
          assert.equal((await s.stat(digest))?.size, size);
          assert.deepEqual(await hashStream(await s.read(digest)), { sha256: content.sha256(), size });
          if (size > 0) {
            const last = await collect(await s.read(digest, { start: size - 1, end: size - 1 }));
            assert.deepEqual(last, content.bytes(size - 1, size), 'the last byte');
          }
          assert.equal((await blobsOf(s)).get(digest.value)?.size, size);
          assert.equal(await s.delete(digest), true);
          assert.equal(await s.stat(digest), undefined);
        },
        LARGE_TIMEOUT,
      );
    }

    it('a sha512 blob is stored, listed and read under its sha512 digest', async (s) => {
      const content = new SeededContent('sha512', 4099);
      const digest = digestOf(`sha512:${content.sha512()}`);
      const id = randomUUID();
      await s.createUpload(id);
      await s.appendUpload(id, 0, content.stream());
      await s.commitUpload(id, content.size, digest);
      assert.equal((await s.stat(digest))?.size, content.size);
      assert.deepEqual(await collect(await s.read(digest)), content.bytes());
      assert.equal((await blobsOf(s)).get(digest.value)?.size, content.size);
      assert.equal(await s.stat(digestOf(`sha256:${content.sha512().slice(0, 64)}`)), undefined);
      assert.equal(await s.delete(digest), true);
    });

    // ---------------------------------------------------------------- reads

    const ranged = (title: string, pick: (size: number) => ByteRange): void => {
      it(`ranged read: ${title}`, async (s) => {
        const content = new SeededContent('ranged', 3 * MiB + 17);
        const digest = await putContent(s, content);
        try {
          const range = pick(content.size);
          const read = await hashStream(await s.read(digest, range));
          assert.deepEqual(read, { sha256: content.sha256(range.start, range.end + 1), size: range.end - range.start + 1 });
        } finally {
          await s.delete(digest);
        }
      });
    };
    ranged('the start', () => ({ start: 0, end: 99 }));
    ranged('the middle, across internal chunk boundaries', () => ({ start: MiB - 5, end: 2 * MiB + 5 }));
    ranged('the end', (size) => ({ start: size - 100, end: size - 1 }));
    ranged('a single byte', () => ({ start: 12345, end: 12345 }));
    ranged('the first byte', () => ({ start: 0, end: 0 }));
    ranged('the whole blob', (size) => ({ start: 0, end: size - 1 }));

    it('openRandomAccess, where offered, reads the same bytes at any position; absent blobs reject', async (s) => {
      if (!s.openRandomAccess) return; // optional capability: the streaming read() is the contract
      const content = new SeededContent('random-access', 3 * MiB + 7);
      const digest = await putContent(s, content);
      try {
        const blob = await s.openRandomAccess(digest);
        try {
          const whole = createHash('sha256');
          const buffer = Buffer.alloc(MiB);
          for (let position = 0; ; ) {
            const read = await blob.read(buffer, buffer.length, position);
            if (read === 0) break;
            whole.update(buffer.subarray(0, read));
            position += read;
          }
          assert.equal(whole.digest('hex'), content.sha256());
          const tail = Buffer.alloc(100);
          assert.equal(await blob.read(tail, 100, content.size - 7), 7, 'a read past the end returns what is left');
          const expectedTail = await hashStream(await s.read(digest, { start: content.size - 7, end: content.size - 1 }));
          assert.equal(createHash('sha256').update(tail.subarray(0, 7)).digest('hex'), expectedTail.sha256);
        } finally {
          await blob.close();
        }
        await assert.rejects(s.openRandomAccess(sha256Digest(Buffer.from('absent'))), BlobNotFoundError);
      } finally {
        await s.delete(digest);
      }
    });

    it('presignedUrl, where offered, gives a URL that serves the bytes and ranges to a plain GET', async (s) => {
      if (!s.presignedUrl) return; // optional capability: stores that serve clients directly
      const content = new SeededContent('presigned', 70_001);
      const digest = await putContent(s, content);
      try {
        const url = await s.presignedUrl(digest, 60);
        const whole = await fetch(url);
        assert.equal(whole.status, 200);
        assert.deepEqual(Buffer.from(await whole.arrayBuffer()), content.bytes());
        const range = await fetch(url, { headers: { range: 'bytes=100-199' } });
        assert.equal(range.status, 206);
        assert.deepEqual(Buffer.from(await range.arrayBuffer()), content.bytes(100, 200));
      } finally {
        await s.delete(digest);
      }
    });

    it('concurrent readers of one blob each get all the bytes', async (s) => {
      const content = new SeededContent('concurrent-readers', 2 * MiB + 1);
      const digest = await putContent(s, content);
      try {
        const whole = Array.from({ length: 8 }, async () => hashStream(await s.read(digest)));
        const parts = Array.from({ length: 4 }, async (_, index) => {
          const start = index * 1000;
          return { index, read: await hashStream(await s.read(digest, { start, end: content.size - 1 })) };
        });
        for (const read of await Promise.all(whole)) assert.deepEqual(read, { sha256: content.sha256(), size: content.size });
        for (const { index, read } of await Promise.all(parts)) {
          assert.deepEqual(read, { sha256: content.sha256(index * 1000), size: content.size - index * 1000 });
        }
      } finally {
        await s.delete(digest);
      }
    });

    it('stat reports the size and modification time', async (s) => {
      const before = Date.now();
      const digest = await putContent(s, new SeededContent('stat', 1234));
      try {
        const stat = await s.stat(digest);
        assert.equal(stat?.size, 1234);
        assert.ok(stat?.modifiedAt instanceof Date);
        // Allow for coarse filesystem/object-store timestamps.
        assert.ok(Math.abs(stat.modifiedAt.getTime() - before) < 60_000, `modifiedAt ${stat.modifiedAt.toISOString()} is not recent`);
      } finally {
        await s.delete(digest);
      }
    });

    it('delete removes the blob, and deleting twice returns false', async (s) => {
      const digest = await putContent(s, new SeededContent('delete-twice', 10));
      assert.equal(await s.delete(digest), true);
      assert.equal(await s.stat(digest), undefined);
      await assert.rejects(s.read(digest), BlobNotFoundError);
      assert.equal((await blobsOf(s)).has(digest.value), false);
      assert.equal(await s.delete(digest), false);
    });

    it('a deleted blob can be stored again', async (s) => {
      const content = new SeededContent('re-store', 321);
      const digest = await putContent(s, content);
      assert.equal(await s.delete(digest), true);
      assert.deepEqual(await putContent(s, content), digest);
      assert.deepEqual(await collect(await s.read(digest)), content.bytes());
      assert.equal(await s.delete(digest), true);
    });

    // ---------------------------------------------------------------- listings

    it('list reports exactly the stored blobs with their sizes', async (s) => {
      const contents = [0, 1, 77, 4096].map((size) => new SeededContent(`list-${size}`, size));
      const digests = [];
      for (const content of contents) digests.push(await putContent(s, content));
      try {
        const listed = await blobsOf(s);
        assert.deepEqual(
          [...listed.entries()].map(([digest, blob]) => [digest, blob.size]).sort(),
          digests.map((digest, index) => [digest.value, contents[index]!.size]).sort(),
        );
        for (const blob of listed.values()) assert.ok(blob.modifiedAt instanceof Date);
      } finally {
        for (const digest of digests) await s.delete(digest);
      }
      assert.deepEqual([...(await blobsOf(s)).keys()], []);
    });

    it('listUploads reports exactly the staged uploads with their sizes', async (s) => {
      const staged = new Map([
        [randomUUID(), 0],
        [randomUUID(), 5],
        [randomUUID(), 1000],
      ]);
      for (const [id, size] of staged) {
        await s.createUpload(id);
        if (size > 0) await s.appendUpload(id, 0, new SeededContent(id, size).stream());
      }
      try {
        const listed = await uploadsOf(s);
        assert.deepEqual(
          [...listed.entries()].map(([id, upload]) => [id, upload.size]).sort(),
          [...staged.entries()].sort(),
        );
        for (const upload of listed.values()) assert.ok(upload.modifiedAt instanceof Date);
        // Blobs and uploads are separate: no upload shows up as a blob.
        assert.deepEqual([...(await blobsOf(s)).keys()], []);
      } finally {
        for (const id of staged.keys()) await s.deleteUpload(id);
      }
    });

    it('list and listUploads honour an aborted signal', async (s) => {
      const digest = await putContent(s, new SeededContent('aborted-list', 3));
      const id = randomUUID();
      await s.createUpload(id);
      try {
        const signal = AbortSignal.abort();
        await assert.rejects(drain(s.list({ signal })), { name: 'AbortError' });
        await assert.rejects(drain(s.listUploads({ signal })), { name: 'AbortError' });
      } finally {
        await s.delete(digest);
        await s.deleteUpload(id);
      }
    });

    const unknown = [...skipped.keys()].filter((title) => !titles.has(title));
    test('the skip list names only tests of this suite', () => {
      assert.deepEqual(unknown, [], 'skip entries for tests that do not exist (renamed?)');
    });
  });
}

// ---------------------------------------------------------------------- helpers

interface Contents {
  /** `digest size` strings, sorted. */
  readonly blobs: string[];
  /** `id size` strings, sorted. */
  readonly uploads: string[];
}

async function contents(store: BlobStore): Promise<Contents> {
  const blobs: string[] = [];
  for await (const blob of store.list()) blobs.push(`${blob.digest} ${blob.size}`);
  const uploads: string[] = [];
  for await (const upload of store.listUploads()) uploads.push(`${upload.id} ${upload.size}`);
  return { blobs: blobs.sort(), uploads: uploads.sort() };
}

async function blobsOf(store: BlobStore): Promise<Map<string, { size: number; modifiedAt: Date }>> {
  const found = new Map<string, { size: number; modifiedAt: Date }>();
  for await (const blob of store.list()) {
    assert.ok(!found.has(blob.digest), `list() reported ${blob.digest} twice`);
    found.set(blob.digest, blob);
  }
  return found;
}

async function uploadsOf(store: BlobStore): Promise<Map<string, { size: number; modifiedAt: Date }>> {
  const found = new Map<string, { size: number; modifiedAt: Date }>();
  for await (const upload of store.listUploads()) {
    assert.ok(!found.has(upload.id), `listUploads() reported ${upload.id} twice`);
    found.set(upload.id, upload);
  }
  return found;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable);
}

function digestOf(text: string): Digest {
  const digest = parseDigest(text);
  assert.ok(isDigest(digest), `test bug: bad digest ${text}`);
  return digest;
}

function sha256Digest(bytes: Uint8Array): Digest {
  return digestOf(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
}

/** Stores the content through the upload path and returns its digest. */
async function putContent(store: BlobStore, content: SeededContent): Promise<Digest> {
  const digest = digestOf(`sha256:${content.sha256()}`);
  const id = randomUUID();
  await store.createUpload(id);
  await store.appendUpload(id, 0, content.stream());
  await store.commitUpload(id, content.size, digest);
  return digest;
}

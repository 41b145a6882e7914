// One collection run over a real blob store driver with SQLite metadata and an
// in-process Registry: an image deleted since it was pushed loses exactly the blobs no
// other image uses, bytes without a row (a crash between storing and linking) go, a
// mark a crashed run left is finished, the grace period protects everything younger, a
// dry run changes nothing, and the images that stay are pulled back byte for byte.
// Run on the filesystem and the S3 test server (collector.test.ts) and on a real Ceph
// RADOS Gateway (test/drivers/ceph-rgw.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { collectGarbage } from '../../src/gc/collector.ts';
import { DEFAULT_LIMITS } from '../../src/registry/registry-context.ts';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import type { BlobStore } from '../../src/storage/blob/blob-store.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { assertPullable, digestOf, pushBlob, pushImage, storedDigests } from './gc-fixtures.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeCollector(name: string, openBlobs: () => Promise<BlobStore>): void {
  describe(`garbage collection on ${name}`, () => {
    let dir: string;
    let registry: Registry;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-gc-'));
      registry = createRegistry({
        blobs: await openBlobs(),
        metadata: SqliteMetadataStore.open({ path: join(dir, 'meta.db') }),
        limits: DEFAULT_LIMITS,
        now: () => new Date(),
        accountId: '123456789012',
        createOnPush: true,
      });
    });

    after(async () => {
      await registry.context.metadata.close();
      await registry.context.blobs.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('reclaims a deleted image, orphans and a crashed run\'s mark; keeps what is referenced or young', async () => {
      const shared = randomBytes(3000);
      const doomed = { config: Buffer.from(`{"doomed":"${randomUUID()}"}`), layers: [shared, randomBytes(5000), randomBytes(7000)] };
      const kept = { config: Buffer.from(`{"kept":"${randomUUID()}"}`), layers: [shared, randomBytes(11000)] };
      const doomedDigest = await pushImage(registry, 'team/doomed', 'v1', doomed);
      await pushImage(registry, 'team/kept', 'v1', kept);
      // The same blob pushed into a second repository and never used there: it goes too.
      await pushBlob(registry, 'team/other', doomed.layers[1]!);
      assert.equal(await registry.context.metadata.manifests.delete('team/doomed', doomedDigest), true);
      // Bytes without a row, as a crash between committing and linking leaves them.
      const orphan = randomBytes(900);
      await registry.context.blobs.createUpload('orphan-upload');
      await registry.context.blobs.appendUpload('orphan-upload', 0, Readable.from([orphan]));
      await registry.context.blobs.commitUpload('orphan-upload', orphan.length, digestOf(orphan));
      // A blob a crashed run had marked: links gone, bytes still there.
      const leftover = randomBytes(400);
      await pushBlob(registry, 'team/leftover', leftover);
      await sleep(20);
      assert.deepEqual(await registry.context.metadata.blobCollection.mark([digestOf(leftover).value], new Date()), [digestOf(leftover).value]);
      await sleep(20);

      const doomedBytes = doomed.config.length + doomed.layers[1]!.length + doomed.layers[2]!.length;
      const protectedRun = await collectGarbage({ metadata: registry.context.metadata, blobs: registry.context.blobs, gracePeriodSeconds: 3600 });
      assert.equal(protectedRun.blobsReclaimed, 0, 'everything is younger than the grace period');
      assert.equal(protectedRun.orphansReclaimed, 0, 'young orphans are kept');
      assert.equal(protectedRun.leftoversFinished, 1, 'a mark is finished whatever its age');

      const before = await storedDigests(registry);
      const dry = await collectGarbage({ metadata: registry.context.metadata, blobs: registry.context.blobs, gracePeriodSeconds: 0, dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.equal(dry.blobsReclaimed, 3, 'the config and the two layers only the deleted image used');
      assert.equal(dry.bytesReclaimed, doomedBytes);
      assert.equal(dry.orphansReclaimed, 1);
      assert.equal(dry.orphanBytesReclaimed, orphan.length);
      assert.deepEqual(await storedDigests(registry), before, 'a dry run deletes nothing');

      const progress: string[] = [];
      const run = await collectGarbage({
        metadata: registry.context.metadata,
        blobs: registry.context.blobs,
        gracePeriodSeconds: 0,
        batchSize: 2,
        onProgress: (event) => progress.push(event.phase),
      });
      assert.equal(run.blobsReclaimed, 3);
      assert.equal(run.bytesReclaimed, doomedBytes);
      assert.equal(run.orphansReclaimed, 1);
      assert.equal(run.orphanBytesReclaimed, orphan.length);
      assert.equal(run.leftoversFinished, 0);
      assert.equal(run.stoppedEarly, undefined);
      assert.ok(progress.includes('sweep') && progress.includes('orphans'), progress.join());
      const expected = [kept.config, ...kept.layers].map((blob) => digestOf(blob).value).sort();
      assert.deepEqual(await storedDigests(registry), expected, 'exactly the kept image\'s blobs remain');
      await assertPullable(registry, 'team/kept', 'v1');
      assert.equal(await registry.context.metadata.blobs.linked('team/other', digestOf(doomed.layers[1]!).value), undefined);
      assert.deepEqual(await registry.context.metadata.blobCollection.marked(undefined, 10), []);

      // A collected digest can be pushed again, and is stored afresh.
      await pushImage(registry, 'team/doomed', 'v2', doomed);
      await assertPullable(registry, 'team/doomed', 'v2');
      const again = await collectGarbage({ metadata: registry.context.metadata, blobs: registry.context.blobs, gracePeriodSeconds: 0 });
      assert.equal(again.blobsReclaimed + again.orphansReclaimed, 0, 'nothing left to reclaim');
      await assertPullable(registry, 'team/doomed', 'v2');
    });

    test('a run stops before deleting once its lease is in doubt, and the next run finishes its marks', async () => {
      const blobs = Array.from({ length: 6 }, () => randomBytes(100));
      for (const blob of blobs) await pushBlob(registry, 'lease/test', blob);
      await sleep(20);
      let checks = 0;
      const stopped = await collectGarbage({
        metadata: registry.context.metadata,
        blobs: registry.context.blobs,
        gracePeriodSeconds: 0,
        batchSize: 2,
        // Lost after the first batch was marked: the collector must not delete it.
        mayDelete: () => ++checks <= 2,
      });
      assert.equal(stopped.stoppedEarly, 'the run lease could not be renewed');
      const marked = await registry.context.metadata.blobCollection.marked(undefined, 100);
      assert.equal(marked.length, 2, 'the marked batch stays marked');
      for (const blob of marked) assert.ok((await storedDigests(registry)).includes(blob.digest), 'its bytes were not deleted');
      const next = await collectGarbage({ metadata: registry.context.metadata, blobs: registry.context.blobs, gracePeriodSeconds: 0 });
      assert.equal(next.leftoversFinished, 2);
      assert.equal(next.blobsReclaimed, 4);
      for (const blob of blobs) assert.ok(!(await storedDigests(registry)).includes(digestOf(blob).value));
    });
  });
}

// The scheduled garbage collection: once per interval across nodes (two stores over
// one database file stand in for two nodes), never beside another collector, and a
// shutdown that waits for the run in progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startGarbageCollection } from '../../src/jobs/garbage-collection.ts';
import type { GcSummary } from '../../src/gc/gc-plan.ts';
import { takeRunLease } from '../../src/gc/run-lease.ts';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

async function twoNodes(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-gc-job-'));
  const path = join(dir, 'berth.db');
  const blobs = await FsBlobStore.open({ root: join(dir, 'blobs') });
  const metadata = [SqliteMetadataStore.open({ path }), SqliteMetadataStore.open({ path })];
  t.after(async () => {
    for (const store of metadata) await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { blobs, metadata };
}

const log = pino({ level: 'silent' });

test('two nodes checking at once run one collection per interval between them', async (t) => {
  const { blobs, metadata } = await twoNodes(t);
  const runs: GcSummary[] = [];
  const jobs = metadata.map((store) =>
    startGarbageCollection({ metadata: store, blobs, intervalSeconds: 3600, gracePeriodSeconds: 0, log, enabled: true, firstCheckMs: 10, checkEveryMs: 1_000, onSummary: (summary) => runs.push(summary) }),
  );
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  for (const job of jobs) await job.stop();
  assert.equal(runs.length, 1, 'one run across the cluster: the turn lasts the interval');
  assert.equal(runs[0]!.stoppedEarly, undefined);
});

test('a run is skipped while another collector holds the run lease, and runs once it is released', async (t) => {
  const { blobs, metadata } = await twoNodes(t);
  const job = startGarbageCollection({ metadata: metadata[0]!, blobs, intervalSeconds: 3600, gracePeriodSeconds: 0, log, enabled: false });
  const other = await takeRunLease(metadata[1]!.leases);
  assert.ok(other, 'the other collector (berth gc) runs');
  assert.equal(await job.runOnce(), undefined);
  await other.release();
  const summary = await job.runOnce();
  assert.equal(summary?.dryRun, false);
  assert.equal(await takeRunLease(metadata[1]!.leases).then(async (lease) => (await lease?.release(), lease !== undefined)), true, 'the run released its lease');
  await job.stop();
});

test('between turns, marks a stopped collector left are finished at the next check, so uploads of those digests do not wait a whole interval', async (t) => {
  const { blobs, metadata } = await twoNodes(t);
  const store = metadata[0]!;
  const digest = `sha256:${'ab'.repeat(32)}`;
  await store.blobs.reserve(digest, 3, new Date(0));
  assert.deepEqual(await store.blobCollection.mark([digest], new Date()), [digest], 'a collector marked it, then died');
  assert.equal(await store.blobs.reserve(digest, 3, new Date()), 'busy', 'an upload of the digest must wait');
  // This cluster's turn was just taken: no full run is due for an hour.
  await store.leases.tryAcquire('gc-schedule', 'turn:someone', new Date(Date.now() + 3_600_000), new Date());
  const runs: GcSummary[] = [];
  const job = startGarbageCollection({ metadata: store, blobs, intervalSeconds: 3600, gracePeriodSeconds: 86400, log, enabled: true, firstCheckMs: 10, checkEveryMs: 1_000, onSummary: (summary) => runs.push(summary) });
  await new Promise((resolve) => setTimeout(resolve, 600));
  await job.stop();
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.leftoversFinished, 1);
  assert.equal(runs[0]!.blobsReclaimed, 0, 'only the leftovers: no sweep before the turn');
  assert.deepEqual(await store.blobCollection.marked(undefined, 10), []);
  assert.equal(await store.blobs.reserve(digest, 3, new Date()), 'reserved', 'the digest can be uploaded again');
});

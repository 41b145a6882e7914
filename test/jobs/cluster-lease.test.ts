// Scheduled work runs on one node at a time: two nodes (two stores over one database
// file, as two processes would have) ask for the same job's lease.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { clusterLease, leaseHolderName } from '../../src/jobs/cluster-lease.ts';
import { startUploadPurge } from '../../src/jobs/upload-purge.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import type { Uploads } from '../../src/registry/uploads.ts';

test('one node holds a job for an interval; when it stops renewing, another takes over', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-lease-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'berth.db');
  const nodeA = SqliteMetadataStore.open({ path });
  const nodeB = SqliteMetadataStore.open({ path });
  t.after(async () => {
    await nodeA.close();
    await nodeB.close();
  });
  let clock = Date.UTC(2026, 0, 1);
  const now = () => new Date(clock);
  const a = clusterLease(nodeA.leases, 'upload-purge', leaseHolderName(), 60_000, now);
  const b = clusterLease(nodeB.leases, 'upload-purge', leaseHolderName(), 60_000, now);
  assert.equal(await a(), true);
  assert.equal(await b(), false);
  clock += 59_000;
  assert.equal(await a(), true, 'the holder renews');
  clock += 59_000;
  assert.equal(await b(), false, 'renewed until 118 s');
  clock += 2_000; // node A died: no renewal
  assert.equal(await b(), true, 'taken over');
  assert.equal(await a(), false);
});

test('the upload purge skips its scheduled pass when the lease says another node runs it', async (t) => {
  let passes = 0;
  const uploads = { purge: async () => (passes++, 0) } as unknown as Uploads;
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  const mayRun = [false, true];
  const job = startUploadPurge(uploads, { maxAgeSeconds: 60, intervalSeconds: 30, log: pino({ level: 'silent' }), mayRun: async () => mayRun.shift() ?? false });
  t.mock.timers.tick(10_000); // the first pass after start-up: another node holds the lease
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(passes, 0);
  t.mock.timers.tick(20_000); // the interval: now this node holds it
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(passes, 1);
  await job.stop();
});

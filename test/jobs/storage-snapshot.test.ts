// The stored-bytes snapshot job: on a schedule, under a cluster lease, so of two nodes
// sharing a database one takes the snapshots; disabled, it takes none by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { clusterLease } from '../../src/jobs/cluster-lease.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { startStorageSnapshots } from '../../src/usage/storage-snapshot.ts';

function capturingLog(lines: string[]) {
  return pino({ level: 'debug' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
}

test('two nodes on one database: the lease holder snapshots on schedule, the other does not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-snapshot-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stores = [SqliteMetadataStore.open({ path: join(dir, 'meta.db') }), SqliteMetadataStore.open({ path: join(dir, 'meta.db') })];
  await stores[0]!.blobs.link('repo/a', 'sha256:' + 'a'.repeat(64), 42);
  const logs: string[][] = [[], []];
  const jobs = stores.map((store, index) =>
    startStorageSnapshots(store.usage, {
      intervalSeconds: 0.2,
      log: capturingLog(logs[index]!),
      mayRun: clusterLease(store.leases, 'usage-storage-snapshot', `node-${index}`, 60_000),
    }),
  );
  const deadline = Date.now() + 10_000;
  const taken = () => logs.map((lines) => lines.filter((line) => line.includes('stored bytes snapshot taken')).length);
  while (taken().every((count) => count < 2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const job of jobs) await job.stop();
  const [first, second] = taken();
  assert.ok((first! >= 2 && second === 0) || (second! >= 2 && first === 0), `one node takes them all: ${first} and ${second}`);
  const today = new Date().toISOString().slice(0, 10);
  const snapshots = await stores[1]!.usage.storageSnapshots(today, today);
  assert.equal(snapshots.length, 1, 'one snapshot per day, replaced each time');
  assert.deepEqual(snapshots[0]!.repositories, [], 'a linked blob no manifest references is not stored bytes');
  for (const store of stores) await store.close();
});

test('disabled (a node that runs no jobs): nothing by itself; runOnce still snapshots', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-snapshot-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = SqliteMetadataStore.open({ path: join(dir, 'meta.db') });
  const job = startStorageSnapshots(store.usage, { intervalSeconds: 0.1, log: pino({ level: 'silent' }), enabled: false, now: () => new Date('2026-02-03T04:05:06Z') });
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.deepEqual(await store.usage.storageSnapshots('2026-01-01', '2026-12-31'), []);
  await job.runOnce();
  const [snapshot] = await store.usage.storageSnapshots('2026-01-01', '2026-12-31');
  assert.equal(snapshot!.day, '2026-02-03');
  assert.deepEqual(snapshot!.takenAt, new Date('2026-02-03T04:05:06Z'));
  await job.stop();
  await store.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { UsageMeter } from '../../../src/usage/usage-meter.ts';
import { startUsageFlush } from '../../../src/usage/usage-flush.ts';
import type { PullTimeRecord, TrafficRecord, UsageStore } from '../../../src/storage/meta/usage-store.ts';

/** A UsageStore that records the batches it is given, and fails while `failing` is set. */
function recordingStore() {
  const writes: { traffic: TrafficRecord[][]; pulls: PullTimeRecord[][] } = { traffic: [], pulls: [] };
  let failing = false;
  const store: UsageStore = {
    addTraffic: async (rows) => {
      if (failing) throw new Error('database down');
      writes.traffic.push([...rows]);
    },
    recordPullTimes: async (rows) => {
      if (failing) throw new Error('database down');
      writes.pulls.push([...rows]);
    },
    traffic: async () => [],
    storedBytes: async () => ({ repositories: [], registry: 0 }),
    saveStorageSnapshot: async () => undefined,
    storageSnapshots: async () => [],
  };
  return { store, writes, fail: (value: boolean) => (failing = value) };
}

const log = pino({ level: 'silent' });

test('a flush writes everything counted in one traffic batch and one pull-time batch; nothing when idle', async () => {
  const meter = new UsageMeter(() => new Date('2026-03-01T10:00:00Z'));
  const { store, writes } = recordingStore();
  const job = startUsageFlush(meter, store, { intervalSeconds: 3600, log });
  await job.flush();
  assert.deepEqual([writes.traffic.length, writes.pulls.length], [0, 0], 'an idle meter writes nothing');
  for (let n = 0; n < 1000; n++) {
    meter.pulled('a', 10);
    meter.pullTime('a', `sha256:${n % 3}`, new Date(Date.UTC(2026, 2, 1, 10, 0, n % 60)));
  }
  await job.flush();
  assert.equal(writes.traffic.length, 1);
  assert.deepEqual(writes.traffic[0], [{ day: '2026-03-01', repository: 'a', bytesIn: 0, bytesOut: 10_000, pushes: 0, pulls: 1000 }]);
  assert.equal(writes.pulls.length, 1);
  assert.equal(writes.pulls[0]!.length, 3, 'one row per manifest');
  await job.stop();
});

test('a failed write is put back and goes with the next flush; stop flushes what is left', async () => {
  const meter = new UsageMeter(() => new Date('2026-03-01T10:00:00Z'));
  const { store, writes, fail } = recordingStore();
  const job = startUsageFlush(meter, store, { intervalSeconds: 3600, log });
  meter.received('a', 5);
  meter.pullTime('a', 'sha256:1', new Date(Date.UTC(2026, 2, 1)));
  fail(true);
  await job.flush();
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), new Date(Date.UTC(2026, 2, 1)), 'still pending');
  fail(false);
  meter.received('a', 2);
  await job.stop();
  assert.deepEqual(writes.traffic, [[{ day: '2026-03-01', repository: 'a', bytesIn: 7, bytesOut: 0, pushes: 0, pulls: 0 }]]);
  assert.deepEqual(writes.pulls, [[{ repository: 'a', digest: 'sha256:1', at: new Date(Date.UTC(2026, 2, 1)) }]]);
  assert.equal(meter.pendingPullTime('a', 'sha256:1'), undefined);
});

test('the schedule flushes by itself', async () => {
  const meter = new UsageMeter();
  const { store, writes } = recordingStore();
  const job = startUsageFlush(meter, store, { intervalSeconds: 0.1, log });
  meter.pushed('a', 1);
  const deadline = Date.now() + 5000;
  while (writes.traffic.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await job.stop();
  assert.equal(writes.traffic[0]![0]!.pushes, 1);
});

// The pure decisions of garbage collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectionCutoff, emptySummary, leaseStillSafe, orphanCandidates, totalBytesReclaimed } from '../../../src/gc/gc-plan.ts';

const T0 = Date.UTC(2026, 0, 1);

test('the cutoff is the grace period before now; a negative grace counts as none', () => {
  assert.equal(collectionCutoff(new Date(T0), 3600).getTime(), T0 - 3_600_000);
  assert.equal(collectionCutoff(new Date(T0), 0).getTime(), T0);
  assert.equal(collectionCutoff(new Date(T0), -5).getTime(), T0);
  assert.equal(collectionCutoff(new Date(T0), 1.5).getTime(), T0 - 1500);
});

test('orphan candidates are stored bytes older than the cutoff that no row knows', () => {
  const blob = (digest: string, ageMs: number) => ({ digest, size: digest.length, modifiedAt: new Date(T0 - ageMs) });
  const listed = [blob('sha256:old-unknown', 10_000), blob('sha256:old-known', 10_000), blob('sha256:young-unknown', 10), blob('sha256:at-cutoff', 5_000)];
  const known = new Set(['sha256:old-known']);
  assert.deepEqual(
    orphanCandidates(listed, known, new Date(T0 - 5_000)).map((item) => item.digest),
    ['sha256:old-unknown'],
    'the cutoff itself is not older than the cutoff',
  );
  assert.deepEqual(orphanCandidates([], known, new Date(T0)), []);
});

test('a summary starts empty and its total counts orphans too', () => {
  const summary = { ...emptySummary(true, 60), bytesReclaimed: 100, orphanBytesReclaimed: 23 };
  assert.equal(summary.dryRun, true);
  assert.equal(summary.gracePeriodSeconds, 60);
  assert.equal(summary.blobsReclaimed, 0);
  assert.equal(summary.stoppedEarly, undefined);
  assert.equal(totalBytesReclaimed(summary), 123);
});

test('a collector deletes only while a safety margin of its lease remains', () => {
  assert.equal(leaseStillSafe(T0 + 20_000, T0, 8_000), true);
  assert.equal(leaseStillSafe(T0 + 20_000, T0 + 11_999, 8_000), true);
  assert.equal(leaseStillSafe(T0 + 20_000, T0 + 12_000, 8_000), false, 'the margin is reached');
  assert.equal(leaseStillSafe(0, T0, 8_000), false, 'a lease that was never held, or was lost');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageMeter } from '../../../src/usage/usage-meter.ts';
import { DayClock, daysInMonth, lastDayOf, utcDay } from '../../../src/usage/utc-day.ts';

test('counts per UTC day and repository; a drain takes them and starts again', () => {
  let now = new Date('2026-03-01T23:59:59.900Z');
  const meter = new UsageMeter(() => now);
  assert.equal(meter.idle, true);
  meter.received('a', 100);
  meter.received('a', 0);
  meter.pushed('a', 7);
  meter.sent('b', 50);
  meter.pulled('b', 3);
  now = new Date('2026-03-02T00:00:00.100Z');
  meter.pulled('b', 3);
  assert.equal(meter.idle, false);
  const batch = meter.drain();
  assert.deepEqual(batch.traffic, [
    { day: '2026-03-01', repository: 'a', bytesIn: 107, bytesOut: 0, pushes: 1, pulls: 0 },
    { day: '2026-03-01', repository: 'b', bytesIn: 0, bytesOut: 53, pushes: 0, pulls: 1 },
    { day: '2026-03-02', repository: 'b', bytesIn: 0, bytesOut: 3, pushes: 0, pulls: 1 },
  ]);
  assert.deepEqual(meter.drain(), { traffic: [], pullTimes: [] });
  assert.deepEqual(meter.totals, { bytesIn: 107, bytesOut: 56, pushes: 1, pulls: 2 }, 'totals outlive drains');
});

test('pull times: the latest per manifest; pending until the flush that took them is done; put back on failure', () => {
  const meter = new UsageMeter(() => new Date('2026-03-01T00:00:00Z'));
  const t = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 0, 0, seconds));
  meter.pullTime('a', 'sha256:1', t(5));
  meter.pullTime('a', 'sha256:1', t(3));
  meter.pullTime('b', 'sha256:1', t(1));
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), t(5));
  assert.equal(meter.pendingPullTime('a', 'sha256:2'), undefined);
  const batch = meter.drain();
  assert.deepEqual(batch.pullTimes, [
    { repository: 'a', digest: 'sha256:1', at: t(5) },
    { repository: 'b', digest: 'sha256:1', at: t(1) },
  ]);
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), t(5), 'still pending while being written');
  meter.pullTime('a', 'sha256:1', t(9));
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), t(9), 'a newer pull meanwhile');
  meter.flushed();
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), t(9));
  assert.equal(meter.pendingPullTime('b', 'sha256:1'), undefined, 'written');

  const failed = meter.drain();
  meter.restore(failed);
  meter.flushed();
  assert.deepEqual(meter.pendingPullTime('a', 'sha256:1'), t(9), 'a failed write is put back');
});

test('restore: traffic that could not be written is added to what came since', () => {
  const meter = new UsageMeter(() => new Date('2026-03-01T10:00:00Z'));
  meter.received('a', 10);
  const failed = meter.drain();
  meter.received('a', 5);
  meter.restore(failed);
  assert.deepEqual(meter.drain().traffic, [{ day: '2026-03-01', repository: 'a', bytesIn: 15, bytesOut: 0, pushes: 0, pulls: 0 }]);
  assert.equal(meter.totals.bytesIn, 15, 'restoring counts nothing twice');
});

test('utc days and months', () => {
  assert.equal(utcDay(new Date('2026-12-31T23:59:59.999Z')), '2026-12-31');
  assert.equal(daysInMonth('2024-02'), 29);
  assert.equal(daysInMonth('2026-02'), 28);
  assert.equal(daysInMonth('2026-12'), 31);
  assert.equal(lastDayOf('2026-04'), '2026-04-30');
  const clock = new DayClock();
  for (const at of ['2026-03-01T00:00:00.000Z', '2026-03-01T23:59:59.999Z', '2026-03-02T00:00:00.000Z', '2026-02-28T12:00:00.000Z', '1969-12-31T23:00:00.000Z']) {
    assert.equal(clock.dayOf(new Date(at)), at.slice(0, 10), at);
  }
});

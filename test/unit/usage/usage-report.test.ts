import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUsageReport, gbMonths, type ReportInput } from '../../../src/usage/usage-report.ts';
import { DEFAULT_PRICES, GB, parseTransferTiers } from '../../../src/usage/prices.ts';
import type { StorageSnapshot } from '../../../src/storage/meta/usage-store.ts';

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

const snapshot = (day: string, repositories: Record<string, number>, registry?: number): StorageSnapshot => ({
  day,
  repositories: Object.entries(repositories).map(([repository, bytes]) => ({ repository, bytes })),
  registry: registry ?? Object.values(repositories).reduce((sum, bytes) => sum + bytes, 0),
  takenAt: new Date(`${day}T12:00:00Z`),
});

const input = (overrides: Partial<ReportInput>): ReportInput => ({ month: '2026-02', today: '2026-05-10', traffic: [], snapshots: [], prices: DEFAULT_PRICES, ...overrides });

test('gbMonths: the average of the observed days, in GB, over the covered part of the month', () => {
  assert.equal(gbMonths([], 30, 30), null);
  close(gbMonths([GB], 30, 30), 1);
  close(gbMonths([2 * GB, 0], 30, 30), 1, );
  close(gbMonths([3 * GB, 3 * GB, 0], 15, 30), 1);
  close(gbMonths([GB], 10, 31), 10 / 31);
});

test('a past month: GB-months average the snapshots; days without one count as that average; a repository absent from a snapshot stored 0', () => {
  const report = buildUsageReport(
    input({
      month: '2026-02',
      snapshots: [snapshot('2026-02-01', { a: 4 * GB, b: GB }), snapshot('2026-02-10', { a: 2 * GB }), snapshot('2026-02-28', { a: 6 * GB, b: GB })],
    }),
  );
  assert.equal(report.period, 'past');
  assert.equal(report.daysInMonth, 28);
  assert.equal(report.daysCovered, 28);
  assert.equal(report.daysObserved, 3);
  const [a, b] = report.repositories;
  assert.equal(a!.repository, 'a');
  close(a!.gbMonths, 4);
  assert.equal(a!.storedBytes, 6 * GB, 'stored: the month\'s last snapshot');
  close(b!.gbMonths, 2 / 3);
  close(report.total.gbMonths, 4 + 2 / 3);
  close(report.total.storageCost, (4 + 2 / 3) * 0.1);
  close(report.registry.gbMonths, (5 + 2 + 7) / 3);
  assert.equal(report.registry.storedBytes, 7 * GB);
});

test('the current month: month to date, today observed live (over a snapshot of today); before any snapshot the live figure alone', () => {
  const live = { repositories: [{ repository: 'a', bytes: 3 * GB }, { repository: 'new', bytes: 0 }], registry: 3 * GB };
  const withSnapshots = buildUsageReport(
    input({ month: '2026-05', today: '2026-05-10', live, snapshots: [snapshot('2026-05-01', { a: GB }), snapshot('2026-05-10', { a: 100 * GB })] }),
  );
  assert.equal(withSnapshots.period, 'current');
  assert.equal(withSnapshots.daysCovered, 10);
  assert.equal(withSnapshots.daysObserved, 2);
  const a = withSnapshots.repositories.find((row) => row.repository === 'a')!;
  close(a.gbMonths, 2 * (10 / 31));
  assert.equal(a.storedBytes, 3 * GB, 'stored now: live');
  assert.deepEqual(withSnapshots.repositories.map((row) => row.repository), ['a', 'new'], 'every repository that exists now is listed');

  const liveOnly = buildUsageReport(input({ month: '2026-05', today: '2026-05-10', live }));
  assert.equal(liveOnly.daysObserved, 1);
  close(liveOnly.repositories[0]!.gbMonths, 3 * (10 / 31));
  close(liveOnly.registry.gbMonths, 3 * (10 / 31));
});

test('a month without any observation has no storage figure, and a future month covers nothing', () => {
  const past = buildUsageReport(input({ month: '2026-01', traffic: [{ day: '2026-01-05', repository: 'a', bytesIn: 10, bytesOut: 20, pushes: 1, pulls: 2 }] }));
  assert.equal(past.daysObserved, 0);
  assert.equal(past.repositories[0]!.storedBytes, null);
  assert.equal(past.repositories[0]!.gbMonths, null);
  assert.equal(past.total.gbMonths, null);
  assert.equal(past.total.storageCost, 0);
  assert.equal(past.total.bytesOut, 20);
  const future = buildUsageReport(input({ month: '2026-07' }));
  assert.equal(future.period, 'future');
  assert.equal(future.daysCovered, 0);
  assert.deepEqual(future.repositories, []);
});

test('traffic: summed over the month\'s days per repository; the tiered transfer charge is shared by bytes out', () => {
  const report = buildUsageReport(
    input({
      month: '2026-02',
      prices: { storagePerGbMonth: 0.1, transferOut: parseTransferTiers('1:0,*:0.1')! },
      traffic: [
        { day: '2026-01-31', repository: 'a', bytesIn: 999, bytesOut: 999 * GB, pushes: 9, pulls: 9 },
        { day: '2026-02-01', repository: 'a', bytesIn: 10, bytesOut: 2 * GB, pushes: 1, pulls: 3 },
        { day: '2026-02-14', repository: 'a', bytesIn: 5, bytesOut: 4 * GB, pushes: 0, pulls: 1 },
        { day: '2026-02-14', repository: 'b', bytesIn: 7, bytesOut: 5 * GB, pushes: 2, pulls: 0 },
      ],
    }),
  );
  const [a, b] = report.repositories;
  assert.deepEqual([a!.bytesIn, a!.bytesOut, a!.pushes, a!.pulls], [15, 6 * GB, 1, 4], 'January is not in February');
  assert.deepEqual([report.total.bytesIn, report.total.bytesOut, report.total.pushes, report.total.pulls], [22, 11 * GB, 3, 4]);
  close(report.total.transferCost, 1);
  close(a!.transferCost, 6 / 11);
  close(b!.transferCost, 5 / 11);
  close(report.total.cost, 1);
});

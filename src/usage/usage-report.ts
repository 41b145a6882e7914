// The month's usage report, from what the store holds: traffic per repository per day,
// the daily stored-bytes snapshots, and (for the current month) the stored bytes now.
// Pure: `berth usage` reads the store and formats what this returns.
//
// GB-months (docs/usage.md): a repository's storage over the month is the average of its
// stored bytes on the days observed (days with a snapshot; for the current month, today
// is observed live), in GB, times the fraction of the month covered: the whole month for
// a past one, the days so far for the current one (month to date). A day without a
// snapshot counts as the average of the days with one; a repository absent from a
// snapshot stored nothing that day.
import type { StorageSnapshot, StoredBytes, TrafficRecord } from '../storage/meta/usage-store.ts';
import { GB, storageCost, transferCost, type Prices } from './prices.ts';
import { daysInMonth, firstDayOf, lastDayOf } from './utc-day.ts';

export interface UsageFigures {
  /** Bytes stored now (current month) or on the month's last snapshot; null when unknown. */
  readonly storedBytes: number | null;
  /** Storage over the month in GB-months; null when no day of it was observed. */
  readonly gbMonths: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly pushes: number;
  readonly pulls: number;
  readonly storageCost: number;
  /** The month's transfer charge, shared among repositories by their bytes out. */
  readonly transferCost: number;
  readonly cost: number;
}

export interface RepositoryUsage extends UsageFigures {
  readonly repository: string;
}

export interface UsageReport {
  readonly month: string;
  /** 'past', 'current' (month to date) or 'future' (nothing yet). */
  readonly period: 'past' | 'current' | 'future';
  readonly daysInMonth: number;
  /** Days of the month the figures cover: all for a past month, those so far for the current one. */
  readonly daysCovered: number;
  /** Days whose stored bytes are known (snapshots, and today's live figure). */
  readonly daysObserved: number;
  readonly repositories: readonly RepositoryUsage[];
  /** Every repository together: what ECR would bill (a blob shared by two repositories counts in each). */
  readonly total: UsageFigures;
  /** The registry after deduplication: each blob once, however many repositories share it (what Berth stores). */
  readonly registry: { readonly storedBytes: number | null; readonly gbMonths: number | null };
  readonly prices: Prices;
}

export interface ReportInput {
  readonly month: string;
  /** Today's UTC day, 'YYYY-MM-DD'. */
  readonly today: string;
  readonly traffic: readonly TrafficRecord[];
  readonly snapshots: readonly StorageSnapshot[];
  /** The stored bytes now; used for today when the month is the current one. */
  readonly live?: StoredBytes;
  readonly prices: Prices;
}

interface Observations {
  /** Per repository: the bytes on each observed day (a missing entry is 0). */
  readonly byRepository: Map<string, number[]>;
  readonly registry: number[];
  readonly days: number;
}

function observe(input: ReportInput, period: UsageReport['period']): Observations {
  const last = period === 'current' ? input.today : lastDayOf(input.month);
  const useLive = period === 'current' && input.live !== undefined;
  const days = input.snapshots.filter((snapshot) => snapshot.day >= firstDayOf(input.month) && snapshot.day <= last && !(useLive && snapshot.day === input.today));
  const observed: Array<Pick<StorageSnapshot, 'repositories' | 'registry'>> = [...days];
  if (useLive) observed.push(input.live!);
  const byRepository = new Map<string, number[]>();
  observed.forEach((day, index) => {
    for (const { repository, bytes } of day.repositories) {
      let series = byRepository.get(repository);
      if (series === undefined) byRepository.set(repository, (series = new Array<number>(observed.length).fill(0)));
      series[index] = bytes;
    }
  });
  for (const series of byRepository.values()) series.length = observed.length;
  return { byRepository, registry: observed.map((day) => day.registry), days: observed.length };
}

/** GB-months of a series of daily stored bytes (one entry per observed day), over `covered` days of a `monthDays`-day month. */
export function gbMonths(dailyBytes: readonly number[], covered: number, monthDays: number): number | null {
  if (dailyBytes.length === 0) return null;
  const average = dailyBytes.reduce((sum, bytes) => sum + bytes, 0) / dailyBytes.length;
  return (average / GB) * (covered / monthDays);
}

export function buildUsageReport(input: ReportInput): UsageReport {
  const month = input.today.slice(0, 7);
  const period: UsageReport['period'] = input.month < month ? 'past' : input.month === month ? 'current' : 'future';
  const monthDays = daysInMonth(input.month);
  const daysCovered = period === 'past' ? monthDays : period === 'current' ? Number(input.today.slice(8, 10)) : 0;
  const observations = observe(input, period);

  const traffic = new Map<string, { bytesIn: number; bytesOut: number; pushes: number; pulls: number }>();
  for (const row of input.traffic) {
    if (row.day < firstDayOf(input.month) || row.day > lastDayOf(input.month)) continue;
    const sum = traffic.get(row.repository) ?? { bytesIn: 0, bytesOut: 0, pushes: 0, pulls: 0 };
    sum.bytesIn += row.bytesIn;
    sum.bytesOut += row.bytesOut;
    sum.pushes += row.pushes;
    sum.pulls += row.pulls;
    traffic.set(row.repository, sum);
  }
  const bytesOutTotal = [...traffic.values()].reduce((sum, row) => sum + row.bytesOut, 0);
  const transferTotal = transferCost(bytesOutTotal, input.prices.transferOut);

  const names = new Set([...traffic.keys(), ...observations.byRepository.keys(), ...(period === 'current' ? (input.live?.repositories ?? []).map((row) => row.repository) : [])]);
  const repositories = [...names].sort().map((repository): RepositoryUsage => {
    const series = observations.byRepository.get(repository) ?? new Array<number>(observations.days).fill(0);
    const moved = traffic.get(repository) ?? { bytesIn: 0, bytesOut: 0, pushes: 0, pulls: 0 };
    const months = gbMonths(series, daysCovered, monthDays);
    const storage = months === null ? 0 : storageCost(months, input.prices);
    const transfer = bytesOutTotal === 0 ? 0 : (transferTotal * moved.bytesOut) / bytesOutTotal;
    return {
      repository,
      storedBytes: observations.days === 0 ? null : series[series.length - 1]!,
      gbMonths: months,
      ...moved,
      storageCost: storage,
      transferCost: transfer,
      cost: storage + transfer,
    };
  });

  const sum = (pick: (row: RepositoryUsage) => number) => repositories.reduce((total, row) => total + pick(row), 0);
  const known = observations.days > 0;
  const total: UsageFigures = {
    storedBytes: known ? sum((row) => row.storedBytes ?? 0) : null,
    gbMonths: known ? sum((row) => row.gbMonths ?? 0) : null,
    bytesIn: sum((row) => row.bytesIn),
    bytesOut: bytesOutTotal,
    pushes: sum((row) => row.pushes),
    pulls: sum((row) => row.pulls),
    storageCost: sum((row) => row.storageCost),
    transferCost: transferTotal,
    cost: sum((row) => row.storageCost) + transferTotal,
  };
  return {
    month: input.month,
    period,
    daysInMonth: monthDays,
    daysCovered,
    daysObserved: observations.days,
    repositories,
    total,
    registry: {
      storedBytes: known ? observations.registry[observations.registry.length - 1]! : null,
      gbMonths: gbMonths(observations.registry, daysCovered, monthDays),
    },
    prices: input.prices,
  };
}

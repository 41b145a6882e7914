// The daily snapshot of stored bytes: per repository and for the whole registry,
// taken under a cluster lease so one node takes it. It runs every interval (hourly by
// default) and replaces the day's snapshot each time, so the last one of a day stands
// for that day and a day missed by one node is taken by the next that holds the lease.
import type { Logger } from 'pino';
import type { UsageStore } from '../storage/meta/usage-store.ts';
import { utcDay } from './utc-day.ts';
import { repeat } from '../jobs/repeat.ts';

export async function takeStorageSnapshot(store: UsageStore, now: Date): Promise<{ day: string; registry: number; repositories: number }> {
  const stored = await store.storedBytes();
  const day = utcDay(now);
  await store.saveStorageSnapshot({ day, repositories: stored.repositories, registry: stored.registry, takenAt: now });
  return { day, registry: stored.registry, repositories: stored.repositories.length };
}

export interface StorageSnapshotJob {
  runOnce(): Promise<void>;
  /** Stops the schedule and waits for a snapshot in progress, so the stores can close. */
  stop(): Promise<void>;
}

export function startStorageSnapshots(
  store: UsageStore,
  options: {
    readonly intervalSeconds: number;
    readonly log: Logger;
    readonly enabled?: boolean;
    /** Asked before each scheduled snapshot: false when another node of the cluster takes it. */
    readonly mayRun?: () => Promise<boolean>;
    readonly now?: () => Date;
  },
): StorageSnapshotJob {
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const runOnce = (): Promise<void> => {
    running ??= takeStorageSnapshot(store, now())
      .then((taken) => options.log.debug(taken, 'usage: stored bytes snapshot taken'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const runLogged = () => {
    void (async () => {
      if (options.mayRun && !(await options.mayRun())) return;
      await runOnce();
    })().catch((error: unknown) => options.log.error({ err: error }, 'usage: stored bytes snapshot failed'));
  };
  if (options.enabled === false) return { runOnce, stop: async () => undefined };
  // The first shortly after start-up, so a day the server was down for most of still gets one.
  const stopTimers = repeat(runLogged, 15_000, Math.max(options.intervalSeconds, 1) * 1000);
  return {
    runOnce,
    stop: async () => {
      stopTimers();
      await running?.catch(() => undefined);
    },
  };
}

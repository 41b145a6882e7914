// Runs lifecycle policies on a schedule in the server. Every repository's policy runs
// once per `intervalSeconds` (default a day), counted from its lastEvaluatedAt in the
// database, not from this process's start: a restart, or the job moving to another
// node, neither skips a repository nor runs it twice. The schedule wakes every `tick`
// (at most ten minutes) and, when it holds the cluster lease, runs the policies that
// are due — so a new policy first runs within a tick of being put. A run that overlaps
// one on another node (a lease taken over while the old holder still works) is
// harmless: the expire step only deletes what is still as evaluated.
import type { Logger } from 'pino';
import type { LifecycleStore } from '../storage/meta/lifecycle-store.ts';
import { runLifecycle, type LifecycleRunSummary } from './lifecycle-runner.ts';
import { repeat } from '../jobs/repeat.ts';

const MAX_TICK_SECONDS = 600;
const FIRST_TICK_MS = 10_000;

export interface LifecycleScheduleOptions {
  readonly intervalSeconds: number;
  readonly enabled: boolean;
  readonly log: Logger;
  /** Asked before each pass: false when another node of the cluster runs the job. */
  readonly mayRun?: () => Promise<boolean>;
  /** Told about each pass that evaluated something (metrics). */
  readonly onRun?: (summary: LifecycleRunSummary) => void;
  readonly now?: () => Date;
}

export interface LifecycleSchedule {
  /** One pass now (the policies that are due), unless one is running: then that one. */
  runDue(): Promise<LifecycleRunSummary>;
  /** Stops the schedule and waits for a pass in progress, so the stores can close. */
  stop(): Promise<void>;
}

/** How often the schedule wakes for a given interval. */
export function lifecycleTickSeconds(intervalSeconds: number): number {
  return Math.max(1, Math.min(intervalSeconds, MAX_TICK_SECONDS));
}

export function startLifecycleSchedule(store: LifecycleStore, options: LifecycleScheduleOptions): LifecycleSchedule {
  const now = options.now ?? (() => new Date());
  let running: Promise<LifecycleRunSummary> | undefined;
  const runDue = (): Promise<LifecycleRunSummary> => {
    running ??= runLifecycle(store, { dueBefore: new Date(now().getTime() - options.intervalSeconds * 1000), now, log: options.log })
      .then((summary) => {
        if (summary.repositoriesEvaluated > 0) options.onRun?.(summary);
        return summary;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  if (!options.enabled) return { runDue, stop: async () => undefined };
  const pass = () => {
    (async () => {
      if (options.mayRun && !(await options.mayRun())) return;
      await runDue();
    })().catch((error: unknown) => options.log.error({ err: error }, 'lifecycle run failed'));
  };
  const stopTimers = repeat(pass, FIRST_TICK_MS, lifecycleTickSeconds(options.intervalSeconds) * 1000);
  return {
    runDue,
    stop: async () => {
      stopTimers();
      await running?.catch(() => undefined);
    },
  };
}

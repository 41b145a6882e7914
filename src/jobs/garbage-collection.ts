// Runs online garbage collection on a schedule: once per interval across the whole
// cluster, and never beside another collector (`berth gc`, or a node whose run is
// still going). Every node checks now and then; the node that first finds the interval
// passed takes the cluster's turn — a lease named GC_SCHEDULE_LEASE held for one interval
// by a fresh holder name, so it can only be taken again once it has run out, whichever
// node held it and whether or not that node still lives — and then the run lease.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { collectGarbage } from '../gc/collector.ts';
import type { GcSummary } from '../gc/gc-plan.ts';
import { takeRunLease } from '../gc/run-lease.ts';
import type { BlobStore } from '../storage/blob/blob-store.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import { repeat } from './repeat.ts';

export const GC_SCHEDULE_LEASE = 'gc-schedule';

export interface GarbageCollectionJob {
  /** Runs a collection now (under the run lease); undefined when another collector is running. */
  runOnce(): Promise<GcSummary | undefined>;
  /** Stops the schedule, asks a run in progress to stop between batches, and waits for it. */
  stop(): Promise<void>;
}

export interface GarbageCollectionOptions {
  readonly metadata: MetadataStore;
  readonly blobs: BlobStore;
  readonly intervalSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly log: Logger;
  readonly enabled: boolean;
  /** Told every finished run's summary (the metrics the lead wires). */
  readonly onSummary?: (summary: GcSummary) => void;
  /** How often a node checks whether the cluster's turn is due (default: a tenth of the interval, at most 5 minutes). */
  readonly checkEveryMs?: number;
  /** Delay before the first check after start-up (default 60 s). */
  readonly firstCheckMs?: number;
}

export function startGarbageCollection(options: GarbageCollectionOptions): GarbageCollectionJob {
  const stopping = new AbortController();
  let running: Promise<GcSummary | undefined> | undefined;
  const run = (leftoversOnly: boolean): Promise<GcSummary | undefined> => {
    running ??= (async () => {
      const lease = await takeRunLease(options.metadata.leases);
      if (!lease) {
        options.log.info('garbage collection skipped: another collector is running');
        return undefined;
      }
      try {
        const summary = await collectGarbage({
          metadata: options.metadata,
          blobs: options.blobs,
          gracePeriodSeconds: options.gracePeriodSeconds,
          mayDelete: lease.stillHeld,
          signal: stopping.signal,
          leftoversOnly,
        });
        options.log.info({ gc: summary }, leftoversOnly ? 'garbage collection: finished the marks a stopped collector left' : 'garbage collection finished');
        options.onSummary?.(summary);
        return summary;
      } finally {
        await lease.release().catch(() => undefined);
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const runOnce = () => run(false);
  // A collector killed between marking a blob and forgetting it leaves the digest
  // refused to uploads (they answer "retry later") until a run finishes the mark: at
  // every check, not only when the cluster's turn is due.
  const leftoversWaiting = async (): Promise<boolean> => (await options.metadata.blobCollection.marked(undefined, 1)).length > 0;
  const clusterTurnDue = async (): Promise<boolean> => {
    const now = Date.now();
    // A fresh holder each time: the lease is taken only once it has run out.
    return options.metadata.leases.tryAcquire(GC_SCHEDULE_LEASE, `turn:${randomUUID()}`, new Date(now + options.intervalSeconds * 1000), new Date(now));
  };
  const check = () => {
    if (running || stopping.signal.aborted) return;
    clusterTurnDue()
      .then(async (due) => (due ? runOnce() : (await leftoversWaiting()) ? run(true) : undefined))
      .catch((error: unknown) => options.log.error({ err: error }, 'garbage collection failed'));
  };
  if (!options.enabled) return { runOnce, stop: async () => undefined };
  const checkEveryMs = options.checkEveryMs ?? Math.min(options.intervalSeconds * 100, 5 * 60_000);
  const stopTimers = repeat(check, options.firstCheckMs ?? 60_000, Math.max(checkEveryMs, 1_000));
  return {
    runOnce,
    stop: async () => {
      stopTimers();
      stopping.abort();
      await running?.catch(() => undefined);
    },
  };
}

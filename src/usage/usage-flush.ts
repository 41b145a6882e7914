// Writes what the meter counted to the metadata store every interval (and when asked,
// and once more when the server stops): one additive upsert for the traffic and one
// multi-row update for the pull times, whatever the number of requests since the last
// flush. Every process flushes its own counts (they add up in the store), so this job
// runs on every node, not once per cluster. A write that fails is put back into the
// meter and tried again with the next flush.
import type { Logger } from 'pino';
import type { UsageStore } from '../storage/meta/usage-store.ts';
import type { UsageMeter } from './usage-meter.ts';

export interface UsageFlushJob {
  /** Writes everything counted so far; resolves once it is in the store (or put back after a failure). */
  flush(): Promise<void>;
  /** Stops the schedule and flushes one last time. */
  stop(): Promise<void>;
}

export function startUsageFlush(meter: UsageMeter, store: UsageStore, options: { readonly intervalSeconds: number; readonly log: Logger }): UsageFlushJob {
  let queue: Promise<void> = Promise.resolve();
  const writeOnce = async (): Promise<void> => {
    if (meter.idle) return;
    const { traffic, pullTimes } = meter.drain();
    // Separately, so a failure of one does not write the other twice.
    await store.addTraffic(traffic).catch((error: unknown) => {
      meter.restore({ traffic });
      options.log.warn({ err: error, rows: traffic.length }, 'usage: could not write the traffic counts; they go with the next flush');
    });
    await store.recordPullTimes(pullTimes).catch((error: unknown) => {
      meter.restore({ pullTimes });
      options.log.warn({ err: error, rows: pullTimes.length }, 'usage: could not write the pull times; they go with the next flush');
    });
    meter.flushed();
  };
  // One flush at a time: one that is asked for while another writes runs after it.
  const flush = (): Promise<void> => {
    // Never a rejected queue: the next flush must still run after a bug in this one.
    queue = queue.then(writeOnce).catch((error: unknown) => options.log.error({ err: error }, 'usage: flush failed'));
    return queue;
  };
  const timer = setInterval(() => void flush(), Math.max(options.intervalSeconds, 0.1) * 1000);
  timer.unref();
  return {
    flush,
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}

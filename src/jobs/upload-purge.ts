// Periodically removes upload sessions nobody has touched for a while, and
// staged bytes that no session owns (left by a crash).
import type { Logger } from 'pino';
import type { Uploads } from '../registry/uploads.ts';
import { repeat } from './repeat.ts';

export interface UploadPurgeJob {
  runOnce(): Promise<number>;
  /** Stops the schedule and waits for a pass in progress, so the stores can close. */
  stop(): Promise<void>;
}

export function startUploadPurge(
  uploads: Uploads,
  options: {
    maxAgeSeconds: number;
    intervalSeconds: number;
    log: Logger;
    enabled?: boolean;
    /** Asked before each scheduled pass: false when another node of the cluster runs the job. */
    mayRun?: () => Promise<boolean>;
  },
): UploadPurgeJob {
  let running: Promise<number> | undefined;
  const runOnce = async (): Promise<number> => {
    if (running) return running;
    running = (async () => {
      const cutoff = new Date(Date.now() - options.maxAgeSeconds * 1000);
      const purged = await uploads.purge(cutoff);
      if (purged > 0) options.log.info({ purged, olderThan: cutoff.toISOString() }, 'purged abandoned uploads');
      return purged;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const runScheduled = async (): Promise<void> => {
    if (options.mayRun && !(await options.mayRun())) return;
    await runOnce();
  };
  const runLogged = () => {
    runScheduled().catch((error: unknown) => options.log.error({ err: error }, 'upload purge failed'));
  };
  if (options.enabled === false) return { runOnce, stop: async () => undefined };
  // A first pass shortly after start-up cleans what a crash or a long downtime left.
  const stopTimers = repeat(runLogged, 10_000, Math.max(options.intervalSeconds, 1) * 1000);
  return {
    runOnce,
    stop: async () => {
      stopTimers();
      await running?.catch(() => undefined);
    },
  };
}

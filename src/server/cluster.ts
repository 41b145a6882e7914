// Several processes on one machine (`--workers N`): one JavaScript thread receives,
// hashes and writes for all uploads of a process, so parallel pushes scale with
// processes. Each worker is an ordinary Berth node: the stores are shared (SQLite in
// WAL mode across processes, the blob directory), upload sessions may move between
// workers (the running hash is re-derived, as between nodes), and only worker 0
// runs background jobs. The primary only starts, watches and stops workers.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { loadOrCreateSelfSigned } from './self-signed-tls.ts';

const WORKER_INDEX = 'BERTH_WORKER_INDEX';

interface ListeningMessage {
  readonly type: 'listening';
  readonly url: string;
}

export interface Primary {
  readonly url: string;
  shutdown(reason: string): Promise<void>;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** True in the one process that runs background jobs. */
export function runsJobs(): boolean {
  return !cluster.isWorker || process.env[WORKER_INDEX] === '0';
}

/** Tells the primary this worker serves, and where. */
export function announceToPrimary(url: string): void {
  const message: ListeningMessage = { type: 'listening', url };
  // With a callback a closed channel is its error, not an 'error' event on `process`; a
  // primary that is gone disconnects the channel, and cluster ends the worker then.
  process.send?.(message, undefined, {}, () => undefined);
}

export async function startPrimary(config: Config, log: Logger): Promise<Primary> {
  // Shared state (stores, server key, certificate) is made before workers race for it:
  // the caller ran prepareStores().
  if (config.tls.mode === 'self-signed') await loadOrCreateSelfSigned(config.tls.dir, config.host);

  let stopping = false;
  const fork = (index: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
      let served = false;
      worker.on('message', (message: ListeningMessage) => {
        if (message?.type !== 'listening') return;
        served = true;
        resolve(message.url);
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        if (!served) {
          reject(new Error(`worker ${index} exited (${signal ?? code}) before it served`));
          return;
        }
        // A worker that dies while serving is replaced; its in-flight requests failed.
        log.error({ worker: index, code, signal }, 'worker exited; starting a replacement');
        fork(index).catch((error: unknown) => log.error({ err: error, worker: index }, 'replacement worker failed'));
      });
    });

  const started = await Promise.all(Array.from({ length: config.workers }, (_, index) => fork(index)));
  const url = started[0]!;
  log.info({ url, dataDir: config.dataDir, workers: config.workers }, 'listening');

  return {
    url,
    shutdown: async (reason) => {
      stopping = true;
      log.info({ reason }, 'shutting down: stopping workers');
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
      log.info('stopped');
    },
  };
}

// Composition root: the only place that names concrete drivers. Builds the
// stores and the registry from the Config and hands back what the server runs.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { createHttpHandler } from '../http/http-handler.ts';
import { startUploadPurge, type UploadPurgeJob } from '../jobs/upload-purge.ts';
import { createRegistry, type Registry } from '../registry/registry.ts';
import { FsBlobStore } from '../storage/blob/fs-blob-store.ts';
import { SqliteMetadataStore } from '../storage/meta/sqlite/sqlite-metadata-store.ts';
import type { RequestListener } from 'node:http';

export interface App {
  readonly registry: Registry;
  readonly handler: RequestListener;
  readonly uploadPurge: UploadPurgeJob;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Run background jobs (upload purge) here; with several workers only one does. */
  readonly runJobs: boolean;
}

/**
 * Brings the stores to the current version before several worker processes open
 * them at once (each would otherwise race to migrate).
 */
export async function prepareStores(config: Config): Promise<void> {
  await (await FsBlobStore.open({ root: config.storage.root, fsync: config.storage.fsync })).close();
  await SqliteMetadataStore.open({ path: config.database.path, synchronous: config.database.synchronous }).close();
}

export async function buildApp(config: Config, log: Logger, options: AppOptions = { runJobs: true }): Promise<App> {
  const blobs = await FsBlobStore.open({ root: config.storage.root, fsync: config.storage.fsync });
  const metadata = SqliteMetadataStore.open({ path: config.database.path, synchronous: config.database.synchronous });
  const registry = createRegistry({
    blobs,
    metadata,
    limits: { maxManifestBytes: config.limits.maxManifestBytes, maxBlobBytes: config.limits.maxBlobBytes },
    now: () => new Date(),
  });
  let ready = false;
  const handler = createHttpHandler({ registry, log, isReady: () => ready });
  const uploadPurge = startUploadPurge(registry.uploads, {
    maxAgeSeconds: config.uploads.purgeAfterSeconds,
    intervalSeconds: config.uploads.purgeIntervalSeconds,
    log,
    enabled: options.runJobs,
  });
  return {
    registry,
    handler,
    uploadPurge,
    setReady: (value) => {
      ready = value;
    },
    close: async () => {
      await uploadPurge.stop();
      await metadata.close();
      await blobs.close();
    },
  };
}

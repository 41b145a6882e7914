// Composition root: the only place that names concrete drivers. Builds the
// stores and the registry from the Config and hands back what the server runs.
import type { Logger } from 'pino';
import type { Config, StorageConfig } from '../config/config.ts';
import { createHttpHandler } from '../http/http-handler.ts';
import { clusterLease, leaseHolderName } from '../jobs/cluster-lease.ts';
import { startUploadPurge, type UploadPurgeJob } from '../jobs/upload-purge.ts';
import { lifecycleTickSeconds, startLifecycleSchedule } from '../lifecycle/lifecycle-schedule.ts';
import { startGarbageCollection, type GarbageCollectionJob } from '../jobs/garbage-collection.ts';
import { createRegistry, type Registry } from '../registry/registry.ts';
import type { BlobStore } from '../storage/blob/blob-store.ts';
import { FsBlobStore } from '../storage/blob/fs-blob-store.ts';
import { SqliteMetadataStore } from '../storage/meta/sqlite/sqlite-metadata-store.ts';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { ADMIN_USER, ensureAdministrator, type NewCredentials } from '../auth/bootstrap.ts';
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { writeCredentialsFile } from './credentials-file.ts';
import { checkServerKey } from '../auth/server-key-check.ts';
import { describeServerKeySource, loadServerKey } from './server-key-source.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRegistryGuard } from '../auth/registry-guard.ts';
import { createAuthorizer } from '../auth/authorizer.ts';
import { IdentityLookup } from '../auth/identity-lookup.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import { redactDatabaseUrl } from '../config/database-url.ts';
import { UsageMeter } from '../usage/usage-meter.ts';
import { startUsageFlush, type UsageFlushJob } from '../usage/usage-flush.ts';
import { startStorageSnapshots } from '../usage/storage-snapshot.ts';
import type { Metrics } from '../metrics/metrics.ts';

export interface App {
  readonly registry: Registry;
  /** The administrator's credentials when this start created them (shown once). */
  readonly newCredentials?: NewCredentials;
  readonly handler: RequestListener;
  readonly uploadPurge: UploadPurgeJob;
  readonly garbageCollection: GarbageCollectionJob;
  /** Usage metering: the meter the hooks count into, and the job that writes it to the store. */
  readonly usage: UsageMeter;
  readonly usageFlush: UsageFlushJob;
  /** Prometheus metrics (config metrics.enabled): the GC and lifecycle runners report here. */
  readonly metrics?: Metrics;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

type AwsEndpoint = (req: IncomingMessage, res: ServerResponse, requestId: string, query: string) => Promise<void>;

export interface AppOptions {
  /** Run background jobs (upload purge) here; with several workers only one does. */
  readonly runJobs: boolean;
  /** Create the administrator on a first start (not in cluster workers: their primary did). */
  readonly bootstrap?: boolean;
  /**
   * Wraps the blob store the configuration names before anything uses it: a decorator
   * that sees every call (the tests' fault injection: slow or failing stores).
   */
  readonly decorateBlobStore?: (store: BlobStore) => BlobStore;
}

export function credentialsPath(config: Config): string {
  return join(config.dataDir, 'credentials');
}

/**
 * The metadata store the configuration names: the SQLite file in the data directory,
 * or PostgreSQL (loaded only then: a SQLite deployment never loads `pg`). Several
 * nodes may open the same PostgreSQL database at once; the first migrates it.
 */
async function openMetadata(config: Config, log?: Logger): Promise<MetadataStore> {
  const database = config.database;
  if (database.driver === 'sqlite') return SqliteMetadataStore.open({ path: database.path, synchronous: database.synchronous });
  const shown = redactDatabaseUrl(database.url);
  const { PostgresMetadataStore } = await import('../storage/meta/postgres/postgres-metadata-store.ts');
  try {
    const store = await PostgresMetadataStore.open({
      url: database.url,
      poolSize: database.poolSize,
      onError: (error) => log?.warn({ err: error, database: shown }, 'an idle database connection failed; the pool reconnects'),
    });
    log?.info({ database: shown, poolSize: database.poolSize }, 'metadata in PostgreSQL');
    return store;
  } catch (error) {
    throw new Error(`cannot open the PostgreSQL database ${shown}: ${(error as Error).message}`, { cause: error });
  }
}

/** Where the metadata is, for messages: the SQLite file, or the PostgreSQL URL without its password. */
function describeMetadata(config: Config): string {
  return config.database.driver === 'sqlite' ? config.database.path : redactDatabaseUrl(config.database.url);
}

/**
 * Loads the server key and makes sure it is the registry's (src/auth/server-key-check.ts):
 * a node with another key stops here, before it serves or bootstraps anything.
 */
async function admitServerKey(config: Config, identities: IdentityStore, log?: Logger): Promise<Buffer> {
  const serverKey = await loadServerKey(config.serverKey);
  const source = describeServerKeySource(config.serverKey);
  const { claimed } = await checkServerKey(identities, serverKey, { accountId: config.accountId, keySource: source, store: describeMetadata(config) });
  log?.info({ serverKey: source }, claimed ? 'server key: the first start on this database made it the registry key' : 'server key: it is the registry key');
  return serverKey;
}

/**
 * Creates the administrator on the first start on this database and saves its
 * credentials in this node's data directory before anyone is told the server listens.
 * Of nodes starting together on one empty database exactly one creates it (the user
 * name is unique): the others create nothing and write no file.
 */
async function bootstrapAdministrator(config: Config, identities: IdentityStore, serverKey: Buffer, log?: Logger): Promise<NewCredentials | undefined> {
  const credentials = await ensureAdministrator(identities, serverKey, config.accountId, new Date());
  if (credentials) {
    await writeCredentialsFile(credentialsPath(config), credentials);
    log?.info({ user: ADMIN_USER, accessKeyId: credentials.accessKeyId, credentialsFile: credentialsPath(config) }, 'created the administrator (first start on this database)');
  }
  return credentials;
}

/**
 * For `--workers N` only, in the primary before any worker serves: brings the stores
 * to the current version (workers would otherwise race to migrate), makes the server
 * key, and on the very first start creates the administrator, whose new credentials
 * are returned once. A single process does the same inside buildApp, on the stores
 * it opens anyway.
 */
export async function prepareStores(config: Config): Promise<NewCredentials | undefined> {
  const prepared = await openPreparedIdentities(config);
  await prepared.close();
  return prepared.newCredentials;
}

export interface PreparedIdentities {
  readonly identities: IdentityStore;
  readonly serverKey: Buffer;
  /** The administrator's credentials when this call created them (saved to the credentials file). */
  readonly newCredentials?: NewCredentials;
  close(): Promise<void>;
}

/**
 * The identity store and server key of a deployment, prepared as a first start would
 * prepare them (so `berth admin` on a fresh data directory leaves it as `berth serve`
 * would: the administrator exists). Safe while servers run on the same stores.
 */
export async function openPreparedIdentities(config: Config): Promise<PreparedIdentities> {
  // The filesystem store makes its directories on open; an object store needs nothing here.
  if (config.storage.driver === 'fs') await (await FsBlobStore.open({ root: config.storage.root, fsync: config.storage.fsync })).close();
  const metadata = await openMetadata(config);
  try {
    const serverKey = await admitServerKey(config, metadata.identities);
    const newCredentials = await bootstrapAdministrator(config, metadata.identities, serverKey);
    return { identities: metadata.identities, serverKey, ...(newCredentials ? { newCredentials } : {}), close: () => metadata.close() };
  } catch (error) {
    await metadata.close();
    throw error;
  }
}

/** The blob store the configuration names. The S3 driver (and the AWS SDK under it) loads only when used. */
async function openBlobStore(storage: StorageConfig): Promise<BlobStore> {
  if (storage.driver === 'fs') return FsBlobStore.open({ root: storage.root, fsync: storage.fsync });
  const [{ S3BlobStore }, { createS3Client }] = await Promise.all([
    import('../storage/blob/s3/s3-blob-store.ts'),
    import('../storage/blob/s3/s3-client.ts'),
  ]);
  const { bucket, prefix, region, endpoint, forcePathStyle, redirect } = storage.s3;
  return S3BlobStore.open({ client: createS3Client({ region, endpoint, forcePathStyle }), bucket, prefix, redirect });
}

/** A deployment's two stores, opened as `berth serve` opens them, for commands that run beside a server (gc, lifecycle, usage). */
export interface OpenedStores {
  readonly metadata: MetadataStore;
  readonly blobs: BlobStore;
  close(): Promise<void>;
}

export async function openStores(config: Config, log?: Logger): Promise<OpenedStores> {
  const blobs = await openBlobStore(config.storage);
  const metadata = await openMetadata(config, log).catch(async (error: unknown) => {
    await blobs.close();
    throw error;
  });
  return {
    metadata,
    blobs,
    close: async () => {
      await metadata.close();
      await blobs.close();
    },
  };
}

export async function buildApp(config: Config, log: Logger, options: AppOptions = { runJobs: true }): Promise<App> {
  const opened = await openStores(config, log);
  const metadata = opened.metadata;
  const blobs = options.decorateBlobStore ? options.decorateBlobStore(opened.blobs) : opened.blobs;
  const usage = new UsageMeter();
  const registry = createRegistry({
    blobs,
    metadata,
    limits: { maxManifestBytes: config.limits.maxManifestBytes, maxBlobBytes: config.limits.maxBlobBytes },
    now: () => new Date(),
    accountId: config.accountId,
    createOnPush: config.createOnPush,
    // A blob a client was told exists is protected for (nine tenths of) the grace period at least.
    touchIntervalMs: Math.min(60_000, (config.gc.gracePeriodSeconds * 1000) / 10),
    usage,
  });
  let ready = false;
  let serverKey: Buffer;
  let newCredentials: NewCredentials | undefined;
  try {
    serverKey = await admitServerKey(config, metadata.identities, log);
    newCredentials = options.bootstrap ? await bootstrapAdministrator(config, metadata.identities, serverKey, log) : undefined;
  } catch (error) {
    await metadata.close();
    await blobs.close();
    throw error;
  }
  // The control plane (the AWS SDK's signer, the policy engine) loads on its first
  // request: a registry that only serves /v2/ stays about 3 MiB smaller (measured).
  let endpoint: Promise<AwsEndpoint> | undefined;
  const aws: AwsEndpoint = async (req, res, requestId, query) => {
    endpoint ??= import('../http/aws/aws-endpoint.ts').then((module) =>
      module.createAwsEndpoint({ metadata, registry, serverKey, identities, authorizer, accountId: config.accountId, region: config.region, log }),
    );
    return (await endpoint)(req, res, requestId, query);
  };
  const identities = new IdentityLookup(metadata.identities);
  const authorizer = createAuthorizer(identities);
  const guard =
    config.registryAuth === 'required'
      ? createRegistryGuard({ metadata, identities, authorizer, serverKey, accountId: config.accountId, region: config.region, createOnPush: config.createOnPush })
      : undefined;
  const served = { accountId: config.accountId, region: config.region };
  // prom-client loads only when metrics are on.
  const metrics = config.metrics.enabled
    ? new (await import('../metrics/metrics.ts')).Metrics({ usageTotals: () => usage.totals, storedBytes: async () => (await metadata.usage.storedBytes()).registry })
    : undefined;
  const handler = createHttpHandler({ registry, log, isReady: () => ready, aws, served, ...(guard ? { guard } : {}), ...(metrics ? { metrics } : {}) });
  const uploadPurge = startUploadPurge(registry.uploads, {
    maxAgeSeconds: config.uploads.purgeAfterSeconds,
    intervalSeconds: config.uploads.purgeIntervalSeconds,
    log,
    enabled: options.runJobs,
    // The holder renews at every pass, once an interval; a lease of two intervals never lapses
    // while its holder lives (a timer that fires late would otherwise hand the job to another
    // node at the very moment of renewal), and moves within two intervals when it dies.
    mayRun: clusterLease(metadata.leases, 'upload-purge', leaseHolderName(), 2 * config.uploads.purgeIntervalSeconds * 1000),
  });
  const lifecycle = startLifecycleSchedule(metadata.lifecycle, {
    intervalSeconds: config.lifecycle.intervalSeconds,
    enabled: options.runJobs && config.lifecycle.enabled,
    log,
    // Renewed at every tick; moves to another node within two ticks when its holder dies.
    mayRun: clusterLease(metadata.leases, 'lifecycle', leaseHolderName(), 2 * lifecycleTickSeconds(config.lifecycle.intervalSeconds) * 1000),
    onRun: (summary) => metrics?.recordLifecycleRun(summary),
  });
  const garbageCollection = startGarbageCollection({
    metadata,
    blobs,
    intervalSeconds: config.gc.intervalSeconds,
    gracePeriodSeconds: config.gc.gracePeriodSeconds,
    log,
    enabled: options.runJobs && config.gc.enabled,
    onSummary: (summary) =>
      metrics?.recordGcRun({
        blobsDeleted: summary.blobsReclaimed + summary.orphansReclaimed + summary.leftoversFinished,
        bytesReclaimed: summary.bytesReclaimed + summary.orphanBytesReclaimed,
        durationSeconds: summary.durationMs / 1000,
        orphans: summary.orphansReclaimed,
      }),
  });
  // Every process writes its own counts (they add up in the store); one node snapshots stored bytes.
  const usageFlush = startUsageFlush(usage, metadata.usage, { intervalSeconds: config.usage.flushIntervalSeconds, log });
  const storageSnapshots = startStorageSnapshots(metadata.usage, {
    intervalSeconds: config.usage.snapshotIntervalSeconds,
    log,
    enabled: options.runJobs,
    mayRun: clusterLease(metadata.leases, 'usage-storage-snapshot', leaseHolderName(), 2 * config.usage.snapshotIntervalSeconds * 1000),
  });
  return {
    registry,
    ...(newCredentials ? { newCredentials } : {}),
    handler,
    uploadPurge,
    garbageCollection,
    usage,
    usageFlush,
    ...(metrics ? { metrics } : {}),
    setReady: (value) => {
      ready = value;
    },
    close: async () => {
      await uploadPurge.stop();
      await lifecycle.stop();
      await garbageCollection.stop();
      await storageSnapshots.stop();
      await usageFlush.stop();
      await metadata.close();
      await blobs.close();
    },
  };
}

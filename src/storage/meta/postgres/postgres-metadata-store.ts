// PostgreSQL MetadataStore on a `pg` Pool, for several Berth nodes sharing one
// database. Each port method is one transaction (a single statement, or a READ
// COMMITTED transaction whose row locks give it the isolation it needs; see
// docs/architecture.md, "PostgreSQL"). Blob links, upload sessions and pull times
// commit with synchronous_commit off, everything else durably (the port's durability
// note).
import type { LeaseStore } from '../lease-store.ts';
import type { LifecycleStore } from '../lifecycle-store.ts';
import { createPostgresLifecycleStore } from './postgres-lifecycle-store.ts';
import { createPostgresLeaseStore } from './postgres-lease-store.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import { PostgresConnection, type PostgresConnectionOptions, type Queries } from './postgres-connection.ts';
import { createPostgresIdentityStore } from './postgres-identity-store.ts';
import { createPostgresManifestStore } from './postgres-manifest-store.ts';
import { createPostgresAccountSettingsStore, createPostgresCreationTemplateStore } from './postgres-registry-defaults-store.ts';
import { createPostgresPullTimeExclusionStore } from './postgres-pull-time-exclusion-store.ts';
import { createPostgresRegistryScanningStore } from './postgres-registry-scanning-store.ts';
import { linkBlob, touchBlob } from './postgres-repository-rows.ts';
import { createPostgresBlobCollectionStore } from './postgres-blob-collection-store.ts';
import type { BlobCollectionStore } from '../blob-collection-store.ts';
import { createPostgresUsageStore } from './postgres-usage-store.ts';
import type { UsageStore } from '../usage-store.ts';
import type { AccountSettingsStore } from '../account-settings-store.ts';
import type { CreationTemplateStore } from '../creation-template-store.ts';
import type { IdentityStore } from '../identity-store.ts';
import type { PullTimeExclusionStore } from '../pull-time-exclusion-store.ts';
import type { RegistryScanningStore } from '../registry-scanning-store.ts';
import type { DeleteRepositoryResult } from '../repository-settings.ts';
import { ifFound } from '../rows/column-values.ts';
import { mergedResourceTags, REPOSITORY_COLUMNS, repositoryRows, resourceTagsValue, settingsValue } from '../rows/repository-rows.ts';
import { UPLOAD_COLUMNS, uploadRows } from '../rows/upload-rows.ts';
import type {
  BlobLinkStore,
  ManifestStore,
  MetadataStore,
  RegistrySettingsStore,
  RepositoryStore,
  TagStore,
  UploadStore,
} from '../metadata-store.ts';

const repositoryRecords = repositoryRows(POSTGRES_VALUES);
const uploadRecords = uploadRows(POSTGRES_VALUES);

export type PostgresMetadataStoreOptions = PostgresConnectionOptions;

export class PostgresMetadataStore implements MetadataStore {
  readonly name = 'postgres';
  readonly identities: IdentityStore;
  readonly registry: RegistrySettingsStore;
  readonly accountSettings: AccountSettingsStore;
  readonly leases: LeaseStore;
  readonly lifecycle: LifecycleStore;
  readonly blobCollection: BlobCollectionStore;
  readonly creationTemplates: CreationTemplateStore;
  readonly registryScanning: RegistryScanningStore;
  readonly pullTimeExclusions: PullTimeExclusionStore;
  readonly repositories: RepositoryStore;
  readonly blobs: BlobLinkStore;
  readonly manifests: ManifestStore;
  readonly tags: TagStore;
  readonly uploads: UploadStore;
  readonly usage: UsageStore;
  readonly #db: PostgresConnection;

  private constructor(db: PostgresConnection) {
    this.#db = db;
    this.identities = createPostgresIdentityStore(db);
    this.accountSettings = createPostgresAccountSettingsStore(db);
    this.leases = createPostgresLeaseStore(db);
    this.lifecycle = createPostgresLifecycleStore(db);
    this.blobCollection = createPostgresBlobCollectionStore(db);
    this.creationTemplates = createPostgresCreationTemplateStore(db);
    this.registryScanning = createPostgresRegistryScanningStore(db);
    this.pullTimeExclusions = createPostgresPullTimeExclusionStore(db);
    this.usage = createPostgresUsageStore(db);
    this.manifests = createPostgresManifestStore(db);
    this.repositories = createRepositoryStore(db);
    this.registry = {
      getPolicy: async (accountId) => {
        const row = await db.get('SELECT policy FROM registry_settings WHERE account_id = $1', accountId);
        return row === undefined || row.policy === null ? undefined : String(row.policy);
      },
      setPolicy: async (accountId, policy) => {
        await db.run(
          'INSERT INTO registry_settings (account_id, policy) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET policy = EXCLUDED.policy',
          accountId,
          policy ?? null,
        );
      },
    };
    this.blobs = {
      // One statement: waits for a collector marking the row (FOR UPDATE), then finds the
      // mark and answers busy; or creates the row or moves its time, and a collector that
      // locks it afterwards finds it touched.
      reserve: async (digest, size, at) =>
        (await db.write(
          'relaxed',
          `INSERT INTO blobs (digest, size, created_at, touched_at) VALUES ($1, $2, $3, $3)
           ON CONFLICT (digest) DO UPDATE SET touched_at = GREATEST(COALESCE(blobs.touched_at, blobs.created_at), EXCLUDED.touched_at)
           WHERE NOT blobs.deleting`,
          digest,
          size,
          at,
        )) > 0
          ? 'reserved'
          : 'busy',
      link: (repository, digest, size) => db.transaction((tx) => linkOrRollBack(tx, repository, digest, size), 'relaxed').catch(refusedLink),
      touch: (digest, at) => db.transaction((tx) => touchBlob(tx, digest, at), 'relaxed'),
      linked: async (repository, digest) => {
        const row = await db.get(
          `SELECT b.size FROM repository_blobs rb
             JOIN repositories r ON r.id = rb.repository_id
             JOIN blobs b ON b.digest = rb.digest
           WHERE r.name = $1 AND rb.digest = $2`,
          repository,
          digest,
        );
        return row === undefined ? undefined : Number(row.size);
      },
      unlink: async (repository, digest) =>
        (await db.run('DELETE FROM repository_blobs WHERE digest = $1 AND repository_id = (SELECT id FROM repositories WHERE name = $2)', digest, repository)) > 0,
      anywhere: async (digest) => {
        const row = await db.get(
          'SELECT b.size FROM blobs b WHERE b.digest = $1 AND EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest)',
          digest,
        );
        return row === undefined ? undefined : Number(row.size);
      },
    };
    this.tags = {
      list: async (repository, page) =>
        (
          await db.all(
            `SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id
             WHERE r.name = $1 AND t.name > $2 ORDER BY t.name LIMIT $3`,
            repository,
            page.after ?? '',
            page.limit,
          )
        ).map((row) => String(row.name)),
      delete: async (repository, tag) =>
        (await db.run('DELETE FROM tags WHERE name = $1 AND repository_id = (SELECT id FROM repositories WHERE name = $2)', tag, repository)) > 0,
    };
    this.uploads = {
      create: async (upload) => {
        await db.write(
          'relaxed',
          'INSERT INTO uploads (id, repository, "offset", started_at, updated_at) VALUES ($1, $2, $3, $4, $5)',
          upload.id,
          upload.repository,
          upload.offset,
          upload.startedAt,
          upload.updatedAt,
        );
      },
      get: async (id) => ifFound(await db.get(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = $1`, id), uploadRecords.upload),
      // One statement: a second writer waits for the first's row lock, then finds the
      // offset moved and changes nothing — a compare-and-set.
      advance: async (id, from, to, at) =>
        (await db.write('relaxed', 'UPDATE uploads SET "offset" = $1, updated_at = $2 WHERE id = $3 AND "offset" = $4', to, at, id, from)) > 0,
      complete: (id, repository, digest, size) =>
        db
          .transaction(async (tx) => {
            await linkOrRollBack(tx, repository, digest, size);
            await tx.run('DELETE FROM uploads WHERE id = $1', id);
            return true;
          }, 'relaxed')
          .catch(refusedLink),
      delete: async (id) => (await db.write('relaxed', 'DELETE FROM uploads WHERE id = $1', id)) > 0,
      listUpdatedBefore: async (before, limit) =>
        (await db.all(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE updated_at < $1 ORDER BY updated_at LIMIT $2`, before, limit)).map(uploadRecords.upload),
    };
  }

  /** Connects, migrates (or waits for another node migrating) and refuses a newer schema. */
  static async open(options: PostgresMetadataStoreOptions): Promise<PostgresMetadataStore> {
    return new PostgresMetadataStore(await PostgresConnection.open(options));
  }

  /** Moved by the triggers of migration 6, in the transaction of every change they watch, from any node. */
  async authorizationGeneration(): Promise<number> {
    return Number((await this.#db.get('SELECT value FROM authorization_generation WHERE id = 1'))!.value);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}

function createRepositoryStore(db: PostgresConnection): RepositoryStore {
  return {
    exists: async (name) => (await db.get('SELECT 1 AS found FROM repositories WHERE name = $1', name)) !== undefined,
    list: async (page) =>
      (await db.all('SELECT name FROM repositories WHERE name > $1 ORDER BY name LIMIT $2', page.after ?? '', page.limit)).map((row) => String(row.name)),
    create: async (name, settings, tags, at, policy, lifecyclePolicy) =>
      (await db.run(
        'INSERT INTO repositories (name, created_at, settings, resource_tags, policy, lifecycle_policy) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING',
        name,
        at,
        settingsValue(settings),
        resourceTagsValue(tags),
        policy ?? null,
        lifecyclePolicy ?? null,
      )) > 0,
    get: async (name) => ifFound(await db.get(`SELECT ${REPOSITORY_COLUMNS} FROM repositories WHERE name = $1`, name), repositoryRecords.repository),
    updateSettings: async (name, settings) => (await db.run('UPDATE repositories SET settings = $1 WHERE name = $2', settingsValue(settings), name)) > 0,
    // Read, merge and write under the row lock, so two concurrent tag changes both land.
    updateTags: (name, add, remove) =>
      db.transaction(async (tx) => {
        const row = await tx.get('SELECT resource_tags FROM repositories WHERE name = $1 FOR UPDATE', name);
        if (row === undefined) return false;
        await tx.run('UPDATE repositories SET resource_tags = $1 WHERE name = $2', mergedResourceTags(row.resource_tags, add, remove), name);
        return true;
      }),
    setPolicy: async (name, policy) => (await db.run('UPDATE repositories SET policy = $1 WHERE name = $2', policy ?? null, name)) > 0,
    // FOR UPDATE waits for every push, link or upload completion holding the repository
    // (FOR KEY SHARE) to commit, and keeps new ones out until the delete commits: the
    // emptiness check then sees every manifest, and a forced delete takes every row.
    delete: (name, { force }) =>
      db.transaction(async (tx): Promise<DeleteRepositoryResult> => {
        const row = await tx.get('SELECT id FROM repositories WHERE name = $1 FOR UPDATE', name);
        if (row === undefined) return 'not-found';
        const id = Number(row.id);
        if (!force && (await tx.get('SELECT 1 AS found FROM manifests WHERE repository_id = $1 LIMIT 1', id)) !== undefined) return 'not-empty';
        // Links, manifests with their references, and tags go by ON DELETE CASCADE.
        await tx.run('DELETE FROM repositories WHERE id = $1', id);
        return 'deleted';
      }),
  };
}

/** Thrown inside a transaction to roll a refused link back (the repository row it may have created too). */
class RefusedLink extends Error {
  constructor() {
    super('blob link refused: no row, or marked for deletion');
  }
}

async function linkOrRollBack(tx: Queries, repository: string, digest: string, size: number): Promise<true> {
  if (!(await linkBlob(tx, repository, digest, size))) throw new RefusedLink();
  return true;
}

function refusedLink(error: unknown): false {
  if (error instanceof RefusedLink) return false;
  throw error;
}

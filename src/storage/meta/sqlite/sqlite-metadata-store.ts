// SQLite MetadataStore on node:sqlite. The database is synchronous and in-process,
// so each port method runs start to finish without yielding: a transaction never
// interleaves with another request. WAL mode lets readers (and `berth` admin
// commands in other processes) run alongside the writer.
import type { LeaseStore } from '../lease-store.ts';
import type { LifecycleStore } from '../lifecycle-store.ts';
import { createSqliteLifecycleStore } from './sqlite-lifecycle-store.ts';
import { createSqliteLeaseStore } from './sqlite-lease-store.ts';
import { createSqliteBlobCollectionStore } from './sqlite-blob-collection-store.ts';
import type { BlobCollectionStore } from '../blob-collection-store.ts';
import { SQLITE_VALUES } from './sqlite-column-values.ts';
import { SqliteConnection, type SqliteConnectionOptions } from './sqlite-connection.ts';
import { createSqliteIdentityStore } from './sqlite-identity-store.ts';
import { createSqliteAccountSettingsStore, createSqliteCreationTemplateStore } from './sqlite-registry-defaults-store.ts';
import { createSqlitePullTimeExclusionStore } from './sqlite-pull-time-exclusion-store.ts';
import { createSqliteRegistryScanningStore } from './sqlite-registry-scanning-store.ts';
import { createSqliteUsageStore } from './sqlite-usage-store.ts';
import type { UsageStore } from '../usage-store.ts';
import type { AccountSettingsStore } from '../account-settings-store.ts';
import type { CreationTemplateStore } from '../creation-template-store.ts';
import type { IdentityStore } from '../identity-store.ts';
import type { PullTimeExclusionStore } from '../pull-time-exclusion-store.ts';
import type { RegistryScanningStore } from '../registry-scanning-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { MANIFEST_COLUMNS, manifestRows, manifestValues, REFERRER_COLUMNS } from '../rows/manifest-rows.ts';
import { mergedResourceTags, REPOSITORY_COLUMNS, repositoryRows, resourceTagsValue, settingsValue } from '../rows/repository-rows.ts';
import { UPLOAD_COLUMNS, uploadRows } from '../rows/upload-rows.ts';
import type {
  BlobLinkStore,
  ManifestRecord,
  ManifestReferences,
  ManifestStore,
  MetadataStore,
  Page,
  PutManifestResult,
  ReferrerRecord,
  RegistrySettingsStore,
  RepositoryStore,
  TagStore,
  UploadStore,
} from '../metadata-store.ts';

const repositoryRecords = repositoryRows(SQLITE_VALUES);
const manifestRecords = manifestRows(SQLITE_VALUES);
const uploadRecords = uploadRows(SQLITE_VALUES);

export type SqliteMetadataStoreOptions = SqliteConnectionOptions;

export class SqliteMetadataStore implements MetadataStore {
  readonly name = 'sqlite';
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
  readonly #db: SqliteConnection;

  private constructor(db: SqliteConnection) {
    this.#db = db;
    this.identities = createSqliteIdentityStore(db);
    this.accountSettings = createSqliteAccountSettingsStore(db);
    this.leases = createSqliteLeaseStore(db);
    this.lifecycle = createSqliteLifecycleStore(db);
    this.blobCollection = createSqliteBlobCollectionStore(db);
    this.creationTemplates = createSqliteCreationTemplateStore(db);
    this.registryScanning = createSqliteRegistryScanningStore(db);
    this.pullTimeExclusions = createSqlitePullTimeExclusionStore(db);
    this.usage = createSqliteUsageStore(db);
    this.repositories = {
      exists: async (name) => this.#db.get('SELECT 1 AS found FROM repositories WHERE name = ?', name) !== undefined,
      list: async (page) => this.#listRepositories(page),
      create: async (name, settings, tags, at, policy, lifecyclePolicy) =>
        this.#db.run(
          'INSERT INTO repositories (name, created_at, settings, resource_tags, policy, lifecycle_policy) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
          name,
          at.getTime(),
          settingsValue(settings),
          resourceTagsValue(tags),
          policy ?? null,
          lifecyclePolicy ?? null,
        ) > 0,
      get: async (name) => ifFound(this.#db.get(`SELECT ${REPOSITORY_COLUMNS} FROM repositories WHERE name = ?`, name), repositoryRecords.repository),
      updateSettings: async (name, settings) => this.#db.run('UPDATE repositories SET settings = ? WHERE name = ?', settingsValue(settings), name) > 0,
      updateTags: async (name, add, remove) =>
        this.#db.transaction(() => {
          const row = this.#db.get('SELECT resource_tags FROM repositories WHERE name = ?', name);
          if (row === undefined) return false;
          this.#db.run('UPDATE repositories SET resource_tags = ? WHERE name = ?', mergedResourceTags(row.resource_tags, add, remove), name);
          return true;
        }),
      setPolicy: async (name, policy) => this.#db.run('UPDATE repositories SET policy = ? WHERE name = ?', policy ?? null, name) > 0,
      delete: async (name, { force }) =>
        this.#db.transaction(() => {
          const row = this.#db.get('SELECT id FROM repositories WHERE name = ?', name);
          if (row === undefined) return 'not-found';
          if (!force && this.#db.get('SELECT 1 AS found FROM manifests WHERE repository_id = ? LIMIT 1', Number(row.id)) !== undefined) {
            return 'not-empty';
          }
          // Links, manifests with their references, and tags go by ON DELETE CASCADE.
          this.#db.run('DELETE FROM repositories WHERE id = ?', Number(row.id));
          return 'deleted';
        }),
    };
    this.registry = {
      getPolicy: async (accountId) => {
        const row = this.#db.get('SELECT policy FROM registry_settings WHERE account_id = ?', accountId);
        return row === undefined || row.policy === null ? undefined : String(row.policy);
      },
      setPolicy: async (accountId, policy) => {
        this.#db.run(
          'INSERT INTO registry_settings (account_id, policy) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET policy = excluded.policy',
          accountId,
          policy ?? null,
        );
      },
    };
    this.blobs = {
      reserve: async (digest, size, at) =>
        this.#db.relaxed(() =>
          this.#db.run(
            `INSERT INTO blobs (digest, size, created_at, touched_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (digest) DO UPDATE SET touched_at = max(COALESCE(blobs.touched_at, blobs.created_at), excluded.touched_at)
             WHERE blobs.deleting = 0`,
            digest,
            size,
            at.getTime(),
            at.getTime(),
          ),
        ) > 0
          ? 'reserved'
          : 'busy',
      link: async (repository, digest, size) => {
        try {
          return this.#db.relaxed(() => this.#db.transaction(() => this.#link(repository, digest, size)));
        } catch (error) {
          if (error instanceof RefusedLink) return false;
          throw error;
        }
      },
      touch: async (digest, at) =>
        this.#db.relaxed(() => this.#touch(digest, at.getTime())),
      linked: async (repository, digest) => this.#linkedSize(repository, digest),
      unlink: async (repository, digest) =>
        this.#db.run(
          'DELETE FROM repository_blobs WHERE digest = ? AND repository_id = (SELECT id FROM repositories WHERE name = ?)',
          digest,
          repository,
        ) > 0,
      anywhere: async (digest) => {
        const row = this.#db.get(
          'SELECT b.size FROM blobs b WHERE b.digest = ? AND EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest)',
          digest,
        );
        return row === undefined ? undefined : Number(row.size);
      },
    };
    this.manifests = {
      put: async (record, references, tag, options) => {
        try {
          return this.#db.transaction(() => this.#putManifest(record, references, tag, options?.keepTag ?? false));
        } catch (error) {
          if (error instanceof RefusedManifest) return error.result;
          throw error;
        }
      },
      get: async (repository, digest) =>
        ifFound(
          this.#db.get(
            `SELECT ${MANIFEST_COLUMNS} FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?`,
            repository,
            digest,
          ),
          (row) => manifestRecords.manifest(repository, row),
        ),
      getByTag: async (repository, tag) =>
        ifFound(
          this.#db.get(
            `SELECT ${MANIFEST_COLUMNS} FROM tags t
               JOIN repositories r ON r.id = t.repository_id
               JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
             WHERE r.name = ? AND t.name = ?`,
            repository,
            tag,
          ),
          (row) => manifestRecords.manifest(repository, row),
        ),
      delete: async (repository, digest) =>
        this.#db.run(
          'DELETE FROM manifests WHERE digest = ? AND repository_id = (SELECT id FROM repositories WHERE name = ?)',
          digest,
          repository,
        ) > 0,
      referrers: async (repository, subject) => this.#referrers(repository, subject),
      parents: async (repository, digest) =>
        this.#db.all(
          `SELECT mc.parent_digest AS digest FROM manifest_children mc JOIN repositories r ON r.id = mc.repository_id
           WHERE r.name = ? AND mc.child_digest = ? ORDER BY mc.parent_digest`,
          repository,
          digest,
        ).map((row) => String(row.digest)),
      children: async (repository, digest) =>
        this.#db.all(
          `SELECT mc.child_digest AS digest FROM manifest_children mc JOIN repositories r ON r.id = mc.repository_id
           WHERE r.name = ? AND mc.parent_digest = ? ORDER BY mc.child_digest`,
          repository,
          digest,
        ).map((row) => String(row.digest)),
      list: async (repository, page) =>
        this.#db
          .all(`${IMAGE_SUMMARY_SQL} AND m.digest > ? ORDER BY m.digest LIMIT ?`, repository, page.after ?? '', page.limit)
          .map(manifestRecords.imageSummary),
      summary: async (repository, digest) => ifFound(this.#db.get(`${IMAGE_SUMMARY_SQL} AND m.digest = ?`, repository, digest), manifestRecords.imageSummary),
    };
    this.tags = {
      list: async (repository, page) =>
        this.#db.all(
          `SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id
           WHERE r.name = ? AND t.name > ? ORDER BY t.name LIMIT ?`,
          repository,
          page.after ?? '',
          page.limit,
        ).map((row) => String(row.name)),
      delete: async (repository, tag) =>
        this.#db.run(
          'DELETE FROM tags WHERE name = ? AND repository_id = (SELECT id FROM repositories WHERE name = ?)',
          tag,
          repository,
        ) > 0,
    };
    this.uploads = {
      create: async (upload) => {
        this.#db.relaxed(() => this.#db.run(
          'INSERT INTO uploads (id, repository, "offset", started_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          upload.id,
          upload.repository,
          upload.offset,
          upload.startedAt.getTime(),
          upload.updatedAt.getTime(),
        ));
      },
      get: async (id) => ifFound(this.#db.get(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = ?`, id), uploadRecords.upload),
      advance: async (id, from, to, at) =>
        this.#db.relaxed(() => this.#db.run('UPDATE uploads SET "offset" = ?, updated_at = ? WHERE id = ? AND "offset" = ?', to, at.getTime(), id, from)) > 0,
      complete: async (id, repository, digest, size) => {
        try {
          return this.#db.relaxed(() =>
            this.#db.transaction(() => {
              this.#link(repository, digest, size);
              this.#db.run('DELETE FROM uploads WHERE id = ?', id);
              return true;
            }),
          );
        } catch (error) {
          if (error instanceof RefusedLink) return false;
          throw error;
        }
      },
      delete: async (id) => this.#db.relaxed(() => this.#db.run('DELETE FROM uploads WHERE id = ?', id)) > 0,
      listUpdatedBefore: async (before, limit) =>
        this.#db
          .all(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?`, before.getTime(), limit)
          .map(uploadRecords.upload),
    };
  }

  static open(options: SqliteMetadataStoreOptions): SqliteMetadataStore {
    return new SqliteMetadataStore(SqliteConnection.open(options));
  }

  async authorizationGeneration(): Promise<number> {
    return Number(this.#db.get('SELECT value FROM authorization_generation WHERE id = 1')!.value);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #repositoryId(name: string): number {
    this.#db.run('INSERT INTO repositories (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', name, Date.now());
    return Number(this.#db.get('SELECT id FROM repositories WHERE name = ?', name)!.id);
  }

  /**
   * Links a blob whose row exists and is not marked for deletion (an upload reserved
   * it before committing its bytes; a mount found it linked elsewhere); throws
   * RefusedLink otherwise, rolling the transaction back. The size is the row's.
   */
  #link(repository: string, digest: string, _size: number): true {
    const now = Date.now();
    if (!this.#touch(digest, now)) throw new RefusedLink();
    const repositoryId = this.#repositoryId(repository);
    this.#db.run(
      'INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      repositoryId,
      digest,
      now,
    );
    return true;
  }

  /** Marks a live blob used at `at`; false when it has no row or is marked for deletion. */
  #touch(digest: string, at: number): boolean {
    return (
      this.#db.run(
        'UPDATE blobs SET touched_at = max(COALESCE(touched_at, created_at), ?) WHERE digest = ? AND deleting = 0',
        at,
        digest,
      ) > 0
    );
  }

  #linkedSize(repository: string, digest: string): number | undefined {
    const row = this.#db.get(
      `SELECT b.size FROM repository_blobs rb
         JOIN repositories r ON r.id = rb.repository_id
         JOIN blobs b ON b.digest = rb.digest
       WHERE r.name = ? AND rb.digest = ?`,
      repository,
      digest,
    );
    return row === undefined ? undefined : Number(row.size);
  }

  #putManifest(record: ManifestRecord, references: ManifestReferences, tag: string | undefined, keepTag: boolean): PutManifestResult {
    const repositoryId = this.#repositoryId(record.repository);
    if (tag !== undefined && keepTag) {
      const held = this.#db.get('SELECT manifest_digest FROM tags WHERE repository_id = ? AND name = ?', repositoryId, tag);
      if (held !== undefined && String(held.manifest_digest) !== record.digest) {
        throw new RefusedManifest({ ok: false, missingBlobs: [], missingManifests: [], tagTakenBy: String(held.manifest_digest) });
      }
    }
    const blobs = [...new Set(references.blobs)];
    const children = [...new Set(references.manifests)];
    const missingBlobs = blobs.filter(
      (digest) => this.#db.get('SELECT 1 AS found FROM repository_blobs WHERE repository_id = ? AND digest = ?', repositoryId, digest) === undefined,
    );
    const missingManifests = children.filter(
      (digest) => this.#db.get('SELECT 1 AS found FROM manifests WHERE repository_id = ? AND digest = ?', repositoryId, digest) === undefined,
    );
    if (missingBlobs.length > 0 || missingManifests.length > 0) {
      // Roll back the repository row too: a refused push must leave nothing behind.
      throw new RefusedManifest({ ok: false, missingBlobs, missingManifests });
    }
    this.#db.run(
      `INSERT INTO manifests (repository_id, digest, media_type, size, content, artifact_type, subject, annotations, pushed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repository_id, digest) DO NOTHING`,
      repositoryId,
      ...manifestValues(record),
      record.pushedAt.getTime(),
    );
    for (const digest of blobs) {
      this.#db.run(
        'INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        repositoryId,
        record.digest,
        digest,
      );
    }
    for (const digest of children) {
      this.#db.run(
        'INSERT INTO manifest_children (repository_id, parent_digest, child_digest) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        repositoryId,
        record.digest,
        digest,
      );
    }
    if (tag !== undefined) {
      this.#db.run(
        `INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = excluded.manifest_digest, updated_at = excluded.updated_at`,
        repositoryId,
        tag,
        record.digest,
        record.pushedAt.getTime(),
      );
    }
    return { ok: true };
  }

  #referrers(repository: string, subject: string): ReferrerRecord[] {
    return this.#db.all(
      `SELECT ${REFERRER_COLUMNS} FROM manifests m
         JOIN repositories r ON r.id = m.repository_id
       WHERE r.name = ? AND m.subject = ? ORDER BY m.pushed_at, m.digest`,
      repository,
      subject,
    ).map(manifestRecords.referrer);
  }

  #listRepositories(page: Page): string[] {
    return this.#db.all('SELECT name FROM repositories WHERE name > ? ORDER BY name LIMIT ?', page.after ?? '', page.limit).map((row) =>
      String(row.name),
    );
  }
}

/** Thrown inside a transaction to roll a refused link back. */
class RefusedLink extends Error {
  constructor() {
    super('blob link refused: no row, or marked for deletion');
  }
}

/** Thrown inside a transaction to roll it back and hand a refusal to the caller. */
class RefusedManifest extends Error {
  readonly result: PutManifestResult;
  constructor(result: PutManifestResult) {
    super('manifest refused');
    this.result = result;
  }
}

/** A repository's manifests with the bytes of the blobs each references and its sorted tags. */
const IMAGE_SUMMARY_SQL = `
  SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.pushed_at, m.last_pulled_at,
         (SELECT COALESCE(SUM(b.size), 0) FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
           WHERE mb.repository_id = m.repository_id AND mb.manifest_digest = m.digest) AS blob_bytes,
         (SELECT json_group_array(name) FROM (SELECT t.name FROM tags t
           WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest ORDER BY t.name)) AS tag_names
  FROM manifests m JOIN repositories r ON r.id = m.repository_id
  WHERE r.name = ?`;

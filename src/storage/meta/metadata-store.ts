// The MetadataStore port: names, links and small documents (manifests are at most
// a few MiB and are stored here, not in the blob store). Every method is one
// atomic step in the driver, so callers never hold a transaction across awaits
// and a PostgreSQL driver can implement each with one transaction.
// Every driver passes test/conformance/metadata-store.suite.ts.
import type { AccountSettingsStore } from './account-settings-store.ts';
import type { BlobCollectionStore } from './blob-collection-store.ts';
import type { LeaseStore } from './lease-store.ts';
import type { LifecycleStore } from './lifecycle-store.ts';
import type { CreationTemplateStore } from './creation-template-store.ts';
import type { IdentityStore } from './identity-store.ts';
import type { PullTimeExclusionStore } from './pull-time-exclusion-store.ts';
import type { RegistryScanningStore } from './registry-scanning-store.ts';
import type { UsageStore } from './usage-store.ts';
import type { DeleteRepositoryResult, RepositoryRecord, RepositorySettings } from './repository-settings.ts';
//
// Durability: a manifest put or delete and a tag delete are durable when they
// return, and make every write that returned before them durable too. Blob links,
// upload-session writes and recorded pull times may become durable only then (SQLite: synchronous
// NORMAL in WAL mode; PostgreSQL: synchronous_commit off). That loses no image: an
// image exists once its manifest is stored, and storing it flushes its layers'
// links; a power cut before that only makes the client push the blobs again.

export interface Page {
  /** Return at most this many items. */
  readonly limit: number;
  /** Return items lexically after this one. */
  readonly after?: string;
}

export interface ManifestRecord {
  readonly repository: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** The exact bytes the client pushed. */
  readonly content: Buffer;
  /** artifactType as the referrers API reports it (already defaulted to config.mediaType). */
  readonly artifactType?: string;
  readonly subject?: string;
  /** Annotations, kept for referrers descriptors. */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly pushedAt: Date;
}

/** What a manifest points at; the store refuses the manifest unless all of it is present. */
export interface ManifestReferences {
  readonly blobs: readonly string[];
  readonly manifests: readonly string[];
}

export type PutManifestResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly missingBlobs: readonly string[];
      readonly missingManifests: readonly string[];
      /** Set (with both lists empty) when `keepTag` refused to move the tag off this manifest. */
      readonly tagTakenBy?: string;
    };

export interface PutManifestOptions {
  /**
   * The tag may be created, or pushed again with the same manifest, but not moved (ECR's
   * immutable tags): when it names another manifest the put is refused and writes
   * nothing. Checked in the same step as the write, so of two pushes racing for a
   * free immutable tag exactly one gets it.
   */
  readonly keepTag?: boolean;
}

export interface ReferrerRecord {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface UploadRecord {
  readonly id: string;
  readonly repository: string;
  /** Bytes received so far. */
  readonly offset: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
}

export interface RepositoryStore {
  exists(name: string): Promise<boolean>;
  list(page: Page): Promise<string[]>;
  /** Creates an empty repository (with its policy and lifecycle policy, when given); false when one of that name exists. */
  create(name: string, settings: RepositorySettings, tags: Readonly<Record<string, string>>, at: Date, policy?: string, lifecyclePolicy?: string): Promise<boolean>;
  get(name: string): Promise<RepositoryRecord | undefined>;
  /** Replaces the settings; false when there is no such repository. */
  updateSettings(name: string, settings: RepositorySettings): Promise<boolean>;
  /** Adds or overwrites tags, and removes `remove`; false when there is no such repository. */
  updateTags(name: string, add: Readonly<Record<string, string>>, remove: readonly string[]): Promise<boolean>;
  /** Sets (or with undefined, removes) the repository policy; false when there is no such repository. */
  setPolicy(name: string, policy: string | undefined): Promise<boolean>;
  /**
   * Deletes the repository with its tags, manifests, blob links and settings. Without
   * `force`, a repository that still holds a manifest is 'not-empty' and stays.
   */
  delete(name: string, options: { readonly force: boolean }): Promise<DeleteRepositoryResult>;
}

/** Per-account registry settings: the registry policy. */
export interface RegistrySettingsStore {
  getPolicy(accountId: string): Promise<string | undefined>;
  /** Sets, or with undefined removes, the registry policy. */
  setPolicy(accountId: string, policy: string | undefined): Promise<void>;
}

/** What `reserve` answers: the blob row is there and fresh, or a collector is deleting the blob's bytes right now. */
export type BlobReservation = 'reserved' | 'busy';

export interface BlobLinkStore {
  /**
   * Records that the blob's bytes are about to be committed (before they are): creates
   * its row or marks it used at `at`, so a garbage collector leaves it alone for a
   * grace period. 'busy' while a collector has the blob marked for deletion: the caller
   * waits and asks again. A row without links is invisible to `linked` and `anywhere`.
   */
  reserve(digest: string, size: number, at: Date): Promise<BlobReservation>;
  /**
   * Links the blob into the repository (creating the repository) and marks it used.
   * False, writing nothing, when the blob has no row or a collector has it marked for
   * deletion: its bytes may be gone, so the caller must not report it stored.
   */
  link(repository: string, digest: string, size: number): Promise<boolean>;
  /**
   * Marks a blob that someone was just told exists as used at `at` (a later time than
   * the stored one wins). False when the blob has no row or is marked for deletion.
   * Durable only with the next durable write.
   */
  touch(digest: string, at: Date): Promise<boolean>;
  /** Size of the blob when it is linked into the repository. */
  linked(repository: string, digest: string): Promise<number | undefined>;
  unlink(repository: string, digest: string): Promise<boolean>;
  /** Size of the blob when any repository links it. */
  anywhere(digest: string): Promise<number | undefined>;
}

export interface ManifestStore {
  /**
   * Stores the manifest with its references and optionally points `tag` at it, in
   * one step; refuses it (writing nothing) when a referenced blob or child manifest
   * is not in the repository. Creates the repository.
   */
  put(record: ManifestRecord, references: ManifestReferences, tag?: string, options?: PutManifestOptions): Promise<PutManifestResult>;
  get(repository: string, digest: string): Promise<ManifestRecord | undefined>;
  getByTag(repository: string, tag: string): Promise<ManifestRecord | undefined>;
  /** Deletes the manifest and every tag that points at it. */
  delete(repository: string, digest: string): Promise<boolean>;
  referrers(repository: string, subject: string): Promise<ReferrerRecord[]>;
  /** Digests of the manifests in the repository that list `digest` among their child manifests (the indexes over it), sorted. */
  parents(repository: string, digest: string): Promise<string[]>;
  /** Digests of the child manifests the manifest lists (empty for an image manifest), sorted. */
  children(repository: string, digest: string): Promise<string[]>;
  /** The repository's manifests ordered by digest, after `page.after`, each with its tags and content size. */
  list(repository: string, page: Page): Promise<ImageSummary[]>;
  /** The same summary for one manifest. */
  summary(repository: string, digest: string): Promise<ImageSummary | undefined>;
}

export interface ImageSummary {
  readonly digest: string;
  readonly mediaType: string;
  /**
   * Sum of the sizes of the blobs the manifest references (what ECR reports as the image
   * size). A repository's stored bytes (usage-store.ts) are the union of these blobs over
   * its manifests, so a repository of one image stores exactly this (docs/usage.md).
   */
  readonly blobBytes: number;
  readonly artifactType?: string;
  /** The digest of the manifest's subject, for referrers. */
  readonly subject?: string;
  readonly pushedAt: Date;
  /** When a pull was last recorded (ECR's lastRecordedPullTime), if ever. */
  readonly lastPulledAt?: Date;
  /** Tags pointing at the manifest, sorted. */
  readonly tags: readonly string[];
}

export interface TagStore {
  list(repository: string, page: Page): Promise<string[]>;
  delete(repository: string, tag: string): Promise<boolean>;
}

export interface UploadStore {
  create(upload: UploadRecord): Promise<void>;
  get(id: string): Promise<UploadRecord | undefined>;
  /** Moves the offset from `from` to `to`; false when another writer moved it first. */
  advance(id: string, from: number, to: number, at: Date): Promise<boolean>;
  /**
   * Ends the session and links the blob it produced into the repository, in one step.
   * False, writing nothing, when the link is refused (see BlobLinkStore.link).
   */
  complete(id: string, repository: string, digest: string, size: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  listUpdatedBefore(before: Date, limit: number): Promise<UploadRecord[]>;
}

export interface MetadataStore {
  readonly name: string;
  readonly identities: IdentityStore;
  readonly registry: RegistrySettingsStore;
  readonly accountSettings: AccountSettingsStore;
  readonly creationTemplates: CreationTemplateStore;
  readonly registryScanning: RegistryScanningStore;
  readonly pullTimeExclusions: PullTimeExclusionStore;
  readonly repositories: RepositoryStore;
  readonly blobs: BlobLinkStore;
  readonly manifests: ManifestStore;
  readonly tags: TagStore;
  readonly uploads: UploadStore;
  readonly leases: LeaseStore;
  readonly lifecycle: LifecycleStore;
  readonly blobCollection: BlobCollectionStore;
  /** Usage metering: traffic per repository per day, stored bytes, batched pull times. */
  readonly usage: UsageStore;
  /**
   * A number that changes whenever something an authorization decision reads changes:
   * users, access keys, user policies, repositories (created, deleted, policy or tags),
   * the registry policy, account settings — by any process sharing the store. While it
   * stands still, a decision made earlier still holds.
   */
  authorizationGeneration(): Promise<number>;
  close(): Promise<void>;
}
